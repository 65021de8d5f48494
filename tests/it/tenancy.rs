//! Tenancy: host resolution, the public brand, tenant administration, isolation.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::support::*;

const TENANT_Q: &str = "{ tenant { slug displayName primaryDomain defaultLanguage currency branding { primaryColor accentColor logoUrl faviconUrl supportEmail supportPhone supportUrl } } }";

fn raw_post(host_headers: &[&[u8]]) -> Request<Body> {
    let mut b = Request::post("/graphql").header("content-type", "application/json");
    for h in host_headers {
        b = b.header("host", axum::http::HeaderValue::from_bytes(h).unwrap());
    }
    b.body(Body::from(
        json!({ "query": "{ tenant { slug } }" }).to_string(),
    ))
    .unwrap()
}

#[tokio::test]
async fn root_tenant_answers_on_localhost_and_loopback() {
    let app = TestApp::new().await;
    for host in [
        "localhost",
        "127.0.0.1",
        "LOCALHOST:8080",
        "localhost.",
        "127.0.0.1:9999",
    ] {
        let d = app.ok(host, None, TENANT_Q, json!({})).await;
        assert_eq!(d["tenant"]["slug"], "platform", "{host}");
        assert_eq!(d["tenant"]["primaryDomain"], "localhost");
        assert_eq!(d["tenant"]["currency"], "RUB");
    }
}

#[tokio::test]
async fn host_is_normalised_before_lookup() {
    let (app, dns) = crate::domains::app_with_dns().await;
    let (acme_id, acme_host) = app.tenant("acme").await;
    assert_eq!(acme_host, "acme.localhost");
    let staff = app.staff_token().await;
    app.ok(
        ROOT,
        Some(&staff),
        "mutation($i: AddTenantDomainInput!) { addTenantDomain(input: $i) { domain { host kind status isPrimary } } }",
        json!({ "i": { "tenantId": acme_id, "host": "Bücher.Example." } }),
    )
    .await;
    crate::domains::prove(&app, &dns, "xn--bcher-kva.example").await;
    let cases: [&[u8]; 5] = [
        b"ACME.localhost",
        b"acme.localhost.:8080",
        b"xn--bcher-kva.example",
        "BÜCHER.example:443".as_bytes(),
        "bücher.example.".as_bytes(),
    ];
    for host in cases {
        let r = app.send(raw_post(&[host])).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(host)
        );
        assert_eq!(
            r.body["data"]["tenant"]["slug"],
            "acme",
            "{}",
            String::from_utf8_lossy(host)
        );
    }
}

#[tokio::test]
async fn unknown_host_gets_tenant_not_found_and_no_data() {
    let app = TestApp::new().await;
    app.tenant("acme").await;
    for host in [
        "nope.example",
        "acme.localhost.evil.example",
        "cme.localhost",
    ] {
        let r = app.post(host, None, TENANT_Q, json!({})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(first_code(&r.body), "TENANT_NOT_FOUND");
        assert!(r.body.get("data").is_none(), "{}", r.body);
    }
}

#[tokio::test]
async fn missing_duplicate_and_malformed_hosts_are_refused() {
    let app = TestApp::new().await;
    let missing = app.send(raw_post(&[])).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(first_code(&missing.body), "BAD_REQUEST");
    let twice = app.send(raw_post(&[b"localhost", b"localhost"])).await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST);
    assert!(
        twice.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("more than one")
    );
    let bad = app.send(raw_post(&[b"local host"])).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

fn from_peer(peer: [u8; 4], host: &str, forwarded: &str) -> Request<Body> {
    let mut req = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("host", host)
        .header("x-forwarded-host", forwarded)
        .body(Body::from(
            json!({ "query": "{ tenant { slug } }" }).to_string(),
        ))
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(std::net::SocketAddr::from((peer, 40000))));
    req
}

