//! Lines and the price list they are bought from.

pub mod catalogue;
pub mod ops;
