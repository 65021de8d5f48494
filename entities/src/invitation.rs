//! An invitation to join an organization, by email, with the roles to be granted.

use sea_orm::entity::prelude::*;

/// An invitation's state. Stored as its name; a name that is not one fails the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum InvitationStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    #[sea_orm(string_value = "DECLINED")]
    Declined,
    #[sea_orm(string_value = "REVOKED")]
    Revoked,
}

impl InvitationStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "PENDING",
            InvitationStatus::Accepted => "ACCEPTED",
            InvitationStatus::Declined => "DECLINED",
            InvitationStatus::Revoked => "REVOKED",
        }
    }
}

/// `PENDING`.
pub const STATUS_PENDING: InvitationStatus = InvitationStatus::Pending;
/// `ACCEPTED`.
pub const STATUS_ACCEPTED: InvitationStatus = InvitationStatus::Accepted;
/// `DECLINED`.
pub const STATUS_DECLINED: InvitationStatus = InvitationStatus::Declined;
/// `REVOKED`.
pub const STATUS_REVOKED: InvitationStatus = InvitationStatus::Revoked;

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
    pub status: InvitationStatus,
    pub invited_by: Option<i64>,
    pub accepted_by: Option<i64>,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub responded_at: Option<DateTimeUtc>,
    /// ISO 639-1: the language of the person invited (their invitation email, and their
    /// account when they sign up through the link); `None`: the brand's default.
    pub language: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
