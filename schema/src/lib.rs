//! The GraphQL schema: merges the domain roots, applies the limits, exports the SDL, and
//! gives every error that leaves it a code. Knows nothing about HTTP, so it can be tested
//! and exported without a socket.

use async_graphql::{
    MergedObject, MergedSubscription, Response, SDLExportOptions, Schema, SchemaBuilder,
    ServerError, Value,
};
use resolvers::Services;
use resolvers::emails::OutboxQuery;
use resolvers::flows::FlowsMutation;
use resolvers::identity::{IdentityMutation, IdentityQuery};
use resolvers::leads::{LeadMutation, LeadQuery};
use resolvers::ledger::{LedgerMutation, LedgerQuery};
use resolvers::lines::{LineEditMutation, LineMutation, LineQuery};
use resolvers::node::NodeQuery;
use resolvers::notifications::{NotificationMutation, NotificationQuery, NotificationSubscription};
use resolvers::orders::{OrderMutation, OrderQuery};
use resolvers::orgs::{AuditQuery, OrgMutation, OrgQuery};
use resolvers::partners::{PartnerMutation, PartnerQuery};
use resolvers::payments::{PaymentAccountMutation, PaymentAccountQuery, PaymentMutation};
use resolvers::tenancy::{TenancyMutation, TenancyQuery};

// A field is looked for in these in order, so the public `tenant` query, which every
// brand's pages ask first, is found first.
/// Every query root.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    TenancyQuery,
    NodeQuery,
    IdentityQuery,
    OrgQuery,
    AuditQuery,
    PartnerQuery,
    LineQuery,
    OrderQuery,
    LedgerQuery,
    PaymentAccountQuery,
    LeadQuery,
    NotificationQuery,
    OutboxQuery,
    // Registers the types several domains add fields to; it has no fields.
    resolvers::hub::Types,
);

/// Every mutation root.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    IdentityMutation,
    FlowsMutation,
    TenancyMutation,
    OrgMutation,
    PartnerMutation,
    LineMutation,
    LineEditMutation,
    OrderMutation,
    LedgerMutation,
    PaymentMutation,
    PaymentAccountMutation,
    LeadMutation,
    NotificationMutation,
);

/// Every subscription root (served over WebSocket, graphql-transport-ws).
#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(NotificationSubscription);

/// The application schema.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

pub mod armor;
pub mod cache;
pub mod cost;
pub mod public;

/// Query limits (docs/api-limits.md). The defaults follow GraphQL Armor's, except the
/// depth, which Relay connections need deeper, and the cost, which is Shopify-style.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Nesting of fields (introspection not counted).
    pub max_depth: usize,
    /// Cost: statements and page items (`cost`).
    pub max_cost: usize,
    pub max_aliases: usize,
    /// Lexical tokens of the document, counted before it is parsed.
    pub max_tokens: usize,
    /// Directives in the whole document.
    pub max_directives: usize,
    /// Nesting of `fields`/`interfaces`/`possibleTypes`/`inputFields` in introspection
    /// (2, graphql-js's own `MaxIntrospectionDepthRule`: what `getIntrospectionQuery()`
    /// sends passes, `types { fields { type { fields { type { fields` does not).
    pub max_introspection_lists: usize,
    /// Whether `__schema` and `__type` are answered.
    pub introspection: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 12,
            max_cost: 5000,
            max_aliases: 15,
            max_tokens: 2000,
            max_directives: 50,
            max_introspection_lists: 2,
            introspection: false,
        }
    }
}

fn builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    resolvers::hub::install(Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    ))
}

/// Builds the schema with its services, limits and the instance's cache of validations
/// (`ValidatedDocuments::new(0)` for none).
pub fn build(
    services: Services,
    limits: &Limits,
    validated: armor::ValidatedDocuments,
) -> AppSchema {
    let mut b = builder()
        .data(services)
        .extension(armor::Armor::new(limits.clone(), validated))
        // Protects the parser's recursion; the limits proper are the armor's.
        .limit_recursive_depth(64);
    if !limits.introspection {
        b = b.disable_introspection();
    }
    b.finish()
}

/// The schema that runs *vetted* documents: ones [`armor::vetted`] finds the armored
/// schema ([`build`]) validated and costed before. It has no extensions and validates in
/// async-graphql's `Fast` mode (no rules but fragment cycles and uploads; the cost and
/// depth are still computed), because with any extension installed async-graphql sends
/// every field through its extension chain and two registry look-ups, and a remembered
/// document needs neither the limits nor the rules again. The HTTP layer adds
/// `extensions.cost` itself (docs/performance.md).
pub fn build_vetted(services: Services, limits: &Limits) -> AppSchema {
    let mut b = builder()
        .data(services)
        .validation_mode(async_graphql::ValidationMode::Fast)
        .limit_recursive_depth(64);
    if !limits.introspection {
        b = b.disable_introspection();
    }
    b.finish()
}

