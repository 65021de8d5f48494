//! Delivery of the outbox over a real SMTP conversation with a local server
//! (`partner_gateway::dev::local_smtp`): account and notification emails go out once, in the brand, as text and
//! HTML; notification mail carries a one-click unsubscribe link that works without
//! signing in (and only for its own user, kind and tenant); failures are retried with
//! backoff (the injectable clock makes them due), marked `FAILED` after the last attempt
//! or a permanent refusal, shown to staff and retried by them; and two workers on one
//! database send each message once.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Duration;
use entities::outbox_message;
use partner_gateway::config::Secret;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::orders::shop;
use crate::support::*;
use partner_gateway::dev::local_smtp::MailSink;

const OUTBOX: &str = "query($s: OutboxStatus) { outboxMessages(status: $s, last: 50) { edges { node { id kind recipient status attempts lastError nextAttemptAt sentAt failedAt } } } }";
const RETRY: &str = "mutation($i: RetryOutboxMessageInput!) { retryOutboxMessage(input: $i) { message { id status attempts } } }";
const SETTINGS: &str = "{ notificationSettings { kinds { kind email } } }";

async fn with_sink() -> (TestApp, MailSink) {
    let sink = MailSink::start().unwrap();
    let url = sink.url();
    let app = TestApp::with_config(move |c| c.smtp_url = Some(Secret(url))).await;
    (app, sink)
}

async fn deliver(app: &TestApp) -> domain::notifications::delivery::Delivered {
    domain::notifications::delivery::run(&app.state.services)
        .await
        .unwrap()
}

async fn message(app: &TestApp, to: &str, kind: &str) -> outbox_message::Model {
    outbox_message::Entity::find()
        .filter(outbox_message::Column::Recipient.eq(to))
        .filter(outbox_message::Column::Kind.eq(kind))
        .order_by_desc(outbox_message::Column::Id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
}

fn unsubscribe_request(method: &str, host: &str, url: &str) -> Request<Body> {
    let path = &url[url.find("/unsubscribe").unwrap()..];
    Request::builder()
        .method(method)
        .uri(path)
        .header("host", host)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("List-Unsubscribe=One-Click"))
        .unwrap()
}

fn email_switch(d: &serde_json::Value, kind: &str) -> bool {
    d["notificationSettings"]["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == kind)
        .unwrap()["email"]
        .as_bool()
        .unwrap()
}

#[tokio::test]
async fn emails_go_out_once_over_smtp_in_the_brand_and_unsubscribe_in_one_click() {
    let (app, sink) = with_sink().await;
    let s = shop(&app, "dlv", &[(1, 30)]).await;
    let client = app
        .set_password_via_link(ROOT, "anna.dlv@client.example")
        .await;
    app.clock_advance(Duration::days(23) + Duration::minutes(1));
    domain::jobs::run_due(&app.state.services).await.unwrap();
    app.fan_out().await;

    let first = deliver(&app).await;
    assert!(first.sent >= 3, "{first:?}");
    assert_eq!((first.retrying, first.failed), (0, 0));
    // Nothing is sent twice, however often the worker runs.
    assert_eq!(deliver(&app).await.sent, 0);
    let all = sink.received();
    let mut ids: Vec<String> = all
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "each message once");

    // An account email: in the brand, text and HTML, no unsubscribe (it is not a list).
    let set_password = sink
        .to("anna.dlv@client.example")
        .into_iter()
        .find(|m| m.data.contains("Set your password") || m.data.contains("password"))
        .expect("the set-password email");
    assert!(set_password.header("List-Unsubscribe").is_none());
    let row = message(&app, "anna.dlv@client.example", "SET_PASSWORD").await;
    assert_eq!(row.status, "SENT");
    assert!(row.sent_at.is_some());
    assert!(
        set_password
            .header("Message-ID")
            .unwrap()
            .starts_with(&format!("<outbox-{}-{}@", row.tenant_id, row.id))
    );

    // The partner's line notice: From the brand, multipart text + HTML, one-click unsubscribe.
    let notice: Vec<_> = sink
        .to("partner-dlv@example.com")
        .into_iter()
        .filter(|m| {
            m.header("Subject")
                .is_some_and(|s| s.contains("expires in 7 days"))
        })
        .collect();
    assert_eq!(notice.len(), 1, "the notice once");
    let n = &notice[0];
    assert!(
        n.header("From").unwrap().contains("no-reply@localhost"),
        "{:?}",
        n.header("From")
    );
    assert!(
        n.header("Content-Type")
            .unwrap()
            .starts_with("multipart/alternative")
    );
    assert!(n.data.contains("text/plain") && n.data.contains("text/html"));
    assert_eq!(
        n.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let link = n.header("List-Unsubscribe").unwrap();
    let link = link.trim_matches(['<', '>']).to_string();
    assert!(link.starts_with("http://localhost"), "{link}");
    // Not in the outbox copy staff read.
    assert!(
        !message(&app, "partner-dlv@example.com", "LINE_EXPIRING")
            .await
            .body_text
            .contains("/unsubscribe")
    );

    // GET only shows a form: link scanners unsubscribe nobody.
    let shown = app.send(unsubscribe_request("GET", ROOT, &link)).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown
            .body
            .as_str()
            .unwrap()
            .contains("lines that expire soon")
    );
    let d = app.ok(ROOT, Some(&s.p.owner), SETTINGS, json!({})).await;
    assert!(email_switch(&d, "LINE_EXPIRING"));
    // The link on another brand's host is not valid there.
    let (_, acme) = app.tenant("acmedlv").await;
    let elsewhere = app.send(unsubscribe_request("POST", &acme, &link)).await;
    assert_eq!(elsewhere.status, StatusCode::BAD_REQUEST);
    // A tampered link is refused.
    let tampered = app
        .send(unsubscribe_request("POST", ROOT, &format!("{link}x")))
        .await;
    assert_eq!(tampered.status, StatusCode::BAD_REQUEST);
    // POST turns that kind's email off for that user only, without signing in.
    let done = app.send(unsubscribe_request("POST", ROOT, &link)).await;
    assert_eq!(done.status, StatusCode::OK);
    let d = app.ok(ROOT, Some(&s.p.owner), SETTINGS, json!({})).await;
    assert!(!email_switch(&d, "LINE_EXPIRING"));
    assert!(email_switch(&d, "LINE_EXPIRED"));
    let d = app.ok(ROOT, Some(&client), SETTINGS, json!({})).await;
    assert!(email_switch(&d, "LINE_EXPIRING"));
}

