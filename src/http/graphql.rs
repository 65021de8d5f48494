//! `/graphql` per the GraphQL-over-HTTP specification:
//! - POST with `Content-Type: application/json`; anything else is 415. With JSON the
//!   browser must preflight, so a cross-site form or `text/plain` post cannot reach us.
//! - GET runs queries only (a mutation is 405) and, like Apollo's CSRF prevention, needs a
//!   header a browser will not send cross-site without a preflight: a JSON `Content-Type`
//!   or `GraphQL-Require-Preflight` (also `Apollo-Require-Preflight`, `X-Requested-With`).
//!   A browser navigating to `GET /graphql` without a query gets GraphiQL when enabled.
//! - `Accept: application/graphql-response+json` gets that media type, with 400 for a
//!   request that could not be parsed or validated; `application/json` (or no `Accept`)
//!   gets 200 for every well-formed request; any other `Accept` is 406.

use async_graphql::parser::types::OperationType;
use axum::body::{Body, Bytes};
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tracing::Instrument as _;

use super::apq;
use super::context::{self, request_id};
use super::error::HttpError;
use super::operation::{
    audit_refused_impersonation, note_outcome, operation_of, operation_span, operation_type,
    outcome_of, timed_out,
};
use super::public_answers;
use crate::AppState;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MediaType {
    GraphqlResponseJson,
    Json,
}

impl MediaType {
    fn as_str(self) -> &'static str {
        match self {
            MediaType::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            MediaType::Json => "application/json; charset=utf-8",
        }
    }
}

/// Picks the response media type from `Accept`.
fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let accept: Vec<String> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|range| {
            let mut parts = range.split(';');
            let media = parts.next()?.trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                let p = p.trim().replace(' ', "");
                p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000"
            });
            (!refused && !media.is_empty()).then_some(media)
        })
        .collect();
    if headers.get(header::ACCEPT).is_none() {
        return Some(MediaType::Json);
    }
    if accept.iter().any(|m| m == GRAPHQL_RESPONSE_JSON) {
        Some(MediaType::GraphqlResponseJson)
    } else if accept
        .iter()
        .any(|m| m == JSON || m == "application/*" || m == "*/*")
    {
        Some(MediaType::Json)
    } else {
        None
    }
}

fn is_json_content_type(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case(JSON))
}

/// Whether a browser would have had to preflight this GET.
fn preflighted(headers: &HeaderMap) -> bool {
    is_json_content_type(headers)
        || [
            "graphql-require-preflight",
            "apollo-require-preflight",
            "x-apollo-operation-name",
            "x-requested-with",
        ]
        .iter()
        .any(|h| headers.contains_key(*h))
}

fn not_acceptable(rid: &str) -> Response {
    HttpError::new(
        StatusCode::NOT_ACCEPTABLE,
        "NOT_ACCEPTABLE",
        "accept application/graphql-response+json or application/json",
        rid,
    )
    .into_response()
}

/// `POST /graphql`.
pub async fn post(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let rid = request_id(&parts);
    let Some(media) = negotiate(&parts.headers) else {
        return not_acceptable(&rid);
    };
    if !is_json_content_type(&parts.headers) {
        return HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the request as Content-Type: application/json",
            &rid,
        )
        .into_response();
    }
    let max = state.http.max_body_bytes;
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let too_large = || {
        HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("the request body is larger than {max} bytes"),
            &rid,
        )
        .into_response()
    };
    if declared.is_some_and(|n| n > max) {
        return too_large();
    }
    let Ok(bytes) = axum::body::to_bytes(body, max).await else {
        return too_large();
    };
    let batch: async_graphql::BatchRequest = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        Err(_) => {
            return HttpError::new(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "the body is not a GraphQL request: send {\"query\": ..., \"variables\": {...}}",
                &rid,
            )
            .into_response();
        }
    };
    let requests = match batch {
        async_graphql::BatchRequest::Single(request) => {
            return execute(&state, &parts, request, media).await;
        }
        async_graphql::BatchRequest::Batch(requests) => requests,
    };
    let max = state.http.max_batch;
    if max == 0 {
        return HttpError::new(
            StatusCode::BAD_REQUEST,
            "BATCH_NOT_ALLOWED",
            "send one operation per request: batches are off here",
            &rid,
        )
        .into_response();
    }
    if requests.len() > max {
        return HttpError::new(
            StatusCode::BAD_REQUEST,
            "BATCH_TOO_LARGE",
            format!("a batch may hold at most {max} operations"),
            &rid,
        )
        .into_response();
    }
    // One after another: a batch gets no more of the server at once than its requests
    // sent one by one would.
    let mut body = Vec::from(b"[".as_slice());
    for (i, request) in requests.into_iter().enumerate() {
        let answer = match run(&state, &parts, request).await {
            Ok(a) => a,
            Err(e) => return e,
        };
        if i > 0 {
            body.push(b',');
        }
        match answer {
            Answer::Ran(resp) => match serde_json::to_writer(&mut body, &resp) {
                Ok(()) => {}
                Err(e) => return unserialisable(&e, &rid),
            },
            Answer::Remembered(bytes) => body.extend_from_slice(&bytes),
        }
    }
    body.push(b']');
    json_response(Bytes::from(body), StatusCode::OK, media)
}

