//! The services every resolver shares: the database, the tenant registry, the token keys
//! and the settings that shape tokens and links.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tenants::TenantRegistry;
use tenants::tokens::JwtKeys;

/// How long a delivery claim holds an outbox message by default (`OUTBOX_LEASE_SECS`).
pub const OUTBOX_LEASE: Duration = Duration::from_secs(5 * 60);

/// Settings the business operations need, taken from the server's configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Lifetime of an access token.
    pub access_token_ttl: Duration,
    /// Lifetime of a refresh token (each rotation issues a new one).
    pub refresh_token_ttl: Duration,
    /// Lifetime of a password-reset link.
    pub password_reset_ttl: Duration,
    /// Lifetime of a set-password link for accounts created for someone else.
    pub set_password_ttl: Duration,
    /// Lifetime of an email-verification link.
    pub verify_email_ttl: Duration,
    /// Tenants get `<slug>.<base>` as their platform subdomain.
    pub platform_base_domain: String,
    /// Scheme of links in emails (`https` in production).
    pub link_scheme: String,
    /// Port added to links in emails, if the public port is not the scheme's default
    /// (`PUBLIC_PORT`).
    pub link_port: Option<u16>,
    /// Port of links to local hosts (`localhost`, loopback) when `link_port` is not set:
    /// the bind port, so a development server's links work as printed. Never used for
    /// other hosts, which a production deployment serves behind a load balancer on the
    /// scheme's own port.
    pub local_link_port: Option<u16>,
    /// Sender of emails for tenants without their own sender address.
    pub default_email_sender: String,
    /// An unpaid order expires this long after it was created.
    pub order_ttl: Duration,
    /// Leads one client address may submit per hour on one tenant (`submitLead`).
    pub lead_submissions_per_hour: u32,
    /// The SPF `include:` the mail relay asks sender domains to publish (`MAIL_SPF_INCLUDE`,
    /// e.g. `_spf.relay.example`); `None`: not checked.
    pub mail_spf_include: Option<String>,
    /// The DKIM records the relay asks sender domains to publish (`MAIL_DKIM_RECORDS`):
    /// name under the domain, type, value.
    pub mail_dkim_records: Vec<(String, String, String)>,
    /// How long a delivery worker's claim holds an outbox message before another worker
    /// may take it over (`OUTBOX_LEASE_SECS`; `notifications::delivery`).
    pub outbox_lease: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            password_reset_ttl: Duration::from_secs(3600),
            set_password_ttl: Duration::from_secs(7 * 24 * 3600),
            verify_email_ttl: Duration::from_secs(48 * 3600),
            order_ttl: Duration::from_secs(72 * 3600),
            platform_base_domain: "localhost".into(),
            link_scheme: "https".into(),
            link_port: None,
            local_link_port: None,
            default_email_sender: "no-reply@localhost".into(),
            lead_submissions_per_hour: 5,
            mail_spf_include: None,
            mail_dkim_records: Vec::new(),
            outbox_lease: OUTBOX_LEASE,
        }
    }
}

/// Shared by every request; cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub db: DatabaseConnection,
    pub registry: TenantRegistry,
    pub keys: Arc<JwtKeys>,
    pub settings: Arc<Settings>,
    /// What "now" is for business rules (line expiry, order expiry, proration).
    pub clock: super::clock::Clock,
    /// Card payment providers by name (`stripe`); empty when none is configured.
    pub card_providers: super::card::Providers,
    /// Where email goes (SMTP, or `.eml` files when no `SMTP_URL` is set).
    pub mailer: super::mail::Mailer,
    /// Signals to this instance's open WebSockets (fed across instances by PostgreSQL).
    pub live: super::live::Live,
    /// The Telegram Bot API (`TELEGRAM_API_BASE`); each tenant's bot token is its own.
    pub telegram: super::telegram::BotApi,
    /// This instance's rate limits.
    pub limits: super::ratelimit::RateLimits,
    /// The resolver that checks custom domains (`DNS_RESOLVER`).
    pub dns: super::dns::Dns,
}
