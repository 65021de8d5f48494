//! A local server speaking Stripe's protocol, for tests and the demo (no card is charged
//! anywhere): `POST /v1/checkout/sessions` (form-encoded, bearer secret key,
//! `Idempotency-Key`) answers a session with a `url`; that URL shows a page with a "Pay"
//! button; paying sends the signed `checkout.session.completed` event to the gateway's
//! webhook, exactly as Stripe would (`Stripe-Signature: t=..,v1=..`). Tests also take the
//! signed event directly ([`LocalStripe::signed_event`]) to replay, tamper or delay it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

/// A checkout session the local server holds.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub amount_total: i64,
    pub currency: String,
    pub success_url: String,
    pub paid: bool,
}

#[derive(Default)]
struct Inner {
    sessions: HashMap<String, Session>,
    by_key: HashMap<String, String>,
    events: u64,
    /// An outage: the API answers 503 until it ends.
    down: bool,
}

/// The running local server.
#[derive(Clone)]
pub struct LocalStripe {
    /// `http://127.0.0.1:<port>`: what `STRIPE_API_BASE` points at.
    pub base: String,
    pub secret_key: String,
    pub webhook_secret: String,
    /// Where "Pay" delivers the event (`<gateway>/webhooks/payments/stripe`), if anywhere.
    pub webhook_url: Option<String>,
    inner: Arc<Mutex<Inner>>,
}

impl LocalStripe {
    /// Starts the server on a free local port.
    pub async fn start(
        secret_key: &str,
        webhook_secret: &str,
        webhook_url: Option<String>,
    ) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let me = Self {
            base,
            secret_key: secret_key.into(),
            webhook_secret: webhook_secret.into(),
            webhook_url,
            inner: Arc::default(),
        };
        let app = Router::new()
            .route("/v1/checkout/sessions", post(create))
            .route("/checkout/{id}", get(page))
            .route("/checkout/{id}/pay", post(pay))
            .with_state(me.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(me)
    }

    /// Starts or ends an outage of the API (sessions answer 503 meanwhile), as Stripe's
    /// own occasional 5xx answers.
    pub fn set_down(&self, down: bool) {
        if let Ok(mut i) = self.inner.lock() {
            i.down = down;
        }
    }

    /// A session by id.
    pub fn session(&self, id: &str) -> Option<Session> {
        self.lock().sessions.get(id).cloned()
    }

    /// The session behind a checkout URL.
    pub fn session_of_url(&self, url: &str) -> Option<Session> {
        url.rsplit('/').next().and_then(|id| self.session(id))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The event Stripe would send for `session` of `kind` (`checkout.session.completed`,
    /// `checkout.session.expired`), with its `Stripe-Signature` at `timestamp`: (body,
    /// signature header).
    pub fn signed_event(&self, session: &Session, kind: &str, timestamp: i64) -> (String, String) {
        let n = {
            let mut i = self.lock();
            i.events += 1;
            i.events
        };
        let paid = kind == "checkout.session.completed";
        let body = json!({
            "id": format!("evt_local_{n}_{}", session.id),
            "object": "event",
            "type": kind,
            "created": timestamp,
            "data": { "object": {
                "id": session.id,
                "object": "checkout.session",
                "amount_total": session.amount_total,
                "currency": session.currency,
                "payment_status": if paid { "paid" } else { "unpaid" },
                "status": if paid { "complete" } else { "expired" },
            } },
        })
        .to_string();
        let sig = domain::orders::stripe::sign(&self.webhook_secret, timestamp, body.as_bytes());
        (body, sig)
    }
}

async fn create(
    State(s): State<LocalStripe>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> impl IntoResponse {
    if s.inner.lock().map(|i| i.down).unwrap_or(false) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "error": { "type": "api_error", "message": "service unavailable" } })),
        );
    }
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if auth != format!("Bearer {}", s.secret_key) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(
                json!({ "error": { "type": "invalid_request_error", "message": "Invalid API Key provided" } }),
            ),
        );
    }
    let amount: Option<i64> = form
        .get("line_items[0][price_data][unit_amount]")
        .and_then(|a| a.parse().ok());
    let (Some(amount), Some(currency), Some(success)) = (
        amount,
        form.get("line_items[0][price_data][currency]"),
        form.get("success_url"),
    ) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(
                json!({ "error": { "type": "invalid_request_error", "message": "Missing required param" } }),
            ),
        );
    };
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut inner = s.lock();
    let existing = key.as_ref().and_then(|k| inner.by_key.get(k).cloned());
    let id = match existing {
        Some(id) => id,
        None => {
            let id = format!("cs_test_{}", uuid::Uuid::new_v4().simple());
            inner.sessions.insert(
                id.clone(),
                Session {
                    id: id.clone(),
                    amount_total: amount,
                    currency: currency.clone(),
                    success_url: success.clone(),
                    paid: false,
                },
            );
            if let Some(k) = key {
                inner.by_key.insert(k, id.clone());
            }
            id
        }
    };
    let session = inner.sessions.get(&id).cloned();
    drop(inner);
    let Some(session) = session else {
        return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({})));
    };
    (
        StatusCode::OK,
        Json(json!({
            "id": session.id,
            "object": "checkout.session",
            "amount_total": session.amount_total,
            "currency": session.currency,
            "payment_status": if session.paid { "paid" } else { "unpaid" },
            "url": format!("{}/checkout/{}", s.base, session.id),
        })),
    )
}

async fn page(State(s): State<LocalStripe>, Path(id): Path<String>) -> impl IntoResponse {
    match s.session(&id) {
        Some(x) => Html(format!(
            "<!doctype html><title>Local card checkout</title><h1>Local card checkout</h1>\
             <p>Amount: {} {} (minor units). No real card is charged.</p>\
             <form method=post action=\"/checkout/{id}/pay\"><button>Pay</button></form>",
            x.amount_total,
            x.currency.to_uppercase(),
        ))
        .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn pay(State(s): State<LocalStripe>, Path(id): Path<String>) -> impl IntoResponse {
    let Some(session) = s.session(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Some(x) = s.lock().sessions.get_mut(&id) {
        x.paid = true;
    }
    let (body, sig) = s.signed_event(
        &session,
        "checkout.session.completed",
        chrono::Utc::now().timestamp(),
    );
    let Some(url) = &s.webhook_url else {
        return Html("<p>Paid (no webhook configured).</p>".to_string()).into_response();
    };
    let delivered = reqwest::Client::new()
        .post(url)
        .header("stripe-signature", sig)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    Html(format!(
        "<p>Paid. The gateway answered the webhook with {delivered}.</p>\
         <p><a href=\"{}\">Back to the shop</a></p>",
        session.success_url
    ))
    .into_response()
}
