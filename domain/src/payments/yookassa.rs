//! YooKassa's API v3 protocol: every call authenticates with HTTP Basic (the shop id as
//! user, the secret key as password) and sends JSON; amounts are objects
//! `{"value": "1164.00", "currency": "RUB"}` (two decimals for every currency we use).
//! Payments are created with `POST /v3/payments` (`Idempotence-Key: payment-<our id>`,
//! `capture: true`, a `redirect` confirmation whose `confirmation_url` the payer opens),
//! refunded with `POST /v3/refunds` (`Idempotence-Key: refund-<our id>`), and a payment
//! still `waiting_for_capture` is cancelled with `POST /v3/payments/<id>/cancel`; a
//! `pending` one cannot be cancelled on request (YooKassa cancels it itself when its
//! confirmation expires). `GET /v3/me` checks the credentials.
//!
//! Notifications (`{"type": "notification", "event": "payment.succeeded", "object": {..}}`)
//! are NOT signed: only the event's name and the object's id are taken from the body, and
//! the object is read back from the API with this account's credentials
//! (`GET /v3/payments/<id>`, `GET /v3/refunds/<id>`), whose answer is what counts. An
//! object the API does not show this account (404, 401, 403) is refused as unconfirmed; an
//! API that does not answer makes the notification unavailable (YooKassa delivers it
//! again). YooKassa sends them from [`NOTIFICATION_SOURCES`]. The API base is configurable
//! so tests and the demo talk to a local server speaking the same protocol.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::provider::{
    CardProvider, Checkout, CheckoutRequest, Claim, Closed, CredentialsError, ProviderError,
    ProviderEvent, RefundRequest, WebhookError,
};

/// The addresses YooKassa sends notifications from (its published list).
pub const NOTIFICATION_SOURCES: &str = "185.71.76.0/27, 185.71.77.0/27, 77.75.153.0/25, \
     77.75.156.11, 77.75.156.35, 77.75.154.128/25, 2a02:5180::/32";

/// YooKassa refuses a payment description longer than this (characters).
pub const DESCRIPTION_MAX_CHARS: usize = 128;

/// YooKassa, configured for one shop.
#[derive(Clone)]
pub struct YooKassa {
    pub api_base: String,
    pub shop_id: String,
    secret_key: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for YooKassa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("YooKassa")
            .field("api_base", &self.api_base)
            .field("shop_id", &self.shop_id)
            .finish_non_exhaustive()
    }
}

impl YooKassa {
    /// A client of the API at `api_base` (`https://api.yookassa.ru`) for the shop
    /// `shop_id`.
    pub fn new(api_base: &str, shop_id: &str, secret_key: &str) -> Self {
        Self {
            api_base: api_base.trim_end_matches('/').to_string(),
            shop_id: shop_id.to_string(),
            secret_key: secret_key.to_string(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
        }
    }

    fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}{path}", self.api_base))
            .basic_auth(&self.shop_id, Some(&self.secret_key))
    }

    fn post(&self, path: &str, key: &str, body: &serde_json::Value) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.api_base))
            .basic_auth(&self.shop_id, Some(&self.secret_key))
            .header("Idempotence-Key", key)
            .json(body)
    }

    /// Reads an API object back for a notification: what the API answers this account.
    async fn read_back<T: DeserializeOwned>(&self, path: &str) -> Result<T, WebhookError> {
        let resp = self
            .get(path)
            .send()
            .await
            .map_err(|e| WebhookError::Unavailable(e.to_string()))?;
        let status = resp.status();
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(WebhookError::Unavailable(format!(
                "{path} answered {status}"
            )));
        }
        if !status.is_success() {
            // 404, 401, 403: not this account's object (or credentials revoked).
            return Err(WebhookError::Unconfirmed(format!(
                "{path} answered {status}"
            )));
        }
        resp.json()
            .await
            .map_err(|e| WebhookError::Unavailable(format!("{path}: unreadable answer: {e}")))
    }

    /// A payment by id (for closing its checkout).
    async fn payment(&self, id: &str) -> Result<Payment, ProviderError> {
        let resp = self
            .get(&format!("/v3/payments/{id}"))
            .send()
            .await
            .map_err(|e| ProviderError(e.to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(ProviderError(format!(
                "reading the payment refused: {status}"
            )));
        }
        resp.json().await.map_err(|e| ProviderError(e.to_string()))
    }
}

/// `value` of a YooKassa amount for `minor` units of a currency with two decimals
/// (`116400` → `"1164.00"`).
pub fn amount_value(minor: i64) -> String {
    Decimal::new(minor, 2).to_string()
}

