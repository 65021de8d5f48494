//! A certificate earned by passing a certification test, checked by anyone with its public
//! verification code.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub test_id: i64,
    pub user_id: i64,
    /// The public verification code.
    pub code: String,
    /// The holder's name when it was issued.
    pub holder_name: String,
    /// The test's title when it was issued.
    pub test_title: String,
    pub score_percent: i32,
    /// The partner whose public profile shows it.
    pub partner_id: Option<i64>,
    pub issued_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