#[tokio::test]
async fn forwarded_host_counts_only_from_trusted_proxies() {
    let app = TestApp::with_config(|c| c.trusted_proxies = "10.0.0.0/8".into()).await;
    app.tenant("acme").await;
    let via_proxy = app
        .send(from_peer([10, 1, 2, 3], "localhost", "acme.localhost"))
        .await;
    assert_eq!(via_proxy.body["data"]["tenant"]["slug"], "acme");
    let stranger = app
        .send(from_peer([203, 0, 113, 5], "localhost", "acme.localhost"))
        .await;
    assert_eq!(stranger.body["data"]["tenant"]["slug"], "platform");
}

#[tokio::test]
async fn pending_domain_does_not_resolve() {
    use entities::tenant_domain;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let app = TestApp::new().await;
    let (acme_id, _) = app.tenant("acme").await;
    let (_, id) = resolvers::ids::parse(&acme_id).unwrap();
    tenant_domain::ActiveModel {
        tenant_id: Set(id),
        host: Set("pending.example".into()),
        kind: Set(tenant_domain::KIND_CUSTOM.into()),
        status: Set(tenant_domain::STATUS_PENDING),
        is_primary: Set(false),
        created_at: Set(entities::time::now()),
        ..Default::default()
    }
    .insert(app.db())
    .await
    .unwrap();
    app.state.services.registry.changed(app.db()).await.unwrap();
    let r = app.post("pending.example", None, TENANT_Q, json!({})).await;
    assert_eq!(first_code(&r.body), "TENANT_NOT_FOUND");
}

#[tokio::test]
async fn branding_change_is_visible_on_the_next_request() {
    let app = TestApp::new().await;
    let (_, host) = app.tenant("acme").await;
    let admin = app.tenant_admin_token("acme", &host).await;
    let before = app.ok(&host, None, TENANT_Q, json!({})).await;
    assert_eq!(before["tenant"]["branding"]["primaryColor"], "#2F6FED");
    let d = app
        .ok(
            &host,
            Some(&admin),
            "mutation($i: UpdateTenantInput!) { updateTenant(input: $i) { tenant { displayName } } }",
            json!({ "i": {
                "displayName": "Acme Chat", "primaryColor": "#112233", "accentColor": "#abcdef",
                "logoUrl": "https://cdn.acme.example/logo.png", "supportEmail": "Help@Acme.example",
                "supportPhone": "+7 495 000-00-00", "defaultLanguage": "ES", "currency": "eur"
            } }),
        )
        .await;
    assert_eq!(d["updateTenant"]["tenant"]["displayName"], "Acme Chat");
    let after = app.ok(&host, None, TENANT_Q, json!({})).await;
    let t = &after["tenant"];
    assert_eq!(t["displayName"], "Acme Chat");
    assert_eq!(t["branding"]["primaryColor"], "#112233");
    assert_eq!(t["branding"]["accentColor"], "#ABCDEF");
    assert_eq!(
        t["branding"]["logoUrl"],
        "https://cdn.acme.example/logo.png"
    );
    assert_eq!(t["branding"]["supportEmail"], "help@acme.example");
    assert_eq!(t["branding"]["supportPhone"], "+74950000000");
    assert_eq!(t["defaultLanguage"], "ES");
    assert_eq!(t["currency"], "EUR");
    // The root tenant is untouched.
    let root = app.ok(ROOT, None, TENANT_Q, json!({})).await;
    assert_eq!(root["tenant"]["branding"]["primaryColor"], "#2F6FED");
    // null clears an optional field.
    app.ok(
        &host,
        Some(&admin),
        "mutation { updateTenant(input: { logoUrl: null }) { tenant { slug } } }",
        json!({}),
    )
    .await;
    let cleared = app.ok(&host, None, TENANT_Q, json!({})).await;
    assert!(cleared["tenant"]["branding"]["logoUrl"].is_null());
}

