//! A line: a subscription of messaging channels, owned by a client account and an
//! organization, optionally in a space.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lines")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    /// Per-tenant number shown to people.
    pub line_number: i64,
    pub name: String,
    pub client_user_id: i64,
    pub organization_id: i64,
    pub space_id: Option<i64>,
    pub starts_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub coin_balance: i64,
    /// WABA balance in minor units of the tenant's currency.
    pub waba_balance_minor: i64,
    /// A free not-for-resale line of a partner.
    pub nfr: bool,
    /// Ended before its time (refunded), or an NFR line that was not renewed.
    pub ended_at: Option<DateTimeUtc>,
    /// The expiry its 7-day notice was sent for (a renewal moves the expiry, re-arming it).
    pub expiring_notice_for: Option<DateTimeUtc>,
    /// The expiry its "expired" notice was sent for.
    pub expired_notice_for: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::by_position!(
    id,
    tenant_id,
    line_number,
    name,
    client_user_id,
    organization_id,
    space_id,
    starts_at,
    expires_at,
    coin_balance,
    waba_balance_minor,
    nfr,
    ended_at,
    expiring_notice_for,
    expired_notice_for,
    created_at,
    updated_at
);
