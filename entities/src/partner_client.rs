//! A client's current attachment to a partner (at most one at a time).

use sea_orm::entity::prelude::*;

/// The partner created the account.
pub const ORIGIN_CREATED: &str = "CREATED_BY_PARTNER";
/// The client came through the referral link.
pub const ORIGIN_REFERRAL: &str = "REFERRAL_LINK";
/// The client came through the service-manager link and consented.
pub const ORIGIN_SERVICE_MANAGER: &str = "SERVICE_MANAGER_LINK";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partner_clients")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub partner_id: i64,
    #[sea_orm(unique)]
    pub client_user_id: i64,
    pub origin: String,
    pub attached_by: Option<i64>,
    pub attached_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
