//! THE authorization policy. Every decision about what a viewer may do is made here, by
//! [`authorize`]; resolvers load the facts (the viewer's roles), ask, and never decide.
//! Anything not explicitly allowed is denied.
//!
//! [`matrix`] renders the roles x actions table written to `docs/permissions.md`; a test
//! fails when that file differs, so every permission change is reviewed as a diff.

use crate::context::{RequestCtx, Viewer};

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
    /// Add or remove a tenant's host names.
    ManageTenantDomains { tenant_id: i64 },
    /// See a tenant's host names and their state.
    ViewTenantDomains { tenant_id: i64 },
    /// Change a tenant's branding and defaults.
    EditTenantBranding { tenant_id: i64 },
    /// Read a user's account.
    ViewUser { tenant_id: i64, user_id: i64 },
    /// Read the emails waiting in a tenant's outbox (all tenants' for staff).
    ViewOutbox { tenant_id: i64 },

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
    /// Withdraw partner rewards; `me` is the standing in the partner's organization.
    Withdraw { me: Standing },
    /// End every session of one's own account ("sign out everywhere").
    EndAllSessions,
    /// Act on what was sent to one's email address without a link: list pending
    /// invitations, accept one by id. `verified`: the viewer proved the address.
    TrustOwnEmail { verified: bool },
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
    let Viewer::User(user) = &ctx.viewer else {
        return Err(Denied::Unauthenticated);
    };
    if user.impersonator.is_some() && !allowed_while_impersonating(action) {
        return Err(Denied::Impersonating);
    }
    // An impersonation token never carries staff or tenant-admin powers.
    let own = user.impersonator.is_none();
    let staff = user.is_platform_admin && own;
    let admin_of = |tenant_id: i64| user.is_tenant_admin && user.tenant_id == tenant_id && own;
    let allowed = match action {
        Action::ListTenants | Action::CreateTenant | Action::ViewAllAuditLogs => staff,
        Action::ReviewPartners { tenant_id } => staff || admin_of(tenant_id),
        Action::ChangeOwnAccount | Action::ManageOwnPartnerLink | Action::EndAllSessions => true,
        Action::TrustOwnEmail { verified } => verified,
        Action::ManageTenant { .. } | Action::ManageTenantDomains { .. } => staff,
        Action::EditTenantBranding { tenant_id }
        | Action::ViewTenantDomains { tenant_id }
        | Action::ViewOutbox { tenant_id } => staff || admin_of(tenant_id),
        Action::ViewUser { tenant_id, user_id } => {
            staff || admin_of(tenant_id) || (user.tenant_id == tenant_id && user.user_id == user_id)
        }
        org => org_allows(org),
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

/// What a partner logged in as a client may not do. The client's credentials, consent,
/// account and money stay out of reach, and so does anything that would give someone
/// access lasting beyond the impersonation: inviting people, changing roles or space
/// access, resending invitations (a fresh link), handing over or deleting an organization,
/// and signing the client out of their own devices.
fn allowed_while_impersonating(action: Action) -> bool {
    !matches!(
        action,
        Action::ChangeOwnAccount
            | Action::ManageOwnPartnerLink
            | Action::Withdraw { .. }
            | Action::ApplyAsPartner { .. }
            | Action::ImpersonateClient { .. }
            | Action::InviteMember { .. }
            | Action::ManageInvitation { .. }
            | Action::ChangeMemberRole { .. }
            | Action::SetSpaceAccess { .. }
            | Action::TransferOwnership { .. }
            | Action::DeleteOrganization { .. }
            | Action::EndAllSessions
    )
}

/// The organization rules, for a signed-in viewer.
fn org_allows(action: Action) -> bool {
    use OrgRole::*;
    match action {
        Action::CreateOrganization => true,
        Action::ViewOrganization { me } => me.member(),
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
        Action::Withdraw { me } => me.is(Owner),
        _ => false,
    }
}

/// Who the columns of the permission table stand for.
const COLUMNS: [(&str, Standing); 6] = [
    (
        "Owner",
        Standing {
            org: Some(OrgRole::Owner),
            space: None,
        },
    ),
    (
        "User admin",
        Standing {
            org: Some(OrgRole::UserAdmin),
            space: None,
        },
    ),
    (
        "Member, space manager",
        Standing {
            org: Some(OrgRole::Member),
            space: Some(SpaceRole::Manager),
        },
    ),
    (
        "Member, space agent",
        Standing {
            org: Some(OrgRole::Member),
            space: Some(SpaceRole::Agent),
        },
    ),
    (
        "Member, no space role",
        Standing {
            org: Some(OrgRole::Member),
            space: None,
        },
    ),
    (
        "Not a member",
        Standing {
            org: None,
            space: None,
        },
    ),
];

/// The rows of the permission table: a description and the action for a given viewer.
#[allow(clippy::type_complexity)]
fn rows() -> Vec<(&'static str, Box<dyn Fn(Standing) -> Action>)> {
    use OrgRole::*;
    use SpaceRole::*;
    vec![
        (
            "create an organization",
            Box::new(|_| Action::CreateOrganization),
        ),
        (
            "see the organization",
            Box::new(|me| Action::ViewOrganization { me }),
        ),
        (
            "edit organization settings",
            Box::new(|me| Action::EditOrganization { me }),
        ),
        (
            "delete the organization",
            Box::new(|me| Action::DeleteOrganization { me }),
        ),
        (
            "see members and invitations",
            Box::new(|me| Action::ViewMembers { me }),
        ),
        (
            "invite an owner",
            Box::new(|me| Action::InviteMember {
                me,
                role: Owner,
                space: None,
            }),
        ),
        (
            "invite a user admin",
            Box::new(|me| Action::InviteMember {
                me,
                role: UserAdmin,
                space: None,
            }),
        ),
        (
            "invite a member as manager of the space",
            Box::new(|me| Action::InviteMember {
                me,
                role: Member,
                space: Some(Manager),
            }),
        ),
        (
            "invite a member as agent of the space",
            Box::new(|me| Action::InviteMember {
                me,
                role: Member,
                space: Some(Agent),
            }),
        ),
        (
            "revoke or resend an invitation someone else sent",
            Box::new(|me| Action::ManageInvitation { me, mine: false }),
        ),
        (
            "revoke or resend an invitation they sent",
            Box::new(|me| Action::ManageInvitation { me, mine: true }),
        ),
        (
            "make a member a user admin",
            Box::new(|me| Action::ChangeMemberRole {
                me,
                from: Member,
                to: UserAdmin,
                is_self: false,
            }),
        ),
        (
            "make a member an owner",
            Box::new(|me| Action::ChangeMemberRole {
                me,
                from: Member,
                to: Owner,
                is_self: false,
            }),
        ),
        (
            "demote an owner",
            Box::new(|me| Action::ChangeMemberRole {
                me,
                from: Owner,
                to: Member,
                is_self: false,
            }),
        ),
        (
            "demote a user admin",
            Box::new(|me| Action::ChangeMemberRole {
                me,
                from: UserAdmin,
                to: Member,
                is_self: false,
            }),
        ),
        (
            "make themselves an owner",
            Box::new(|me| Action::ChangeMemberRole {
                me,
                from: me.org.unwrap_or(Member),
                to: Owner,
                is_self: true,
            }),
        ),
        (
            "give a member agent access to the space",
            Box::new(|me| Action::SetSpaceAccess {
                me,
                target: Member,
                from: None,
                to: Some(Agent),
                is_self: false,
            }),
        ),
        (
            "give a member manager access to the space",
            Box::new(|me| Action::SetSpaceAccess {
                me,
                target: Member,
                from: None,
                to: Some(Manager),
                is_self: false,
            }),
        ),
        (
            "remove an agent from the space",
            Box::new(|me| Action::SetSpaceAccess {
                me,
                target: Member,
                from: Some(Agent),
                to: None,
                is_self: false,
            }),
        ),
        (
            "remove a manager from the space",
            Box::new(|me| Action::SetSpaceAccess {
                me,
                target: Member,
                from: Some(Manager),
                to: None,
                is_self: false,
            }),
        ),
        (
            "change a user admin's space access",
            Box::new(|me| Action::SetSpaceAccess {
                me,
                target: UserAdmin,
                from: None,
                to: Some(Agent),
                is_self: false,
            }),
        ),
        (
            "change an owner's space access",
            Box::new(|me| Action::SetSpaceAccess {
                me,
                target: Owner,
                from: None,
                to: Some(Agent),
                is_self: false,
            }),
        ),
        (
            "raise their own space role",
            Box::new(|me| Action::SetSpaceAccess {
                me,
                target: me.org.unwrap_or(Member),
                from: me.space,
                to: Some(Manager),
                is_self: true,
            }),
        ),
        (
            "remove a member",
            Box::new(|me| Action::RemoveMember { me, target: Member }),
        ),
        (
            "remove a user admin",
            Box::new(|me| Action::RemoveMember {
                me,
                target: UserAdmin,
            }),
        ),
        (
            "remove an owner",
            Box::new(|me| Action::RemoveMember { me, target: Owner }),
        ),
        (
            "leave the organization",
            Box::new(|me| Action::LeaveOrganization { me }),
        ),
        (
            "transfer ownership",
            Box::new(|me| Action::TransferOwnership { me }),
        ),
        ("create a space", Box::new(|me| Action::CreateSpace { me })),
        ("see the space", Box::new(|me| Action::ViewSpace { me })),
        ("edit the space", Box::new(|me| Action::EditSpace { me })),
        (
            "archive the space",
            Box::new(|me| Action::ArchiveSpace { me }),
        ),
        (
            "read the organization's audit log",
            Box::new(|me| Action::ViewOrgAuditLog { me }),
        ),
        (
            "apply to the partner program with the organization",
            Box::new(|me| Action::ApplyAsPartner { with: Some(me) }),
        ),
        (
            "act for the organization's partner: clients, codes, profile",
            Box::new(|me| Action::ActForPartner { me }),
        ),
        (
            "log in as a client who consented",
            Box::new(|me| Action::ImpersonateClient { me, consent: true }),
        ),
        (
            "log in as a client who did not consent",
            Box::new(|me| Action::ImpersonateClient { me, consent: false }),
        ),
        (
            "withdraw the partner's rewards",
            Box::new(|me| Action::Withdraw { me }),
        ),
    ]
}

/// Whether a signed-in, non-staff viewer may do `action` (what the table shows).
pub fn allows_member(action: Action) -> bool {
    org_allows(action)
}

/// The roles x actions table, as Markdown.
pub fn matrix() -> String {
    let mut out = String::new();
    out.push_str("| action | ");
    out.push_str(&COLUMNS.map(|(name, _)| name).join(" | "));
    out.push_str(" |\n|---|");
    out.push_str(&"---|".repeat(COLUMNS.len()));
    out.push('\n');
    for (name, action) in rows() {
        out.push_str(&format!("| {name} |"));
        for (_, me) in COLUMNS {
            out.push_str(if org_allows(action(me)) {
                " yes |"
            } else {
                " no |"
            });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered() {
        assert!(OrgRole::Owner > OrgRole::UserAdmin && OrgRole::UserAdmin > OrgRole::Member);
        assert!(SpaceRole::Manager > SpaceRole::Agent);
        for r in [OrgRole::Owner, OrgRole::UserAdmin, OrgRole::Member] {
            assert_eq!(OrgRole::parse(r.as_str()), Some(r));
        }
    }

    #[test]
    fn only_owners_may_name_themselves_owner() {
        for (_, me) in COLUMNS {
            let a = Action::ChangeMemberRole {
                me,
                from: me.org.unwrap_or(OrgRole::Member),
                to: OrgRole::Owner,
                is_self: true,
            };
            assert_eq!(org_allows(a), me.org == Some(OrgRole::Owner), "{me:?}");
        }
    }

    #[test]
    fn permissions_doc_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/permissions.md");
        let doc = std::fs::read_to_string(path).unwrap_or_default();
        let start = "<!-- matrix:start -->\n";
        let end = "<!-- matrix:end -->";
        let current = matrix();
        if std::env::var_os("UPDATE_PERMISSIONS").is_some() {
            let (head, rest) = doc
                .split_once(start)
                .expect("docs/permissions.md has the start marker");
            let (_, tail) = rest
                .split_once(end)
                .expect("docs/permissions.md has the end marker");
            std::fs::write(path, format!("{head}{start}{current}{end}{tail}")).unwrap();
            return;
        }
        let table = doc
            .split_once(start)
            .and_then(|(_, rest)| rest.split_once(end))
            .map(|(t, _)| t)
            .unwrap_or_default();
        assert!(
            table == current,
            "docs/permissions.md is out of date: run `UPDATE_PERMISSIONS=1 cargo test -p tenants`\n{current}"
        );
    }
}
