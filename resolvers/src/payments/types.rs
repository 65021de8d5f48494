//! The inputs and payload of paying an order.

use async_graphql::{Enum, ID, InputObject, SimpleObject};

use crate::orders::{Order, Payment};

/// How `payOrder` pays.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PayMethod {
    /// Issue an invoice for a bank transfer.
    Invoice,
    /// Start a card checkout.
    Card,
    /// Pay from the partner's balance (orders the partner pays): bonuses first, then
    /// withdrawable rewards.
    BonusBalance,
}

/// Input of `payOrder`.
#[derive(InputObject)]
pub struct PayOrderInput {
    /// The order.
    pub order_id: ID,
    /// How.
    pub method: PayMethod,
    /// A retry with the same key answers the first payment.
    pub idempotency_key: Option<String>,
}

/// Input of `confirmInvoicePayment`.
#[derive(InputObject)]
pub struct ConfirmInvoicePaymentInput {
    /// The invoice's payment.
    pub payment_id: ID,
}

/// Result of `payOrder` and `confirmInvoicePayment`.
#[derive(SimpleObject)]
pub struct PaymentPayload {
    /// The payment.
    pub payment: Payment,
    /// Its order, as it now is.
    pub order: Order,
}
