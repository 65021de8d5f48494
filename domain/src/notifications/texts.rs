//! The words of a notification: its title and lines, from the event and its facts, in the
//! reader's language (`kernel::i18n`).

use super::kinds::NotificationKind;
use crate::kernel::i18n::{self, Arg};
pub use crate::kernel::live::Rang;
use crate::notifications::recipients::{Facts, id};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// The words of a notification: title, body lines and where to look.
pub struct Words {
    pub title: String,
    pub lines: Vec<String>,
    pub path: String,
}

/// The amount `minor` of the payload's currency, written the reader's way.
fn money(lang: &str, minor: Option<i64>, currency: &str) -> String {
    minor
        .map(|m| i18n::money(lang, m, currency))
        .unwrap_or_default()
}

/// Whole days from `at` to `until`, a started day counting as one.
fn days_left(at: DateTime<Utc>, until: DateTime<Utc>) -> i64 {
    ((until - at).num_minutes().max(0) + 1439) / 1440
}

/// A custom domain's notice: what happened to it and what to do.
fn domain_words(lang: &str, event: &str, p: &Value) -> (String, Vec<String>) {
    use crate::kernel::events::kind as ev;
    let host = text(p, "host");
    let record = format!(
        "TXT {} = \"{}\"",
        text(p, "recordName"),
        text(p, "recordValue")
    );
    let found = i18n::tr(
        lang,
        "domain-last-check",
        &[("error", text(p, "lastError").into())],
    );
    let days = crate::tenancy::domains::EXPIRE_AFTER.num_days();
    let host_arg = || [("host", Arg::from(host.as_str()))];
    let about = |key: &'static str| {
        i18n::tr(
            lang,
            key,
            &[("record", (&record).into()), ("days", days.into())],
        )
    };
    match event {
        ev::DOMAIN_VERIFIED => (
            i18n::tr(lang, "domain-verified-title", &host_arg()),
            vec![i18n::tr(lang, "domain-verified-body", &host_arg())],
        ),
        ev::DOMAIN_VERIFICATION_FAILED => (
            i18n::tr(lang, "domain-failed-title", &host_arg()),
            vec![found, about("domain-create-record")],
        ),
        ev::DOMAIN_EXPIRED => (
            i18n::tr(lang, "domain-expired-title", &host_arg()),
            vec![found, about("domain-expired-body")],
        ),
        _ => (
            i18n::tr(lang, "domain-lost-title", &host_arg()),
            vec![found, about("domain-lost-body")],
        ),
    }
}

/// The words of a notification of `kind` about `event`, in `lang`.
pub fn words(
    lang: &str,
    kind: NotificationKind,
    event: &str,
    f: &Facts,
    p: &Value,
    at: DateTime<Utc>,
) -> Words {
    use NotificationKind::*;
    let line_no = f
        .line
        .as_ref()
        .map(|l| l.line_number)
        .or(id(p, &["lineNumber"]))
        .unwrap_or_default();
    let partner_name = f
        .partner
        .as_ref()
        .map(|p| p.name.clone())
        .unwrap_or_else(|| text(p, "partnerName"));
    let mut lines = fact_lines(lang, f);
    let line_path = format!("/lines/{line_no}");
    let number = || ("number", Arg::from(line_no));
    let partner = || [("partner", Arg::from(partner_name.as_str()))];
    let clients = || "/partner/clients".to_string();
    let (title, path) = match kind {
        LineExpiring => {
            let days = f
                .line
                .as_ref()
                .map(|l| days_left(at, l.expires_at))
                .unwrap_or(super::notices::WINDOW_DAYS);
            let args = [number(), ("days", days.into())];
            (i18n::tr(lang, "line-expiring-title", &args), line_path)
        }
        LineExpired => (i18n::tr(lang, "line-expired-title", &[number()]), line_path),
        ChannelStatusChanged => {
            let change = [
                ("from", text(p, "from").into()),
                ("to", text(p, "to").into()),
            ];
            lines.insert(0, i18n::tr(lang, "channel-status-change", &change));
            let args = [
                ("channel", text(p, "channelKind").into()),
                number(),
                ("status", text(p, "to").into()),
            ];
            (i18n::tr(lang, "channel-status-title", &args), line_path)
        }
        ClientAttached => (i18n::t(lang, "client-attached-title"), clients()),
        ClientDetached => (i18n::t(lang, "client-detached-title"), clients()),
        ConsentGranted => (
            i18n::tr(lang, "consent-granted-title", &partner()),
            clients(),
        ),
        ConsentRevoked => (
            i18n::tr(lang, "consent-revoked-title", &partner()),
            clients(),
        ),
        ImpersonationStarted => {
            let reason = text(p, "reason");
            if !reason.is_empty() {
                lines.push(i18n::tr(
                    lang,
                    "notice-reason",
                    &[("reason", reason.into())],
                ));
            }
            let until = text(p, "until")
                .parse::<DateTime<Utc>>()
                .map(|u| i18n::date_time(lang, u))
                .unwrap_or_else(|_| text(p, "until"));
            lines.push(i18n::tr(lang, "notice-until", &[("until", until.into())]));
            (
                i18n::tr(lang, "impersonation-title", &partner()),
                "/settings/partner".to_string(),
            )
        }
        WithdrawalStateChanged => withdrawal_words(lang, p, &mut lines),
        WithdrawalDocumentsDue | WithdrawalOverdue => {
            deadline_words(lang, kind == WithdrawalOverdue, p, &mut lines)
        }
        OrderPaid => order_paid_words(lang, p, &mut lines),
        PaymentRefunded => refund_words(lang, p, &mut lines),
        FreeLead | MyLead => lead_words(lang, kind == FreeLead, p, &mut lines),
        CustomDomain => {
            let (title, about) = domain_words(lang, event, p);
            lines.splice(0..0, about);
            (title, "/settings/domains".to_string())
        }
    };
    Words { title, lines, path }
}

