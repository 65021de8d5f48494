//! Request limits (issue 12): introspection only in development with graphql-js's own
//! introspection query working, page-size-aware cost, depth, aliases, tokens, directives,
//! JSON batches, automatic persisted queries.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use schema::armor::Vetted;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::support::*;

/// graphql-js 16.15 `getIntrospectionQuery()`, byte for byte (what Apollo, Relay and
/// graphql-codegen send).
const INTROSPECTION: &str = include_str!("fixtures/introspection-graphql-js-16.graphql");
/// The same with every option on (what GraphiQL 3 sends, and more).
const INTROSPECTION_ALL: &str =
    include_str!("fixtures/introspection-graphql-js-16-all-options.graphql");

async fn development() -> TestApp {
    TestApp::with_config(|c| c.app_env = "development".into()).await
}

fn raw(body: String, accept: &str) -> Request<Body> {
    Request::post("/graphql")
        .header("host", ROOT)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, accept)
        .body(Body::from(body))
        .unwrap()
}

fn type_names(data: &Value) -> Vec<String> {
    data["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn graphql_js_introspection_query_works_in_development() {
    let app = development().await;
    for doc in [INTROSPECTION, INTROSPECTION_ALL] {
        let data = app.ok(ROOT, None, doc, json!({})).await;
        assert_eq!(data["__schema"]["queryType"]["name"], "QueryRoot");
        assert_eq!(data["__schema"]["mutationType"]["name"], "MutationRoot");
        assert_eq!(
            data["__schema"]["subscriptionType"]["name"],
            "SubscriptionRoot"
        );
        let names = type_names(&data);
        for t in ["Tenant", "Partner", "Lead", "PageInfo", "__Schema"] {
            assert!(names.iter().any(|n| n == t), "{t} missing from {names:?}");
        }
        // Field types come with their wrappers (the TypeRef fragment's ofType chain).
        let tenant = data["__schema"]["types"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "QueryRoot")
            .unwrap();
        let field = tenant["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "tenant")
            .unwrap();
        assert_eq!(field["type"]["kind"], "NON_NULL");
        assert_eq!(field["type"]["ofType"]["name"], "Tenant");
    }
    // The circular abuse the guard is for is still refused.
    let r = app
        .post(
            ROOT,
            None,
            "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(first_code(&r.body), "INTROSPECTION_TOO_DEEP");
    // Introspection is exempt from the depth limit: a deep `ofType` chain is fine.
    let deep = format!(
        "{{ __type(name: \"Tenant\") {{ fields {{ type {{ {} name {} }} }} }} }}",
        "ofType { ".repeat(14),
        "} ".repeat(14)
    );
    let data = app.ok(ROOT, None, &deep, json!({})).await;
    assert!(data["__type"]["fields"].as_array().is_some());
}

#[tokio::test]
async fn introspection_and_graphiql_are_off_outside_development() {
    let page = || {
        Request::get("/graphql")
            .header("host", ROOT)
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .unwrap()
    };
    let prod = TestApp::new().await;
    let r = prod.post(ROOT, None, INTROSPECTION, json!({})).await;
    assert!(r.body["data"].is_null(), "{}", r.body);
    assert_eq!(first_code(&r.body), "INTROSPECTION_DISABLED");
    assert_eq!(prod.send(page()).await.status, StatusCode::BAD_REQUEST);
    // `__typename` is not introspection: clients rely on it everywhere.
    let data = prod.ok(ROOT, None, "{ __typename }", json!({})).await;
    assert_eq!(data["__typename"], "QueryRoot");

    let dev = development().await;
    let r = dev.send(page()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.as_str().unwrap().contains("graphiql"));

    // Each can be switched on its own.
    let only_introspection = TestApp::with_config(|c| c.introspection = Some(true)).await;
    only_introspection
        .ok(ROOT, None, INTROSPECTION, json!({}))
        .await;
    assert_eq!(
        only_introspection.send(page()).await.status,
        StatusCode::BAD_REQUEST
    );
}

fn nested_lists(outer: u32, inner: u32) -> String {
    format!(
        "{{ partners(first: {outer}) {{ edges {{ node {{ id clients(first: {inner}) {{ edges {{ node {{ id }} }} }} }} }} }} }}"
    )
}

#[tokio::test]
async fn cost_counts_page_sizes() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    // 1 under 1 is cheap and runs.
    let r = app
        .post(ROOT, Some(&staff), &nested_lists(1, 1), json!({}))
        .await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    let small = r.body["extensions"]["cost"]["requested"].as_u64().unwrap();
    assert_eq!(r.body["extensions"]["cost"]["maximum"], 5000);
    // 100 under 100 asks for 10,000 nodes: refused before anything runs, Shopify-style.
    let r = app
        .send(raw(
            json!({ "query": nested_lists(100, 100) }).to_string(),
            "application/graphql-response+json",
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(first_code(&r.body), "MAX_COST_EXCEEDED");
    let cost = &r.body["errors"][0]["extensions"]["cost"];
    assert_eq!(cost["maximum"], 5000);
    let big = cost["requested"].as_u64().unwrap();
    assert!(big > 5000 && big > 100 * small, "{big} vs {small}");
    assert!(r.body["data"].is_null());
    // Page sizes given as variables count the same, and the default page size counts
    // when none is given.
    let q = "query($n: Int) { partners(first: $n) { edges { node { clients(first: $n) { edges { node { id } } } } } } }";
    let r = app.post(ROOT, Some(&staff), q, json!({ "n": 100 })).await;
    assert_eq!(first_code(&r.body), "MAX_COST_EXCEEDED");
    let r = app.post(ROOT, Some(&staff), q, json!({ "n": 10 })).await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    let r = app
        .post(
            ROOT,
            Some(&staff),
            "{ partners { edges { node { clients { edges { node { id } } } } } } }",
            json!({}),
        )
        .await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    assert_eq!(
        r.body["extensions"]["cost"]["requested"].as_u64().unwrap(),
        // partners: one statement and 50 items; clients under each of the 50: one
        // statement and 50 items each (see docs/api-limits.md).
        (1 + 50) + 50 * (1 + 50),
        "{}",
        r.body
    );
    // The limit is configurable.
    let tight = TestApp::with_config(|c| c.graphql_max_cost = 10).await;
    let r = tight
        .post(ROOT, None, &nested_lists(1, 10), json!({}))
        .await;
    assert_eq!(first_code(&r.body), "MAX_COST_EXCEEDED");
    assert_eq!(r.body["errors"][0]["extensions"]["cost"]["maximum"], 10);
}

#[tokio::test]
async fn depth_aliases_tokens_and_directives_are_limited() {
    let app = TestApp::new().await;
    let deep = format!("{}{}", "{ tenant ".repeat(13), "}".repeat(13));
    let r = app.post(ROOT, None, &deep, json!({})).await;
    assert_eq!(first_code(&r.body), "MAX_DEPTH_EXCEEDED");

    let aliases = |n: usize| -> String {
        let fields: String = (0..n)
            .map(|i| format!("t{i}: tenant {{ slug }} "))
            .collect();
        format!("{{ {fields} }}")
    };
    let data = app.ok(ROOT, None, &aliases(15), json!({})).await;
    assert_eq!(data["t14"]["slug"], "platform");
    let r = app.post(ROOT, None, &aliases(16), json!({})).await;
    assert_eq!(first_code(&r.body), "MAX_ALIASES_EXCEEDED");

    let directives = "@include(if: true) ".repeat(51);
    let r = app
        .post(
            ROOT,
            None,
            &format!("{{ tenant {directives} {{ slug }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(first_code(&r.body), "MAX_DIRECTIVES_EXCEEDED");

    let tight = TestApp::with_config(|c| c.graphql_max_tokens = 10).await;
    tight.ok(ROOT, None, "{ tenant { slug } }", json!({})).await;
    let r = tight
        .post(
            ROOT,
            None,
            "{ tenant { slug name } tenant { slug } }",
            json!({}),
        )
        .await;
    assert_eq!(first_code(&r.body), "MAX_TOKENS_EXCEEDED");
    // A refusal is a request error: 400 for graphql-response+json.
    let r = tight
        .send(raw(
            json!({ "query": "{ tenant { slug name } tenant { slug } }" }).to_string(),
            "application/graphql-response+json",
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn batches_are_refused_unless_enabled() {
    let two =
        json!([{ "query": "{ tenant { slug } }" }, { "query": "{ __typename }" }]).to_string();
    let app = TestApp::new().await;
    let r = app.send(raw(two.clone(), "application/json")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(first_code(&r.body), "BATCH_NOT_ALLOWED");

    let on = TestApp::with_config(|c| c.graphql_max_batch = 2).await;
    let r = on.send(raw(two, "application/json")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body[0]["data"]["tenant"]["slug"], "platform");
    assert_eq!(r.body[1]["data"]["__typename"], "QueryRoot");
    let three = json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }, { "query": "{ __typename }" }]).to_string();
    let r = on.send(raw(three, "application/json")).await;
    assert_eq!(first_code(&r.body), "BATCH_TOO_LARGE");
}

fn sha256(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn apq_get(hash: &str, operation: Option<&str>) -> Request<Body> {
    let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string();
    let enc: String = url_encode(&ext);
    let mut uri = format!("/graphql?extensions={enc}");
    if let Some(op) = operation {
        uri.push_str(&format!("&operationName={op}"));
    }
    Request::get(uri)
        .header("host", ROOT)
        .header("apollo-require-preflight", "true")
        .body(Body::empty())
        .unwrap()
}

fn url_encode(s: &str) -> String {
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
async fn automatic_persisted_queries_follow_apollos_protocol() {
    let app = TestApp::new().await;
    let q = "query Slug { tenant { slug } }";
    let hash = sha256(q);
    let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    // 1. The hash alone: not known yet.
    let r = app
        .send(raw(
            json!({ "extensions": ext }).to_string(),
            "application/json",
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(first_code(&r.body), "PERSISTED_QUERY_NOT_FOUND");
    assert_eq!(r.body["errors"][0]["message"], "PersistedQueryNotFound");
    // The same over GET.
    let r = app.send(apq_get(&hash, None)).await;
    assert_eq!(first_code(&r.body), "PERSISTED_QUERY_NOT_FOUND");
    // 2. Query and hash: run and remembered.
    let r = app
        .send(raw(
            json!({ "query": q, "extensions": ext }).to_string(),
            "application/json",
        ))
        .await;
    assert_eq!(r.body["data"]["tenant"]["slug"], "platform");
    // 3. The hash alone now runs, by POST and by (cacheable) GET.
    let r = app
        .send(raw(
            json!({ "extensions": ext }).to_string(),
            "application/json",
        ))
        .await;
    assert_eq!(r.body["data"]["tenant"]["slug"], "platform", "{}", r.body);
    let r = app.send(apq_get(&hash, Some("Slug"))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["data"]["tenant"]["slug"], "platform", "{}", r.body);
    // A hash that does not match its query is refused.
    let r = app
        .send(raw(
            json!({ "query": "{ __typename }", "extensions": ext }).to_string(),
            "application/json",
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(first_code(&r.body), "BAD_REQUEST");
    // A persisted mutation still cannot run over GET.
    let m = "mutation Out { logOut(input: {}) { endedSessions } }";
    let mh = sha256(m);
    let mext = json!({ "persistedQuery": { "version": 1, "sha256Hash": mh } });
    app.send(raw(
        json!({ "query": m, "extensions": mext }).to_string(),
        "application/json",
    ))
    .await;
    let r = app.send(apq_get(&mh, None)).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    // Off when the cache size is 0.
    let off = TestApp::with_config(|c| c.apq_cache_size = 0).await;
    let r = off
        .send(raw(
            json!({ "query": q, "extensions": ext }).to_string(),
            "application/json",
        ))
        .await;
    assert_eq!(first_code(&r.body), "BAD_REQUEST");
}

#[tokio::test]
async fn parsed_documents_are_reused_and_every_request_is_still_checked() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let docs = app.state.http.documents.clone();
    let before = docs.len();
    // The same text with other variables: parsed once, cost checked each time.
    let q = "query Pages($n: Int) { partners(first: $n) { edges { node { clients(first: $n) { edges { node { id } } } } } } }";
    let r = app.post(ROOT, Some(&staff), q, json!({ "n": 10 })).await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    assert_eq!(docs.len(), before + 1);
    let r = app.post(ROOT, Some(&staff), q, json!({ "n": 100 })).await;
    assert_eq!(first_code(&r.body), "MAX_COST_EXCEEDED");
    let r = app.post(ROOT, Some(&staff), q, json!({ "n": 10 })).await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    assert_eq!(
        docs.len(),
        before + 1,
        "the second and third were not parsed again"
    );
    // One text with two operations: the name picks, whichever came first.
    let two = "query A { tenant { slug } } query B { tenant { displayName } }";
    for (name, field) in [("A", "slug"), ("B", "displayName"), ("A", "slug")] {
        let body = json!({ "query": two, "operationName": name }).to_string();
        let r = app.send(raw(body, "application/json")).await;
        assert!(r.body["data"]["tenant"][field].is_string(), "{}", r.body);
        assert_eq!(r.body["data"]["tenant"].as_object().unwrap().len(), 1);
    }
    assert_eq!(docs.len(), before + 2);
    // A document that does not parse is answered as always and not remembered.
    for _ in 0..2 {
        let r = app.post(ROOT, None, "{ tenant { slug }", json!({})).await;
        assert_eq!(first_code(&r.body), "GRAPHQL_VALIDATION_FAILED");
        assert!(
            r.body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("expected"),
            "{}",
            r.body
        );
    }
    assert_eq!(docs.len(), before + 2);
    // Access is decided per request, not remembered with the document.
    let r = app
        .post(ROOT, None, "query Pages($n: Int) { partners(first: $n) { edges { node { clients(first: $n) { edges { node { id } } } } } } }", json!({ "n": 10 }))
        .await;
    assert_eq!(first_code(&r.body), "UNAUTHENTICATED");
}

#[tokio::test]
async fn validations_are_reused_and_every_request_is_still_checked() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let validated = app.state.http.validated.clone();
    let before = validated.len();
    // A document without variables: validated once, whoever sends it.
    let q = "query Mine { partners(first: 2) { edges { node { id } } } }";
    let r = app.post(ROOT, Some(&staff), q, json!({})).await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    assert_eq!(validated.len(), before + 1);
    // Access is still the policy's, per request.
    assert_eq!(
        app.err_code(ROOT, None, q, json!({})).await,
        "UNAUTHENTICATED"
    );
    let r = app.post(ROOT, Some(&staff), q, json!({})).await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    assert_eq!(validated.len(), before + 1);
    // Its cost is checked each time from the remembered result.
    let costly = nested_lists(100, 100);
    for _ in 0..2 {
        let r = app.post(ROOT, Some(&staff), &costly, json!({})).await;
        assert_eq!(first_code(&r.body), "MAX_COST_EXCEEDED");
        assert!(
            r.body["errors"][0]["extensions"]["cost"]["requested"]
                .as_u64()
                .unwrap()
                > 5000
        );
    }
    assert_eq!(validated.len(), before + 2);
    // A document with variables is remembered once it has passed, and still validated with
    // every request's values.
    let with_vars = "query($n: Int) { partners(first: $n) { edges { node { id } } } }";
    let r = app
        .post(ROOT, Some(&staff), with_vars, json!({ "n": 2 }))
        .await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    let r = app
        .post(ROOT, Some(&staff), with_vars, json!({ "n": "two" }))
        .await;
    assert_eq!(
        first_code(&r.body),
        "GRAPHQL_VALIDATION_FAILED",
        "{}",
        r.body
    );
    assert_eq!(validated.len(), before + 3);
    // An invalid document is refused every time and never remembered.
    for _ in 0..2 {
        let r = app
            .post(ROOT, None, "{ tenant { noSuchField } }", json!({}))
            .await;
        assert_eq!(first_code(&r.body), "GRAPHQL_VALIDATION_FAILED");
    }
    assert_eq!(validated.len(), before + 3);
    // One result per operation of a document.
    let two = "query A { tenant { slug } } query B { tenant { displayName } }";
    for _ in 0..2 {
        for (name, field) in [("A", "slug"), ("B", "displayName")] {
            let body = json!({ "query": two, "operationName": name }).to_string();
            let r = app.send(raw(body, "application/json")).await;
            assert!(r.body["data"]["tenant"][field].is_string(), "{}", r.body);
        }
    }
    assert_eq!(validated.len(), before + 5);
}

#[tokio::test]
async fn a_remembered_document_runs_on_the_vetted_schema_with_the_same_answer() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let q = "query Brands { tenants(first: 3) { totalCount edges { node { slug } } } viewer { email } skipped: tenant @skip(if: true) { slug } }";
    let vetted_with = |q: &str, name: Option<&str>, vars: Value| {
        let doc = async_graphql::parser::parse_query(q).unwrap();
        let vars = async_graphql::Variables::from_json(vars);
        schema::armor::vetted(&app.state.http.validated, q, name, &doc, &vars, 5000)
    };
    let vetted = |q: &str, name: Option<&str>| vetted_with(q, name, json!({}));
    assert_eq!(vetted(q, None), None, "nothing is vetted before it ran");
    let first = app.post(ROOT, Some(&staff), q, json!({})).await;
    assert!(first.body.get("errors").is_none(), "{}", first.body);
    let cost = vetted(q, None).expect("validated and costed by the armored schema");
    assert!(matches!(cost, Vetted::Fast(_)), "{cost:?}");
    let cost = cost.cost();
    assert_eq!(first.body["extensions"]["cost"]["requested"], cost);
    assert_eq!(first.body["extensions"]["cost"]["maximum"], 5000);
    // The repeat runs on the vetted schema and answers the same, cost included.
    for _ in 0..2 {
        let again = app.post(ROOT, Some(&staff), q, json!({})).await;
        assert_eq!(again.body, first.body);
    }
    assert!(first.body["data"].get("skipped").is_none());
    // Access is still decided per request on the vetted schema.
    let anonymous = app.post(ROOT, None, q, json!({})).await;
    assert_eq!(first_code(&anonymous.body), "UNAUTHENTICATED");
    assert_eq!(anonymous.body["extensions"]["cost"]["requested"], cost);
    // So are mutations (run one after another as always).
    let m = "mutation { a: logOut(input: {}) { endedSessions } }";
    let out = app.post(ROOT, Some(&staff), m, json!({})).await;
    assert!(out.body.get("errors").is_none(), "{}", out.body);
    assert!(vetted(m, None).is_some());
    let again = app.post(ROOT, Some(&staff), m, json!({})).await;
    assert_eq!(first_code(&again.body), "UNAUTHENTICATED", "{}", again.body);
    // Signed in again (the log-out above ended the session).
    let staff = app.staff_token().await;
    // A document over the maximum is never vetted.
    let costly = nested_lists(100, 100);
    app.post(ROOT, Some(&staff), &costly, json!({})).await;
    assert_eq!(vetted(&costly, None), None);
    // A document with variables, once validated, runs on the checked schema: priced with
    // each request's variables, validated with them in full, answered the same.
    let with_vars = "query($n: Int) { partners(first: $n) { totalCount edges { node { id clients(first: $n) { totalCount } } } } }";
    assert_eq!(vetted_with(with_vars, None, json!({ "n": 2 })), None);
    let first = app
        .post(ROOT, Some(&staff), with_vars, json!({ "n": 2 }))
        .await;
    assert!(first.body.get("errors").is_none(), "{}", first.body);
    let checked = vetted_with(with_vars, None, json!({ "n": 2 }));
    assert_eq!(checked, Some(Vetted::Checked(3 + 2 * 3)));
    let again = app
        .post(ROOT, Some(&staff), with_vars, json!({ "n": 2 }))
        .await;
    assert_eq!(again.body, first.body);
    assert_eq!(again.body["extensions"]["cost"]["requested"], 9);
    // Other values cost their own: over the maximum it is not vetted, and refused.
    assert_eq!(vetted_with(with_vars, None, json!({ "n": 100 })), None);
    let r = app
        .post(ROOT, Some(&staff), with_vars, json!({ "n": 100 }))
        .await;
    assert_eq!(first_code(&r.body), "MAX_COST_EXCEEDED");
    assert_eq!(
        r.body["errors"][0]["extensions"]["cost"]["requested"],
        101 + 100 * 101
    );
    // A value of the wrong type is refused as the armored schema refuses it the first time
    // (a fresh instance has not seen the document).
    let bad = app
        .post(ROOT, Some(&staff), with_vars, json!({ "n": "two" }))
        .await;
    let fresh = TestApp::new().await;
    let fresh_staff = fresh.staff_token().await;
    let first_time = fresh
        .post(ROOT, Some(&fresh_staff), with_vars, json!({ "n": "two" }))
        .await;
    assert_eq!(first_code(&bad.body), "GRAPHQL_VALIDATION_FAILED");
    assert_eq!(
        bad.body["errors"][0]["message"],
        first_time.body["errors"][0]["message"]
    );
    assert_eq!(bad.status, first_time.status);
    assert_eq!(
        bad.body.get("extensions"),
        first_time.body.get("extensions")
    );
    // Access is decided per request there too.
    let anonymous = app.post(ROOT, None, with_vars, json!({ "n": 2 })).await;
    assert_eq!(first_code(&anonymous.body), "UNAUTHENTICATED");
}
