//! `GET /exports/statement.csv?token=..` on a brand's host: a partner's monthly statement
//! as CSV, through the signed link `Partner.statement.csvUrl` gave to someone allowed to
//! read it (its owners, the brand's staff; the rules are in
//! `domain::ledger::statement`). No sign-in: a browser downloads it as a file. A link
//! that is forged, expired, or of another brand answers 404; nothing is cached.

use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::context::tenant_of;
use crate::AppState;

#[derive(Deserialize)]
pub struct Params {
    #[serde(default)]
    token: String,
}

/// The CSV, or 404.
pub async fn statement(
    State(state): State<AppState>,
    Query(p): Query<Params>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let tenant = match tenant_of(&state, &parts) {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let no_store = [
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    match domain::ledger::statement::csv_of_link(&state.services, &tenant, &p.token).await {
        Ok(Some((csv, name))) => (
            StatusCode::OK,
            no_store,
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            csv,
        )
            .into_response(),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            no_store,
            "this statement link is not valid or has expired; ask for the statement again",
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e.message(), "statement export failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                no_store,
                "the statement could not be produced now; try again",
            )
                .into_response()
        }
    }
}