/// What the facts say: the client, the line, the organization and the space.
fn fact_lines(lang: &str, f: &Facts) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(c) = &f.client {
        let args = [
            ("account", Arg::from(c.account_number.to_string())),
            ("email", (&c.email).into()),
        ];
        lines.push(i18n::tr(lang, "notice-client", &args));
    }
    if let Some(l) = &f.line {
        let args = [
            ("number", Arg::from(l.line_number)),
            ("name", (&l.name).into()),
            ("until", i18n::date_time(lang, l.expires_at).into()),
        ];
        lines.push(i18n::tr(lang, "notice-line", &args));
    }
    if let Some(o) = &f.organization {
        lines.push(i18n::tr(
            lang,
            "notice-organization",
            &[("name", (&o.name).into())],
        ));
    }
    if let Some(sp) = &f.space {
        lines.push(i18n::tr(
            lang,
            "notice-space",
            &[("name", (&sp.name).into())],
        ));
    }
    lines
}

/// A withdrawal's step.
fn withdrawal_words(lang: &str, p: &Value, lines: &mut Vec<String>) -> (String, String) {
    let amount = money(lang, id(p, &["amountMinor"]), &text(p, "currency"));
    lines.insert(
        0,
        i18n::tr(lang, "notice-amount", &[("amount", amount.into())]),
    );
    let reason = text(p, "reason");
    if !reason.is_empty() {
        lines.push(i18n::tr(
            lang,
            "notice-reason",
            &[("reason", reason.into())],
        ));
    }
    let args = [
        (
            "number",
            Arg::from(id(p, &["withdrawalNumber"]).unwrap_or_default()),
        ),
        ("state", text(p, "to").into()),
    ];
    (
        i18n::tr(lang, "withdrawal-title", &args),
        "/partner/withdrawals".to_string(),
    )
}

/// A paperwork deadline coming (the partner's documents) or missed (staff).
fn deadline_words(
    lang: &str,
    overdue: bool,
    p: &Value,
    lines: &mut Vec<String>,
) -> (String, String) {
    let amount = money(lang, id(p, &["amountMinor"]), &text(p, "currency"));
    lines.insert(
        0,
        i18n::tr(lang, "notice-amount", &[("amount", amount.into())]),
    );
    let due = text(p, "dueAt")
        .parse::<DateTime<Utc>>()
        .map(|u| i18n::date_time(lang, u))
        .unwrap_or_else(|_| text(p, "dueAt"));
    let args = [
        (
            "number",
            Arg::from(id(p, &["withdrawalNumber"]).unwrap_or_default()),
        ),
        ("due", due.into()),
        ("step", text(p, "step").into()),
    ];
    if overdue {
        lines.push(i18n::tr(lang, "withdrawal-overdue-body", &args));
        (
            i18n::tr(lang, "withdrawal-overdue-title", &args),
            "/staff/withdrawals?overdue=true".to_string(),
        )
    } else {
        lines.push(i18n::tr(lang, "withdrawal-documents-due-body", &args));
        (
            i18n::tr(lang, "withdrawal-documents-due-title", &args),
            "/partner/withdrawals".to_string(),
        )
    }
}

/// A paid order.
fn order_paid_words(lang: &str, p: &Value, lines: &mut Vec<String>) -> (String, String) {
    let number = id(p, &["orderNumber"]).unwrap_or_default();
    let total = money(lang, id(p, &["totalMinor"]), &text(p, "currency"));
    lines.insert(
        0,
        i18n::tr(lang, "notice-total", &[("total", total.into())]),
    );
    (
        i18n::tr(lang, "order-paid-title", &[("number", number.into())]),
        format!("/orders/{number}"),
    )
}

