//! HTTP-level failures (unknown host, bad token, unreadable body) answered with the same
//! GraphQL-shaped JSON body as errors from the schema.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The code of an HTTP-level refusal, carried on its response for the metrics.
#[derive(Debug, Clone, Copy)]
pub struct ErrorCode(pub &'static str);

/// A failure before the schema ran.
#[derive(Debug, Clone)]
pub struct HttpError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub request_id: String,
    /// Seconds for `Retry-After` (rate limits).
    pub retry_after: Option<u64>,
}

impl HttpError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
        request_id: &str,
    ) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            request_id: request_id.to_string(),
            retry_after: None,
        }
    }

    /// The database could not be reached: 503 with `Retry-After`, retryable.
    pub fn unavailable(request_id: &str) -> Self {
        Self {
            retry_after: Some(domain::kernel::error::UNAVAILABLE_RETRY_AFTER_SECS),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "SERVICE_UNAVAILABLE",
                "the service is briefly unavailable: try again shortly",
                request_id,
            )
        }
    }

    /// A rate-limit refusal: 429 with `Retry-After`.
    pub fn rate_limited(
        retry_after_secs: u64,
        message: impl Into<String>,
        request_id: &str,
    ) -> Self {
        Self {
            retry_after: Some(retry_after_secs),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMITED",
                message,
                request_id,
            )
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let mut extensions = serde_json::json!({ "code": self.code, "requestId": self.request_id });
        if let Some(secs) = self.retry_after {
            extensions["retryAfter"] = secs.into();
        }
        let body = serde_json::json!({
            "errors": [{ "message": self.message, "extensions": extensions }]
        });
        let mut resp = (self.status, axum::Json(body)).into_response();
        // For the metrics and traces: the outcome is the code, not the status.
        resp.extensions_mut().insert(ErrorCode(self.code));
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Bearer error="invalid_token""#),
            );
        }
        if let Some(v) = self
            .retry_after
            .and_then(|s| HeaderValue::from_str(&s.to_string()).ok())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            resp.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        resp
    }
}
