//! `notificationAdded` over a real WebSocket (tokio-tungstenite against the served
//! router, graphql-transport-ws): the bell rings once for its owner only; the socket's
//! tenant is the upgrade's Host and its viewer the `connection_init` token, so another
//! tenant's token is refused; the socket closes when the token expires (by the service
//! clock) or the session ends; and on PostgreSQL a bell written by another instance
//! reaches it through `NOTIFY`.

use std::net::SocketAddr;
use std::time::Duration as StdDuration;

use chrono::Duration;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::orders::shop;
use crate::support::*;

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const ADDED: &str = "subscription { notificationAdded { id kind title link read } }";
/// How long a test waits for something that should come at once.
const PATIENCE: StdDuration = StdDuration::from_secs(10);

async fn open(addr: SocketAddr, host: &str) -> Ws {
    open_as(addr, host, None).await
}

/// [`open`], with the upgrade request's `X-Request-Id` when given.
pub async fn open_as(addr: SocketAddr, host: &str, request_id: Option<&str>) -> Ws {
    let mut req = format!("ws://{addr}/graphql")
        .into_client_request()
        .unwrap();
    req.headers_mut().insert("host", host.parse().unwrap());
    if let Some(id) = request_id {
        req.headers_mut()
            .insert("x-request-id", id.parse().unwrap());
    }
    req.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (ws, resp) = tokio_tungstenite::connect_async(req).await.unwrap();
    assert_eq!(
        resp.headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok()),
        Some("graphql-transport-ws")
    );
    ws
}

/// The next protocol message, or the close frame as `{"close": code, "reason": ..}`.
pub async fn next(ws: &mut Ws) -> Value {
    loop {
        let m = tokio::time::timeout(PATIENCE, ws.next())
            .await
            .expect("a message in time")
            .expect("the socket open")
            .expect("a frame");
        match m {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Close(Some(f)) => {
                return json!({ "close": u16::from(f.code), "reason": f.reason.as_str() });
            }
            Message::Close(None) => return json!({ "close": null }),
            _ => continue,
        }
    }
}

pub async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

/// Opens a socket on `host`, signs in with `token`, subscribes to `notificationAdded`.
async fn subscribed(addr: SocketAddr, host: &str, token: &str) -> Ws {
    let mut ws = open(addr, host).await;
    send(
        &mut ws,
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }),
    )
    .await;
    assert_eq!(next(&mut ws).await["type"], "connection_ack");
    send(
        &mut ws,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": ADDED } }),
    )
    .await;
    ws
}

async fn added(ws: &mut Ws) -> Value {
    let m = next(ws).await;
    assert_eq!(m["type"], "next", "{m}");
    assert_eq!(m["id"], "1");
    m["payload"]["data"]["notificationAdded"].clone()
}

/// Seven days before the line's expiry: the notices job, then the fan-out.
async fn ring(app: &TestApp) {
    app.clock_advance(Duration::days(23) + Duration::minutes(1));
    domain::jobs::run_due(&app.state.services).await.unwrap();
    app.fan_out().await;
}