/// A response refused before execution (it did not parse or validate, or broke a limit),
/// written without a `data` entry.
#[derive(serde::Serialize)]
struct RequestError<'a> {
    errors: &'a [async_graphql::ServerError],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
}

/// How an operation was answered.
enum Answer {
    /// By the schema.
    Ran(async_graphql::Response),
    /// With the JSON a public document answered on this brand before (`public_answers`).
    Remembered(Bytes),
}

/// Query-string parameters of `GET /graphql`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// `GET /graphql`: queries only, or GraphiQL for a browser.
pub async fn get(State(state): State<AppState>, req: Request) -> Response {
    if super::websocket::is_upgrade(req.headers()) {
        return super::websocket::upgrade(state, req).await;
    }
    let (parts, _) = req.into_parts();
    let rid = request_id(&parts);
    let params = Query::<GetParams>::try_from_uri(&parts.uri)
        .ok()
        .map(|q| q.0);
    let query = params.as_ref().and_then(|p| p.query.clone());
    let persisted = params.as_ref().is_some_and(|p| p.extensions.is_some());
    let Some(query) = query.or_else(|| persisted.then(String::new)) else {
        if state.http.graphiql && wants_html(&parts.headers) {
            return super::web::graphiql();
        }
        return HttpError::new(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "give the query in the `query` parameter",
            &rid,
        )
        .into_response();
    };
    let Some(media) = negotiate(&parts.headers) else {
        return not_acceptable(&rid);
    };
    if !preflighted(&parts.headers) {
        return HttpError::new(
            StatusCode::BAD_REQUEST,
            "CSRF_PREVENTED",
            "a GET request needs a GraphQL-Require-Preflight header (or Content-Type: application/json)",
            &rid,
        )
        .into_response();
    }
    let params = params.unwrap_or(GetParams {
        query: None,
        operation_name: None,
        variables: None,
        extensions: None,
    });
    let mut request = async_graphql::Request::new(query);
    if let Some(ext) = params.extensions.filter(|v| !v.is_empty()) {
        match serde_json::from_str(&ext) {
            Ok(e) => request.extensions = e,
            Err(_) => {
                return HttpError::new(
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    "`extensions` is not a JSON object",
                    &rid,
                )
                .into_response();
            }
        }
    }
    // A persisted query is looked up before deciding whether GET may run it.
    match persisted_query(&state, &mut request, &rid) {
        Ok(None) => {}
        Ok(Some(resp)) => return render(&resp, StatusCode::OK, media, &rid),
        Err(resp) => return resp,
    }
    if !is_query(&request.query, params.operation_name.as_deref()) {
        return HttpError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "only queries may be sent with GET; send mutations with POST",
            &rid,
        )
        .into_response();
    }
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    if let Some(vars) = params.variables.filter(|v| !v.is_empty()) {
        match serde_json::from_str::<async_graphql::Variables>(&vars) {
            Ok(v) => request = request.variables(v),
            Err(_) => {
                return HttpError::new(
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    "`variables` is not a JSON object",
                    &rid,
                )
                .into_response();
            }
        }
    }
    execute(&state, &parts, request, media).await
}

/// Whether the operation a GET would run is a query. A document that does not parse is
/// let through, so the client gets the syntax error from the schema.
fn is_query(query: &str, operation_name: Option<&str>) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return true;
    };
    is_query_doc(&doc, operation_name)
}

