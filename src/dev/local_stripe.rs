//! A local server speaking Stripe's protocol, for tests and the demo (no card is charged
//! anywhere): `POST /v1/checkout/sessions` (form-encoded, bearer secret key,
//! `Idempotency-Key`) answers a session with a `url`; that URL shows a page with a "Pay"
//! button; paying sends the signed `checkout.session.completed` event to the gateway's
//! webhook, exactly as Stripe would (`Stripe-Signature: t=..,v1=..`). Tests also take the
//! signed event directly ([`LocalStripe::signed_event`]) to replay, tamper or delay it.
//! Refunds: `GET /v1/checkout/sessions/<id>` answers the session with its `payment_intent`
//! once paid, and `POST /v1/refunds` (`payment_intent`, `amount`, `Idempotency-Key`)
//! refunds it once per key, never more than was paid.
//! `POST /v1/checkout/sessions/<id>/expire` closes an open session (a paid or expired one
//! is refused with 400, as Stripe does); an expired session's page no longer pays.
//! `GET /v1/balance` answers a known key (what checking credentials reads). Besides the
//! account it starts with it holds brands' own accounts ([`LocalStripe::add_account`]):
//! each sees only its own sessions, and its events are signed with its own webhook secret
//! and delivered to its own URL.

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
    /// The payment of a paid session (`pi_...`).
    pub payment_intent: Option<String>,
    /// Refunded so far, minor units.
    pub refunded: i64,
    /// Expired through the API: can no longer be paid.
    pub expired: bool,
    /// The secret key of the account that created it (the only one that sees it).
    pub account: String,
}

/// A refund the local server made.
#[derive(Debug, Clone)]
pub struct Refund {
    pub id: String,
    pub payment_intent: String,
    pub amount: i64,
}

/// An account the local server knows: its webhook endpoint's secret and URL.
#[derive(Clone)]
struct Account {
    webhook_secret: String,
    webhook_url: Option<String>,
}

#[derive(Default)]
struct Inner {
    /// By secret key.
    accounts: HashMap<String, Account>,
    sessions: HashMap<String, Session>,
    by_key: HashMap<String, String>,
    refunds: Vec<Refund>,
    refund_keys: HashMap<String, String>,
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
        me.add_account(secret_key, webhook_secret, me.webhook_url.clone());
        let app = Router::new()
            .route("/v1/checkout/sessions", post(create))
            .route("/v1/checkout/sessions/{id}", get(read_session))
            .route("/v1/checkout/sessions/{id}/expire", post(expire_session))
            .route("/v1/refunds", post(create_refund))
            .route("/v1/balance", get(balance))
            .route("/checkout/{id}", get(page))
            .route("/checkout/{id}/pay", post(pay))
            .with_state(me.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(me)
    }

    /// Adds another account (a brand's own): its secret key, its webhook endpoint's
    /// signing secret and where "Pay" delivers its events
    /// (`<gateway>/webhooks/payments/stripe/<brand>`).
    pub fn add_account(&self, secret_key: &str, webhook_secret: &str, webhook_url: Option<String>) {
        self.lock().accounts.insert(
            secret_key.to_string(),
            Account {
                webhook_secret: webhook_secret.to_string(),
                webhook_url,
            },
        );
    }

    /// The account of a session.
    fn account(&self, session: &Session) -> Option<Account> {
        self.lock().accounts.get(&session.account).cloned()
    }

    /// Starts or ends an outage of the API (sessions answer 503 meanwhile), as Stripe's
    /// own occasional 5xx answers.
    pub fn set_down(&self, down: bool) {
        if let Ok(mut i) = self.inner.lock() {
            i.down = down;
        }
    }

    /// The refunds made so far.
    pub fn refunds(&self) -> Vec<Refund> {
        self.lock().refunds.clone()
    }

    /// Marks a session paid (what entering a card does), giving it a payment.
    fn mark_paid(&self, id: &str) {
        if let Some(x) = self.lock().sessions.get_mut(id) {
            x.paid = true;
            if x.payment_intent.is_none() {
                x.payment_intent = Some(format!("pi_test_{}", uuid::Uuid::new_v4().simple()));
            }
        }
    }

    /// The payer enters the card and pays, but the notification has not reached the
    /// gateway yet: the session is paid, and its signed `checkout.session.completed` is
    /// returned for the test to deliver when it likes. `None` when the session cannot be
    /// paid (unknown or expired).
    pub fn pay_without_notifying(&self, id: &str, timestamp: i64) -> Option<(String, String)> {
        let open = self.session(id).is_some_and(|x| !x.expired);
        if !open {
            return None;
        }
        self.mark_paid(id);
        let session = self.session(id)?;
        Some(self.signed_event(&session, "checkout.session.completed", timestamp))
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
        if paid {
            self.mark_paid(&session.id);
        }
        let intent = self.session(&session.id).and_then(|s| s.payment_intent);
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
                "payment_intent": intent,
            } },
        })
        .to_string();
        let secret = self
            .account(session)
            .map(|a| a.webhook_secret)
            .unwrap_or_else(|| self.webhook_secret.clone());
        let sig = domain::payments::stripe::sign(&secret, timestamp, body.as_bytes());
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
    let Some(account) = authorized(&s, &headers) else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(
                json!({ "error": { "type": "invalid_request_error", "message": "Invalid API Key provided" } }),
            ),
        );
    };
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
    let key = key.map(|k| format!("{account}/{k}"));
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
                    payment_intent: None,
                    refunded: 0,
                    expired: false,
                    account,
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
    if session.expired {
        return (
            StatusCode::BAD_REQUEST,
            Html("<p>This checkout has expired: nothing was charged.</p>".to_string()),
        )
            .into_response();
    }
    s.mark_paid(&id);
    let (body, sig) = s.signed_event(
        &session,
        "checkout.session.completed",
        chrono::Utc::now().timestamp(),
    );
    let Some(url) = s.account(&session).and_then(|a| a.webhook_url) else {
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

/// The account whose secret key the request bears, if known.
fn authorized(s: &LocalStripe, headers: &HeaderMap) -> Option<String> {
    let key = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())?
        .strip_prefix("Bearer ")?;
    s.lock().accounts.contains_key(key).then(|| key.to_string())
}

