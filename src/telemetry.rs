//! Logs and traces. Logs go to standard output (text or JSON, `LOG_FORMAT`, filtered by
//! `RUST_LOG`). Traces are optional: when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, every span (one per HTTP request, one per
//! GraphQL operation inside it) is exported over OTLP/HTTP with protobuf bodies, batched
//! by the OpenTelemetry SDK on its own thread. The SDK's standard variables apply
//! (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_EXPORTER_OTLP_HEADERS`,
//! `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`, `OTEL_SDK_DISABLED`); see docs/operations.md.

use std::sync::atomic::{AtomicBool, Ordering};

use opentelemetry::propagation::TextMapPropagator as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Level;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// The service name spans carry unless `OTEL_SERVICE_NAME` (or `service.name` in
/// `OTEL_RESOURCE_ATTRIBUTES`) names another.
pub const SERVICE_NAME: &str = "partner-gateway";

/// Whether spans are exported (the HTTP layer only reads `traceparent` then).
static EXPORTING: AtomicBool = AtomicBool::new(false);

/// The installed tracing; [`Telemetry::shutdown`] flushes the spans not yet exported.
#[must_use = "shut it down on exit, or the last spans are lost"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Exports what is still buffered and stops the exporter (bounded by the exporter's
    /// timeout, `OTEL_EXPORTER_OTLP_TIMEOUT`).
    pub fn shutdown(self) {
        if let Some(provider) = self.provider {
            EXPORTING.store(false, Ordering::Relaxed);
            if let Err(e) = provider.shutdown() {
                eprintln!("traces: the last spans could not be exported: {e}");
            }
        }
    }
}

/// Installs the global subscriber: the log output and, when configured, the OTLP exporter.
/// A broken trace configuration is reported and serving goes on without traces.
pub fn init(log_format: &str) -> Telemetry {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"));
    let json = log_format == "json";
    let (provider, problem) = match otlp_provider() {
        Ok(p) => (p, None),
        Err(e) => (None, Some(e)),
    };
    // `RUST_LOG` filters the logs only: spans are traced at `info` whatever the log level,
    // except the HTTP client's and the SDK's own (the exporter would trace itself).
    let otel = provider.as_ref().map(|p| {
        use opentelemetry::trace::TracerProvider as _;
        use tracing_subscriber::Layer as _;
        let traced = Targets::new()
            .with_default(Level::INFO)
            .with_target("opentelemetry", LevelFilter::OFF)
            .with_target("opentelemetry_sdk", LevelFilter::OFF)
            .with_target("opentelemetry_otlp", LevelFilter::OFF)
            .with_target("opentelemetry_http", LevelFilter::OFF)
            .with_target("reqwest", LevelFilter::OFF)
            .with_target("hyper", LevelFilter::OFF)
            .with_target("hyper_util", LevelFilter::OFF)
            .with_target("h2", LevelFilter::OFF);
        tracing_opentelemetry::layer()
            .with_tracer(p.tracer(SERVICE_NAME))
            .with_filter(traced)
    });
    let logs = {
        use tracing_subscriber::Layer as _;
        let fmt = tracing_subscriber::fmt::layer();
        if json {
            fmt.json().with_filter(filter).boxed()
        } else {
            fmt.with_filter(filter).boxed()
        }
    };
    tracing_subscriber::registry().with(logs).with(otel).init();
    if let Some(e) = problem {
        tracing::warn!(error = %e, "traces are not exported");
    } else if provider.is_some() {
        EXPORTING.store(true, Ordering::Relaxed);
        tracing::info!("traces are exported over OTLP/HTTP");
    }
    Telemetry { provider }
}

/// True when `name` is set to something other than blanks.
fn set(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.trim().is_empty())
}

/// The tracer provider when an OTLP endpoint is configured (and the SDK not disabled).
fn otlp_provider() -> anyhow::Result<Option<SdkTracerProvider>> {
    let configured =
        set("OTEL_EXPORTER_OTLP_ENDPOINT") || set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    let disabled = std::env::var("OTEL_SDK_DISABLED").is_ok_and(|v| v.eq_ignore_ascii_case("true"))
        || std::env::var("OTEL_TRACES_EXPORTER").is_ok_and(|v| v.eq_ignore_ascii_case("none"));
    if !configured || disabled {
        return Ok(None);
    }
    for var in [
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
    ] {
        if let Ok(p) = std::env::var(var)
            && !p.trim().is_empty()
            && p.trim() != "http/protobuf"
        {
            anyhow::bail!(
                "{var}={p} is not supported: this build speaks OTLP over HTTP with protobuf \
                 (http/protobuf, usually port 4318)"
            );
        }
    }
    // HTTPS endpoints: the exporter's client uses rustls with the process's provider,
    // `ring`, as everything else in this binary (a second provider would be ambiguous).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .build()?;
    let named = set("OTEL_SERVICE_NAME")
        || std::env::var("OTEL_RESOURCE_ATTRIBUTES").is_ok_and(|a| {
            a.split(',')
                .any(|kv| kv.trim_start().starts_with("service.name="))
        });
    let mut resource = opentelemetry_sdk::Resource::builder().with_attribute(
        opentelemetry::KeyValue::new("service.version", env!("CARGO_PKG_VERSION")),
    );
    if !named {
        resource = resource.with_service_name(SERVICE_NAME);
    }
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource.build())
        .build();
    Ok(Some(provider))
}

/// Makes `span` a child of the caller's trace when the request carries a W3C
/// `traceparent` (and spans are exported at all).
pub fn continue_trace(span: &tracing::Span, headers: &http::HeaderMap) {
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    if !EXPORTING.load(Ordering::Relaxed) || !headers.contains_key("traceparent") {
        return;
    }
    let cx = TraceContextPropagator::new().extract(&opentelemetry_http::HeaderExtractor(headers));
    // Only fails when the span is already finished, which it cannot be here.
    let _ = span.set_parent(cx);
}
