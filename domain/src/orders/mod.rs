//! Orders: pricing (the one function behind quotes and orders), preparing an order from
//! a request, orders and reading them. Paying them is `payments` and `flows`.

pub mod ops;
pub mod prepare;
pub mod price_list;
pub mod pricing;
pub mod request;
