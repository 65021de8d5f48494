//! Business rules without GraphQL: async-graphql is not a dependency of this crate (a
//! test checks its manifest). Modules are layered (kernel < identity < ...; the order is
//! checked with the resolvers' in `resolvers/tests/layering.rs`): operations take decoded
//! ids and a connection the caller owns, ask the policy, and return models.
//!
//! Every business operation lives here; the GraphQL layer (`resolvers`) only decodes
//! input, calls an operation and maps its result (docs/architecture.md).

pub mod flows;
pub mod identity;
pub mod jobs;
pub mod kernel;
pub mod leads;
pub mod ledger;
pub mod lines;
pub mod notifications;
pub mod orders;
pub mod orgs;
pub mod partners;
pub mod payments;
pub mod tenancy;

pub use kernel::error::{ApiError, ApiResult};
pub use kernel::services::{Services, Settings};

#[cfg(test)]
mod tests {
    #[test]
    fn every_audit_action_and_error_code_is_documented() {
        let doc = include_str!("../../docs/decisions.md");
        let missing: Vec<&str> = crate::kernel::audit::action::ALL
            .iter()
            .chain(crate::kernel::error::code::ALL)
            .filter(|name| !doc.contains(&format!("`{name}`")))
            .copied()
            .collect();
        assert!(missing.is_empty(), "not in docs/decisions.md: {missing:?}");
    }

    #[test]
    fn graphql_is_not_a_dependency() {
        let manifest = include_str!("../Cargo.toml");
        assert!(
            !manifest.contains("async-graphql"),
            "the domain crate must not depend on async-graphql"
        );
    }
}
