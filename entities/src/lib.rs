//! sea-orm entities, one module per table. Nothing here knows about HTTP or GraphQL: these
//! are storage rows, and GraphQL objects are separate types built from them.

pub mod audit_log;
pub mod channel_kind;
pub mod coin_package;
pub mod consent;
pub mod domain_event;
pub mod idempotency_key;
pub mod impersonation;
pub mod invitation;
pub mod line;
pub mod line_channel;
pub mod line_comment;
pub mod money;
pub mod notification;
pub mod notification_setting;
pub mod one_time_token;
pub mod order;
pub mod order_item;
pub mod organization;
pub mod organization_member;
pub mod outbox_message;
pub mod partner;
pub mod partner_client;
pub mod partner_join_request;
pub mod partner_ledger_entry;
pub mod payment;
pub mod payment_provider_event;
pub mod payout_requisites;
pub mod refresh_token;
pub mod roles;
pub mod scheduled_job;
pub mod service_token;
pub mod session;
pub mod space;
pub mod space_member;
pub mod telegram_bot;
pub mod telegram_connection;
pub mod telegram_link_token;
pub mod tenant;
pub mod tenant_domain;
pub mod time;
pub mod user;
pub mod withdrawal;

pub use roles::{OrgRole, SpaceRole};
pub use sea_orm;
