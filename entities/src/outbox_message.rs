//! A message waiting in the transactional outbox.

use sea_orm::entity::prelude::*;

/// `channel` of an email.
pub const CHANNEL_EMAIL: &str = "EMAIL";
/// `status` of a message not yet delivered.
pub const STATUS_PENDING: &str = "PENDING";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub channel: String,
    /// What the message is about, e.g. `PASSWORD_RESET`.
    pub kind: String,
    pub recipient: String,
    pub sender: String,
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub body_text: String,
    #[sea_orm(column_type = "Text")]
    pub body_html: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
