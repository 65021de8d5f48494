//! Card payment providers, behind one trait so another can be added next to Stripe: the
//! API creates a checkout session at the provider, and the provider's signed notification
//! to `POST /webhooks/payments/<provider>` pays the order. Nothing is paid any other way.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

/// What a checkout is for.
#[derive(Debug, Clone)]
pub struct CheckoutRequest {
    /// Our payment's id: the provider echoes it back and uses it as its idempotency key.
    pub payment_id: i64,
    pub tenant_id: i64,
    pub order_number: i64,
    pub amount_minor: i64,
    /// ISO 4217.
    pub currency: String,
    pub description: String,
    pub success_url: String,
    pub cancel_url: String,
}

/// A checkout session at the provider.
#[derive(Debug, Clone)]
pub struct Checkout {
    /// The provider's id of the session (what its notifications name).
    pub reference: String,
    /// Where the payer enters the card.
    pub url: String,
}

/// A refund of a paid checkout.
#[derive(Debug, Clone)]
pub struct RefundRequest {
    /// Our payment's id: the refund's idempotency key at the provider.
    pub payment_id: i64,
    /// The provider's id of the paid checkout.
    pub reference: String,
    pub amount_minor: i64,
    pub currency: String,
}

/// What asking to close a checkout did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// The checkout was open and can no longer be paid.
    Now,
    /// It was not open any more (paid, or expired before).
    AlreadyDone,
}

/// A verified notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderEvent {
    /// The checkout was paid.
    Paid {
        event_id: String,
        reference: String,
        amount_minor: i64,
        currency: String,
    },
    /// The checkout failed or expired unpaid.
    Failed {
        event_id: String,
        reference: String,
        reason: String,
    },
    /// Anything else (acknowledged, recorded, nothing changes).
    Other { event_id: String, kind: String },
}

impl ProviderEvent {
    /// The provider's id of the event.
    pub fn id(&self) -> &str {
        match self {
            ProviderEvent::Paid { event_id, .. }
            | ProviderEvent::Failed { event_id, .. }
            | ProviderEvent::Other { event_id, .. } => event_id,
        }
    }

    /// The event's type, for the record.
    pub fn kind(&self) -> &str {
        match self {
            ProviderEvent::Paid { .. } => "paid",
            ProviderEvent::Failed { .. } => "failed",
            ProviderEvent::Other { kind, .. } => kind,
        }
    }
}

/// Why a notification was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("missing signature")]
    Unsigned,
    #[error("bad signature")]
    BadSignature,
    #[error("timestamp outside the tolerance")]
    Stale,
    #[error("malformed notification: {0}")]
    Malformed(String),
}

/// Why a checkout could not be created.
#[derive(Debug, Clone, thiserror::Error)]
#[error("payment provider: {0}")]
pub struct ProviderError(pub String);

/// A card payment provider.
#[async_trait::async_trait]
pub trait CardProvider: Send + Sync + std::fmt::Debug {
    /// The name in the webhook path and in `payments.provider`.
    fn name(&self) -> &'static str;
    /// The request header that carries the signature.
    fn signature_header(&self) -> &'static str;
    /// Creates a checkout session.
    async fn create_checkout(&self, r: &CheckoutRequest) -> Result<Checkout, ProviderError>;
    /// Refunds a paid checkout in full; the provider's id of the refund. Asking twice for
    /// the same payment refunds once (the payment's id is the idempotency key).
    async fn refund(&self, r: &RefundRequest) -> Result<String, ProviderError>;
    /// Closes an open checkout so it can no longer be paid (its order was cancelled or
    /// expired). `Closed::AlreadyDone` when the provider says the checkout is not open any
    /// more (paid or expired): a payment completed meanwhile arrives as a notification and
    /// is refunded.
    async fn expire_checkout(&self, reference: &str) -> Result<Closed, ProviderError>;
    /// Verifies a notification (signature over the raw body, in constant time, and the
    /// timestamp where the protocol has one) and reads it.
    fn verify(
        &self,
        signature: Option<&str>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<ProviderEvent, WebhookError>;
}

/// The configured providers, by name.
#[derive(Debug, Clone, Default)]
pub struct Providers(pub Arc<HashMap<String, Arc<dyn CardProvider>>>);

impl Providers {
    /// These providers.
    pub fn new(list: Vec<Arc<dyn CardProvider>>) -> Self {
        Self(Arc::new(
            list.into_iter()
                .map(|p| (p.name().to_string(), p))
                .collect(),
        ))
    }

    /// The provider `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<dyn CardProvider>> {
        self.0.get(name)
    }

    /// The provider card payments use (the first configured, by name).
    pub fn default_provider(&self) -> Option<&Arc<dyn CardProvider>> {
        let mut names: Vec<&String> = self.0.keys().collect();
        names.sort();
        names.first().and_then(|n| self.0.get(*n))
    }
}
