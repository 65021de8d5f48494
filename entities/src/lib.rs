//! sea-orm entities, one module per table. Nothing here knows about HTTP or GraphQL: these
//! are storage rows, and GraphQL objects are separate types built from them.

pub mod money;
pub mod one_time_token;
pub mod outbox_message;
pub mod refresh_token;
pub mod session;
pub mod tenant;
pub mod tenant_domain;
pub mod time;
pub mod user;

pub use sea_orm;
