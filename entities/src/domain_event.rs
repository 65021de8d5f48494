//! A domain event, written in the transaction of the change that caused it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "domain_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    /// Such as `order.paid`, `line.renewed`, `channel.status_changed`.
    pub kind: String,
    /// JSON.
    pub payload: String,
    pub created_at: DateTimeUtc,
    /// Set by the notifications worker.
    pub processed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
