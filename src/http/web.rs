//! The browser side the gateway serves itself (docs/cabinet.md): the reference cabinet at
//! `/` on every brand's host, GraphiQL's page, and their built files under `/assets`.
//!
//! The files are `web/dist`, built by esbuild from `web/src` and committed, and embedded in
//! the binary (read from disk in debug builds). Nothing is loaded from another origin: each
//! page carries a Content-Security-Policy that allows scripts and styles from the gateway
//! alone, and API calls and the bell's WebSocket to the same host.

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;

use crate::AppState;

#[derive(Embed)]
#[folder = "web/dist"]
struct Dist;

/// The cabinet's policy: its own scripts and styles only (styles set from script, such as
/// the brand's colours, go through the CSSOM, which the policy allows); images from
/// anywhere over HTTPS and from the gateway, since a brand's logo may live on its own site.
const CABINET_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: https:; font-src 'self' data:; connect-src 'self'; \
     manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// GraphiQL's policy: the same, except that its editor writes inline styles.
const GRAPHIQL_CSP: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn page(name: &str, csp: &'static str) -> Response {
    let Some(file) = Dist::get(name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(csp),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            ),
        ],
        file.data.into_owned(),
    )
        .into_response()
}

/// GraphiQL's page (the caller decides whether GraphiQL is on).
pub fn graphiql() -> Response {
    page("graphiql.html", GRAPHIQL_CSP)
}

/// `GET /assets/{file}`: a built file, revalidated by its hash (`ETag`).
pub async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    // One plain file name: never a path, never a page (pages are served with their policy).
    let plain = !name.contains(['/', '\\']) && !name.contains("..") && !name.ends_with(".html");
    let Some(file) = Dist::get(&name).filter(|_| plain) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let etag = HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    if fresh {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let mime = HeaderValue::from_str(file.metadata.mimetype())
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        file.data.into_owned(),
    )
        .into_response()
}

/// Any other `GET` (or `HEAD`) a browser makes (`/`, `/lines`, `/reset-password?token=…`): the cabinet,
/// which routes in the page. Everything else is a plain 404.
pub async fn cabinet(State(state): State<AppState>, req: Request) -> Response {
    let html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let read = matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    if state.http.cabinet && read && html {
        return page("index.html", CABINET_CSP);
    }
    StatusCode::NOT_FOUND.into_response()
}
