//! Orders: pricing (the one function behind quotes and orders), preparing an order from
//! a request, orders and their payments, and the card providers.

pub mod checkouts;
pub mod ops;
pub mod payments;
pub mod prepare;
pub mod pricing;
pub mod provider;
pub mod stripe;