/// `GET /v1/balance`: what a key check reads.
async fn balance(State(s): State<LocalStripe>, headers: HeaderMap) -> impl IntoResponse {
    if authorized(&s, &headers).is_none() {
        return stripe_error(StatusCode::UNAUTHORIZED, "Invalid API Key provided");
    }
    (
        StatusCode::OK,
        Json(json!({ "object": "balance", "available": [], "pending": [], "livemode": false })),
    )
}

fn stripe_error(status: StatusCode, message: &str) -> (StatusCode, Json<serde_json::Value>) {
    (
        status,
        Json(json!({ "error": { "type": "invalid_request_error", "message": message } })),
    )
}

async fn read_session(
    State(s): State<LocalStripe>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> impl IntoResponse {
    let Some(account) = authorized(&s, &headers) else {
        return stripe_error(StatusCode::UNAUTHORIZED, "Invalid API Key provided");
    };
    match s.session(&id).filter(|x| x.account == account) {
        Some(x) => (
            StatusCode::OK,
            Json(json!({
                "id": x.id,
                "object": "checkout.session",
                "amount_total": x.amount_total,
                "currency": x.currency,
                "payment_status": if x.paid { "paid" } else { "unpaid" },
                "payment_intent": x.payment_intent,
            })),
        ),
        None => stripe_error(StatusCode::NOT_FOUND, "No such checkout.session"),
    }
}

async fn expire_session(
    State(s): State<LocalStripe>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> impl IntoResponse {
    if s.inner.lock().map(|i| i.down).unwrap_or(false) {
        return stripe_error(StatusCode::SERVICE_UNAVAILABLE, "service unavailable");
    }
    let Some(account) = authorized(&s, &headers) else {
        return stripe_error(StatusCode::UNAUTHORIZED, "Invalid API Key provided");
    };
    let mut inner = s.lock();
    let Some(x) = inner.sessions.get_mut(&id).filter(|x| x.account == account) else {
        return stripe_error(StatusCode::NOT_FOUND, "No such checkout.session");
    };
    if x.paid || x.expired {
        return stripe_error(
            StatusCode::BAD_REQUEST,
            "Only Checkout Sessions with a status in [\"open\"] can be expired.",
        );
    }
    x.expired = true;
    (
        StatusCode::OK,
        Json(json!({
            "id": x.id,
            "object": "checkout.session",
            "status": "expired",
            "payment_status": "unpaid",
        })),
    )
}

async fn create_refund(
    State(s): State<LocalStripe>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> impl IntoResponse {
    if s.inner.lock().map(|i| i.down).unwrap_or(false) {
        return stripe_error(StatusCode::SERVICE_UNAVAILABLE, "service unavailable");
    }
    let Some(account) = authorized(&s, &headers) else {
        return stripe_error(StatusCode::UNAUTHORIZED, "Invalid API Key provided");
    };
    let Some(intent) = form.get("payment_intent").cloned() else {
        return stripe_error(
            StatusCode::BAD_REQUEST,
            "Missing required param: payment_intent",
        );
    };
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| format!("{account}/{k}"));
    let mut inner = s.lock();
    if let Some(id) = key.as_ref().and_then(|k| inner.refund_keys.get(k)).cloned()
        && let Some(r) = inner.refunds.iter().find(|r| r.id == id).cloned()
    {
        return (
            StatusCode::OK,
            Json(
                json!({ "id": r.id, "object": "refund", "amount": r.amount, "payment_intent": r.payment_intent, "status": "succeeded" }),
            ),
        );
    }
    let Some(session) = inner
        .sessions
        .values_mut()
        .find(|x| x.payment_intent.as_deref() == Some(intent.as_str()) && x.account == account)
    else {
        return stripe_error(StatusCode::NOT_FOUND, "No such payment_intent");
    };
    let amount = form
        .get("amount")
        .and_then(|a| a.parse::<i64>().ok())
        .unwrap_or(session.amount_total - session.refunded);
    if amount <= 0 || session.refunded + amount > session.amount_total {
        return stripe_error(
            StatusCode::BAD_REQUEST,
            "Refund amount is greater than the unrefunded amount",
        );
    }
    session.refunded += amount;
    let r = Refund {
        id: format!("re_test_{}", uuid::Uuid::new_v4().simple()),
        payment_intent: intent,
        amount,
    };
    inner.refunds.push(r.clone());
    if let Some(k) = key {
        inner.refund_keys.insert(k, r.id.clone());
    }
    (
        StatusCode::OK,
        Json(
            json!({ "id": r.id, "object": "refund", "amount": r.amount, "payment_intent": r.payment_intent, "status": "succeeded" }),
        ),
    )
}
