//! Lines and the price list: who edits a tenant's catalogue.

use super::{Action, Who};

/// `Some(decision)` for these actions, `None` for the others.
pub(super) fn allows(who: &Who<'_>, action: Action) -> Option<bool> {
    Some(match action {
        Action::ManageCatalogue { tenant_id } => who.staff() || who.admin_of(tenant_id),
        _ => return None,
    })
}
