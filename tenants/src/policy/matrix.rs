//! The roles x actions table of `docs/permissions.md`, rendered from the organization
//! rules, and the test that keeps the file current.

use super::{Action, OrgRole, SpaceRole, Standing};

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
            "administer the brand the organization owns (branding, domains, service tokens, price list, partner program)",
            Box::new(|me| Action::AdministerBrand { me }),
        ),
        (
            "read the accounts, lines and orders of the brand's people",
            Box::new(|me| Action::AdministerBrandUsers { me }),
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
        (
            "pay the partner's orders from its balance (`BONUS_BALANCE`)",
            Box::new(|me| Action::SpendPartnerBalance { me }),
        ),
        (
            "see the partner's balance, ledger and withdrawals",
            Box::new(|me| Action::ViewPartnerMoney { tenant_id: 1, me }),
        ),
        (
            "be told of the partner's line, client and lead events",
            Box::new(|me| Action::ReceivePartnerNotice { me, money: false }),
        ),
        (
            "work the partner's leads (free leads, take, release, status, comments)",
            Box::new(|me| Action::WorkLeads { me }),
        ),
        (
            "take a certification test",
            Box::new(|me| Action::TakeCertification { me }),
        ),
        (
            "be told of the partner's withdrawals and paid orders",
            Box::new(|me| Action::ReceivePartnerNotice { me, money: true }),
        ),
        (
            "see the partner's payout requisites",
            Box::new(|me| Action::ViewPayoutRequisites { tenant_id: 1, me }),
        ),
        (
            "save the partner's payout requisites",
            Box::new(|me| Action::EditPayoutRequisites { me }),
        ),
    ]
}

/// Whether a signed-in, non-staff viewer may do `action` (what the table shows).
pub fn allows_member(action: Action) -> bool {
    super::orgs::allows(action)
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
            out.push_str(if super::orgs::allows(action(me)) {
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
            assert_eq!(
                super::super::orgs::allows(a),
                me.org == Some(OrgRole::Owner),
                "{me:?}"
            );
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
