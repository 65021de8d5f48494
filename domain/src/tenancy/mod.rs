//! Tenancy: tenants, their domains and settings, and bootstrapping the root tenant and
//! the first platform admin.

pub mod access;
pub mod domains;
pub mod hosts;
pub mod ladders;
pub mod mail_domain;
pub mod payout_rail;
pub mod service_tokens;
pub mod settings;
pub mod setup;
