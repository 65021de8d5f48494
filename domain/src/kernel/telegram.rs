//! The Telegram Bot API over HTTP (`https://api.telegram.org/bot<token>/<method>`, JSON in
//! and out; the base is `TELEGRAM_API_BASE`, a local server in tests and the demo). Only
//! what notifications need: `getMe`, `setWebhook`, `deleteWebhook`, `getUpdates`,
//! `sendMessage`. A 429 answer's `parameters.retry_after` is kept, so the caller waits as
//! long as Telegram asks.

use std::time::Duration;

use serde_json::{Value, json};

/// A Bot API client; cheap to clone.
#[derive(Clone)]
pub struct BotApi {
    base: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for BotApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotApi").field("base", &self.base).finish()
    }
}

/// A refused or failed call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotError {
    /// Telegram's `error_code` (an HTTP status), `None` when it could not be reached.
    pub code: Option<u16>,
    pub description: String,
    /// `parameters.retry_after` of a 429: wait this long.
    pub retry_after: Option<Duration>,
}

impl BotError {
    /// Retrying cannot help: the chat blocked the bot or does not exist, the token is
    /// wrong, the request is malformed.
    pub fn permanent(&self) -> bool {
        matches!(self.code, Some(400 | 401 | 403 | 404))
    }
}

impl std::fmt::Display for BotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.code {
            Some(c) => write!(f, "telegram {c}: {}", self.description),
            None => write!(f, "telegram: {}", self.description),
        }
    }
}

impl Default for BotApi {
    fn default() -> Self {
        Self::new("https://api.telegram.org")
    }
}

impl BotApi {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_string(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .build()
                .unwrap_or_default(),
        }
    }

    /// Calls `method` with `params`; answers its `result`.
    pub async fn call(&self, token: &str, method: &str, params: Value) -> Result<Value, BotError> {
        let url = format!("{}/bot{token}/{method}", self.base);
        let resp = self
            .http
            .post(&url)
            .json(&params)
            .send()
            .await
            .map_err(|e| BotError {
                code: None,
                // Without the URL: it holds the token.
                description: if e.is_timeout() {
                    "timed out".into()
                } else {
                    "could not reach the Bot API".into()
                },
                retry_after: None,
            })?;
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        if body["ok"] == true {
            return Ok(body["result"].clone());
        }
        Err(BotError {
            code: Some(
                body["error_code"]
                    .as_u64()
                    .map(|c| c as u16)
                    .unwrap_or(status),
            ),
            description: body["description"]
                .as_str()
                .unwrap_or("unexpected answer")
                .to_string(),
            retry_after: body["parameters"]["retry_after"]
                .as_u64()
                .map(Duration::from_secs),
        })
    }

    /// The bot's `username`.
    pub async fn get_me(&self, token: &str) -> Result<String, BotError> {
        let me = self.call(token, "getMe", json!({})).await?;
        me["username"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| BotError {
                code: None,
                description: "getMe answered no username".into(),
                retry_after: None,
            })
    }

    /// Sends plain text to a chat.
    pub async fn send_message(
        &self,
        token: &str,
        chat_id: &str,
        text: &str,
    ) -> Result<(), BotError> {
        self.call(
            token,
            "sendMessage",
            json!({ "chat_id": chat_id, "text": text, "link_preview_options": { "is_disabled": true } }),
        )
        .await
        .map(|_| ())
    }

    /// Updates after `offset` (long polling up to `timeout` seconds; 0 answers at once).
    pub async fn get_updates(
        &self,
        token: &str,
        offset: i64,
        timeout: u64,
    ) -> Result<Vec<Value>, BotError> {
        let r = self
            .call(
                token,
                "getUpdates",
                json!({ "offset": offset, "timeout": timeout, "allowed_updates": ["message"] }),
            )
            .await?;
        Ok(r.as_array().cloned().unwrap_or_default())
    }

    /// Has Telegram post updates to `url` with `secret` in `X-Telegram-Bot-Api-Secret-Token`.
    pub async fn set_webhook(&self, token: &str, url: &str, secret: &str) -> Result<(), BotError> {
        self.call(
            token,
            "setWebhook",
            json!({ "url": url, "secret_token": secret, "allowed_updates": ["message"] }),
        )
        .await
        .map(|_| ())
    }

    /// Stops the webhook (updates are then fetched with `getUpdates`).
    pub async fn delete_webhook(&self, token: &str) -> Result<(), BotError> {
        self.call(token, "deleteWebhook", json!({}))
            .await
            .map(|_| ())
    }
}
