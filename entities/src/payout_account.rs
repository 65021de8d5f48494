//! The account a partner's rewards are paid out to, on the brand's payout rail: Russian
//! bank requisites, a SEPA account or a Pix key, stored whole as JSON tagged by its rail
//! (`domain::ledger::rails::PayoutAccount`). One per partner.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payout_accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub partner_id: i64,
    /// `RU_BANK`, `SEPA` or `PIX`.
    pub rail: String,
    /// Who is paid (the legal name, the account holder).
    pub holder_name: String,
    /// The account as JSON, tagged by `rail`.
    #[sea_orm(column_type = "Text")]
    pub details: String,
    pub updated_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
