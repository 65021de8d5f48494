//! `/unsubscribe?token=..`, the one-click link of notification emails (RFC 8058; the rules
//! are in `domain::notifications::unsubscribe`). `POST` (what mail clients send, with the
//! body `List-Unsubscribe=One-Click`, or the confirmation form) turns the email off; `GET`
//! only shows the form, so link scanners cannot unsubscribe anyone. Answers are small
//! HTML pages in the tenant's name.

use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::kernel::emails::escape;
use domain::notifications::unsubscribe::{self, Unsubscribed};
use serde::Deserialize;

use super::context::tenant_of;
use crate::AppState;

#[derive(Deserialize)]
pub struct Params {
    #[serde(default)]
    token: String,
}

fn page(status: StatusCode, brand: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\">\
         <title>{b}</title></head><body style=\"font-family:sans-serif;max-width:32em;margin:3em auto\">\
         <h1>{b}</h1>{body}</body></html>",
        b = escape(brand)
    );
    (status, Html(html)).into_response()
}

fn invalid(brand: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        brand,
        "<p>This unsubscribe link is not valid. Change which emails you get in your notification settings.</p>",
    )
}

/// `GET`: the confirmation form.
pub async fn show(
    State(state): State<AppState>,
    Query(p): Query<Params>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let tenant = match tenant_of(&state, &parts) {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let brand = tenant.model.display_name.clone();
    match unsubscribe::check(&state.services, &tenant, &p.token).await {
        Ok(Unsubscribed { kind, .. }) => page(
            StatusCode::OK,
            &brand,
            &format!(
                "<p>Stop emails about {}?</p><form method=\"post\" action=\"/unsubscribe?token={}\">\
                 <input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
                 <button type=\"submit\">Unsubscribe</button></form>",
                escape(kind.label()),
                escape(&p.token)
            ),
        ),
        Err(_) => invalid(&brand),
    }
}

/// `POST`: unsubscribes.
pub async fn apply(
    State(state): State<AppState>,
    Query(p): Query<Params>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let tenant = match tenant_of(&state, &parts) {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let brand = tenant.model.display_name.clone();
    match unsubscribe::apply(&state.services, &tenant, &p.token).await {
        Ok(Unsubscribed { kind, .. }) => page(
            StatusCode::OK,
            &brand,
            &format!(
                "<p>Done: you will no longer get emails about {}. The bell still shows them; \
                 turn emails back on in your notification settings.</p>",
                escape(kind.label())
            ),
        ),
        Err(e) if e.code() == "INTERNAL" => page(
            StatusCode::INTERNAL_SERVER_ERROR,
            &brand,
            "<p>Something went wrong; please try again.</p>",
        ),
        Err(_) => invalid(&brand),
    }
}
