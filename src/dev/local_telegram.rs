//! A local server speaking the Telegram Bot API (`POST /bot<token>/<method>`, JSON), for
//! tests and the demo: `getMe`, `setWebhook`, `deleteWebhook`, `getUpdates` (with
//! `offset`), `sendMessage`. It keeps what was sent, lets a test play a person writing to a
//! bot ([`LocalTelegram::user_writes`]) and answers the next `sendMessage` calls with 429
//! and `retry_after` on request, as Telegram does under flood control. For the demo,
//! `GET /open?link=<deep link>&chat=<id>` plays pressing Start on a deep link and
//! `GET /messages` lists what the bots sent.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

/// A message a bot sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub token: String,
    pub chat_id: String,
    pub text: String,
}

#[derive(Default)]
struct Bot {
    username: String,
    /// `(url, secret_token)` once `setWebhook` was called.
    webhook: Option<(String, String)>,
    updates: Vec<Value>,
}

#[derive(Default)]
struct Inner {
    bots: HashMap<String, Bot>,
    sent: Vec<Sent>,
    /// `retry_after` answers for the next `sendMessage` calls.
    flood: VecDeque<u64>,
    next_update: i64,
    next_message: i64,
}

/// The running server.
#[derive(Clone)]
pub struct LocalTelegram {
    /// `http://127.0.0.1:<port>`: what `TELEGRAM_API_BASE` points at.
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

fn refuse(code: u16, description: &str) -> axum::response::Response {
    (
        StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST),
        Json(json!({ "ok": false, "error_code": code, "description": description })),
    )
        .into_response()
}