/// Whether the operation `operation_name` picks in `doc` is a query (a document whose
/// operation cannot be picked counts as one: the schema refuses it).
fn is_query_doc(
    doc: &async_graphql::parser::types::ExecutableDocument,
    operation_name: Option<&str>,
) -> bool {
    operation_type(doc, operation_name).is_none_or(|t| t == OperationType::Query)
}

/// Looks up or remembers a persisted query. `Ok(Some)` is the GraphQL answer to give
/// instead of running (`PERSISTED_QUERY_NOT_FOUND`), `Err` an HTTP-level refusal.
#[allow(clippy::result_large_err)]
fn persisted_query(
    state: &AppState,
    request: &mut async_graphql::Request,
    rid: &str,
) -> Result<Option<async_graphql::Response>, Response> {
    match state.http.persisted_queries.resolve(request) {
        apq::Outcome::NotPersisted | apq::Outcome::Query => Ok(None),
        apq::Outcome::NotFound => {
            let mut e = async_graphql::ServerError::new("PersistedQueryNotFound", None);
            e.extensions
                .get_or_insert_with(Default::default)
                .set("code", "PERSISTED_QUERY_NOT_FOUND");
            Ok(Some(schema::finalize(
                async_graphql::Response::from_errors(vec![e]),
                rid,
            )))
        }
        apq::Outcome::Invalid(why) => {
            Err(HttpError::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", why, rid).into_response())
        }
    }
}

/// Runs one operation and answers it.
async fn execute(
    state: &AppState,
    parts: &Parts,
    request: async_graphql::Request,
    media: MediaType,
) -> Response {
    let rid = request_id(parts);
    match run(state, parts, request).await {
        Ok(Answer::Remembered(body)) => json_response(body, StatusCode::OK, media),
        Ok(Answer::Ran(resp)) => {
            let request_error = schema::is_request_error(&resp);
            let status = if unavailable(&resp.errors) {
                // The database could not be reached: retryable, and said so by the status.
                StatusCode::SERVICE_UNAVAILABLE
            } else if media == MediaType::GraphqlResponseJson && request_error {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            let mut out = if request_error {
                // Refused before execution: the GraphQL spec says no `data` entry at all.
                let body = RequestError {
                    errors: &resp.errors,
                    extensions: &resp.extensions,
                };
                render(&body, status, media, &rid)
            } else {
                render(&resp, status, media, &rid)
            };
            if let Some(v) = retry_after(&resp.errors) {
                out.headers_mut().insert(header::RETRY_AFTER, v);
            }
            out
        }
        Err(e) => e,
    }
}

/// Whether an error says the database could not be reached (`SERVICE_UNAVAILABLE`).
fn unavailable(errors: &[async_graphql::ServerError]) -> bool {
    errors.iter().any(|e| {
        e.extensions.as_ref().and_then(|x| x.get("code"))
            == Some(&async_graphql::Value::String("SERVICE_UNAVAILABLE".into()))
    })
}

/// `Retry-After` for a response refused by a rate limit (the longest wait named).
fn retry_after(errors: &[async_graphql::ServerError]) -> Option<HeaderValue> {
    errors
        .iter()
        .filter_map(|e| match e.extensions.as_ref()?.get("retryAfter")? {
            async_graphql::Value::Number(n) => n.as_u64(),
            _ => None,
        })
        .max()
        .and_then(|s| HeaderValue::from_str(&s.to_string()).ok())
}

/// Runs one operation and counts it in the metrics (by operation name and outcome), in a
/// span of its own named as OpenTelemetry's GraphQL conventions say (`query Name`).
async fn run(
    state: &AppState,
    parts: &Parts,
    mut request: async_graphql::Request,
) -> Result<Answer, Response> {
    let started = std::time::Instant::now();
    let answered = match persisted_query(state, &mut request, &request_id(parts)) {
        Ok(Some(resp)) => Some(Ok(Answer::Ran(resp))),
        Err(e) => Some(Err(e)),
        Ok(None) => None,
    };
    if let Some(result) = answered {
        return record(result, None, started, &operation_span(None, None));
    }
    // Parsed once, here (within the token limit, which protects the parser), or taken from
    // the cache of parsed documents: the operation's name and kind come from this
    // document, and the schema runs it without parsing again.
    let limits = &state.http.schema_limits;
    let max = limits.max_tokens;
    let mut vetted = None;
    let mut public = false;
    let parsed = (schema::armor::count_tokens(&request.query, max) <= max)
        .then(|| {
            let name = request.operation_name.clone();
            let query = std::mem::take(&mut request.query);
            // Read beside the document the request then holds.
            let variables = std::mem::take(&mut request.variables);
            let doc = super::documents::prepare(&state.http.documents, &query, &mut request);
            let parsed = doc.ok().map(|doc| {
                // Validated before and within the cost: runs without the extension.
                vetted = schema::armor::vetted(
                    &state.http.validated,
                    &query,
                    name.as_deref(),
                    doc,
                    &variables,
                    limits.max_cost,
                );
                // Only a vetted document without variables: a valid one, within the
                // limits, whose answer depends on nothing the request sends.
                public = matches!(vetted, Some(schema::armor::Vetted::Fast(_)))
                    && !state.http.public_answers.is_off()
                    && schema::public::is_public(doc, name.as_deref());
                (
                    operation_of(doc, name.as_deref()),
                    operation_type(doc, name.as_deref()),
                )
            });
            request.query = query;
            request.variables = variables;
            parsed
        })
        .flatten();
    // An operation that could not be parsed is not taken for a query (the schema refuses
    // it anyway); one that cannot be picked is (the schema refuses that too).
    let query_only = parsed
        .as_ref()
        .is_some_and(|(_, ty)| ty.is_none_or(|t| t == OperationType::Query));
    let (op, ty) = parsed.unwrap_or_default();
    let name = op.name.clone();
    let span = operation_span(name.as_deref(), ty);
    let result = run_inner(state, parts, request, op, query_only, vetted, public)
        .instrument(span.clone())
        .await;
    record(result, name, started, &span)
}

/// Counts an operation in the metrics by its name and outcome, notes the outcome on its
/// span (an error status for internal failures only: a refusal is the client's), and
/// passes it on.
#[allow(clippy::result_large_err)]
fn record(
    result: Result<Answer, Response>,
    name: Option<String>,
    started: std::time::Instant,
    span: &tracing::Span,
) -> Result<Answer, Response> {
    let outcome = match &result {
        Ok(Answer::Remembered(_)) => "ok".into(),
        Ok(Answer::Ran(resp)) => outcome_of(resp),
        Err(r) => match r.extensions().get::<super::error::ErrorCode>() {
            Some(code) => code.0.to_string(),
            None => format!("HTTP_{}", r.status().as_u16()),
        },
    };
    let failed = match &result {
        Ok(_) => outcome == "INTERNAL",
        Err(r) => r.status().is_server_error() && outcome != "TIMEOUT",
    };
    note_outcome(
        span,
        &crate::metrics::operation_label(name.as_deref()),
        &outcome,
        failed,
        Some(started.elapsed()),
    );
    result
}

/// Runs one operation (a persisted one looked up first); `Err` is an HTTP-level answer
/// (no tenant, bad token, timeout). `vetted` says a document the armored schema validated
/// before, within the cost, runs on the vetted or the checked schema, and its response gets
/// the `extensions.cost` the armor would have added. `public` says the document is a query of
/// public fields only (`schema::public`): a signed-out request for it is answered from, or
/// remembered in, the public answers.
async fn run_inner(
    state: &AppState,
    parts: &Parts,
    request: async_graphql::Request,
    op: tenants::Operation,
    query_only: bool,
    vetted: Option<schema::armor::Vetted>,
    public: bool,
) -> Result<Answer, Response> {
    let ctx = match context::build(state, parts).await {
        Ok(c) => c,
        Err(e) => return Err(e.into_response()),
    };
    let mut ctx = ctx;
    let rid = ctx.request_id.clone();
    let tenant_id = ctx.tenant_id();
    tracing::Span::current().record("tenant", ctx.tenant.model.slug.as_str());
    if let Err(refused) = state
        .services
        .limits
        .request(tenant_id, context::requester_of(&ctx))
    {
        return Err(
            HttpError::rate_limited(refused.retry_after_secs(), refused.message(), &rid)
                .into_response(),
        );
    }
    let public_key = (public && matches!(ctx.viewer, tenants::Viewer::Anonymous))
        .then(|| public_answers::key(tenant_id, request.operation_name.as_deref(), &request.query));
    let answers = &state.http.public_answers;
    if let Some(body) = public_key
        .as_deref()
        .and_then(|k| public_answers::get(answers, k, &ctx.tenant))
    {
        crate::metrics::record_public_answer(true);
        return Ok(Answer::Remembered(body));
    }
    let tenant = ctx.tenant.clone();
    // Named in the audit entry that every write made with an impersonation token adds to
    // its own transaction (`resolvers::txn::commit`).
    ctx.operation = op;
    // Refused attempts commit nothing, so no transaction audits them: they are recorded
    // after the response (best effort) as `impersonation.mutation_refused`.
    let impersonated = ctx.viewer.user().is_some_and(|u| u.impersonator.is_some()) && !query_only;
    let audit_ctx = impersonated.then(|| ctx.clone());
    let request = resolvers::attach_loaders(request.data(ctx), &state.services.db, tenant_id);
    let schema = match vetted {
        Some(schema::armor::Vetted::Fast(_)) => &state.vetted_schema,
        Some(schema::armor::Vetted::Checked(_)) => &state.checked_schema,
        None => &state.schema,
    };
    let run = schema.execute(request);
    let resp = match tokio::time::timeout(state.http.request_timeout, run).await {
        Ok(r) => {
            let mut r = schema::finalize(r, &rid);
            // Not on a refusal (the checked schema's validation of the variables): the armored
            // schema adds none there either.
            if let Some(cost) = vetted
                .map(schema::armor::Vetted::cost)
                .filter(|_| !schema::is_request_error(&r))
            {
                let maximum = state.http.schema_limits.max_cost;
                r.extensions
                    .insert("cost".into(), schema::armor::cost_value(cost, maximum));
            }
            r
        }
        Err(_) => return Err(timed_out(&rid).into_response()),
    };
    if let Some(ctx) = audit_ctx {
        audit_refused_impersonation(state, &ctx, &resp).await;
    }
    if let Some(key) = public_key.filter(|_| resp.errors.is_empty()) {
        let body = match serde_json::to_vec(&resp) {
            Ok(b) => Bytes::from(b),
            Err(e) => return Err(unserialisable(&e, &rid)),
        };
        answers.put(key, (tenant, body.clone()));
        crate::metrics::record_public_answer(false);
        return Ok(Answer::Remembered(body));
    }
    Ok(Answer::Ran(resp))
}

/// Writes a response as the negotiated media type.
fn render(
    resp: &impl serde::Serialize,
    status: StatusCode,
    media: MediaType,
    rid: &str,
) -> Response {
    match serde_json::to_vec(resp) {
        Ok(b) => json_response(Bytes::from(b), status, media),
        Err(e) => unserialisable(&e, rid),
    }
}

/// The answer to a response that could not be written as JSON.
fn unserialisable(e: &serde_json::Error, rid: &str) -> Response {
    tracing::error!(error = %e, "could not serialise a response");
    HttpError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL",
        "internal error",
        rid,
    )
    .into_response()
}

/// A response of JSON already written.
fn json_response(body: Bytes, status: StatusCode, media: MediaType) -> Response {
    let mut out = Response::new(Body::from(body));
    *out.status_mut() = status;
    out.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.as_str()),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, v.parse().unwrap());
        h
    }

    #[test]
    fn accept_negotiation() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(MediaType::Json));
        assert_eq!(
            negotiate(&accept(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(MediaType::GraphqlResponseJson)
        );
        assert_eq!(
            negotiate(&accept("application/json")),
            Some(MediaType::Json)
        );
        assert_eq!(negotiate(&accept("*/*")), Some(MediaType::Json));
        assert_eq!(negotiate(&accept("text/html")), None);
        assert_eq!(negotiate(&accept("application/json;q=0")), None);
    }

    #[test]
    fn only_queries_pass_as_get() {
        assert!(is_query("{ tenant { slug } }", None));
        assert!(is_query("query A { a } mutation B { b }", Some("A")));
        assert!(!is_query("query A { a } mutation B { b }", Some("B")));
        assert!(!is_query(
            "mutation { logOut(input: {}) { endedSessions } }",
            None
        ));
        assert!(is_query("not graphql {", None));
    }
}
