//! Identity: sign-up, log-in, tokens, sessions, password reset.

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use tenants::tokens::{Claims, ISSUER, JwtKeys, audience};

use crate::support::*;

const VIEWER: &str = "{ viewer { id email phone displayName isPlatformAdmin } }";
const REFRESH: &str = "mutation($t: String!) { refreshSession(input: { refreshToken: $t }) { accessToken refreshToken expiresIn viewer { email } } }";

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[tokio::test]
async fn sign_up_signs_in_and_the_viewer_is_the_new_user() {
    let app = TestApp::new().await;
    let d = app
        .ok(
            ROOT,
            None,
            "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken refreshToken expiresIn viewer { email phone } } }",
            json!({ "i": { "email": " Ann@Example.COM ", "phone": "+7 (999) 123-45-67", "password": PASSWORD, "displayName": "Ann" } }),
        )
        .await;
    let p = &d["signUp"];
    assert_eq!(p["expiresIn"], 900);
    assert_eq!(
        p["viewer"],
        json!({ "email": "ann@example.com", "phone": "+79991234567" })
    );
    let token = p["accessToken"].as_str().unwrap();
    let claims = payload(token);
    for claim in ["sub", "tid", "aud", "iat", "exp", "jti", "nbf", "sid"] {
        assert!(claims.get(claim).is_some(), "missing {claim}: {claims}");
    }
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        900
    );
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["kid"], app.state.services.keys.kid());
    let v = app.ok(ROOT, Some(token), VIEWER, json!({})).await;
    assert_eq!(v["viewer"]["email"], "ann@example.com");
    assert_eq!(v["viewer"]["isPlatformAdmin"], false);
    let anon = app.ok(ROOT, None, VIEWER, json!({})).await;
    assert!(anon["viewer"].is_null());
}

#[tokio::test]
async fn sign_up_validates_and_refuses_duplicates() {
    let app = TestApp::new().await;
    let m = "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }";
    let bad = [
        (
            json!({ "email": "nope", "password": PASSWORD, "displayName": "A" }),
            "email",
        ),
        (
            json!({ "email": "a@example.com", "password": "short", "displayName": "A" }),
            "password",
        ),
        (
            json!({ "email": "a@example.com", "password": PASSWORD, "displayName": "  " }),
            "displayName",
        ),
        (
            json!({ "email": "a@example.com", "phone": "12345", "password": PASSWORD, "displayName": "A" }),
            "phone",
        ),
    ];
    for (input, field) in bad {
        let r = app.post(ROOT, None, m, json!({ "i": input })).await;
        assert_eq!(first_code(&r.body), "BAD_USER_INPUT");
        assert_eq!(first_field(&r.body), field);
    }
    app.ok(ROOT, None, m, json!({ "i": { "email": "a@example.com", "phone": "+79990000001", "password": PASSWORD, "displayName": "A" } })).await;
    let dup = app
        .post(
            ROOT,
            None,
            m,
            json!({ "i": { "email": "A@EXAMPLE.com", "password": PASSWORD, "displayName": "B" } }),
        )
        .await;
    assert_eq!(first_code(&dup.body), "CONFLICT");
    assert_eq!(first_field(&dup.body), "email");
    let dup_phone = app.post(ROOT, None, m, json!({ "i": { "email": "b@example.com", "phone": "+7 999 000 00 01", "password": PASSWORD, "displayName": "B" } })).await;
    assert_eq!(first_code(&dup_phone.body), "CONFLICT");
    assert_eq!(first_field(&dup_phone.body), "phone");
}

#[tokio::test]
async fn the_same_email_on_two_tenants_is_two_users() {
    let app = TestApp::new().await;
    let (_, acme) = app.tenant("acme").await;
    let (root_token, _, root_id) = app.sign_up(ROOT, "same@example.com").await;
    let (acme_token, _, acme_id) = app.sign_up(&acme, "same@example.com").await;
    assert_ne!(root_id, acme_id);
    let on_root = app.ok(ROOT, Some(&root_token), VIEWER, json!({})).await;
    let on_acme = app.ok(&acme, Some(&acme_token), VIEWER, json!({})).await;
    assert_eq!(on_root["viewer"]["id"], root_id);
    assert_eq!(on_acme["viewer"]["id"], acme_id);
    // A password reset on one tenant leaves the other account alone.
    app.ok(
        ROOT,
        None,
        "mutation { requestPasswordReset(input: { email: \"same@example.com\" }) { accepted } }",
        json!({}),
    )
    .await;
    let mail = app
        .outbox_email("same@example.com", "PASSWORD_RESET")
        .await
        .unwrap();
    assert!(
        mail.body_text
            .contains("http://localhost:8080/reset-password?token=")
    );
}