/// A YooKassa amount object for `minor` units of `currency`.
fn amount(minor: i64, currency: &str) -> serde_json::Value {
    json!({ "value": amount_value(minor), "currency": currency.to_uppercase() })
}

/// Minor units of a YooKassa amount's `value`: plain digits with at most two decimals
/// (`"1164.00"`, `"1164.5"`, `"1164"`); anything else (a sign, an exponent, more
/// decimals, spaces, an overflow) is refused.
pub fn parse_amount(value: &str) -> Option<i64> {
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || frac.len() > 2 {
        return None;
    }
    if value.ends_with('.') {
        return None;
    }
    let d = Decimal::from_str(value).ok()?;
    d.checked_mul(Decimal::ONE_HUNDRED)?.to_i64()
}

/// `description` cut to what YooKassa accepts, on a character boundary.
pub fn truncate_description(description: &str) -> &str {
    match description.char_indices().nth(DESCRIPTION_MAX_CHARS) {
        Some((at, _)) => &description[..at],
        None => description,
    }
}

#[derive(Deserialize)]
struct Amount {
    value: String,
    currency: String,
}

#[derive(Deserialize)]
struct Confirmation {
    confirmation_url: Option<String>,
}

#[derive(Deserialize)]
struct CancellationDetails {
    reason: Option<String>,
}

#[derive(Deserialize)]
struct Payment {
    id: String,
    status: String,
    #[serde(default)]
    paid: bool,
    amount: Option<Amount>,
    confirmation: Option<Confirmation>,
    cancellation_details: Option<CancellationDetails>,
}

#[derive(Deserialize)]
struct Refund {
    id: String,
    status: String,
}

#[derive(Deserialize)]
struct Notification {
    #[serde(rename = "type")]
    kind: String,
    event: String,
    object: NotificationObject,
}

#[derive(Deserialize)]
struct NotificationObject {
    id: String,
}

/// The event's name and the object's id of a notification body, nothing else: both are
/// checked to be plain tokens (the id goes into an API path).
fn parse_notification(body: &[u8]) -> Result<(String, String), WebhookError> {
    let n: Notification =
        serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(e.to_string()))?;
    if n.kind != "notification" {
        return Err(WebhookError::Malformed(format!("type {:?}", n.kind)));
    }
    let event_ok = !n.event.is_empty()
        && n.event.len() <= 64
        && n.event
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_');
    if !event_ok {
        return Err(WebhookError::Malformed("bad event name".into()));
    }
    let id_ok = !n.object.id.is_empty()
        && n.object.id.len() <= 64
        && n.object
            .id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !id_ok {
        return Err(WebhookError::Malformed("bad object id".into()));
    }
    Ok((n.event, n.object.id))
}

/// What a payment's status says about closing its checkout, when it needs no request.
fn closed_by_status(status: &str) -> Option<Closed> {
    match status {
        "succeeded" | "canceled" => Some(Closed::AlreadyDone),
        "pending" => Some(Closed::Later),
        _ => None,
    }
}

