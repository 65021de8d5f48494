//! GraphQL types of organizations, spaces, members and invitations.

use std::sync::Arc;

use async_graphql::{
    ComplexObject, Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject,
};
use chrono::{DateTime, Utc};
use domain::orgs::{InvitationView, SpaceView};
use entities::{invitation, organization_member, space};
use tenants::policy;

use super::loaders::loaders;
use crate::identity::loaders::loaders as identity_loaders;
use crate::ids::{self, Kind};
use crate::pagination::Page;
use crate::shared::{Organization, User};
use crate::tenancy::Language;
use crate::{ApiError, request, services};

/// A member's role in an organization.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum OrgRole {
    /// Everything, including settings, billing, the white-label module and deletion.
    Owner,
    /// Manages people and their access to spaces; not the organization's settings.
    UserAdmin,
    /// Works in the spaces they belong to.
    Member,
}

impl From<OrgRole> for policy::OrgRole {
    fn from(r: OrgRole) -> Self {
        match r {
            OrgRole::Owner => policy::OrgRole::Owner,
            OrgRole::UserAdmin => policy::OrgRole::UserAdmin,
            OrgRole::Member => policy::OrgRole::Member,
        }
    }
}

impl From<policy::OrgRole> for OrgRole {
    fn from(r: policy::OrgRole) -> Self {
        match r {
            policy::OrgRole::Owner => OrgRole::Owner,
            policy::OrgRole::UserAdmin => OrgRole::UserAdmin,
            policy::OrgRole::Member => OrgRole::Member,
        }
    }
}

/// A member's role in a space.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum SpaceRole {
    /// Space settings; invites agents into the space.
    Manager,
    /// Works in the space; no settings.
    Agent,
}

impl From<SpaceRole> for policy::SpaceRole {
    fn from(r: SpaceRole) -> Self {
        match r {
            SpaceRole::Manager => policy::SpaceRole::Manager,
            SpaceRole::Agent => policy::SpaceRole::Agent,
        }
    }
}

impl From<policy::SpaceRole> for SpaceRole {
    fn from(r: policy::SpaceRole) -> Self {
        match r {
            policy::SpaceRole::Manager => SpaceRole::Manager,
            policy::SpaceRole::Agent => SpaceRole::Agent,
        }
    }
}

pub use domain::orgs::{Access, OrgView};

/// The organization domain's fields of `Organization` (assembled in
/// `hub::OrganizationObject`).
pub struct OrganizationCore(pub Arc<OrgView>);

#[Object]
impl OrganizationCore {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Organization, self.0.model.id)
    }
    /// The organization's name.
    async fn name(&self) -> &str {
        &self.0.model.name
    }
    /// ISO 3166-1 alpha-2 country code.
    async fn country(&self) -> Option<&str> {
        self.0.model.country.as_deref()
    }
    /// IANA time zone.
    async fn timezone(&self) -> &str {
        &self.0.model.timezone
    }
    /// Working language.
    async fn language(&self) -> Language {
        Language::from_code(&self.0.model.language)
    }
    /// The brand this organization owns (a reseller's), if any: its owners administer it
    /// by its id (`updateTenant`, domains, price list, program settings).
    async fn brand(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<crate::tenancy::Tenant>> {
        let svc = services(ctx)?;
        let brand = domain::tenancy::setup::brand_of(&svc.db, self.0.model.id).await?;
        Ok(brand.map(crate::tenancy::Tenant::from))
    }
    /// The viewer's role here.
    async fn viewer_role(&self) -> Option<OrgRole> {
        self.0.access.org.map(OrgRole::from)
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model.created_at
    }
    /// Spaces the viewer can see (owners and user admins see all), oldest first.
    async fn spaces(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Include archived spaces.", default)] include_archived: bool,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many from the start (default 50, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (at most 100).")] last: Option<i32>,
    ) -> crate::GqlResult<Page<Space>> {
        let args = crate::pagination::PageArgs {
            after,
            before,
            first,
            last,
        };
        let page = domain::orgs::spaces::spaces(
            services(ctx)?,
            request(ctx)?,
            &self.0,
            include_archived,
            args,
        )
        .await?;
        Ok(crate::pagination::connection(page, Space::from))
    }
    /// Members with their roles and spaces (owners and user admins only), oldest first.
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many from the start (default 50, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (at most 100).")] last: Option<i32>,
    ) -> crate::GqlResult<Page<Member>> {
        let args = crate::pagination::PageArgs {
            after,
            before,
            first,
            last,
        };
        let page =
            domain::orgs::members::members(services(ctx)?, request(ctx)?, &self.0, args).await?;
        prime_member_loaders(ctx, self.0.model.id, &page).await?;
        Ok(crate::pagination::connection(page, Member))
    }
    /// Invitations still waiting for an answer (owners and user admins only).
    async fn pending_invitations(&self, ctx: &Context<'_>) -> crate::GqlResult<Vec<Invitation>> {
        let list =
            super::invitations::pending_of_org(services(ctx)?, request(ctx)?, &self.0).await?;
        Ok(list.into_iter().map(Invitation::from).collect())
    }
}

