//! Identity rules: a viewer's own account, sessions and email address.

use super::{Action, Who};

/// `Some(decision)` for the identity domain's actions, `None` for the others.
pub(super) fn allows(who: &Who<'_>, action: Action) -> Option<bool> {
    Some(match action {
        Action::ChangeOwnAccount | Action::EndAllSessions | Action::ManageOwnNotifications => true,
        // The owner only: not staff, not the tenant's admins.
        Action::ReadOwnAccountData { tenant_id, user_id } => {
            who.user.tenant_id == tenant_id && who.user.user_id == user_id
        }
        Action::TrustOwnEmail { verified } => verified,
        _ => return None,
    })
}
