//! Steps that cross domains and must be atomic own their transaction here, one file per
//! flow: creating and deleting accounts (`accounts`), cancelling an order with its open
//! payments (`cancel_order`), applying a payment to its order (`pay_order`: an invoice
//! confirmed, a card notification), paying from the partner's balance
//! (`pay_from_balance`), and refunding an order (`refund_order`).

pub mod accounts;
pub mod cancel_order;
pub mod pay_from_balance;
pub mod pay_order;
pub mod refund_order;

pub use accounts::*;
