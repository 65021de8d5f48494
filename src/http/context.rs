//! Builds the one [`RequestCtx`] of a request: the tenant from the host, the viewer from
//! the bearer token. A missing token is an anonymous viewer; a bad one is an error.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{StatusCode, header, request::Parts};
use tenants::context::{AuthError, authenticate, authenticate_service};
use tenants::host::{HostError, requested_host};
use tenants::{RequestCtx, SERVICE_TOKEN_PREFIX, Viewer};

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
    let peer = peer(parts);
    let tenant = tenant_of(state, parts)?;

    let mut auths = parts.headers.get_all(header::AUTHORIZATION).iter();
    let viewer = match (auths.next(), auths.next()) {
        (None, _) => Viewer::Anonymous,
        (Some(_), Some(_)) => {
            return Err(unauthenticated("more than one Authorization header", &rid));
        }
        (Some(value), None) => {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| {
                    let (scheme, token) = v.split_once(' ')?;
                    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
                })
                .filter(|t| !t.is_empty())
                .ok_or_else(|| unauthenticated("use Authorization: Bearer <token>", &rid))?;
            let auth = if token.starts_with(SERVICE_TOKEN_PREFIX) {
                authenticate_service(&state.services.db, &tenant, token)
                    .await
                    .map(Viewer::Service)
            } else {
                authenticate(&state.services.db, &state.services.keys, &tenant, token)
                    .await
                    .map(Viewer::User)
            };
            match auth {
                Ok(viewer) => viewer,
                Err(AuthError::Db(e)) => {
                    tracing::error!(error = %e, "authentication query failed");
                    return Err(HttpError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "INTERNAL",
                        "internal error",
                        &rid,
                    ));
                }
                Err(AuthError::SessionEnded) if token.starts_with(SERVICE_TOKEN_PREFIX) => {
                    return Err(unauthenticated(
                        "the service token is not valid here (unknown or revoked)",
                        &rid,
                    ));
                }
                Err(AuthError::SessionEnded) => {
                    return Err(unauthenticated(
                        "the session has ended; sign in again",
                        &rid,
                    ));
                }
                Err(AuthError::Token(e)) => {
                    tracing::info!(reason = %e, "access token refused");
                    return Err(unauthenticated("the access token is not valid here", &rid));
                }
            }
        }
    };
    Ok(RequestCtx {
        tenant,
        viewer,
        request_id: rid,
        client_ip: peer,
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(256).collect()),
        operation: Default::default(),
        memberships: Default::default(),
    })
}

fn unauthenticated(message: &str, rid: &str) -> HttpError {
    HttpError::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message, rid)
}
