//! GraphQL types of the price list and lines.

use async_graphql::{ID, InputObject, Object, SimpleObject};
use entities::{channel_kind, coin_package, money};

use crate::ids::{self, Kind};
use crate::money::Money;

/// A tenant's price list.
pub struct Catalogue(pub domain::lines::catalogue::Catalogue);

#[Object]
impl Catalogue {
    /// The currency every price is in (ISO 4217).
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// The periods lines are sold for, in months.
    async fn periods(&self) -> Vec<i32> {
        self.0.periods.iter().map(|p| *p as i32).collect()
    }
    /// Channel kinds, in display order.
    async fn channel_kinds(&self) -> Vec<ChannelKind> {
        self.0
            .channel_kinds
            .iter()
            .map(|k| ChannelKind {
                model: k.clone(),
                currency: self.0.currency.clone(),
            })
            .collect()
    }
    /// ChatCoins packages, smallest first.
    async fn coin_packages(&self) -> Vec<CoinPackage> {
        self.0
            .coin_packages
            .iter()
            .map(|p| CoinPackage {
                model: p.clone(),
                currency: self.0.currency.clone(),
            })
            .collect()
    }
}

/// A kind of messaging channel and its monthly price.
pub struct ChannelKind {
    pub model: channel_kind::Model,
    pub currency: String,
}

#[Object]
impl ChannelKind {
    /// The global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::ChannelKind, self.model.id)
    }
    /// Stable code, such as `WHATSAPP`.
    async fn code(&self) -> &str {
        &self.model.code
    }
    /// Name shown to people.
    async fn name(&self) -> &str {
        &self.model.name
    }
    /// Personal channels (WhatsApp, Telegram, MAX) count toward the volume discount.
    async fn personal(&self) -> bool {
        self.model.personal
    }
    /// Price of one channel for one month.
    async fn monthly_price(&self) -> Money {
        Money(money::from_minor(
            self.model.monthly_price_minor,
            &self.currency,
        ))
    }
    /// Whether it is sold; lines keep inactive kinds they have.
    async fn active(&self) -> bool {
        self.model.active
    }
    /// Display order.
    async fn position(&self) -> i32 {
        self.model.position
    }
}

/// A package of ChatCoins, sold at list price.
pub struct CoinPackage {
    pub model: coin_package::Model,
    pub currency: String,
}

#[Object]
impl CoinPackage {
    /// The global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::CoinPackage, self.model.id)
    }
    /// Stable code.
    async fn code(&self) -> &str {
        &self.model.code
    }
    /// How many ChatCoins.
    async fn coins(&self) -> i64 {
        self.model.coins
    }
    /// Price.
    async fn price(&self) -> Money {
        Money(money::from_minor(self.model.price_minor, &self.currency))
    }
    /// Whether it is sold.
    async fn active(&self) -> bool {
        self.model.active
    }
}

/// Input of `upsertChannelKind`: the kind with this code is created or changed.
#[derive(InputObject)]
pub struct UpsertChannelKindInput {
    /// The tenant (platform staff); the current one when omitted.
    pub tenant_id: Option<ID>,
    /// 2 to 32 letters, digits or underscores, such as `WHATSAPP`.
    pub code: String,
    /// Name shown to people.
    pub name: String,
    /// Whether it counts toward the volume discount.
    pub personal: bool,
    /// Price of one channel for one month, in the tenant's currency.
    pub monthly_price: Money,
    /// Sold or not; deactivate instead of deleting.
    #[graphql(default = true)]
    pub active: bool,
    /// Display order.
    pub position: Option<i32>,
}

/// Result of `upsertChannelKind`.
#[derive(SimpleObject)]
pub struct ChannelKindPayload {
    /// The kind as it now is.
    pub channel_kind: ChannelKind,
}

/// Input of `upsertCoinPackage`: the package with this code is created or changed.
#[derive(InputObject)]
pub struct UpsertCoinPackageInput {
    /// The tenant (platform staff); the current one when omitted.
    pub tenant_id: Option<ID>,
    /// 2 to 32 letters, digits or underscores.
    pub code: String,
    /// How many ChatCoins.
    pub coins: i64,
    /// Price, in the tenant's currency.
    pub price: Money,
    /// Sold or not.
    #[graphql(default = true)]
    pub active: bool,
}

/// Result of `upsertCoinPackage`.
#[derive(SimpleObject)]
pub struct CoinPackagePayload {
    /// The package as it now is.
    pub coin_package: CoinPackage,
}