#[async_trait::async_trait]
impl CardProvider for YooKassa {
    fn name(&self) -> &'static str {
        "yookassa"
    }

    fn signature_header(&self) -> Option<&'static str> {
        None
    }

    async fn create_checkout(&self, r: &CheckoutRequest) -> Result<Checkout, ProviderError> {
        let body = json!({
            "amount": amount(r.amount_minor, &r.currency),
            "capture": true,
            "confirmation": { "type": "redirect", "return_url": r.success_url },
            "description": truncate_description(&r.description),
            "metadata": {
                "payment_id": r.payment_id.to_string(),
                "tenant_id": r.tenant_id.to_string(),
                "order_number": r.order_number.to_string(),
            },
        });
        let resp = self
            .post("/v3/payments", &format!("payment-{}", r.payment_id), &body)
            .send()
            .await
            .map_err(|e| ProviderError(e.to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(ProviderError(format!("payment refused: {status}")));
        }
        let p: Payment = resp
            .json()
            .await
            .map_err(|e| ProviderError(e.to_string()))?;
        let url = p
            .confirmation
            .and_then(|c| c.confirmation_url)
            .ok_or_else(|| ProviderError("no confirmation url".into()))?;
        Ok(Checkout {
            reference: p.id,
            url,
        })
    }

    async fn refund(&self, r: &RefundRequest) -> Result<String, ProviderError> {
        let body = json!({
            "payment_id": r.reference,
            "amount": amount(r.amount_minor, &r.currency),
        });
        let resp = self
            .post("/v3/refunds", &format!("refund-{}", r.payment_id), &body)
            .send()
            .await
            .map_err(|e| ProviderError(e.to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(ProviderError(format!("refund refused: {status}")));
        }
        let refund: Refund = resp
            .json()
            .await
            .map_err(|e| ProviderError(e.to_string()))?;
        match refund.status.as_str() {
            "succeeded" => Ok(refund.id),
            // Asked again later with the same key: YooKassa answers the same refund as it
            // stands then.
            "pending" => Err(ProviderError("the refund is still pending".into())),
            other => Err(ProviderError(format!(
                "the provider reports the refund {other}"
            ))),
        }
    }

    async fn check_credentials(&self) -> Result<(), CredentialsError> {
        let resp = self
            .get("/v3/me")
            .send()
            .await
            .map_err(|e| CredentialsError::Unavailable(e.to_string()))?;
        match resp.status() {
            s if s.is_success() => Ok(()),
            reqwest::StatusCode::UNAUTHORIZED | reqwest::StatusCode::FORBIDDEN => {
                Err(CredentialsError::Refused)
            }
            s => Err(CredentialsError::Unavailable(format!("answered {s}"))),
        }
    }

    async fn expire_checkout(&self, reference: &str) -> Result<Closed, ProviderError> {
        let p = self.payment(reference).await?;
        if let Some(closed) = closed_by_status(&p.status) {
            return Ok(closed);
        }
        if p.status != "waiting_for_capture" {
            return Err(ProviderError(format!(
                "unknown payment status {:?}",
                p.status
            )));
        }
        let resp = self
            .post(
                &format!("/v3/payments/{reference}/cancel"),
                &format!("cancel-{reference}"),
                &json!({}),
            )
            .send()
            .await
            .map_err(|e| ProviderError(e.to_string()))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(Closed::Now);
        }
        // It may have changed meanwhile (captured or cancelled by YooKassa).
        let p = self.payment(reference).await?;
        match closed_by_status(&p.status) {
            Some(Closed::AlreadyDone) => Ok(Closed::AlreadyDone),
            _ => Err(ProviderError(format!(
                "cancelling the payment refused: {status}"
            ))),
        }
    }

    fn claim(&self, body: &[u8]) -> Option<Result<Claim, WebhookError>> {
        Some(
            parse_notification(body).and_then(|(event, id)| match event.as_str() {
                "payment.succeeded" | "payment.canceled" => Ok(Claim::Payment(id)),
                "refund.succeeded" => Ok(Claim::Refund(id)),
                other => Err(WebhookError::Malformed(format!(
                    "event {other:?} is not one this gateway subscribes to"
                ))),
            }),
        )
    }

    async fn verify(
        &self,
        _signature: Option<&str>,
        body: &[u8],
        _now: DateTime<Utc>,
    ) -> Result<ProviderEvent, WebhookError> {
        let (event, id) = parse_notification(body)?;
        let event_id = format!("{event}:{id}");
        match event.as_str() {
            "payment.succeeded" => {
                let p: Payment = self.read_back(&format!("/v3/payments/{id}")).await?;
                if p.id != id || p.status != "succeeded" || !p.paid {
                    return Err(WebhookError::Unconfirmed(format!(
                        "payment {id} is {} (paid: {})",
                        p.status, p.paid
                    )));
                }
                let amount = p
                    .amount
                    .ok_or_else(|| WebhookError::Unconfirmed("payment without amount".into()))?;
                let amount_minor = parse_amount(&amount.value).ok_or_else(|| {
                    WebhookError::Unconfirmed(format!("amount {:?}", amount.value))
                })?;
                Ok(ProviderEvent::Paid {
                    event_id,
                    reference: id,
                    amount_minor,
                    currency: amount.currency.to_uppercase(),
                })
            }
            "payment.canceled" => {
                let p: Payment = self.read_back(&format!("/v3/payments/{id}")).await?;
                if p.id != id || p.status != "canceled" {
                    return Err(WebhookError::Unconfirmed(format!(
                        "payment {id} is {}",
                        p.status
                    )));
                }
                let reason = p
                    .cancellation_details
                    .and_then(|c| c.reason)
                    .unwrap_or_else(|| "canceled".into());
                Ok(ProviderEvent::Failed {
                    event_id,
                    reference: id,
                    reason,
                })
            }
            "refund.succeeded" => {
                let r: Refund = self.read_back(&format!("/v3/refunds/{id}")).await?;
                if r.id != id || r.status != "succeeded" {
                    return Err(WebhookError::Unconfirmed(format!(
                        "refund {id} is {}",
                        r.status
                    )));
                }
                Ok(ProviderEvent::Other {
                    event_id,
                    kind: event,
                })
            }
            _ => Ok(ProviderEvent::Other {
                event_id,
                kind: event,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_with_two_decimals() {
        assert_eq!(amount_value(116400), "1164.00");
        assert_eq!(amount_value(5), "0.05");
        assert_eq!(amount_value(0), "0.00");
        assert_eq!(amount_value(100_000_001), "1000000.01");
    }

    #[test]
    fn amounts_are_read_exactly_or_refused() {
        assert_eq!(parse_amount("1164.00"), Some(116400));
        assert_eq!(parse_amount("0.05"), Some(5));
        assert_eq!(parse_amount("1164.5"), Some(116450));
        assert_eq!(parse_amount("1164"), Some(116400));
        for v in [123, 116400, 1, 0, 9_999_999_999] {
            assert_eq!(parse_amount(&amount_value(v)), Some(v));
        }
        for bad in [
            "",
            ".",
            "1.",
            ".50",
            "1.005",
            "1.000",
            "-1.00",
            "+1.00",
            "1e3",
            "1_000.00",
            " 1.00",
            "1.00 ",
            "1,00",
            "1.0.0",
            "abc",
            "NaN",
            "99999999999999999999999.00",
            "9999999999999999999999999999.00",
            "99999999999999999999999999999999.00",
        ] {
            assert_eq!(parse_amount(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn descriptions_are_cut_on_a_character_boundary() {
        let short = "Заказ №42";
        assert_eq!(truncate_description(short), short);
        let long = "ж".repeat(200);
        let cut = truncate_description(&long);
        assert_eq!(cut.chars().count(), DESCRIPTION_MAX_CHARS);
        assert_eq!(cut, "ж".repeat(DESCRIPTION_MAX_CHARS));
        let exact = "a".repeat(DESCRIPTION_MAX_CHARS);
        assert_eq!(truncate_description(&exact), exact);
        let mixed = format!("{}€€", "a".repeat(DESCRIPTION_MAX_CHARS - 1));
        assert_eq!(
            truncate_description(&mixed),
            format!("{}€", "a".repeat(DESCRIPTION_MAX_CHARS - 1))
        );
    }

    #[test]
    fn notifications_are_read_for_their_event_and_id_only() {
        let ok = br#"{"type":"notification","event":"payment.succeeded","object":{"id":"2d3f-000f-5000","status":"succeeded","paid":true}}"#;
        assert_eq!(
            parse_notification(ok),
            Ok(("payment.succeeded".into(), "2d3f-000f-5000".into()))
        );
    }

    #[tokio::test]
    async fn malformed_notifications_are_refused_without_asking_the_api() {
        // Nothing listens there: a notification that reached the API would be
        // `Unavailable`, not `Malformed`.
        let y = YooKassa::new("http://127.0.0.1:1", "100500", "test_secret");
        for bad in [
            &b""[..],
            b"not json",
            b"{}",
            br#"{"type":"notification","event":"payment.succeeded"}"#,
            br#"{"type":"notification","event":"payment.succeeded","object":{}}"#,
            br#"{"type":"notification","event":"payment.succeeded","object":{"id":42}}"#,
            br#"{"type":"other","event":"payment.succeeded","object":{"id":"p1"}}"#,
            br#"{"type":"notification","event":"","object":{"id":"p1"}}"#,
            br#"{"type":"notification","event":"Payment Succeeded","object":{"id":"p1"}}"#,
            br#"{"type":"notification","event":"payment.succeeded","object":{"id":""}}"#,
            br#"{"type":"notification","event":"payment.succeeded","object":{"id":"../me"}}"#,
            br#"{"type":"notification","event":"payment.succeeded","object":{"id":"p1?x=1"}}"#,
        ] {
            let got = y.verify(None, bad, Utc::now()).await;
            assert!(
                matches!(got, Err(WebhookError::Malformed(_))),
                "{}: {got:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let unreachable =
            br#"{"type":"notification","event":"payment.succeeded","object":{"id":"p1"}}"#;
        assert!(matches!(
            y.verify(None, unreachable, Utc::now()).await,
            Err(WebhookError::Unavailable(_))
        ));
    }

    #[test]
    fn nothing_secret_is_printed_and_the_protocol_is_named() {
        let y = YooKassa::new("https://api.yookassa.ru/", "100500", "live_SECRET");
        let shown = format!("{y:?}");
        assert!(!shown.contains("live_SECRET"), "{shown}");
        assert!(shown.contains("100500"));
        assert_eq!(y.api_base, "https://api.yookassa.ru");
        assert_eq!(y.name(), "yookassa");
        assert_eq!(y.signature_header(), None);
        assert_eq!(NOTIFICATION_SOURCES.split(", ").count(), 7);
    }
}
