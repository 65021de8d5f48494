//! Orders: pricing (the one function behind quotes and orders); orders and payments
//! follow.

pub mod pricing;
