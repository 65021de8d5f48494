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

/// A root brand counting in Moscow time, its staff, and a GOLD partner with 20,000.00 to
/// withdraw and Russian requisites saved.
async fn moscow_partner(tag: &str) -> (TestApp, crate::orders::Shop, String) {
    let app = TestApp::new().await;
    let s = shop(&app, tag, &[]).await;
    let staff = app.staff_token().await;
    app.ok(
        ROOT,
        Some(&staff),
        "mutation { updateTenant(input: { timezone: \"Europe/Moscow\" }) { tenant { timezone } } }",
        json!({}),
    )
    .await;
    app.state
        .services
        .clock
        .set(Some(at("2026-11-20T10:00:00Z")));
    withdrawable_reward(&app, &s.p.id, 2_000_000).await;
    app.ok(
        ROOT,
        Some(&s.p.owner),
        SAVE_REQ,
        json!({ "i": requisites(&s.p.id) }),
    )
    .await;
    (app, s, staff)
}

/// The partner requests a withdrawal of 5,000.00 at `when`: `{ i: { withdrawalId } }`.
async fn rouble_withdrawal(app: &TestApp, s: &crate::orders::Shop, when: &str) -> Value {
    app.state.services.clock.set(Some(at(when)));
    let w = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            REQUEST,
            json!({ "i": { "partnerId": s.p.id, "amount": "5000.00" } }),
        )
        .await["requestWithdrawal"]["withdrawal"]["id"]
        .clone();
    json!({ "i": { "withdrawalId": w } })
}

