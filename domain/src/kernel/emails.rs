//! Emails, rendered with the tenant's branding and written to the transactional outbox in
//! the caller's transaction. Delivery (SMTP) is the notification worker's job.

use entities::outbox_message;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use tenants::TenantInfo;

use crate::kernel::error::ApiResult;
use crate::kernel::services::Settings;

/// A rendered email.
#[derive(Debug, Clone)]
pub struct Email {
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Renders an email with one call-to-action link in the tenant's brand; `lang` is the
/// reader's language (the texts given are already in it; the footer is added in it).
pub fn branded(
    tenant: &TenantInfo,
    lang: &str,
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
        .map(|s| crate::kernel::i18n::tr(lang, "email-questions", &[("support", s.into())]))
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
        r#"<!doctype html><html lang="{lang}"><body style="font-family:sans-serif">{logo}<h1 style="color:{color}">{subject}</h1>{paragraphs}<p><a href="{link}" style="background:{color};color:#FFFFFF;padding:10px 16px;text-decoration:none;border-radius:4px">{label}</a></p><p style="color:#666666">{support}</p><p style="color:#666666">{name}</p></body></html>"#,
        lang = crate::kernel::i18n::supported(lang),
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

/// `Name <address>`, written by lettre's `Mailbox` so a display name with commas, quotes
/// or other specials is quoted as RFC 5322 says (`"Acme, Inc." <..>`).
fn mailbox(name: &str, address: &str) -> String {
    match address.parse::<lettre::Address>() {
        Ok(address) => lettre::message::Mailbox::new(Some(name.to_string()), address).to_string(),
        // Sending refuses it with the reason (a permanent failure staff can see).
        Err(_) => address.to_string(),
    }
}

/// Whether the brand's mail may go from its own address: it has one and has proven its
/// domain (`tenancy::mail_domain`; the state is the tenant's, read here from the model).
fn own_address(t: &entities::tenant::Model) -> Option<&str> {
    let proven = t.mail_domain_status.as_deref() == Some("VERIFIED");
    t.email_sender_address.as_deref().filter(|_| proven)
}

/// The `From:` of a tenant's emails: the brand's name, at the brand's address once its
/// domain is proven, else at the platform's.
pub fn sender(settings: &Settings, tenant: &TenantInfo) -> String {
    let t = &tenant.model;
    let name = t.email_sender_name.as_deref().unwrap_or(&t.display_name);
    mailbox(
        name,
        own_address(t).unwrap_or(&settings.default_email_sender),
    )
}

/// The `Reply-To:` of a tenant's emails: the brand's own address while its mail goes from
/// the platform's (its domain unproven), so answers still reach the brand.
pub fn reply_to(tenant: &TenantInfo) -> Option<String> {
    let t = &tenant.model;
    let name = t.email_sender_name.as_deref().unwrap_or(&t.display_name);
    match (own_address(t), t.email_sender_address.as_deref()) {
        (None, Some(address)) => Some(mailbox(name, address)),
        _ => None,
    }
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
        reply_to: Set(reply_to(tenant)),
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

/// The outbox messages the viewer may read: every tenant's for platform staff, the
/// request's tenant's for its admins; anyone else is refused.
pub fn in_reach(req: &tenants::RequestCtx) -> ApiResult<sea_orm::Select<outbox_message::Entity>> {
    use tenants::{Action, authorize};
    if authorize(req, Action::ListTenants).is_ok() {
        return Ok(outbox_message::Entity::find());
    }
    authorize(
        req,
        Action::ViewOutbox {
            tenant_id: req.tenant_id(),
        },
    )?;
    Ok(tenants::scope::scoped::<outbox_message::Entity>(
        req.tenant_id(),
    ))
}

/// The outbox, newest last: the request's tenant's for its admins, every tenant's for
/// platform staff; optionally only mail to `recipient`, only messages in `status`.
pub async fn outbox(
    svc: &super::services::Services,
    req: &tenants::RequestCtx,
    recipient: Option<&str>,
    status: Option<&str>,
    args: super::page::PageArgs,
) -> ApiResult<super::page::Paged<outbox_message::Model>> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let mut q = in_reach(req)?;
    if let Some(r) = recipient {
        q = q.filter(outbox_message::Column::Recipient.eq(r.trim().to_lowercase()));
    }
    if let Some(s) = status {
        q = q.filter(outbox_message::Column::Status.eq(s));
    }
    super::page::paginate(&svc.db, q, outbox_message::Column::Id, args, |m| (m.id, m)).await
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
