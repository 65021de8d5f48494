//! Telegram against a local server speaking the Bot API (`local_telegram`): a tenant admin
//! sets the bot; a user connects by the one-time deep link (`/start <token>` by polling or
//! by the webhook with its secret); notices go to the connected chat once, as the settings
//! say; a 429 is waited out as long as `retry_after` says; disconnecting stops them; and
//! another tenant's bot, secret or link gets nothing.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Duration;
use entities::{outbox_message, telegram_connection};
use partner_gateway::dev::local_telegram::LocalTelegram;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::orders::shop;
use crate::support::*;

const BOT: &str = "111111:root-bot-token";
const CONFIGURE: &str = "mutation($i: ConfigureTelegramBotInput!) { configureTelegramBot(input: $i) { bot { username useWebhook } } }";
const CONNECT: &str = "mutation { connectTelegram { url expiresAt } }";
const CONNECTION: &str = "{ telegramConnection { username connectedAt } }";
const UPDATE: &str = "mutation($i: UpdateNotificationSettingsInput!) { updateNotificationSettings(input: $i) { kinds { kind telegram } } }";

async fn with_bot_api() -> (TestApp, LocalTelegram) {
    let tg = LocalTelegram::start().await.unwrap();
    tg.add_bot(BOT, "root_test_bot");
    let base = tg.base.clone();
    let app = TestApp::with_config(move |c| c.telegram_api_base = base).await;
    (app, tg)
}

async fn connect_link(app: &TestApp, host: &str, token: &str) -> String {
    let d = app.ok(host, Some(token), CONNECT, json!({})).await;
    let url = d["connectTelegram"]["url"].as_str().unwrap().to_string();
    url.split("?start=").nth(1).unwrap().to_string()
}

async fn telegram_rows(app: &TestApp, kind: &str) -> Vec<outbox_message::Model> {
    outbox_message::Entity::find()
        .filter(outbox_message::Column::Channel.eq("TELEGRAM"))
        .filter(outbox_message::Column::Kind.eq(kind))
        .all(app.db())
        .await
        .unwrap()
}

async fn deliver(app: &TestApp) -> domain::notifications::delivery::Delivered {
    domain::notifications::delivery::run(&app.state.services)
        .await
        .unwrap()
}

