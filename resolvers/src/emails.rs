//! Emails, rendered with the tenant's branding and written to the transactional outbox in
//! the caller's transaction. Delivery (SMTP) is the notification worker's job.

use entities::outbox_message;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use tenants::TenantInfo;

use crate::error::ApiResult;
use crate::services::Settings;

/// A rendered email.
#[derive(Debug, Clone)]
pub struct Email {
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Renders an email with one call-to-action link in the tenant's brand.
pub fn branded(
    tenant: &TenantInfo,
    kind: &'static str,
    to: &str,
    subject: &str,
    lines: &[&str],
    action: (&str, &str),
) -> Email {
    let t = &tenant.model;
    let (label, link) = action;
    let support = t
        .support_email
        .as_deref()
        .map(|s| format!("Questions? Write to {s}."))
        .unwrap_or_default();
    let text = format!(
        "{}\n\n{}\n\n{label}: {link}\n\n{support}\n-- \n{}\n",
        subject,
        lines.join("\n\n"),
        t.display_name
    );
    let logo = t
        .logo_url
        .as_deref()
        .map(|u| {
            format!(
                r#"<img src="{}" alt="{}" height="40"><br>"#,
                escape(u),
                escape(&t.display_name)
            )
        })
        .unwrap_or_default();
    let paragraphs: String = lines
        .iter()
        .map(|l| format!("<p>{}</p>", escape(l)))
        .collect();
    let html = format!(
        r#"<!doctype html><html><body style="font-family:sans-serif">{logo}<h1 style="color:{color}">{subject}</h1>{paragraphs}<p><a href="{link}" style="background:{color};color:#FFFFFF;padding:10px 16px;text-decoration:none;border-radius:4px">{label}</a></p><p style="color:#666666">{support}</p><p style="color:#666666">{name}</p></body></html>"#,
        color = escape(&t.primary_color),
        subject = escape(subject),
        link = escape(link),
        label = escape(label),
        support = escape(&support),
        name = escape(&t.display_name),
    );
    Email {
        kind,
        to: to.to_string(),
        subject: subject.to_string(),
        text,
        html,
    }
}

/// The `From:` of a tenant's emails.
pub fn sender(settings: &Settings, tenant: &TenantInfo) -> String {
    let t = &tenant.model;
    let name = t.email_sender_name.as_deref().unwrap_or(&t.display_name);
    let address = t
        .email_sender_address
        .as_deref()
        .unwrap_or(&settings.default_email_sender);
    format!("{name} <{address}>")
}

/// Writes the email to the outbox, in the caller's transaction.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    settings: &Settings,
    tenant: &TenantInfo,
    email: Email,
) -> ApiResult<()> {
    let now = entities::time::now();
    outbox_message::Entity::insert(outbox_message::ActiveModel {
        tenant_id: Set(tenant.id()),
        channel: Set(outbox_message::CHANNEL_EMAIL.into()),
        kind: Set(email.kind.into()),
        recipient: Set(email.to),
        sender: Set(sender(settings, tenant)),
        subject: Set(email.subject),
        body_text: Set(email.text),
        body_html: Set(email.html),
        status: Set(outbox_message::STATUS_PENDING.into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Replaces the value of every `token=` in `s` with `[redacted]`.
pub fn redact_tokens(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("token=") {
        let (head, tail) = rest.split_at(at + "token=".len());
        out.push_str(head);
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(tail.len());
        if end > 0 {
            out.push_str("[redacted]");
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

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
    ) -> async_graphql::Result<crate::pagination::Page<OutboxMessage>> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use tenants::{Action, authorize};
        let (svc, req) = (crate::services(ctx)?, crate::request(ctx)?);
        let mut q = if authorize(req, Action::ListTenants).is_ok() {
            outbox_message::Entity::find()
        } else {
            authorize(
                req,
                Action::ViewOutbox {
                    tenant_id: req.tenant_id(),
                },
            )
            .map_err(crate::ApiError::from)?;
            tenants::scope::scoped::<outbox_message::Entity>(req.tenant_id())
        };
        if let Some(r) = recipient {
            q = q.filter(outbox_message::Column::Recipient.eq(r.trim().to_lowercase()));
        }
        let args = crate::pagination::PageArgs {
            after,
            before,
            first,
            last,
        };
        Ok(
            crate::pagination::paginate(&svc.db, q, outbox_message::Column::Id, args, |m| {
                (m.id, OutboxMessage(m))
            })
            .await?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::redact_tokens;

    #[test]
    fn link_tokens_are_redacted() {
        assert_eq!(
            redact_tokens("go to https://x/reset?token=abc-DEF_123 now, or token=q&x=1"),
            "go to https://x/reset?token=[redacted] now, or token=[redacted]&x=1"
        );
        assert_eq!(redact_tokens("no tokens here"), "no tokens here");
        assert_eq!(redact_tokens("token="), "token=");
    }
}
