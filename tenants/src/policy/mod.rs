//! THE authorization policy. Every decision about what a viewer may do is made here, by
//! [`authorize`]; resolvers load the facts (the viewer's roles), ask, and never decide.
//! Anything not explicitly allowed is denied.
//!
//! One file per domain decides that domain's actions (`tenancy`, `identity`, `orgs`,
//! `partners`, `lines`, `orders`, `ledger`, `leads`); this one holds the `Action` list, the rules every action shares (sign-in,
//! impersonation) and the dispatch. `matrix` renders the roles x actions table written to
//! `docs/permissions.md`; a test fails when that file differs, so every permission change
//! is reviewed as a diff.

mod identity;
mod leads;
mod ledger;
mod lines;
mod matrix;
mod orders;
mod orgs;
mod partners;
mod services;
mod tenancy;

pub use lines::LineStanding;
pub use matrix::{allows_member, matrix};
pub use orders::OrderStanding;
pub use tenancy::receives_tenant_notice;

use crate::viewer::{RequestCtx, Viewer};

pub use entities::{OrgRole, SpaceRole};

/// The viewer's standing in one organization (and, for space actions, one space).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// `None`: not a member.
    pub org: Option<OrgRole>,
    /// The viewer's own role in the space the action is about. Owners act as managers of
    /// every space whatever this says.
    pub space: Option<SpaceRole>,
}

impl Standing {
    fn is(&self, role: OrgRole) -> bool {
        self.org == Some(role)
    }

    fn member(&self) -> bool {
        self.org.is_some()
    }

    /// Owners manage every space; others only the spaces they manage.
    fn manages_space(&self) -> bool {
        self.is(OrgRole::Owner) || (self.member() && self.space == Some(SpaceRole::Manager))
    }

    /// Owners and user admins administer people.
    fn administers_people(&self) -> bool {
        matches!(self.org, Some(OrgRole::Owner | OrgRole::UserAdmin))
    }
}

