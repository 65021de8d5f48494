//! Organization rules, decided by the viewer's standing (roles) in the organization,
//! including acting for the organization's partner and withdrawing its rewards.

use super::{Action, OrgRole, SpaceRole};

/// The organization rules, for a signed-in viewer.
pub(super) fn allows(action: Action) -> bool {
    use OrgRole::*;
    match action {
        Action::CreateOrganization => true,
        Action::ViewOrganization { me } => me.member(),
        Action::AdministerBrand { me } => me.is(Owner),
        Action::AdministerBrandUsers { me } => me.administers_people(),
        Action::EditOrganization { me } | Action::DeleteOrganization { me } => me.is(Owner),
        Action::ViewMembers { me } => me.administers_people(),
        Action::InviteMember { me, role, space } => match me.org {
            // Nobody grants a role above their own; user admins never grant OWNER.
            Some(Owner) => true,
            Some(UserAdmin) => role <= UserAdmin,
            // A space manager invites agents into their own space, as plain members.
            Some(Member) => {
                role == Member
                    && space == Some(SpaceRole::Agent)
                    && me.space == Some(SpaceRole::Manager)
            }
            None => false,
        },
        Action::ManageInvitation { me, mine } => me.administers_people() || (me.member() && mine),
        Action::ChangeMemberRole {
            me,
            from,
            to,
            is_self,
        } => match me.org {
            // No self-escalation, ever.
            _ if is_self && Some(to) > me.org => false,
            Some(Owner) => true,
            Some(UserAdmin) => from != Owner && to != Owner,
            _ => false,
        },
        Action::SetSpaceAccess {
            me,
            target,
            from,
            to,
            is_self,
        } => match me.org {
            // Only owners, who act as managers of every space anyway, touch their own.
            _ if is_self => me.is(Owner),
            Some(Owner) => true,
            Some(UserAdmin) => target != Owner,
            // Managers manage the agents of their own space: plain members, to or from
            // AGENT.
            Some(Member) => {
                me.manages_space()
                    && target == Member
                    && from <= Some(SpaceRole::Agent)
                    && to <= Some(SpaceRole::Agent)
            }
            None => false,
        },
        Action::RemoveMember { me, target } => match me.org {
            Some(Owner) => true,
            Some(UserAdmin) => target != Owner,
            _ => false,
        },
        Action::LeaveOrganization { me } => me.member(),
        Action::TransferOwnership { me } => me.is(Owner),
        Action::CreateSpace { me } | Action::ArchiveSpace { me } => me.is(Owner),
        Action::ViewSpace { me } => me.administers_people() || (me.member() && me.space.is_some()),
        Action::EditSpace { me } => me.manages_space(),
        Action::ViewOrgAuditLog { me } => me.is(Owner),
        Action::ApplyAsPartner { with } => with.is_none_or(|me| me.is(Owner)),
        Action::ActForPartner { me } => me.administers_people(),
        Action::ImpersonateClient { me, consent } => me.administers_people() && consent,
        // Spending the balance can spend withdrawable rewards: the same rule as withdrawing.
        Action::Withdraw { me } | Action::SpendPartnerBalance { me } => me.is(Owner),
        // The partner's money: owners and user admins read it; only owners touch the
        // bank account and withdraw (tenant staff are decided in `ledger`).
        Action::ViewPartnerMoney { me, .. } => me.administers_people(),
        // Notices follow what the member may see: money ones as the money, the others
        // (lines, clients, consent, leads) to every member.
        Action::ReceivePartnerNotice { me, money } => {
            if money {
                me.administers_people()
            } else {
                me.member()
            }
        }
        Action::ViewPayoutRequisites { me, .. } | Action::EditPayoutRequisites { me } => {
            me.is(Owner)
        }
        // Leads are the partner organization's shared queue, and any member may prove
        // their knowledge: every member, whatever their role.
        Action::WorkLeads { me } | Action::TakeCertification { me } => me.member(),
        _ => false,
    }
}
