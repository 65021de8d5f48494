//! Who is asking and what they may see: host -> tenant resolution, the tenant registry,
//! access tokens and their keys, the viewer, the per-request context, row scoping and the
//! one authorization policy.

pub mod context;
pub mod host;
pub mod policy;
pub mod registry;
pub mod scope;
pub mod tokens;
pub mod viewer;

pub use policy::{Action, Denied, authorize};
pub use registry::{TenantInfo, TenantRegistry};
pub use viewer::{
    AuthUser, MembershipCache, Memberships, Operation, RequestCtx, SERVICE_TOKEN_PREFIX,
    ServiceAuth, Viewer,
};
