//! `POST /webhooks/payments/<provider>`: a payment provider's signed notification. The
//! body is read raw (the signature covers its exact bytes), verified by the provider, and
//! handled once. Answers: 200 when handled or already seen (the provider stops retrying),
//! 400 for an unsigned, badly signed, stale or malformed request, 404 for an unknown
//! provider, 500 when it could not be stored (the provider retries).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use domain::orders::payments::{WebhookOutcome, WebhookRefusal, handle_webhook};
use serde_json::json;

use crate::AppState;

/// Handles one notification.
pub async fn payment(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let svc = &state.services;
    let signature = svc
        .card_providers
        .get(&provider)
        .and_then(|p| headers.get(p.signature_header()))
        .and_then(|v| v.to_str().ok());
    match handle_webhook(svc, &provider, signature, &body).await {
        Ok(WebhookOutcome::Handled) => (StatusCode::OK, Json(json!({ "received": true }))),
        Ok(WebhookOutcome::Replay) => (
            StatusCode::OK,
            Json(json!({ "received": true, "duplicate": true })),
        ),
        Err(WebhookRefusal::UnknownProvider) => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "unknown payment provider" })),
        ),
        Err(WebhookRefusal::Invalid(e)) => {
            tracing::warn!(provider = %provider, reason = %e, "payment webhook refused");
            (
                StatusCode::BAD_REQUEST,
                Json(json!({ "error": e.to_string() })),
            )
        }
        Err(WebhookRefusal::Internal(_)) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "error": "internal error; retry later" })),
        ),
    }
}