#[tokio::test]
async fn bad_branding_input_names_the_field_and_changes_nothing() {
    let app = TestApp::new().await;
    let (_, host) = app.tenant("acme").await;
    let admin = app.tenant_admin_token("acme", &host).await;
    for (field, value) in [
        ("primaryColor", json!("red")),
        ("logoUrl", json!("javascript:alert(1)")),
        ("supportEmail", json!("not-an-email")),
        ("currency", json!("RUBLES")),
    ] {
        let r = app
            .post(
                &host,
                Some(&admin),
                "mutation($i: UpdateTenantInput!) { updateTenant(input: $i) { tenant { slug } } }",
                json!({ "i": { "displayName": "Changed", field: value } }),
            )
            .await;
        assert_eq!(first_code(&r.body), "BAD_USER_INPUT", "{field}");
        assert_eq!(first_field(&r.body), field);
    }
    let t = app.ok(&host, None, TENANT_Q, json!({})).await;
    assert_eq!(t["tenant"]["displayName"], "acme brand");
}

const UPDATE: &str =
    "mutation($i: UpdateTenantInput!) { updateTenant(input: $i) { tenant { slug } } }";

#[tokio::test]
async fn only_staff_and_the_tenants_own_admins_edit_a_tenant() {
    let app = TestApp::new().await;
    let (acme_id, acme) = app.tenant("acme").await;
    let (_, beta) = app.tenant("beta").await;
    let acme_admin = app.tenant_admin_token("acme", &acme).await;
    let beta_admin = app.tenant_admin_token("beta", &beta).await;
    let (acme_user, _, _) = app.sign_up(&acme, "user@acme.example").await;

    // Anonymous and plain users are refused.
    let anon = app
        .err_code(&acme, None, UPDATE, json!({ "i": { "displayName": "X" } }))
        .await;
    assert_eq!(anon, "UNAUTHENTICATED");
    let user = app
        .err_code(
            &acme,
            Some(&acme_user),
            UPDATE,
            json!({ "i": { "displayName": "X" } }),
        )
        .await;
    assert_eq!(user, "FORBIDDEN");
    // Another tenant's admin does not even learn the tenant exists.
    let other = app
        .err_code(
            &beta,
            Some(&beta_admin),
            UPDATE,
            json!({ "i": { "id": acme_id, "displayName": "X" } }),
        )
        .await;
    assert_eq!(other, "NOT_FOUND");
    // None of the refusals changed Acme's brand or slug.
    let acme_t = app.ok(&acme, None, TENANT_Q, json!({})).await;
    assert_eq!(acme_t["tenant"]["displayName"], "acme brand");
    assert_eq!(acme_t["tenant"]["slug"], "acme");
    // A tenant admin cannot change the slug.
    let slug = app
        .err_code(
            &acme,
            Some(&acme_admin),
            UPDATE,
            json!({ "i": { "slug": "acme2" } }),
        )
        .await;
    assert_eq!(slug, "FORBIDDEN");
    let still = app.ok(&acme, None, TENANT_Q, json!({})).await;
    assert_eq!(still["tenant"]["slug"], "acme");
    // Staff can, and the platform subdomain follows.
    let staff = app.staff_token().await;
    app.ok(
        ROOT,
        Some(&staff),
        UPDATE,
        json!({ "i": { "id": acme_id, "slug": "acme2" } }),
    )
    .await;
    let moved = app.ok("acme2.localhost", None, TENANT_Q, json!({})).await;
    assert_eq!(moved["tenant"]["slug"], "acme2");
    let gone = app.post("acme.localhost", None, TENANT_Q, json!({})).await;
    assert_eq!(first_code(&gone.body), "TENANT_NOT_FOUND");
    let beta_t = app.ok(&beta, None, TENANT_Q, json!({})).await;
    assert_eq!(beta_t["tenant"]["displayName"], "beta brand");
}