/// Loads the users, space roles and spaces of a page of members, one batch each, so the
/// statement count of a page does not depend on how the executor interleaves its fields.
async fn prime_member_loaders(
    ctx: &Context<'_>,
    org_id: i64,
    page: &crate::pagination::Paged<organization_member::Model>,
) -> crate::GqlResult<()> {
    let users = identity_loaders(ctx)?;
    let orgs = loaders(ctx)?;
    let user_ids: Vec<i64> = page.items().map(|m| m.user_id).collect();
    let keys: Vec<(i64, i64)> = page.items().map(|m| (org_id, m.user_id)).collect();
    let (loaded, access) = futures_util::future::join(
        users.users.load_many(user_ids),
        orgs.space_access.load_many(keys),
    )
    .await;
    loaded.map_err(ApiError::from)?;
    let space_ids: Vec<i64> = access
        .map_err(ApiError::from)?
        .values()
        .flatten()
        .map(|s| s.space_id)
        .collect();
    orgs.spaces
        .load_many(space_ids)
        .await
        .map_err(ApiError::from)?;
    Ok(())
}

/// A space (ChatApp's "project") inside an organization.
pub struct Space {
    pub model: space::Model,
    pub viewer_role: Option<policy::SpaceRole>,
}

impl From<SpaceView> for Space {
    fn from(v: SpaceView) -> Self {
        Self {
            model: v.model,
            viewer_role: v.viewer_role,
        }
    }
}

#[Object]
impl Space {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Space, self.model.id)
    }
    /// The space's organization.
    async fn organization_id(&self) -> ID {
        ids::encode(Kind::Organization, self.model.organization_id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.model.name
    }
    /// Description.
    async fn description(&self) -> Option<&str> {
        self.model.description.as_deref()
    }
    /// Whether it was archived.
    async fn is_archived(&self) -> bool {
        self.model.archived_at.is_some()
    }
    /// When it was archived.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.model.archived_at
    }
    /// The viewer's own role in the space (owners act as managers of every space).
    async fn viewer_role(&self) -> Option<SpaceRole> {
        self.viewer_role.map(SpaceRole::from)
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }
}

/// A member's role in one space.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct SpaceAccess {
    #[graphql(skip)]
    pub space_id: i64,
    /// The role.
    pub role: SpaceRole,
}

#[ComplexObject]
impl SpaceAccess {
    /// The space.
    async fn space(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<Space>> {
        let model = loaders(ctx)?
            .spaces
            .load_one(self.space_id)
            .await
            .map_err(ApiError::from)?;
        Ok(model.map(|model| Space {
            model,
            viewer_role: None,
        }))
    }
}

/// A member of an organization.
pub struct Member(pub organization_member::Model);

#[Object]
impl Member {
    /// The membership's global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::OrganizationMember, self.0.id)
    }
    /// The member's account.
    async fn user(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<User>> {
        let user = identity_loaders(ctx)?
            .users
            .load_one(self.0.user_id)
            .await
            .map_err(ApiError::from)?;
        Ok(user.map(User::new))
    }
    /// The member's organization role.
    async fn role(&self) -> OrgRole {
        self.0.role.into()
    }
    /// The member's roles in the organization's spaces.
    async fn spaces(&self, ctx: &Context<'_>) -> crate::GqlResult<Vec<SpaceAccess>> {
        let rows = loaders(ctx)?
            .space_access
            .load_one((self.0.organization_id, self.0.user_id))
            .await
            .map_err(ApiError::from)?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|r| SpaceAccess {
                space_id: r.space_id,
                role: r.role.into(),
            })
            .collect())
    }
    /// When the member joined.
    async fn joined_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Where an invitation stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum InvitationStatus {
    /// Waiting for an answer (see `expiresAt`).
    Pending,
    /// Accepted: the invitee is a member.
    Accepted,
    /// Declined by the invitee.
    Declined,
    /// Withdrawn by the organization.
    Revoked,
}