/// Everything a viewer can ask to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// List and read every tenant (internal tooling).
    ListTenants,
    /// Create a tenant.
    CreateTenant,
    /// Change a tenant's slug and other platform-level settings.
    ManageTenant { tenant_id: i64 },
    /// Add, verify, make primary or remove a tenant's custom host names (platform
    /// subdomains are `ManageTenant`).
    ManageTenantDomains { tenant_id: i64 },
    /// See a tenant's host names and their state.
    ViewTenantDomains { tenant_id: i64 },
    /// Create, list and revoke a tenant's service tokens (credentials of machines).
    ManageServiceTokens { tenant_id: i64 },
    /// Change a tenant's branding and defaults.
    EditTenantBranding { tenant_id: i64 },
    /// See, configure or remove a brand's own card payment account.
    ManagePaymentAccount { tenant_id: i64 },
    /// Read a user's account.
    ViewUser { tenant_id: i64, user_id: i64 },
    /// Read the emails waiting in a tenant's outbox (all tenants' for staff).
    ViewOutbox { tenant_id: i64 },
    /// Send a failed (or waiting) outbox message again now.
    RetryOutboxMessage { tenant_id: i64 },

    /// Create an organization (the creator becomes its owner).
    CreateOrganization,
    /// See an organization's name and settings.
    ViewOrganization { me: Standing },
    /// Change the organization's settings.
    EditOrganization { me: Standing },
    /// Delete the organization.
    DeleteOrganization { me: Standing },
    /// See the member list and pending invitations.
    ViewMembers { me: Standing },
    /// Invite someone with `role` in the organization and, if given, `space` in one space
    /// (`me.space` is the viewer's role in that space).
    InviteMember {
        me: Standing,
        role: OrgRole,
        space: Option<SpaceRole>,
    },
    /// Revoke or resend an invitation (`mine`: the viewer sent it).
    ManageInvitation { me: Standing, mine: bool },
    /// Change a member's organization role from `from` to `to`.
    ChangeMemberRole {
        me: Standing,
        from: OrgRole,
        to: OrgRole,
        is_self: bool,
    },
    /// Set a member's role in a space (`None` removes their access); `target` is their
    /// organization role, `from` their current role in the space.
    SetSpaceAccess {
        me: Standing,
        target: OrgRole,
        from: Option<SpaceRole>,
        to: Option<SpaceRole>,
        is_self: bool,
    },
    /// Remove another member from the organization.
    RemoveMember { me: Standing, target: OrgRole },
    /// Leave the organization.
    LeaveOrganization { me: Standing },
    /// Make another member an owner and step down to user admin.
    TransferOwnership { me: Standing },
    /// Create a space.
    CreateSpace { me: Standing },
    /// See a space (`me.space`: the viewer's role in it).
    ViewSpace { me: Standing },
    /// Change a space's name and description.
    EditSpace { me: Standing },
    /// Archive a space.
    ArchiveSpace { me: Standing },
    /// Read the organization's audit log.
    ViewOrgAuditLog { me: Standing },
    /// Administer the brand the organization owns (a reseller's): its branding, domains,
    /// service tokens, price list, partner program and partners' money, as its admins do.
    /// Asked by the policy itself for every tenant-admin action on that brand.
    AdministerBrand { me: Standing },
    /// Administer the people of the brand the organization owns (read their accounts,
    /// lines and orders).
    AdministerBrandUsers { me: Standing },
    /// Read every audit-log entry of every tenant.
    ViewAllAuditLogs,

    /// Apply to the tenant's partner program, with a new organization (`None`) or an
    /// existing one (the viewer's standing in it).
    ApplyAsPartner { with: Option<Standing> },
    /// Review partner applications and set tiers on a tenant.
    ReviewPartners { tenant_id: i64 },
    /// Act for a partner (its clients, codes, profile); `me` is the viewer's standing in
    /// the partner's organization.
    ActForPartner { me: Standing },
    /// Log in as a client of the partner; `consent`: the client's consent is active.
    ImpersonateClient { me: Standing, consent: bool },
    /// Change one's own password, email or phone, or delete one's account.
    ChangeOwnAccount,
    /// Grant or revoke a partner's access to one's account, or detach from the partner.
    ManageOwnPartnerLink,
    /// Request a withdrawal of the partner's rewards and mark its documents sent; `me` is
    /// the standing in the partner's organization.
    Withdraw { me: Standing },
    /// Pay one of the partner's orders from its balance (`BONUS_BALANCE`: bonuses, then
    /// withdrawable rewards, so it is as much the partner's money as a withdrawal); `me`
    /// is the standing in the partner's organization.
    SpendPartnerBalance { me: Standing },
    /// See the partner's balance, ledger and withdrawals.
    ViewPartnerMoney { tenant_id: i64, me: Standing },
    /// Be told of the partner's events (a member with standing `me`; `money`: a
    /// withdrawal or a paid order, which only those who see the money are told of).
    ReceivePartnerNotice { me: Standing, money: bool },
    /// Change one's own notification settings, mark one's notifications read, connect or
    /// disconnect Telegram.
    ManageOwnNotifications,
    /// See the bank account the partner's rewards are paid to.
    ViewPayoutRequisites { tenant_id: i64, me: Standing },
    /// Save the bank account the partner's rewards are paid to.
    EditPayoutRequisites { me: Standing },
    /// Grant review bonuses, approve, pay or reject withdrawals, refund orders (tenant
    /// staff).
    ManagePartnerMoney { tenant_id: i64 },
    /// End every session of one's own account ("sign out everywhere").
    EndAllSessions,
    /// Read what only an account's owner reads (its organizations, partner, consent
    /// history, notifications, pending invitations): the account of `user_id`.
    ReadOwnAccountData { tenant_id: i64, user_id: i64 },
    /// Act on what was sent to one's email address without a link: list pending
    /// invitations, accept one by id. `verified`: the viewer proved the address.
    TrustOwnEmail { verified: bool },

    /// Edit a tenant's price list (channel kinds, ChatCoins packages).
    ManageCatalogue { tenant_id: i64 },
    /// See a line.
    ViewLine { line: LineStanding },
    /// Rename a line or move it to another space of its organization.
    EditLine { line: LineStanding },
    /// Write the partner's private note on a line.
    CommentOnLine { line: LineStanding },
    /// List every line of a user's account.
    ViewUserLines { tenant_id: i64, user_id: i64 },
    /// Report a channel's connection state (the messaging side).
    ReportChannelStatus { tenant_id: i64 },

    /// Quote, create or cancel an order.
    PlaceOrder { order: OrderStanding },
    /// See an order and its payments.
    ViewOrder { order: OrderStanding },
    /// Pay an order (issue its invoice, start a card checkout).
    PayOrder { order: OrderStanding },
    /// Confirm a bank transfer, which pays the order (tenant staff).
    ConfirmPayment { tenant_id: i64 },
    /// List every order of a user's account (its payments and amounts).
    ViewUserOrders { tenant_id: i64, user_id: i64 },

    /// Work the partner's leads: see free leads, take, release, move and comment on the
    /// partner's own ones; `me` is the standing in the partner's organization.
    WorkLeads { me: Standing },
    /// See every lead of a tenant with its contacts, reassign and close leads (tenant
    /// staff).
    ManageLeads { tenant_id: i64 },
    /// Take a certification test for the partner; `me` is the standing in the partner's
    /// organization.
    TakeCertification { me: Standing },
    /// Write certification tests (with their answers) and revoke certificates (tenant
    /// staff).
    ManageCertification { tenant_id: i64 },
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("sign in first")]
    Unauthenticated,
    #[error("you are not allowed to do this")]
    Forbidden,
    #[error("not allowed while logged in as a client")]
    Impersonating,
}

