//! Organizations, spaces, members, roles and invitations.

pub mod audit_log;
pub mod invitations;
pub mod loaders;
pub mod ops;
pub mod types;

use async_graphql::{Context, ID, Object};

use crate::hub::Organization;
use crate::ids::{self, Kind};
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
        Ok(ops::org_for_viewer(services(ctx)?, request(ctx)?, org_id).await?)
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
        let organization = ops::create_organization(services(ctx)?, request(ctx)?, input).await?;
        Ok(OrganizationPayload { organization })
    }

    /// Changes an organization's name, country, time zone or language (owners).
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        input: UpdateOrganizationInput,
    ) -> crate::GqlResult<OrganizationPayload> {
        let organization = ops::update_organization(services(ctx)?, request(ctx)?, input).await?;
        Ok(OrganizationPayload { organization })
    }

    /// Deletes an organization with its spaces, members and invitations (owners).
    async fn delete_organization(
        &self,
        ctx: &Context<'_>,
        input: OrganizationIdInput,
    ) -> crate::GqlResult<DeleteOrganizationPayload> {
        Ok(ops::delete_organization(services(ctx)?, request(ctx)?, input).await?)
    }

    /// Creates a space in an organization (owners).
    async fn create_space(
        &self,
        ctx: &Context<'_>,
        input: CreateSpaceInput,
    ) -> crate::GqlResult<SpacePayload> {
        let space = ops::create_space(services(ctx)?, request(ctx)?, input).await?;
        Ok(SpacePayload { space })
    }

    /// Renames or describes a space (owners and the space's managers).
    async fn update_space(
        &self,
        ctx: &Context<'_>,
        input: UpdateSpaceInput,
    ) -> crate::GqlResult<SpacePayload> {
        let space = ops::update_space(services(ctx)?, request(ctx)?, input).await?;
        Ok(SpacePayload { space })
    }

    /// Archives a space (owners).
    async fn archive_space(
        &self,
        ctx: &Context<'_>,
        input: ArchiveSpaceInput,
    ) -> crate::GqlResult<SpacePayload> {
        let space = ops::archive_space(services(ctx)?, request(ctx)?, input).await?;
        Ok(SpacePayload { space })
    }

    /// Changes a member's organization role. Nobody grants a role above their own or
    /// raises their own; the last owner stays an owner.
    async fn change_member_role(
        &self,
        ctx: &Context<'_>,
        input: ChangeMemberRoleInput,
    ) -> crate::GqlResult<MemberPayload> {
        let member = ops::change_member_role(services(ctx)?, request(ctx)?, input).await?;
        Ok(MemberPayload { member })
    }

    /// Sets a member's role in a space, or removes their access with `role: null`.
    async fn set_space_access(
        &self,
        ctx: &Context<'_>,
        input: SetSpaceAccessInput,
    ) -> crate::GqlResult<MemberPayload> {
        let member = ops::set_space_access(services(ctx)?, request(ctx)?, input).await?;
        Ok(MemberPayload { member })
    }

    /// Removes another member from an organization.
    async fn remove_member(
        &self,
        ctx: &Context<'_>,
        input: MemberInput,
    ) -> crate::GqlResult<RemoveMemberPayload> {
        let removed_user_id = ops::remove_member(services(ctx)?, request(ctx)?, input).await?;
        Ok(RemoveMemberPayload { removed_user_id })
    }

    /// The viewer leaves an organization (not its last owner).
    async fn leave_organization(
        &self,
        ctx: &Context<'_>,
        input: OrganizationIdInput,
    ) -> crate::GqlResult<LeaveOrganizationPayload> {
        let organization_id = ops::leave_organization(services(ctx)?, request(ctx)?, input).await?;
        Ok(LeaveOrganizationPayload { organization_id })
    }

    /// Makes another member an owner; the viewer becomes a user admin (owners).
    async fn transfer_ownership(
        &self,
        ctx: &Context<'_>,
        input: MemberInput,
    ) -> crate::GqlResult<TransferOwnershipPayload> {
        Ok(ops::transfer_ownership(services(ctx)?, request(ctx)?, input).await?)
    }

    /// Invites someone by email with an organization role and space roles. The email goes
    /// out with the tenant's branding and a link on its primary host.
    async fn invite_member(
        &self,
        ctx: &Context<'_>,
        input: InviteMemberInput,
    ) -> crate::GqlResult<InvitationPayload> {
        let invitation = invitations::invite_member(services(ctx)?, request(ctx)?, input).await?;
        Ok(InvitationPayload { invitation })
    }

    /// Accepts an invitation as the signed-in user it was sent to.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        input: RespondToInvitationInput,
    ) -> crate::GqlResult<AcceptInvitationPayload> {
        Ok(invitations::accept(services(ctx)?, request(ctx)?, input).await?)
    }

    /// Declines an invitation (with the link's token, or as the signed-in invitee).
    async fn decline_invitation(
        &self,
        ctx: &Context<'_>,
        input: RespondToInvitationInput,
    ) -> crate::GqlResult<InvitationPayload> {
        let invitation = invitations::decline(services(ctx)?, request(ctx)?, input).await?;
        Ok(InvitationPayload { invitation })
    }

    /// Withdraws a pending invitation; its link stops working.
    async fn revoke_invitation(
        &self,
        ctx: &Context<'_>,
        input: InvitationIdInput,
    ) -> crate::GqlResult<InvitationPayload> {
        let invitation = invitations::revoke(services(ctx)?, request(ctx)?, input).await?;
        Ok(InvitationPayload { invitation })
    }

    /// Sends a pending invitation again with a new link and expiry; the old link stops
    /// working.
    async fn resend_invitation(
        &self,
        ctx: &Context<'_>,
        input: ResendInvitationInput,
    ) -> crate::GqlResult<InvitationPayload> {
        let invitation = invitations::resend(services(ctx)?, request(ctx)?, input).await?;
        Ok(InvitationPayload { invitation })
    }
}
