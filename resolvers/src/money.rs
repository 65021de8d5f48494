//! The `Money` scalar: an exact decimal amount sent as a string (`"1500.00"`). Input may
//! be a string or an integer; a JSON float is refused, because by the time it is parsed
//! it has been through binary floating point (async-graphql's `Decimal` accepts floats
//! through `f64`). The currency is the tenant's, named next to the amount where it matters.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use rust_decimal::Decimal;

/// A decimal read exactly: a string or an integer; a JSON float is refused (it has been
/// through binary floating point before it reaches us). `what`, `many` and `example` name
/// the value in the refusal.
fn exact_decimal<T: async_graphql::InputType>(
    value: Value,
    what: &str,
    many: &str,
    example: &str,
    make: fn(Decimal) -> T,
) -> InputValueResult<T> {
    match &value {
        Value::String(s) => s
            .trim()
            .parse::<Decimal>()
            .map(make)
            .map_err(|_| InputValueError::custom(format!("not {what} such as \"{example}\""))),
        Value::Number(n) if n.is_i64() => n
            .as_i64()
            .map(|i| make(Decimal::from(i)))
            .ok_or_else(|| InputValueError::custom(format!("not {what}"))),
        Value::Number(_) => Err(InputValueError::custom(format!(
            "send {many} as strings such as \"{example}\": floats are not exact"
        ))),
        _ => Err(InputValueError::expected_type(value)),
    }
}

/// An exact amount of money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money(pub Decimal);

/// An exact amount of money in the tenant's currency, as a decimal string such as
/// `"1500.00"`. Integers are accepted on input; floats are not.
#[Scalar(name = "Money")]
impl ScalarType for Money {
    fn parse(value: Value) -> InputValueResult<Self> {
        exact_decimal(value, "a decimal amount", "amounts", "1500.00", Money)
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

impl From<Decimal> for Money {
    fn from(d: Decimal) -> Self {
        Money(d)
    }
}

/// A percentage sent as a decimal string (`"12.5"`) or an integer. Like [`Money`], a JSON
/// float is refused: it has been through binary floating point before it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Percent(pub Decimal);

/// A percentage, as a decimal string such as `"12.5"`; integers are accepted on input,
/// floats are not.
#[Scalar(name = "Percent")]
impl ScalarType for Percent {
    fn parse(value: Value) -> InputValueResult<Self> {
        exact_decimal(value, "a percentage", "percentages", "12.5", Percent)
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}
