//! `/unsubscribe?token=..`, the one-click link of notification emails (RFC 8058; the rules
//! are in `domain::notifications::unsubscribe`). `POST` (what mail clients send, with the
//! body `List-Unsubscribe=One-Click`, or the confirmation form) turns the email off; `GET`
//! only shows the form, so link scanners cannot unsubscribe anyone. Answers are small
//! HTML pages in the tenant's name.

use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::kernel::emails::escape;
use domain::kernel::i18n;
use domain::notifications::kinds::NotificationKind;
use domain::notifications::unsubscribe::{self, Unsubscribed};
use serde::Deserialize;
use tenants::TenantInfo;

use super::context::tenant_of;
use crate::AppState;

#[derive(Deserialize)]
pub struct Params {
    #[serde(default)]
    token: String,
}

fn page(status: StatusCode, lang: &str, brand: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\">\
         <title>{b}</title></head><body style=\"font-family:sans-serif;max-width:32em;margin:3em auto\">\
         <h1>{b}</h1>{body}</body></html>",
        lang = i18n::supported(lang),
        b = escape(brand)
    );
    (status, Html(html)).into_response()
}

/// A link that names nobody is answered in the brand's language.
fn invalid(tenant: &TenantInfo) -> Response {
    let lang = &tenant.model.default_language;
    page(
        StatusCode::BAD_REQUEST,
        lang,
        &tenant.model.display_name,
        &format!("<p>{}</p>", escape(&i18n::t(lang, "unsubscribe-invalid"))),
    )
}

/// What the kind of notification is about, in `lang`.
fn about(lang: &str, kind: NotificationKind) -> String {
    i18n::t(lang, &format!("kind-{}", kind.as_str()))
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
    let brand = &tenant.model.display_name;
    match unsubscribe::check(&state.services, &tenant, &p.token).await {
        Ok(Unsubscribed { kind, language, .. }) => {
            let ask = i18n::tr(
                &language,
                "unsubscribe-ask",
                &[("kind", about(&language, kind).into())],
            );
            page(
                StatusCode::OK,
                &language,
                brand,
                &format!(
                    "<p>{}</p><form method=\"post\" action=\"/unsubscribe?token={}\">\
                     <input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
                     <button type=\"submit\">{}</button></form>",
                    escape(&ask),
                    escape(&p.token),
                    escape(&i18n::t(&language, "unsubscribe-button")),
                ),
            )
        }
        Err(_) => invalid(&tenant),
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
    let brand = &tenant.model.display_name;
    match unsubscribe::apply(&state.services, &tenant, &p.token).await {
        Ok(Unsubscribed { kind, language, .. }) => {
            let done = i18n::tr(
                &language,
                "unsubscribe-done",
                &[("kind", about(&language, kind).into())],
            );
            page(
                StatusCode::OK,
                &language,
                brand,
                &format!("<p>{}</p>", escape(&done)),
            )
        }
        Err(e) if e.code() == "INTERNAL" => {
            let lang = &tenant.model.default_language;
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                lang,
                brand,
                &format!("<p>{}</p>", escape(&i18n::t(lang, "unsubscribe-error"))),
            )
        }
        Err(_) => invalid(&tenant),
    }
}