#[tokio::test]
async fn staff_create_a_tenant_whose_admin_gets_a_branded_set_password_email() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let d = app
        .ok(
            ROOT,
            Some(&staff),
            "mutation($i: CreateTenantInput!) { createTenant(input: $i) { tenant { slug primaryDomain domains { host kind status isPrimary } } admin { email isTenantAdmin hasPassword } } }",
            json!({ "i": { "slug": "Brand-1", "displayName": "Brand One", "primaryColor": "#123456",
                           "emailSenderName": "Brand One Team", "emailSenderAddress": "team@brand1.example",
                           "adminEmail": "Boss@Brand1.example" } }),
        )
        .await;
    let p = &d["createTenant"];
    assert_eq!(p["tenant"]["slug"], "brand-1");
    assert_eq!(p["tenant"]["primaryDomain"], "brand-1.localhost");
    assert_eq!(
        p["tenant"]["domains"],
        json!([{ "host": "brand-1.localhost", "kind": "PLATFORM_SUBDOMAIN", "status": "VERIFIED", "isPrimary": true }])
    );
    assert_eq!(
        p["admin"],
        json!({ "email": "boss@brand1.example", "isTenantAdmin": true, "hasPassword": false })
    );
    let email = app
        .outbox_email("boss@brand1.example", "SET_PASSWORD")
        .await
        .unwrap();
    // Its sender domain is not proven yet: the platform's address under the brand's name,
    // answers to the brand's.
    assert_eq!(
        email.sender,
        "Brand One Team <no-reply@localhost.localdomain>"
    );
    assert_eq!(
        email.reply_to.as_deref(),
        Some("Brand One Team <team@brand1.example>")
    );
    assert!(
        email
            .body_text
            .contains("http://brand-1.localhost:8080/set-password?token=")
    );
    assert!(email.body_html.contains("#123456"));
    assert!(email.subject.contains("Brand One"));
    // The new tenant answers at once, and its admin can set a password and sign in.
    let t = app.ok("brand-1.localhost", None, TENANT_Q, json!({})).await;
    assert_eq!(t["tenant"]["displayName"], "Brand One");
    let token = app
        .set_password_via_link("brand-1.localhost", "boss@brand1.example")
        .await;
    assert!(!token.is_empty());
    // The slug is unique.
    let dup = app
        .err_code(
            ROOT,
            Some(&staff),
            "mutation { createTenant(input: { slug: \"brand-1\", displayName: \"Again\" }) { tenant { slug } } }",
            json!({}),
        )
        .await;
    assert_eq!(dup, "CONFLICT");
}

