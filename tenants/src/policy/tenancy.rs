//! Tenancy rules: tenants, their domains, branding and outbox; reading accounts; the
//! all-tenant audit log.

use super::{Action, Who};

/// `Some(decision)` for the tenancy domain's actions, `None` for the others.
pub(super) fn allows(who: &Who<'_>, action: Action) -> Option<bool> {
    Some(match action {
        Action::ListTenants | Action::CreateTenant | Action::ViewAllAuditLogs => who.staff(),
        Action::ManageTenant { .. } => who.staff(),
        Action::EditTenantBranding { tenant_id }
        | Action::ManagePaymentAccount { tenant_id }
        | Action::ManageTenantDomains { tenant_id }
        | Action::ViewTenantDomains { tenant_id }
        | Action::ManageServiceTokens { tenant_id }
        | Action::ViewOutbox { tenant_id }
        | Action::RetryOutboxMessage { tenant_id } => who.staff() || who.admin_of(tenant_id),
        Action::ViewUser { tenant_id, user_id } => {
            who.staff()
                || who.user_admin_of(tenant_id)
                || (who.user.tenant_id == tenant_id && who.user.user_id == user_id)
        }
        _ => return None,
    })
}

/// Whether `user` is told of the brand `tenant_id`'s own affairs (its custom domains):
/// its admins, who are the ones who may manage them. Platform staff are not: they watch
/// every brand through the audit log and the metrics instead.
pub fn receives_tenant_notice(user: &entities::user::Model, tenant_id: i64) -> bool {
    user.is_tenant_admin && user.tenant_id == tenant_id
}
