//! A user's choice for one notification kind and channel; a kind and channel without a
//! row has its default.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_settings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub user_id: i64,
    /// A notification kind, such as `LINE_EXPIRING`.
    pub kind: String,
    /// `BELL`, `EMAIL` or `TELEGRAM`.
    pub channel: String,
    pub enabled: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
