//! The pure pricing function behind `quote` and `createOrder`
//! (`domain::orders::pricing::price`) on a renewal of 1,002 lines of three channels each
//! (two personal), 12 months, paid by a partner: every discount applies.
//!
//! Run with `cargo bench --bench pricing`; results are in docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use domain::orders::pricing::{ChannelPrice, ItemKind, PricingInput, price};
use rust_decimal::Decimal;

fn renewal(lines: i64) -> PricingInput {
    let channel = |kind_id: i64, personal: bool, price: i64| ChannelPrice {
        kind_id,
        personal,
        monthly_price: Decimal::new(price, 2),
    };
    PricingInput {
        currency: "RUB".into(),
        items: (0..lines)
            .map(|line_id| ItemKind::Renewal {
                line_id,
                channels: vec![
                    channel(1, true, 150_000),
                    channel(2, true, 90_000),
                    channel(4, false, 100_000),
                ],
                months: 12,
            })
            .collect(),
        partner_discount_percent: Some(Decimal::new(35, 0)),
        reward_rate_percent: None,
        ladders: Default::default(),
    }
}

fn bench(c: &mut Criterion) {
    let input = renewal(1002);
    let priced = price(&input).unwrap();
    assert_eq!(priced.items.len(), 1002);
    c.bench_function("pricing/renewal_1002_lines", |b| {
        b.iter(|| price(black_box(&input)).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
