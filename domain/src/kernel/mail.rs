//! Sending email with `lettre`: over SMTP when `SMTP_URL` is set (`smtp://` plain,
//! `smtp://..?tls=required` STARTTLS, `smtps://` implicit TLS, credentials in the URL),
//! otherwise into a directory of `.eml` files (the local sink of the demo and of a
//! development machine). The delivery worker (`notifications::delivery`) is the only caller.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use entities::outbox_message;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// An SMTP server.
    Smtp {
        transport: Arc<AsyncSmtpTransport<Tokio1Executor>>,
        /// The URL without its password, for logs.
        shown: String,
    },
    /// `.eml` files in a directory.
    Files(Arc<AsyncFileTransport<Tokio1Executor>>, PathBuf),
}

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    /// The server refused it for good (a 5xx answer, a malformed address): retrying cannot
    /// help.
    pub permanent: bool,
    /// What went wrong, without credentials.
    pub message: String,
    /// The server said when to try again (Telegram's 429 `retry_after`).
    pub retry_after: Option<std::time::Duration>,
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl SendError {
    fn permanent(message: impl Into<String>) -> Self {
        Self {
            permanent: true,
            message: message.into(),
            retry_after: None,
        }
    }
}

/// The `List-Unsubscribe` header (RFC 2369), one `<url>`.
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.trim_matches(['<', '>']).to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): the link unsubscribes
/// with one POST, without signing in.
#[derive(Clone)]
struct OneClick;

impl Header for OneClick {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".into())
    }
}

/// Hides the password of a URL (`smtp://user:secret@host` -> `smtp://user:***@host`).
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_string(),
    }
}

impl Mailer {
    /// An SMTP mailer from `smtp[s]://[user:password@]host[:port][?tls=required|opportunistic]`.
    pub fn smtp(url: &str, timeout: Duration) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("SMTP_URL {}: {e}", without_password(url)))?
            .timeout(Some(timeout))
            .build();
        Ok(Mailer::Smtp {
            transport: Arc::new(transport),
            shown: without_password(url),
        })
    }

    /// A mailer writing each message to `<dir>/<uuid>.eml`.
    pub fn files(dir: PathBuf) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Mailer::Files(
            Arc::new(AsyncFileTransport::<Tokio1Executor>::new(&dir)),
            dir,
        ))
    }

    /// Where mail goes, for the log (no password).
    pub fn describe(&self) -> String {
        match self {
            Mailer::Smtp { shown, .. } => format!("SMTP server {shown}"),
            Mailer::Files(_, dir) => format!("files in {}", dir.display()),
        }
    }

    /// Sends one outbox message; `unsubscribe` adds the one-click `List-Unsubscribe`
    /// headers (never on security mail).
    pub async fn send(
        &self,
        msg: &outbox_message::Model,
        unsubscribe: Option<&str>,
    ) -> Result<(), SendError> {
        let message = build(msg, unsubscribe)?;
        match self {
            Mailer::Smtp { transport, .. } => {
                transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| SendError {
                        permanent: e.is_permanent(),
                        message: format!("smtp: {e}"),
                        retry_after: None,
                    })
            }
            Mailer::Files(transport, _) => {
                transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| SendError {
                        permanent: false,
                        message: format!("mail directory: {e}"),
                        retry_after: None,
                    })
            }
        }
    }
}

/// The message as it goes on the wire: text and HTML alternatives, a `Message-ID` fixed
/// by the outbox id (a resend after a crash carries the same id, so receivers can tell).
fn build(msg: &outbox_message::Model, unsubscribe: Option<&str>) -> Result<Message, SendError> {
    let from: Mailbox = msg
        .sender
        .parse()
        .map_err(|e| SendError::permanent(format!("sender {:?}: {e}", msg.sender)))?;
    let to: Mailbox = msg
        .recipient
        .parse()
        .map_err(|e| SendError::permanent(format!("recipient {:?}: {e}", msg.recipient)))?;
    let domain = from.email.domain().to_string();
    let mut b = Message::builder()
        .from(from)
        .to(to)
        .subject(msg.subject.clone())
        .date(msg.created_at.into())
        .message_id(Some(format!(
            "<outbox-{}-{}@{domain}>",
            msg.tenant_id, msg.id
        )));
    if let Some(url) = unsubscribe {
        b = b.header(ListUnsubscribe(url.to_string())).header(OneClick);
    }
    if let Some(reply_to) = &msg.reply_to {
        let reply_to: Mailbox = reply_to
            .parse()
            .map_err(|e| SendError::permanent(format!("reply-to {reply_to:?}: {e}")))?;
        b = b.reply_to(reply_to);
    }
    b.multipart(MultiPart::alternative_plain_html(
        msg.body_text.clone(),
        msg.body_html.clone(),
    ))
    .map_err(|e| SendError::permanent(format!("message: {e}")))
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_never_show() {
        assert_eq!(
            without_password("smtps://mailer:s3cr%40t@smtp.example.com:465"),
            "smtps://mailer:***@smtp.example.com:465"
        );
        assert_eq!(
            without_password("smtp://127.0.0.1:2525"),
            "smtp://127.0.0.1:2525"
        );
        let m = Mailer::smtp(
            "smtp://user:hunter2@127.0.0.1:2525?tls=required",
            Duration::from_secs(5),
        )
        .unwrap();
        assert!(!format!("{m:?}").contains("hunter2"));
        assert!(Mailer::smtp("ftp://x", Duration::from_secs(5)).is_err());
    }
}
