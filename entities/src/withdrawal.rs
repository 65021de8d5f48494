//! A partner's withdrawal of rewards to its organization's bank account.

use sea_orm::entity::prelude::*;

/// Where a withdrawal stands. Stored as its name; a name that is not one fails the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum WithdrawalStatus {
    #[sea_orm(string_value = "REQUESTED")]
    Requested,
    #[sea_orm(string_value = "DOCUMENTS_SENT")]
    DocumentsSent,
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    #[sea_orm(string_value = "PAID")]
    Paid,
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
}

impl WithdrawalStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            WithdrawalStatus::Requested => "REQUESTED",
            WithdrawalStatus::DocumentsSent => "DOCUMENTS_SENT",
            WithdrawalStatus::Approved => "APPROVED",
            WithdrawalStatus::Paid => "PAID",
            WithdrawalStatus::Rejected => "REJECTED",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "withdrawals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub partner_id: i64,
    /// Per-tenant number shown to people.
    pub withdrawal_number: i64,
    pub amount_minor: i64,
    pub currency: String,
    pub status: WithdrawalStatus,
    /// JSON snapshot of the requisites it is paid to.
    #[sea_orm(column_type = "Text")]
    pub requisites: String,
    pub requested_by: Option<i64>,
    /// The staff member who last moved it.
    pub reviewed_by: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub rejection_reason: Option<String>,
    pub documents_sent_at: Option<DateTimeUtc>,
    pub approved_at: Option<DateTimeUtc>,
    pub paid_at: Option<DateTimeUtc>,
    pub rejected_at: Option<DateTimeUtc>,
    /// When staff marked the act signed (`RU_BANK` paperwork).
    pub act_signed_at: Option<DateTimeUtc>,
    /// The deadline of the step it is at (`domain::ledger::calendar`); `None` when closed
    /// or on a rail without paperwork.
    pub due_at: Option<DateTimeUtc>,
    /// The documents deadline the partner was reminded of (once per deadline).
    pub reminded_for: Option<DateTimeUtc>,
    /// The deadline staff were told was missed (once per deadline).
    pub overdue_notified_for: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
