//! A brand's payout rail in GraphQL (`Tenant.payoutRail`, `updateTenant(input:
//! {payoutRail})`); the accounts on each rail are the ledger's.

use async_graphql::Enum;

/// A brand's payout rail.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::tenancy::payout_rail::Rail")]
pub enum PayoutRail {
    /// Russian bank transfer (roubles).
    RuBank,
    /// SEPA credit transfer (euros).
    Sepa,
    /// Pix (reais).
    Pix,
}