/// A space role an invitation grants.
#[derive(SimpleObject)]
pub struct InvitedSpaceRole {
    /// The space.
    pub space_id: ID,
    /// The role in it.
    pub role: SpaceRole,
}

/// An invitation to join an organization.
pub struct Invitation {
    pub model: invitation::Model,
    pub organization_name: String,
}

impl From<InvitationView> for Invitation {
    fn from(v: InvitationView) -> Self {
        Self {
            model: v.model,
            organization_name: v.organization_name,
        }
    }
}

#[Object]
impl Invitation {
    /// The global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Invitation, self.model.id)
    }
    /// The organization.
    async fn organization_id(&self) -> ID {
        ids::encode(Kind::Organization, self.model.organization_id)
    }
    /// The organization's name.
    async fn organization_name(&self) -> &str {
        &self.organization_name
    }
    /// Who is invited.
    async fn email(&self) -> &str {
        &self.model.email
    }
    /// The organization role to be granted.
    async fn role(&self) -> OrgRole {
        self.model.org_role.into()
    }
    /// The space roles to be granted.
    async fn space_roles(&self) -> Vec<InvitedSpaceRole> {
        super::invitations::parse_space_roles(&self.model.space_roles)
            .into_iter()
            .map(|(space, role)| InvitedSpaceRole {
                space_id: ids::encode(Kind::Space, space),
                role: role.into(),
            })
            .collect()
    }
    /// Where it stands.
    async fn status(&self) -> InvitationStatus {
        match self.model.status {
            invitation::STATUS_ACCEPTED => InvitationStatus::Accepted,
            invitation::STATUS_DECLINED => InvitationStatus::Declined,
            invitation::STATUS_REVOKED => InvitationStatus::Revoked,
            _ => InvitationStatus::Pending,
        }
    }
    /// When the link stops working.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.model.expires_at
    }
    /// Whether it has expired unanswered.
    async fn is_expired(&self) -> bool {
        self.model.status == invitation::STATUS_PENDING && self.model.expires_at <= Utc::now()
    }
    /// Who sent it.
    async fn invited_by(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<User>> {
        let Some(id) = self.model.invited_by else {
            return Ok(None);
        };
        Ok(identity_loaders(ctx)?
            .users
            .load_one(id)
            .await
            .map_err(ApiError::from)?
            .map(User::new))
    }
    /// When it was sent (or last resent).
    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }
}

/// Input of `createOrganization`.
#[derive(InputObject)]
pub struct CreateOrganizationInput {
    /// The organization's name.
    pub name: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
    /// IANA time zone; defaults to the tenant's.
    pub timezone: Option<String>,
    /// Working language; defaults to the tenant's.
    pub language: Option<Language>,
}

/// Input of `updateOrganization`. Omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateOrganizationInput {
    /// The organization.
    pub id: ID,
    /// New name.
    pub name: Option<String>,
    /// ISO 3166-1 alpha-2 country code; null clears it.
    pub country: MaybeUndefined<String>,
    /// IANA time zone.
    pub timezone: Option<String>,
    /// Working language.
    pub language: Option<Language>,
}

/// Result of `createOrganization` and `updateOrganization`.
#[derive(SimpleObject)]
pub struct OrganizationPayload {
    /// The organization as it now is.
    pub organization: Organization,
}

/// Input naming one organization.
#[derive(InputObject)]
pub struct OrganizationIdInput {
    /// The organization.
    pub organization_id: ID,
}

/// Result of `deleteOrganization`.
#[derive(SimpleObject)]
pub struct DeleteOrganizationPayload {
    /// The deleted organization's id.
    pub deleted_organization_id: ID,
}

/// Result of `leaveOrganization`.
#[derive(SimpleObject)]
pub struct LeaveOrganizationPayload {
    /// The organization left.
    pub organization_id: ID,
}

/// Input of `createSpace`.
#[derive(InputObject)]
pub struct CreateSpaceInput {
    /// The organization.
    pub organization_id: ID,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
}

/// Input of `updateSpace`. Omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateSpaceInput {
    /// The space.
    pub id: ID,
    /// New name.
    pub name: Option<String>,
    /// New description; null clears it.
    pub description: MaybeUndefined<String>,
}

/// Input of `archiveSpace`.
#[derive(InputObject)]
pub struct ArchiveSpaceInput {
    /// The space.
    pub id: ID,
}

/// Result of the space mutations.
#[derive(SimpleObject)]
pub struct SpacePayload {
    /// The space as it now is.
    pub space: Space,
}

