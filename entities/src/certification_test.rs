//! A certification test on one of the platform's topics: its questions, their options and
//! which options are correct (never shown to partners).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certification_tests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub title: String,
    pub topic: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// JSON: `[{id, text, options: [{id, text}], correct: [option ids]}]`.
    #[sea_orm(column_type = "Text")]
    pub questions: String,
    /// Partners see and take only active tests.
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
