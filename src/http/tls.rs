//! `GET /tls/ask?domain=<host>`: the permission check of a TLS-terminating proxy in front
//! of the instances before it gets a certificate on demand (Caddy's `on_demand_tls { ask
//! … }`). 200 for a brand's verified host, 404 for any other, 400 without a `domain`; no
//! body either way, and the same answer whatever the request's own `Host` (the proxy asks
//! from anywhere). docs/domains.md has the Caddy configuration.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use crate::AppState;

/// The query of an ask.
#[derive(Debug, Deserialize)]
pub struct Ask {
    domain: Option<String>,
}

/// Whether the proxy may get a certificate for the asked host.
pub async fn ask(State(state): State<AppState>, Query(q): Query<Ask>) -> StatusCode {
    let Some(domain) = q.domain.filter(|d| !d.trim().is_empty()) else {
        return StatusCode::BAD_REQUEST;
    };
    let svc = &state.services;
    match domain::tenancy::hosts::tls_allowed(&svc.db, &domain, svc.clock.now()).await {
        Ok(true) => StatusCode::OK,
        Ok(false) => StatusCode::NOT_FOUND,
        Err(e) => {
            // The proxy asks again later; a database outage never grants a certificate.
            tracing::warn!(error = ?e, "the TLS ask could not be answered");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}
