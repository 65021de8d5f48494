//! THE authorization policy. Every decision about what a viewer may do is made here, by
//! [`authorize`]; resolvers ask, they never decide. Anything not explicitly allowed is
//! denied.

use crate::context::{RequestCtx, Viewer};

/// Everything a viewer can ask to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// List and read every tenant (internal tooling).
    ListTenants,
    /// Create a tenant.
    CreateTenant,
    /// Change a tenant's slug and other platform-level settings.
    ManageTenant { tenant_id: i64 },
    /// Add or remove a tenant's host names.
    ManageTenantDomains { tenant_id: i64 },
    /// See a tenant's host names and their state.
    ViewTenantDomains { tenant_id: i64 },
    /// Change a tenant's branding and defaults.
    EditTenantBranding { tenant_id: i64 },
    /// Read a user's account.
    ViewUser { tenant_id: i64, user_id: i64 },
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("sign in first")]
    Unauthenticated,
    #[error("you are not allowed to do this")]
    Forbidden,
}

/// Allows or refuses `action` for the request's viewer.
pub fn authorize(ctx: &RequestCtx, action: Action) -> Result<(), Denied> {
    let Viewer::User(user) = &ctx.viewer else {
        return Err(Denied::Unauthenticated);
    };
    // An impersonation token never carries staff powers.
    let staff = user.is_platform_admin && user.impersonator.is_none();
    let admin_of = |tenant_id: i64| {
        user.is_tenant_admin && user.tenant_id == tenant_id && user.impersonator.is_none()
    };
    let allowed = match action {
        Action::ListTenants | Action::CreateTenant => staff,
        Action::ManageTenant { .. } | Action::ManageTenantDomains { .. } => staff,
        Action::EditTenantBranding { tenant_id } | Action::ViewTenantDomains { tenant_id } => {
            staff || admin_of(tenant_id)
        }
        Action::ViewUser { tenant_id, user_id } => {
            staff || admin_of(tenant_id) || (user.tenant_id == tenant_id && user.user_id == user_id)
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}
