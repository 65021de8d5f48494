//! The pricing function against SPEC §6, case by case.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use proptest::prelude::*;
use rust_decimal_macros::dec;

fn whatsapp() -> ChannelPrice {
    ChannelPrice {
        kind_id: 1,
        personal: true,
        monthly_price: dec!(1500.00),
    }
}

fn waba() -> ChannelPrice {
    ChannelPrice {
        kind_id: 2,
        personal: false,
        monthly_price: dec!(1000.00),
    }
}

fn new_lines(channels: Vec<ChannelPrice>, quantity: u32, months: u32) -> ItemKind {
    ItemKind::NewLines {
        channels,
        quantity,
        months,
        coin_package_price: None,
    }
}

fn input(items: Vec<ItemKind>, partner: Option<Decimal>) -> PricingInput {
    PricingInput {
        currency: "RUB".into(),
        items,
        partner_discount_percent: partner,
        reward_rate_percent: None,
        ladders: Ladders::default(),
    }
}

#[test]
fn the_spec_example_is_116400() {
    let p = price(&input(
        vec![new_lines(vec![whatsapp(), waba()], 10, 12)],
        Some(dec!(50)),
    ))
    .unwrap();
    assert_eq!(p.total, dec!(116400.00));
    assert_eq!(p.base, dec!(300000.00));
    let item = &p.items[0];
    // WhatsApp 180000 x 0.95 = 171000 (9000 saved); + WABA 120000 = 291000; x 0.80 =
    // 232800 (58200 saved); x 0.50 = 116400 (116400 saved).
    assert_eq!(
        item.discounts,
        vec![
            Discount {
                kind: DiscountKind::Volume,
                percent: dec!(5),
                amount: dec!(9000.00)
            },
            Discount {
                kind: DiscountKind::Period,
                percent: dec!(20),
                amount: dec!(58200.00)
            },
            Discount {
                kind: DiscountKind::Partner,
                percent: dec!(50),
                amount: dec!(116400.00)
            },
        ]
    );
    assert_eq!(p.partner_reward, dec!(0));
    assert_eq!(p.personal_channels, 10);
}

#[test]
fn volume_tiers_switch_at_their_boundaries() {
    for (n, pct) in [
        (9, 0),
        (10, 5),
        (19, 5),
        (20, 10),
        (39, 10),
        (40, 20),
        (74, 20),
        (75, 25),
        (99, 25),
        (100, 30),
    ] {
        let p = price(&input(vec![new_lines(vec![whatsapp()], n, 1)], None)).unwrap();
        let base = dec!(1500.00) * Decimal::from(n);
        let want = money::round(base * factor(Decimal::from(pct)), "RUB");
        assert_eq!(p.total, want, "{n} channels");
        assert_eq!(
            Ladders::default().volume_percent(u64::from(n)),
            Decimal::from(pct)
        );
    }
}

#[test]
fn volume_counts_personal_channels_across_the_whole_order_only() {
    // 5 + 5 personal channels in two items reach 10; WABA channels never count.
    let p = price(&input(
        vec![
            new_lines(vec![whatsapp(), waba()], 5, 1),
            ItemKind::Renewal {
                line_id: 7,
                channels: vec![whatsapp()],
                months: 1,
            },
            new_lines(vec![waba()], 50, 1),
        ],
        None,
    ))
    .unwrap();
    assert_eq!(p.personal_channels, 6);
    assert!(p.discounts.is_empty());
    let p = price(&input(
        vec![new_lines(vec![whatsapp(), waba()], 10, 1)],
        None,
    ))
    .unwrap();
    // Only WhatsApp is discounted: 15000 x 0.95 + 10000.
    assert_eq!(p.total, dec!(24250.00));
}

#[test]
fn period_discount_by_months() {
    for (months, pct) in [(1, 0), (3, 0), (6, 10), (12, 20)] {
        let p = price(&input(vec![new_lines(vec![waba()], 1, months)], None)).unwrap();
        let base = dec!(1000.00) * Decimal::from(months);
        assert_eq!(
            p.total,
            base * factor(Decimal::from(pct)),
            "{months} months"
        );
    }
    for months in [0, 2, 5, 7, 24] {
        let err = price(&input(vec![new_lines(vec![waba()], 1, months)], None)).unwrap_err();
        assert_eq!(err.field(), Some("months"));
    }
}

#[test]
fn additions_are_prorated_and_refused_under_six_days() {
    let add = |days| ItemKind::Addition {
        line_id: 1,
        channels: vec![whatsapp()],
        remaining_days: days,
    };
    let err = price(&input(vec![add(5)], None)).unwrap_err();
    assert_eq!(err.code(), code::LINE_EXPIRES_TOO_SOON);
    // 1500 x 12 / 365 x 6 = 295.890410... -> 295.89; no period discount on additions.
    let p = price(&input(vec![add(6)], Some(dec!(35)))).unwrap();
    assert_eq!(p.base, dec!(295.89));
    // x 0.65 = 192.32876... -> 192.33.
    assert_eq!(p.total, dec!(192.33));
    assert_eq!(p.items[0].discounts.len(), 1);
}

#[test]
fn rounding_is_half_away_from_zero_per_item() {
    // 0.05 x 1 month, 5 % volume at 10 lines: 0.50 x 0.95 = 0.475 -> 0.48.
    let cheap = ChannelPrice {
        kind_id: 3,
        personal: true,
        monthly_price: dec!(0.05),
    };
    let p = price(&input(vec![new_lines(vec![cheap], 10, 1)], None)).unwrap();
    assert_eq!(p.total, dec!(0.48));
}

