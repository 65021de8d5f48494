//! The price of an order: one pure function, [`price`], used by both `quote` and
//! `createOrder`, so what a partner is quoted is what the order snapshots. SPEC §6:
//!
//! 1. Base per channel: `monthlyPrice * months * quantity` for new lines and renewals; for
//!    additions, `monthlyPrice * 12 / 365 * remainingDays` (refused under 6 days left).
//! 2. Volume discount on personal channels, by the personal channels in the whole order
//!    (channels x quantity, summed over every item), from the brand's ladder (seed 001's
//!    by default: 10-19 5 %, 20-39 10 %, 40-74 20 %, 75-99 25 %, 100+ 30 %).
//! 3. Period discount on new lines and renewals, from the brand's ladder (by default 6-11
//!    months 10 %, 12 months 20 %), for the periods the brand offers.
//! 4. Partner discount (the tier's percentage) on every channel amount when the partner
//!    pays.
//! 5. Multiplicative in that order on each channel amount; ChatCoins at list price; each
//!    item's total rounded to the currency's minor unit, half away from zero; the order's
//!    total is the sum of its items'.
//!
//! Each discount's amount is the difference between the item's running amount, rounded,
//! before and after it, so `base - sum(discounts) == total` holds exactly for every item
//! and for the order, and no amount is ever negative.

use entities::money;
use rust_decimal::Decimal;

use crate::kernel::error::{ApiError, ApiResult, code};

pub use crate::tenancy::ladders::Ladders;

/// Additions to a line with fewer days left than this are refused.
pub const MIN_DAYS_FOR_ADDITION: i64 = 6;

/// A channel kind as priced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelPrice {
    pub kind_id: i64,
    /// Counts toward the volume discount.
    pub personal: bool,
    pub monthly_price: Decimal,
}

/// What an item buys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKind {
    /// `quantity` identical new lines of `channels` for `months`, with an optional
    /// ChatCoins package each.
    NewLines {
        channels: Vec<ChannelPrice>,
        quantity: u32,
        months: u32,
        coin_package_price: Option<Decimal>,
    },
    /// One line renewed for `months`, with all its channels.
    Renewal {
        line_id: i64,
        channels: Vec<ChannelPrice>,
        months: u32,
    },
    /// Channels added to a running line until it expires.
    Addition {
        line_id: i64,
        channels: Vec<ChannelPrice>,
        remaining_days: i64,
    },
}

impl ItemKind {
    fn channels(&self) -> &[ChannelPrice] {
        match self {
            ItemKind::NewLines { channels, .. }
            | ItemKind::Renewal { channels, .. }
            | ItemKind::Addition { channels, .. } => channels,
        }
    }

    fn quantity(&self) -> u32 {
        match self {
            ItemKind::NewLines { quantity, .. } => *quantity,
            _ => 1,
        }
    }

    fn months(&self) -> Option<u32> {
        match self {
            ItemKind::NewLines { months, .. } | ItemKind::Renewal { months, .. } => Some(*months),
            ItemKind::Addition { .. } => None,
        }
    }
}

/// What is priced: the items, who pays, and the rates that apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricingInput {
    /// ISO 4217; decides the rounding.
    pub currency: String,
    pub items: Vec<ItemKind>,
    /// The partner's tier percentage when the partner pays (`35` for 35 %); `None` when
    /// the client pays.
    pub partner_discount_percent: Option<Decimal>,
    /// The reward rate of the client's origin when the client pays and has a partner
    /// (`20` for 20 %); `None` otherwise.
    pub reward_rate_percent: Option<Decimal>,
    /// The brand's discount ladders and the periods it offers.
    pub ladders: Ladders,
}

/// The kinds of discount, in the order they apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DiscountKind {
    Volume,
    Period,
    Partner,
}

/// One applied discount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discount {
    pub kind: DiscountKind,
    pub percent: Decimal,
    /// What it saves, in the currency.
    pub amount: Decimal,
}

/// A priced item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedItem {
    pub item: ItemKind,
    pub base: Decimal,
    pub discounts: Vec<Discount>,
    pub total: Decimal,
}

/// A priced order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priced {
    pub currency: String,
    pub items: Vec<PricedItem>,
    pub base: Decimal,
    /// Per kind and percentage, summed over the items.
    pub discounts: Vec<Discount>,
    pub total: Decimal,
    /// What paying the order accrues to the client's partner.
    pub partner_reward: Decimal,
    /// Personal channels in the whole order (what the volume discount went by).
    pub personal_channels: u64,
}

fn factor(percent: Decimal) -> Decimal {
    Decimal::ONE - percent / Decimal::ONE_HUNDRED
}

fn check_percent(field: &str, p: Decimal) -> ApiResult<()> {
    if p < Decimal::ZERO || p > Decimal::ONE_HUNDRED {
        return Err(ApiError::bad_input(field, "must be between 0 and 100"));
    }
    Ok(())
}

