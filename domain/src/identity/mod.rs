//! Identity: accounts (the one place a `users` row is built), sessions, the viewer.

pub mod accounts;
pub mod ops;