#[tokio::test]
async fn a_rouble_withdrawal_follows_the_paperwork_calendar() {
    let (app, s, staff) = moscow_partner("cal").await;
    let clock = &app.state.services.clock;
    let one = rouble_withdrawal(&app, &s, "2026-11-20T10:00:00Z").await;

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

/// Runs the scheduler once: the reminders it emitted.
async fn reminders(app: &TestApp) -> u64 {
    let ran = domain::jobs::run_due(&app.state.services).await.unwrap();
    app.fan_out().await;
    ran.iter()
        .find(|r| r.job == "withdrawals.reminders")
        .map(|r| r.items)
        .unwrap_or(0)
}

/// The bell items of kind `kind` the viewer of `token` has (title, body).
async fn bell(app: &TestApp, token: &str, kind: &str) -> Vec<(String, String)> {
    let d = app
        .ok(
            ROOT,
            Some(token),
            "{ notifications(first: 50) { edges { node { kind title body } } } }",
            json!({}),
        )
        .await;
    d["notifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .filter(|n| n["kind"] == kind)
        .map(|n| {
            (
                n["title"].as_str().unwrap().to_string(),
                n["body"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_partner_is_reminded_before_documents_are_due_and_staff_when_a_step_is_late() {
    let (app, s, staff) = moscow_partner("rem").await;
    let clock = &app.state.services.clock;
    let one = rouble_withdrawal(&app, &s, "2026-11-20T10:00:00Z").await;
    assert_eq!(reminders(&app).await, 0);

    // More than three days before 15 December (end of day, Moscow): nothing yet.
    clock.set(Some(at("2026-12-12T20:00:00Z")));
    assert_eq!(reminders(&app).await, 0);
    // Within three days: the partner is reminded, once however often the job runs.
    clock.set(Some(at("2026-12-12T21:30:00Z")));
    assert_eq!(reminders(&app).await, 1);
    clock.set(Some(at("2026-12-13T21:30:00Z")));
    assert_eq!(reminders(&app).await, 0);
    let due = bell(&app, &s.p.owner, "WITHDRAWAL_DOCUMENTS_DUE").await;
    assert_eq!(due.len(), 1, "{due:?}");
    assert!(
        due[0]
            .0
            .starts_with("Documents for withdrawal 1 are due by"),
        "{due:?}"
    );
    assert!(
        bell(&app, &staff, "WITHDRAWAL_DOCUMENTS_DUE")
            .await
            .is_empty()
    );
    assert!(bell(&app, &staff, "WITHDRAWAL_OVERDUE").await.is_empty());

    // Past the deadline: staff are told, once; the partner is not.
    clock.set(Some(at("2026-12-16T09:00:00Z")));
    assert_eq!(reminders(&app).await, 1);
    clock.set(Some(at("2026-12-16T10:00:00Z")));
    assert_eq!(reminders(&app).await, 0);
    let late = bell(&app, &staff, "WITHDRAWAL_OVERDUE").await;
    assert_eq!(late.len(), 1, "{late:?}");
    assert_eq!(late[0].0, "Withdrawal 1 is overdue: documents not received");
    assert!(
        bell(&app, &s.p.owner, "WITHDRAWAL_OVERDUE")
            .await
            .is_empty()
    );

    // The next step has its own deadline: the act, due 24 December, missed too.
    clock.set(Some(at("2026-12-17T09:00:00Z")));
    app.ok(ROOT, Some(&s.p.owner), DOCS, one.clone()).await;
    assert_eq!(reminders(&app).await, 0);
    clock.set(Some(at("2026-12-25T09:00:00Z")));
    assert_eq!(reminders(&app).await, 1);
    let late = bell(&app, &staff, "WITHDRAWAL_OVERDUE").await;
    assert_eq!(late.len(), 2, "{late:?}");
    assert!(
        late.iter()
            .any(|(t, _)| t == "Withdrawal 1 is overdue: act not signed"),
        "{late:?}"
    );
    // Paid: nothing more is due.
    app.ok(ROOT, Some(&staff), SIGN, one.clone()).await;
    app.ok(ROOT, Some(&staff), APPROVE, one.clone()).await;
    app.ok(ROOT, Some(&staff), PAY_OUT, one.clone()).await;
    clock.set(Some(at("2027-02-01T09:00:00Z")));
    assert_eq!(reminders(&app).await, 0);
}

#[tokio::test]
async fn staffs_queue_by_deadline_puts_what_is_overdue_first_and_pages_in_that_order() {
    let app = TestApp::new().await;
    let s = shop(&app, "que", &[]).await;
    let staff = app.staff_token().await;
    let clock = &app.state.services.clock;
    clock.set(Some(at("2026-09-10T10:00:00Z")));
    withdrawable_reward(&app, &s.p.id, 5_000_000).await;
    app.ok(
        ROOT,
        Some(&s.p.owner),
        SAVE_REQ,
        json!({ "i": requisites(&s.p.id) }),
    )
    .await;
    // Requested in September (paid since), October and November (documents due 15
    // November and 15 December), and again in October (documents due 15 November too).
    let mut ids = Vec::new();
    for when in [
        "2026-09-10T10:00:00Z",
        "2026-11-20T10:00:00Z",
        "2026-10-05T10:00:00Z",
        "2026-10-06T10:00:00Z",
    ] {
        clock.set(Some(at(when)));
        let w = app
            .ok(
                ROOT,
                Some(&s.p.owner),
                REQUEST,
                json!({ "i": { "partnerId": s.p.id, "amount": "5000.00" } }),
            )
            .await["requestWithdrawal"]["withdrawal"]["id"]
            .clone();
        ids.push(w);
    }
    let first = json!({ "i": { "withdrawalId": ids[0] } });
    app.ok(ROOT, Some(&s.p.owner), DOCS, first.clone()).await;
    app.ok(ROOT, Some(&staff), SIGN, first.clone()).await;
    app.ok(ROOT, Some(&staff), APPROVE, first.clone()).await;
    app.ok(ROOT, Some(&staff), PAY_OUT, first.clone()).await;

    // 3 December: the two October ones are overdue (oldest deadline first, then by id),
    // then November's, then the paid one with nothing due.
    clock.set(Some(at("2026-12-03T10:00:00Z")));
    let q = "query($a: String, $b: String, $f: Int, $l: Int) { withdrawals(orderBy: DUE_AT, after: $a, before: $b, first: $f, last: $l) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor startCursor } edges { node { id overdue } } } }";
    let want = vec![
        ids[2].clone(),
        ids[3].clone(),
        ids[1].clone(),
        ids[0].clone(),
    ];
    let d = app.ok(ROOT, Some(&staff), q, json!({})).await;
    let page = &d["withdrawals"];
    assert_eq!(page["totalCount"], 4);
    let got: Vec<Value> = page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].clone())
        .collect();
    assert_eq!(got, want);
    assert_eq!(page["edges"][0]["node"]["overdue"], true);
    assert_eq!(page["edges"][2]["node"]["overdue"], false);
    // One at a time, following the cursors, the same order.
    let mut walked = Vec::new();
    let mut after = Value::Null;
    loop {
        let d = app
            .ok(ROOT, Some(&staff), q, json!({ "a": after, "f": 1 }))
            .await;
        let p = &d["withdrawals"];
        walked.push(p["edges"][0]["node"]["id"].clone());
        if p["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = p["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(walked, want);
    // Backwards from the end, and before a cursor.
    let d = app.ok(ROOT, Some(&staff), q, json!({ "l": 2 })).await;
    let tail: Vec<Value> = d["withdrawals"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].clone())
        .collect();
    assert_eq!(tail, want[2..].to_vec());
    assert_eq!(d["withdrawals"]["pageInfo"]["hasPreviousPage"], true);
    let before = d["withdrawals"]["pageInfo"]["startCursor"].clone();
    let d = app
        .ok(ROOT, Some(&staff), q, json!({ "b": before, "l": 5 }))
        .await;
    let head: Vec<Value> = d["withdrawals"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].clone())
        .collect();
    assert_eq!(head, want[..2].to_vec());
    // The default order is still the oldest first; the partner may not read the queue.
    let d = app
        .ok(
            ROOT,
            Some(&staff),
            "{ withdrawals { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["withdrawals"]["edges"][0]["node"]["id"], ids[0]);
    assert_eq!(
        app.err_code(ROOT, Some(&s.p.owner), q, json!({})).await,
        "FORBIDDEN"
    );
}
