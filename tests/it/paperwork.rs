//! Seed 001 §9's paperwork calendar for `RU_BANK` withdrawals (issue 28), by the
//! injectable clock in the brand's time zone: documents due by the 15th of the month after
//! the request, the act signed within 5 business days after they were sent
//! (`markWithdrawalActSigned`, staff), the payment within 10 business days after that;
//! `overdue` and the staff queue's `overdue` filter follow the clock.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::ledger::{APPROVE, DOCS, PAY_OUT, SAVE_REQ, requisites, withdrawable_reward};
use crate::orders::shop;
use crate::support::*;

const REQUEST: &str =
    "mutation($i: RequestWithdrawalInput!) { requestWithdrawal(input: $i) { withdrawal { id } } }";
const SIGN: &str = "mutation($i: WithdrawalInput!) { markWithdrawalActSigned(input: $i) { withdrawal { actSignedAt } } }";
const QUEUE: &str = "query($o: Boolean) { withdrawals(overdue: $o) { edges { node { number documentsDueAt actSignBy payBy dueAt overdue } } } }";

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// The queue's only withdrawal (or none) with `overdue` as asked.
async fn queue(app: &TestApp, staff: &str, overdue: Option<bool>) -> Vec<Value> {
    app.ok(ROOT, Some(staff), QUEUE, json!({ "o": overdue }))
        .await["withdrawals"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[tokio::test]
async fn a_rouble_withdrawal_follows_the_paperwork_calendar() {
    let app = TestApp::new().await;
    let s = shop(&app, "cal", &[]).await;
    let staff = app.staff_token().await;
    app.ok(
        ROOT,
        Some(&staff),
        "mutation { updateTenant(input: { timezone: \"Europe/Moscow\" }) { tenant { timezone } } }",
        json!({}),
    )
    .await;
    let clock = &app.state.services.clock;
    clock.set(Some(at("2026-11-20T10:00:00Z")));
    withdrawable_reward(&app, &s.p.id, 2_000_000).await;
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
            REQUEST,
            json!({ "i": { "partnerId": s.p.id, "amount": "5000.00" } }),
        )
        .await["requestWithdrawal"]["withdrawal"]["id"]
        .clone();
    let one = json!({ "i": { "withdrawalId": w } });

    // Requested on 20 November: documents due by the end of 15 December, Moscow time.
    let q = queue(&app, &staff, None).await;
    assert_eq!(q[0]["documentsDueAt"], "2026-12-15T20:59:59+00:00");
    assert_eq!(q[0]["dueAt"], q[0]["documentsDueAt"]);
    assert_eq!(q[0]["actSignBy"], Value::Null);
    assert_eq!(q[0]["overdue"], false);
    assert!(queue(&app, &staff, Some(true)).await.is_empty());

    // A day late: overdue, first in staff's overdue queue.
    clock.set(Some(at("2026-12-16T09:00:00Z")));
    let late = queue(&app, &staff, Some(true)).await;
    assert_eq!(late.len(), 1);
    assert_eq!(late[0]["overdue"], true);
    assert!(queue(&app, &staff, Some(false)).await.is_empty());

    // The act cannot be signed before the documents are sent.
    assert_eq!(
        app.err_code(ROOT, Some(&staff), SIGN, one.clone()).await,
        "WRONG_WITHDRAWAL_STATE"
    );
    // Sent on Thursday 17 December: the act is due by Thursday 24 December.
    clock.set(Some(at("2026-12-17T09:00:00Z")));
    app.ok(ROOT, Some(&s.p.owner), DOCS, one.clone()).await;
    let q = queue(&app, &staff, None).await;
    assert_eq!(q[0]["actSignBy"], "2026-12-24T20:59:59+00:00");
    assert_eq!(q[0]["dueAt"], q[0]["actSignBy"]);
    assert_eq!(q[0]["overdue"], false);

    // Only staff sign the act, once. Signed on Friday 18 December: paid by 1 January
    // (10 business days; public holidays are not counted as such).
    assert_eq!(
        app.err_code(ROOT, Some(&s.p.owner), SIGN, one.clone())
            .await,
        "FORBIDDEN"
    );
    clock.set(Some(at("2026-12-18T09:00:00Z")));
    let d = app.ok(ROOT, Some(&staff), SIGN, one.clone()).await;
    assert_eq!(
        d["markWithdrawalActSigned"]["withdrawal"]["actSignedAt"],
        "2026-12-18T09:00:00+00:00"
    );
    assert_eq!(
        app.err_code(ROOT, Some(&staff), SIGN, one.clone()).await,
        "WRONG_WITHDRAWAL_STATE"
    );
    let q = queue(&app, &staff, None).await;
    assert_eq!(q[0]["payBy"], "2027-01-01T20:59:59+00:00");
    assert_eq!(q[0]["dueAt"], q[0]["payBy"]);

    // Approved and paid: nothing is due any more.
    app.ok(ROOT, Some(&staff), APPROVE, one.clone()).await;
    app.ok(ROOT, Some(&staff), PAY_OUT, one.clone()).await;
    clock.set(Some(at("2027-02-01T09:00:00Z")));
    let q = queue(&app, &staff, None).await;
    assert_eq!(q[0]["dueAt"], Value::Null);
    assert_eq!(q[0]["overdue"], false);
    assert!(queue(&app, &staff, Some(true)).await.is_empty());
}
