//! A partner's monthly statement (issue 28): the rewards account over one month in the
//! brand's time zone, with what moved it, and its CSV through a signed link that only the
//! partner's owners and the brand's staff are given.

use axum::body::Body;
use axum::http::Request;
use chrono::{DateTime, Utc};
use entities::partner_ledger_entry::{self as entry, LedgerKind};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::json;

use crate::ledger::{APPROVE, DOCS, PAY_OUT, SAVE_REQ, member, requisites, withdrawable_reward};
use crate::orders::{CREATE, PAY, shop};
use crate::support::*;

const STATEMENT: &str = "query($p: ID!, $m: String!) { partner(id: $p) { statement(month: $m) { month currency openingBalance closingBalance rewards reversals spent withdrawn csvUrl } } }";

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A ledger entry of the root brand's partner written at `when`.
async fn entry_at(app: &TestApp, partner: &str, kind: LedgerKind, minor: i64, when: &str) {
    entry::ActiveModel {
        tenant_id: Set(1),
        partner_id: Set(raw(partner)),
        kind: Set(kind),
        pot: Set(entry::POT_REWARDS.into()),
        amount_minor: Set(minor),
        currency: Set("RUB".into()),
        available_at: Set(at(when)),
        created_at: Set(at(when)),
        ..Default::default()
    }
    .insert(app.db())
    .await
    .unwrap();
}

