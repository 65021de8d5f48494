//! A brand's price ladders (issue 28): the volume discount by personal channels in an
//! order, the period discount by months, and the periods a line is sold for. Set with
//! `updateTenant(input: {pricing})` by the brand's admins, stored on the tenant as JSON and
//! validated on the way in; a brand that never set them prices with seed 001's ladders
//! (SPEC §6), so the SPEC example (116,400.00) holds on a brand with the defaults.
//!
//! A ladder is a list of tiers, each from a threshold up: the tier that applies is the
//! last one whose threshold is reached (none reached: no discount). Thresholds rise
//! strictly and percentages never fall, so buying more never costs more per channel.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::kernel::error::{ApiError, ApiResult};

/// The longest period a line is sold for, in months.
pub const MAX_MONTHS: u32 = 36;
/// The most tiers in one ladder.
pub const MAX_TIERS: usize = 20;

/// A volume tier: from `min_channels` personal channels in an order, `percent` off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeTier {
    pub min_channels: u32,
    pub percent: Decimal,
}

/// A period tier: from `min_months`, `percent` off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodTier {
    pub min_months: u32,
    pub percent: Decimal,
}

/// A brand's ladders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ladders {
    pub volume: Vec<VolumeTier>,
    pub period: Vec<PeriodTier>,
    /// The periods offered, in months, ascending.
    pub periods: Vec<u32>,
}

impl Default for Ladders {
    /// Seed 001's: 10-19 personal channels 5 %, 20-39 10 %, 40-74 20 %, 75-99 25 %,
    /// 100+ 30 %; 6-11 months 10 %, 12+ 20 %; 1, 3, 6 or 12 months.
    fn default() -> Self {
        let volume = [(10, 5), (20, 10), (40, 20), (75, 25), (100, 30)]
            .map(|(min_channels, p)| VolumeTier {
                min_channels,
                percent: Decimal::from(p),
            })
            .to_vec();
        let period = [(6, 10), (12, 20)]
            .map(|(min_months, p)| PeriodTier {
                min_months,
                percent: Decimal::from(p),
            })
            .to_vec();
        Self {
            volume,
            period,
            periods: vec![1, 3, 6, 12],
        }
    }
}

/// Changes to a brand's ladders; `None` keeps that part.
#[derive(Debug, Clone, Default)]
pub struct LadderChanges {
    pub volume: Option<Vec<VolumeTier>>,
    pub period: Option<Vec<PeriodTier>>,
    pub periods: Option<Vec<u32>>,
}

impl Ladders {
    /// The ladders of `tenant`: its own, or the defaults. What is stored was validated on
    /// write; a document that no longer reads (a hand edit) prices with the defaults and
    /// says so in the log rather than failing every quote.
    pub fn of(tenant: &entities::tenant::Model) -> Self {
        let Some(doc) = &tenant.price_ladders else {
            return Self::default();
        };
        serde_json::from_str(doc).unwrap_or_else(|e| {
            tracing::error!(tenant = tenant.id, error = %e, "unreadable price ladders; using the defaults");
            Self::default()
        })
    }

    /// The volume discount for `personal` personal channels in an order, in percent.
    pub fn volume_percent(&self, personal: u64) -> Decimal {
        self.volume
            .iter()
            .rev()
            .find(|t| u64::from(t.min_channels) <= personal)
            .map_or(Decimal::ZERO, |t| t.percent)
    }

    /// The period discount for `months`, in percent.
    pub fn period_percent(&self, months: u32) -> Decimal {
        self.period
            .iter()
            .rev()
            .find(|t| t.min_months <= months)
            .map_or(Decimal::ZERO, |t| t.percent)
    }

