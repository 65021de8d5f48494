//! The bank account of a partner's organization that rewards are paid out to.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payout_requisites")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub partner_id: i64,
    pub legal_name: String,
    /// 10 digits (an organization) or 12 (an individual entrepreneur).
    pub inn: String,
    /// With a 10-digit INN.
    pub kpp: Option<String>,
    pub bank_name: Option<String>,
    pub bic: String,
    pub settlement_account: String,
    pub correspondent_account: String,
    pub updated_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
