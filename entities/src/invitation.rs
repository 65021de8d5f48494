//! An invitation to join an organization, by email, with the roles to be granted.

use sea_orm::entity::prelude::*;

/// Waiting for an answer.
pub const STATUS_PENDING: &str = "PENDING";
/// Accepted: the invitee is a member.
pub const STATUS_ACCEPTED: &str = "ACCEPTED";
/// Declined by the invitee.
pub const STATUS_DECLINED: &str = "DECLINED";
/// Withdrawn by the organization.
pub const STATUS_REVOKED: &str = "REVOKED";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invitations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub organization_id: i64,
    /// Lower-cased.
    pub email: String,
    pub org_role: crate::OrgRole,
    /// JSON list of `{"spaceId": i64, "role": "MANAGER" | "AGENT"}`.
    #[sea_orm(column_type = "Text")]
    pub space_roles: String,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub status: String,
    pub invited_by: Option<i64>,
    pub accepted_by: Option<i64>,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub responded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
