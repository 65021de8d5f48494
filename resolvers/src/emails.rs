//! The outbox, as admins read it through GraphQL. Rendering and queueing emails is the
//! kernel's (`domain::kernel::emails`).

use entities::outbox_message;

pub use domain::kernel::emails::*;

/// Where an outbox message is on its way.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum OutboxStatus {
    /// Waiting for its first or next attempt (`nextAttemptAt`).
    Pending,
    /// A worker is sending it.
    Sending,
    /// Delivered to the mail server (or the Bot API).
    Sent,
    /// Given up after the last attempt, or refused for good; `lastError` says why.
    Failed,
}

impl OutboxStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => outbox_message::STATUS_PENDING,
            OutboxStatus::Sending => outbox_message::STATUS_SENDING,
            OutboxStatus::Sent => outbox_message::STATUS_SENT,
            OutboxStatus::Failed => outbox_message::STATUS_FAILED,
        }
    }
}

/// A message in the outbox: an email, or a Telegram message.
pub struct OutboxMessage(pub outbox_message::Model);

#[async_graphql::Object]
impl OutboxMessage {
    /// Global id (what `retryOutboxMessage` takes).
    async fn id(&self) -> async_graphql::ID {
        async_graphql::ID(domain::kernel::ids::encode(
            domain::kernel::ids::Kind::OutboxMessage,
            self.0.id,
        ))
    }
    /// `EMAIL` or `TELEGRAM`.
    async fn channel(&self) -> &str {
        &self.0.channel
    }
    /// `PASSWORD_RESET`, `SET_PASSWORD`, `INVITATION`, ...
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// The recipient's address.
    async fn recipient(&self) -> &str {
        &self.0.recipient
    }
    /// `Name <address>` of the sender.
    async fn sender(&self) -> &str {
        &self.0.sender
    }
    /// Subject.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// Plain-text body, with link tokens redacted: whoever reads the outbox must not be
    /// able to use someone else's password or invitation link.
    async fn body_text(&self) -> String {
        redact_tokens(&self.0.body_text)
    }
    /// HTML body, with link tokens redacted.
    async fn body_html(&self) -> String {
        redact_tokens(&self.0.body_html)
    }
    /// `PENDING` until the delivery worker sends it, then `SENT`, or `FAILED` after the
    /// last attempt.
    async fn status(&self) -> Option<OutboxStatus> {
        [
            OutboxStatus::Pending,
            OutboxStatus::Sending,
            OutboxStatus::Sent,
            OutboxStatus::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == self.0.status)
    }
    /// Attempts made so far.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// When the next attempt is due (while `PENDING`).
    async fn next_attempt_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        (self.0.status == outbox_message::STATUS_PENDING).then_some(self.0.next_attempt_at)
    }
    /// What the last failed attempt answered.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When it was delivered.
    async fn sent_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.sent_at
    }
    /// When it was given up on.
    async fn failed_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.failed_at
    }
    /// When it was written.
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
}

/// Outbox queries (internal tooling).
#[derive(Default)]
pub struct OutboxQuery;

#[async_graphql::Object]
impl OutboxQuery {
    /// Messages written to the outbox, oldest first (use `last` for the newest): the current
    /// tenant's for its admins, every tenant's for platform staff.
    #[allow(clippy::too_many_arguments)]
    async fn outbox_messages(
        &self,
        ctx: &async_graphql::Context<'_>,
        #[graphql(desc = "Only emails to this address.")] recipient: Option<String>,
        #[graphql(desc = "Only messages in this state (`FAILED`: what needs a look).")]
        status: Option<OutboxStatus>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many from the start (default 50, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (at most 100).")] last: Option<i32>,
    ) -> crate::GqlResult<crate::pagination::Page<OutboxMessage>> {
        let args = crate::pagination::PageArgs {
            after,
            before,
            first,
            last,
        };
        let page = outbox(
            crate::services(ctx)?,
            crate::request(ctx)?,
            recipient.as_deref(),
            status.map(OutboxStatus::as_str),
            args,
        )
        .await?;
        Ok(crate::pagination::connection(page, OutboxMessage))
    }
}