async fn get(app: &TestApp, host: &str, url: &str) -> Resp {
    let path = &url[url.find("/exports/").unwrap()..];
    app.send(
        Request::get(path)
            .header("host", host)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_months_statement_adds_up_and_downloads_as_csv_for_owners_and_staff_only() {
    let app = TestApp::new().await;
    let s = shop(&app, "stm", &[(701, 10)]).await;
    let staff = app.staff_token().await;
    app.ok(
        ROOT,
        Some(&staff),
        "mutation { updateTenant(input: { timezone: \"Europe/Moscow\" }) { tenant { timezone } } }",
        json!({}),
    )
    .await;
    let clock = &app.state.services.clock;
    // 10,000.00 earned in September.
    clock.set(Some(at("2026-10-20T10:00:00Z")));
    withdrawable_reward(&app, &s.p.id, 1_000_000).await;
    // November, Moscow time: a reward, a reversal, one more reward late on the 30th.
    entry_at(
        &app,
        &s.p.id,
        LedgerKind::Reward,
        200_000,
        "2026-11-03T10:00:00Z",
    )
    .await;
    entry_at(
        &app,
        &s.p.id,
        LedgerKind::Reversal,
        -50_000,
        "2026-11-04T10:00:00Z",
    )
    .await;
    entry_at(
        &app,
        &s.p.id,
        LedgerKind::Reward,
        10_000,
        "2026-11-30T20:30:00Z",
    )
    .await;
    // 00:30 on 1 December in Moscow: December's.
    entry_at(
        &app,
        &s.p.id,
        LedgerKind::Reward,
        7_000,
        "2026-11-30T21:30:00Z",
    )
    .await;
    // A withdrawal of 5,000.00 requested, and paid on 10 November.
    clock.set(Some(at("2026-11-05T10:00:00Z")));
    app.ok(
        ROOT,
        Some(&s.p.owner),
        SAVE_REQ,
        json!({ "i": requisites(&s.p.id) }),
    )
    .await;
    let w = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            "mutation($i: RequestWithdrawalInput!) { requestWithdrawal(input: $i) { withdrawal { id } } }",
            json!({ "i": { "partnerId": s.p.id, "amount": "5000.00" } }),
        )
        .await["requestWithdrawal"]["withdrawal"]["id"]
        .clone();
    let one = json!({ "i": { "withdrawalId": w } });
    app.ok(ROOT, Some(&s.p.owner), DOCS, one.clone()).await;
    app.ok(ROOT, Some(&staff), APPROVE, one.clone()).await;
    clock.set(Some(at("2026-11-10T10:00:00Z")));
    app.ok(ROOT, Some(&staff), PAY_OUT, one.clone()).await;
    // A renewal of 750.00 paid from the balance on 12 November.
    clock.set(Some(at("2026-11-12T10:00:00Z")));
    let lines = s.lines(&app).await;
    let renew = json!({ "payer": "PARTNER", "partnerId": s.p.id, "renewals": { "lineIds": [lines[0]["id"]], "months": 1 } });
    let o = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            CREATE,
            json!({ "i": { "order": renew } }),
        )
        .await["createOrder"]["order"]["id"]
        .clone();
    app.ok(
        ROOT,
        Some(&s.p.owner),
        PAY,
        json!({ "i": { "orderId": o, "method": "BONUS_BALANCE" } }),
    )
    .await;

    clock.set(Some(at("2026-12-03T10:00:00Z")));
    let d = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            STATEMENT,
            json!({ "p": s.p.id, "m": "2026-11" }),
        )
        .await;
    let st = &d["partner"]["statement"];
    assert_eq!(st["month"], "2026-11");
    assert_eq!(st["currency"], "RUB");
    assert_eq!(st["openingBalance"], "10000.00");
    assert_eq!(st["rewards"], "2100.00");
    assert_eq!(st["reversals"], "500.00");
    assert_eq!(st["withdrawn"], "5000.00");
    assert_eq!(st["spent"], "750.00");
    // 10,000 + 2,100 - 500 - 5,000 - 750.
    assert_eq!(st["closingBalance"], "5850.00");
    // October: nothing moved; December opens where November closed.
    let oct = app
        .ok(
            ROOT,
            Some(&staff),
            STATEMENT,
            json!({ "p": s.p.id, "m": "2026-10" }),
        )
        .await;
    assert_eq!(oct["partner"]["statement"]["openingBalance"], "10000.00");
    assert_eq!(oct["partner"]["statement"]["closingBalance"], "10000.00");
    let dec = app
        .ok(
            ROOT,
            Some(&staff),
            STATEMENT,
            json!({ "p": s.p.id, "m": "2026-12" }),
        )
        .await;
    assert_eq!(dec["partner"]["statement"]["openingBalance"], "5850.00");
    assert_eq!(dec["partner"]["statement"]["rewards"], "70.00");

    // The CSV: the month's entries with a running balance.
    let url = st["csvUrl"].as_str().unwrap();
    let r = get(&app, ROOT, url).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("2026-11.csv")
    );
    assert_eq!(r.headers["cache-control"], "no-store");
    let csv = r.body.as_str().unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "date,entry,reference,amount,balance");
    assert_eq!(rows[1], ",OPENING_BALANCE,2026-11,,10000.00");
    assert_eq!(rows[2], "2026-11-03,REWARD,,2000.00,12000.00");
    assert_eq!(rows[3], "2026-11-04,REVERSAL,,-500.00,11500.00");
    assert_eq!(
        rows[4],
        "2026-11-10,WITHDRAWAL_PAID,withdrawal 1,-5000.00,6500.00"
    );
    assert!(rows[5].starts_with("2026-11-12,SPEND,order "), "{csv}");
    assert!(rows[5].ends_with(",-750.00,5750.00"), "{csv}");
    assert_eq!(rows[6], "2026-11-30,REWARD,,100.00,5850.00");
    assert_eq!(rows[7], ",CLOSING_BALANCE,2026-11,,5850.00");
    assert_eq!(rows.len(), 8, "{csv}");

    // The link is the brand's: another brand's host does not know it; tampered or
    // expired it is refused.
    let (_, other) = app.tenant("stm-other").await;
    assert_eq!(get(&app, &other, url).await.status, 404);
    let tampered = format!("{}x", url);
    assert_eq!(get(&app, ROOT, &tampered).await.status, 404);
    clock.set(Some(at("2026-12-03T11:01:00Z")));
    assert_eq!(get(&app, ROOT, url).await.status, 404);

    // Only owners and staff: a user admin of the partner is refused.
    let ua = member(&app, &s.p.org, "ua.stm@example.com", "USER_ADMIN").await;
    assert_eq!(
        app.err_code(
            ROOT,
            Some(&ua),
            STATEMENT,
            json!({ "p": s.p.id, "m": "2026-11" })
        )
        .await,
        "FORBIDDEN"
    );
    // A month badly written, or not begun, is refused naming the field.
    for m in ["2026-13", "11-2026", "2027-01"] {
        let r = app
            .post(
                ROOT,
                Some(&s.p.owner),
                STATEMENT,
                json!({ "p": s.p.id, "m": m }),
            )
            .await;
        assert_eq!(first_code(&r.body), "BAD_USER_INPUT", "{m}: {}", r.body);
        assert_eq!(first_field(&r.body), "month");
    }
}
