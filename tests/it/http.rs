//! GraphQL over HTTP: content negotiation, status codes, CSRF refusal, limits, health.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;

use crate::support::*;

const Q: &str = "{ tenant { slug } }";

fn post(content_type: Option<&str>, accept: Option<&str>, body: String) -> Request<Body> {
    let mut b = Request::post("/graphql").header("host", ROOT);
    if let Some(c) = content_type {
        b = b.header(header::CONTENT_TYPE, c);
    }
    if let Some(a) = accept {
        b = b.header(header::ACCEPT, a);
    }
    b.body(Body::from(body)).unwrap()
}

fn get(query: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::get(format!("/graphql?query={}", urlencode(query))).header("host", ROOT);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::empty()).unwrap()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn media_types_and_status_codes_follow_graphql_over_http() {
    let app = TestApp::new().await;
    let body = json!({ "query": Q }).to_string();
    let gr = "application/graphql-response+json";

    let r = app
        .send(post(Some("application/json"), Some(gr), body.clone()))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with(gr)
    );
    assert_eq!(r.body["data"]["tenant"]["slug"], "platform");

    let r = app
        .send(post(
            Some("application/json; charset=utf-8"),
            None,
            body.clone(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );

    // A document that does not parse or validate: 400 with the new media type, 200 with JSON.
    for bad in ["{ tenant { slug ", "{ tenant { nope } }"] {
        let b = json!({ "query": bad }).to_string();
        let r = app
            .send(post(Some("application/json"), Some(gr), b.clone()))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(first_code(&r.body), "GRAPHQL_VALIDATION_FAILED");
        // Not executed: no `data` entry at all (not even null).
        assert!(r.body.get("data").is_none(), "{bad}: {}", r.body);
        let r = app
            .send(post(Some("application/json"), Some("application/json"), b))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{bad}");
        assert_eq!(first_code(&r.body), "GRAPHQL_VALIDATION_FAILED");
        assert!(r.body.get("data").is_none(), "{bad}: {}", r.body);
    }
    // A field error during execution is a 200 with both data and errors.
    let r = app
        .send(post(
            Some("application/json"),
            Some(gr),
            json!({ "query": "{ tenant { slug } tenants { totalCount } }" }).to_string(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(first_code(&r.body), "UNAUTHENTICATED");

    let r = app
        .send(post(
            Some("application/json"),
            Some("text/html"),
            body.clone(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(first_code(&r.body), "NOT_ACCEPTABLE");

    let r = app
        .send(post(Some("application/json"), None, "{not json".into()))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(first_code(&r.body), "BAD_REQUEST");
}

#[tokio::test]
async fn requests_a_browser_sends_cross_site_without_preflight_are_refused() {
    let app = TestApp::new().await;
    let body = json!({ "query": Q }).to_string();
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let r = app.send(post(ct, None, body.clone())).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?}");
        assert_eq!(first_code(&r.body), "UNSUPPORTED_MEDIA_TYPE");
    }
    // A plain GET, as an <img> or a link would send it, is refused.
    let r = app.send(get(Q, &[])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(first_code(&r.body), "CSRF_PREVENTED");
    // With a header that forces a preflight it runs.
    let r = app
        .send(get(Q, &[("graphql-require-preflight", "1")]))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["data"]["tenant"]["slug"], "platform");
}

#[tokio::test]
async fn get_runs_queries_only() {
    let app = TestApp::new().await;
    let m = "mutation { logOut(input: {}) { endedSessions } }";
    let r = app
        .send(get(m, &[("graphql-require-preflight", "1")]))
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers[header::ALLOW], "POST");
    assert_eq!(first_code(&r.body), "METHOD_NOT_ALLOWED");
    let named = "query A { tenant { slug } } mutation B { logOut(input: {}) { endedSessions } }";
    let mut req = get(named, &[("graphql-require-preflight", "1")]);
    *req.uri_mut() = format!("{}&operationName=B", req.uri()).parse().unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::METHOD_NOT_ALLOWED);
    let mut req = get(named, &[("graphql-require-preflight", "1")]);
    *req.uri_mut() = format!("{}&operationName=A", req.uri()).parse().unwrap();
    let r = app.send(req).await;
    assert_eq!(r.body["data"]["tenant"]["slug"], "platform");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = TestApp::with_config(|c| c.max_body_bytes = 1024).await;
    let big = json!({ "query": Q, "variables": { "pad": "x".repeat(4096) } }).to_string();
    let r = app.send(post(Some("application/json"), None, big)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(first_code(&r.body), "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn too_deep_queries_are_refused() {
    let app = TestApp::with_config(|c| c.graphql_max_depth = 2).await;
    let deep = "{ tenant { branding { primaryColor } } }";
    let r = app.post(ROOT, None, deep, json!({})).await;
    assert_eq!(first_code(&r.body), "MAX_DEPTH_EXCEEDED");
    app.ok(ROOT, None, "{ tenant { slug } }", json!({})).await;
}

#[tokio::test]
async fn request_ids_are_echoed_and_carried_by_errors() {
    let app = TestApp::new().await;
    let mut req = post(
        Some("application/json"),
        None,
        json!({ "query": "{ nope }" }).to_string(),
    );
    req.headers_mut()
        .insert("x-request-id", "trace-123".parse().unwrap());
    let r = app.send(req).await;
    assert_eq!(r.headers["x-request-id"], "trace-123");
    assert_eq!(r.body["errors"][0]["extensions"]["requestId"], "trace-123");
    // An unsafe id is replaced by a fresh one.
    let mut req = post(
        Some("application/json"),
        None,
        json!({ "query": Q }).to_string(),
    );
    req.headers_mut()
        .insert("x-request-id", "bad id with spaces".parse().unwrap());
    let r = app.send(req).await;
    let id = r.headers["x-request-id"].to_str().unwrap();
    assert_ne!(id, "bad id with spaces");
    assert_eq!(id.len(), 36);
}

#[tokio::test]
async fn health_readiness_jwks_and_graphiql() {
    let app = TestApp::with_config(|c| c.graphiql = Some(true)).await;
    let get_plain = |path: &str, accept: &str| {
        Request::get(path)
            .header("host", "anything.example")
            .header(header::ACCEPT, accept)
            .body(Body::empty())
            .unwrap()
    };
    let r = app.send(get_plain("/healthz", "*/*")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "ok");
    let r = app.send(get_plain("/readyz", "*/*")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "ready");
    let r = app.send(get_plain("/.well-known/jwks.json", "*/*")).await;
    let key = &r.body["keys"][0];
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(key["alg"], "EdDSA");
    assert_eq!(key["kid"], app.state.services.keys.kid());
    assert!(
        key.get("d").is_none(),
        "the private part must never be published"
    );
    let mut page = get_plain("/graphql", "text/html");
    page.headers_mut().insert("host", ROOT.parse().unwrap());
    let r = app.send(page).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.as_str().unwrap().contains("graphiql"));
    let off = TestApp::new().await;
    let mut page = get_plain("/graphql", "text/html");
    page.headers_mut().insert("host", ROOT.parse().unwrap());
    assert_eq!(off.send(page).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn every_error_has_a_code() {
    // `send_to` asserts a code and a request id on every error of every response in every
    // test; this one walks the error paths on purpose.
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let cases: Vec<(Option<&str>, &str, serde_json::Value)> = vec![
        (None, "{ nope }", json!({})),
        (None, "{ tenant { slug ", json!({})),
        (
            None,
            "query($n: Int!) { tenants(first: $n) { totalCount } }",
            json!({ "n": "x" }),
        ),
        (None, "{ tenants { totalCount } }", json!({})),
        (
            Some(staff.as_str()),
            "{ tenants(first: 1000) { totalCount } }",
            json!({}),
        ),
        (
            Some(staff.as_str()),
            "mutation { updateTenant(input: { id: \"bad\" }) { tenant { slug } } }",
            json!({}),
        ),
        (
            None,
            "mutation { signUp(input: { email: \"x\", password: \"y\", displayName: \"z\" }) { accessToken } }",
            json!({}),
        ),
        (
            None,
            "mutation { resetPassword(input: { token: \"x\", newPassword: \"long enough password\" }) { user { id } } }",
            json!({}),
        ),
        (None, "{ node(id: {a: 1}) { id } }", json!({})),
    ];
    for (token, q, vars) in cases {
        let r = app.post(ROOT, token, q, vars).await;
        assert!(
            r.body["errors"].as_array().is_some_and(|e| !e.is_empty()),
            "{q}: {}",
            r.body
        );
    }
}

/// The cabinet and GraphiQL come from the gateway alone: pages with a
/// Content-Security-Policy that allows nothing from another origin, built files revalidated
/// by their hash, and a plain 404 for anything that is neither (docs/cabinet.md).
#[tokio::test]
async fn the_cabinet_and_graphiql_are_served_from_the_gateway_under_a_strict_policy() {
    let app = TestApp::with_config(|c| c.graphiql = Some(true)).await;
    let get = |path: &str, accept: &str| {
        Request::get(path)
            .header("host", ROOT)
            .header(header::ACCEPT, accept)
            .body(Body::empty())
            .unwrap()
    };
    for path in ["/", "/lines", "/reset-password?token=abc"] {
        let r = app.send(get(path, "text/html,*/*")).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert!(
            !csp.contains("unsafe"),
            "the cabinet needs no unsafe source: {csp}"
        );
        assert!(r.body.as_str().unwrap().contains("/assets/cabinet.js"));
    }
    let r = app.send(get("/graphql", "text/html")).await;
    let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self';"), "{csp}");
    let page = r.body.as_str().unwrap();
    assert!(page.contains("/assets/graphiql.js") && !page.contains("https://"));

    let r = app.send(get("/assets/graphiql.js", "*/*")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    let etag = r.headers[header::ETAG].clone();
    let mut again = get("/assets/graphiql.js", "*/*");
    again.headers_mut().insert(header::IF_NONE_MATCH, etag);
    assert_eq!(app.send(again).await.status, StatusCode::NOT_MODIFIED);
    // Pages are only served as pages; unknown files and non-browser requests get a 404.
    for (path, accept) in [
        ("/assets/index.html", "*/*"),
        ("/assets/nothing.js", "*/*"),
        ("/assets/..%2FCargo.toml", "*/*"),
        ("/assets/..%2F..%2Fweb%2Fpackage.json", "*/*"),
        ("/nothing", "application/json"),
    ] {
        assert_eq!(
            app.send(get(path, accept)).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let off = TestApp::with_config(|c| c.cabinet = false).await;
    assert_eq!(
        off.send(get("/", "text/html")).await.status,
        StatusCode::NOT_FOUND
    );
}
