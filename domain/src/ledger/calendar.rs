//! Seed 001 §9's paperwork calendar for withdrawals on the `RU_BANK` rail, in the brand's
//! time zone:
//!
//! - the partner sends the documents by the 15th of the month after the request
//!   (`documentsDueAt`, the end of that day);
//! - the act is signed within 5 business days after the documents arrive (`actSignBy`,
//!   counted from when the partner marked them sent);
//! - the payment goes out within 10 business days after the act is signed (`payBy`).
//!
//! Business days are Monday to Friday in the brand's time zone (public holidays are not
//! modelled). A deadline is the end of its day there. Withdrawals on other rails have no
//! paperwork and no deadlines. Pure: no clock, no database.

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc, Weekday};
pub use chrono_tz::Tz;
use entities::withdrawal::{self, WithdrawalStatus};

use super::rails::PayoutAccount;
use crate::tenancy::payout_rail::Rail;

/// Business days to sign the act after the documents arrive.
pub const ACT_SIGN_DAYS: u64 = 5;
/// Business days to pay after the act is signed.
pub const PAY_DAYS: u64 = 10;
/// The day of the next month the documents are due by.
pub const DOCUMENTS_DAY: u32 = 15;

/// A brand's time zone; an unknown name counts in UTC.
pub fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// The last instant of `day` in `tz`.
fn end_of(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let next = day.checked_add_days(Days::new(1)).unwrap_or(day);
    let midnight = next.and_hms_opt(0, 0, 0).unwrap_or_default();
    // The first instant of the next day (the earliest, should a transition repeat it),
    // less a second.
    let start = tz
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| midnight.and_utc());
    start - chrono::Duration::seconds(1)
}

/// The end of the 15th of the month after `at`, in `tz`.
pub fn documents_due(at: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let local = at.with_timezone(&tz).date_naive();
    let (y, m) = match local.month() {
        12 => (local.year() + 1, 1),
        m => (local.year(), m + 1),
    };
    let day = NaiveDate::from_ymd_opt(y, m, DOCUMENTS_DAY).unwrap_or(local);
    end_of(day, tz)
}

/// The end of the `n`th business day after `at`'s day, in `tz`.
pub fn business_days_after(at: DateTime<Utc>, n: u64, tz: Tz) -> DateTime<Utc> {
    let mut day = at.with_timezone(&tz).date_naive();
    let mut left = n;
    while left > 0 {
        day = day.succ_opt().unwrap_or(day);
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    end_of(day, tz)
}

/// A withdrawal's deadlines, as far as its steps have come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Deadlines {
    pub documents_due_at: Option<DateTime<Utc>>,
    pub act_sign_by: Option<DateTime<Utc>>,
    pub pay_by: Option<DateTime<Utc>>,
}

/// Whether `w` is paid out on the `RU_BANK` rail (the one with paperwork).
pub fn has_paperwork(w: &withdrawal::Model) -> bool {
    PayoutAccount::from_json(&w.requisites).is_some_and(|a| a.rail() == Rail::RuBank)
}

/// The deadlines of `w` in the brand's time zone; none on a rail without paperwork.
pub fn deadlines(w: &withdrawal::Model, tz: Tz) -> Deadlines {
    if !has_paperwork(w) {
        return Deadlines::default();
    }
    Deadlines {
        documents_due_at: Some(documents_due(w.created_at, tz)),
        act_sign_by: w
            .documents_sent_at
            .map(|at| business_days_after(at, ACT_SIGN_DAYS, tz)),
        pay_by: w
            .act_signed_at
            .map(|at| business_days_after(at, PAY_DAYS, tz)),
    }
}

/// The deadline of the step `w` is at: the documents while requested, the act once they
/// were sent, the payment once the act is signed; none once paid or rejected.
pub fn next_due(w: &withdrawal::Model, tz: Tz) -> Option<DateTime<Utc>> {
    let d = deadlines(w, tz);
    match w.status {
        WithdrawalStatus::Paid | WithdrawalStatus::Rejected => None,
        WithdrawalStatus::Requested => d.documents_due_at,
        WithdrawalStatus::DocumentsSent | WithdrawalStatus::Approved => d.pay_by.or(d.act_sign_by),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn documents_are_due_by_the_15th_of_the_next_month_in_the_brands_zone() {
        let moscow = zone("Europe/Moscow");
        assert_eq!(
            documents_due(utc("2026-11-20T10:00:00Z"), moscow),
            utc("2026-12-15T20:59:59Z")
        );
        // December rolls into January.
        assert_eq!(
            documents_due(utc("2026-12-31T10:00:00Z"), moscow),
            utc("2027-01-15T20:59:59Z")
        );
        // 23:30 UTC on 30 November is already 1 December in Moscow.
        assert_eq!(
            documents_due(utc("2026-11-30T23:30:00Z"), moscow),
            utc("2027-01-15T20:59:59Z")
        );
        assert_eq!(zone("Not/AZone"), Tz::UTC);
    }

    #[test]
    fn business_days_skip_weekends() {
        let berlin = zone("Europe/Berlin");
        // Thursday 3 December 2026: 5 business days later is Thursday 10 December.
        assert_eq!(
            business_days_after(utc("2026-12-03T09:00:00Z"), 5, berlin),
            utc("2026-12-10T22:59:59Z")
        );
        // From a Friday, 1 business day is the Monday.
        assert_eq!(
            business_days_after(utc("2026-12-04T09:00:00Z"), 1, berlin),
            utc("2026-12-07T22:59:59Z")
        );
        // 10 business days from Monday 7 December: Monday 21 December.
        assert_eq!(
            business_days_after(utc("2026-12-07T09:00:00Z"), 10, berlin),
            utc("2026-12-21T22:59:59Z")
        );
        // Across the change to summer time (29 March 2026 in Berlin): ends at 21:59:59 UTC.
        assert_eq!(
            business_days_after(utc("2026-03-27T09:00:00Z"), 1, berlin),
            utc("2026-03-30T21:59:59Z")
        );
    }
}