async fn poll(app: &TestApp) -> u64 {
    domain::notifications::telegram::poll(&app.state.services)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_connected_chat_gets_each_notice_once_and_429_is_waited_out() {
    let (app, tg) = with_bot_api().await;
    let s = shop(&app, "tg", &[(1, 30)]).await;
    let client = app
        .set_password_via_link(ROOT, "anna.tg@client.example")
        .await;
    app.fan_out().await;
    let staff = app.staff_token().await;

    // Only admins set the bot; the token is checked with Telegram.
    assert_eq!(
        app.err_code(
            ROOT,
            Some(&client),
            CONFIGURE,
            json!({ "i": { "botToken": BOT } })
        )
        .await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.err_code(
            ROOT,
            Some(&staff),
            CONFIGURE,
            json!({ "i": { "botToken": "999:unknown" } })
        )
        .await,
        "BAD_USER_INPUT"
    );
    // No bot yet: no link.
    assert_eq!(
        app.err_code(ROOT, Some(&s.p.owner), CONNECT, json!({}))
            .await,
        "TELEGRAM_NOT_CONFIGURED"
    );
    let d = app
        .ok(
            ROOT,
            Some(&staff),
            CONFIGURE,
            json!({ "i": { "botToken": BOT } }),
        )
        .await;
    assert_eq!(
        d["configureTelegramBot"]["bot"],
        json!({ "username": "root_test_bot", "useWebhook": false })
    );

    // The partner opens the deep link and presses Start; the worker polls the update.
    let link = app.ok(ROOT, Some(&s.p.owner), CONNECT, json!({})).await["connectTelegram"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        link.starts_with("https://t.me/root_test_bot?start="),
        "{link}"
    );
    let token = link.split("?start=").nth(1).unwrap();
    tg.user_writes(BOT, 777, "petya", &format!("/start {token}"));
    assert_eq!(poll(&app).await, 1);
    assert_eq!(poll(&app).await, 0, "an update is handled once");
    let c = app.ok(ROOT, Some(&s.p.owner), CONNECTION, json!({})).await;
    assert_eq!(c["telegramConnection"]["username"], "petya");
    assert!(tg.sent_to("777")[0].starts_with("Connected"));
    // The link works once: someone else replaying it binds nothing.
    tg.user_writes(BOT, 888, "mallory", &format!("/start {token}"));
    poll(&app).await;
    assert!(tg.sent_to("888")[0].contains("expired or was used"));
    let bound = telegram_connection::Entity::find()
        .all(app.db())
        .await
        .unwrap();
    assert_eq!(bound.len(), 1);
    assert_eq!(bound[0].chat_id, "777");

    // The client connects too but turns line notices off on Telegram.
    let token = connect_link(&app, ROOT, &client).await;
    tg.user_writes(BOT, 999, "anna", &format!("/start {token}"));
    poll(&app).await;
    app.ok(
        ROOT,
        Some(&client),
        UPDATE,
        json!({ "i": { "settings": [{ "kind": "LINE_EXPIRING", "channel": "TELEGRAM", "enabled": false }] } }),
    )
    .await;

    // Seven days before expiry: one message to the partner's chat, none to the client's.
    app.clock_advance(Duration::days(23) + Duration::minutes(1));
    domain::jobs::run_due(&app.state.services).await.unwrap();
    app.fan_out().await;
    assert_eq!(telegram_rows(&app, "LINE_EXPIRING").await.len(), 1);
    deliver(&app).await;
    deliver(&app).await;
    let to_partner: Vec<String> = tg
        .sent_to("777")
        .into_iter()
        .filter(|t| t.contains("expires in 7 days"))
        .collect();
    assert_eq!(to_partner.len(), 1, "once");
    assert!(
        to_partner[0].contains("http://localhost"),
        "{}",
        to_partner[0]
    );
    assert_eq!(tg.sent_to("999").len(), 1, "only the Connected reply");

    // Flood control: a 429 is retried after exactly `retry_after`, not by backoff.
    tg.flood(1, 7);
    app.clock_advance(Duration::days(7));
    domain::jobs::run_due(&app.state.services).await.unwrap();
    app.fan_out().await;
    let d = deliver(&app).await;
    assert!(d.retrying >= 1, "{d:?}");
    let waiting = telegram_rows(&app, "LINE_EXPIRED")
        .await
        .into_iter()
        .find(|m| m.status == "PENDING")
        .expect("the flooded message waits");
    assert_eq!(
        waiting.next_attempt_at - app.state.services.clock.now(),
        Duration::seconds(7)
    );
    assert!(waiting.last_error.as_deref().unwrap().contains("429"));
    app.clock_advance(Duration::seconds(8));
    deliver(&app).await;
    let expired_msgs = |chat: &str| {
        tg.sent_to(chat)
            .into_iter()
            .filter(|t| t.contains("expired"))
            .filter(|t| !t.starts_with("This link"))
            .count()
    };
    assert_eq!(expired_msgs("777"), 1);
    assert_eq!(expired_msgs("999"), 1);

    // Disconnected: nothing more goes to Telegram.
    let d = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            "mutation { disconnectTelegram { disconnected } }",
            json!({}),
        )
        .await;
    assert_eq!(d["disconnectTelegram"]["disconnected"], true);
    let c = app.ok(ROOT, Some(&s.p.owner), CONNECTION, json!({})).await;
    assert_eq!(c["telegramConnection"], Value::Null);
    let before = telegram_rows(&app, "LINE_EXPIRING").await.len();
    let anna = app
        .ok(ROOT, Some(&client), "{ viewer { id } }", json!({}))
        .await["viewer"]["id"]
        .as_str()
        .map(raw)
        .unwrap();
    let l = entities::line::Entity::find()
        .filter(entities::line::Column::ClientUserId.eq(anna))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    let mut renewed: entities::line::ActiveModel = l.clone().into();
    renewed.expires_at = sea_orm::ActiveValue::Set(l.expires_at + Duration::days(30));
    sea_orm::ActiveModelTrait::update(renewed, app.db())
        .await
        .unwrap();
    app.clock_advance(Duration::days(23) + Duration::minutes(2));
    domain::jobs::run_due(&app.state.services).await.unwrap();
    let fanned = app.fan_out().await;
    assert_eq!(
        fanned.bell.len(),
        2,
        "the renewed line's notice was told (on the bell)"
    );
    assert_eq!(
        telegram_rows(&app, "LINE_EXPIRING").await.len(),
        before,
        "no Telegram message once disconnected (and the client turned it off)"
    );
}