#[tokio::test]
async fn the_bell_rings_over_a_websocket_once_and_only_for_its_owner() {
    let app = TestApp::new().await;
    let addr = app.serve().await;
    let s = shop(&app, "ws", &[(1, 30)]).await;
    let client = app
        .set_password_via_link(ROOT, "anna.ws@client.example")
        .await;
    app.fan_out().await;
    let mut partner_ws = subscribed(addr, ROOT, &s.p.owner).await;
    let mut client_ws = subscribed(addr, ROOT, &client).await;
    // Let both subscriptions start before anything rings.
    send(&mut partner_ws, json!({ "type": "ping" })).await;
    assert_eq!(next(&mut partner_ws).await["type"], "pong");
    send(&mut client_ws, json!({ "type": "ping" })).await;
    assert_eq!(next(&mut client_ws).await["type"], "pong");

    ring(&app).await;
    let p = added(&mut partner_ws).await;
    assert_eq!(p["kind"], "LINE_EXPIRING");
    assert!(
        p["title"].as_str().unwrap().contains("expires in 7 days"),
        "{p}"
    );
    assert_eq!(p["read"], false);
    let c = added(&mut client_ws).await;
    assert_eq!(c["kind"], "LINE_EXPIRING");
    assert_ne!(p["id"], c["id"], "each their own item");
    // What the socket pushed is what the bell lists.
    let listed = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            "{ notifications(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["notifications"]["edges"][0]["node"]["id"], p["id"]);

    // Once: running everything again pushes nothing; the next thing on the socket is the
    // next notice (the expiry), not a repeat.
    domain::jobs::run_due(&app.state.services).await.unwrap();
    app.fan_out().await;
    app.clock_advance(Duration::days(7));
    domain::jobs::run_due(&app.state.services).await.unwrap();
    app.fan_out().await;
    assert_eq!(added(&mut partner_ws).await["kind"], "LINE_EXPIRED");
    assert_eq!(added(&mut client_ws).await["kind"], "LINE_EXPIRED");
}

#[tokio::test]
async fn a_socket_takes_its_tenant_from_the_host_and_refuses_other_tenants_tokens() {
    let app = TestApp::new().await;
    let addr = app.serve().await;
    let (_, acme) = app.tenant("acmews").await;
    let acme_admin = app.tenant_admin_token("acmews", &acme).await;

    // An Acme token on the root host: refused before acknowledging.
    let mut ws = open(addr, ROOT).await;
    send(
        &mut ws,
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {acme_admin}") } }),
    )
    .await;
    let m = next(&mut ws).await;
    assert_eq!(m["close"], 4403, "{m}");

    // A made-up token: refused too, never anonymous.
    let mut ws = open(addr, &acme).await;
    send(
        &mut ws,
        json!({ "type": "connection_init", "payload": { "Authorization": "Bearer nonsense" } }),
    )
    .await;
    assert_eq!(next(&mut ws).await["close"], 4403);

    // No token: connected as anonymous, and the bell is not for anonymous.
    let mut ws = open(addr, &acme).await;
    send(&mut ws, json!({ "type": "connection_init" })).await;
    assert_eq!(next(&mut ws).await["type"], "connection_ack");
    send(
        &mut ws,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": ADDED } }),
    )
    .await;
    let m = next(&mut ws).await;
    assert_eq!(m["type"], "next", "{m}");
    assert_eq!(m["payload"]["data"], Value::Null);
    assert_eq!(
        m["payload"]["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
    assert_eq!(next(&mut ws).await["type"], "complete");

    // The right token on its own host is accepted.
    let mut ws = open(addr, &acme).await;
    send(
        &mut ws,
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {acme_admin}") } }),
    )
    .await;
    assert_eq!(next(&mut ws).await["type"], "connection_ack");

    // An unknown host is not upgraded at all.
    let mut req = format!("ws://{addr}/graphql")
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("host", "nobody.example".parse().unwrap());
    req.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    match tokio_tungstenite::connect_async(req).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status(), 404)
        }
        other => panic!("expected a 404, got {other:?}"),
    }
}

