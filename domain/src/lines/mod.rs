//! Lines and the price list they are bought from.

pub mod catalogue;
pub mod client_lines;
pub mod ops;
pub mod provision;
