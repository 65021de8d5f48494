//! A brand's payout rail (issue 28): how its partners' rewards are paid out, and the
//! smallest withdrawal. A rail pays in one currency (`RU_BANK` roubles, `SEPA` euros,
//! `PIX` reais), so a brand's rail must be its currency's; a brand that never chose one
//! pays on its currency's rail, and a currency without one has no payouts until a rail
//! is chosen (which means changing the currency first).

use crate::kernel::error::{ApiError, ApiResult};

/// The largest withdrawal (and so the largest minimum), in the currency's units.
pub const MAX_WITHDRAWAL: i64 = 100_000_000;

/// A payout rail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rail {
    RuBank,
    Sepa,
    Pix,
}

impl Rail {
    pub const ALL: [Rail; 3] = [Rail::RuBank, Rail::Sepa, Rail::Pix];

    pub fn as_str(self) -> &'static str {
        match self {
            Rail::RuBank => "RU_BANK",
            Rail::Sepa => "SEPA",
            Rail::Pix => "PIX",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The currency the rail pays in.
    pub fn currency(self) -> &'static str {
        match self {
            Rail::RuBank => "RUB",
            Rail::Sepa => "EUR",
            Rail::Pix => "BRL",
        }
    }

    /// The rail of `currency`, if one pays in it.
    pub fn of_currency(currency: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.currency() == currency)
    }

    /// The rail `tenant` pays out on: its own choice, else its currency's.
    pub fn of(tenant: &entities::tenant::Model) -> Option<Self> {
        tenant
            .payout_rail
            .as_deref()
            .and_then(Self::parse)
            .or_else(|| Self::of_currency(&tenant.currency))
    }

    /// `rail` for a brand counting in `currency`, or why not (on `field`).
    pub fn check(self, currency: &str, field: &str) -> ApiResult<Self> {
        if self.currency() != currency {
            return Err(ApiError::bad_input(
                field,
                format!(
                    "{} pays out in {}; this brand counts in {currency}",
                    self.as_str(),
                    self.currency()
                ),
            ));
        }
        Ok(self)
    }
}

/// The smallest withdrawal of `tenant`, in minor units: its own setting, else 5000.00
/// for roubles and 50.00 in any other currency.
pub fn withdrawal_minimum_minor(tenant: &entities::tenant::Model) -> i64 {
    tenant.withdrawal_minimum_minor.unwrap_or_else(|| {
        let units = if tenant.currency == "RUB" { 5000 } else { 50 };
        entities::money::to_minor(rust_decimal::Decimal::from(units), &tenant.currency).unwrap_or(0)
    })
}
