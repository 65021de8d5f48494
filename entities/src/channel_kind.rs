//! A kind of messaging channel in a tenant's price list (WhatsApp, Telegram, WABA, ...).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "channel_kinds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    /// Stable code (`WHATSAPP`), unique per tenant.
    pub code: String,
    pub name: String,
    /// Personal channels (WhatsApp, Telegram, MAX) count toward the volume discount.
    pub personal: bool,
    /// Monthly price in minor units of the tenant's currency.
    pub monthly_price_minor: i64,
    /// Inactive kinds are not sold; lines that have them keep them.
    pub active: bool,
    /// Display order.
    pub position: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::by_position!(
    id,
    tenant_id,
    code,
    name,
    personal,
    monthly_price_minor,
    active,
    position,
    created_at,
    updated_at
);