/// The close frame that ends a socket whose credentials stopped holding. The subscription
/// may start after that (each operation checks the session when it starts): its only
/// answer is then `UNAUTHENTICATED`, before the close.
async fn closed(ws: &mut Ws) -> Value {
    loop {
        let m = next(ws).await;
        match m["type"].as_str() {
            None => return m,
            Some("complete") => continue,
            Some("next") => {
                assert_eq!(
                    m["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
                    "{m}"
                );
            }
            Some(other) => panic!("unexpected {other}: {m}"),
        }
    }
}

#[tokio::test]
async fn a_socket_closes_when_its_token_expires_or_its_session_ends() {
    let app = TestApp::with_config(|c| c.ws_recheck_ms = 50).await;
    let addr = app.serve().await;
    app.state.services.clock.set(Some(entities::time::now()));
    let (user, _, _) = app.sign_up(ROOT, "ws.expiry@example.com").await;

    // Expiry, by the service clock: 15 minutes on, the socket is closed.
    let mut ws = subscribed(addr, ROOT, &user).await;
    send(&mut ws, json!({ "type": "ping" })).await;
    assert_eq!(next(&mut ws).await["type"], "pong");
    app.clock_advance(Duration::minutes(16));
    let m = closed(&mut ws).await;
    assert_eq!(m["close"], 4403, "{m}");
    assert!(m["reason"].as_str().unwrap().contains("expired"), "{m}");

    // Signing out ends the session: the socket is closed within the re-check.
    app.state.services.clock.set(Some(entities::time::now()));
    let token = app.log_in(ROOT, "ws.expiry@example.com", PASSWORD).await;
    let mut ws = subscribed(addr, ROOT, &token).await;
    app.ok(
        ROOT,
        Some(&token),
        "mutation { logOut(input: {}) { __typename } }",
        json!({}),
    )
    .await;
    let m = closed(&mut ws).await;
    assert_eq!(m["close"], 4403, "{m}");
    assert!(m["reason"].as_str().unwrap().contains("session"), "{m}");

    // "Return to own account" ends the impersonation: the socket opened with it closes.
    let (p, _, sam_id) = crate::hardening::partner_with_client(&app).await;
    let as_client = crate::hardening::impersonate(&app, &p.owner, &p.id, &sam_id).await;
    let mut ws = subscribed(addr, ROOT, &as_client).await;
    send(&mut ws, json!({ "type": "ping" })).await;
    assert_eq!(next(&mut ws).await["type"], "pong");
    app.ok(
        ROOT,
        Some(&as_client),
        "mutation { endImpersonation { ended } }",
        json!({}),
    )
    .await;
    let m = closed(&mut ws).await;
    assert_eq!(m["close"], 4403, "{m}");
}

#[tokio::test]
async fn a_bell_written_by_another_instance_reaches_the_socket() {
    let app = TestApp::new().await;
    let s = shop(&app, "wsx", &[(1, 30)]).await;
    app.fan_out().await;
    // The socket is on this instance; another instance of the deployment fans out.
    let addr = app.serve().await;
    let other = app.second_instance().await;
    let mut ws = subscribed(addr, ROOT, &s.p.owner).await;
    send(&mut ws, json!({ "type": "ping" })).await;
    assert_eq!(next(&mut ws).await["type"], "pong");
    app.clock_advance(Duration::days(23) + Duration::minutes(1));
    domain::jobs::run_due(&app.state.services).await.unwrap();
    other
        .services
        .clock
        .set(Some(app.state.services.clock.now()));
    let done = domain::notifications::fanout::run(&other.services)
        .await
        .unwrap();
    assert!(!done.bell.is_empty());
    if app.is_postgres() {
        // Through NOTIFY, committed with the bell items.
        assert_eq!(added(&mut ws).await["kind"], "LINE_EXPIRING");
    } else {
        // SQLite is one instance: its signals stay in the process that wrote them, and
        // this instance's next fan-out finds nothing new to say. The item is in the bell.
        let listed = app
            .ok(
                ROOT,
                Some(&s.p.owner),
                "{ unreadNotificationCount }",
                json!({}),
            )
            .await;
        assert!(listed["unreadNotificationCount"].as_u64().unwrap() >= 1);
    }
}

#[tokio::test]
async fn operations_on_a_socket_count_against_the_request_rate_limits() {
    let app = TestApp::with_config(|c| {
        c.rate_limit_user_per_second = 1;
        c.rate_limit_tenant_per_second = 0;
    })
    .await;
    app.state.services.clock.set(Some(chrono::Utc::now()));
    let addr = app.serve().await;
    let (ann, _, _) = app.sign_up(ROOT, "ann.ws@example.com").await;
    let mut ws = open(addr, ROOT).await;
    send(
        &mut ws,
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {ann}") } }),
    )
    .await;
    assert_eq!(next(&mut ws).await["type"], "connection_ack");
    let viewer = |id: &str| json!({ "id": id, "type": "subscribe", "payload": { "query": "{ viewer { email } }" } });
    // A burst of twice the rate per second is answered ...
    for id in ["1", "2"] {
        send(&mut ws, viewer(id)).await;
        let m = next(&mut ws).await;
        assert_eq!(m["id"], id, "{m}");
        assert_eq!(
            m["payload"]["data"]["viewer"]["email"], "ann.ws@example.com",
            "{m}"
        );
        assert_eq!(next(&mut ws).await["type"], "complete");
    }
    // ... the next operation is refused on its own, and the socket stays open.
    send(&mut ws, viewer("3")).await;
    let m = next(&mut ws).await;
    assert_eq!(m["id"], "3", "{m}");
    assert_eq!(
        m["payload"]["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{m}"
    );
    assert_eq!(
        m["payload"]["errors"][0]["extensions"]["retryAfter"], 1,
        "{m}"
    );
    assert!(m["payload"]["data"].is_null(), "{m}");
    assert_eq!(next(&mut ws).await["type"], "complete");
    // The budget refills with time, on the same socket.
    app.state
        .services
        .clock
        .advance(chrono::Duration::seconds(1));
    send(&mut ws, viewer("4")).await;
    let m = next(&mut ws).await;
    assert_eq!(
        m["payload"]["data"]["viewer"]["email"], "ann.ws@example.com",
        "{m}"
    );
}

#[tokio::test]
async fn errors_on_a_socket_carry_their_code_and_the_operations_request_id() {
    let app = TestApp::new().await;
    let addr = app.serve().await;
    let requests = |text: &str, outcome: &str| {
        let line =
            format!("graphql_requests_total{{operation=\"anonymous\",outcome=\"{outcome}\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(line.as_str()))
            .map_or(0, |v| v.trim().parse::<u64>().unwrap())
    };
    let before = app.scrape_metrics().await;
    let mut ws = open_as(addr, ROOT, Some("socket-7")).await;
    send(&mut ws, json!({ "type": "connection_init", "payload": {} })).await;
    assert_eq!(next(&mut ws).await["type"], "connection_ack");
    // A resolver's refusal, async-graphql's own validation error, an answer, and a
    // document over the token limit: each operation is numbered on its socket.
    let too_long = format!("{{ {} }}", "__typename ".repeat(2500));
    let cases = [
        (ADDED, Some("UNAUTHENTICATED")),
        ("{ nope }", Some("GRAPHQL_VALIDATION_FAILED")),
        ("{ tenant { slug } }", None),
        (too_long.as_str(), Some("MAX_TOKENS_EXCEEDED")),
    ];
    for (n, (query, code)) in cases.into_iter().enumerate() {
        let id = (n + 1).to_string();
        send(
            &mut ws,
            json!({ "id": id, "type": "subscribe", "payload": { "query": query } }),
        )
        .await;
        let m = next(&mut ws).await;
        assert_eq!(m["id"], id.as_str(), "{m}");
        match code {
            Some(code) => {
                let ext = &m["payload"]["errors"][0]["extensions"];
                assert_eq!(ext["code"], code, "{m}");
                assert_eq!(ext["requestId"], format!("socket-7.{id}"), "{m}");
            }
            None => {
                assert_eq!(m["payload"]["data"]["tenant"]["slug"], "platform", "{m}");
                assert!(m["payload"]["errors"].is_null(), "{m}");
            }
        }
        assert_eq!(next(&mut ws).await["type"], "complete");
    }
    // Each counted in the metrics by its outcome, as over HTTP.
    let after = app.scrape_metrics().await;
    for outcome in [
        "UNAUTHENTICATED",
        "GRAPHQL_VALIDATION_FAILED",
        "ok",
        "MAX_TOKENS_EXCEEDED",
    ] {
        assert_eq!(
            requests(&after, outcome),
            requests(&before, outcome) + 1,
            "{outcome}"
        );
    }
}

/// Signs a socket in with `token` and returns it acknowledged.
async fn signed_in(addr: SocketAddr, host: &str, token: &str) -> Ws {
    let mut ws = open(addr, host).await;
    send(
        &mut ws,
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }),
    )
    .await;
    assert_eq!(next(&mut ws).await["type"], "connection_ack");
    ws
}

/// Runs one query or mutation on the socket; its one answer's payload (after which the
/// operation completes).
async fn one(ws: &mut Ws, id: &str, query: &str, variables: Value) -> Value {
    send(
        ws,
        json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } }),
    )
    .await;
    let m = next(ws).await;
    assert_eq!(m["id"], id, "{m}");
    assert_eq!(m["type"], "next", "{m}");
    assert_eq!(next(ws).await["type"], "complete");
    m["payload"].clone()
}

