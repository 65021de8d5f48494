//! Stripe's protocol: Checkout Sessions created with `POST /v1/checkout/sessions`
//! (form-encoded, `Authorization: Bearer <secret key>`, `Idempotency-Key`), refunds with
//! `GET /v1/checkout/sessions/<id>` (its `payment_intent`) then `POST /v1/refunds`
//! (`payment_intent`, `amount`, `Idempotency-Key`), and webhooks
//! signed in `Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`
//! with the endpoint's secret, refused outside a 5-minute tolerance. The API base is
//! configurable so tests and the demo talk to a local server speaking the same protocol.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::provider::{
    CardProvider, Checkout, CheckoutRequest, Closed, CredentialsError, ProviderError,
    ProviderEvent, RefundRequest, WebhookError,
};

/// Signatures older or newer than this are refused (Stripe's default).
pub const TOLERANCE_SECS: i64 = 300;

/// Stripe, configured.
#[derive(Clone)]
pub struct Stripe {
    pub api_base: String,
    pub secret_key: String,
    pub webhook_secret: String,
    /// A completion is believed only once the session read back with the key says it is
    /// paid (a brand's own account, whose signing secret its admins hold).
    pub confirm_paid: bool,
    http: reqwest::Client,
}

impl std::fmt::Debug for Stripe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stripe")
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

impl Stripe {
    /// A client of the API at `api_base` (`https://api.stripe.com`).
    pub fn new(api_base: &str, secret_key: &str, webhook_secret: &str) -> Self {
        Self {
            api_base: api_base.trim_end_matches('/').to_string(),
            secret_key: secret_key.to_string(),
            webhook_secret: webhook_secret.to_string(),
            confirm_paid: false,
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
        }
    }
}

impl Stripe {
    /// Reads the session back and checks it is paid, for that amount and currency.
    async fn confirm(
        &self,
        reference: &str,
        amount_minor: i64,
        currency: &str,
    ) -> Result<(), WebhookError> {
        let ok_id = !reference.is_empty()
            && reference.len() <= 255
            && reference
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !ok_id {
            return Err(WebhookError::Malformed("bad session id".into()));
        }
        let resp = self
            .http
            .get(format!(
                "{}/v1/checkout/sessions/{reference}",
                self.api_base
            ))
            .bearer_auth(&self.secret_key)
            .send()
            .await
            .map_err(|e| WebhookError::Unavailable(e.to_string()))?;
        let status = resp.status();
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(WebhookError::Unavailable(format!("answered {status}")));
        }
        if !status.is_success() {
            return Err(WebhookError::Unconfirmed(format!(
                "the session read back: {status}"
            )));
        }
        let s: serde_json::Value = resp
            .json()
            .await
            .map_err(|e| WebhookError::Unavailable(e.to_string()))?;
        let paid = s["payment_status"] == "paid"
            && s["amount_total"].as_i64() == Some(amount_minor)
            && s["currency"]
                .as_str()
                .is_some_and(|c| c.eq_ignore_ascii_case(currency));
        if paid {
            Ok(())
        } else {
            Err(WebhookError::Unconfirmed(
                "the session read back is not paid as notified".into(),
            ))
        }
    }
}

/// `Stripe-Signature` for `body` at `timestamp` with `secret` (what Stripe sends; the
/// local provider signs with it).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| {
        // HMAC takes keys of any length; this branch cannot be reached.
        Hmac::<Sha256>::new_from_slice(b"-").unwrap_or_else(|_| unreachable!())
    });
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

#[derive(Deserialize)]
struct SessionCreated {
    id: String,
    url: Option<String>,
}

#[derive(Deserialize)]
struct SessionRead {
    payment_intent: Option<String>,
}

#[derive(Deserialize)]
struct RefundCreated {
    id: String,
    status: Option<String>,
}

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: serde_json::Value,
}

