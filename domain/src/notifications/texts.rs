//! The words of a notification: its title and lines, from the event and its facts.

use super::kinds::NotificationKind;
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

fn money(minor: Option<i64>, currency: &str) -> String {
    let Some(minor) = minor else {
        return String::new();
    };
    format!(
        "{} {currency}",
        entities::money::from_minor(minor, currency)
    )
}

/// Whole days from `at` to `until`, a started day counting as one.
fn days_left(at: DateTime<Utc>, until: DateTime<Utc>) -> i64 {
    ((until - at).num_minutes().max(0) + 1439) / 1440
}

/// A custom domain's notice: what happened to it and what to do.
fn domain_words(event: &str, p: &Value) -> (String, Vec<String>) {
    use crate::kernel::events::kind as ev;
    let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or_default();
    let host = s("host");
    let record = format!("TXT {} = \"{}\"", s("recordName"), s("recordValue"));
    let found = format!("Last check: {}", s("lastError"));
    match event {
        ev::DOMAIN_VERIFIED => (
            format!("Domain {host} is verified"),
            vec![format!(
                "{host} now serves your brand; make it primary to use it in links and emails."
            )],
        ),
        ev::DOMAIN_VERIFICATION_FAILED => (
            format!("Domain {host} could not be verified"),
            vec![
                found,
                format!("Create the record {record}, then check the domain again."),
            ],
        ),
        ev::DOMAIN_EXPIRED => (
            format!("Domain {host} no longer serves your brand"),
            vec![
                found,
                format!(
                    "Its verification record was wrong or missing for {} days in a row. \
                     Restore the record {record}, then check the domain again.",
                    crate::tenancy::domains::EXPIRE_AFTER.num_days()
                ),
            ],
        ),
        _ => (
            format!("The verification record of {host} is missing"),
            vec![
                found,
                format!(
                    "The domain still serves your brand. Restore the record {record} within {} \
                     days, or it stops serving it.",
                    crate::tenancy::domains::EXPIRE_AFTER.num_days()
                ),
            ],
        ),
    }
}

pub fn words(
    kind: NotificationKind,
    event: &str,
    f: &Facts,
    p: &Value,
    at: DateTime<Utc>,
) -> Words {
    use NotificationKind::*;
    let s = |k: &str| {
        p.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
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
        .unwrap_or_else(|| s("partnerName"));
    let mut lines = fact_lines(f);
    let line_path = format!("/lines/{line_no}");
    let (title, path) = match kind {
        LineExpiring => {
            let days = f
                .line
                .as_ref()
                .map(|l| days_left(at, l.expires_at))
                .unwrap_or(super::notices::WINDOW_DAYS);
            let unit = if days == 1 { "day" } else { "days" };
            (
                format!("Line {line_no} expires in {days} {unit}"),
                line_path,
            )
        }
        LineExpired => (format!("Line {line_no} has expired"), line_path),
        ChannelStatusChanged => {
            let channel = s("channelKind");
            lines.insert(0, format!("{} -> {}", s("from"), s("to")));
            (
                format!("Channel {channel} of line {line_no} is now {}", s("to")),
                line_path,
            )
        }
        ClientAttached => (
            "A client joined you".to_string(),
            "/partner/clients".to_string(),
        ),
        ClientDetached => (
            "A client left you".to_string(),
            "/partner/clients".to_string(),
        ),
        ConsentGranted => (
            format!("Access granted to {partner_name}"),
            "/partner/clients".to_string(),
        ),
        ConsentRevoked => (
            format!("Access of {partner_name} revoked"),
            "/partner/clients".to_string(),
        ),
        ImpersonationStarted => {
            let reason = s("reason");
            if !reason.is_empty() {
                lines.push(format!("Reason: {reason}"));
            }
            lines.push(format!("Until: {}", s("until")));
            (
                format!("{partner_name} logged in to your account"),
                "/settings/partner".to_string(),
            )
        }
        WithdrawalStateChanged => withdrawal_words(p, &mut lines),
        OrderPaid => order_paid_words(p, &mut lines),
        PaymentRefunded => refund_words(p, &mut lines),
        FreeLead | MyLead => lead_words(kind == FreeLead, p, &mut lines),
        CustomDomain => {
            let (title, about) = domain_words(event, p);
            lines.splice(0..0, about);
            (title, "/settings/domains".to_string())
        }
    };
    Words { title, lines, path }
}

/// What the facts say: the client, the line, the organization and the space.
fn fact_lines(f: &Facts) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(c) = &f.client {
        lines.push(format!("Client: account {}, {}", c.account_number, c.email));
    }
    if let Some(l) = &f.line {
        lines.push(format!(
            "Line {} \"{}\", until {}",
            l.line_number,
            l.name,
            l.expires_at.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    if let Some(o) = &f.organization {
        lines.push(format!("Organization: {}", o.name));
    }
    if let Some(sp) = &f.space {
        lines.push(format!("Space: {}", sp.name));
    }
    lines
}

/// A withdrawal's step.
fn withdrawal_words(p: &Value, lines: &mut Vec<String>) -> (String, String) {
    let s = |k: &str| text(p, k);
    let amount = money(id(p, &["amountMinor"]), &s("currency"));
    lines.insert(0, format!("Amount: {amount}"));
    let reason = s("reason");
    if !reason.is_empty() {
        lines.push(format!("Reason: {reason}"));
    }
    (
        format!(
            "Withdrawal {} is {}",
            id(p, &["withdrawalNumber"]).unwrap_or_default(),
            s("to")
        ),
        "/partner/withdrawals".to_string(),
    )
}

/// A paid order.
fn order_paid_words(p: &Value, lines: &mut Vec<String>) -> (String, String) {
    let s = |k: &str| text(p, k);
    let number = id(p, &["orderNumber"]).unwrap_or_default();
    lines.insert(
        0,
        format!("Total: {}", money(id(p, &["totalMinor"]), &s("currency"))),
    );
    (
        format!("Order {number} is paid"),
        format!("/orders/{number}"),
    )
}

/// A card payment refunded because its order could not take it.
fn refund_words(p: &Value, lines: &mut Vec<String>) -> (String, String) {
    let s = |k: &str| text(p, k);
    let number = id(p, &["orderNumber"]).unwrap_or_default();
    lines.insert(
        0,
        format!("Amount: {}", money(id(p, &["amountMinor"]), &s("currency"))),
    );
    lines.push(format!(
    "The card payment arrived after order {number} was {}; the full amount goes back to the card.",
    match s("orderStatus").as_str() {
        "CANCELLED" => "cancelled",
        "EXPIRED" => "expired",
        _ => "paid another way",
    }
));
    (
        format!("Your payment for order {number} is refunded"),
        format!("/orders/{number}"),
    )
}

/// What partners are told of a lead: never its contacts.
fn lead_words(free: bool, p: &Value, lines: &mut Vec<String>) -> (String, String) {
    let s = |k: &str| text(p, k);
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
    for (label, value) in [
        ("Company", s("company")),
        ("Task", s("task")),
        ("Features", list("features")),
        ("Country", s("country")),
        ("Language", s("language")),
    ] {
        if !value.is_empty() {
            about.push(format!("{label}: {value}"));
        }
    }
    lines.splice(0..0, about);
    if free {
        (
            format!("New free lead {number}"),
            "/partner/leads/free".to_string(),
        )
    } else {
        (
            format!("New lead {number} for you"),
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
    use super::days_left;
    use chrono::{Duration, TimeZone, Utc};

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
