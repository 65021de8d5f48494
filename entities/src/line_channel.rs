//! A channel of a line.

use sea_orm::entity::prelude::*;

/// Where a channel's connection stands, as the messaging side reports it. Stored as its
/// name; a name that is not one fails the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ChannelStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "CONNECTED")]
    Connected,
    #[sea_orm(string_value = "DISCONNECTED")]
    Disconnected,
}

impl ChannelStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelStatus::Pending => "PENDING",
            ChannelStatus::Connected => "CONNECTED",
            ChannelStatus::Disconnected => "DISCONNECTED",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "line_channels")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub line_id: i64,
    pub channel_kind_id: i64,
    pub status: ChannelStatus,
    /// Paid channels cannot be removed from the line.
    pub paid: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::by_position!(
    id,
    tenant_id,
    line_id,
    channel_kind_id,
    status,
    paid,
    created_at,
    updated_at
);
