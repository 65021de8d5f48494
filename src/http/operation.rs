//! What HTTP and WebSocket operations share: reading an operation's name, root fields and
//! kind from its document, its span and outcome in the traces and metrics, the answer to a
//! timeout, and the audit of a refused impersonated mutation. Both transports import this;
//! neither imports the other for it.

use async_graphql::parser::types::{DocumentOperations, OperationType};
use axum::http::StatusCode;

use super::error::HttpError;
use crate::AppState;

/// The kind of the operation `operation_name` picks in `doc`, if one can be picked.
pub(crate) fn operation_type(
    doc: &async_graphql::parser::types::ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<OperationType> {
    match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) => {
            // Without a name the schema refuses a multi-operation document anyway.
            ops.values().next().map(|op| op.node.ty)
        }
    }
}

/// The operation's name and root fields, for audit entries and metrics. Fragments at the
/// root are not followed (their fields are listed by the fragment's name).
pub(crate) fn operation_of(
    doc: &async_graphql::parser::types::ExecutableDocument,
    operation_name: Option<&str>,
) -> tenants::Operation {
    use async_graphql::parser::types::Selection;
    let (name, op) = match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), _) => (operation_name.map(str::to_string), Some(op)),
        (DocumentOperations::Multiple(ops), Some(name)) => (Some(name.to_string()), ops.get(name)),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops
            .iter()
            .next()
            .map_or((None, None), |(n, op)| (Some(n.to_string()), Some(op))),
        (DocumentOperations::Multiple(_), None) => (None, None),
    };
    let fields = op
        .map(|op| {
            op.node
                .selection_set
                .node
                .items
                .iter()
                .map(|s| match &s.node {
                    Selection::Field(f) => f.node.name.node.to_string(),
                    Selection::FragmentSpread(f) => format!("...{}", f.node.fragment_name.node),
                    Selection::InlineFragment(_) => "...".to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    tenants::Operation { name, fields }
}

/// The span of one GraphQL operation: `query Name`, `mutation` (anonymous), or
/// `GraphQL Operation` when the document could not be read; its outcome and tenant are
/// recorded as they become known.
pub(crate) fn operation_span(name: Option<&str>, ty: Option<OperationType>) -> tracing::Span {
    let ty = ty.map(|t| match t {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    });
    let title = match (ty, name) {
        (Some(t), Some(n)) => format!("{t} {n}"),
        (Some(t), None) => t.to_string(),
        (None, _) => "GraphQL Operation".to_string(),
    };
    tracing::info_span!(
        "graphql",
        otel.name = %title,
        otel.status_code = tracing::field::Empty,
        graphql.operation.name = name,
        graphql.operation.type = ty,
        graphql.outcome = tracing::field::Empty,
        tenant = tracing::field::Empty,
        // Set on WebSocket operations, whose span has no request span above it.
        request_id = tracing::field::Empty,
    )
}

/// Notes an operation's outcome on its span (an error status only for the server's own
/// failures: a refusal is the client's) and counts it in the metrics, with its duration
/// when it has one (HTTP and WebSocket alike).
pub(crate) fn note_outcome(
    span: &tracing::Span,
    label: &str,
    outcome: &str,
    failed: bool,
    took: Option<std::time::Duration>,
) {
    span.record("graphql.outcome", outcome);
    if failed {
        span.record("otel.status_code", "ERROR");
    }
    match took {
        Some(took) => crate::metrics::record_operation(label, outcome, took),
        None => crate::metrics::count_operation(label, outcome),
    }
}

/// An answer's outcome for metrics and traces: `ok`, or its first error's code.
pub(crate) fn outcome_of(resp: &async_graphql::Response) -> String {
    resp.errors
        .first()
        .and_then(|e| match e.extensions.as_ref()?.get("code")? {
            async_graphql::Value::String(c) => Some(c.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "ok".into())
}

/// Records a refused mutation made with an impersonation token (a refused attempt commits
/// nothing, so no transaction audits it): best effort, after the response, as
/// `impersonation.mutation_refused` with the operation, its root fields and the codes (HTTP
/// and WebSocket alike).
pub(crate) async fn audit_refused_impersonation(
    state: &AppState,
    ctx: &tenants::RequestCtx,
    resp: &async_graphql::Response,
) {
    if resp.errors.is_empty() {
        return;
    }
    let codes: Vec<String> = resp
        .errors
        .iter()
        .filter_map(|e| match e.extensions.as_ref()?.get("code")? {
            async_graphql::Value::String(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let client = ctx.viewer.user().map(|u| u.user_id).unwrap_or_default();
    let details = serde_json::json!({
        "operation": ctx.operation.name,
        "fields": ctx.operation.fields,
        "errors": codes,
    });
    if let Err(e) = resolvers::audit::record(
        &state.services.db,
        ctx,
        None,
        resolvers::audit::action::IMPERSONATION_MUTATION_REFUSED,
        resolvers::audit::Target::User(client),
        None,
        details,
    )
    .await
    {
        tracing::error!(error = ?e, "could not audit a refused impersonated mutation");
    }
}

/// The answer to an operation that ran longer than `REQUEST_TIMEOUT_SECS`.
pub(crate) fn timed_out(rid: &str) -> HttpError {
    tracing::warn!("request timed out");
    HttpError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "TIMEOUT",
        "the request took too long",
        rid,
    )
}
