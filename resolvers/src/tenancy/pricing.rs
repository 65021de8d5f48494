//! GraphQL of a brand's price ladders (`Tenant.pricing`, `updateTenant(input: {pricing})`):
//! the volume discount by personal channels in an order, the period discount by months,
//! and the periods a line is sold for. Public, like the price list they apply to.

use async_graphql::{InputObject, SimpleObject};
use domain::tenancy::ladders::{self, Ladders};
use rust_decimal::Decimal;

use crate::money::Percent;

/// A brand's discount ladders and the periods it sells lines for. A tier applies from its
/// threshold up to the next tier's; below the first tier there is no discount.
#[derive(SimpleObject)]
pub struct PriceLadders {
    /// The volume discount on personal channels, by the personal channels in the whole
    /// order (channels x quantity), thresholds ascending.
    pub volume_tiers: Vec<VolumeTier>,
    /// The period discount on new lines and renewals, by months, thresholds ascending.
    pub period_tiers: Vec<PeriodTier>,
    /// The periods a line is bought or renewed for, in months, ascending.
    pub periods: Vec<i32>,
}

/// From `minChannels` personal channels in an order, `percent` off.
#[derive(SimpleObject)]
pub struct VolumeTier {
    pub min_channels: i32,
    pub percent: Decimal,
}

/// From `minMonths`, `percent` off.
#[derive(SimpleObject)]
pub struct PeriodTier {
    pub min_months: i32,
    pub percent: Decimal,
}

impl From<Ladders> for PriceLadders {
    fn from(l: Ladders) -> Self {
        let int = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        Self {
            volume_tiers: l
                .volume
                .into_iter()
                .map(|t| VolumeTier {
                    min_channels: int(t.min_channels),
                    percent: t.percent,
                })
                .collect(),
            period_tiers: l
                .period
                .into_iter()
                .map(|t| PeriodTier {
                    min_months: int(t.min_months),
                    percent: t.percent,
                })
                .collect(),
            periods: l.periods.into_iter().map(int).collect(),
        }
    }
}

/// New ladders for `updateTenant`; an omitted list stays as it is, a given one replaces
/// it whole (an empty tier list means no such discount). Thresholds rise strictly,
/// percentages (0 to 100, two decimals at most) never fall; periods are 1 to 36 months,
/// ascending. A refusal names the field, such as `pricing.volumeTiers[2].percent`.
#[derive(InputObject)]
pub struct PricingInput {
    /// The volume ladder (at most 20 tiers; `minChannels` from 1).
    pub volume_tiers: Option<Vec<VolumeTierInput>>,
    /// The period ladder (at most 20 tiers; `minMonths` 1 to 36).
    pub period_tiers: Option<Vec<PeriodTierInput>>,
    /// The periods offered (one to twelve).
    pub periods: Option<Vec<i32>>,
}

/// A volume tier.
#[derive(InputObject)]
pub struct VolumeTierInput {
    pub min_channels: i32,
    pub percent: Percent,
}

/// A period tier.
#[derive(InputObject)]
pub struct PeriodTierInput {
    pub min_months: i32,
    pub percent: Percent,
}

/// A count from the API; a negative one becomes 0, which the checks refuse by name.
fn count(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

impl From<PricingInput> for ladders::LadderChanges {
    fn from(i: PricingInput) -> Self {
        Self {
            volume: i.volume_tiers.map(|tiers| {
                tiers
                    .into_iter()
                    .map(|t| ladders::VolumeTier {
                        min_channels: count(t.min_channels),
                        percent: t.percent.0,
                    })
                    .collect()
            }),
            period: i.period_tiers.map(|tiers| {
                tiers
                    .into_iter()
                    .map(|t| ladders::PeriodTier {
                        min_months: count(t.min_months),
                        percent: t.percent.0,
                    })
                    .collect()
            }),
            periods: i.periods.map(|p| p.into_iter().map(count).collect()),
        }
    }
}