fn check(input: &PricingInput) -> ApiResult<()> {
    if let Some(p) = input.partner_discount_percent {
        check_percent("partnerDiscount", p)?;
    }
    if let Some(p) = input.reward_rate_percent {
        check_percent("rewardRate", p)?;
    }
    for item in &input.items {
        if item.channels().is_empty() {
            return Err(ApiError::bad_input(
                "channelKinds",
                "choose at least one channel",
            ));
        }
        if item
            .channels()
            .iter()
            .any(|c| c.monthly_price < Decimal::ZERO)
        {
            return Err(ApiError::bad_input(
                "monthlyPrice",
                "a price cannot be negative",
            ));
        }
        if let Some(m) = item.months()
            && !input.ladders.periods.contains(&m)
        {
            return Err(ApiError::bad_input(
                "months",
                format!("choose {} months", input.ladders.periods_text()),
            ));
        }
        match item {
            ItemKind::NewLines {
                quantity,
                coin_package_price,
                ..
            } => {
                if !(1..=1000).contains(quantity) {
                    return Err(ApiError::bad_input(
                        "quantity",
                        "must be between 1 and 1000",
                    ));
                }
                if coin_package_price.is_some_and(|p| p < Decimal::ZERO) {
                    return Err(ApiError::bad_input(
                        "coinPackage",
                        "a price cannot be negative",
                    ));
                }
            }
            ItemKind::Addition { remaining_days, .. }
                if *remaining_days < MIN_DAYS_FOR_ADDITION =>
            {
                return Err(ApiError::domain(
                    code::LINE_EXPIRES_TOO_SOON,
                    Some("channelAdditions"),
                    "the line expires in less than 6 days: renew it first, then add channels",
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Prices an order. Pure: no clock, no database; the caller supplies prices, remaining
/// days and rates as they are now.
pub fn price(input: &PricingInput) -> ApiResult<Priced> {
    check(input)?;
    let cur = input.currency.as_str();
    let personal: u64 = input
        .items
        .iter()
        .map(|i| {
            i.channels().iter().filter(|c| c.personal).count() as u64 * u64::from(i.quantity())
        })
        .sum();
    let volume = input.ladders.volume_percent(personal);
    let partner = input.partner_discount_percent.unwrap_or(Decimal::ZERO);
    let days_in_year = Decimal::from(365);

    let mut items = Vec::with_capacity(input.items.len());
    for item in &input.items {
        let quantity = Decimal::from(item.quantity());
        let period = item
            .months()
            .map(|m| input.ladders.period_percent(m))
            .unwrap_or(Decimal::ZERO);
        // Running amounts after each stage, exact.
        let mut stages = [Decimal::ZERO; 4];
        let (mut volume_applies, mut partner_applies) = (false, false);
        for c in item.channels() {
            let base = match item {
                ItemKind::NewLines { months, .. } | ItemKind::Renewal { months, .. } => {
                    c.monthly_price * Decimal::from(*months) * quantity
                }
                ItemKind::Addition { remaining_days, .. } => {
                    c.monthly_price * Decimal::from(12) * Decimal::from(*remaining_days)
                        / days_in_year
                }
            };
            let after_volume = if c.personal {
                base * factor(volume)
            } else {
                base
            };
            let after_period = after_volume * factor(period);
            let after_partner = after_period * factor(partner);
            volume_applies |= c.personal && !volume.is_zero() && !base.is_zero();
            partner_applies |= !partner.is_zero() && !base.is_zero();
            stages[0] += base;
            stages[1] += after_volume;
            stages[2] += after_period;
            stages[3] += after_partner;
        }
        let rounded = stages.map(|s| money::round(s, cur));
        let mut discounts = Vec::new();
        let applied = [
            (DiscountKind::Volume, volume, volume_applies),
            (
                DiscountKind::Period,
                period,
                !period.is_zero() && !stages[0].is_zero(),
            ),
            (DiscountKind::Partner, partner, partner_applies),
        ];
        for (i, (kind, percent, applies)) in applied.into_iter().enumerate() {
            if applies {
                discounts.push(Discount {
                    kind,
                    percent,
                    amount: rounded[i] - rounded[i + 1],
                });
            }
        }
        let coins = match item {
            ItemKind::NewLines {
                coin_package_price: Some(p),
                ..
            } => money::round(*p * quantity, cur),
            _ => Decimal::ZERO,
        };
        items.push(PricedItem {
            item: item.clone(),
            base: rounded[0] + coins,
            discounts,
            total: rounded[3] + coins,
        });
    }

    let base: Decimal = items.iter().map(|i| i.base).sum();
    let total: Decimal = items.iter().map(|i| i.total).sum();
    let mut discounts: Vec<Discount> = Vec::new();
    for d in items.iter().flat_map(|i| &i.discounts) {
        match discounts
            .iter_mut()
            .find(|x| x.kind == d.kind && x.percent == d.percent)
        {
            Some(x) => x.amount += d.amount,
            None => discounts.push(d.clone()),
        }
    }
    discounts.sort_by(|a, b| a.kind.cmp(&b.kind).then(a.percent.cmp(&b.percent)));
    let partner_reward = match (input.partner_discount_percent, input.reward_rate_percent) {
        (None, Some(rate)) => money::round(total * rate / Decimal::ONE_HUNDRED, cur),
        _ => Decimal::ZERO,
    };
    Ok(Priced {
        currency: input.currency.clone(),
        items,
        base,
        discounts,
        total,
        partner_reward,
        personal_channels: personal,
    })
}

#[cfg(test)]
#[path = "pricing_tests.rs"]
mod tests;
