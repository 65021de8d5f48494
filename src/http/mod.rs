//! The HTTP layer: request ids and logging, tenant resolution, authentication, and the
//! GraphQL-over-HTTP endpoint around the schema.

pub mod apq;
pub mod context;
pub mod documents;
pub mod error;
pub mod graphql;
pub mod health;
pub mod public_answers;
pub mod unsubscribe;
pub mod webhooks;
pub mod websocket;

use axum::Router;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use tracing::Instrument;

use crate::AppState;

/// The request id: the caller's `X-Request-Id` if it is short and plain, else a new one.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

const REQUEST_ID: &str = "x-request-id";

async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|s| {
            !s.is_empty()
                && s.len() <= 64
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    // Named and attributed as OpenTelemetry's HTTP conventions say, so the span exported
    // over OTLP (when configured) reads as a server span; logs show the same fields.
    let route = match req.uri().path() {
        p @ ("/graphql"
        | "/healthz"
        | "/readyz"
        | "/metrics"
        | "/unsubscribe"
        | "/webhooks/telegram"
        | "/.well-known/jwks.json") => Some(p),
        p if p.starts_with("/webhooks/payments/") => Some("/webhooks/payments/{provider}"),
        _ => None,
    };
    let span = tracing::info_span!(
        "request",
        otel.name = %match route {
            Some(r) => format!("{} {r}", req.method()),
            None => req.method().to_string(),
        },
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        request_id = %id,
        http.request.method = %req.method(),
        http.route = route,
        url.path = %req.uri().path(),
        http.response.status_code = tracing::field::Empty,
    );
    crate::telemetry::continue_trace(&span, req.headers());
    let started = std::time::Instant::now();
    let mut resp = next.run(req).instrument(span.clone()).await;
    span.record("http.response.status_code", resp.status().as_u16());
    if resp.status().is_server_error() {
        span.record("otel.status_code", "ERROR");
    }
    span.in_scope(|| {
        tracing::info!(
            status = resp.status().as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "request finished"
        )
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(REQUEST_ID, v);
    }
    resp
}

/// Every route.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/.well-known/jwks.json", get(health::jwks))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route(
            "/unsubscribe",
            get(unsubscribe::show).post(unsubscribe::apply),
        )
        .route(
            "/webhooks/telegram",
            axum::routing::post(webhooks::telegram),
        )
        .route(
            "/webhooks/payments/{provider}",
            axum::routing::post(webhooks::payment),
        )
        .layer(middleware::from_fn(request_id))
        .with_state(state)
}
