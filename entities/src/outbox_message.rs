//! A message waiting in the transactional outbox.

use sea_orm::entity::prelude::*;

/// `channel` of an email.
pub const CHANNEL_EMAIL: &str = "EMAIL";
/// `channel` of a Telegram message (`recipient` is the chat id).
pub const CHANNEL_TELEGRAM: &str = "TELEGRAM";
/// `status` of a message not yet delivered.
pub const STATUS_PENDING: &str = "PENDING";
/// `status` of a message a worker has claimed and is sending (until `next_attempt_at`,
/// when another worker may take it over).
pub const STATUS_SENDING: &str = "SENDING";
/// `status` of a delivered message.
pub const STATUS_SENT: &str = "SENT";
/// `status` of a message whose last attempt failed; kept for staff to see and retry.
pub const STATUS_FAILED: &str = "FAILED";

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
    /// The user it is for, when it is a notification.
    pub user_id: Option<i64>,
    /// The domain event it tells of.
    pub event_id: Option<i64>,
    /// `<event>:<user>:<channel>`: one message per event, recipient and channel.
    pub dedupe_key: Option<String>,
    /// What the last failed attempt answered.
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    /// When it was given up on (`FAILED`).
    pub failed_at: Option<DateTimeUtc>,
    /// Where answers go (`Name <address>`): the brand's own address while its mail is sent
    /// from the platform's, its sender domain being unproven.
    pub reply_to: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
