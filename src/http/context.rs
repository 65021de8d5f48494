//! Builds the one [`RequestCtx`] of a request: the tenant from the host, the viewer from
//! the bearer token. A missing token is an anonymous viewer; a bad one is an error.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{StatusCode, header, request::Parts};
use tenants::context::{AuthError, authenticate, authenticate_service};
use tenants::host::{HostError, requested_host};
use tenants::{RequestCtx, SERVICE_TOKEN_PREFIX, Viewer};

use domain::kernel::ratelimit::Requester;

use super::RequestId;
use super::error::HttpError;
use crate::AppState;

/// The request id of a request, as set by the request-id middleware.
pub fn request_id(parts: &Parts) -> String {
    parts
        .extensions
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default()
}

fn peer(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The tenant of the request's host.
pub fn tenant_of(
    state: &AppState,
    parts: &Parts,
) -> Result<std::sync::Arc<tenants::TenantInfo>, HttpError> {
    let rid = request_id(parts);
    let host = requested_host(
        &parts.headers,
        parts.uri.authority().map(|a| a.as_str()),
        peer(parts),
        &state.http.trusted_proxies,
    )
    .map_err(|e| {
        let msg = match e {
            HostError::Missing => "the request has no Host header",
            HostError::Duplicate => "the request has more than one Host header",
            HostError::Invalid => "the Host header is not a valid host name",
        };
        HttpError::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", msg, &rid)
    })?;
    state.services.registry.resolve(&host).ok_or_else(|| {
        HttpError::new(
            StatusCode::NOT_FOUND,
            "TENANT_NOT_FOUND",
            "no brand is served on this host",
            &rid,
        )
    })
}

/// Resolves the tenant and the viewer of a request.
pub async fn build(state: &AppState, parts: &Parts) -> Result<RequestCtx, HttpError> {
    let rid = request_id(parts);
    let mut auths = parts.headers.get_all(header::AUTHORIZATION).iter();
    let token = match (auths.next(), auths.next()) {
        (None, _) => None,
        (Some(_), Some(_)) => {
            return Err(unauthenticated("more than one Authorization header", &rid));
        }
        (Some(value), None) => Some(
            value
                .to_str()
                .ok()
                .and_then(bearer)
                .ok_or_else(|| unauthenticated("use Authorization: Bearer <token>", &rid))?,
        ),
    };
    build_with_token(state, parts, token).await
}

/// `Bearer <token>` -> `<token>`.
pub fn bearer(v: &str) -> Option<&str> {
    let (scheme, token) = v.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The request context of a request whose token was taken from elsewhere: the
/// `Authorization` header for HTTP, `connection_init`'s payload for a WebSocket (whose
/// host, peer and user agent are the upgrade request's). One code path for both.
pub async fn build_with_token(
    state: &AppState,
    parts: &Parts,
    token: Option<&str>,
) -> Result<RequestCtx, HttpError> {
    let rid = request_id(parts);
    let tenant = tenant_of(state, parts)?;
    let viewer = match token {
        None => Viewer::Anonymous,
        Some(token) => viewer_for_token(state, &tenant, token, &rid).await?,
    };
    Ok(RequestCtx {
        tenant,
        viewer,
        request_id: rid,
        client_ip: tenants::host::client_address(
            &parts.headers,
            peer(parts),
            &state.http.trusted_proxies,
        ),
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(256).collect()),
        operation: Default::default(),
        memberships: Default::default(),
        brand_roles: Default::default(),
    })
}

/// The viewer a bearer token stands for on `tenant` (HTTP `Authorization` and the
/// WebSocket's `connection_init` alike): a service token or a user's access token, with a
/// live session; anything else is refused.
pub async fn viewer_for_token(
    state: &AppState,
    tenant: &std::sync::Arc<tenants::TenantInfo>,
    token: &str,
    rid: &str,
) -> Result<Viewer, HttpError> {
    let rid = rid.to_string();
    let auth = if token.starts_with(SERVICE_TOKEN_PREFIX) {
        authenticate_service(&state.services.db, tenant, token)
            .await
            .map(Viewer::Service)
    } else {
        authenticate(&state.services.db, &state.services.keys, tenant, token)
            .await
            .map(Viewer::User)
    };
    match auth {
        Ok(viewer) => Ok(viewer),
        Err(AuthError::Db(e)) if domain::kernel::error::unavailable(&e) => {
            tracing::warn!(error = %e, "the database is unavailable");
            Err(HttpError::unavailable(&rid))
        }
        Err(AuthError::Db(e)) => {
            tracing::error!(error = %e, "authentication query failed");
            Err(HttpError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
                &rid,
            ))
        }
        Err(AuthError::SessionEnded) if token.starts_with(SERVICE_TOKEN_PREFIX) => {
            Err(unauthenticated(
                "the service token is not valid here (unknown or revoked)",
                &rid,
            ))
        }
        Err(AuthError::SessionEnded) => Err(unauthenticated(
            "the session has ended; sign in again",
            &rid,
        )),
        Err(AuthError::Token(e)) => {
            tracing::info!(reason = %e, "access token refused");
            Err(unauthenticated("the access token is not valid here", &rid))
        }
    }
}

/// Whom the per-user request limit counts a request against: the signed-in user, else the
/// client address (HTTP and WebSocket alike).
pub fn requester_of(ctx: &RequestCtx) -> Requester {
    match (ctx.viewer.user(), ctx.client_ip) {
        (Some(u), _) => Requester::User(u.user_id),
        (None, Some(ip)) => Requester::Address(ip),
        (None, None) => Requester::Unknown,
    }
}

fn unauthenticated(message: &str, rid: &str) -> HttpError {
    HttpError::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message, rid)
}