async fn method(
    State(inner): State<Arc<Mutex<Inner>>>,
    Path((bot, method)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> axum::response::Response {
    let params = body.map(|b| b.0).unwrap_or_default();
    let Some(token) = bot.strip_prefix("bot").map(str::to_string) else {
        return refuse(404, "Not Found");
    };
    let mut s = inner.lock().unwrap_or_else(|e| e.into_inner());
    let s = &mut *s;
    let Some(b) = s.bots.get_mut(&token) else {
        return refuse(401, "Unauthorized");
    };
    let result = match method.as_str() {
        "getMe" => {
            json!({ "id": 1, "is_bot": true, "first_name": b.username, "username": b.username })
        }
        "setWebhook" => {
            let url = params["url"].as_str().unwrap_or_default().to_string();
            let secret = params["secret_token"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            b.webhook = Some((url, secret));
            json!(true)
        }
        "deleteWebhook" => {
            b.webhook = None;
            json!(true)
        }
        "getUpdates" => {
            if b.webhook.is_some() {
                return refuse(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active",
                );
            }
            let offset = params["offset"].as_i64().unwrap_or(0);
            b.updates
                .retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
            json!(b.updates)
        }
        "sendMessage" => {
            if let Some(after) = s.flood.pop_front() {
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    Json(json!({
                        "ok": false, "error_code": 429,
                        "description": format!("Too Many Requests: retry after {after}"),
                        "parameters": { "retry_after": after },
                    })),
                )
                    .into_response();
            }
            let chat_id = match &params["chat_id"] {
                Value::String(c) => c.clone(),
                Value::Number(n) => n.to_string(),
                _ => return refuse(400, "Bad Request: chat_id is empty"),
            };
            let text = params["text"].as_str().unwrap_or_default().to_string();
            if text.is_empty() {
                return refuse(400, "Bad Request: message text is empty");
            }
            s.next_message += 1;
            s.sent.push(Sent {
                token: token.clone(),
                chat_id: chat_id.clone(),
                text: text.clone(),
            });
            json!({ "message_id": s.next_message, "chat": { "id": chat_id }, "text": text })
        }
        _ => return refuse(404, "Not Found: method not found"),
    };
    Json(json!({ "ok": true, "result": result })).into_response()
}

#[derive(serde::Deserialize)]
struct Open {
    /// The deep link, `https://t.me/<bot>?start=<token>`.
    link: String,
    #[serde(default = "default_chat")]
    chat: i64,
    #[serde(default = "default_name")]
    username: String,
}

fn default_chat() -> i64 {
    1001
}

fn default_name() -> String {
    "demo_user".into()
}

/// `GET /open?link=<deep link>&chat=<id>`: what opening the link in Telegram and pressing
/// Start does (the demo's way to connect a chat): the bot gets `/start <token>`.
async fn open(
    State(inner): State<Arc<Mutex<Inner>>>,
    axum::extract::Query(q): axum::extract::Query<Open>,
) -> axum::response::Response {
    let Some(rest) = q.link.strip_prefix("https://t.me/") else {
        return refuse(400, "give link=https://t.me/<bot>?start=<token>");
    };
    let (bot, start) = rest.split_once("?start=").unwrap_or((rest, ""));
    let token = {
        let s = inner.lock().unwrap_or_else(|e| e.into_inner());
        s.bots
            .iter()
            .find(|(_, b)| b.username == bot)
            .map(|(t, _)| t.clone())
    };
    let Some(token) = token else {
        return refuse(404, "no such bot here");
    };
    let local = LocalTelegram {
        base: String::new(),
        inner,
    };
    let update = local.user_writes(&token, q.chat, &q.username, &format!("/start {start}"));
    Json(json!({ "ok": true, "queued": update })).into_response()
}

/// `GET /messages`: every message the bots sent, oldest first.
async fn messages(State(inner): State<Arc<Mutex<Inner>>>) -> Json<Value> {
    let s = inner.lock().unwrap_or_else(|e| e.into_inner());
    let list: Vec<Value> = s
        .sent
        .iter()
        .map(|m| {
            let bot = s.bots.get(&m.token).map(|b| b.username.clone());
            json!({ "bot": bot, "chat_id": m.chat_id, "text": m.text })
        })
        .collect();
    Json(json!(list))
}

impl LocalTelegram {
    /// Starts the server on a free loopback port.
    pub async fn start() -> anyhow::Result<Self> {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/open", axum::routing::get(open))
            .route("/messages", axum::routing::get(messages))
            .route("/{bot}/{method}", post(method))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { base, inner })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a bot (what @BotFather does): `token` is then accepted.
    pub fn add_bot(&self, token: &str, username: &str) {
        self.lock().bots.insert(
            token.to_string(),
            Bot {
                username: username.to_string(),
                ..Default::default()
            },
        );
    }

    /// Every message sent so far.
    pub fn sent(&self) -> Vec<Sent> {
        self.lock().sent.clone()
    }

    /// Messages sent to `chat_id`.
    pub fn sent_to(&self, chat_id: &str) -> Vec<String> {
        self.sent()
            .into_iter()
            .filter(|m| m.chat_id == chat_id)
            .map(|m| m.text)
            .collect()
    }

    /// The bot's webhook `(url, secret)`, if set.
    pub fn webhook(&self, token: &str) -> Option<(String, String)> {
        self.lock().bots.get(token).and_then(|b| b.webhook.clone())
    }

    /// A person (chat `chat_id`, `@username`) writes `text` to the bot: the update is
    /// queued for `getUpdates` and returned (to post to a webhook).
    pub fn user_writes(&self, token: &str, chat_id: i64, username: &str, text: &str) -> Value {
        let mut s = self.lock();
        s.next_update += 1;
        let update = json!({
            "update_id": s.next_update,
            "message": {
                "message_id": s.next_update,
                "from": { "id": chat_id, "is_bot": false, "first_name": username, "username": username },
                "chat": { "id": chat_id, "type": "private" },
                "date": 0,
                "text": text,
            }
        });
        if let Some(b) = s.bots.get_mut(token) {
            b.updates.push(update.clone());
        }
        update
    }

    /// The next `n` `sendMessage` calls answer 429 with `retry_after` seconds.
    pub fn flood(&self, n: usize, retry_after: u64) {
        self.lock()
            .flood
            .extend(std::iter::repeat_n(retry_after, n));
    }
}
