//! Partner-program rules that are not about a viewer's standing in an organization:
//! reviewing applications, and a client's own link to their partner. (Acting for a
//! partner is decided by the viewer's standing in its organization, in `orgs`.)

use super::{Action, Who};

/// `Some(decision)` for these actions, `None` for the others.
pub(super) fn allows(who: &Who<'_>, action: Action) -> Option<bool> {
    Some(match action {
        Action::ReviewPartners { tenant_id } => who.staff() || who.admin_of(tenant_id),
        Action::ManageOwnPartnerLink => true,
        _ => return None,
    })
}