#[tokio::test]
async fn log_in_by_email_or_phone() {
    let app = TestApp::new().await;
    app.ok(
        ROOT,
        None,
        "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }",
        json!({ "i": { "email": "p@example.com", "phone": "+79991112233", "password": PASSWORD, "displayName": "P" } }),
    )
    .await;
    let m = "mutation($i: LogInInput!) { logIn(input: $i) { accessToken viewer { email } } }";
    let by_email = app
        .ok(
            ROOT,
            None,
            m,
            json!({ "i": { "email": "P@Example.com", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(by_email["logIn"]["viewer"]["email"], "p@example.com");
    let by_phone = app
        .ok(
            ROOT,
            None,
            m,
            json!({ "i": { "phone": "+7 999 111-22-33", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(by_phone["logIn"]["viewer"]["email"], "p@example.com");
    let wrong = app
        .post(
            ROOT,
            None,
            m,
            json!({ "i": { "email": "p@example.com", "password": "wrong password" } }),
        )
        .await;
    assert_eq!(first_code(&wrong.body), "UNAUTHENTICATED");
    let nobody = app
        .post(
            ROOT,
            None,
            m,
            json!({ "i": { "email": "nobody@example.com", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(first_code(&nobody.body), "UNAUTHENTICATED");
    assert_eq!(
        wrong.body["errors"][0]["message"],
        nobody.body["errors"][0]["message"]
    );
    let neither = app
        .post(ROOT, None, m, json!({ "i": { "password": PASSWORD } }))
        .await;
    assert_eq!(first_code(&neither.body), "BAD_USER_INPUT");
}

#[tokio::test]
async fn token_from_another_tenant_is_refused() {
    let app = TestApp::new().await;
    let (_, acme) = app.tenant("acme").await;
    let (acme_token, _, _) = app.sign_up(&acme, "ann@example.com").await;
    let r = app.post(ROOT, Some(&acme_token), VIEWER, json!({})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(first_code(&r.body), "UNAUTHENTICATED");
    assert!(r.body.get("data").is_none());
    // A platform admin's token is good on the root tenant only.
    let staff = app.staff_token().await;
    let r = app
        .post(&acme, Some(&staff), "{ tenants { totalCount } }", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

fn claims_for(token: &str) -> Claims {
    serde_json::from_value(payload(token)).unwrap()
}

#[tokio::test]
async fn forged_expired_and_tampered_tokens_are_refused() {
    let app = TestApp::new().await;
    let (token, _, _) = app.sign_up(ROOT, "ann@example.com").await;
    let good = claims_for(&token);
    let keys = &app.state.services.keys;
    let mut forged: Vec<(&str, String)> = Vec::new();

    // alg: none, unsigned.
    let none_header = json!({ "alg": "none", "typ": "JWT" });
    forged.push((
        "alg none",
        format!("{}.{}.", b64(&none_header), b64(&payload(&token))),
    ));
    // Really signed, over a header naming our key id, by another Ed25519 key.
    let other = JwtKeys::generate();
    let other_key = {
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        let signing = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
        let pem = signing
            .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .unwrap();
        jsonwebtoken::EncodingKey::from_ed_pem(pem.as_bytes()).unwrap()
    };
    let wrong_key = jsonwebtoken::encode(
        &jsonwebtoken::Header {
            alg: jsonwebtoken::Algorithm::EdDSA,
            kid: Some(keys.kid().into()),
            ..Default::default()
        },
        &good,
        &other_key,
    )
    .unwrap();
    // The forgery is well-formed: only the key is wrong.
    assert_eq!(
        jsonwebtoken::decode_header(&wrong_key)
            .unwrap()
            .kid
            .as_deref(),
        Some(keys.kid())
    );
    forged.push(("wrong key, our kid", wrong_key));
    forged.push(("unknown kid", other.sign(&good).unwrap()));
    // Algorithm confusion: HS256 with the public JWK as the secret.
    let public = keys.jwks()["keys"][0]["x"].as_str().unwrap().to_string();
    let hs = jsonwebtoken::encode(
        &jsonwebtoken::Header {
            alg: jsonwebtoken::Algorithm::HS256,
            kid: Some(keys.kid().into()),
            ..Default::default()
        },
        &good,
        &jsonwebtoken::EncodingKey::from_secret(public.as_bytes()),
    )
    .unwrap();
    forged.push(("HS256 confusion", hs));
    // Expired and not yet valid, properly signed.
    let now = chrono::Utc::now().timestamp();
    let expired = Claims {
        iat: now - 7200,
        nbf: now - 7200,
        exp: now - 3600,
        ..good.clone()
    };
    forged.push(("expired", keys.sign(&expired).unwrap()));
    let future = Claims {
        iat: now + 3600,
        nbf: now + 3600,
        exp: now + 7200,
        ..good.clone()
    };
    forged.push(("not yet valid", keys.sign(&future).unwrap()));
    // Wrong audience for this tenant, and the wrong issuer.
    let wrong_aud = Claims {
        aud: audience(999),
        ..good.clone()
    };
    forged.push(("wrong audience", keys.sign(&wrong_aud).unwrap()));
    let wrong_iss = Claims {
        iss: "someone-else".into(),
        ..good.clone()
    };
    forged.push(("wrong issuer", keys.sign(&wrong_iss).unwrap()));
    assert_eq!(good.iss, ISSUER);
    // Tampered: the payload changed after signing (another user id).
    let mut tampered_claims = payload(&token);
    tampered_claims["sub"] = json!("999");
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    parts[1] = b64(&tampered_claims);
    forged.push(("tampered", parts.join(".")));
    forged.push(("garbage", "not.a.token".into()));

    for (what, bad) in forged {
        let r = app.post(ROOT, Some(&bad), VIEWER, json!({})).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{what}: {}", r.body);
        assert_eq!(first_code(&r.body), "UNAUTHENTICATED", "{what}");
        assert!(r.body.get("data").is_none(), "{what}");
    }
    // The genuine token still works.
    app.ok(ROOT, Some(&token), VIEWER, json!({})).await;
    // A bad Authorization scheme is an error, not an anonymous request.
    let r = app
        .send(
            axum::http::Request::post("/graphql")
                .header("host", ROOT)
                .header("content-type", "application/json")
                .header("authorization", format!("Basic {token}"))
                .body(axum::body::Body::from(
                    json!({ "query": VIEWER }).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = TestApp::new().await;
    let (access1, refresh1, _) = app.sign_up(ROOT, "ann@example.com").await;
    let d = app.ok(ROOT, None, REFRESH, json!({ "t": refresh1 })).await;
    let refresh2 = d["refreshSession"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    let access2 = d["refreshSession"]["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(refresh1, refresh2);
    assert_eq!(d["refreshSession"]["viewer"]["email"], "ann@example.com");
    app.ok(ROOT, Some(&access2), VIEWER, json!({})).await;
    app.ok(ROOT, Some(&access1), VIEWER, json!({})).await;

    // Someone replays the first refresh token: the whole session ends.
    let reuse = app
        .post(ROOT, None, REFRESH, json!({ "t": refresh1 }))
        .await;
    assert_eq!(first_code(&reuse.body), "UNAUTHENTICATED");
    let after = app
        .post(ROOT, None, REFRESH, json!({ "t": refresh2 }))
        .await;
    assert_eq!(first_code(&after.body), "UNAUTHENTICATED");
    for t in [&access1, &access2] {
        let r = app.post(ROOT, Some(t), VIEWER, json!({})).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // Another session of the same user is unaffected.
    let other = app.log_in(ROOT, "ann@example.com", PASSWORD).await;
    app.ok(ROOT, Some(&other), VIEWER, json!({})).await;
    // Unknown tokens and tokens of another tenant are refused.
    let unknown = app.post(ROOT, None, REFRESH, json!({ "t": "nope" })).await;
    assert_eq!(first_code(&unknown.body), "UNAUTHENTICATED");
    let (_, acme) = app.tenant("acme").await;
    let (_, acme_refresh, _) = app.sign_up(&acme, "bob@example.com").await;
    let cross = app
        .post(ROOT, None, REFRESH, json!({ "t": acme_refresh }))
        .await;
    assert_eq!(first_code(&cross.body), "UNAUTHENTICATED");
    app.ok(&acme, None, REFRESH, json!({ "t": acme_refresh }))
        .await;
}

#[tokio::test]
async fn log_out_ends_the_session_on_the_next_request() {
    let app = TestApp::new().await;
    let (access, refresh, _) = app.sign_up(ROOT, "ann@example.com").await;
    let other = app.log_in(ROOT, "ann@example.com", PASSWORD).await;
    let d = app
        .ok(
            ROOT,
            Some(&access),
            "mutation { logOut(input: {}) { endedSessions } }",
            json!({}),
        )
        .await;
    assert_eq!(d["logOut"]["endedSessions"], 1);
    let r = app.post(ROOT, Some(&access), VIEWER, json!({})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.post(ROOT, None, REFRESH, json!({ "t": refresh })).await;
    assert_eq!(first_code(&r.body), "UNAUTHENTICATED");
    app.ok(ROOT, Some(&other), VIEWER, json!({})).await;
    let d = app
        .ok(
            ROOT,
            Some(&other),
            "mutation { logOut(input: { everywhere: true }) { endedSessions } }",
            json!({}),
        )
        .await;
    assert_eq!(d["logOut"]["endedSessions"], 1);
    let anon = app
        .post(
            ROOT,
            None,
            "mutation { logOut(input: {}) { endedSessions } }",
            json!({}),
        )
        .await;
    assert_eq!(first_code(&anon.body), "UNAUTHENTICATED");
}

#[tokio::test]
async fn password_reset_uses_a_one_time_branded_link_and_ends_sessions() {
    let app = TestApp::new().await;
    let (_, acme) = app.tenant("acme").await;
    let (old_access, _, _) = app.sign_up(&acme, "ann@example.com").await;
    let ask = "mutation($e: String!) { requestPasswordReset(input: { email: $e }) { accepted } }";
    let d = app
        .ok(&acme, None, ask, json!({ "e": "ANN@example.com" }))
        .await;
    assert_eq!(d["requestPasswordReset"]["accepted"], true);
    let mail = app
        .outbox_email("ann@example.com", "PASSWORD_RESET")
        .await
        .unwrap();
    assert!(
        mail.body_text
            .contains("http://acme.localhost:8080/reset-password?token="),
        "{}",
        mail.body_text
    );
    assert!(mail.subject.contains("acme brand"));
    assert!(mail.body_html.contains("#2F6FED"));
    assert_eq!(mail.status, "PENDING");
    // Nothing is revealed, or sent, for an unknown email.
    let d = app
        .ok(&acme, None, ask, json!({ "e": "ghost@example.com" }))
        .await;
    assert_eq!(d["requestPasswordReset"]["accepted"], true);
    assert!(
        app.outbox_email("ghost@example.com", "PASSWORD_RESET")
            .await
            .is_none()
    );

    let token = app.link_token("ann@example.com", "PASSWORD_RESET").await;
    // The link is bound to its tenant.
    let reset = "mutation($t: String!, $p: String!) { resetPassword(input: { token: $t, newPassword: $p }) { user { email } } }";
    let cross = app
        .post(
            ROOT,
            None,
            reset,
            json!({ "t": token, "p": "a brand new password" }),
        )
        .await;
    assert_eq!(first_code(&cross.body), "INVALID_TOKEN");
    let weak = app
        .post(&acme, None, reset, json!({ "t": token, "p": "short" }))
        .await;
    assert_eq!(first_field(&weak.body), "newPassword");
    app.ok(
        &acme,
        None,
        reset,
        json!({ "t": token, "p": "a brand new password" }),
    )
    .await;
    let again = app
        .post(
            &acme,
            None,
            reset,
            json!({ "t": token, "p": "yet another password" }),
        )
        .await;
    assert_eq!(first_code(&again.body), "INVALID_TOKEN");
    assert_eq!(first_field(&again.body), "token");
    // Old sessions are over; the new password works, the old one does not.
    let r = app.post(&acme, Some(&old_access), VIEWER, json!({})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    app.log_in(&acme, "ann@example.com", "a brand new password")
        .await;
    let old = app
        .post(&acme, None, "mutation { logIn(input: { email: \"ann@example.com\", password: \"correct horse battery\" }) { accessToken } }", json!({}))
        .await;
    assert_eq!(first_code(&old.body), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_newer_reset_link_replaces_the_older_one_and_links_expire() {
    use entities::one_time_token;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = TestApp::new().await;
    app.sign_up(ROOT, "ann@example.com").await;
    let ask =
        "mutation { requestPasswordReset(input: { email: \"ann@example.com\" }) { accepted } }";
    app.ok(ROOT, None, ask, json!({})).await;
    let first = app.link_token("ann@example.com", "PASSWORD_RESET").await;
    app.ok(ROOT, None, ask, json!({})).await;
    let second = app.link_token("ann@example.com", "PASSWORD_RESET").await;
    let reset = "mutation($t: String!) { resetPassword(input: { token: $t, newPassword: \"a brand new password\" }) { user { email } } }";
    let r = app.post(ROOT, None, reset, json!({ "t": first })).await;
    assert_eq!(first_code(&r.body), "INVALID_TOKEN");
    // Expire the second link in storage; it is refused.
    one_time_token::Entity::update_many()
        .col_expr(
            one_time_token::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(entities::time::now() - chrono::Duration::seconds(1)),
        )
        .filter(one_time_token::Column::UsedAt.is_null())
        .exec(app.db())
        .await
        .unwrap();
    let r = app.post(ROOT, None, reset, json!({ "t": second })).await;
    assert_eq!(first_code(&r.body), "INVALID_TOKEN");
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_use_of_one_refresh_token_has_exactly_one_winner() {
    let app = TestApp::new().await;
    let (_, refresh, _) = app.sign_up(ROOT, "ann@example.com").await;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let router = app.router.clone();
            let body = json!({ "query": REFRESH, "variables": { "t": refresh } }).to_string();
            tokio::spawn(async move {
                let req = axum::http::Request::post("/graphql")
                    .header("host", ROOT)
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(body))
                    .unwrap();
                send_to(&router, req).await
            })
        })
        .collect();
    let results: Vec<Resp> = futures_util::future::join_all(tasks)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let winners: Vec<_> = results
        .iter()
        .filter(|r| r.body.get("errors").is_none())
        .collect();
    // The claim is one conditional UPDATE on the token's row: the first to take the row
    // lock (PostgreSQL) or the write lock (SQLite) wins, the others find it used.
    assert_eq!(winners.len(), 1, "{} refreshes succeeded", winners.len());
    for r in results.iter().filter(|r| r.body.get("errors").is_some()) {
        assert_eq!(first_code(&r.body), "UNAUTHENTICATED", "{}", r.body);
    }
    // The losers count as reuse: the session (the whole family) is over, so the winner's
    // new tokens are dead too.
    let w = &winners[0].body["data"]["refreshSession"];
    let r = app
        .post(
            ROOT,
            None,
            REFRESH,
            json!({ "t": w["refreshToken"].as_str().unwrap() }),
        )
        .await;
    assert_eq!(first_code(&r.body), "UNAUTHENTICATED");
    let r = app
        .post(
            ROOT,
            Some(w["accessToken"].as_str().unwrap()),
            "{ viewer { email } }",
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn log_out_everywhere_ends_every_session_and_only_the_viewers() {
    let app = TestApp::new().await;
    let (first, _, _) = app.sign_up(ROOT, "ann@example.com").await;
    let second = app.log_in(ROOT, "ann@example.com", PASSWORD).await;
    let third = app.log_in(ROOT, "ann@example.com", PASSWORD).await;
    let (bob, _, _) = app.sign_up(ROOT, "bob@example.com").await;
    let d = app
        .ok(
            ROOT,
            Some(&second),
            "mutation { logOut(input: { everywhere: true }) { endedSessions } }",
            json!({}),
        )
        .await;
    assert_eq!(d["logOut"]["endedSessions"], 3);
    for t in [&first, &second, &third] {
        let r = app
            .post(ROOT, Some(t), "{ viewer { email } }", json!({}))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let d = app
        .ok(ROOT, Some(&bob), "{ viewer { email } }", json!({}))
        .await;
    assert_eq!(d["viewer"]["email"], "bob@example.com");
}

#[tokio::test]
async fn secrets_are_hashed_at_rest() {
    use sea_orm::EntityTrait;
    let app = TestApp::new().await;
    let (owner, refresh, _) = app.sign_up(ROOT, "ann@example.com").await;
    app.ok(
        ROOT,
        None,
        "mutation { requestPasswordReset(input: { email: \"ann@example.com\" }) { accepted } }",
        json!({}),
    )
    .await;
    let reset = app.link_token("ann@example.com", "PASSWORD_RESET").await;
    let verify = app.link_token("ann@example.com", "VERIFY_EMAIL").await;
    app.verify_email(ROOT, "ann@example.com").await;
    let org = app.create_org(ROOT, &owner, "Shop").await;
    app.invite(ROOT, &owner, &org, "bob@example.com", "MEMBER", json!([]))
        .await;
    let invitation = app.link_token("bob@example.com", "INVITATION").await;
    let plain = [
        refresh.as_str(),
        reset.as_str(),
        verify.as_str(),
        invitation.as_str(),
    ];
    let mut stored: Vec<String> = Vec::new();
    stored.extend(
        entities::refresh_token::Entity::find()
            .all(app.db())
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.token_hash),
    );
    stored.extend(
        entities::one_time_token::Entity::find()
            .all(app.db())
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.token_hash),
    );
    stored.extend(
        entities::invitation::Entity::find()
            .all(app.db())
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.token_hash),
    );
    assert!(stored.len() >= 4, "{stored:?}");
    for p in plain {
        assert!(
            !stored.iter().any(|s| s.contains(p)),
            "a token is stored in plaintext"
        );
        assert!(
            stored.contains(&tenants::tokens::hash_token(p)),
            "no hash of a token that works"
        );
    }
}

#[tokio::test]
async fn the_outbox_is_readable_by_tenant_admins_and_staff_only() {
    let app = TestApp::new().await;
    let (_, acme) = app.tenant("acme").await;
    let admin = app.tenant_admin_token("acme", &acme).await;
    app.sign_up(&acme, "ann@example.com").await;
    app.sign_up(ROOT, "bob@example.com").await;
    let ask = "mutation($e: String!) { requestPasswordReset(input: { email: $e }) { accepted } }";
    app.ok(&acme, None, ask, json!({ "e": "ann@example.com" }))
        .await;
    app.ok(ROOT, None, ask, json!({ "e": "bob@example.com" }))
        .await;
    let q = "query($r: String) { outboxMessages(recipient: $r) { totalCount edges { node { kind recipient subject status bodyText } } } }";
    let d = app
        .ok(&acme, Some(&admin), q, json!({ "r": "ANN@example.com" }))
        .await;
    let kinds: Vec<&str> = d["outboxMessages"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["VERIFY_EMAIL", "PASSWORD_RESET"]);
    let m = &d["outboxMessages"]["edges"][1]["node"];
    assert_eq!(m["kind"], "PASSWORD_RESET");
    assert_eq!(m["status"], "PENDING");
    assert!(
        m["bodyText"]
            .as_str()
            .unwrap()
            .contains("http://acme.localhost:8080/reset-password?token=")
    );
    let d = app
        .ok(&acme, Some(&admin), q, json!({ "r": "bob@example.com" }))
        .await;
    assert_eq!(
        d["outboxMessages"]["totalCount"], 0,
        "another tenant's mail is invisible"
    );
    let staff = app.staff_token().await;
    let d = app.ok(ROOT, Some(&staff), q, json!({})).await;
    assert!(d["outboxMessages"]["totalCount"].as_u64().unwrap() >= 3);
    let (user, _, _) = app.sign_up(&acme, "carl@example.com").await;
    assert_eq!(
        app.err_code(&acme, Some(&user), q, json!({})).await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.err_code(&acme, None, q, json!({})).await,
        "UNAUTHENTICATED"
    );
}