/// The schema that runs documents with variables that the armored schema ([`build`])
/// validated before (`armor::Vetted::Checked`): it validates every request in full, as the
/// armored one does (the variables' values are checked against the arguments), but has no
/// extensions, so its fields skip async-graphql's extension chain. The HTTP layer prices
/// the request (`cost`) before choosing it and adds `extensions.cost` itself.
pub fn build_checked(services: Services, limits: &Limits) -> AppSchema {
    let mut b = builder().data(services).limit_recursive_depth(64);
    if !limits.introspection {
        b = b.disable_introspection();
    }
    b.finish()
}

/// The SDL, with fields, arguments and enum items sorted so diffs stay readable.
pub fn sdl() -> String {
    builder().finish().sdl_with_options(
        SDLExportOptions::new()
            .sorted_fields()
            .sorted_arguments()
            .sorted_enum_items(),
    )
}

/// Whether a response failed as a whole (a request error in GraphQL-over-HTTP terms:
/// it could not be parsed or validated, or a limit refused it, so nothing was executed).
pub fn is_request_error(resp: &Response) -> bool {
    resp.data == Value::Null
        && !resp.errors.is_empty()
        && resp.errors.iter().all(|e| {
            e.path.is_empty()
                && code_of(e)
                    .is_some_and(|c| c == VALIDATION_FAILED || armor::code::ALL.contains(&c))
        })
}

const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";

fn code_of(e: &ServerError) -> Option<&str> {
    match e.extensions.as_ref()?.get("code")? {
        Value::String(s) => Some(s.as_str()),
        _ => None,
    }
}

/// Gives every error a code and the request id. Errors without a code are either
/// async-graphql's own parse and validation errors (no path: `GRAPHQL_VALIDATION_FAILED`,
/// message kept), an argument that failed to parse (`BAD_USER_INPUT`), or an unexpected
/// error from a resolver, which is logged and masked as `INTERNAL`.
pub fn finalize(mut resp: Response, request_id: &str) -> Response {
    for e in &mut resp.errors {
        let code = match code_of(e) {
            Some(c) => c.to_string(),
            None if e.path.is_empty() => VALIDATION_FAILED.to_string(),
            None if e.message.starts_with("Failed to parse") => "BAD_USER_INPUT".to_string(),
            // A declared variable the request did not send (async-graphql does not fall
            // back to the argument's default): the client's mistake, said as it is.
            None if e.message.starts_with("Variable ")
                && e.message.ends_with(" is not defined.") =>
            {
                "BAD_USER_INPUT".to_string()
            }
            None => {
                tracing::error!(error = %e.message, path = ?e.path, "error without a code masked");
                e.message = "internal error".into();
                "INTERNAL".to_string()
            }
        };
        let ext = e.extensions.get_or_insert_with(Default::default);
        ext.set("code", code);
        ext.set("requestId", request_id);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_in_sdl_matches_the_code() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
        let current = sdl();
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(path, &current).unwrap();
        }
        let checked_in = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            checked_in == current,
            "schema/schema.graphql is out of date: run `UPDATE_SCHEMA=1 cargo test -p schema`"
        );
    }

    #[test]
    fn every_limit_code_is_documented() {
        let doc = include_str!("../../docs/decisions.md");
        let missing: Vec<&str> = armor::code::ALL
            .iter()
            .copied()
            .filter(|c| !doc.contains(&format!("`{c}`")))
            .collect();
        assert!(missing.is_empty(), "not in docs/decisions.md: {missing:?}");
    }

    #[test]
    fn errors_without_codes_get_one_and_internal_ones_are_masked() {
        let mut resp = Response::default();
        resp.errors
            .push(ServerError::new("Unknown field \"x\"", None));
        let mut internal = ServerError::new("relation \"users\" does not exist", None);
        internal.path = vec![async_graphql::PathSegment::Field("viewer".into())];
        resp.errors.push(internal);
        let resp = finalize(resp, "req-1");
        let codes: Vec<_> = resp
            .errors
            .iter()
            .map(|e| code_of(e).unwrap().to_string())
            .collect();
        assert_eq!(codes, ["GRAPHQL_VALIDATION_FAILED", "INTERNAL"]);
        assert_eq!(resp.errors[1].message, "internal error");
        assert!(is_request_error(&finalize(
            {
                let mut r = Response::default();
                r.errors.push(ServerError::new("Syntax error", None));
                r
            },
            "req-2"
        )));
    }
}
