//! The `Money` scalar: an exact decimal amount sent as a string (`"1500.00"`). Input may
//! be a string or an integer; a JSON float is refused, because by the time it is parsed
//! it has been through binary floating point (async-graphql's `Decimal` accepts floats
//! through `f64`). The currency is the tenant's, named next to the amount where it matters.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use rust_decimal::Decimal;

/// An exact amount of money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money(pub Decimal);

/// An exact amount of money in the tenant's currency, as a decimal string such as
/// `"1500.00"`. Integers are accepted on input; floats are not.
#[Scalar(name = "Money")]
impl ScalarType for Money {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => {
                s.trim().parse::<Decimal>().map(Money).map_err(|_| {
                    InputValueError::custom("not a decimal amount such as \"1500.00\"")
                })
            }
            Value::Number(n) if n.is_i64() => n
                .as_i64()
                .map(|i| Money(Decimal::from(i)))
                .ok_or_else(|| InputValueError::custom("not an amount")),
            Value::Number(_) => Err(InputValueError::custom(
                "send amounts as strings such as \"1500.00\": floats are not exact",
            )),
            _ => Err(InputValueError::expected_type(value)),
        }
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
        match &value {
            Value::String(s) => s
                .trim()
                .parse::<Decimal>()
                .map(Percent)
                .map_err(|_| InputValueError::custom("not a percentage such as \"12.5\"")),
            Value::Number(n) if n.is_i64() => n
                .as_i64()
                .map(|i| Percent(Decimal::from(i)))
                .ok_or_else(|| InputValueError::custom("not a percentage")),
            Value::Number(_) => Err(InputValueError::custom(
                "send percentages as strings such as \"12.5\": floats are not exact",
            )),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}
