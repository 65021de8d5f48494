//! A join-partner prompt shown to an existing user who opened a referral link.

use sea_orm::entity::prelude::*;

/// A join-partner prompt's state. Stored as its name; a name that is not one fails the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum JoinRequestStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    #[sea_orm(string_value = "DECLINED")]
    Declined,
}

impl JoinRequestStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JoinRequestStatus::Pending => "PENDING",
            JoinRequestStatus::Accepted => "ACCEPTED",
            JoinRequestStatus::Declined => "DECLINED",
        }
    }
}

/// `PENDING`.
pub const STATUS_PENDING: JoinRequestStatus = JoinRequestStatus::Pending;
/// `ACCEPTED`.
pub const STATUS_ACCEPTED: JoinRequestStatus = JoinRequestStatus::Accepted;
/// `DECLINED`.
pub const STATUS_DECLINED: JoinRequestStatus = JoinRequestStatus::Declined;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partner_join_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub partner_id: i64,
    pub client_user_id: i64,
    pub status: JoinRequestStatus,
    pub created_at: DateTimeUtc,
    pub responded_at: Option<DateTimeUtc>,
    /// The referral code the prompt was opened with (`None` for old prompts).
    pub code: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
