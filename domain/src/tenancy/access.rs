//! Asking the policy about a tenant's own things (its settings, domains, service tokens):
//! a refusal on another tenant reads as "not found", so the existence of other tenants'
//! rows is not revealed. Shared by every tenancy use case; imports none of them.

use entities::tenant_domain;
use sea_orm::ConnectionTrait;
use tenants::{Action, RequestCtx, authorize};

use crate::kernel::error::{ApiError, ApiResult};

/// Loads what the policy needs to decide about `tenant_id` when it is another brand than
/// the request's: the viewer's roles in the organizations that own brands (a reseller's
/// owners administer their brand from the brand they live on).
pub async fn load_brand_facts(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    tenant_id: i64,
) -> ApiResult<()> {
    if tenant_id != req.tenant_id() {
        tenants::context::load_brand_roles(db, req).await?;
    }
    Ok(())
}

/// Checks `action` on `tenant_id`; a refusal on another tenant reads as "not found" so
/// the existence of other tenants' rows is not revealed.
pub(crate) fn authorize_on(req: &RequestCtx, action: Action, tenant_id: i64) -> ApiResult<()> {
    authorize(req, action).map_err(|d| match (d, tenant_id == req.tenant_id()) {
        (tenants::Denied::Forbidden, false) => ApiError::NotFound { what: "tenant" },
        (d, _) => ApiError::from(d),
    })
}

/// Authorizes `action` on a domain's tenant; another tenant's domain is not found.
pub fn authorize_domain(
    req: &RequestCtx,
    d: &tenant_domain::Model,
    action: impl Fn(i64) -> Action,
) -> ApiResult<()> {
    authorize_on(req, action(d.tenant_id), d.tenant_id).map_err(|e| match e {
        ApiError::NotFound { .. } => ApiError::NotFound { what: "domain" },
        e => e,
    })
}
