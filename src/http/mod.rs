//! The HTTP layer: request ids and logging, tenant resolution, authentication, and the
//! GraphQL-over-HTTP endpoint around the schema.

pub mod apq;
pub mod context;
pub mod documents;
pub mod error;
pub mod exports;
pub mod graphql;
pub mod health;
pub mod operation;
pub mod public_answers;
pub mod tls;
pub mod unsubscribe;
pub mod web;
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
        | "/tls/ask"
        | "/webhooks/telegram"
        | "/exports/statement.csv"
        | "/.well-known/jwks.json") => Some(p),
        p if p.starts_with("/webhooks/payments/") => Some(if p.matches('/').count() > 3 {
            "/webhooks/payments/{provider}/{brand}"
        } else {
            "/webhooks/payments/{provider}"
        }),
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

/// The net under every request: a panic anywhere below (a resolver, a handler) is caught,
/// logged with the request id and answered as `INTERNAL` (500), never a dropped
/// connection. `futures`' `catch_unwind` rather than tower-http's `CatchPanicLayer`, whose
/// answer cannot see the request and so could not carry its id.
async fn catch_panic(req: Request, next: Next) -> Response {
    use axum::response::IntoResponse as _;
    use futures_util::FutureExt as _;
    let rid = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    match std::panic::AssertUnwindSafe(next.run(req))
        .catch_unwind()
        .await
    {
        Ok(resp) => resp,
        Err(panic) => {
            tracing::error!(request_id = %rid, panic = panic_message(&*panic), "a request panicked");
            error::HttpError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
                &rid,
            )
            .into_response()
        }
    }
}

/// What a panic said, when it said it with a string.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message")
}

/// Every route.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/.well-known/jwks.json", get(health::jwks))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/tls/ask", get(tls::ask))
        .route("/exports/statement.csv", get(exports::statement))
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
        .route(
            "/webhooks/payments/{provider}/{brand}",
            axum::routing::post(webhooks::brand_payment),
        )
        .route("/assets/{file}", get(web::asset))
        .fallback(web::cabinet);
    with_middleware(routes).with_state(state)
}

/// The middleware every route of [`router`] runs under: the request id (outermost), then
/// a panic answered as `INTERNAL`. Public so a benchmark's own handler can be measured
/// behind the same stack.
pub fn with_middleware(routes: Router<AppState>) -> Router<AppState> {
    routes
        .layer(middleware::from_fn(catch_panic))
        .layer(middleware::from_fn(request_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt as _;

    async fn boom() -> &'static str {
        let input: Vec<u8> = Vec::new();
        // An index out of range, as a bug reachable from input would be.
        if input[input.len()] == 0 {
            "never"
        } else {
            "answered"
        }
    }

    #[tokio::test]
    async fn a_panic_is_answered_internal_with_the_request_id() {
        let app: Router = Router::new()
            .route("/boom", get(boom))
            .layer(middleware::from_fn(catch_panic))
            .layer(middleware::from_fn(request_id));
        let req = axum::http::Request::builder()
            .uri("/boom")
            .header(REQUEST_ID, "panicky-1")
            .body(axum::body::Body::empty())
            .unwrap();
        let resp = app.oneshot(req).await.unwrap();
        assert_eq!(resp.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(resp.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "INTERNAL");
        assert_eq!(body["errors"][0]["extensions"]["requestId"], "panicky-1");
        assert_eq!(body["errors"][0]["message"], "internal error");
    }
}