#[tokio::test]
async fn tenant_admin_and_users_cannot_create_or_list_tenants() {
    let app = TestApp::new().await;
    let (_, acme) = app.tenant("acme").await;
    let admin = app.tenant_admin_token("acme", &acme).await;
    let (root_user, _, _) = app.sign_up(ROOT, "someone@example.com").await;
    let create = "mutation { createTenant(input: { slug: \"evil\", displayName: \"Evil\" }) { tenant { slug } } }";
    assert_eq!(
        app.err_code(&acme, Some(&admin), create, json!({})).await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.err_code(ROOT, Some(&root_user), create, json!({}))
            .await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.err_code(ROOT, None, create, json!({})).await,
        "UNAUTHENTICATED"
    );
    let list = "{ tenants { totalCount } }";
    assert_eq!(
        app.err_code(&acme, Some(&admin), list, json!({})).await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.err_code(ROOT, Some(&root_user), list, json!({})).await,
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn tenants_connection_pages_with_cursors() {
    let app = TestApp::new().await;
    for slug in ["t-a", "t-b", "t-c", "t-d"] {
        app.tenant(slug).await;
    }
    let staff = app.staff_token().await;
    let q = "query($first: Int, $after: String, $last: Int, $before: String) { tenants(first: $first, after: $after, last: $last, before: $before) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { slug } } } }";
    let slugs = |v: &serde_json::Value| -> Vec<String> {
        v["tenants"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["slug"].as_str().unwrap().to_string())
            .collect()
    };
    let p1 = app.ok(ROOT, Some(&staff), q, json!({ "first": 2 })).await;
    assert_eq!(p1["tenants"]["totalCount"], 5);
    assert_eq!(slugs(&p1), ["platform", "t-a"]);
    assert_eq!(p1["tenants"]["pageInfo"]["hasNextPage"], true);
    let end = p1["tenants"]["pageInfo"]["endCursor"].as_str().unwrap();
    let p2 = app
        .ok(ROOT, Some(&staff), q, json!({ "first": 2, "after": end }))
        .await;
    assert_eq!(slugs(&p2), ["t-b", "t-c"]);
    assert_eq!(p2["tenants"]["pageInfo"]["hasPreviousPage"], true);
    let p3 = app
        .ok(
            ROOT,
            Some(&staff),
            q,
            json!({ "first": 2, "after": p2["tenants"]["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(slugs(&p3), ["t-d"]);
    assert_eq!(p3["tenants"]["pageInfo"]["hasNextPage"], false);
    let last = app.ok(ROOT, Some(&staff), q, json!({ "last": 2 })).await;
    assert_eq!(slugs(&last), ["t-c", "t-d"]);
    assert_eq!(last["tenants"]["pageInfo"]["hasPreviousPage"], true);
    let before = app
        .ok(
            ROOT,
            Some(&staff),
            q,
            json!({ "last": 1, "before": last["tenants"]["pageInfo"]["startCursor"] }),
        )
        .await;
    assert_eq!(slugs(&before), ["t-b"]);
    let all = app.ok(ROOT, Some(&staff), q, json!({})).await;
    assert_eq!(slugs(&all).len(), 5);
    for bad in [
        json!({ "first": 101 }),
        json!({ "first": -1 }),
        json!({ "after": "garbage" }),
        json!({ "first": 1, "last": 1 }),
    ] {
        let r = app.post(ROOT, Some(&staff), q, bad.clone()).await;
        assert_eq!(first_code(&r.body), "BAD_USER_INPUT", "{bad}");
    }
}

const ADD: &str = "mutation($i: AddTenantDomainInput!) { addTenantDomain(input: $i) { domain { id host isPrimary } } }";
const REMOVE: &str =
    "mutation($i: RemoveTenantDomainInput!) { removeTenantDomain(input: $i) { removedDomainId } }";

#[tokio::test]
async fn domains_belong_to_one_tenant_and_the_primary_stays() {
    let (app, dns) = crate::domains::app_with_dns().await;
    let (acme_id, acme) = app.tenant("acme").await;
    let (beta_id, _) = app.tenant("beta").await;
    let staff = app.staff_token().await;
    let d = app
        .ok(
            ROOT,
            Some(&staff),
            ADD,
            json!({ "i": { "tenantId": acme_id, "host": "chat.acme.example" } }),
        )
        .await;
    let domain_id = d["addTenantDomain"]["domain"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(d["addTenantDomain"]["domain"]["isPrimary"], false);
    crate::domains::prove(&app, &dns, "chat.acme.example").await;
    let t = app.ok("chat.acme.example", None, TENANT_Q, json!({})).await;
    assert_eq!(t["tenant"]["slug"], "acme");

    let taken = app
        .post(
            ROOT,
            Some(&staff),
            ADD,
            json!({ "i": { "tenantId": beta_id, "host": "CHAT.acme.example." } }),
        )
        .await;
    assert_eq!(first_code(&taken.body), "CONFLICT");
    assert_eq!(first_field(&taken.body), "host");
    let bad = app
        .post(
            ROOT,
            Some(&staff),
            ADD,
            json!({ "i": { "tenantId": beta_id, "host": "not a host" } }),
        )
        .await;
    assert_eq!(first_field(&bad.body), "host");
    let wrong_type = app
        .post(
            ROOT,
            Some(&staff),
            ADD,
            json!({ "i": { "tenantId": domain_id, "host": "x.example" } }),
        )
        .await;
    assert_eq!(first_code(&wrong_type.body), "BAD_USER_INPUT");
    assert_eq!(first_field(&wrong_type.body), "tenantId");

    // A tenant admin adds custom domains (tests/it/domains.rs), not platform subdomains.
    let admin = app.tenant_admin_token("acme", &acme).await;
    let r = app
        .err_code(
            &acme,
            Some(&admin),
            ADD,
            json!({ "i": { "tenantId": acme_id, "host": "x.localhost" } }),
        )
        .await;
    assert_eq!(r, "FORBIDDEN");

    // The primary domain cannot be removed; another one can, and stops resolving.
    let primary = app
        .ok(
            ROOT,
            Some(&staff),
            "query($id: ID!) { node(id: $id) { ... on Tenant { domains { id isPrimary } } } }",
            json!({ "id": acme_id }),
        )
        .await;
    let primary_id = primary["node"]["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["isPrimary"] == true)
        .unwrap()["id"]
        .clone();
    let r = app
        .post(
            ROOT,
            Some(&staff),
            REMOVE,
            json!({ "i": { "domainId": primary_id } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "CONFLICT");
    app.ok(
        ROOT,
        Some(&staff),
        REMOVE,
        json!({ "i": { "domainId": domain_id } }),
    )
    .await;
    let gone = app
        .post("chat.acme.example", None, TENANT_Q, json!({}))
        .await;
    assert_eq!(first_code(&gone.body), "TENANT_NOT_FOUND");
}

#[tokio::test]
async fn node_lookup_respects_tenants_and_types() {
    let app = TestApp::new().await;
    let (acme_id, acme) = app.tenant("acme").await;
    let (beta_id, beta) = app.tenant("beta").await;
    let (acme_token, _, acme_user) = app.sign_up(&acme, "ann@example.com").await;
    let (beta_token, _, beta_user) = app.sign_up(&beta, "bob@example.com").await;
    let q = "query($ids: [ID!]!) { nodes(ids: $ids) { id __typename ... on User { email } ... on Tenant { slug } } }";
    let d = app
        .ok(
            &acme,
            Some(&acme_token),
            q,
            json!({ "ids": [acme_user, beta_user, acme_id, beta_id, "junk"] }),
        )
        .await;
    let n = d["nodes"].as_array().unwrap();
    assert_eq!(n[0]["email"], "ann@example.com");
    assert!(n[1].is_null(), "another tenant's user is invisible");
    assert_eq!(n[2]["slug"], "acme");
    assert!(n[3].is_null(), "another tenant is invisible");
    assert!(n[4].is_null());
    // Bob cannot see Ann even by asking on Ann's tenant: his token is refused there.
    let r = app
        .post(&acme, Some(&beta_token), q, json!({ "ids": [acme_user] }))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // On his own tenant, Ann's id is simply not there.
    let d = app
        .ok(&beta, Some(&beta_token), q, json!({ "ids": [acme_user] }))
        .await;
    assert!(d["nodes"][0].is_null());
    // A user's id is not a tenant's id: `node` is type-checked by the id itself.
    let d = app
        .ok(
            &acme,
            Some(&acme_token),
            "query($id: ID!) { node(id: $id) { __typename } }",
            json!({ "id": acme_user }),
        )
        .await;
    assert_eq!(d["node"]["__typename"], "User");
}

#[tokio::test]
async fn other_instances_see_tenant_changes_without_restart() {
    let app = TestApp::new().await;
    // On PostgreSQL the change must arrive by NOTIFY; on SQLite by the periodic reload.
    let other = app.second_instance_following_tenants().await;
    let subscriptions = other.services.registry.subscription_count();
    assert!(other.services.registry.resolve("late.localhost").is_none());
    app.tenant("late").await;
    let mut seen = false;
    for _ in 0..100 {
        if other.services.registry.resolve("late.localhost").is_some() {
            seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(seen, "the second instance never saw the new tenant");
    assert_eq!(
        other.services.registry.subscription_count(),
        subscriptions,
        "the listener resubscribed: the change may have come by its catch-up reload"
    );
}

#[tokio::test]
async fn resolving_the_tenant_runs_no_sql() {
    let app = TestApp::new().await;
    app.tenant("acme").await;
    app.ok("acme.localhost", None, TENANT_Q, json!({})).await;
    let before = app.state.statements.get();
    for host in ["acme.localhost", "localhost", "ACME.localhost:8080"] {
        app.ok(host, None, TENANT_Q, json!({})).await;
    }
    let unknown = app.post("nope.example", None, TENANT_Q, json!({})).await;
    assert_eq!(first_code(&unknown.body), "TENANT_NOT_FOUND");
    assert_eq!(
        app.state.statements.get(),
        before,
        "host resolution must not query the database"
    );
    // The counter does count: a query that needs the database moves it.
    app.sign_up(ROOT, "ann@example.com").await;
    assert!(app.state.statements.get() > before);
}