#[tokio::test]
async fn every_operation_on_a_socket_is_a_request_of_its_own() {
    let app = TestApp::new().await;
    let addr = app.serve().await;
    // The partner pages that need a request's loaders answer as over HTTP.
    let s = shop(&app, "wsq", &[]).await;
    let clients = "{ viewer { organizations { partner { clients(first: 3) { totalCount } } } } }";
    let members = "query($o: ID!) { organization(id: $o) { members { totalCount } } }";
    let mut ws = signed_in(addr, ROOT, &s.p.owner).await;
    for (n, (query, vars)) in [(clients, json!({})), (members, json!({ "o": s.p.org }))]
        .into_iter()
        .enumerate()
    {
        let over_http = app.ok(ROOT, Some(&s.p.owner), query, vars.clone()).await;
        let over_socket = one(&mut ws, &n.to_string(), query, vars).await;
        assert!(over_socket["errors"].is_null(), "{over_socket}");
        assert_eq!(over_socket["data"], over_http, "{query}");
    }
    assert_eq!(
        one(&mut ws, "c", clients, json!({})).await["data"]["viewer"]["organizations"][0]["partner"]
            ["clients"]["totalCount"],
        1
    );

    // A member whose roles one operation read, removed over HTTP, is refused on the
    // socket's next operation.
    let f = app.org_fixture().await;
    let org = "query($o: ID!) { organization(id: $o) { name viewerRole } }";
    let mut ws = signed_in(addr, ROOT, f.token("member")).await;
    let d = one(&mut ws, "1", org, json!({ "o": f.org })).await;
    assert_eq!(d["data"]["organization"]["viewerRole"], "MEMBER", "{d}");
    app.ok(
        ROOT,
        Some(f.token("owner")),
        "mutation($i: MemberInput!) { removeMember(input: $i) { removedUserId } }",
        json!({ "i": { "organizationId": f.org, "userId": f.users["member"] } }),
    )
    .await;
    let d = one(&mut ws, "2", org, json!({ "o": f.org })).await;
    assert!(d["data"].is_null(), "{d}");
    assert_eq!(d["errors"][0]["extensions"]["code"], "FORBIDDEN", "{d}");
    // And a demoted user admin may no longer do what the role allowed.
    let admin_only = "query($o: ID!) { auditLog(organizationId: $o) { totalCount } }";
    let mut ws = signed_in(addr, ROOT, f.token("owner")).await;
    let d = one(&mut ws, "1", admin_only, json!({ "o": f.org })).await;
    assert!(d["errors"].is_null(), "{d}");
    app.sql(&format!(
        "UPDATE organization_members SET role = 'MEMBER' WHERE user_id = {}",
        raw(&f.users["owner"])
    ))
    .await;
    let d = one(&mut ws, "2", admin_only, json!({ "o": f.org })).await;
    assert_eq!(d["errors"][0]["extensions"]["code"], "FORBIDDEN", "{d}");
    // A session ended over HTTP is refused on the socket's next operation, before the
    // watchdog's next look closes the socket.
    app.ok(
        ROOT,
        Some(f.token("owner")),
        "mutation { logOut(input: {}) { endedSessions } }",
        json!({}),
    )
    .await;
    let d = one(&mut ws, "3", "{ viewer { email } }", json!({})).await;
    assert_eq!(
        d["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{d}"
    );
}

#[tokio::test]
async fn impersonated_mutations_on_a_socket_are_audited_like_http_ones() {
    use crate::partners::{ACCEPT_SM, IMPERSONATE, partner};
    let app = TestApp::new().await;
    let addr = app.serve().await;
    let p = partner(&app, ROOT, "wsi", "GOLD").await;
    let (sam, _, sam_id) = app.sign_up(ROOT, "sam.ws@client.example").await;
    app.ok(
        ROOT,
        Some(&sam),
        ACCEPT_SM,
        json!({ "c": p.service_manager }),
    )
    .await;
    let d = app
        .ok(ROOT, Some(&p.owner), IMPERSONATE, json!({ "i": { "partnerId": p.id, "clientId": sam_id, "reason": "help", "minutes": 30 } }))
        .await;
    let token = d["impersonateClient"]["accessToken"].as_str().unwrap();
    let mut ws = signed_in(addr, ROOT, token).await;
    let d = one(
        &mut ws,
        "1",
        "mutation Rename { updateAccount(input: { displayName: \"Sam (helped)\" }) { user { displayName } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        d["data"]["updateAccount"]["user"]["displayName"], "Sam (helped)",
        "{d}"
    );
    let d = one(
        &mut ws,
        "2",
        "mutation Leave { detachFromPartner { partner { name } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        d["errors"][0]["extensions"]["code"], "IMPERSONATION_FORBIDDEN",
        "{d}"
    );
    let staff = app.staff_token().await;
    let q = "query($a: String) { auditLog(action: $a) { edges { node { actor { email } impersonator { email } details } } } }";
    for (action, operation, field) in [
        ("impersonation.mutation", "Rename", "updateAccount"),
        (
            "impersonation.mutation_refused",
            "Leave",
            "detachFromPartner",
        ),
    ] {
        let log = app.ok(ROOT, Some(&staff), q, json!({ "a": action })).await;
        let entries = log["auditLog"]["edges"].as_array().unwrap();
        assert_eq!(entries.len(), 1, "{action}: {entries:?}");
        let e = &entries[0]["node"];
        assert_eq!(e["actor"]["email"], "sam.ws@client.example");
        assert_eq!(e["impersonator"]["email"], "partner-wsi@example.com");
        assert_eq!(e["details"]["operation"], operation, "{e}");
        assert_eq!(e["details"]["fields"], json!([field]), "{e}");
    }
}

#[tokio::test]
async fn the_request_timeout_applies_to_mutations_on_a_socket() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let app = TestApp::with_config(|c| c.request_timeout_secs = 1).await;
    let addr = app.serve().await;
    let (ann, _, ann_id) = app.sign_up(ROOT, "ann.slow@example.com").await;
    let mut ws = signed_in(addr, ROOT, &ann).await;
    // Another transaction holds the user's row (PostgreSQL) or the database's write lock
    // (SQLite), so the mutation waits longer than the request may take.
    let held = app.db().begin().await.unwrap();
    held.execute_unprepared(&format!(
        "UPDATE users SET display_name = display_name WHERE id = {}",
        raw(&ann_id)
    ))
    .await
    .unwrap();
    let d = one(
        &mut ws,
        "1",
        "mutation { updateAccount(input: { displayName: \"Slow\" }) { user { displayName } } }",
        json!({}),
    )
    .await;
    assert_eq!(d["errors"][0]["extensions"]["code"], "TIMEOUT", "{d}");
    held.rollback().await.unwrap();
    // The socket goes on.
    let d = one(&mut ws, "2", "{ viewer { email } }", json!({})).await;
    assert_eq!(d["data"]["viewer"]["email"], "ann.slow@example.com", "{d}");
}
