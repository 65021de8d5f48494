//! Orders and payments. A partner quotes, orders and pays only for its own clients (those
//! who act for it: owners and user admins of its organization), as payer `PARTNER`, or
//! prepares an order its client pays (`CLIENT`); a client orders and pays for itself.
//! Paying is refused while logged in as a client: the impersonating partner may prepare
//! an order, never pay it in the client's name. Tenant staff see every order and confirm
//! bank transfers.

use super::{Action, Standing, Who};

/// What the policy needs to know about the viewer and one order (or order being made).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OrderStanding {
    /// The order's tenant.
    pub tenant_id: i64,
    /// The viewer is the order's client.
    pub client_self: bool,
    /// The viewer's standing in the organization of the partner the order is made
    /// through, when the client is that partner's client.
    pub partner: Option<Standing>,
    /// The partner pays.
    pub payer_partner: bool,
}

impl OrderStanding {
    fn acts_for_partner(&self) -> bool {
        self.partner.is_some_and(|p| p.administers_people())
    }

    fn is_payer(&self) -> bool {
        if self.payer_partner {
            self.acts_for_partner()
        } else {
            self.client_self
        }
    }
}

/// `Some(decision)` for these actions, `None` for the others.
pub(super) fn allows(who: &Who<'_>, action: Action) -> Option<bool> {
    Some(match action {
        Action::PlaceOrder { order } => {
            who.user.tenant_id == order.tenant_id
                && (order.acts_for_partner() || (!order.payer_partner && order.client_self))
        }
        Action::ViewOrder { order } => {
            who.staff()
                || who.admin_of(order.tenant_id)
                || (who.user.tenant_id == order.tenant_id
                    && (order.client_self || order.acts_for_partner()))
        }
        Action::PayOrder { order } => who.user.tenant_id == order.tenant_id && order.is_payer(),
        Action::ConfirmPayment { tenant_id } => who.staff() || who.admin_of(tenant_id),
        // The account itself (also a partner logged in as it, who may see what it orders
        // for the client), tenant admins, staff.
        Action::ViewUserOrders { tenant_id, user_id } => {
            who.staff()
                || who.user_admin_of(tenant_id)
                || (who.user.tenant_id == tenant_id && who.user.user_id == user_id)
        }
        _ => return None,
    })
}
