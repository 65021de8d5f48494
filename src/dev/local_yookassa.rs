//! A local server speaking YooKassa's API v3 protocol, for tests and the demo (no card is
//! charged anywhere). Several shops, each with its key and notification URL; HTTP Basic on
//! every API call; a payment or refund is visible only to its shop (others get 404).
//! `POST /v3/payments` (`Idempotence-Key`) answers a `pending` payment whose confirmation
//! page has a "Pay" button; paying POSTs the unsigned `payment.succeeded` notification to
//! the shop's URL, as YooKassa does, and redirects to the `return_url`. `GET` reads payments
//! and refunds back; `POST /v3/payments/<id>/cancel` cancels only a `waiting_for_capture`
//! payment; `POST /v3/refunds` refunds once per key, never more than was paid. Tests take
//! notification bodies ([`LocalYooKassa::pay_without_notifying`]) to replay or misroute.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::payments::yookassa::{DESCRIPTION_MAX_CHARS, amount_value, parse_amount};
use serde_json::{Value, json};

/// A payment or a refund the local server holds: its shop, what never changes, and the
/// object as the API shows it now (`status`, `paid`, `payment_id`, ...).
#[derive(Debug, Clone)]
pub struct Object {
    pub id: String,
    pub shop_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub json: Value,
}

#[derive(Default)]
struct Inner {
    /// Shop id → (the `Authorization` its credentials make, its notification URL).
    shops: HashMap<String, (HeaderValue, Option<String>)>,
    payments: HashMap<String, Object>,
    refunds: Vec<Object>,
    /// (Shop, Idempotence-Key) → the payment or refund it created.
    keys: HashMap<(String, String), String>,
    /// The last notification delivered (or tried): (URL, body).
    last: Option<(String, String)>,
    down: bool,
    /// Whether a notification the gateway did not accept (no answer, or not 200) is
    /// delivered again later, as YooKassa does for a day (`redeliver_until_accepted`).
    redeliver: bool,
}

/// The running local server.
#[derive(Clone)]
pub struct LocalYooKassa {
    /// `http://127.0.0.1:<port>`: the API base the gateway's YooKassa client points at.
    pub base: String,
    inner: Arc<Mutex<Inner>>,
    http: reqwest::Client,
}

type Answer = (StatusCode, Json<Value>);
type Reply = Result<Answer, Answer>;
type S = State<LocalYooKassa>;
type Id = Path<String>;

/// YooKassa's error object.
fn error(status: StatusCode, code: &str, description: &str) -> Answer {
    let id = uuid::Uuid::new_v4().to_string();
    let body = json!({ "type": "error", "id": id, "code": code, "description": description });
    (status, Json(body))
}

