//! One notification message into the outbox, for any channel (email from the fan-out,
//! Telegram from its own composer): unique per event, recipient and channel, so a fan-out
//! run twice writes nothing twice.

use chrono::{DateTime, Utc};
use entities::{domain_event, outbox_message};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, TryInsertResult};

use super::kinds::{Channel, NotificationKind};
use crate::kernel::error::ApiResult;

/// What a notification message says and to whom.
pub(crate) struct Message {
    /// The brand it goes out through (its outbox, bot and mail): the recipient's own,
    /// which is not the event's when a reseller's owners hear of their brand.
    pub tenant_id: i64,
    pub recipient: String,
    pub sender: String,
    /// The brand's address while its mail goes from the platform's.
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Writes one notification message to the outbox, unique per event, user and channel
/// (`<event>:<user>:<channel>`); whether it was new.
pub(crate) async fn write_message(
    db: &impl ConnectionTrait,
    ev: &domain_event::Model,
    kind: NotificationKind,
    user_id: i64,
    channel: Channel,
    m: Message,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    let written = outbox_message::Entity::insert(outbox_message::ActiveModel {
        tenant_id: Set(m.tenant_id),
        channel: Set(channel.as_str().into()),
        kind: Set(kind.as_str().into()),
        recipient: Set(m.recipient),
        sender: Set(m.sender),
        reply_to: Set(m.reply_to),
        subject: Set(m.subject),
        body_text: Set(m.text),
        body_html: Set(m.html),
        status: Set(outbox_message::STATUS_PENDING.into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        created_at: Set(now),
        sent_at: Set(None),
        user_id: Set(Some(user_id)),
        event_id: Set(Some(ev.id)),
        dedupe_key: Set(Some(format!("{}:{user_id}:{}", ev.id, channel.as_str()))),
        last_error: Set(None),
        failed_at: Set(None),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([outbox_message::Column::DedupeKey])
    .exec(db)
    .await?;
    Ok(matches!(written, TryInsertResult::Inserted(_)))
}
