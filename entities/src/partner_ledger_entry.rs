//! An entry of a partner's append-only ledger; balances are sums of entries.

use sea_orm::entity::prelude::*;

/// What an entry records. Stored as its name; a name that is not one fails the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum LedgerKind {
    #[sea_orm(string_value = "REWARD")]
    Reward,
    #[sea_orm(string_value = "REVIEW_BONUS")]
    ReviewBonus,
    #[sea_orm(string_value = "SPEND")]
    Spend,
    #[sea_orm(string_value = "WITHDRAWAL_HOLD")]
    WithdrawalHold,
    #[sea_orm(string_value = "WITHDRAWAL_RELEASE")]
    WithdrawalRelease,
    #[sea_orm(string_value = "WITHDRAWAL_PAID")]
    WithdrawalPaid,
    #[sea_orm(string_value = "REVERSAL")]
    Reversal,
}

impl LedgerKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::Reward => "REWARD",
            LedgerKind::ReviewBonus => "REVIEW_BONUS",
            LedgerKind::Spend => "SPEND",
            LedgerKind::WithdrawalHold => "WITHDRAWAL_HOLD",
            LedgerKind::WithdrawalRelease => "WITHDRAWAL_RELEASE",
            LedgerKind::WithdrawalPaid => "WITHDRAWAL_PAID",
            LedgerKind::Reversal => "REVERSAL",
        }
    }
}

/// Rewards: withdrawable once their hold ends, or spent on lines.
pub const POT_REWARDS: &str = "REWARDS";
/// Review bonuses: spent on lines only, never withdrawn.
pub const POT_BONUSES: &str = "BONUSES";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partner_ledger_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub partner_id: i64,
    pub kind: LedgerKind,
    /// Signed, minor units.
    pub amount_minor: i64,
    pub currency: String,
    /// The pot it moves: [`POT_REWARDS`] or [`POT_BONUSES`].
    pub pot: String,
    /// The order that caused it.
    pub order_id: Option<i64>,
    /// The withdrawal it holds, releases or pays.
    pub withdrawal_id: Option<i64>,
    pub reason: Option<String>,
    pub created_by: Option<i64>,
    /// When a reward may be withdrawn.
    pub available_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
