//! Leads and certification as tenant staff see them: they read every lead of the tenant,
//! reassign and close leads, and manage the certification tests and certificates. What a
//! partner's own members may do (work its leads, take tests) is decided by their
//! standing, in `orgs`.

use super::{Action, Who};

/// `Some(decision)` for these actions, `None` to let the standing rules decide.
pub(super) fn allows(who: &Who<'_>, action: Action) -> Option<bool> {
    match action {
        Action::ManageLeads { tenant_id } | Action::ManageCertification { tenant_id } => {
            Some(who.staff() || who.admin_of(tenant_id))
        }
        _ => None,
    }
}
