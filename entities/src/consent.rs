//! Service-manager consent: a client lets a partner into their account. The history is
//! kept: a revoked consent keeps its row with `revoked_at`, and the row outlives the
//! partner and the client (their ids become `NULL`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    /// `None` once the partner is deleted.
    pub partner_id: Option<i64>,
    /// `None` once the client's account is deleted.
    pub client_user_id: Option<i64>,
    pub granted_at: DateTimeUtc,
    pub granted_by: Option<i64>,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_by: Option<i64>,
    /// The partner's name when consent was granted.
    pub partner_name: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