    /// The periods offered, as people read them ("1, 3, 6 or 12").
    pub fn periods_text(&self) -> String {
        let all: Vec<String> = self.periods.iter().map(u32::to_string).collect();
        match all.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => all.join(""),
        }
    }

    /// These ladders with `changes` applied and checked; the error names the field.
    pub fn changed(&self, changes: &LadderChanges) -> ApiResult<Self> {
        let mut next = Self {
            volume: changes
                .volume
                .clone()
                .unwrap_or_else(|| self.volume.clone()),
            period: changes
                .period
                .clone()
                .unwrap_or_else(|| self.period.clone()),
            periods: changes
                .periods
                .clone()
                .unwrap_or_else(|| self.periods.clone()),
        };
        // "10.000" is 10: stored and shown without trailing zeros.
        for t in &mut next.volume {
            t.percent = t.percent.normalize();
        }
        for t in &mut next.period {
            t.percent = t.percent.normalize();
        }
        let volume: Vec<(u32, Decimal)> = next
            .volume
            .iter()
            .map(|t| (t.min_channels, t.percent))
            .collect();
        check_tiers("pricing.volumeTiers", "minChannels", &volume, 1..=100_000)?;
        let period: Vec<(u32, Decimal)> = next
            .period
            .iter()
            .map(|t| (t.min_months, t.percent))
            .collect();
        check_tiers("pricing.periodTiers", "minMonths", &period, 1..=MAX_MONTHS)?;
        check_periods(&next.periods)?;
        Ok(next)
    }

    /// As stored on the tenant.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Tiers: at most [`MAX_TIERS`], thresholds within `range` and rising strictly,
/// percentages from 0 to 100 with at most two decimals and never falling.
fn check_tiers(
    field: &str,
    threshold: &str,
    tiers: &[(u32, Decimal)],
    range: std::ops::RangeInclusive<u32>,
) -> ApiResult<()> {
    if tiers.len() > MAX_TIERS {
        return Err(ApiError::bad_input(
            field,
            format!("at most {MAX_TIERS} tiers"),
        ));
    }
    for (i, (min, percent)) in tiers.iter().enumerate() {
        let at = |part: &str| format!("{field}[{i}].{part}");
        if !range.contains(min) {
            return Err(ApiError::bad_input(
                &at(threshold),
                format!("from {} to {}", range.start(), range.end()),
            ));
        }
        if *percent < Decimal::ZERO
            || *percent > Decimal::ONE_HUNDRED
            || percent.normalize().scale() > 2
        {
            return Err(ApiError::bad_input(
                &at("percent"),
                "a percentage from 0 to 100 with at most two decimals",
            ));
        }
        if let Some((prev_min, prev_percent)) = i.checked_sub(1).map(|p| tiers[p]) {
            if *min <= prev_min {
                return Err(ApiError::bad_input(
                    &at(threshold),
                    "tiers go up: each threshold above the one before",
                ));
            }
            if *percent < prev_percent {
                return Err(ApiError::bad_input(
                    &at("percent"),
                    "a higher tier cannot give less than the one before",
                ));
            }
        }
    }
    Ok(())
}

