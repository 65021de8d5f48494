//! One user's attempt at a certification test, with the questions as they were when it
//! started (so editing the test never changes an attempt under way).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certification_attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub test_id: i64,
    pub user_id: i64,
    /// The test's questions JSON at the start, answers included (server side only).
    #[sea_orm(column_type = "Text")]
    pub questions: String,
    pub started_at: DateTimeUtc,
    pub submitted_at: Option<DateTimeUtc>,
    /// Questions answered exactly right, once submitted.
    pub correct: Option<i32>,
    pub total: i32,
    /// The certificate it earned, if it passed.
    pub certificate_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