#[tokio::test]
async fn failures_back_off_then_fail_and_staff_see_and_retry_them() {
    let (app, sink) = with_sink().await;
    let (_, acme) = app.tenant("acmeretry").await;
    app.state.services.clock.set(Some(entities::time::now()));
    let acme_admin_row = message(&app, "admin@acmeretry.example", "SET_PASSWORD").await;

    // A transient refusal: back to PENDING, due again after about 30 s (±20 %).
    sink.refuse_transiently(1);
    let d = deliver(&app).await;
    assert_eq!((d.sent, d.retrying, d.failed), (0, 1, 0));
    let m = message(&app, "admin@acmeretry.example", "SET_PASSWORD").await;
    assert_eq!((m.status.as_str(), m.attempts), ("PENDING", 1));
    assert!(
        m.last_error.as_deref().unwrap().contains("451"),
        "{:?}",
        m.last_error
    );
    let wait = m.next_attempt_at - app.state.services.clock.now();
    assert!(
        wait >= Duration::seconds(24) && wait <= Duration::seconds(36),
        "{wait}"
    );
    // Not due yet: nothing happens.
    assert_eq!(deliver(&app).await, Default::default());
    app.clock_advance(Duration::seconds(40));
    assert_eq!(deliver(&app).await.sent, 1);
    assert_eq!(sink.to("admin@acmeretry.example").len(), 1);

    // A permanent refusal fails at once; staff find it by status and retry it.
    let admin = app.tenant_admin_token("acmeretry", &acme).await;
    app.ok(
        &acme,
        Some(&admin),
        "mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) { accepted } }",
        json!({ "i": { "email": "admin@acmeretry.example" } }),
    )
    .await;
    sink.refuse_permanently();
    let d = deliver(&app).await;
    assert_eq!((d.sent, d.failed), (0, 1), "{d:?}");
    let q = app
        .ok(
            &acme,
            Some(&admin),
            "{ outboxQueue { pending failed oldestPendingAgeSeconds } }",
            json!({}),
        )
        .await;
    assert_eq!(q["outboxQueue"]["failed"], 1, "{q}");
    assert_eq!(q["outboxQueue"]["pending"], 0, "{q}");
    assert_eq!(q["outboxQueue"]["oldestPendingAgeSeconds"], Value::Null);
    let (user, _, _) = app.sign_up(&acme, "user@acmeretry.example").await;
    assert_eq!(
        app.err_code(&acme, Some(&user), "{ outboxQueue { failed } }", json!({}))
            .await,
        "FORBIDDEN"
    );
    let failed = app
        .ok(&acme, Some(&admin), OUTBOX, json!({ "s": "FAILED" }))
        .await["outboxMessages"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(failed.len(), 1);
    let f = &failed[0]["node"];
    assert_eq!(f["kind"], "PASSWORD_RESET");
    assert!(f["lastError"].as_str().unwrap().contains("550"), "{f}");
    assert!(f["failedAt"].is_string());
    let id = f["id"].as_str().unwrap().to_string();
    // Nobody else's admins may retry it, and it does not exist for them.
    let (_, other) = app.tenant("otherretry").await;
    let other_admin = app.tenant_admin_token("otherretry", &other).await;
    assert_eq!(
        app.err_code(
            &other,
            Some(&other_admin),
            RETRY,
            json!({ "i": { "id": id } })
        )
        .await,
        "NOT_FOUND"
    );
    // A plain user may not see the outbox at all.
    assert_eq!(
        app.err_code(&acme, Some(&user), RETRY, json!({ "i": { "id": id } }))
            .await,
        "NOT_FOUND"
    );
    let r = app
        .ok(&acme, Some(&admin), RETRY, json!({ "i": { "id": id } }))
        .await;
    assert_eq!(r["retryOutboxMessage"]["message"]["status"], "PENDING");
    assert_eq!(r["retryOutboxMessage"]["message"]["attempts"], 0);
    assert!(deliver(&app).await.sent >= 1);
    let reset = message(&app, "admin@acmeretry.example", "PASSWORD_RESET").await;
    assert_eq!((reset.status.as_str(), reset.attempts), ("SENT", 1));
    assert_eq!(
        sink.to("admin@acmeretry.example").len(),
        2,
        "the set-password email and the reset, each once"
    );
    // A sent message is not retried.
    assert_eq!(
        app.err_code(&acme, Some(&admin), RETRY, json!({ "i": { "id": id } }))
            .await,
        "CONFLICT"
    );
    let audit: Vec<String> = app
        .ok(
            ROOT,
            Some(&app.staff_token().await),
            "{ auditLog(last: 20) { edges { node { action } } } }",
            json!({}),
        )
        .await["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap().to_string())
        .collect();
    assert!(
        audit.iter().any(|a| a == "outbox.message_retried"),
        "{audit:?}"
    );

    // Transient errors until the last attempt: FAILED, never dropped.
    let before = acme_admin_row.id;
    app.sql(&format!(
        "UPDATE outbox_messages SET status = 'PENDING', attempts = {}, next_attempt_at = created_at WHERE id = {before}",
        domain::notifications::delivery::MAX_ATTEMPTS - 1
    ))
    .await;
    sink.refuse_transiently(1);
    let d = deliver(&app).await;
    assert_eq!(d.failed, 1, "{d:?}");
    let m = message(&app, "admin@acmeretry.example", "SET_PASSWORD").await;
    assert_eq!(m.status, "FAILED");
    assert_eq!(m.attempts, domain::notifications::delivery::MAX_ATTEMPTS);
}

#[tokio::test]
async fn an_unreachable_mail_server_is_retried_later() {
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://{}", closed.local_addr().unwrap());
    drop(closed);
    let app = TestApp::with_config(move |c| c.smtp_url = Some(Secret(url))).await;
    app.tenant("acmedown").await;
    let d = deliver(&app).await;
    assert_eq!((d.sent, d.retrying, d.failed), (0, 1, 0));
    let m = message(&app, "admin@acmedown.example", "SET_PASSWORD").await;
    assert_eq!(m.status, "PENDING");
    assert!(m.last_error.is_some());
}

#[tokio::test]
async fn several_workers_send_each_message_once() {
    let (app, sink) = with_sink().await;
    let second = app.second_instance().await;
    let third = app.second_instance().await;
    app.tenant("acmetwo").await;
    domain::notifications::delivery::run(&app.state.services)
        .await
        .unwrap();
    // Rounds of sixty waiting emails, each sent by three workers (three instances) at
    // once: without the claim's lock they take the same batches (the test then fails,
    // most often in its first round).
    let mut expected = sink.received().len();
    for round in 0..6 {
        for i in 0..60 {
            app.sql(&format!(
                "INSERT INTO outbox_messages (tenant_id, channel, kind, recipient, sender, subject, body_text, body_html, status, attempts, next_attempt_at, created_at) \
                 SELECT tenant_id, channel, 'TEST', 'many{round}x{i}@acmetwo.example', sender, subject, body_text, body_html, 'PENDING', 0, created_at, created_at \
                 FROM outbox_messages WHERE kind = 'SET_PASSWORD' AND recipient = 'admin@acmetwo.example'"
            ))
            .await;
        }
        let (a, b, c) = tokio::join!(
            domain::notifications::delivery::run(&app.state.services),
            domain::notifications::delivery::run(&second.services),
            domain::notifications::delivery::run(&third.services),
        );
        let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
        assert_eq!(
            a.sent + b.sent + c.sent,
            60,
            "round {round}: {a:?} {b:?} {c:?}"
        );
        expected += 60;
        let got = sink.received();
        let mut ids: Vec<String> = got
            .iter()
            .map(|m| m.header("Message-ID").unwrap())
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(
            got.len(),
            ids.len(),
            "round {round}: a message was sent twice"
        );
        assert_eq!(got.len(), expected);
    }
    let pending = outbox_message::Entity::find()
        .filter(outbox_message::Column::Status.ne("SENT"))
        .all(app.db())
        .await
        .unwrap();
    assert!(pending.is_empty(), "{pending:?}");
}

#[tokio::test]
async fn required_tls_never_falls_back_to_plain_text() {
    // The sink speaks plain SMTP only (no STARTTLS): with `tls=required` nothing may be
    // sent in the clear; the message waits for a retry instead.
    let sink = MailSink::start().unwrap();
    let url = format!("{}?tls=required", sink.url());
    let app = TestApp::with_config(move |c| c.smtp_url = Some(Secret(url))).await;
    app.tenant("acmetls").await;
    let d = deliver(&app).await;
    assert_eq!((d.sent, d.retrying), (0, 1), "{d:?}");
    assert!(sink.received().is_empty(), "nothing went out in plain text");
    let m = message(&app, "admin@acmetls.example", "SET_PASSWORD").await;
    assert_eq!(m.status, "PENDING");
    assert!(m.last_error.is_some());
}

#[tokio::test]
async fn a_brand_name_with_commas_and_quotes_still_sends_its_mail() {
    let (app, sink) = with_sink().await;
    let (_, host) = app.tenant("acmecomma").await;
    let admin = app.tenant_admin_token("acmecomma", &host).await;
    app.ok(
        &host,
        Some(&admin),
        "mutation($i: UpdateTenantInput!) { updateTenant(input: $i) { tenant { slug } } }",
        json!({ "i": { "emailSenderName": "Acme, Inc. \"Best\"", "emailSenderAddress": "mail@acme.example" } }),
    )
    .await;
    // An English-speaking reader: the subject below is looked for in English.
    app.ok(
        &host,
        None,
        "mutation { signUp(input: { email: \"reader@comma.example\", password: \"correct horse battery\", displayName: \"R\", language: EN }) { accessToken } }",
        json!({}),
    )
    .await;
    app.ok(
        &host,
        None,
        "mutation { requestPasswordReset(input: { email: \"reader@comma.example\" }) { accepted } }",
        json!({}),
    )
    .await;
    let d = deliver(&app).await;
    assert_eq!(d.failed, 0, "{d:?}");
    let row = message(&app, "reader@comma.example", "PASSWORD_RESET").await;
    assert_eq!(row.status, "SENT", "{:?}", row.last_error);
    let reset = sink
        .to("reader@comma.example")
        .into_iter()
        .find(|m| {
            m.header("Subject")
                .is_some_and(|s| s.to_lowercase().contains("password"))
        })
        .expect("the reset email");
    // The display name goes out as an RFC 2047 encoded word, which says it exactly.
    let from = reset.header("From").unwrap();
    let (word, address) = from.split_once(' ').unwrap();
    // The brand has not proven mail.acme.example's domain: the platform's address.
    assert!(address.ends_with("@localhost.localdomain>"), "{from}");
    let reply_to = reset.header("Reply-To").unwrap();
    assert!(reply_to.ends_with(" <mail@acme.example>"), "{reply_to}");
    let encoded = word
        .strip_prefix("=?utf-8?b?")
        .and_then(|w| w.strip_suffix("?="))
        .unwrap_or_else(|| panic!("an encoded word: {from}"));
    use base64::Engine as _;
    let name = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    assert_eq!(String::from_utf8(name).unwrap(), r#"Acme, Inc. "Best""#);
}
