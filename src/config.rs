//! Configuration, read once at start from environment variables (or the same names as
//! command-line flags). Every default runs locally with no setup.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use resolvers::Settings;

/// A secret value: never printed.
#[derive(Clone, Default)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_string()))
    }
}

/// Everything the server reads from its environment.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// `sqlite://path?mode=rwc` (default) or `postgres://user@host/db`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/gateway.db?mode=rwc"
    )]
    pub database_url: String,
    /// Address to listen on.
    #[arg(long, env = "BIND_ADDR", default_value = "127.0.0.1:8080")]
    pub bind_addr: SocketAddr,
    /// Directory for local state (the SQLite file, the development signing key).
    #[arg(long, env = "DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Ed25519 private key, PKCS#8 PEM, that signs access tokens.
    #[arg(long, env = "JWT_PRIVATE_KEY", hide_env_values = true)]
    pub jwt_private_key: Option<Secret>,
    /// File holding the PEM key instead.
    #[arg(long, env = "JWT_PRIVATE_KEY_FILE")]
    pub jwt_private_key_file: Option<PathBuf>,
    /// Access-token lifetime in seconds.
    #[arg(long, env = "ACCESS_TOKEN_TTL_SECS", default_value_t = 900)]
    pub access_token_ttl_secs: u64,
    /// Refresh-token lifetime in seconds.
    #[arg(long, env = "REFRESH_TOKEN_TTL_SECS", default_value_t = 30 * 24 * 3600)]
    pub refresh_token_ttl_secs: u64,
    /// Leads one client address may submit per hour on one brand (`submitLead`).
    #[arg(long, env = "LEAD_SUBMISSIONS_PER_HOUR", default_value_t = 5)]
    pub lead_submissions_per_hour: u32,
    /// Comma-separated addresses or networks whose `X-Forwarded-Host` and
    /// `X-Forwarded-For` are believed.
    #[arg(long, env = "TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,
    /// Tenants get `<slug>.<this>` as their platform subdomain.
    #[arg(long, env = "PLATFORM_BASE_DOMAIN", default_value = "localhost")]
    pub platform_base_domain: String,
    /// Scheme of links in emails.
    #[arg(long, env = "PUBLIC_SCHEME", default_value = "https")]
    pub public_scheme: String,
    /// Port of links in emails, for every host; without it, links to local hosts
    /// (`localhost`, loopback) carry the bind port and others none.
    #[arg(long, env = "PUBLIC_PORT")]
    pub public_port: Option<u16>,
    /// Sender of emails for tenants without their own.
    #[arg(
        long,
        env = "EMAIL_FROM",
        default_value = "no-reply@localhost.localdomain"
    )]
    pub email_from: String,
    /// The SPF include the mail relay asks sender domains to publish (e.g.
    /// `_spf.relay.example`): listed to brands and checked before their own address is used.
    #[arg(long, env = "MAIL_SPF_INCLUDE")]
    pub mail_spf_include: Option<String>,
    /// The DKIM records the relay asks sender domains to publish, comma-separated, each
    /// `<name under the domain> <TYPE> <value>` (e.g.
    /// `s1._domainkey CNAME s1.dkim.relay.example`): listed to brands.
    #[arg(long, env = "MAIL_DKIM_RECORDS")]
    pub mail_dkim_records: Option<String>,
    /// `development` turns GraphiQL and introspection on (as `serve --demo` does);
    /// anything else (default `production`) leaves them off unless switched on below.
    #[arg(long, env = "APP_ENV", default_value = "production")]
    pub app_env: String,
    /// Serve GraphiQL on `GET /graphql` (default: on in development only).
    #[arg(long, env = "GRAPHIQL", action = clap::ArgAction::Set)]
    pub graphiql: Option<bool>,
    /// Serve the reference cabinet at `/` on every brand's host (docs/cabinet.md).
    #[arg(long, env = "CABINET", default_value_t = true, action = clap::ArgAction::Set)]
    pub cabinet: bool,
    /// Answer introspection queries (default: on in development only).
    #[arg(long, env = "GRAPHQL_INTROSPECTION", action = clap::ArgAction::Set)]
    pub introspection: Option<bool>,
    /// Deepest nesting of fields in an operation (introspection not counted).
    #[arg(long, env = "GRAPHQL_MAX_DEPTH", default_value_t = 12)]
    pub graphql_max_depth: usize,
    /// Highest cost of an operation: every field 1, a list its page size (`first`/`last`,
    /// else its default) times its fields.
    #[arg(long, env = "GRAPHQL_MAX_COST", default_value_t = 5000)]
    pub graphql_max_cost: usize,
    /// Most aliases in a document.
    #[arg(long, env = "GRAPHQL_MAX_ALIASES", default_value_t = 15)]
    pub graphql_max_aliases: usize,
    /// Most lexical tokens in a document (counted before parsing).
    #[arg(long, env = "GRAPHQL_MAX_TOKENS", default_value_t = 2000)]
    pub graphql_max_tokens: usize,
    /// Most directives in a document.
    #[arg(long, env = "GRAPHQL_MAX_DIRECTIVES", default_value_t = 50)]
    pub graphql_max_directives: usize,
    /// Most operations in one JSON batch (a POST body that is an array); 0 refuses
    /// batches.
    #[arg(long, env = "GRAPHQL_MAX_BATCH", default_value_t = 0)]
    pub graphql_max_batch: usize,
    /// Attempts per minute, per client address, at each of `logIn`, `signUp`,
    /// `requestPasswordReset`, `verifyEmail`, `submitLead` and the code look-ups (0: off).
    #[arg(long, env = "RATE_LIMIT_GUARDED_PER_ADDRESS", default_value_t = 20)]
    pub rate_limit_guarded_per_address: u32,
    /// The same per account (the email or phone given, else the signed-in user).
    #[arg(long, env = "RATE_LIMIT_GUARDED_PER_ACCOUNT", default_value_t = 5)]
    pub rate_limit_guarded_per_account: u32,
    /// GraphQL requests per second per tenant, bursts of twice that (0: off). Per
    /// instance: see docs/api-limits.md for sizing behind a load balancer.
    #[arg(long, env = "RATE_LIMIT_TENANT_PER_SECOND", default_value_t = 500)]
    pub rate_limit_tenant_per_second: u32,
    /// GraphQL requests per second per user (per client address when signed out),
    /// bursts of twice that (0: off).
    #[arg(long, env = "RATE_LIMIT_USER_PER_SECOND", default_value_t = 25)]
    pub rate_limit_user_per_second: u32,
    /// The DNS server custom domains are checked against (`host:port`, e.g.
    /// `1.1.1.1:53`); unset: the system's resolver (`/etc/resolv.conf`).
    #[arg(long, env = "DNS_RESOLVER")]
    pub dns_resolver: Option<SocketAddr>,
    /// How long one DNS question may take before the check counts as "unreachable".
    #[arg(long, env = "DNS_TIMEOUT_MS", default_value_t = 3000)]
    pub dns_timeout_ms: u64,
    /// When set, `GET /metrics` asks for `Authorization: Bearer <this>`.
    #[arg(long, env = "METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<Secret>,
    /// Queries remembered for automatic persisted queries (per instance).
    #[arg(long, env = "APQ_CACHE_SIZE", default_value_t = 1000)]
    pub apq_cache_size: usize,
    /// Parsed documents remembered by their text, so a repeated query is not parsed again,
    /// and the validation of those without variables (per instance; 0 turns both off).
    #[arg(long, env = "GRAPHQL_DOCUMENT_CACHE_SIZE", default_value_t = 1000)]
    pub graphql_document_cache_size: usize,
    /// Answers to public documents (the brand's name, branding, language, currency: the
    /// sign-in page's `tenant` query) remembered per brand for signed-out requests, until
    /// the brand changes (per instance; 0 turns it off).
    #[arg(long, env = "PUBLIC_ANSWER_CACHE_SIZE", default_value_t = 1000)]
    pub public_answer_cache_size: usize,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 256 * 1024)]
    pub max_body_bytes: usize,
    /// A request taking longer is cut off, in seconds.
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Email of the platform admin created on first start.
    #[arg(long, env = "BOOTSTRAP_ADMIN_EMAIL")]
    pub bootstrap_admin_email: Option<String>,
    /// Password of that admin; generated and printed once if not set.
    #[arg(long, env = "BOOTSTRAP_ADMIN_PASSWORD", hide_env_values = true)]
    pub bootstrap_admin_password: Option<Secret>,
    /// How often the server runs the scheduler's due jobs, in seconds (0: never; run
    /// `partner-gateway run-jobs` elsewhere instead).
    #[arg(long, env = "SCHEDULER_INTERVAL_SECS", default_value_t = 30)]
    pub scheduler_interval_secs: u64,
    /// How often the notification worker fans out new events, in milliseconds (0: off).
    #[arg(long, env = "NOTIFY_INTERVAL_MS", default_value_t = 1000)]
    pub notify_interval_ms: u64,
    /// How long a delivery worker's claim holds an outbox message, in seconds: a worker
    /// that died holding it leaves it to another after this (docs/reliability.md).
    #[arg(long, env = "OUTBOX_LEASE_SECS", default_value_t = 300)]
    pub outbox_lease_secs: u64,
    /// On SIGTERM or Ctrl-C, how long `/readyz` answers 503 while requests are still
    /// served, in milliseconds, so a load balancer stops sending new ones first (set it
    /// above the balancer's time to mark a server down; docs/reliability.md).
    #[arg(long, env = "SHUTDOWN_DRAIN_MS", default_value_t = 0)]
    pub shutdown_drain_ms: u64,
    /// After the drain, how long open WebSockets (closed with 1001) and the background
    /// workers' current runs may take to finish before the process exits, in
    /// milliseconds.
    #[arg(long, env = "SHUTDOWN_GRACE_MS", default_value_t = 10_000)]
    pub shutdown_grace_ms: u64,
    /// `pretty` or `json` logs.
    #[arg(long, env = "LOG_FORMAT", default_value = "pretty")]
    pub log_format: String,
    /// Stripe's API base (a local server speaking Stripe's protocol in tests and the demo).
    #[arg(
        long,
        env = "STRIPE_API_BASE",
        default_value = "https://api.stripe.com"
    )]
    pub stripe_api_base: String,
    /// Stripe secret key; card payments are off without it.
    #[arg(long, env = "STRIPE_SECRET_KEY", hide_env_values = true)]
    pub stripe_secret_key: Option<Secret>,
    /// The signing secret of the Stripe webhook endpoint
    /// (`POST /webhooks/payments/stripe`).
    #[arg(long, env = "STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    pub stripe_webhook_secret: Option<Secret>,
    /// YooKassa's API base (a local server speaking its protocol in tests and the demo).
    #[arg(
        long,
        env = "YOOKASSA_API_BASE",
        default_value = "https://api.yookassa.ru"
    )]
    pub yookassa_api_base: String,
    /// The platform's YooKassa shop id; with `YOOKASSA_SECRET_KEY`, the platform takes
    /// card payments by YooKassa (`POST /webhooks/payments/yookassa`).
    #[arg(long, env = "YOOKASSA_SHOP_ID")]
    pub yookassa_shop_id: Option<String>,
    /// The platform's YooKassa secret key.
    #[arg(long, env = "YOOKASSA_SECRET_KEY", hide_env_values = true)]
    pub yookassa_secret_key: Option<Secret>,
    /// Where YooKassa's notifications may come from: empty (not checked), `published`
    /// (the addresses YooKassa publishes), or a comma-separated list of addresses and
    /// networks. The client address is read as for rate limits (`TRUSTED_PROXIES`).
    #[arg(long, env = "YOOKASSA_NOTIFICATION_SOURCES", default_value = "")]
    pub yookassa_notification_sources: String,
    /// The keys brands' payment credentials are sealed with: `id:base64-of-32-bytes`
    /// entries separated by commas, the sealing key first (older ones still open what they
    /// sealed; the scheduler re-seals it under the first). Without any, a production
    /// server refuses to store credentials; development uses a fixed, public key.
    #[arg(long, env = "PAYMENT_CREDENTIALS_KEYS", hide_env_values = true)]
    pub payment_credentials_keys: Option<Secret>,
    /// The SMTP server mail goes through: `smtp://host:port` (plain, for a local relay),
    /// `smtp://user:password@host:587?tls=required` (STARTTLS), `smtps://user:password@host:465`
    /// (implicit TLS). Unset: mail is written as `.eml` files to `MAIL_DIR`.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<Secret>,
    /// How long one SMTP conversation may take.
    #[arg(long, env = "SMTP_TIMEOUT_SECS", default_value_t = 30)]
    pub smtp_timeout_secs: u64,
    /// The Telegram Bot API (a local server in tests and the demo). Each tenant's bot
    /// token is set by its admins (`configureTelegramBot`).
    #[arg(
        long,
        env = "TELEGRAM_API_BASE",
        default_value = "https://api.telegram.org"
    )]
    pub telegram_api_base: String,
    /// How often an open WebSocket re-checks that its session is live (signing out or
    /// ending an impersonation closes it within this time; expiry closes it on time).
    #[arg(long, env = "WS_RECHECK_MS", default_value_t = 15_000)]
    pub ws_recheck_ms: u64,
    /// Where mail is written when no `SMTP_URL` is set (default `<DATA_DIR>/mail`).
    #[arg(long, env = "MAIL_DIR")]
    pub mail_dir: Option<PathBuf>,
}