/// Allows or refuses `action` for the request's viewer.
pub fn authorize(ctx: &RequestCtx, action: Action) -> Result<(), Denied> {
    let user = match &ctx.viewer {
        Viewer::Anonymous => return Err(Denied::Unauthenticated),
        Viewer::Service(service) => {
            return if services::allows(service, action) {
                Ok(())
            } else {
                Err(Denied::Forbidden)
            };
        }
        Viewer::User(user) => user,
    };
    if user.impersonator.is_some() && !allowed_while_impersonating(action) {
        return Err(Denied::Impersonating);
    }
    let who = Who {
        user,
        brands: ctx.brand_roles.get(),
    };
    let allowed = tenancy::allows(&who, action)
        .or_else(|| identity::allows(&who, action))
        .or_else(|| partners::allows(&who, action))
        .or_else(|| lines::allows(&who, action))
        .or_else(|| orders::allows(&who, action))
        .or_else(|| ledger::allows(&who, action))
        .or_else(|| leads::allows(&who, action))
        .unwrap_or_else(|| orgs::allows(action));
    if allowed {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

/// The signed-in viewer, as the domain rules see them.
struct Who<'a> {
    user: &'a crate::viewer::AuthUser,
    /// The brands the viewer's organizations own, if the caller loaded them.
    brands: &'a [(i64, OrgRole)],
}

impl Who<'_> {
    /// An impersonation token never carries staff or tenant-admin powers.
    fn own(&self) -> bool {
        self.user.impersonator.is_none()
    }

    /// Platform staff (root-tenant users with the flag), acting as themselves.
    fn staff(&self) -> bool {
        self.user.is_platform_admin && self.own()
    }

    /// The viewer's standing in the organization that owns the brand `tenant_id`.
    fn in_owner_of(&self, tenant_id: i64) -> Standing {
        Standing {
            org: self
                .brands
                .iter()
                .find(|(brand, _)| *brand == tenant_id)
                .map(|(_, role)| *role),
            space: None,
        }
    }

    /// An admin of `tenant_id`, acting as themselves: a flagged admin of that brand (the
    /// root brand's staff, brands made before resellers owned theirs), or an owner of the
    /// organization that owns it.
    fn admin_of(&self, tenant_id: i64) -> bool {
        self.own()
            && ((self.user.is_tenant_admin && self.user.tenant_id == tenant_id)
                || orgs::allows(Action::AdministerBrand {
                    me: self.in_owner_of(tenant_id),
                }))
    }

    /// Who administers the people of `tenant_id`: its admins, and the user admins of the
    /// organization that owns it.
    fn user_admin_of(&self, tenant_id: i64) -> bool {
        self.admin_of(tenant_id)
            || (self.own()
                && orgs::allows(Action::AdministerBrandUsers {
                    me: self.in_owner_of(tenant_id),
                }))
    }
}

/// What a partner logged in as a client may not do. The client's credentials, consent,
/// account and money stay out of reach, and so does anything that would give someone
/// access lasting beyond the impersonation: inviting people, changing roles or space
/// access, resending invitations (a fresh link), handing over or deleting an organization,
/// signing the client out of their own devices, and the partner's own work (leads,
/// certification tests), which belongs to the partner's account, not the client's.
fn allowed_while_impersonating(action: Action) -> bool {
    !matches!(
        action,
        Action::ChangeOwnAccount
            | Action::ManageOwnNotifications
            | Action::ManageOwnPartnerLink
            | Action::Withdraw { .. }
            | Action::SpendPartnerBalance { .. }
            | Action::EditPayoutRequisites { .. }
            | Action::ViewPayoutRequisites { .. }
            | Action::PayOrder { .. }
            | Action::ApplyAsPartner { .. }
            | Action::ImpersonateClient { .. }
            | Action::InviteMember { .. }
            | Action::ManageInvitation { .. }
            | Action::ChangeMemberRole { .. }
            | Action::SetSpaceAccess { .. }
            | Action::TransferOwnership { .. }
            | Action::DeleteOrganization { .. }
            | Action::EndAllSessions
            | Action::WorkLeads { .. }
            | Action::TakeCertification { .. }
    )
}
