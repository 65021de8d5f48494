//! The Partner Gateway server: configuration, the HTTP layer around the GraphQL schema, and
//! the command-line commands. [`app`] builds the router; [`prepare`] builds its state.

// The GraphQL schema is deep: the compiler needs more than the default 128 levels to lay
// out the future that answers its root query.
#![recursion_limit = "256"]

pub mod cli;
pub mod config;
pub mod db;
pub mod dev;
pub mod http;
pub mod lifecycle;
pub mod metrics;
pub mod notifier;
pub mod scheduler;
pub mod telemetry;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use resolvers::Services;
use schema::AppSchema;
use tenants::TenantRegistry;
use tenants::host::TrustedProxies;
use tenants::tokens::JwtKeys;

pub use config::Config;

/// jemalloc, chosen by measurement over glibc's allocator and mimalloc (docs/performance.md,
/// "The global allocator"). Declared in the library, so the server, the tests and the
/// benchmarks all run on it.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// What the HTTP layer needs besides the schema.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub trusted_proxies: TrustedProxies,
    pub graphiql: bool,
    /// Whether the cabinet is served at `/` (`CABINET`).
    pub cabinet: bool,
    /// Most operations in a JSON batch (0: batches refused).
    pub max_batch: usize,
    /// The bearer token `/metrics` asks for (`METRICS_TOKEN`), if any.
    pub metrics_token: Option<String>,
    /// The GraphQL limits (the HTTP layer counts tokens before it parses).
    pub schema_limits: schema::Limits,
    /// Automatic persisted queries (per instance).
    pub persisted_queries: http::apq::PersistedQueries,
    /// Parsed documents by their text (per instance).
    pub documents: http::documents::ParsedDocuments,
    /// Validations of documents without variables (per instance; kept by the schema).
    pub validated: schema::armor::ValidatedDocuments,
    /// Answers to public documents for signed-out requests, by brand (per instance).
    pub public_answers: http::public_answers::PublicAnswers,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// How often an open WebSocket re-checks its session.
    pub ws_recheck: Duration,
    /// The only addresses a provider's notifications are taken from, by provider name
    /// (`YOOKASSA_NOTIFICATION_SOURCES`); a provider not listed is not restricted.
    pub notification_sources: std::collections::HashMap<String, TrustedProxies>,
}

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub schema: AppSchema,
    /// The same schema without the limits' extension and with fast validation, for
    /// documents the first one has validated and costed before (`schema::build_vetted`).
    pub vetted_schema: AppSchema,
    /// The same schema without the limits' extension, validating in full: for documents
    /// with variables the first one has validated before (`schema::build_checked`).
    pub checked_schema: AppSchema,
    pub http: Arc<HttpSettings>,
    /// SQL statements run by this instance's pool.
    pub statements: db::StatementCounter,
    /// Serving, draining or closing, and what a stop waits for.
    pub lifecycle: lifecycle::Lifecycle,
}

/// Connects, migrates, makes sure the root tenant exists, loads keys and the tenant
/// registry, and builds the schema.
pub async fn prepare(cfg: &Config) -> anyhow::Result<AppState> {
    // Installed before the first request, so nothing is counted into the void.
    metrics::handle();
    let (db, statements) = db::connect_counted(&cfg.database_url).await?;
    db::migrate(&db).await?;
    let settings = cfg.settings();
    resolvers::tenancy::setup::ensure_root_tenant(&db, &settings)
        .await
        .map_err(|e| anyhow::anyhow!("could not create the root tenant: {e:?}"))?;
    let pem = cfg.jwt_private_key_pem()?;
    let (keys, dev_key) = JwtKeys::load_or_generate(pem.as_deref(), &cfg.data_dir)
        .context("loading the token signing key")?;
    if dev_key {
        tracing::warn!(
            dir = %cfg.data_dir.display(),
            "no JWT_PRIVATE_KEY configured: using a development signing key kept in the data directory"
        );
    }
    let registry = TenantRegistry::load(&db).await?;
    let mailer = cfg.mailer()?;
    if cfg.smtp_url.is_some() {
        tracing::info!(to = %mailer.describe(), "mail goes to");
    } else {
        tracing::warn!(to = %mailer.describe(), "no SMTP_URL: email is written to files, not sent");
    }
    let clock = resolvers::Clock::system();
    let limits =
        domain::kernel::ratelimit::RateLimits::new(&cfg.rate_limits(), clock.clone(), db.clone());
    let services = Services {
        db,
        registry,
        keys: Arc::new(keys),
        settings: Arc::new(settings),
        limits,
        clock,
        dns: domain::kernel::dns::Dns::new(
            cfg.dns_resolver,
            Duration::from_millis(cfg.dns_timeout_ms.max(1)),
        ),
        card_providers: cfg.card_providers()?,
        mailer,
        live: Default::default(),
        telegram: domain::kernel::telegram::BotApi::new(&cfg.telegram_api_base),
    };
    let validated = schema::armor::ValidatedDocuments::new(cfg.graphql_document_cache_size);
    let schema = schema::build(services.clone(), &cfg.limits(), validated.clone());
    let vetted_schema = schema::build_vetted(services.clone(), &cfg.limits());
    let checked_schema = schema::build_checked(services.clone(), &cfg.limits());
    let trusted_proxies = TrustedProxies::parse(&cfg.trusted_proxies)
        .map_err(|e| anyhow::anyhow!("TRUSTED_PROXIES: {e}"))?;
    Ok(AppState {
        services,
        schema,
        vetted_schema,
        checked_schema,
        http: Arc::new(HttpSettings {
            trusted_proxies,
            graphiql: cfg.graphiql_on(),
            cabinet: cfg.cabinet,
            max_batch: cfg.graphql_max_batch,
            persisted_queries: http::apq::PersistedQueries::new(cfg.apq_cache_size),
            documents: http::documents::ParsedDocuments::new(cfg.graphql_document_cache_size),
            validated,
            public_answers: http::public_answers::PublicAnswers::new(cfg.public_answer_cache_size),
            schema_limits: cfg.limits(),
            metrics_token: cfg.metrics_token.as_ref().map(|s| s.0.clone()),
            max_body_bytes: cfg.max_body_bytes,
            request_timeout: Duration::from_secs(cfg.request_timeout_secs),
            ws_recheck: Duration::from_millis(cfg.ws_recheck_ms.max(10)),
            notification_sources: cfg.notification_sources()?,
        }),
        statements,
        lifecycle: Default::default(),
    })
}

/// The router: `/graphql`, `/.well-known/jwks.json`, `/healthz`, `/readyz`.
pub fn app(state: AppState) -> Router {
    http::router(state)
}
