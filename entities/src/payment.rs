//! A payment of an order: an invoice paid by bank transfer, or a card checkout.

use sea_orm::entity::prelude::*;

/// How an order is paid. Stored as its name; a name that is not one fails the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum PaymentMethod {
    #[sea_orm(string_value = "INVOICE")]
    Invoice,
    #[sea_orm(string_value = "CARD")]
    Card,
    #[sea_orm(string_value = "BONUS_BALANCE")]
    BonusBalance,
}

impl PaymentMethod {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Invoice => "INVOICE",
            PaymentMethod::Card => "CARD",
            PaymentMethod::BonusBalance => "BONUS_BALANCE",
        }
    }
}

/// Where a payment stands. Stored as its name; a name that is not one fails the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum PaymentStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "SUCCEEDED")]
    Succeeded,
    #[sea_orm(string_value = "FAILED")]
    Failed,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

impl PaymentStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "PENDING",
            PaymentStatus::Succeeded => "SUCCEEDED",
            PaymentStatus::Failed => "FAILED",
            PaymentStatus::Cancelled => "CANCELLED",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub order_id: i64,
    pub method: PaymentMethod,
    pub status: PaymentStatus,
    pub amount_minor: i64,
    pub currency: String,
    /// The card provider (`stripe`, `yookassa`).
    pub provider: Option<String>,
    /// The provider's id of the checkout.
    pub provider_ref: Option<String>,
    pub checkout_url: Option<String>,
    /// Per-tenant invoice number.
    pub invoice_number: Option<i64>,
    /// JSON of the payer's requisites on the invoice.
    pub payer_requisites: Option<String>,
    pub created_by: Option<i64>,
    pub confirmed_by: Option<i64>,
    pub failure_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub completed_at: Option<DateTimeUtc>,
    /// The refund was decided (the order's refund committed); for cards the provider is
    /// asked after that.
    pub refund_requested_at: Option<DateTimeUtc>,
    /// The provider (or staff, for a transfer) returned the money.
    pub refunded_at: Option<DateTimeUtc>,
    /// The provider's id of the refund.
    pub refund_ref: Option<String>,
    /// When a cancelled or expired card checkout was closed at the provider (it can no
    /// longer be paid).
    pub checkout_closed_at: Option<DateTimeUtc>,
    /// The brand's own account that took the card payment (`payment_accounts`); `None`:
    /// the platform's.
    pub payment_account_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
