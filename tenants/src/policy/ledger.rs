//! The partner's money as tenant staff see it: they read every partner's balance, ledger,
//! withdrawals and requisites, grant review bonuses, move withdrawals and refund orders.
//! What a partner's own members may do is decided by their standing, in `orgs`.

use super::{Action, Who};

/// `Some(decision)` for these actions, `None` to let the standing rules decide.
pub(super) fn allows(who: &Who<'_>, action: Action) -> Option<bool> {
    match action {
        Action::ManagePartnerMoney { tenant_id } => Some(who.staff() || who.admin_of(tenant_id)),
        Action::ViewPartnerMoney { tenant_id, .. }
        | Action::ViewPayoutRequisites { tenant_id, .. }
            if who.staff() || who.admin_of(tenant_id) =>
        {
            Some(true)
        }
        // Everyone else only for a partner of their own tenant (its standing rules).
        Action::ViewPartnerMoney { tenant_id, .. }
        | Action::ViewPayoutRequisites { tenant_id, .. }
            if who.user.tenant_id != tenant_id =>
        {
            Some(false)
        }
        _ => None,
    }
}