#[test]
fn coins_are_at_list_price_and_reward_follows_the_payer() {
    let item = ItemKind::NewLines {
        channels: vec![waba()],
        quantity: 2,
        months: 12,
        coin_package_price: Some(dec!(990.00)),
    };
    let mut i = input(vec![item], None);
    i.reward_rate_percent = Some(dec!(20));
    let p = price(&i).unwrap();
    // 24000 x 0.80 + 2 x 990.
    assert_eq!(p.total, dec!(21180.00));
    assert_eq!(p.partner_reward, dec!(4236.00));
    // When the partner pays, its discount is its margin: no reward.
    i.partner_discount_percent = Some(dec!(35));
    let p = price(&i).unwrap();
    assert_eq!(p.total, dec!(14460.00));
    assert_eq!(p.partner_reward, dec!(0));
}

fn arb_channel() -> impl Strategy<Value = ChannelPrice> {
    (any::<bool>(), 0i64..500_000).prop_map(|(personal, minor)| ChannelPrice {
        kind_id: 1,
        personal,
        monthly_price: Decimal::new(minor, 2),
    })
}

fn arb_item() -> impl Strategy<Value = ItemKind> {
    let channels = || proptest::collection::vec(arb_channel(), 1..5);
    let months = || proptest::sample::select(Ladders::default().periods);
    prop_oneof![
        (
            channels(),
            1u32..120,
            months(),
            proptest::option::of(0i64..1_000_000)
        )
            .prop_map(|(channels, quantity, months, coins)| ItemKind::NewLines {
                channels,
                quantity,
                months,
                coin_package_price: coins.map(|c| Decimal::new(c, 2)),
            }),
        (channels(), months()).prop_map(|(channels, months)| ItemKind::Renewal {
            line_id: 1,
            channels,
            months
        }),
        (channels(), 6i64..400).prop_map(|(channels, remaining_days)| ItemKind::Addition {
            line_id: 1,
            channels,
            remaining_days
        }),
    ]
}

proptest! {
    #[test]
    fn totals_add_up_and_never_go_negative(
        items in proptest::collection::vec(arb_item(), 1..12),
        partner in proptest::option::of(0u32..=100),
        reward in proptest::option::of(0u32..=100),
        currency in proptest::sample::select(vec!["RUB", "JPY", "KWD"]),
    ) {
        let p = price(&PricingInput {
            currency: currency.into(),
            items,
            partner_discount_percent: partner.map(Decimal::from),
            reward_rate_percent: reward.map(Decimal::from),
            ladders: Ladders::default(),
        }).unwrap();
        let mut sum = Decimal::ZERO;
        for item in &p.items {
            let saved: Decimal = item.discounts.iter().map(|d| d.amount).sum();
            prop_assert!(item.total >= Decimal::ZERO);
            prop_assert!(item.discounts.iter().all(|d| d.amount >= Decimal::ZERO));
            prop_assert!(saved <= item.base);
            prop_assert_eq!(item.base - saved, item.total);
            prop_assert_eq!(money::round(item.total, currency), item.total);
            sum += item.total;
        }
        prop_assert_eq!(sum, p.total);
        let saved: Decimal = p.discounts.iter().map(|d| d.amount).sum();
        prop_assert_eq!(p.base - saved, p.total);
        prop_assert!(p.partner_reward >= Decimal::ZERO && p.partner_reward <= p.total);
        if partner.is_some() {
            prop_assert_eq!(p.partner_reward, Decimal::ZERO);
        }
    }
}

/// A brand's own ladders price the same order differently: 3 personal channels reach its
/// first volume tier (none of seed 001's), 24 months its period tier, and a period it
/// does not offer is refused naming the ones it does.
#[test]
fn a_brands_own_ladders_price_the_order() {
    use crate::tenancy::ladders::{LadderChanges, PeriodTier, VolumeTier};
    let ladders = Ladders::default()
        .changed(&LadderChanges {
            volume: Some(vec![VolumeTier {
                min_channels: 3,
                percent: dec!(15),
            }]),
            period: Some(vec![PeriodTier {
                min_months: 24,
                percent: dec!(12.5),
            }]),
            periods: Some(vec![1, 24]),
        })
        .unwrap();
    let order = |months| PricingInput {
        ladders: ladders.clone(),
        ..input(vec![new_lines(vec![whatsapp()], 3, months)], None)
    };
    let p = price(&order(24)).unwrap();
    // 1500.00 x 24 x 3 = 108,000.00; -15 % = 91,800.00; -12.5 % = 80,325.00.
    assert_eq!(p.base, dec!(108000.00));
    assert_eq!(p.total, dec!(80325.00));
    let kinds: Vec<(DiscountKind, Decimal)> =
        p.discounts.iter().map(|d| (d.kind, d.percent)).collect();
    assert_eq!(
        kinds,
        [
            (DiscountKind::Volume, dec!(15)),
            (DiscountKind::Period, dec!(12.5))
        ]
    );
    // Seed 001's ladders give neither discount to this order.
    let default = price(&input(vec![new_lines(vec![whatsapp()], 3, 12)], None)).unwrap();
    assert!(
        default
            .discounts
            .iter()
            .all(|d| d.kind == DiscountKind::Period)
    );
    match price(&order(12)) {
        Err(ApiError::BadInput { field, message }) => {
            assert_eq!(field, "months");
            assert_eq!(message, "choose 1 or 24 months");
        }
        other => panic!("12 months is not offered: {other:?}"),
    }
}
