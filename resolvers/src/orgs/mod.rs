//! Organizations, spaces, members, roles and invitations.

pub mod audit_log;
pub mod loaders;
pub mod types;

use domain::orgs::invitations::{InvitationRef, NewInvitation};
use domain::orgs::organizations::NewOrganization;
use domain::orgs::organizations::OrganizationChanges;
use domain::orgs::spaces::SpaceChanges;
pub use domain::orgs::{access, invitations, members, organizations, spaces};

use async_graphql::{Context, ID, Object};

use crate::ids::{self, Kind};
use crate::shared::Organization;
use crate::{request, services};
pub use audit_log::AuditQuery;
pub use types::*;

/// Organization queries.
#[derive(Default)]
pub struct OrgQuery;

#[Object]
impl OrgQuery {
    /// An organization the viewer belongs to.
    async fn organization(&self, ctx: &Context<'_>, id: ID) -> crate::GqlResult<Organization> {
        let org_id = ids::decode(&id, Kind::Organization, "id")?;
        Ok(
            domain::orgs::access::org_for_viewer(services(ctx)?, request(ctx)?, org_id)
                .await?
                .into(),
        )
    }
}

/// Organization mutations.
#[derive(Default)]
pub struct OrgMutation;

#[Object]
impl OrgMutation {
    /// Creates an organization; the viewer becomes its owner.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        input: CreateOrganizationInput,
    ) -> crate::GqlResult<OrganizationPayload> {
        let input = NewOrganization {
            name: input.name,
            country: input.country,
            timezone: input.timezone,
            language: input.language.map(|l| l.code().to_string()),
        };
        let view =
            domain::orgs::organizations::create_organization(services(ctx)?, request(ctx)?, input)
                .await?;
        Ok(OrganizationPayload {
            organization: view.into(),
        })
    }

    /// Changes an organization's name, country, time zone or language (owners).
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        input: UpdateOrganizationInput,
    ) -> crate::GqlResult<OrganizationPayload> {
        let changes = OrganizationChanges {
            id: ids::decode(&input.id, Kind::Organization, "id")?,
            name: input.name,
            country: crate::inputs::patch(input.country),
            timezone: input.timezone,
            language: input.language.map(|l| l.code().to_string()),
        };
        let view = domain::orgs::organizations::update_organization(
            services(ctx)?,
            request(ctx)?,
            changes,
        )
        .await?;
        Ok(OrganizationPayload {
            organization: view.into(),
        })
    }

    /// Deletes an organization with its spaces, members and invitations (owners).
    async fn delete_organization(
        &self,
        ctx: &Context<'_>,
        input: OrganizationIdInput,
    ) -> crate::GqlResult<DeleteOrganizationPayload> {
        let org_id = ids::decode(&input.organization_id, Kind::Organization, "organizationId")?;
        let id =
            domain::orgs::organizations::delete_organization(services(ctx)?, request(ctx)?, org_id)
                .await?;
        Ok(DeleteOrganizationPayload {
            deleted_organization_id: ids::encode(Kind::Organization, id),
        })
    }

    /// Creates a space in an organization (owners).
    async fn create_space(
        &self,
        ctx: &Context<'_>,
        input: CreateSpaceInput,
    ) -> crate::GqlResult<SpacePayload> {
        let org_id = ids::decode(&input.organization_id, Kind::Organization, "organizationId")?;
        let space = domain::orgs::spaces::create_space(
            services(ctx)?,
            request(ctx)?,
            org_id,
            &input.name,
            input.description.as_deref(),
        )
        .await?;
        Ok(SpacePayload {
            space: space.into(),
        })
    }

    /// Renames or describes a space (owners and the space's managers).
    async fn update_space(
        &self,
        ctx: &Context<'_>,
        input: UpdateSpaceInput,
    ) -> crate::GqlResult<SpacePayload> {
        let changes = SpaceChanges {
            id: ids::decode(&input.id, Kind::Space, "id")?,
            name: input.name,
            description: crate::inputs::patch(input.description),
        };
        let space =
            domain::orgs::spaces::update_space(services(ctx)?, request(ctx)?, changes).await?;
        Ok(SpacePayload {
            space: space.into(),
        })
    }

    /// Archives a space (owners).
    async fn archive_space(
        &self,
        ctx: &Context<'_>,
        input: ArchiveSpaceInput,
    ) -> crate::GqlResult<SpacePayload> {
        let space_id = ids::decode(&input.id, Kind::Space, "id")?;
        let space =
            domain::orgs::spaces::archive_space(services(ctx)?, request(ctx)?, space_id).await?;
        Ok(SpacePayload {
            space: space.into(),
        })
    }

    /// Changes a member's organization role. Nobody grants a role above their own or
    /// raises their own; the last owner stays an owner.
    async fn change_member_role(
        &self,
        ctx: &Context<'_>,
        input: ChangeMemberRoleInput,
    ) -> crate::GqlResult<MemberPayload> {
        let org_id = ids::decode(&input.organization_id, Kind::Organization, "organizationId")?;
        let user_id = ids::decode(&input.user_id, Kind::User, "userId")?;
        let member = domain::orgs::members::change_member_role(
            services(ctx)?,
            request(ctx)?,
            org_id,
            user_id,
            input.role.into(),
        )
        .await?;
        Ok(MemberPayload {
            member: Member(member),
        })
    }

    /// Sets a member's role in a space, or removes their access with `role: null`.
    async fn set_space_access(
        &self,
        ctx: &Context<'_>,
        input: SetSpaceAccessInput,
    ) -> crate::GqlResult<MemberPayload> {
        let space_id = ids::decode(&input.space_id, Kind::Space, "spaceId")?;
        let user_id = ids::decode(&input.user_id, Kind::User, "userId")?;
        let member = domain::orgs::members::set_space_access(
            services(ctx)?,
            request(ctx)?,
            space_id,
            user_id,
            input.role.map(Into::into),
        )
        .await?;
        Ok(MemberPayload {
            member: Member(member),
        })
    }

    /// Removes another member from an organization.
    async fn remove_member(
        &self,
        ctx: &Context<'_>,
        input: MemberInput,
    ) -> crate::GqlResult<RemoveMemberPayload> {
        let org_id = ids::decode(&input.organization_id, Kind::Organization, "organizationId")?;
        let user_id = ids::decode(&input.user_id, Kind::User, "userId")?;
        let removed =
            domain::orgs::members::remove_member(services(ctx)?, request(ctx)?, org_id, user_id)
                .await?;
        Ok(RemoveMemberPayload {
            removed_user_id: ids::encode(Kind::User, removed),
        })
    }

    /// The viewer leaves an organization (not its last owner).
    async fn leave_organization(
        &self,
        ctx: &Context<'_>,
        input: OrganizationIdInput,
    ) -> crate::GqlResult<LeaveOrganizationPayload> {
        let org_id = ids::decode(&input.organization_id, Kind::Organization, "organizationId")?;
        let left = domain::orgs::members::leave_organization(services(ctx)?, request(ctx)?, org_id)
            .await?;
        Ok(LeaveOrganizationPayload {
            organization_id: ids::encode(Kind::Organization, left),
        })
    }

    /// Makes another member an owner; the viewer becomes a user admin (owners).
    async fn transfer_ownership(
        &self,
        ctx: &Context<'_>,
        input: MemberInput,
    ) -> crate::GqlResult<TransferOwnershipPayload> {
        let org_id = ids::decode(&input.organization_id, Kind::Organization, "organizationId")?;
        let user_id = ids::decode(&input.user_id, Kind::User, "userId")?;
        let (new_owner, previous_owner) = domain::orgs::members::transfer_ownership(
            services(ctx)?,
            request(ctx)?,
            org_id,
            user_id,
        )
        .await?;
        Ok(TransferOwnershipPayload {
            new_owner: Member(new_owner),
            previous_owner: Member(previous_owner),
        })
    }

    /// Invites someone by email with an organization role and space roles. The email goes
    /// out with the tenant's branding and a link on its primary host.
    async fn invite_member(
        &self,
        ctx: &Context<'_>,
        input: InviteMemberInput,
    ) -> crate::GqlResult<InvitationPayload> {
        let mut space_roles = Vec::with_capacity(input.space_roles.len());
        for s in &input.space_roles {
            space_roles.push((
                ids::decode(&s.space_id, Kind::Space, "spaceRoles")?,
                s.role.into(),
            ));
        }
        let new = NewInvitation {
            organization_id: ids::decode(
                &input.organization_id,
                Kind::Organization,
                "organizationId",
            )?,
            email: input.email,
            role: input.role.into(),
            space_roles,
            expires_in_days: input.expires_in_days,
            language: input.language.map(|l| l.code().to_string()),
        };
        let invitation = invitations::invite_member(services(ctx)?, request(ctx)?, new).await?;
        Ok(InvitationPayload {
            invitation: invitation.into(),
        })
    }

    /// Accepts an invitation as the signed-in user it was sent to.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        input: RespondToInvitationInput,
    ) -> crate::GqlResult<AcceptInvitationPayload> {
        let which = input.into_ref()?;
        let (org, member) =
            domain::orgs::invitee::accept(services(ctx)?, request(ctx)?, which).await?;
        Ok(AcceptInvitationPayload {
            organization: org.into(),
            member: Member(member),
        })
    }

    /// Declines an invitation (with the link's token, or as the signed-in invitee).
    async fn decline_invitation(
        &self,
        ctx: &Context<'_>,
        input: RespondToInvitationInput,
    ) -> crate::GqlResult<InvitationPayload> {
        let which = input.into_ref()?;
        let invitation =
            domain::orgs::invitee::decline(services(ctx)?, request(ctx)?, which).await?;
        Ok(InvitationPayload {
            invitation: invitation.into(),
        })
    }

    /// Withdraws a pending invitation; its link stops working.
    async fn revoke_invitation(
        &self,
        ctx: &Context<'_>,
        input: InvitationIdInput,
    ) -> crate::GqlResult<InvitationPayload> {
        let id = ids::decode(&input.invitation_id, Kind::Invitation, "invitationId")?;
        let invitation = invitations::revoke(services(ctx)?, request(ctx)?, id).await?;
        Ok(InvitationPayload {
            invitation: invitation.into(),
        })
    }

    /// Sends a pending invitation again with a new link and expiry; the old link stops
    /// working.
    async fn resend_invitation(
        &self,
        ctx: &Context<'_>,
        input: ResendInvitationInput,
    ) -> crate::GqlResult<InvitationPayload> {
        let id = ids::decode(&input.invitation_id, Kind::Invitation, "invitationId")?;
        let invitation =
            invitations::resend(services(ctx)?, request(ctx)?, id, input.expires_in_days).await?;
        Ok(InvitationPayload {
            invitation: invitation.into(),
        })
    }
}

impl RespondToInvitationInput {
    /// The token or the decoded id; exactly one must be given.
    fn into_ref(self) -> crate::ApiResult<InvitationRef> {
        match (self.token, self.invitation_id) {
            (Some(token), None) => Ok(InvitationRef::Token(token)),
            (None, Some(id)) => Ok(InvitationRef::Id(ids::decode(
                &id,
                Kind::Invitation,
                "invitationId",
            )?)),
            _ => Err(crate::ApiError::bad_input(
                "token",
                "give either the token or the invitationId",
            )),
        }
    }
}