/// A card payment refunded because its order could not take it.
fn refund_words(lang: &str, p: &Value, lines: &mut Vec<String>) -> (String, String) {
    let number = id(p, &["orderNumber"]).unwrap_or_default();
    let amount = money(lang, id(p, &["amountMinor"]), &text(p, "currency"));
    lines.insert(
        0,
        i18n::tr(lang, "notice-amount", &[("amount", amount.into())]),
    );
    let args = [
        ("number", Arg::from(number)),
        ("status", text(p, "orderStatus").into()),
    ];
    lines.push(i18n::tr(lang, "refund-body", &args));
    (
        i18n::tr(lang, "refund-title", &[("number", number.into())]),
        format!("/orders/{number}"),
    )
}

/// What partners are told of a lead: never its contacts.
fn lead_words(lang: &str, free: bool, p: &Value, lines: &mut Vec<String>) -> (String, String) {
    let number = id(p, &["leadNumber"]).unwrap_or_default();
    let list = |k: &str| {
        p.get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let mut about = Vec::new();
    for (key, value) in [
        ("lead-company", text(p, "company")),
        ("lead-task", text(p, "task")),
        ("lead-features", list("features")),
        ("lead-country", text(p, "country")),
        ("lead-language", text(p, "language")),
    ] {
        if !value.is_empty() {
            about.push(i18n::tr(lang, key, &[("value", value.into())]));
        }
    }
    lines.splice(0..0, about);
    let args = [("number", Arg::from(number))];
    if free {
        (
            i18n::tr(lang, "free-lead-title", &args),
            "/partner/leads/free".to_string(),
        )
    } else {
        (
            i18n::tr(lang, "my-lead-title", &args),
            format!("/partner/leads/{number}"),
        )
    }
}

/// The string `k` of the payload, or empty.
fn text(p: &Value, k: &str) -> String {
    p.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::{days_left, words};
    use crate::kernel::events::kind as ev;
    use crate::kernel::i18n::{LANGUAGES, UNKNOWN};
    use crate::notifications::kinds::NotificationKind;
    use crate::notifications::recipients::Facts;
    use chrono::{Duration, TimeZone, Utc};
    use serde_json::json;

    /// Every kind of notification (each custom-domain event too) in every language: no
    /// message missing, nothing left unformatted, and not English where it should not be.
    #[test]
    fn every_notice_is_written_in_every_language() {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        let p = json!({
            "host": "chat.brand.example", "recordName": "_gateway.chat.brand.example",
            "recordValue": "abc", "lastError": "no record", "lineNumber": 7,
            "channelKind": "WHATSAPP", "from": "PENDING", "to": "CONNECTED",
            "partnerName": "Agency", "reason": "support", "until": "2026-11-24T13:00:00Z",
            "amountMinor": 11640000, "totalMinor": 123456, "currency": "RUB",
            "withdrawalNumber": 3, "orderNumber": 12, "orderStatus": "CANCELLED",
            "leadNumber": 5, "company": "Acme", "task": "CRM", "features": ["crm", "bots"],
            "country": "BR", "language": "pt",
        });
        let mut cases: Vec<(NotificationKind, &str)> = crate::notifications::kinds::ALL
            .into_iter()
            .filter(|k| *k != NotificationKind::CustomDomain)
            .map(|k| (k, ""))
            .collect();
        for e in [
            ev::DOMAIN_VERIFIED,
            ev::DOMAIN_VERIFICATION_FAILED,
            ev::DOMAIN_RECORD_LOST,
            ev::DOMAIN_EXPIRED,
        ] {
            cases.push((NotificationKind::CustomDomain, e));
        }
        let f = Facts::default();
        for (kind, event) in cases {
            let english = words("en", kind, event, &f, &p, at);
            for lang in LANGUAGES {
                let w = words(lang, kind, event, &f, &p, at);
                let all = format!("{}\n{}", w.title, w.lines.join("\n"));
                assert!(!all.contains(UNKNOWN), "{lang} {kind:?} {event}: {all}");
                assert!(!all.contains("{ $"), "{lang} {kind:?}: {all}");
                assert!(!w.title.is_empty(), "{lang} {kind:?}");
                assert_eq!(w.path, english.path);
                if lang != "en" {
                    assert_ne!(w.title, english.title, "{lang} {kind:?} {event}");
                }
            }
        }
        // Money the reader's way, and Russian plurals.
        let paid = words("ru", NotificationKind::OrderPaid, "", &f, &p, at);
        assert!(
            paid.lines[0].contains("1\u{a0}234,56\u{a0}₽"),
            "{:?}",
            paid.lines
        );
        let expiring = words("ru", NotificationKind::LineExpiring, "", &f, &p, at);
        assert!(expiring.title.contains("7 дней"), "{}", expiring.title);
    }

    #[test]
    fn a_started_day_counts_as_one() {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        assert_eq!(days_left(at, at + Duration::days(7)), 7);
        assert_eq!(
            days_left(at, at + Duration::days(7) - Duration::minutes(1)),
            7
        );
        assert_eq!(
            days_left(at, at + Duration::days(2) + Duration::hours(3)),
            3
        );
        assert_eq!(days_left(at, at + Duration::minutes(5)), 1);
        assert_eq!(days_left(at, at - Duration::hours(1)), 0);
    }
}
