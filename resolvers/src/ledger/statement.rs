//! `Partner.statement(month:)`: a month of the partner's rewards account, the report an act
//! is drawn up from, with a signed link to its CSV (`domain::ledger::statement`).

use async_graphql::Object;
use domain::ledger::statement::Statement;
use entities::money;

use crate::money::Money;

/// A month of the partner's rewards account, in the brand's time zone. `closingBalance =
/// openingBalance + rewards - reversals - spent - withdrawn`; holds of withdrawals not yet
/// paid are not movements of it.
pub struct PartnerStatement {
    pub statement: Statement,
    pub csv_url: String,
}

impl PartnerStatement {
    fn amount(&self, minor: i64) -> Money {
        Money(money::from_minor(minor, &self.statement.currency))
    }
}

#[Object]
impl PartnerStatement {
    /// The month (`YYYY-MM`).
    async fn month(&self) -> &str {
        &self.statement.month
    }
    /// The currency of every amount (ISO 4217).
    async fn currency(&self) -> &str {
        &self.statement.currency
    }
    /// The rewards balance when the month began.
    async fn opening_balance(&self) -> Money {
        self.amount(self.statement.opening)
    }
    /// The rewards balance when the month ended (or now, for the current month).
    async fn closing_balance(&self) -> Money {
        self.amount(self.statement.closing)
    }
    /// Rewards earned in the month.
    async fn rewards(&self) -> Money {
        self.amount(self.statement.rewards)
    }
    /// Rewards taken back in the month (their orders were refunded).
    async fn reversals(&self) -> Money {
        self.amount(self.statement.reversals)
    }
    /// Spent on orders from the balance in the month, net of spends given back.
    async fn spent(&self) -> Money {
        self.amount(self.statement.spent)
    }
    /// Paid out by withdrawals in the month.
    async fn withdrawn(&self) -> Money {
        self.amount(self.statement.withdrawn)
    }
    /// The month's entries as CSV with a running balance: a signed link valid for an hour
    /// that needs no sign-in (for a browser download).
    async fn csv_url(&self) -> &str {
        &self.csv_url
    }
}