fn webhook_post(host: &str, secret: &str, update: &Value) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri("/webhooks/telegram")
        .header("host", host)
        .header("content-type", "application/json")
        .header("x-telegram-bot-api-secret-token", secret)
        .body(Body::from(update.to_string()))
        .unwrap()
}

#[tokio::test]
async fn the_webhook_needs_its_secret_and_links_stay_in_their_tenant() {
    let (app, tg) = with_bot_api().await;
    let staff = app.staff_token().await;
    let d = app
        .ok(
            ROOT,
            Some(&staff),
            CONFIGURE,
            json!({ "i": { "botToken": BOT, "useWebhook": true } }),
        )
        .await;
    assert_eq!(d["configureTelegramBot"]["bot"]["useWebhook"], true);
    let (url, secret) = tg.webhook(BOT).expect("setWebhook was called");
    assert!(
        url.starts_with("http://localhost") && url.ends_with("/webhooks/telegram"),
        "{url}"
    );
    assert!(secret.len() >= 32);

    let (user, _, _) = app.sign_up(ROOT, "tg.hook@example.com").await;
    let token = connect_link(&app, ROOT, &user).await;
    let update = tg.user_writes(BOT, 4242, "hook", &format!("/start {token}"));
    // A wrong secret: refused, nothing bound.
    let r = app.send(webhook_post(ROOT, "wrong", &update)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let c = app.ok(ROOT, Some(&user), CONNECTION, json!({})).await;
    assert_eq!(c["telegramConnection"], Value::Null);
    // Another brand's host with this secret: that brand has no such bot.
    let (_, acme) = app.tenant("acmetg").await;
    let r = app.send(webhook_post(&acme, &secret, &update)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // As Telegram posts it: bound.
    let r = app.send(webhook_post(ROOT, &secret, &update)).await;
    assert_eq!(r.status, StatusCode::OK);
    let c = app.ok(ROOT, Some(&user), CONNECTION, json!({})).await;
    assert_eq!(c["telegramConnection"]["username"], "hook");

    // Acme's own bot (polling) does not accept a link made on the root brand.
    tg.add_bot("222222:acme-bot", "acme_test_bot");
    let acme_admin = app.tenant_admin_token("acmetg", &acme).await;
    app.ok(
        &acme,
        Some(&acme_admin),
        CONFIGURE,
        json!({ "i": { "botToken": "222222:acme-bot" } }),
    )
    .await;
    let (other, _, _) = app.sign_up(ROOT, "tg.other@example.com").await;
    let root_token = connect_link(&app, ROOT, &other).await;
    tg.user_writes(
        "222222:acme-bot",
        5151,
        "x",
        &format!("/start {root_token}"),
    );
    assert_eq!(poll(&app).await, 1);
    // Answered in the brand's language (Russian): the chat is nobody's yet.
    assert!(
        tg.sent_to("5151")[0].contains("ссылка устарела"),
        "{:?}",
        tg.sent_to("5151")
    );
    let c = app.ok(ROOT, Some(&other), CONNECTION, json!({})).await;
    assert_eq!(c["telegramConnection"], Value::Null);
    // Root's admins do not see Acme's bot, and Acme's admin sees its own.
    let b = app
        .ok(
            &acme,
            Some(&acme_admin),
            "{ telegramBot { username } }",
            json!({}),
        )
        .await;
    assert_eq!(b["telegramBot"]["username"], "acme_test_bot");
    let b = app
        .ok(
            ROOT,
            Some(&staff),
            "{ telegramBot { username } }",
            json!({}),
        )
        .await;
    assert_eq!(b["telegramBot"]["username"], "root_test_bot");
    // A plain user may not read the bot settings.
    assert_eq!(
        app.err_code(
            ROOT,
            Some(&other),
            "{ telegramBot { username } }",
            json!({})
        )
        .await,
        "FORBIDDEN"
    );
}

/// Issue 27's promise on one brand: a client created in Russian gets its set-password
/// email, its bell item and its Telegram message in Russian (with Russian plurals and a
/// Russian date), while the English-speaking partner gets the same notice in English.
#[tokio::test]
async fn a_russian_client_reads_russian_and_the_english_partner_english() {
    use domain::kernel::i18n::tr;
    let (app, tg) = with_bot_api().await;
    app.state.services.clock.set(Some(entities::time::now()));
    let p = crate::partners::partner(&app, ROOT, "lang", "GOLD").await;
    crate::client_lines::client_with_lines_in(
        &app,
        ROOT,
        &p,
        "Ivan lang",
        "RU",
        Some("RU"),
        &[(1, 30)],
    )
    .await;
    let brand = "Partner Gateway";
    let mail = outbox_message::Entity::find()
        .filter(outbox_message::Column::Recipient.eq("ivan.lang@client.example"))
        .filter(outbox_message::Column::Kind.eq("SET_PASSWORD"))
        .one(app.db())
        .await
        .unwrap()
        .expect("a set-password email");
    assert_eq!(
        mail.subject,
        tr("ru", "account-ready-subject", &[("brand", brand.into())])
    );
    assert!(
        mail.body_text.contains("Здравствуйте"),
        "{}",
        mail.body_text
    );
    let client = app
        .set_password_via_link(ROOT, "ivan.lang@client.example")
        .await;

    // Both connect Telegram: each is answered in their own language.
    let staff = app.staff_token().await;
    app.ok(
        ROOT,
        Some(&staff),
        CONFIGURE,
        json!({ "i": { "botToken": BOT } }),
    )
    .await;
    for (token, chat) in [(&client, 4242), (&p.owner, 777)] {
        let start = connect_link(&app, ROOT, token).await;
        tg.user_writes(BOT, chat, "someone", &format!("/start {start}"));
    }
    assert_eq!(poll(&app).await, 2);
    assert_eq!(
        tg.sent_to("4242")[0],
        tr("ru", "telegram-connected", &[("brand", brand.into())])
    );
    assert!(tg.sent_to("777")[0].starts_with("Connected"));
    // Once the chat is the client's, the bot answers in the account's language whatever
    // the app says.
    tg.user_writes(BOT, 4242, "someone", "hello");
    assert_eq!(poll(&app).await, 1);
    assert_eq!(
        tg.sent_to("4242").last().unwrap(),
        &tr("ru", "telegram-hint", &[])
    );

    // Seven days before the line ends, both are told.
    app.fan_out().await;
    app.clock_advance(Duration::days(23) + Duration::minutes(1));
    domain::jobs::run_due(&app.state.services).await.unwrap();
    app.fan_out().await;
    let bell = "{ notifications(first: 5) { edges { node { kind title body } } } }";
    let first = |d: Value| {
        d["notifications"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].clone())
            .find(|n| n["kind"] == "LINE_EXPIRING")
            .expect("a LINE_EXPIRING item")
    };
    let theirs = first(app.ok(ROOT, Some(&client), bell, json!({})).await);
    let title = theirs["title"].as_str().unwrap();
    assert!(title.starts_with("Срок действия линии"), "{title}");
    assert!(title.ends_with("через 7 дней"), "{title}");
    // The line's end, written as Russian writes dates (genitive month, UTC).
    let body = theirs["body"].as_str().unwrap();
    assert!(
        [
            "января",
            "февраля",
            "марта",
            "апреля",
            "мая",
            "июня",
            "июля",
            "августа",
            "сентября",
            "октября",
            "ноября",
            "декабря"
        ]
        .iter()
        .any(|m| body.contains(m)),
        "{body}"
    );
    let partners = first(app.ok(ROOT, Some(&p.owner), bell, json!({})).await);
    let title = partners["title"].as_str().unwrap();
    assert!(
        title.starts_with("Line ") && title.ends_with("expires in 7 days"),
        "{title}"
    );

    // Telegram says the same, each in their language.
    deliver(&app).await;
    let said = |chat: &str| tg.sent_to(chat).join("\n---\n");
    assert!(said("4242").contains("через 7 дней"), "{}", said("4242"));
    assert!(said("777").contains("expires in 7 days"), "{}", said("777"));
    // And so do the emails.
    let emails = outbox_message::Entity::find()
        .filter(outbox_message::Column::Kind.eq("LINE_EXPIRING"))
        .filter(outbox_message::Column::Channel.eq("EMAIL"))
        .all(app.db())
        .await
        .unwrap();
    let to = |who: &str| emails.iter().find(|m| m.recipient == who).unwrap();
    assert!(to("ivan.lang@client.example").subject.contains("7 дней"));
    assert!(to("partner-lang@example.com").subject.contains("7 days"));
}
