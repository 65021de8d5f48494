//! Rate limits (issue 12): the guessable operations per client address and per account,
//! every request per tenant and per user; `RATE_LIMITED` with `Retry-After`, 429 at the
//! HTTP level; budgets refill with the (injected) clock.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::leads::{SUBMIT, lead_input};
use crate::support::*;

const LOG_IN: &str = "mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }";

/// A request from `addr` as a trusted proxy in front of us would forward it.
fn from(addr: &str, token: Option<&str>, query: &str, vars: Value) -> Request<Body> {
    let mut b = Request::post("/graphql")
        .header("host", ROOT)
        .header("content-type", "application/json")
        .header("x-forwarded-for", addr);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(Body::from(
        json!({ "query": query, "variables": vars }).to_string(),
    ))
    .unwrap()
}

fn log_in(email: &str) -> Value {
    json!({ "i": { "email": email, "password": "wrong password 123" } })
}

#[tokio::test]
async fn log_in_is_limited_per_account_and_per_address() {
    let app = TestApp::with_config(|c| {
        c.trusted_proxies = "127.0.0.1".into();
        c.rate_limit_guarded_per_account = 3;
        c.rate_limit_guarded_per_address = 5;
    })
    .await;
    app.state.services.clock.set(Some(chrono::Utc::now()));
    app.sign_up(ROOT, "ann@example.com").await;
    // Three wrong passwords for Ann, from three addresses: each answered as usual.
    for addr in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        let r = app
            .send(from(addr, None, LOG_IN, log_in("ann@example.com")))
            .await;
        assert_ne!(first_code(&r.body), "RATE_LIMITED");
    }
    // The fourth, from yet another address, is refused for the account, even with the
    // right password and however the email is written.
    let r = app
        .send(from(
            "203.0.113.4",
            None,
            LOG_IN,
            json!({ "i": { "email": " ANN@example.com", "password": PASSWORD } }),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(first_code(&r.body), "RATE_LIMITED");
    let wait = r.body["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    assert_eq!(r.headers[header::RETRY_AFTER], wait.to_string().as_str());
    // Another account is not affected.
    let r = app
        .send(from("203.0.113.4", None, LOG_IN, log_in("bob@example.com")))
        .await;
    assert_ne!(first_code(&r.body), "RATE_LIMITED");
    // One address trying many accounts is stopped by its own budget.
    for i in 0..5 {
        let r = app
            .send(from(
                "198.51.100.7",
                None,
                LOG_IN,
                log_in(&format!("u{i}@example.com")),
            ))
            .await;
        assert_ne!(first_code(&r.body), "RATE_LIMITED", "attempt {i}");
    }
    let r = app
        .send(from("198.51.100.7", None, LOG_IN, log_in("u9@example.com")))
        .await;
    assert_eq!(first_code(&r.body), "RATE_LIMITED");
    // The budget refills with time: after the wait, Ann signs in.
    app.state
        .services
        .clock
        .advance(chrono::Duration::seconds(wait as i64));
    let r = app
        .send(from(
            "203.0.113.9",
            None,
            LOG_IN,
            json!({ "i": { "email": "ann@example.com", "password": PASSWORD } }),
        ))
        .await;
    assert!(
        r.body["data"]["logIn"]["accessToken"].is_string(),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn every_guarded_operation_has_its_own_budget_per_address() {
    let app = TestApp::with_config(|c| {
        c.trusted_proxies = "127.0.0.1".into();
        c.rate_limit_guarded_per_address = 1;
        c.rate_limit_guarded_per_account = 100;
    })
    .await;
    app.state.services.clock.set(Some(chrono::Utc::now()));
    let cases: Vec<(&str, Value)> = vec![
        (
            "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }",
            json!({ "i": { "email": "new@example.com", "password": PASSWORD, "displayName": "New" } }),
        ),
        (LOG_IN, log_in("new@example.com")),
        (
            "mutation($e: String!) { requestPasswordReset(input: { email: $e }) { accepted } }",
            json!({ "e": "new@example.com" }),
        ),
        (
            "mutation($t: String!) { verifyEmail(input: { token: $t }) { user { id } } }",
            json!({ "t": "not-a-token" }),
        ),
        (SUBMIT, json!({ "i": lead_input("Ivan") })),
        (
            "query($c: String!) { verifyCertificate(code: $c) { valid } }",
            json!({ "c": "AAAA-BBBB-CCCC-DDDD" }),
        ),
    ];
    for (query, vars) in &cases {
        // The first attempt is answered (whatever the answer) ...
        let r = app.send(from("192.0.2.1", None, query, vars.clone())).await;
        assert!(
            r.body["errors"].is_null() || first_code(&r.body) != "RATE_LIMITED",
            "{query}: {}",
            r.body
        );
        // ... the second from the same address is refused ...
        let r = app.send(from("192.0.2.1", None, query, vars.clone())).await;
        assert_eq!(first_code(&r.body), "RATE_LIMITED", "{query}");
        assert!(r.headers.contains_key(header::RETRY_AFTER), "{query}");
        // ... and another address still has its budget.
        let r = app.send(from("192.0.2.2", None, query, vars.clone())).await;
        assert!(
            r.body["errors"].is_null() || first_code(&r.body) != "RATE_LIMITED",
            "{query}: {}",
            r.body
        );
    }
    // Partner-code look-ups by a signed-in user.
    let (token, _, _) = app.sign_up(ROOT, "client@example.com").await;
    let join = "mutation($c: String!) { joinPartner(input: { code: $c }) { prompt { id } } }";
    let r = app
        .send(from(
            "192.0.2.3",
            Some(&token),
            join,
            json!({ "c": "NOPE1234" }),
        ))
        .await;
    assert_ne!(first_code(&r.body), "RATE_LIMITED", "{}", r.body);
    let r = app
        .send(from(
            "192.0.2.3",
            Some(&token),
            join,
            json!({ "c": "NOPE5678" }),
        ))
        .await;
    assert_eq!(first_code(&r.body), "RATE_LIMITED");
}

#[tokio::test]
async fn requests_are_limited_per_user_and_per_tenant_with_429() {
    let app = TestApp::with_config(|c| {
        c.rate_limit_user_per_second = 2;
        c.rate_limit_tenant_per_second = 0;
    })
    .await;
    app.state.services.clock.set(Some(chrono::Utc::now()));
    let (ann, _, _) = app.sign_up(ROOT, "ann@example.com").await;
    let (bob, _, _) = app.sign_up(ROOT, "bob@example.com").await;
    let viewer = "{ viewer { email } }";
    // A burst of twice the rate per second ...
    for _ in 0..4 {
        app.ok(ROOT, Some(&ann), viewer, json!({})).await;
    }
    // ... then 429 with Retry-After, for Ann only.
    let r = app.post(ROOT, Some(&ann), viewer, json!({})).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(first_code(&r.body), "RATE_LIMITED");
    assert_eq!(r.headers[header::RETRY_AFTER], "1");
    assert_eq!(r.body["errors"][0]["extensions"]["retryAfter"], 1);
    app.ok(ROOT, Some(&bob), viewer, json!({})).await;
    app.state
        .services
        .clock
        .advance(chrono::Duration::milliseconds(500));
    app.ok(ROOT, Some(&ann), viewer, json!({})).await;

    // Per tenant: everyone on the brand shares one budget; another brand has its own.
    let app = TestApp::with_config(|c| {
        c.rate_limit_user_per_second = 0;
        c.rate_limit_tenant_per_second = 1;
    })
    .await;
    app.state.services.clock.set(Some(chrono::Utc::now()));
    let (_, acme) = app.tenant("acme").await;
    // Setting up spent the root tenant's budget; a few seconds refill it.
    app.state
        .services
        .clock
        .advance(chrono::Duration::seconds(5));
    let q = "{ tenant { slug } }";
    app.ok(ROOT, None, q, json!({})).await;
    app.ok(ROOT, None, q, json!({})).await;
    let r = app.post(ROOT, None, q, json!({})).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    app.ok(&acme, None, q, json!({})).await;
}

/// The limits that guard accounts are the database's, not one instance's: two instances
/// over one database allow no more guesses than one. IPv6 clients count by their /64.
#[tokio::test]
async fn guarded_limits_hold_across_instances_and_ipv6_counts_by_its_64() {
    let app = TestApp::with_config(|c| {
        c.trusted_proxies = "127.0.0.1".into();
        c.rate_limit_guarded_per_account = 4;
        c.rate_limit_guarded_per_address = 3;
    })
    .await;
    app.sign_up(ROOT, "ann@example.com").await;
    let other = partner_gateway::app(app.second_instance().await);
    // Four wrong passwords for Ann, alternating instances and addresses: each answered.
    for (n, addr) in [
        "198.51.100.1",
        "198.51.100.2",
        "198.51.100.3",
        "198.51.100.4",
    ]
    .into_iter()
    .enumerate()
    {
        let req = from(addr, None, LOG_IN, log_in("ann@example.com"));
        let r = if n % 2 == 0 {
            app.send(req).await
        } else {
            send_to(&other, req).await
        };
        assert_ne!(
            first_code(&r.body),
            "RATE_LIMITED",
            "attempt {n}: {}",
            r.body
        );
    }
    // The fifth is refused, on either instance.
    for r in [
        app.send(from(
            "198.51.100.5",
            None,
            LOG_IN,
            log_in("ann@example.com"),
        ))
        .await,
        send_to(
            &other,
            from("198.51.100.6", None, LOG_IN, log_in("ann@example.com")),
        )
        .await,
    ] {
        assert_eq!(first_code(&r.body), "RATE_LIMITED", "{}", r.body);
    }
    // Per address: three attempts from one IPv6 /64, on both instances, for three
    // accounts; a fourth address of the same /64 is refused, another /64 is not.
    for (n, addr) in ["2001:db8:7:1::1", "2001:db8:7:1::2", "2001:db8:7:1:ffff::9"]
        .into_iter()
        .enumerate()
    {
        let req = from(addr, None, LOG_IN, log_in(&format!("v6-{n}@example.com")));
        let r = if n % 2 == 0 {
            app.send(req).await
        } else {
            send_to(&other, req).await
        };
        assert_ne!(
            first_code(&r.body),
            "RATE_LIMITED",
            "attempt {n}: {}",
            r.body
        );
    }
    let r = send_to(
        &other,
        from(
            "2001:db8:7:1::abcd",
            None,
            LOG_IN,
            log_in("v6-x@example.com"),
        ),
    )
    .await;
    assert_eq!(first_code(&r.body), "RATE_LIMITED", "{}", r.body);
    let r = app
        .send(from(
            "2001:db8:7:2::1",
            None,
            LOG_IN,
            log_in("v6-y@example.com"),
        ))
        .await;
    assert_ne!(first_code(&r.body), "RATE_LIMITED", "{}", r.body);
}

/// Twenty guesses at one account at once, over two instances: exactly the budget gets
/// through (one atomic upsert per attempt decides, never a read and a later write).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_guesses_at_one_account_get_exactly_its_budget() {
    let app = TestApp::with_config(|c| {
        c.trusted_proxies = "127.0.0.1".into();
        c.rate_limit_guarded_per_account = 4;
        c.rate_limit_guarded_per_address = 0;
    })
    .await;
    app.sign_up(ROOT, "ann@example.com").await;
    let other = partner_gateway::app(app.second_instance().await);
    let calls: Vec<_> = (0..20)
        .map(|i| {
            let req = from(
                &format!("198.51.100.{}", 10 + i),
                None,
                LOG_IN,
                log_in("ann@example.com"),
            );
            if i % 2 == 0 {
                app.spawn_send(req)
            } else {
                let other = other.clone();
                tokio::spawn(async move { send_to(&other, req).await })
            }
        })
        .collect();
    let mut through = 0;
    for c in calls {
        let r = c.await.unwrap();
        if first_code(&r.body) != "RATE_LIMITED" {
            through += 1;
        }
    }
    assert_eq!(through, 4);
}

/// An account typed as a very long string is counted like any other (stored by its
/// digest), never an internal error.
#[tokio::test]
async fn a_very_long_account_is_limited_not_an_internal_error() {
    let app = TestApp::with_config(|c| {
        c.trusted_proxies = "127.0.0.1".into();
        c.rate_limit_guarded_per_account = 1;
    })
    .await;
    let long = format!("{}@example.com", "a".repeat(60_000));
    let codes: Vec<String> = {
        let mut out = Vec::new();
        for addr in ["198.51.100.40", "198.51.100.41"] {
            let r = app.send(from(addr, None, LOG_IN, log_in(&long))).await;
            out.push(first_code(&r.body));
        }
        out
    };
    assert!(!codes.iter().any(|c| c == "INTERNAL"), "{codes:?}");
    assert_eq!(codes[1], "RATE_LIMITED", "{codes:?}");
}