fn bad_request(description: &str) -> Answer {
    error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

fn not_found() -> Answer {
    error(StatusCode::NOT_FOUND, "not_found", "Object not found")
}

fn ok(body: Value) -> Reply {
    Ok((StatusCode::OK, Json(body)))
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Minor units of an API amount object (`{"value": "1164.00", ...}`).
fn minor(amount: &Value) -> i64 {
    amount["value"].as_str().and_then(parse_amount).unwrap_or(0)
}

impl LocalYooKassa {
    /// Starts the server on a free local port, with no shop yet.
    pub async fn start() -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let me = Self {
            base: format!("http://{}", listener.local_addr()?),
            inner: Arc::default(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()?,
        };
        let app = Router::new()
            .route("/v3/payments", post(create_payment))
            .route("/v3/payments/{id}", get(read_payment))
            .route("/v3/payments/{id}/cancel", post(cancel_payment))
            .route("/v3/refunds", post(create_refund))
            .route("/v3/refunds/{id}", get(read_refund))
            .route("/v3/me", get(read_me))
            .route("/checkout/{id}", get(page))
            .route("/checkout/{id}/pay", post(pay))
            .with_state(me.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(me)
    }

    /// Adds (or replaces) a shop: its id, secret key and where its notifications go
    /// (`<gateway>/webhooks/payments/yookassa`), if anywhere.
    pub fn add_shop(&self, shop_id: &str, secret_key: &str, webhook_url: Option<String>) {
        let req = self.http.get(&self.base);
        let req = req.basic_auth(shop_id, Some(secret_key)).build().ok();
        if let Some(auth) = req.and_then(|r| r.headers().get("authorization").cloned()) {
            let shop = (auth, webhook_url);
            self.lock().shops.insert(shop_id.into(), shop);
        }
    }

    /// From now on, a notification the gateway does not accept with 200 is delivered again
    /// in the background (after 0.25 s, then twice as long each time, up to 5 s apart, for
    /// about two minutes), as YooKassa keeps delivering until it is accepted.
    pub fn redeliver_until_accepted(&self) {
        self.lock().redeliver = true;
    }

    /// Starts or ends an outage: every route answers 503 meanwhile.
    pub fn set_down(&self, down: bool) {
        self.lock().down = down;
    }

    /// A payment by id.
    pub fn payment(&self, id: &str) -> Option<Object> {
        self.lock().payments.get(id).cloned()
    }

    /// The payment behind a confirmation URL.
    pub fn payment_of_url(&self, url: &str) -> Option<Object> {
        url.rsplit('/').next().and_then(|id| self.payment(id))
    }

    /// The refunds made so far.
    pub fn refunds(&self) -> Vec<Object> {
        self.lock().refunds.clone()
    }

    /// The body of the `event` notification (`refund.succeeded`, ...) for the object `id`.
    pub fn notification(&self, id: &str, event: &str) -> Option<String> {
        let refund = self.refunds().into_iter().find(|r| r.id == id);
        let object = self.payment(id).or(refund)?.json;
        Some(json!({ "type": "notification", "event": event, "object": object }).to_string())
    }

    /// The payer pays, but the notification has not reached the gateway yet: the payment
    /// is `succeeded`, and the `payment.succeeded` body its shop would get is returned for
    /// the test to deliver when (and where) it likes. `None` when it cannot be paid
    /// (unknown or canceled).
    pub fn pay_without_notifying(&self, id: &str) -> Option<String> {
        self.settle(id).ok()?;
        self.notification(id, "payment.succeeded")
    }

    /// A pending payment waits for capture (what a two-step payment does once the payer
    /// confirmed): the one state the API can cancel. Whether it was pending.
    pub fn hold_for_capture(&self, id: &str) -> bool {
        let mut i = self.lock();
        let p = i.payments.get_mut(id).map(|p| &mut p.json);
        let Some(p) = p.filter(|p| p["status"] == "pending") else {
            return false;
        };
        (p["status"], p["paid"]) = (json!("waiting_for_capture"), json!(true));
        true
    }

    /// The payment's confirmation (or capture) expires: YooKassa cancels it and notifies
    /// `payment.canceled` to its shop. Whether it was open.
    pub async fn expire(&self, id: &str) -> bool {
        let shop = {
            let mut i = self.lock();
            let Some(Object {
                shop_id, json: p, ..
            }) = i.payments.get_mut(id)
            else {
                return false;
            };
            let reason = match p["status"].as_str() {
                Some("pending") => "expired_on_confirmation",
                Some("waiting_for_capture") => "expired_on_capture",
                _ => return false,
            };
            (p["status"], p["paid"]) = (json!("canceled"), json!(false));
            p["cancellation_details"] = json!({ "party": "yoo_money", "reason": reason });
            shop_id.clone()
        };
        if let Some(body) = self.notification(id, "payment.canceled") {
            self.deliver(&shop, body).await;
        }
        true
    }

    /// Delivers the last notification again (YooKassa's redelivery); the gateway's answer.
    pub async fn replay_last(&self) -> Option<u16> {
        let (url, body) = self.lock().last.clone()?;
        self.send(&url, body).await
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Pays a payment (idempotent): its shop, return URL, and whether it was unpaid
    /// before; refused for an unknown or canceled one.
    fn settle(&self, id: &str) -> Result<(String, String, bool), (StatusCode, &'static str)> {
        let mut i = self.lock();
        let missing = (StatusCode::NOT_FOUND, "<p>No such payment.</p>");
        let Object {
            shop_id, json: p, ..
        } = i.payments.get_mut(id).ok_or(missing)?;
        if p["status"] == "canceled" {
            return Err((StatusCode::BAD_REQUEST, CANCELED));
        }
        let changed = p["status"] != "succeeded";
        (p["status"], p["paid"]) = (json!("succeeded"), json!(true));
        p["refundable"] = json!(minor(&p["refunded_amount"]) < minor(&p["amount"]));
        let back = p["confirmation"]["return_url"].as_str().unwrap_or_default();
        Ok((shop_id.clone(), back.to_string(), changed))
    }

    /// Delivers a notification to `shop`'s URL, if it has one; the gateway's answer.
    async fn deliver(&self, shop: &str, body: String) -> Option<u16> {
        let url = self.lock().shops.get(shop)?.1.clone()?;
        self.lock().last = Some((url.clone(), body.clone()));
        let answer = self.send(&url, body.clone()).await;
        if answer != Some(200) && self.lock().redeliver {
            let me = self.clone();
            tokio::spawn(async move {
                let mut wait = Duration::from_millis(250);
                for _ in 0..30 {
                    tokio::time::sleep(wait).await;
                    if me.send(&url, body.clone()).await == Some(200) {
                        return;
                    }
                    wait = (wait * 2).min(Duration::from_secs(5));
                }
                tracing::warn!(url, "notification given up after two minutes");
            });
        }
        answer
    }

    /// POSTs a notification as YooKassa does (JSON, unsigned); a failure is only logged.
    async fn send(&self, url: &str, body: String) -> Option<u16> {
        let req = self.http.post(url).body(body);
        let sent = req.header("content-type", "application/json").send().await;
        let warn = |e: &reqwest::Error| tracing::warn!(url, error = %e, "notification undelivered");
        sent.inspect_err(warn).ok().map(|r| r.status().as_u16())
    }

    /// The shop a request authenticates as (HTTP Basic), unless the server is down or the
    /// credentials are wrong.
    fn guard(&self, headers: &HeaderMap) -> Result<String, Answer> {
        let i = self.lock();
        if i.down {
            let (status, code) = (StatusCode::SERVICE_UNAVAILABLE, "internal_server_error");
            return Err(error(status, code, "Internal server error"));
        }
        let auth = headers.get("authorization");
        let shop = i.shops.iter().find(|(_, s)| Some(&s.0) == auth);
        let refused = || error(StatusCode::UNAUTHORIZED, "invalid_credentials", "Bad auth");
        shop.map(|(id, _)| id.clone()).ok_or_else(refused)
    }
}

/// Minor units and currency of a request's `amount`.
fn amount_of(body: &Value) -> Result<(i64, String), Answer> {
    let value = body["amount"]["value"].as_str().and_then(parse_amount);
    let currency = body["amount"]["currency"].as_str().unwrap_or_default();
    let iso = currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase());
    match value {
        Some(v) if v > 0 && iso => Ok((v, currency.to_string())),
        _ => Err(bad_request("Invalid amount")),
    }
}

/// A new payment from a request body, as the API shows it.
fn new_payment(base: &str, shop: &str, body: &Value) -> Result<Object, Answer> {
    let (amount_minor, currency) = amount_of(body)?;
    let redirect = body["confirmation"]["type"] == "redirect";
    if body["capture"] != json!(true) || !redirect {
        return Err(bad_request("Only capture with a redirect is supported"));
    }
    let back = &body["confirmation"]["return_url"];
    let url_ok = |b: &&str| b.starts_with("http") && HeaderValue::from_str(b).is_ok();
    let description = body["description"].as_str().unwrap_or_default();
    let short = description.chars().count() <= DESCRIPTION_MAX_CHARS;
    let (Some(back), true) = (back.as_str().filter(url_ok), short) else {
        return Err(bad_request("Invalid return_url or description"));
    };
    let metadata = match &body["metadata"] {
        Value::Null => json!({}),
        m @ Value::Object(_) => m.clone(),
        _ => return Err(bad_request("metadata must be an object")),
    };
    let id = uuid::Uuid::new_v4().to_string();
    let url = format!("{base}/checkout/{id}");
    let json = json!({
        "id": id, "status": "pending", "paid": false,
        "amount": { "value": amount_value(amount_minor), "currency": currency },
        "description": description, "metadata": metadata,
        "confirmation": { "type": "redirect", "confirmation_url": url, "return_url": back },
        "recipient": { "account_id": shop }, "created_at": now(), "test": true, "refundable": false,
    });
    Ok(Object {
        id,
        shop_id: shop.into(),
        amount_minor,
        currency,
        json,
    })
}

type Posted = (String, String, Value);

/// A POST to the API: its shop, `Idempotence-Key` (required) and JSON body.
fn posted(s: &LocalYooKassa, headers: &HeaderMap, body: &[u8]) -> Result<Posted, Answer> {
    let shop = s.guard(headers)?;
    let key = headers.get("idempotence-key").and_then(|v| v.to_str().ok());
    let key = key.filter(|k| !k.is_empty() && k.len() <= 64);
    let key = key.ok_or_else(|| bad_request("Idempotence-Key header is required"))?;
    let body = serde_json::from_slice(body).map_err(|_| bad_request("The body is not JSON"))?;
    Ok((shop, key.to_string(), body))
}

/// The payment `id` if it is `shop`'s.
fn owned<'a>(i: &'a mut Inner, id: &str, shop: &str) -> Result<&'a mut Value, Answer> {
    let p = i.payments.get_mut(id).filter(|p| p.shop_id == shop);
    p.map(|p| &mut p.json).ok_or_else(not_found)
}

async fn create_payment(State(s): S, headers: HeaderMap, body: Bytes) -> Reply {
    let (shop, key, body) = posted(&s, &headers, &body)?;
    let mut i = s.lock();
    let key = (shop.clone(), key);
    if let Some(p) = i.keys.get(&key).and_then(|id| i.payments.get(id)) {
        return ok(p.json.clone());
    }
    let p = new_payment(&s.base, &shop, &body)?;
    i.keys.insert(key, p.id.clone());
    i.payments.insert(p.id.clone(), p.clone());
    ok(p.json)
}

async fn read_payment(State(s): S, headers: HeaderMap, Path(id): Id) -> Reply {
    let shop = s.guard(&headers)?;
    ok(owned(&mut s.lock(), &id, &shop)?.clone())
}

async fn cancel_payment(State(s): S, headers: HeaderMap, Path(id): Id) -> Reply {
    let (shop, _key, _) = posted(&s, &headers, b"{}")?;
    let mut i = s.lock();
    let p = owned(&mut i, &id, &shop)?;
    if p["status"] != "waiting_for_capture" {
        return Err(bad_request("Payment is not waiting_for_capture"));
    }
    (p["status"], p["paid"]) = (json!("canceled"), json!(false));
    p["cancellation_details"] = json!({ "party": "merchant", "reason": "canceled_by_merchant" });
    ok(p.clone())
}

async fn create_refund(State(s): S, headers: HeaderMap, body: Bytes) -> Reply {
    let (shop, key, body) = posted(&s, &headers, &body)?;
    let (amount, currency) = amount_of(&body)?;
    let payment_id = body["payment_id"].as_str().unwrap_or_default();
    let mut i = s.lock();
    let key = (shop.clone(), key);
    let done = i.keys.get(&key).cloned().unwrap_or_default();
    if let Some(r) = i.refunds.iter().find(|r| r.id == done) {
        return ok(r.json.clone());
    }
    let p = owned(&mut i, payment_id, &shop)?;
    let refunded = minor(&p["refunded_amount"]).saturating_add(amount);
    if p["status"] != "succeeded" || p["amount"]["currency"] != *currency {
        return Err(bad_request("Only a succeeded payment can be refunded"));
    }
    if refunded > minor(&p["amount"]) {
        return Err(bad_request("Refund exceeds the payment's amount"));
    }
    let value = json!({ "value": amount_value(amount), "currency": currency });
    p["refunded_amount"] = json!({ "value": amount_value(refunded), "currency": currency });
    p["refundable"] = json!(refunded < minor(&p["amount"]));
    let id = uuid::Uuid::new_v4().to_string();
    let json = json!({ "id": id, "payment_id": payment_id, "status": "succeeded", "amount": value,
                       "created_at": now() });
    i.keys.insert(key, id.clone());
    i.refunds.push(Object {
        id,
        shop_id: shop,
        amount_minor: amount,
        currency,
        json: json.clone(),
    });
    ok(json)
}

async fn read_refund(State(s): S, headers: HeaderMap, Path(id): Id) -> Reply {
    let shop = s.guard(&headers)?;
    let i = s.lock();
    let r = i.refunds.iter().find(|r| r.shop_id == shop && r.id == id);
    ok(r.ok_or_else(not_found)?.json.clone())
}

async fn read_me(State(s): S, headers: HeaderMap) -> Reply {
    let shop = s.guard(&headers)?;
    ok(json!({ "account_id": shop, "test": true, "status": "enabled" }))
}

const CANCELED: &str = "<p>This payment was canceled: nothing was charged.</p>";

/// A checkout page, or an error page while down.
fn html(s: &LocalYooKassa, status: StatusCode, body: &str) -> Response {
    let down = "<p>Temporarily unavailable.</p>";
    let (status, body) = match s.lock().down {
        true => (StatusCode::SERVICE_UNAVAILABLE, down),
        false => (status, body),
    };
    let page = format!("<!doctype html><title>Local YooKassa</title><h1>Local YooKassa</h1>{body}");
    (status, Html(page)).into_response()
}

async fn page(State(s): S, Path(id): Id) -> Response {
    let Some(p) = s.payment(&id) else {
        return html(&s, StatusCode::NOT_FOUND, "<p>No such payment.</p>");
    };
    let description = p.json["description"].as_str().unwrap_or_default();
    let what = description.replace('&', "&amp;").replace('<', "&lt;");
    let (value, currency) = (amount_value(p.amount_minor), &p.currency);
    let what = format!("<p>{what}</p><p>Amount: {value} {currency}. No card is charged.</p>");
    let action = format!("/checkout/{id}/pay");
    let pay = format!("<form method=post action=\"{action}\"><button>Pay</button></form>");
    let action = match p.json["status"].as_str() {
        Some("pending") => &pay,
        Some("canceled") => CANCELED,
        _ => "<p>Already paid.</p>",
    };
    html(&s, StatusCode::OK, &format!("{what}{action}"))
}

async fn pay(State(s): S, Path(id): Id) -> Response {
    if s.lock().down {
        return html(&s, StatusCode::SERVICE_UNAVAILABLE, "");
    }
    let (shop, back, changed) = match s.settle(&id) {
        Ok(x) => x,
        Err((status, why)) => return html(&s, status, why),
    };
    if changed && let Some(body) = s.notification(&id, "payment.succeeded") {
        s.deliver(&shop, body).await;
    }
    Redirect::to(&back).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::payments::provider::Closed::{AlreadyDone, Later, Now};
    use domain::payments::provider::{CardProvider, CheckoutRequest, RefundRequest};
    use domain::payments::provider::{CredentialsError::Refused, ProviderEvent, WebhookError};
    use domain::payments::yookassa::YooKassa;
    use {ProviderEvent::Paid, WebhookError::Unavailable, WebhookError::Unconfirmed};

    /// A gateway's notification endpoint that keeps what it receives.
    async fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
        let got: Arc<Mutex<Vec<String>>> = Arc::default();
        let keep = got.clone();
        let hook = move |body: String| async move { keep.lock().unwrap().push(body) };
        let app = Router::new().route("/hook", post(hook));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (url, got)
    }

    fn checkout(payment_id: i64) -> CheckoutRequest {
        CheckoutRequest {
            payment_id,
            tenant_id: 3,
            order_number: 42,
            amount_minor: 116_400,
            currency: "RUB".into(),
            description: format!("Заказ №42 {}", "ж".repeat(200)),
            success_url: "http://shop.test/paid".into(),
            cancel_url: String::new(),
        }
    }

    fn paid(id: &str) -> Result<ProviderEvent, WebhookError> {
        Ok(Paid {
            event_id: format!("payment.succeeded:{id}"),
            reference: id.into(),
            amount_minor: 116_400,
            currency: "RUB".into(),
        })
    }

    async fn verify(y: &YooKassa, body: &str) -> Result<ProviderEvent, WebhookError> {
        y.verify(None, body.as_bytes(), chrono::Utc::now()).await
    }

    #[tokio::test]
    async fn the_client_and_the_payer_against_the_fake() {
        let fake = LocalYooKassa::start().await.unwrap();
        let (hook, got) = receiver().await;
        fake.add_shop("100500", "test_a", None);
        fake.add_shop("200600", "test_b", Some(hook));
        let a = YooKassa::new(&fake.base, "100500", "test_a");
        let b = YooKassa::new(&fake.base, "200600", "test_b");

        let c = a.create_checkout(&checkout(7)).await.unwrap();
        let id = c.reference.clone();
        assert_eq!(a.create_checkout(&checkout(7)).await.unwrap().reference, id);
        let p = fake.payment_of_url(&c.url).unwrap();
        assert_eq!(
            (p.id, p.shop_id, p.amount_minor),
            (id.clone(), "100500".into(), 116_400)
        );
        assert_eq!(p.json["amount"]["value"], "1164.00");
        assert_eq!(p.json["metadata"]["order_number"], "42");
        assert_eq!(a.expire_checkout(&id).await.ok(), Some(Later));

        let body = fake.pay_without_notifying(&id).unwrap();
        assert_eq!(verify(&a, &body).await, paid(&id));
        assert!(matches!(verify(&b, &body).await, Err(Unconfirmed(_))));
        assert_eq!(a.expire_checkout(&id).await.ok(), Some(AlreadyDone));

        let mut refund = RefundRequest {
            payment_id: 7,
            reference: id.clone(),
            amount_minor: 116_400,
            currency: "RUB".into(),
        };
        let r = a.refund(&refund).await.unwrap();
        assert_eq!(a.refund(&refund).await.unwrap(), r);
        assert_eq!(fake.refunds().len(), 1);
        assert!(b.refund(&refund).await.is_err(), "another shop's payment");
        refund.payment_id = 8;
        assert!(a.refund(&refund).await.is_err(), "more than paid");
        let note = fake.notification(&r, "refund.succeeded").unwrap();
        assert_eq!(verify(&a, &note).await.unwrap().kind(), "refund.succeeded");

        assert_eq!(a.check_credentials().await, Ok(()));
        let wrong = YooKassa::new(&fake.base, "100500", "test_b");
        assert_eq!(wrong.check_credentials().await, Err(Refused));
        fake.set_down(true);
        assert!(matches!(verify(&a, &body).await, Err(Unavailable(_))));
        assert!(a.create_checkout(&checkout(9)).await.is_err());
        fake.set_down(false);
        let open = b.create_checkout(&checkout(7)).await.unwrap().reference;
        assert_ne!(open, id, "idempotence keys are per shop");
        assert_eq!(b.expire_checkout(&open).await.ok(), Some(Later));
        assert!(fake.expire(&open).await);
        assert_eq!(b.expire_checkout(&open).await.ok(), Some(AlreadyDone));
        let canceled = got.lock().unwrap().last().cloned().unwrap();
        let failed = verify(&b, &canceled).await.unwrap();
        assert_eq!(failed.id(), format!("payment.canceled:{open}"));
        assert!(format!("{failed:?}").contains("reason: \"expired_on_confirmation\""));
        assert!(fake.pay_without_notifying(&open).is_none());
        let forged = verify(&b, &body.replace(&id, &open)).await;
        assert!(matches!(forged, Err(Unconfirmed(_))));

        let held = b.create_checkout(&checkout(10)).await.unwrap().reference;
        assert!(fake.hold_for_capture(&held));
        assert_eq!(b.expire_checkout(&held).await.ok(), Some(Now));
        assert_eq!(fake.payment(&held).unwrap().json["status"], "canceled");

        // The payer pays on the page: the shop is notified, the payer sent back.
        let c = b.create_checkout(&checkout(1)).await.unwrap();
        let policy = reqwest::redirect::Policy::none();
        let http = reqwest::Client::builder().redirect(policy).build().unwrap();
        let page = http.get(&c.url).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("1164.00 RUB") && page.contains("Pay</button>"));

        let pay = |url: &str| http.post(format!("{url}/pay")).send();
        let done = pay(&c.url).await.unwrap();
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert_eq!(done.headers()["location"], "http://shop.test/paid");
        let body = got.lock().unwrap().last().cloned().unwrap();
        assert_eq!(verify(&b, &body).await, paid(&c.reference));
        assert_eq!(fake.replay_last().await, Some(200));
        pay(&c.url).await.unwrap();
        assert_eq!(got.lock().unwrap().len(), 3, "notified once, replayed once");

        let closed = b.create_checkout(&checkout(2)).await.unwrap();
        assert!(fake.expire(&closed.reference).await);
        let refused = pay(&closed.url).await.unwrap().status();
        assert_eq!(refused, StatusCode::BAD_REQUEST);
        assert_eq!(fake.payment(&closed.reference).unwrap().json["paid"], false);

        let api = |path: &str, secret: &str| {
            let url = format!("{}/v3/{path}", fake.base);
            let req = http.post(url);
            req.basic_auth("200600", Some(secret.to_string()))
        };
        let body = json!({ "amount": { "value": "1.00", "currency": "RUB" }, "capture": true,
            "confirmation": { "type": "redirect", "return_url": "http://x.test" } });
        let denied = api("payments", "x").json(&body).send().await.unwrap();
        let err: Value = denied.json().await.unwrap();
        assert_eq!(err["code"], "invalid_credentials");
        assert_eq!(err["type"], "error");
        let unkeyed = api("payments", "test_b").json(&body).send().await.unwrap();
        assert_eq!(unkeyed.status(), StatusCode::BAD_REQUEST);
        let keyed = api("payments", "test_b").header("Idempotence-Key", "k1");
        let created = keyed.json(&body).send().await.unwrap();
        assert_eq!(created.status(), StatusCode::OK);
    }
}
