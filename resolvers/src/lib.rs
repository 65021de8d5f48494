//! The GraphQL layer: objects, queries, mutations, inputs and per-request loaders, one module
//! per domain. The business operations live in the `domain` crate; a resolver decodes its
//! arguments, calls one operation there (which asks the policy and owns its transaction)
//! and maps the result to GraphQL objects.

pub mod cost;
pub mod emails;
pub mod error;
pub mod flows;
pub mod hub;
pub mod identity;
pub mod ids;
pub mod inputs;
pub mod language;
pub mod leads;
pub mod ledger;
pub mod lines;
pub mod loaders;
pub mod money;
pub mod node;
pub mod notifications;
pub mod orders;
pub mod orgs;
pub mod pagination;
pub mod partners;
pub mod payments;
pub mod services;
pub mod shared;
pub mod tenancy;

pub use domain::kernel::clock::Clock;
pub use domain::kernel::{audit, links, password, sql, txn, validate};
pub use error::{ApiError, ApiResult, GqlError, GqlResult};
pub use services::{Services, Settings};

pub use services::{currency_of, request, services};

/// Puts every domain's per-request loaders on a request, with the tenant baked in.
pub fn attach_loaders(
    request: async_graphql::Request,
    db: &sea_orm::DatabaseConnection,
    tenant_id: i64,
) -> async_graphql::Request {
    request
        .data(identity::loaders::IdentityLoaders::new(db, tenant_id))
        .data(tenancy::loaders::TenancyLoaders::new(db))
        .data(orgs::loaders::OrgLoaders::new(db, tenant_id))
        .data(partners::loaders::PartnerLoaders::new(db, tenant_id))
        .data(lines::loaders::LineLoaders::new(db, tenant_id))
        .data(orders::loaders::OrderLoaders::new(db, tenant_id))
        .data(ledger::loaders::LedgerLoaders::new(db, tenant_id))
        .data(leads::loaders::LeadLoaders::new(db, tenant_id))
        .data(loaders::OtherBrands::default())
}
