//! An order: what a client buys (or its partner buys for it), priced when it was created.

use sea_orm::entity::prelude::*;

/// Where an order stands. Stored as its name; a name that is not one fails the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum OrderStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "PAID")]
    Paid,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
    #[sea_orm(string_value = "EXPIRED")]
    Expired,
    #[sea_orm(string_value = "REFUNDED")]
    Refunded,
}

impl OrderStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "PENDING",
            OrderStatus::Paid => "PAID",
            OrderStatus::Cancelled => "CANCELLED",
            OrderStatus::Expired => "EXPIRED",
            OrderStatus::Refunded => "REFUNDED",
        }
    }
}

/// Who pays: the client, or its partner (with the partner discount). Stored as its name; a name that is not one fails the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum Payer {
    #[sea_orm(string_value = "CLIENT")]
    Client,
    #[sea_orm(string_value = "PARTNER")]
    Partner,
}

impl Payer {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Payer::Client => "CLIENT",
            Payer::Partner => "PARTNER",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    /// Per-tenant number shown to people.
    pub order_number: i64,
    /// NULL once the account is deleted (the order stays for the books).
    pub client_user_id: Option<i64>,
    /// The client's partner when the order was created.
    pub partner_id: Option<i64>,
    pub payer: Payer,
    pub status: OrderStatus,
    pub currency: String,
    pub base_minor: i64,
    pub discount_minor: i64,
    pub total_minor: i64,
    /// What paying accrues to the partner (0 when the partner pays).
    pub partner_reward_minor: i64,
    /// The partner discount (partner pays) or reward rate (client pays), basis points.
    pub partner_rate_bp: i32,
    pub created_by: Option<i64>,
    pub created_while_impersonating: bool,
    /// Unpaid after this, the order expires.
    pub expires_at: DateTimeUtc,
    pub paid_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub refunded_at: Option<DateTimeUtc>,
    pub refunded_by: Option<i64>,
    pub refund_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
