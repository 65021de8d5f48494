//! The account emails (reset, verification, a changed address, a ready account, an
//! invitation), worded in the reader's language from the message catalogs and rendered
//! in the brand's look. Which letter goes when, and to whom, is the domains' business;
//! what it says is here, in one place, so a test can write each one in every language.

use chrono::{DateTime, Utc};
use tenants::TenantInfo;

use crate::kernel::emails::{Email, branded};
use crate::kernel::i18n::{self, Arg};

/// An account email and what it needs to say.
#[derive(Debug, Clone)]
pub enum Letter<'a> {
    /// A password-reset link, valid for `minutes`.
    PasswordReset { minutes: u64 },
    /// A link that proves the address, valid for `hours`.
    VerifyEmail { name: &'a str, hours: u64 },
    /// Sent to the old address when it was changed.
    EmailChanged { name: &'a str },
    /// A brand's first admin: choose a password.
    AdminReady { name: &'a str },
    /// A client a partner created: choose a password.
    ClientReady { name: &'a str, partner: &'a str },
    /// An invitation into an organization with `role` (`OWNER`, `USER_ADMIN`, `MEMBER`).
    Invitation {
        inviter: Option<&'a str>,
        organization: &'a str,
        role: &'a str,
        expires_at: DateTime<Utc>,
    },
}

impl Letter<'_> {
    /// The outbox kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Letter::PasswordReset { .. } => "PASSWORD_RESET",
            Letter::VerifyEmail { .. } => "VERIFY_EMAIL",
            Letter::EmailChanged { .. } => "EMAIL_CHANGED",
            Letter::AdminReady { .. } | Letter::ClientReady { .. } => "SET_PASSWORD",
            Letter::Invitation { .. } => "INVITATION",
        }
    }
}

/// `letter` to `to` in `lang`, with its one link.
pub fn write(tenant: &TenantInfo, lang: &str, to: &str, letter: &Letter<'_>, link: &str) -> Email {
    let lang = i18n::supported(lang);
    let brand = || ("brand", Arg::from(tenant.model.display_name.as_str()));
    let hello = |name: &str| i18n::tr(lang, "email-hello-name", &[("name", name.into())]);
    let (subject, lines, action) = match *letter {
        Letter::PasswordReset { minutes } => (
            i18n::tr(lang, "reset-subject", &[brand()]),
            vec![
                i18n::t(lang, "email-hello"),
                i18n::t(lang, "reset-body"),
                i18n::tr(lang, "link-expires-minutes", &[("minutes", minutes.into())]),
            ],
            "reset-action",
        ),
        Letter::VerifyEmail { name, hours } => (
            i18n::tr(lang, "verify-subject", &[brand()]),
            vec![
                hello(name),
                i18n::t(lang, "verify-body"),
                i18n::tr(lang, "link-expires-hours", &[("hours", hours.into())]),
            ],
            "verify-action",
        ),
        Letter::EmailChanged { name } => (
            i18n::tr(lang, "email-changed-subject", &[brand()]),
            vec![hello(name), i18n::t(lang, "email-changed-body")],
            "email-changed-action",
        ),
        Letter::AdminReady { name } => (
            i18n::tr(lang, "account-ready-subject", &[brand()]),
            vec![hello(name), i18n::tr(lang, "admin-ready-body", &[brand()])],
            "set-password-action",
        ),
        Letter::ClientReady { name, partner } => (
            i18n::tr(lang, "account-ready-subject", &[brand()]),
            vec![
                hello(name),
                i18n::tr(
                    lang,
                    "client-ready-body",
                    &[("partner", partner.into()), brand()],
                ),
            ],
            "set-password-action",
        ),
        Letter::Invitation {
            inviter,
            organization,
            role,
            expires_at,
        } => {
            let inviter = inviter
                .map(str::to_string)
                .unwrap_or_else(|| i18n::t(lang, "invitation-someone"));
            let org = || ("org", Arg::from(organization));
            let intro = [
                ("inviter", Arg::from(inviter)),
                org(),
                brand(),
                ("role", role.into()),
            ];
            let date = i18n::date_time(lang, expires_at);
            (
                i18n::tr(lang, "invitation-subject", &[org(), brand()]),
                vec![
                    i18n::tr(lang, "invitation-intro", &intro),
                    i18n::t(lang, "invitation-body"),
                    i18n::tr(lang, "invitation-expiry", &[("date", date.into())]),
                ],
                "invitation-action",
            )
        }
    };
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let label = i18n::t(lang, action);
    branded(
        tenant,
        lang,
        letter.kind(),
        to,
        &subject,
        &lines,
        (&label, link),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::i18n::{LANGUAGES, UNKNOWN};

    /// Every letter, with a support address so the footer is written too.
    fn letters() -> Vec<Letter<'static>> {
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 24, 9, 30, 0).unwrap();
        vec![
            Letter::PasswordReset { minutes: 60 },
            Letter::VerifyEmail {
                name: "Ana",
                hours: 48,
            },
            Letter::EmailChanged { name: "Ana" },
            Letter::AdminReady { name: "Ana" },
            Letter::ClientReady {
                name: "Ana",
                partner: "Agency",
            },
            Letter::Invitation {
                inviter: Some("Ivan"),
                organization: "Acme",
                role: "USER_ADMIN",
                expires_at: at,
            },
            Letter::Invitation {
                inviter: None,
                organization: "Acme",
                role: "OWNER",
                expires_at: at,
            },
        ]
    }

    #[test]
    fn every_account_email_is_written_in_every_language() {
        let mut model = crate::kernel::links::tests_tenant();
        model.support_email = Some("help@brand.example".into());
        let tenant = TenantInfo {
            model: std::sync::Arc::new(model),
            primary_host: Some("brand.example".into()),
        };
        for letter in letters() {
            let english = write(&tenant, "en", "a@b.example", &letter, "https://x/?token=1");
            for lang in LANGUAGES {
                let mail = write(&tenant, lang, "a@b.example", &letter, "https://x/?token=1");
                let all = format!("{}\n{}\n{}", mail.subject, mail.text, mail.html);
                assert!(!all.contains(UNKNOWN), "{lang} {letter:?}: {all}");
                assert!(!all.contains("{ $") && !all.contains("{$"), "{lang}: {all}");
                assert!(mail.text.contains("https://x/?token=1"), "{lang}");
                assert!(mail.html.contains(&format!("lang=\"{lang}\"")), "{lang}");
                if lang != "en" {
                    assert_ne!(mail.subject, english.subject, "{lang} {letter:?}");
                    assert_ne!(mail.text, english.text, "{lang} {letter:?}");
                }
            }
        }
    }
}
