//! Operations (issue 12): `/metrics` in Prometheus format.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;

use crate::support::*;

fn scrape(token: Option<&str>) -> Request<Body> {
    let mut b = Request::get("/metrics").header("host", "anything.example");
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::empty()).unwrap()
}

/// The value of the series whose line starts with `series` (name and labels).
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
}

#[tokio::test]
async fn metrics_scrape_requests_latency_pool_outbox_and_refusals() {
    let app = TestApp::with_config(|c| {
        c.rate_limit_guarded_per_account = 1;
        c.trusted_proxies = "127.0.0.1".into();
    })
    .await;
    app.sign_up(ROOT, "ann@example.com").await;
    for _ in 0..3 {
        app.ok(ROOT, None, "query Slug { tenant { slug } }", json!({}))
            .await;
    }
    app.post(ROOT, None, "query Broken { nope }", json!({}))
        .await;
    // Two password resets for Ann: one email queued, one refused by the account limit.
    let reset = "mutation Reset { requestPasswordReset(input: { email: \"ann@example.com\" }) { accepted } }";
    app.ok(ROOT, None, reset, json!({})).await;
    let r = app.post(ROOT, None, reset, json!({})).await;
    assert_eq!(first_code(&r.body), "RATE_LIMITED");

    let r = app.send(scrape(None)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = r.body.as_str().unwrap().to_string();
    assert!(
        value(
            &text,
            r#"graphql_requests_total{operation="Slug",outcome="ok"}"#
        ) >= 3.0
    );
    assert!(
        value(
            &text,
            r#"graphql_requests_total{operation="Broken",outcome="GRAPHQL_VALIDATION_FAILED"}"#
        ) >= 1.0
    );
    assert!(
        value(
            &text,
            r#"graphql_requests_total{operation="Reset",outcome="RATE_LIMITED"}"#
        ) >= 1.0
    );
    assert!(
        value(
            &text,
            r#"graphql_request_duration_seconds_bucket{operation="Slug",le="+Inf"}"#
        ) >= 3.0
    );
    assert!(
        value(
            &text,
            r#"graphql_request_duration_seconds_count{operation="Slug"}"#
        ) >= 3.0
    );
    assert!(
        value(
            &text,
            r#"rate_limit_refusals_total{limit="requestPasswordReset",scope="account"}"#
        ) >= 1.0
    );
    assert!(value(&text, "db_pool_max_connections") >= 1.0);
    assert!(value(&text, r#"db_pool_connections{state="idle"}"#) >= 0.0);
    assert!(value(&text, r#"db_pool_connections{state="in_use"}"#) >= 0.0);
    // The reset email waits in the outbox (no worker runs in tests).
    assert!(value(&text, r#"outbox_messages{status="pending"}"#) >= 1.0);
    assert_eq!(value(&text, r#"outbox_messages{status="failed"}"#), 0.0);
    // The account that was refused is counted in the database, shared by every instance.
    assert!(value(&text, "rate_limit_buckets") >= 1.0);
    assert!(value(&text, "rate_limit_keys") >= 0.0);
    assert!(text.contains("# HELP graphql_requests_total"));
}

#[tokio::test]
async fn metrics_can_ask_for_a_token() {
    let app =
        TestApp::with_config(|c| c.metrics_token = Some("scrape-secret".parse().unwrap())).await;
    let r = app.send(scrape(None)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(first_code(&r.body), "UNAUTHENTICATED");
    assert_eq!(
        app.send(scrape(Some("wrong"))).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app.send(scrape(Some("scrape-secret"))).await;
    assert_eq!(r.status, StatusCode::OK);
}
