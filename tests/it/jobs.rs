//! The scheduler: the NFR line granted once, renewed when the partner's clients paid and
//! ended otherwise; unpaid orders expired and rewards announced once; two instances
//! running a due job once; `run-jobs --once`. Time moves by the injectable clock.

use chrono::{Duration, Months};
use entities::{domain_event, line, partner, scheduled_job};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::ledger::client_paid_order;
use crate::orders::{CREATE, events, shop};
use crate::support::*;

async fn run(app: &TestApp) -> Vec<domain::jobs::Ran> {
    domain::jobs::run_due(&app.state.services).await.unwrap()
}

fn items(ran: &[domain::jobs::Ran], job: &str) -> u64 {
    ran.iter()
        .find(|r| r.job == job)
        .map(|r| r.items)
        .unwrap_or(0)
}

async fn nfr_lines(app: &TestApp) -> Vec<line::Model> {
    line::Entity::find()
        .filter(line::Column::Nfr.eq(true))
        .all(app.db())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_nfr_line_is_granted_once_renewed_when_clients_paid_and_ended_otherwise() {
    let app = TestApp::new().await;
    let s = shop(&app, "nfr", &[]).await;
    let client = app
        .set_password_via_link(ROOT, "anna.nfr@client.example")
        .await;
    let staff = app.staff_token().await;
    let granted_at = app.state.services.clock.now();
    let ran = run(&app).await;
    assert_eq!(items(&ran, "nfr.grant"), 1);
    let lines = nfr_lines(&app).await;
    assert_eq!(lines.len(), 1);
    let l = lines[0].clone();
    assert_eq!(
        l.expires_at,
        granted_at.checked_add_months(Months::new(2)).unwrap()
    );
    let p = partner::Entity::find_by_id(raw(&s.p.id))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.nfr_line_id, Some(l.id));
    assert_eq!(l.organization_id, raw(&s.p.org));
    // Every active channel kind of the tenant.
    let channels = entities::line_channel::Entity::find()
        .filter(entities::line_channel::Column::LineId.eq(l.id))
        .count(app.db())
        .await
        .unwrap();
    assert_eq!(channels, 2);
    // The partner renames it like any line of its organization.
    let d = app
        .ok(ROOT, Some(&s.p.owner), "mutation($i: RenameLineInput!) { renameLine(input: $i) { line { name nfr } } }", json!({ "i": { "lineId": resolvers::ids::encode(resolvers::ids::Kind::Line, l.id).0, "name": "Our demo line" } }))
        .await;
    assert_eq!(
        d["renameLine"]["line"],
        json!({ "name": "Our demo line", "nfr": true })
    );

    // Once: another run, or a tier change, adds nothing.
    app.clock_advance(Duration::minutes(2));
    app.ok(
        ROOT,
        Some(&staff),
        "mutation($i: SetPartnerTierInput!) { setPartnerTier(input: $i) { partner { tier } } }",
        json!({ "i": { "partnerId": s.p.id, "tier": "OFFICIAL" } }),
    )
    .await;
    run(&app).await;
    assert_eq!(nfr_lines(&app).await.len(), 1);

    // A client paid within the 2 months: at expiry it renews for 2 more, from its expiry.
    client_paid_order(&app, &s, &client, &staff).await;
    app.clock_advance(Duration::days(62));
    let ran = run(&app).await;
    assert_eq!(items(&ran, "nfr.renew"), 1);
    let renewed = nfr_lines(&app).await[0].clone();
    assert_eq!(
        renewed.expires_at,
        l.expires_at.checked_add_months(Months::new(2)).unwrap()
    );
    assert!(renewed.ended_at.is_none());
    assert_eq!(events(&app, "line.nfr_renewed").await, 1);
    app.clock_advance(Duration::minutes(11));
    run(&app).await;
    assert_eq!(nfr_lines(&app).await[0].expires_at, renewed.expires_at);

    // Nothing paid in the 2 months before the next expiry: it ends, and stays ended.
    app.clock_advance(Duration::days(62));
    let ran = run(&app).await;
    assert_eq!(items(&ran, "nfr.renew"), 1);
    let ended = nfr_lines(&app).await[0].clone();
    assert_eq!(ended.expires_at, renewed.expires_at);
    assert!(ended.ended_at.is_some());
    assert_eq!(events(&app, "line.nfr_ended").await, 1);
    client_paid_order(&app, &s, &client, &staff).await;
    app.clock_advance(Duration::minutes(11));
    let ran = run(&app).await;
    assert_eq!(items(&ran, "nfr.renew"), 0);
    assert_eq!(nfr_lines(&app).await[0].expires_at, renewed.expires_at);
    assert_eq!(events(&app, "line.nfr_granted").await, 1);
}

#[tokio::test]
async fn unpaid_orders_expire_and_rewards_are_announced_once() {
    let app = TestApp::new().await;
    let s = shop(&app, "exp", &[]).await;
    let client = app
        .set_password_via_link(ROOT, "anna.exp@client.example")
        .await;
    let staff = app.staff_token().await;
    let o = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            CREATE,
            json!({ "i": { "order": s.spec_example("PARTNER") } }),
        )
        .await["createOrder"]["order"]
        .clone();
    client_paid_order(&app, &s, &client, &staff).await;
    run(&app).await;
    app.clock_advance(Duration::hours(73));
    let ran = run(&app).await;
    assert_eq!(items(&ran, "orders.expire"), 1);
    let stored = entities::order::Entity::find_by_id(raw(o["id"].as_str().unwrap()))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, entities::order::OrderStatus::Expired);
    assert_eq!(events(&app, "order.expired").await, 1);
    // The reward's 14 days end: announced once, however often the job runs.
    assert_eq!(events(&app, "reward.available").await, 0);
    for _ in 0..3 {
        app.clock_advance(Duration::days(6));
        run(&app).await;
    }
    assert_eq!(events(&app, "reward.available").await, 1);
    assert_eq!(events(&app, "order.expired").await, 1);
}

/// Two instances on one database run each due job once (PostgreSQL claims the job's row
/// with `FOR UPDATE SKIP LOCKED`; SQLite's write lock orders them).
#[tokio::test]
async fn two_instances_run_a_due_job_once() {
    let app = TestApp::new().await;
    let s = shop(&app, "two", &[]).await;
    let other = app.second_instance().await;
    other
        .services
        .clock
        .set(Some(app.state.services.clock.now()));
    for round in 0..5 {
        let a = app.state.services.clone();
        let b = other.services.clone();
        let (x, y) = tokio::join!(
            tokio::spawn(async move { domain::jobs::run_due(&a).await.unwrap() }),
            tokio::spawn(async move { domain::jobs::run_due(&b).await.unwrap() }),
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        let grants = x.iter().chain(&y).filter(|r| r.job == "nfr.grant").count();
        assert_eq!(grants, 1, "round {round}: {x:?} {y:?}");
        app.clock_advance(Duration::minutes(2));
        other.services.clock.advance(Duration::minutes(2));
    }
    let job = scheduled_job::Entity::find_by_id("nfr.grant".to_string())
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.runs, 5);
    assert_eq!(nfr_lines(&app).await.len(), 1);
    let _ = s;
    assert_eq!(
        domain_event::Entity::find()
            .filter(domain_event::Column::Kind.eq("line.nfr_granted"))
            .count(app.db())
            .await
            .unwrap(),
        1
    );
}