impl Config {
    /// The configuration from environment variables alone, with no command-line flags
    /// (tests and benchmarks start from this and override what they need).
    pub fn defaults() -> Self {
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            cfg: Config,
        }
        use clap::{CommandFactory, FromArgMatches};
        // The built-in defaults only: no argument is read from the environment, so tests
        // and tools that start from here are not changed by a developer's `BIND_ADDR`.
        let cmd = Only::command().mut_args(|a| a.env(None::<&str>));
        // Parsing an empty command line cannot fail: every field has a default.
        match cmd
            .try_get_matches_from(["partner-gateway"])
            .and_then(|m| Only::from_arg_matches(&m))
        {
            Ok(o) => o.cfg,
            Err(e) => unreachable!("defaults parse: {e}"),
        }
    }

    /// The signing key's PEM, from the variable or the file.
    pub fn jwt_private_key_pem(&self) -> anyhow::Result<Option<String>> {
        if let Some(k) = &self.jwt_private_key {
            return Ok(Some(k.0.clone()));
        }
        match &self.jwt_private_key_file {
            Some(p) => std::fs::read_to_string(p)
                .map(Some)
                .with_context(|| format!("reading JWT_PRIVATE_KEY_FILE {}", p.display())),
            None => Ok(None),
        }
    }

    /// The card payment providers configured (Stripe when both of its secrets are set,
    /// YooKassa when its shop id and secret key are) and the settings of brands' own
    /// accounts.
    pub fn card_providers(&self) -> anyhow::Result<domain::payments::provider::Providers> {
        use domain::kernel::sealed::Keyring;
        use domain::payments::provider::{AccountSettings, CardProvider, Providers};
        let mut list: Vec<std::sync::Arc<dyn CardProvider>> = Vec::new();
        if let (Some(key), Some(hook)) = (&self.stripe_secret_key, &self.stripe_webhook_secret) {
            list.push(std::sync::Arc::new(domain::payments::stripe::Stripe::new(
                &self.stripe_api_base,
                &key.0,
                &hook.0,
            )));
        }
        if let (Some(shop), Some(key)) = (&self.yookassa_shop_id, &self.yookassa_secret_key) {
            list.push(std::sync::Arc::new(
                domain::payments::yookassa::YooKassa::new(&self.yookassa_api_base, shop, &key.0),
            ));
        }
        let keyring = match &self.payment_credentials_keys {
            Some(k) => Keyring::parse(&k.0)
                .map_err(|e| anyhow::anyhow!("PAYMENT_CREDENTIALS_KEYS: {e}"))?,
            None if self.is_development() => {
                tracing::warn!(
                    "no PAYMENT_CREDENTIALS_KEYS: brands' payment credentials are sealed with a public development key"
                );
                Keyring::development()
            }
            None => Keyring::default(),
        };
        Ok(Providers::new(list).with_accounts(AccountSettings {
            stripe_api_base: self.stripe_api_base.clone(),
            yookassa_api_base: self.yookassa_api_base.clone(),
            keyring,
        }))
    }

    /// The addresses each provider's notifications are taken from (only those listed).
    pub fn notification_sources(
        &self,
    ) -> anyhow::Result<std::collections::HashMap<String, tenants::host::TrustedProxies>> {
        let mut out = std::collections::HashMap::new();
        let list = match self.yookassa_notification_sources.trim() {
            "" => return Ok(out),
            "published" => domain::payments::yookassa::NOTIFICATION_SOURCES,
            other => other,
        };
        let nets = tenants::host::TrustedProxies::parse(list)
            .map_err(|e| anyhow::anyhow!("YOOKASSA_NOTIFICATION_SOURCES: {e}"))?;
        out.insert("yookassa".to_string(), nets);
        Ok(out)
    }

    /// Where mail goes: the SMTP server of `SMTP_URL`, or else `.eml` files in `MAIL_DIR`.
    pub fn mailer(&self) -> anyhow::Result<domain::kernel::mail::Mailer> {
        use domain::kernel::mail::Mailer;
        match &self.smtp_url {
            Some(url) => Mailer::smtp(&url.0, Duration::from_secs(self.smtp_timeout_secs.max(1)))
                .map_err(|e| anyhow::anyhow!(e)),
            None => {
                let dir = self
                    .mail_dir
                    .clone()
                    .unwrap_or_else(|| self.data_dir.join("mail"));
                Mailer::files(dir.clone())
                    .with_context(|| format!("creating the mail directory {}", dir.display()))
            }
        }
    }

    /// Whether this is a development deployment (`APP_ENV=development`).
    pub fn is_development(&self) -> bool {
        self.app_env.eq_ignore_ascii_case("development")
    }

    /// Whether GraphiQL is served: `GRAPHIQL` if set, else in development.
    pub fn graphiql_on(&self) -> bool {
        self.graphiql.unwrap_or(self.is_development())
    }

    /// Whether introspection is answered: `GRAPHQL_INTROSPECTION` if set, else in
    /// development.
    pub fn introspection_on(&self) -> bool {
        self.introspection.unwrap_or(self.is_development())
    }

    /// The rate limits.
    pub fn rate_limits(&self) -> domain::kernel::ratelimit::RateLimitSettings {
        domain::kernel::ratelimit::RateLimitSettings {
            guarded_per_address_per_minute: self.rate_limit_guarded_per_address,
            guarded_per_account_per_minute: self.rate_limit_guarded_per_account,
            tenant_per_second: self.rate_limit_tenant_per_second,
            user_per_second: self.rate_limit_user_per_second,
        }
    }

    /// The GraphQL limits.
    pub fn limits(&self) -> schema::Limits {
        schema::Limits {
            max_depth: self.graphql_max_depth,
            max_cost: self.graphql_max_cost,
            max_aliases: self.graphql_max_aliases,
            max_tokens: self.graphql_max_tokens,
            max_directives: self.graphql_max_directives,
            introspection: self.introspection_on(),
            ..schema::Limits::default()
        }
    }

    /// Settings of the business operations.
    pub fn settings(&self) -> Settings {
        Settings {
            access_token_ttl: Duration::from_secs(self.access_token_ttl_secs),
            refresh_token_ttl: Duration::from_secs(self.refresh_token_ttl_secs),
            platform_base_domain: self.platform_base_domain.trim_matches('.').to_lowercase(),
            link_scheme: self.public_scheme.clone(),
            link_port: self.public_port,
            local_link_port: Some(self.bind_addr.port()),
            default_email_sender: self.email_from.clone(),
            lead_submissions_per_hour: self.lead_submissions_per_hour,
            mail_spf_include: self
                .mail_spf_include
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            mail_dkim_records: dkim_records(self.mail_dkim_records.as_deref().unwrap_or("")),
            outbox_lease: Duration::from_secs(self.outbox_lease_secs.max(1)),
            ..Settings::default()
        }
    }
}

