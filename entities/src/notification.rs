//! An in-app (bell) notification for one user.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub user_id: i64,
    pub kind: String,
    /// JSON object.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
    /// The domain event it tells of (one item per event and user).
    pub event_id: Option<i64>,
    /// One line, in the tenant's words.
    #[sea_orm(column_type = "Text")]
    pub title: String,
    /// The details: the client's account number and email, the line, organization and
    /// space where they apply.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// Where to look, on the tenant's primary host.
    #[sea_orm(column_type = "Text", nullable)]
    pub link: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