#[async_trait::async_trait]
impl CardProvider for Stripe {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn signature_header(&self) -> Option<&'static str> {
        Some("stripe-signature")
    }

    async fn create_checkout(&self, r: &CheckoutRequest) -> Result<Checkout, ProviderError> {
        let form = [
            ("mode", "payment".to_string()),
            ("client_reference_id", r.payment_id.to_string()),
            ("metadata[payment_id]", r.payment_id.to_string()),
            ("metadata[tenant_id]", r.tenant_id.to_string()),
            ("metadata[order_number]", r.order_number.to_string()),
            ("line_items[0][quantity]", "1".to_string()),
            (
                "line_items[0][price_data][currency]",
                r.currency.to_lowercase(),
            ),
            (
                "line_items[0][price_data][unit_amount]",
                r.amount_minor.to_string(),
            ),
            (
                "line_items[0][price_data][product_data][name]",
                r.description.clone(),
            ),
            ("success_url", r.success_url.clone()),
            ("cancel_url", r.cancel_url.clone()),
        ];
        let resp = self
            .http
            .post(format!("{}/v1/checkout/sessions", self.api_base))
            .bearer_auth(&self.secret_key)
            .header("Idempotency-Key", format!("payment-{}", r.payment_id))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(form).map_err(|e| ProviderError(e.to_string()))?)
            .send()
            .await
            .map_err(|e| ProviderError(e.to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(ProviderError(format!("checkout session refused: {status}")));
        }
        let s: SessionCreated = resp
            .json()
            .await
            .map_err(|e| ProviderError(e.to_string()))?;
        Ok(Checkout {
            url: s
                .url
                .ok_or_else(|| ProviderError("no checkout url".into()))?,
            reference: s.id,
        })
    }

    async fn refund(&self, r: &RefundRequest) -> Result<String, ProviderError> {
        let err = |e: reqwest::Error| ProviderError(e.to_string());
        let resp = self
            .http
            .get(format!(
                "{}/v1/checkout/sessions/{}",
                self.api_base, r.reference
            ))
            .bearer_auth(&self.secret_key)
            .send()
            .await
            .map_err(err)?;
        if !resp.status().is_success() {
            return Err(ProviderError(format!(
                "reading the checkout session refused: {}",
                resp.status()
            )));
        }
        let session: SessionRead = resp.json().await.map_err(err)?;
        let intent = session
            .payment_intent
            .ok_or_else(|| ProviderError("the checkout session has no payment".into()))?;
        let form = [
            ("payment_intent", intent),
            ("amount", r.amount_minor.to_string()),
            ("metadata[payment_id]", r.payment_id.to_string()),
        ];
        let resp = self
            .http
            .post(format!("{}/v1/refunds", self.api_base))
            .bearer_auth(&self.secret_key)
            .header("Idempotency-Key", format!("refund-{}", r.payment_id))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(form).map_err(|e| ProviderError(e.to_string()))?)
            .send()
            .await
            .map_err(err)?;
        if !resp.status().is_success() {
            return Err(ProviderError(format!("refund refused: {}", resp.status())));
        }
        let refund: RefundCreated = resp.json().await.map_err(err)?;
        if refund.status.as_deref() == Some("failed") {
            return Err(ProviderError(
                "the provider reports the refund failed".into(),
            ));
        }
        Ok(refund.id)
    }

    async fn check_credentials(&self) -> Result<(), CredentialsError> {
        let resp = self
            .http
            .get(format!("{}/v1/balance", self.api_base))
            .bearer_auth(&self.secret_key)
            .send()
            .await
            .map_err(|e| CredentialsError::Unavailable(e.to_string()))?;
        match resp.status() {
            s if s.is_success() => Ok(()),
            // 403: a restricted key without access to the balance, but a key Stripe knows.
            reqwest::StatusCode::FORBIDDEN => Ok(()),
            reqwest::StatusCode::UNAUTHORIZED => Err(CredentialsError::Refused),
            s => Err(CredentialsError::Unavailable(format!("answered {s}"))),
        }
    }

    async fn expire_checkout(&self, reference: &str) -> Result<Closed, ProviderError> {
        let resp = self
            .http
            .post(format!(
                "{}/v1/checkout/sessions/{reference}/expire",
                self.api_base
            ))
            .bearer_auth(&self.secret_key)
            .send()
            .await
            .map_err(|e| ProviderError(e.to_string()))?;
        let status = resp.status();
        if status.is_success() {
            Ok(Closed::Now)
        } else if status == reqwest::StatusCode::BAD_REQUEST {
            // Stripe refuses to expire a session that is not `open` (complete or expired).
            Ok(Closed::AlreadyDone)
        } else {
            Err(ProviderError(format!(
                "expiring the checkout refused: {status}"
            )))
        }
    }

    async fn verify(
        &self,
        signature: Option<&str>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<ProviderEvent, WebhookError> {
        let header = signature.ok_or(WebhookError::Unsigned)?;
        let mut timestamp: Option<i64> = None;
        let mut candidates: Vec<Vec<u8>> = Vec::new();
        for part in header.split(',') {
            match part.trim().split_once('=') {
                Some(("t", v)) => timestamp = v.parse().ok(),
                Some(("v1", v)) => {
                    if let Ok(bytes) = hex::decode(v) {
                        candidates.push(bytes);
                    }
                }
                _ => {}
            }
        }
        let t = timestamp.ok_or(WebhookError::Unsigned)?;
        if candidates.is_empty() {
            return Err(WebhookError::Unsigned);
        }
        let ok = candidates.iter().any(|sig| {
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.webhook_secret.as_bytes()) else {
                return false;
            };
            mac.update(t.to_string().as_bytes());
            mac.update(b".");
            mac.update(body);
            // Constant time.
            mac.verify_slice(sig).is_ok()
        });
        if !ok {
            return Err(WebhookError::BadSignature);
        }
        if now
            .timestamp()
            .checked_sub(t)
            .is_none_or(|d| d.abs() > TOLERANCE_SECS)
        {
            return Err(WebhookError::Stale);
        }
        let e: Event =
            serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(e.to_string()))?;
        let obj = &e.data.object;
        let reference = obj["id"].as_str().unwrap_or_default().to_string();
        let event = match e.kind.as_str() {
            "checkout.session.completed" | "checkout.session.async_payment_succeeded"
                if obj["payment_status"] == "paid" =>
            {
                ProviderEvent::Paid {
                    event_id: e.id,
                    reference,
                    amount_minor: obj["amount_total"].as_i64().unwrap_or(-1),
                    currency: obj["currency"].as_str().unwrap_or_default().to_uppercase(),
                }
            }
            "checkout.session.expired" | "checkout.session.async_payment_failed" => {
                ProviderEvent::Failed {
                    event_id: e.id,
                    reference,
                    reason: e.kind,
                }
            }
            _ => ProviderEvent::Other {
                event_id: e.id,
                kind: e.kind,
            },
        };
        if self.confirm_paid
            && let ProviderEvent::Paid {
                reference,
                amount_minor,
                currency,
                ..
            } = &event
        {
            self.confirm(reference, *amount_minor, currency).await?;
        }
        Ok(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stripe() -> Stripe {
        Stripe::new("http://127.0.0.1:1", "sk_test", "whsec_test")
    }

    const BODY: &[u8] = br#"{"id":"evt_1","type":"checkout.session.completed","data":{"object":{"id":"cs_1","payment_status":"paid","amount_total":116400,"currency":"rub"}}}"#;

    #[tokio::test]
    async fn a_signed_fresh_notification_is_read() {
        let now = Utc::now();
        let sig = sign("whsec_test", now.timestamp(), BODY);
        let e = stripe().verify(Some(&sig), BODY, now).await.unwrap();
        assert_eq!(
            e,
            ProviderEvent::Paid {
                event_id: "evt_1".into(),
                reference: "cs_1".into(),
                amount_minor: 116400,
                currency: "RUB".into()
            }
        );
    }

    #[tokio::test]
    async fn unsigned_tampered_wrong_secret_and_stale_are_refused() {
        let now = Utc::now();
        let s = stripe();
        assert_eq!(s.verify(None, BODY, now).await, Err(WebhookError::Unsigned));
        let sig = sign("whsec_test", now.timestamp(), BODY);
        let mut tampered = BODY.to_vec();
        tampered[10] ^= 1;
        assert_eq!(
            s.verify(Some(&sig), &tampered, now).await,
            Err(WebhookError::BadSignature)
        );
        let other = sign("whsec_other", now.timestamp(), BODY);
        assert_eq!(
            s.verify(Some(&other), BODY, now).await,
            Err(WebhookError::BadSignature)
        );
        let old = sign("whsec_test", now.timestamp() - TOLERANCE_SECS - 1, BODY);
        assert_eq!(
            s.verify(Some(&old), BODY, now).await,
            Err(WebhookError::Stale)
        );
        assert_eq!(
            s.verify(Some("t=1,v1=zz"), BODY, now).await,
            Err(WebhookError::Unsigned)
        );
    }
}
