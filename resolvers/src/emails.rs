//! The outbox, as admins read it through GraphQL. Rendering and queueing emails is the
//! kernel's (`domain::kernel::emails`).

use entities::outbox_message;

pub use domain::kernel::emails::*;

/// An email in the outbox.
pub struct OutboxMessage(pub outbox_message::Model);

#[async_graphql::Object]
impl OutboxMessage {
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
    /// `PENDING` until the delivery worker sends it.
    async fn status(&self) -> &str {
        &self.0.status
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
    /// Emails written to the outbox, oldest first (use `last` for the newest): the current
    /// tenant's for its admins, every tenant's for platform staff.
    async fn outbox_messages(
        &self,
        ctx: &async_graphql::Context<'_>,
        #[graphql(desc = "Only emails to this address.")] recipient: Option<String>,
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
            args,
        )
        .await?;
        Ok(crate::pagination::connection(page, OutboxMessage))
    }
}
