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
use domain::flows::pay_order::{WebhookOutcome, WebhookRefusal, handle_webhook};
use domain::payments::provider::WebhookError;
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
        .and_then(|p| p.signature_header())
        .and_then(|h| headers.get(h))
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
        Err(WebhookRefusal::Invalid(WebhookError::Unavailable(e))) => {
            tracing::warn!(provider = %provider, reason = %e, "payment webhook not checked yet");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "error": "the notification could not be checked now; retry later" })),
            )
        }
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

/// `POST /webhooks/telegram` on a tenant's host: an update of the tenant's bot, as
/// Telegram posts it once `configureTelegramBot(useWebhook: true)` set the webhook. The
/// `X-Telegram-Bot-Api-Secret-Token` header must be the secret given to Telegram then
/// (401 otherwise). Answers 200 once handled, so Telegram does not send it again; 500 when
/// it could not be handled (Telegram retries).
pub async fn telegram(
    State(state): State<AppState>,
    req: axum::extract::Request,
) -> axum::response::Response {
    let (parts, body) = req.into_parts();
    let tenant = match super::context::tenant_of(&state, &parts) {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, Json(json!({ "ok": false }))).into_response();
    };
    let Ok(update) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return (StatusCode::BAD_REQUEST, Json(json!({ "ok": false }))).into_response();
    };
    let secret = parts
        .headers
        .get("x-telegram-bot-api-secret-token")
        .and_then(|v| v.to_str().ok());
    match domain::notifications::telegram::webhook(&state.services, tenant.id(), secret, &update)
        .await
    {
        Ok(Some(_)) => (StatusCode::OK, Json(json!({ "ok": true }))).into_response(),
        Ok(None) => (StatusCode::UNAUTHORIZED, Json(json!({ "ok": false }))).into_response(),
        Err(e) => {
            tracing::warn!(error = %e.message(), "telegram update not handled");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({ "ok": false })),
            )
                .into_response()
        }
    }
}
