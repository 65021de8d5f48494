//! A join-partner prompt shown to an existing user who opened a referral link.

use sea_orm::entity::prelude::*;

/// Waiting for the client's answer.
pub const STATUS_PENDING: &str = "PENDING";
/// The client said yes.
pub const STATUS_ACCEPTED: &str = "ACCEPTED";
/// The client said no.
pub const STATUS_DECLINED: &str = "DECLINED";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partner_join_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub partner_id: i64,
    pub client_user_id: i64,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub responded_at: Option<DateTimeUtc>,
    /// The referral code the prompt was opened with (`None` for old prompts).
    pub code: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