/// Periods: one to twelve of them, each 1 to [`MAX_MONTHS`] months, rising strictly.
fn check_periods(periods: &[u32]) -> ApiResult<()> {
    if periods.is_empty() || periods.len() > 12 {
        return Err(ApiError::bad_input(
            "pricing.periods",
            "offer from one to twelve periods",
        ));
    }
    for (i, m) in periods.iter().enumerate() {
        if !(1..=MAX_MONTHS).contains(m) {
            return Err(ApiError::bad_input(
                &format!("pricing.periods[{i}]"),
                format!("from 1 to {MAX_MONTHS} months"),
            ));
        }
        if i > 0 && *m <= periods[i - 1] {
            return Err(ApiError::bad_input(
                &format!("pricing.periods[{i}]"),
                "periods go up: each longer than the one before",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_seed_001s_ladders() {
        let l = Ladders::default();
        let volume: Vec<u32> = [0, 9, 10, 19, 20, 39, 40, 74, 75, 99, 100, 1000]
            .map(|n| l.volume_percent(n).try_into().unwrap())
            .to_vec();
        assert_eq!(volume, [0, 0, 5, 5, 10, 10, 20, 20, 25, 25, 30, 30]);
        let period: Vec<u32> = [1, 5, 6, 11, 12, 36]
            .map(|m| l.period_percent(m).try_into().unwrap())
            .to_vec();
        assert_eq!(period, [0, 0, 10, 10, 20, 20]);
        assert_eq!(l.periods_text(), "1, 3, 6 or 12");
        assert_eq!(l.changed(&LadderChanges::default()).unwrap(), l);
    }

    fn field_of(changes: LadderChanges) -> String {
        match Ladders::default().changed(&changes) {
            Err(ApiError::BadInput { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    fn tiers(t: &[(u32, i64)]) -> Vec<VolumeTier> {
        t.iter()
            .map(|(m, p)| VolumeTier {
                min_channels: *m,
                percent: Decimal::from(*p),
            })
            .collect()
    }

    #[test]
    fn bad_ladders_are_refused_naming_the_field() {
        let volume = |t: &[(u32, i64)]| LadderChanges {
            volume: Some(tiers(t)),
            ..Default::default()
        };
        assert_eq!(
            field_of(volume(&[(5, 5), (5, 10)])),
            "pricing.volumeTiers[1].minChannels"
        );
        assert_eq!(
            field_of(volume(&[(5, 10), (8, 5)])),
            "pricing.volumeTiers[1].percent"
        );
        assert_eq!(
            field_of(volume(&[(5, 101)])),
            "pricing.volumeTiers[0].percent"
        );
        assert_eq!(
            field_of(volume(&[(0, 5)])),
            "pricing.volumeTiers[0].minChannels"
        );
        let fine = LadderChanges {
            volume: Some(tiers(&[(5, 5)])),
            ..Default::default()
        };
        let mut odd = fine.clone();
        odd.volume.as_mut().unwrap()[0].percent = Decimal::new(12_345, 3);
        assert_eq!(field_of(odd), "pricing.volumeTiers[0].percent");
        let period = LadderChanges {
            period: Some(vec![PeriodTier {
                min_months: 37,
                percent: Decimal::ONE,
            }]),
            ..Default::default()
        };
        assert_eq!(field_of(period), "pricing.periodTiers[0].minMonths");
        let periods = |p: Vec<u32>| LadderChanges {
            periods: Some(p),
            ..Default::default()
        };
        assert_eq!(field_of(periods(vec![])), "pricing.periods");
        assert_eq!(field_of(periods(vec![1, 37])), "pricing.periods[1]");
        assert_eq!(field_of(periods(vec![3, 3])), "pricing.periods[1]");
        assert_eq!(field_of(periods(vec![0])), "pricing.periods[0]");
        // Empty ladders are allowed (no discount), and one part changes alone.
        let none = Ladders::default()
            .changed(&LadderChanges {
                volume: Some(vec![]),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(none.volume_percent(500), Decimal::ZERO);
        assert_eq!(none.period, Ladders::default().period);
    }

    #[test]
    fn the_last_tier_reached_applies_and_a_stored_ladder_reads_back() {
        let l = Ladders::default()
            .changed(&LadderChanges {
                volume: Some(tiers(&[(3, 7), (50, 12)])),
                period: Some(vec![PeriodTier {
                    min_months: 24,
                    percent: Decimal::new(155, 1),
                }]),
                periods: Some(vec![1, 12, 24]),
            })
            .unwrap();
        assert_eq!(l.volume_percent(2), Decimal::ZERO);
        assert_eq!(l.volume_percent(3), Decimal::from(7));
        assert_eq!(l.volume_percent(49), Decimal::from(7));
        assert_eq!(l.volume_percent(50), Decimal::from(12));
        assert_eq!(l.period_percent(12), Decimal::ZERO);
        assert_eq!(l.period_percent(24), Decimal::new(155, 1));
        assert_eq!(l.periods_text(), "1, 12 or 24");
        let tenant = entities::tenant::Model {
            price_ladders: Some(l.to_json()),
            ..crate::kernel::links::tests_tenant()
        };
        assert_eq!(Ladders::of(&tenant), l);
        let broken = entities::tenant::Model {
            price_ladders: Some("{".into()),
            ..crate::kernel::links::tests_tenant()
        };
        assert_eq!(Ladders::of(&broken), Ladders::default());
    }
}
