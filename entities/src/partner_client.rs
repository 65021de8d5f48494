//! A client's current attachment to a partner (at most one at a time).

use sea_orm::entity::prelude::*;

/// How a client was attached to its partner. Stored as its name; a name that is not one fails the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ClientOrigin {
    #[sea_orm(string_value = "CREATED_BY_PARTNER")]
    Created,
    #[sea_orm(string_value = "REFERRAL_LINK")]
    Referral,
    #[sea_orm(string_value = "SERVICE_MANAGER_LINK")]
    ServiceManager,
}

impl ClientOrigin {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientOrigin::Created => "CREATED_BY_PARTNER",
            ClientOrigin::Referral => "REFERRAL_LINK",
            ClientOrigin::ServiceManager => "SERVICE_MANAGER_LINK",
        }
    }
}

/// `CREATED_BY_PARTNER`.
pub const ORIGIN_CREATED: ClientOrigin = ClientOrigin::Created;
/// `REFERRAL_LINK`.
pub const ORIGIN_REFERRAL: ClientOrigin = ClientOrigin::Referral;
/// `SERVICE_MANAGER_LINK`.
pub const ORIGIN_SERVICE_MANAGER: ClientOrigin = ClientOrigin::ServiceManager;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partner_clients")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub partner_id: i64,
    #[sea_orm(unique)]
    pub client_user_id: i64,
    pub origin: ClientOrigin,
    pub attached_by: Option<i64>,
    pub attached_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::by_position!(
    id,
    tenant_id,
    partner_id,
    client_user_id,
    origin,
    attached_by,
    attached_at
);
