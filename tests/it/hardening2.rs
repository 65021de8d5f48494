//! The defects of issue 25 (hardening II) that have no better home: each test failed
//! before its fix.

use serde_json::json;

use crate::support::*;

const UPDATE_PROGRAM: &str = "mutation($i: UpdateTenantInput!) { updateTenant(input: $i) { tenant { partnerProgram { officialDiscount } } } }";

#[tokio::test]
async fn partner_program_percentages_are_checked_before_any_arithmetic() {
    let app = TestApp::new().await;
    let (_, host) = app.tenant("pct").await;
    let admin = app.tenant_admin_token("pct", &host).await;
    // The largest decimal there is: refused on its field, and the connection answers.
    for bad in [
        json!("79228162514264337593543950335"),
        json!("-79228162514264337593543950335"),
        json!("100.01"),
        json!("12.345"),
    ] {
        let r = app
            .post(
                &host,
                Some(&admin),
                UPDATE_PROGRAM,
                json!({ "i": { "partnerProgram": { "officialDiscount": bad } } }),
            )
            .await;
        assert_eq!(first_code(&r.body), "BAD_USER_INPUT", "{bad}: {}", r.body);
        assert_eq!(
            first_field(&r.body),
            "partnerProgram.officialDiscount",
            "{bad}"
        );
    }
    // A JSON float has been through binary floating point: refused like Money.
    let r = app
        .post(
            &host,
            Some(&admin),
            UPDATE_PROGRAM,
            json!({ "i": { "partnerProgram": { "officialDiscount": 12.5 } } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "BAD_USER_INPUT", "{}", r.body);
    // Nothing changed; a good value, as a string or an integer, goes through.
    let d = app
        .ok(
            &host,
            Some(&admin),
            UPDATE_PROGRAM,
            json!({ "i": { "partnerProgram": { "officialDiscount": "12.5" } } }),
        )
        .await;
    assert_eq!(
        d["updateTenant"]["tenant"]["partnerProgram"]["officialDiscount"],
        "12.50"
    );
    let d = app
        .ok(
            &host,
            Some(&admin),
            UPDATE_PROGRAM,
            json!({ "i": { "partnerProgram": { "officialDiscount": 15 } } }),
        )
        .await;
    assert_eq!(
        d["updateTenant"]["tenant"]["partnerProgram"]["officialDiscount"],
        "15.00"
    );
}

#[tokio::test]
async fn a_brands_currency_is_fixed_once_money_exists() {
    let app = TestApp::new().await;
    let currency =
        "mutation($c: String!) { updateTenant(input: { currency: $c }) { tenant { currency } } }";
    let (_, host) = app.tenant("cur").await;
    let admin = app.tenant_admin_token("cur", &host).await;
    // Before any money, the currency may change.
    let d = app
        .ok(&host, Some(&admin), currency, json!({ "c": "EUR" }))
        .await;
    assert_eq!(d["updateTenant"]["tenant"]["currency"], "EUR");
    // The root brand's shop has an order: its currency is locked, unless unchanged.
    let s = crate::orders::shop(&app, "cur", &[]).await;
    let staff = app.staff_token().await;
    app.ok(
        ROOT,
        Some(&s.p.owner),
        crate::orders::CREATE,
        json!({ "i": { "order": s.spec_example("PARTNER") } }),
    )
    .await;
    let r = app
        .post(ROOT, Some(&staff), currency, json!({ "c": "EUR" }))
        .await;
    assert_eq!(first_code(&r.body), "CURRENCY_LOCKED", "{}", r.body);
    assert_eq!(first_field(&r.body), "currency");
    let d = app
        .ok(ROOT, Some(&staff), currency, json!({ "c": "RUB" }))
        .await;
    assert_eq!(d["updateTenant"]["tenant"]["currency"], "RUB");
}

async fn run_sql(c: &mut sea_orm::sqlx::PgConnection, sql: String) {
    use sea_orm::sqlx::Executor;
    c.execute(sea_orm::sqlx::AssertSqlSafe(sql)).await.unwrap();
}

/// PostgreSQL only (SQLite is a file of this process, it does not go away): the pool's
/// connections are killed while a request waits on the database, then the database
/// refuses connections for a while. Clients are told to retry (`SERVICE_UNAVAILABLE`,
/// 503, `Retry-After`), never `INTERNAL`; `/readyz` follows; the service recovers alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_database_answers_service_unavailable_and_the_service_recovers() {
    use sea_orm::sqlx::{Connection, Executor, PgConnection};
    let app = TestApp::new().await;
    let Some((admin, name)) = app.postgres_admin() else {
        return;
    };
    let (ann, _, ann_id) = app.sign_up(ROOT, "ann.outage@example.com").await;
    let rename =
        "mutation { updateAccount(input: { displayName: \"Ann\" }) { user { displayName } } }";
    // A request mid-flight: it waits for a row another connection holds.
    let mut holder = PgConnection::connect(&app.database_url()).await.unwrap();
    holder.execute("BEGIN").await.unwrap();
    run_sql(
        &mut holder,
        format!(
            "UPDATE users SET display_name = display_name WHERE id = {}",
            raw(&ann_id)
        ),
    )
    .await;
    let waiting = app.spawn_post(ROOT, Some(&ann), rename, json!({}));
    // Watched from a connection of its own: inside the holder's open transaction
    // pg_stat_activity is a snapshot taken at its first read, so a request that blocks
    // after that read would never be seen (the cause of this test's rare failures).
    let mut watcher = PgConnection::connect(&app.database_url()).await.unwrap();
    // Up to 30 s: on a loaded machine (two cores, a build beside the tests) the request can
    // take seconds to reach the row; it breaks out as soon as it does.
    let mut blocked = false;
    for _ in 0..1200 {
        let n: (i64,) = sea_orm::sqlx::query_as(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(&mut watcher)
        .await
        .unwrap();
        if n.0 > 0 {
            blocked = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(
        blocked,
        "the request waits on the held row (it had {}finished)",
        if waiting.is_finished() { "" } else { "not " }
    );
    // Every connection of the pool is killed (as a restart or a failover does).
    holder
        .execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        .await
        .unwrap();
    let r = waiting.await.unwrap();
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(first_code(&r.body), "SERVICE_UNAVAILABLE", "{}", r.body);
    assert_eq!(r.headers["retry-after"], "2");
    assert_eq!(
        r.body["errors"][0]["message"],
        "the service is briefly unavailable: try again shortly"
    );
    holder.execute("ROLLBACK").await.unwrap();
    holder.close().await.unwrap();
    // The next request gets a fresh connection: recovered without a restart.
    let d = app.ok(ROOT, Some(&ann), rename, json!({})).await;
    assert_eq!(d["updateAccount"]["user"]["displayName"], "Ann");

    // The database refuses connections (down): requests and readiness say so.
    let mut admin_conn = PgConnection::connect(&admin).await.unwrap();
    run_sql(
        &mut admin_conn,
        format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"),
    )
    .await;
    run_sql(
        &mut admin_conn,
        format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"),
    )
    .await;
    assert_eq!(get_status(&app, "/readyz").await, 503);
    // The TLS ask of a host the brand serves cannot be answered: 503, never a yes.
    assert_eq!(get_status(&app, "/tls/ask?domain=localhost").await, 503);
    for token in [Some(ann.as_str()), None] {
        let r = app
            .post(
                ROOT,
                token,
                "{ viewer { email } tenant { slug } }",
                json!({}),
            )
            .await;
        // Signed in, the session cannot be checked; signed out, the viewer cannot be read
        // — or the brand's public fields still answer from memory.
        if r.status == 503 {
            assert_eq!(first_code(&r.body), "SERVICE_UNAVAILABLE", "{}", r.body);
            assert_eq!(r.headers["retry-after"], "2");
        } else {
            assert_eq!(r.status, 200, "{}", r.body);
            assert!(r.body["errors"].is_null(), "{}", r.body);
        }
    }
    let r = app
        .post(ROOT, Some(&ann), "{ viewer { email } }", json!({}))
        .await;
    assert_eq!(r.status, 503, "{}", r.body);
    // Back up: ready again, and requests answer, with nothing restarted.
    run_sql(
        &mut admin_conn,
        format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true"),
    )
    .await;
    assert_eq!(get_status(&app, "/readyz").await, 200);
    let d = app
        .ok(ROOT, Some(&ann), "{ viewer { email } }", json!({}))
        .await;
    assert_eq!(d["viewer"]["email"], "ann.outage@example.com");
    assert_eq!(get_status(&app, "/tls/ask?domain=localhost").await, 200);
}

/// The status of `GET path` through the router.
async fn get_status(app: &TestApp, path: &str) -> u16 {
    let req = axum::http::Request::get(path)
        .body(axum::body::Body::empty())
        .unwrap();
    app.send(req).await.status.as_u16()
}
