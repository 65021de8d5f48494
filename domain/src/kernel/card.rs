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
    /// The provider cannot close it on request and closes it itself when it expires
    /// (YooKassa: a `pending` payment is cancelled by YooKassa once its confirmation
    /// expires): asked again later, and a payment completed meanwhile is refunded.
    Later,
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

/// What an unsigned notification says it is about, before anything confirms it: the
/// gateway first finds its own payment of that reference on the path's brand, and only
/// then asks the provider with that payment's account (nothing is asked for a reference
/// it does not know).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// A payment (the checkout's reference).
    Payment(String),
    /// A refund (the provider's id of it).
    Refund(String),
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
    /// The provider's API did not confirm the notification (the object it names is not
    /// this account's, or says something else).
    #[error("not confirmed by the provider: {0}")]
    Unconfirmed(String),
    /// The notification could not be checked now (the provider's API did not answer):
    /// the provider delivers it again.
    #[error("the provider could not be asked: {0}")]
    Unavailable(String),
}

/// Why a checkout could not be created.
#[derive(Debug, Clone, thiserror::Error)]
#[error("payment provider: {0}")]
pub struct ProviderError(pub String);

/// What checking an account's credentials at the provider found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    /// The provider refused them (wrong key, wrong shop, revoked).
    #[error("the provider refused the credentials")]
    Refused,
    /// The provider did not answer: nothing can be said.
    #[error("the provider did not answer: {0}")]
    Unavailable(String),
}

/// A card payment provider.
#[async_trait::async_trait]
pub trait CardProvider: Send + Sync + std::fmt::Debug {
    /// The name in the webhook path and in `payments.provider`.
    fn name(&self) -> &'static str;
    /// The request header that carries the signature (none for a protocol that does not
    /// sign its notifications).
    fn signature_header(&self) -> Option<&'static str>;
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
    /// Verifies a notification and reads it: the signature over the raw body in constant
    /// time and its timestamp (Stripe), or, for a protocol that does not sign, the object
    /// it names read back from the provider's API with this account's credentials
    /// (YooKassa), whose answer is what counts.
    async fn verify(
        &self,
        signature: Option<&str>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<ProviderEvent, WebhookError>;
    /// Checks the credentials against the provider (an authenticated read that changes
    /// nothing): when a brand saves its account.
    async fn check_credentials(&self) -> Result<(), CredentialsError>;
    /// For a protocol that does not sign its notifications: what the body claims to be
    /// about (`Err` for a body or an event this gateway does not handle). `None` for a
    /// signing protocol, whose notifications every candidate account may verify.
    fn claim(&self, _body: &[u8]) -> Option<Result<Claim, WebhookError>> {
        None
    }
}

/// Where brands' own accounts are reached and how their credentials are sealed: the API
/// bases come from configuration (a brand never chooses where its credentials are sent).
#[derive(Debug, Clone)]
pub struct AccountSettings {
    /// Stripe's API (`STRIPE_API_BASE`).
    pub stripe_api_base: String,
    /// YooKassa's API (`YOOKASSA_API_BASE`).
    pub yookassa_api_base: String,
    /// The keys credentials are sealed with (`PAYMENT_CREDENTIALS_KEYS`).
    pub keyring: super::sealed::Keyring,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            stripe_api_base: "https://api.stripe.com".into(),
            yookassa_api_base: "https://api.yookassa.ru".into(),
            keyring: super::sealed::Keyring::default(),
        }
    }
}

/// The platform's configured providers, by name, and the settings of brands' own
/// accounts.
#[derive(Debug, Clone, Default)]
pub struct Providers {
    platform: Arc<HashMap<String, Arc<dyn CardProvider>>>,
    /// Brands' own accounts.
    pub accounts: Arc<AccountSettings>,
}

impl Providers {
    /// These platform providers.
    pub fn new(list: Vec<Arc<dyn CardProvider>>) -> Self {
        Self {
            platform: Arc::new(
                list.into_iter()
                    .map(|p| (p.name().to_string(), p))
                    .collect(),
            ),
            accounts: Arc::default(),
        }
    }

    /// With these settings for brands' own accounts.
    pub fn with_accounts(mut self, accounts: AccountSettings) -> Self {
        self.accounts = Arc::new(accounts);
        self
    }

    /// The platform's provider `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<dyn CardProvider>> {
        self.platform.get(name)
    }

    /// The platform provider a payment in `currency` goes to without a brand's own
    /// account: YooKassa for roubles when the platform has a shop there (Stripe does not
    /// take roubles from Russian cards), else Stripe; none when neither fits.
    pub fn for_currency(&self, currency: &str) -> Option<&Arc<dyn CardProvider>> {
        let yookassa = (currency == "RUB")
            .then(|| self.platform.get("yookassa"))
            .flatten();
        yookassa.or_else(|| self.platform.get("stripe"))
    }
}
