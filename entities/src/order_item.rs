//! An item of an order, priced when the order was created.

use sea_orm::entity::prelude::*;

/// What an item buys. Stored as its name; a name that is not one fails the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum ItemKind {
    #[sea_orm(string_value = "NEW_LINES")]
    NewLines,
    #[sea_orm(string_value = "RENEWAL")]
    Renewal,
    #[sea_orm(string_value = "ADDITION")]
    Addition,
}

impl ItemKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::NewLines => "NEW_LINES",
            ItemKind::Renewal => "RENEWAL",
            ItemKind::Addition => "ADDITION",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub order_id: i64,
    pub position: i32,
    pub kind: ItemKind,
    /// The line renewed or added to.
    pub line_id: Option<i64>,
    pub quantity: i32,
    pub months: Option<i32>,
    /// Days the addition was prorated for.
    pub remaining_days: Option<i32>,
    /// JSON array of channel kind ids.
    pub channel_kind_ids: String,
    pub coin_package_id: Option<i64>,
    /// ChatCoins each new line gets (from the package, at creation).
    pub coins: i64,
    pub organization_id: Option<i64>,
    pub space_id: Option<i64>,
    pub base_minor: i64,
    pub total_minor: i64,
    /// JSON array of `{kind, percentBp, amountMinor}`.
    pub discounts: String,
    /// JSON of what applying the item did (created lines, a renewal's expiry before and
    /// after, added channels); a refund undoes it.
    pub applied: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
