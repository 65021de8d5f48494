//! Lines and the price list: who edits a tenant's catalogue, and who sees and works on a
//! line. A line is seen by its client, the owners of its organization (and the members of
//! its space), the client's partner (those who act for it: owners and user admins of the
//! partner's organization; "log in as client" is not needed), and tenant staff.

use super::{Action, OrgRole, Standing, Who};

/// What the policy needs to know about the viewer and one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LineStanding {
    /// The line's tenant.
    pub tenant_id: i64,
    /// The viewer is the line's client.
    pub client: bool,
    /// The viewer's standing in the line's organization, with their role in the line's
    /// space (if it has one) as `space`.
    pub org: Standing,
    /// The viewer's standing in the organization of the client's partner, if the client
    /// has one.
    pub partner: Option<Standing>,
}

impl LineStanding {
    fn owner_side(&self) -> bool {
        self.client
            || self.org.is(OrgRole::Owner)
            || (self.org.member() && self.org.space.is_some())
    }

    fn acts_for_partner(&self) -> bool {
        self.partner.is_some_and(|p| p.administers_people())
    }
}

/// `Some(decision)` for these actions, `None` for the others.
pub(super) fn allows(who: &Who<'_>, action: Action) -> Option<bool> {
    Some(match action {
        Action::ManageCatalogue { tenant_id } => who.staff() || who.admin_of(tenant_id),
        Action::ViewLine { line } | Action::EditLine { line } => {
            who.staff()
                || who.admin_of(line.tenant_id)
                || line.owner_side()
                || line.acts_for_partner()
        }
        Action::CommentOnLine { line } => line.acts_for_partner(),
        Action::ViewUserLines { tenant_id, user_id } => {
            who.staff()
                || who.user_admin_of(tenant_id)
                || (who.user.tenant_id == tenant_id && who.user.user_id == user_id)
        }
        Action::ReportChannelStatus { tenant_id } => who.staff() || who.admin_of(tenant_id),
        _ => return None,
    })
}
