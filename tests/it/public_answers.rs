//! Remembered answers to public documents (`schema::public`, `src/http/public_answers.rs`):
//! a signed-out request for the brand's public fields is answered from the answer the same
//! document got on the same brand, until the brand changes; nothing else is remembered.

use axum::body::Body;
use axum::http::{Request, header};
use serde_json::{Value, json};

use crate::support::*;

const BRAND_Q: &str =
    "query Brand { tenant { slug displayName branding { primaryColor logoUrl } } }";

/// `graphql_public_answers_total{result}` as `(hits, misses)`.
async fn counts(app: &TestApp) -> (u64, u64) {
    let text = app.scrape_metrics().await;
    let read = |result: &str| {
        let prefix = format!("graphql_public_answers_total{{result=\"{result}\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .map_or(0, |v| v.trim().parse().unwrap())
    };
    (read("hit"), read("miss"))
}

#[tokio::test]
async fn public_answers_are_remembered_per_brand_until_the_brand_changes() {
    let app = TestApp::new().await;
    let (_, acme) = app.tenant("acme").await;
    let admin = app.tenant_admin_token("acme", &acme).await;
    let base = counts(&app).await;

    // The first request validates the document, the second runs it on the vetted schema
    // and remembers the answer, the third is answered from it.
    let mut answers = Vec::new();
    for _ in 0..3 {
        answers.push(app.post(&acme, None, BRAND_Q, json!({})).await.body);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[1], answers[2]);
    assert_eq!(answers[2]["data"]["tenant"]["slug"], "acme");
    assert_eq!(answers[2]["extensions"]["cost"]["maximum"], 5000);
    assert_eq!(counts(&app).await, (base.0 + 1, base.1 + 1));

    // The same document on another brand is that brand's answer (validated already, so
    // remembered on the first request there).
    for _ in 0..3 {
        let root = app.ok(ROOT, None, BRAND_Q, json!({})).await;
        assert_ne!(root["tenant"]["slug"], "acme");
    }
    assert_eq!(counts(&app).await, (base.0 + 3, base.1 + 2));

    // A change of the brand is answered on the very next request, then remembered again.
    app.ok(
        &acme,
        Some(&admin),
        "mutation { updateTenant(input: { displayName: \"Acme Chat\", primaryColor: \"#112233\" }) { tenant { slug } } }",
        json!({}),
    )
    .await;
    let after = app.ok(&acme, None, BRAND_Q, json!({})).await;
    assert_eq!(after["tenant"]["displayName"], "Acme Chat");
    assert_eq!(after["tenant"]["branding"]["primaryColor"], "#112233");
    let again = app.ok(&acme, None, BRAND_Q, json!({})).await;
    assert_eq!(again, after);
    assert_eq!(counts(&app).await, (base.0 + 4, base.1 + 3));
}

#[tokio::test]
async fn signed_in_and_non_public_requests_are_never_remembered() {
    let app = TestApp::new().await;
    let (_, acme) = app.tenant("acme").await;
    let admin = app.tenant_admin_token("acme", &acme).await;
    let base = counts(&app).await;

    // Signed in: the viewer may see more than the public, so it always runs.
    for _ in 0..3 {
        let d = app.ok(&acme, Some(&admin), BRAND_Q, json!({})).await;
        assert_eq!(d["tenant"]["slug"], "acme");
    }
    // A public field beside one that is not, a field only admins see, variables.
    let mixed = "{ tenant { slug } viewer { email } }";
    let domains = "{ tenant { slug domains { host } } }";
    let with_vars = "query($s: Boolean!) { tenant { slug @include(if: $s) } }";
    for _ in 0..3 {
        let d = app.ok(&acme, None, mixed, json!({})).await;
        assert!(d["viewer"].is_null());
        let r = app.post(&acme, None, domains, json!({})).await;
        assert_eq!(first_code(&r.body), "UNAUTHENTICATED", "{}", r.body);
        let d = app.ok(&acme, None, with_vars, json!({ "s": true })).await;
        assert_eq!(d["tenant"]["slug"], "acme");
    }
    // The signed-in viewer still sees what only admins see, on a document that asks.
    let d = app.ok(&acme, Some(&admin), domains, json!({})).await;
    assert!(!d["tenant"]["domains"].as_array().unwrap().is_empty());
    assert_eq!(counts(&app).await, base);
}

#[tokio::test]
async fn remembered_answers_serve_batches_and_can_be_turned_off() {
    let app = TestApp::with_config(|c| c.graphql_max_batch = 3).await;
    let base = counts(&app).await;
    let batch = json!([
        { "query": BRAND_Q },
        { "query": BRAND_Q },
        { "query": "{ __typename }" },
    ])
    .to_string();
    let send = || {
        app.send(
            Request::post("/graphql")
                .header("host", ROOT)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(batch.clone()))
                .unwrap(),
        )
    };
    let first = send().await.body;
    let second = send().await.body;
    assert_eq!(first, second);
    let items = second.as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0], items[1]);
    assert!(items[0]["data"]["tenant"]["slug"].is_string());
    assert_eq!(items[2]["data"], json!({ "__typename": "QueryRoot" }));
    // The first batch validated the document and then remembered its answer; the second
    // was answered from it twice. `{ __typename }` is public too (it names no brand data
    // at all): validated in the first batch, remembered in the second.
    assert_eq!(counts(&app).await, (base.0 + 2, base.1 + 2));

    let off = TestApp::with_config(|c| c.public_answer_cache_size = 0).await;
    let base = counts(&off).await;
    let mut answers: Vec<Value> = Vec::new();
    for _ in 0..3 {
        answers.push(off.ok(ROOT, None, BRAND_Q, json!({})).await);
    }
    assert_eq!(answers[0], answers[2]);
    assert_eq!(counts(&off).await, base);
}

#[tokio::test]
async fn another_instance_answers_a_brand_change_on_its_next_request() {
    let app = TestApp::new().await;
    let (_, acme) = app.tenant("acme").await;
    let admin = app.tenant_admin_token("acme", &acme).await;
    // On PostgreSQL the change arrives by NOTIFY, on SQLite by the periodic reload.
    let other = app.second_instance_following_tenants().await;
    let router = partner_gateway::app(other);
    let ask = || {
        send_to(
            &router,
            Request::post("/graphql")
                .header("host", acme.as_str())
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({ "query": BRAND_Q }).to_string()))
                .unwrap(),
        )
    };
    // Remembered on the other instance.
    let base = counts(&app).await;
    for _ in 0..3 {
        assert_eq!(
            ask().await.body["data"]["tenant"]["displayName"],
            "acme brand"
        );
    }
    assert_eq!(counts(&app).await, (base.0 + 1, base.1 + 1));

    app.ok(
        &acme,
        Some(&admin),
        "mutation { updateTenant(input: { displayName: \"Acme Chat\" }) { tenant { slug } } }",
        json!({}),
    )
    .await;
    let mut seen = false;
    for _ in 0..100 {
        if ask().await.body["data"]["tenant"]["displayName"] == "Acme Chat" {
            seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(seen, "the other instance kept answering the old brand");
}
