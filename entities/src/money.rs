//! Money as stored: integer minor units (kopecks, cents) next to an ISO 4217 currency.
//! sea-orm reads `Decimal` columns through `f64` on SQLite, which is not exact, so amounts
//! never go into the database as `Decimal`; they go in as `i64` minor units, exact on
//! both backends, and come out through [`from_minor`].

use rust_decimal::{Decimal, RoundingStrategy};

/// An amount cannot be stored exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("the amount has more decimal places than the currency allows")]
    TooPrecise,
    #[error("the amount is too large")]
    TooLarge,
}

/// Digits after the decimal point of a currency's minor unit (ISO 4217).
pub fn minor_digits(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "UGX" | "XAF" | "XOF" | "PYG" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" | "IQD" | "LYD" => 3,
        _ => 2,
    }
}

/// Rounds to the currency's minor unit, half away from zero.
pub fn round(amount: Decimal, currency: &str) -> Decimal {
    amount.round_dp_with_strategy(
        minor_digits(currency),
        RoundingStrategy::MidpointAwayFromZero,
    )
}

/// The amount in minor units; refuses amounts that would lose a digit.
pub fn to_minor(amount: Decimal, currency: &str) -> Result<i64, MoneyError> {
    let digits = minor_digits(currency);
    if round(amount, currency) != amount {
        return Err(MoneyError::TooPrecise);
    }
    let scaled = amount
        .checked_mul(Decimal::from(10i64.pow(digits)))
        .ok_or(MoneyError::TooLarge)?;
    i64::try_from(scaled.normalize()).map_err(|_| MoneyError::TooLarge)
}

/// The amount of `minor` units, with exactly the currency's number of decimal places.
pub fn from_minor(minor: i64, currency: &str) -> Decimal {
    Decimal::new(minor, minor_digits(currency))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn round_trips_exactly() {
        for s in [
            "0",
            "0.01",
            "0.10",
            "116400.00",
            "68400",
            "-5000.55",
            "92233720368547758.07",
        ] {
            let minor = to_minor(d(s), "RUB").unwrap();
            assert_eq!(from_minor(minor, "RUB"), d(s), "{s}");
            assert_eq!(
                from_minor(minor, "RUB")
                    .to_string()
                    .split('.')
                    .nth(1)
                    .map(str::len),
                Some(2)
            );
        }
        assert_eq!(to_minor(d("0.1") + d("0.2"), "RUB").unwrap(), 30);
        assert_eq!(to_minor(d("1500"), "JPY").unwrap(), 1500);
        assert_eq!(to_minor(d("1.234"), "KWD").unwrap(), 1234);
    }

    #[test]
    fn refuses_what_it_cannot_store() {
        assert_eq!(to_minor(d("0.001"), "RUB"), Err(MoneyError::TooPrecise));
        assert_eq!(to_minor(d("1.5"), "JPY"), Err(MoneyError::TooPrecise));
        assert_eq!(
            to_minor(d("92233720368547758.08"), "RUB"),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round(d("0.005"), "RUB"), d("0.01"));
        assert_eq!(round(d("-0.005"), "RUB"), d("-0.01"));
        assert_eq!(round(d("0.0049"), "RUB"), d("0.00"));
        assert_eq!(round(d("2.5"), "JPY"), d("3"));
    }
}
