//! Liveness, readiness and the JWKS document. None of them depends on the tenant.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use crate::AppState;

/// The process is up.
pub async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// The process can serve: it is not stopping and the database answers. From SIGTERM on
/// it answers 503 `draining` while requests are still served (src/lifecycle.rs).
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if state.lifecycle.phase() != crate::lifecycle::Phase::Serving {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "draining" })),
        );
    }
    match state.services.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(serde_json::json!({ "status": "ready" })),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable" })),
            )
        }
    }
}

/// The public keys that verify access tokens.
pub async fn jwks(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(axum::http::header::CACHE_CONTROL, "public, max-age=300")],
        Json(state.services.keys.jwks()),
    )
}

/// Prometheus metrics (with `METRICS_TOKEN` set, for its bearer only).
pub async fn metrics(
    State(state): State<AppState>,
    axum::Extension(super::RequestId(rid)): axum::Extension<super::RequestId>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    if let Some(token) = &state.http.metrics_token {
        let given = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let matches = given.is_some_and(|g| {
            use sha2::Digest;
            // Compared as digests, so the time taken says nothing about the token.
            sha2::Sha256::digest(g.as_bytes()) == sha2::Sha256::digest(token.as_bytes())
        });
        if !matches {
            return super::error::HttpError::new(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "the metrics need the METRICS_TOKEN bearer token",
                &rid,
            )
            .into_response();
        }
    }
    match crate::metrics::render(&state).await {
        Some(text) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        None => super::error::HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "METRICS_UNAVAILABLE",
            "the metrics recorder is not installed",
            &rid,
        )
        .into_response(),
    }
}
