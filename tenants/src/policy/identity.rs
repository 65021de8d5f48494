//! Identity rules: a viewer's own account, sessions and email address.

use super::{Action, Who};

/// `Some(decision)` for the identity domain's actions, `None` for the others.
pub(super) fn allows(_who: &Who<'_>, action: Action) -> Option<bool> {
    Some(match action {
        Action::ChangeOwnAccount | Action::EndAllSessions => true,
        Action::TrustOwnEmail { verified } => verified,
        _ => return None,
    })
}
