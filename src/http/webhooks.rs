//! `POST /webhooks/payments/<provider>` (the platform's account) and
//! `POST /webhooks/payments/<provider>/<brand>` (a brand's own account): a payment
//! provider's notification. The body is read raw (a signature covers its exact bytes),
//! verified by the accounts the path names (a signature, or the object read back from the
//! provider's API), and handled once. A provider's published source addresses can be
//! required (`YOOKASSA_NOTIFICATION_SOURCES`): 403 from anywhere else. Answers: 200 when handled or already seen (the provider stops retrying),
//! 400 for an unsigned, badly signed, stale, unconfirmed or malformed request, 404 for an
//! unknown provider or brand account, 503 when the provider's API could not be asked and
//! 500 when it could not be stored (the provider retries both).

use axum::Json;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use domain::flows::pay_order::{WebhookOutcome, WebhookRefusal, handle_webhook};
use domain::payments::provider::WebhookError;
use serde_json::json;

use crate::AppState;

/// Handles one notification for the platform's account.
pub async fn payment(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    req: axum::extract::Request,
) -> axum::response::Response {
    notification(&state, &provider, None, req).await
}

/// Handles one notification for a brand's own account
/// (`/webhooks/payments/<provider>/<brand>`).
pub async fn brand_payment(
    State(state): State<AppState>,
    Path((provider, brand)): Path<(String, String)>,
    req: axum::extract::Request,
) -> axum::response::Response {
    notification(&state, &provider, Some(&brand), req).await
}

async fn notification(
    state: &AppState,
    provider: &str,
    brand: Option<&str>,
    req: axum::extract::Request,
) -> axum::response::Response {
    let (parts, body) = req.into_parts();
    if let Some(allowed) = state.http.notification_sources.get(provider) {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let client =
            tenants::host::client_address(&parts.headers, peer, &state.http.trusted_proxies);
        if !client.is_some_and(|ip| allowed.contains(ip)) {
            tracing::warn!(provider = %provider, client = ?client, "payment notification from an address the provider does not send from");
            return (
                StatusCode::FORBIDDEN,
                Json(json!({ "error": "not a source of this provider's notifications" })),
            )
                .into_response();
        }
    }
    let Ok(body) = axum::body::to_bytes(body, 1 << 20).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            Json(json!({ "error": "notification too large" })),
        )
            .into_response();
    };
    let headers = parts.headers;
    let header = |name: &'static str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let answer = match handle_webhook(&state.services, provider, brand, &header, &body).await {
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
            // Why stays in the log: a stranger learns nothing about payments from it.
            tracing::warn!(provider = %provider, reason = %e, "payment webhook refused");
            (
                StatusCode::BAD_REQUEST,
                Json(json!({ "error": "the notification was not accepted" })),
            )
        }
        Err(WebhookRefusal::Internal(_)) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "error": "internal error; retry later" })),
        ),
    };
    answer.into_response()
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