/// Input of `changeMemberRole`.
#[derive(InputObject)]
pub struct ChangeMemberRoleInput {
    /// The organization.
    pub organization_id: ID,
    /// The member's user id.
    pub user_id: ID,
    /// The new role.
    pub role: OrgRole,
}

/// Input of `setSpaceAccess`.
#[derive(InputObject)]
pub struct SetSpaceAccessInput {
    /// The space.
    pub space_id: ID,
    /// The member's user id.
    pub user_id: ID,
    /// The role in the space; null removes their access.
    pub role: Option<SpaceRole>,
}

/// Result of the member mutations.
#[derive(SimpleObject)]
pub struct MemberPayload {
    /// The member as they now are.
    pub member: Member,
}

/// Input of `removeMember` and `transferOwnership`.
#[derive(InputObject)]
pub struct MemberInput {
    /// The organization.
    pub organization_id: ID,
    /// The member's user id.
    pub user_id: ID,
}

/// Result of `removeMember`.
#[derive(SimpleObject)]
pub struct RemoveMemberPayload {
    /// The removed user's id.
    pub removed_user_id: ID,
}

/// Result of `transferOwnership`.
#[derive(SimpleObject)]
pub struct TransferOwnershipPayload {
    /// The new owner.
    pub new_owner: Member,
    /// The previous owner, now a user admin.
    pub previous_owner: Member,
}

/// A space role to grant with an invitation.
#[derive(InputObject)]
pub struct SpaceRoleInput {
    /// The space.
    pub space_id: ID,
    /// The role in it.
    pub role: SpaceRole,
}

/// Input of `inviteMember`.
#[derive(InputObject)]
pub struct InviteMemberInput {
    /// The organization.
    pub organization_id: ID,
    /// Who to invite.
    pub email: String,
    /// Their organization role.
    #[graphql(default_with = "OrgRole::Member")]
    pub role: OrgRole,
    /// Their space roles.
    #[graphql(default)]
    pub space_roles: Vec<SpaceRoleInput>,
    /// Days until the link expires: 1 to 30.
    #[graphql(default = 7)]
    pub expires_in_days: i32,
    /// The language of the person invited: their invitation email, and their account if
    /// they sign up through the link. Without one, the brand's default.
    pub language: Option<crate::language::Language>,
}

/// Result of `inviteMember` and `resendInvitation`.
#[derive(SimpleObject)]
pub struct InvitationPayload {
    /// The invitation.
    pub invitation: Invitation,
}

/// Input naming an invitation by its link's token or by id (for the signed-in invitee).
#[derive(InputObject)]
pub struct RespondToInvitationInput {
    /// The token from the invitation link.
    pub token: Option<String>,
    /// The invitation's id, as listed in `viewer.pendingInvitations`.
    pub invitation_id: Option<ID>,
}

/// Result of `acceptInvitation`.
#[derive(SimpleObject)]
pub struct AcceptInvitationPayload {
    /// The organization joined.
    pub organization: Organization,
    /// The new membership.
    pub member: Member,
}

/// Input of `revokeInvitation`.
#[derive(InputObject)]
pub struct InvitationIdInput {
    /// The invitation.
    pub invitation_id: ID,
}

/// Input of `resendInvitation`.
#[derive(InputObject)]
pub struct ResendInvitationInput {
    /// The invitation.
    pub invitation_id: ID,
    /// Days until the new link expires: 1 to 30.
    #[graphql(default = 7)]
    pub expires_in_days: i32,
}

/// The organization fields of `User` (assembled in `hub::UserObject`).
pub struct UserOrgs(pub std::sync::Arc<entities::user::Model>);

#[Object]
impl UserOrgs {
    /// The organizations this user belongs to, each with their role (`viewerRole`).
    /// Readable for the viewer's own account only.
    async fn organizations(&self, ctx: &Context<'_>) -> crate::GqlResult<Vec<Organization>> {
        let req = crate::identity::own_request(ctx, &self.0)?;
        let list = crate::orgs::access::viewer_organizations(services(ctx)?, req).await?;
        Ok(list.into_iter().map(Organization::from).collect())
    }
    /// Invitations waiting for this user's answer, found by email: no link needed.
    /// Readable for the viewer's own account only.
    async fn pending_invitations(&self, ctx: &Context<'_>) -> crate::GqlResult<Vec<Invitation>> {
        let req = crate::identity::own_request(ctx, &self.0)?;
        let list = domain::orgs::invitee::pending_for_viewer(services(ctx)?, req).await?;
        Ok(list.into_iter().map(Invitation::from).collect())
    }
}