/// `MAIL_DKIM_RECORDS`: comma-separated `<name> <TYPE> <value>`; an entry without all
/// three is left out.
fn dkim_records(raw: &str) -> Vec<(String, String, String)> {
    raw.split(',')
        .filter_map(|entry| {
            let mut parts = entry.trim().splitn(3, char::is_whitespace);
            let name = parts.next()?.trim();
            let kind = parts.next()?.trim();
            let value = parts.next()?.trim();
            (!name.is_empty() && !kind.is_empty() && !value.is_empty()).then(|| {
                (
                    name.to_string(),
                    kind.to_ascii_uppercase(),
                    value.to_string(),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dkim_records_are_read_from_one_setting() {
        let r = dkim_records(
            "s1._domainkey CNAME s1.dkim.relay.example, s2._domainkey txt v=DKIM1; k=rsa; p=AB, broken",
        );
        assert_eq!(
            r,
            [
                (
                    "s1._domainkey".into(),
                    "CNAME".into(),
                    "s1.dkim.relay.example".into()
                ),
                (
                    "s2._domainkey".into(),
                    "TXT".into(),
                    "v=DKIM1; k=rsa; p=AB".into()
                ),
            ]
        );
    }

    /// Runs itself in a child process with the variables set (setting variables in this
    /// process would need `unsafe` and race other tests).
    #[test]
    fn defaults_ignore_the_environment() {
        if std::env::var_os("PGW_HERMETIC_CHILD").is_some() {
            let c = Config::defaults();
            assert_eq!(c.bind_addr.to_string(), "127.0.0.1:8080");
            assert_eq!(c.access_token_ttl_secs, 900);
            assert!(c.database_url.starts_with("sqlite:"));
            assert!(!c.graphiql_on() && !c.introspection_on());
            return;
        }
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "config::tests::defaults_ignore_the_environment",
                "--nocapture",
            ])
            .env("PGW_HERMETIC_CHILD", "1")
            .env("BIND_ADDR", "10.9.9.9:1")
            .env("ACCESS_TOKEN_TTL_SECS", "5")
            .env("DATABASE_URL", "postgres://nowhere/none")
            .env("APP_ENV", "development")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}");
        assert!(
            stdout.contains("1 passed"),
            "the child ran no test: {stdout}"
        );
    }

    #[test]
    fn secrets_never_print() {
        let mut cfg = Config::defaults();
        cfg.jwt_private_key = Some(Secret("-----BEGIN PRIVATE KEY-----abc".into()));
        cfg.bootstrap_admin_password = Some(Secret("hunter2hunter2".into()));
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("BEGIN PRIVATE KEY"));
        assert!(!shown.contains("hunter2"));
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn graphiql_and_introspection_follow_the_environment_unless_set() {
        let mut cfg = Config::defaults();
        assert!(!cfg.graphiql_on() && !cfg.introspection_on());
        cfg.app_env = "development".into();
        assert!(cfg.graphiql_on() && cfg.introspection_on());
        cfg.introspection = Some(false);
        assert!(cfg.graphiql_on() && !cfg.introspection_on());
        cfg.app_env = "production".into();
        cfg.graphiql = Some(true);
        assert!(cfg.graphiql_on());
        assert!(cfg.limits().max_cost == 5000 && !cfg.limits().introspection);
    }

    #[test]
    fn defaults_run_locally() {
        let cfg = Config::defaults();
        assert!(cfg.database_url.starts_with("sqlite:"));
        assert_eq!(cfg.bind_addr.to_string(), "127.0.0.1:8080");
    }
}
