//! GraphQL types of quotes, orders and payments.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::orders::pricing;
use domain::orders::request as prep;
use domain::orders::request::ItemContext;
use domain::orders::request::Prepared;
use entities::{money, order, order_item, payment};
use rust_decimal::Decimal;

use crate::ids::{self, Kind};
use crate::lines::{ChannelKind, CoinPackage, Line};
use crate::money::Money;
use crate::pagination::Page;
use crate::{request, services};

/// Who pays an order.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Payer {
    /// The client pays list price; its partner (if any) earns the reward.
    Client,
    /// The partner pays for its client, with its tier's discount and no reward.
    Partner,
}

impl Payer {
    fn domain(self) -> prep::PayerKind {
        match self {
            Payer::Client => prep::PayerKind::Client,
            Payer::Partner => prep::PayerKind::Partner,
        }
    }
}

impl From<order::Payer> for Payer {
    fn from(p: order::Payer) -> Self {
        match p {
            order::Payer::Client => Payer::Client,
            order::Payer::Partner => Payer::Partner,
        }
    }
}

/// Where an order stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum OrderStatus {
    /// Waiting for payment.
    Pending,
    /// Paid and applied.
    Paid,
    /// Cancelled by the payer.
    Cancelled,
    /// Not paid in time.
    Expired,
    /// Refunded by staff.
    Refunded,
}

impl From<order::OrderStatus> for OrderStatus {
    fn from(s: order::OrderStatus) -> Self {
        match s {
            order::OrderStatus::Pending => OrderStatus::Pending,
            order::OrderStatus::Paid => OrderStatus::Paid,
            order::OrderStatus::Cancelled => OrderStatus::Cancelled,
            order::OrderStatus::Expired => OrderStatus::Expired,
            order::OrderStatus::Refunded => OrderStatus::Refunded,
        }
    }
}

/// What an item buys.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum OrderItemKind {
    /// New lines.
    NewLines,
    /// A line renewed.
    Renewal,
    /// Channels added to a running line, prorated to its expiry.
    Addition,
}

impl From<order_item::ItemKind> for OrderItemKind {
    fn from(k: order_item::ItemKind) -> Self {
        match k {
            order_item::ItemKind::NewLines => OrderItemKind::NewLines,
            order_item::ItemKind::Renewal => OrderItemKind::Renewal,
            order_item::ItemKind::Addition => OrderItemKind::Addition,
        }
    }
}

/// A discount kind, in the order they apply.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DiscountKind {
    /// By the personal channels in the whole order.
    Volume,
    /// By the period (6 months and more).
    Period,
    /// The partner's tier, when the partner pays.
    Partner,
}

impl DiscountKind {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "VOLUME" => Some(DiscountKind::Volume),
            "PERIOD" => Some(DiscountKind::Period),
            "PARTNER" => Some(DiscountKind::Partner),
            _ => None,
        }
    }
}

impl From<pricing::DiscountKind> for DiscountKind {
    fn from(k: pricing::DiscountKind) -> Self {
        match k {
            pricing::DiscountKind::Volume => DiscountKind::Volume,
            pricing::DiscountKind::Period => DiscountKind::Period,
            pricing::DiscountKind::Partner => DiscountKind::Partner,
        }
    }
}

/// One applied discount.
#[derive(SimpleObject, Clone)]
pub struct Discount {
    /// Which one.
    pub kind: DiscountKind,
    /// Its percentage, as a decimal string (`"5"`, `"12.5"`).
    pub percent: String,
    /// What it saves.
    pub amount: Money,
}

/// An amount with exactly the currency's decimal places (`"0.00"`, not `"0"`).
fn exact(amount: Decimal, currency: &str) -> Money {
    let mut d = amount;
    d.rescale(money::minor_digits(currency));
    Money(d)
}

fn discounts(list: &[pricing::Discount], currency: &str) -> Vec<Discount> {
    list.iter()
        .map(|d| Discount {
            kind: d.kind.into(),
            percent: d.percent.normalize().to_string(),
            amount: exact(d.amount, currency),
        })
        .collect()
}

/// How an order is paid.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PaymentMethod {
    /// A bank transfer against an invoice, confirmed by staff.
    Invoice,
    /// A card, through the payment provider's checkout.
    Card,
    /// The partner's bonus balance.
    BonusBalance,
}

impl From<payment::PaymentMethod> for PaymentMethod {
    fn from(m: payment::PaymentMethod) -> Self {
        match m {
            payment::PaymentMethod::Invoice => PaymentMethod::Invoice,
            payment::PaymentMethod::Card => PaymentMethod::Card,
            payment::PaymentMethod::BonusBalance => PaymentMethod::BonusBalance,
        }
    }
}

/// Where a payment stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PaymentStatus {
    /// Waiting: the invoice is unpaid, or the card checkout is open.
    Pending,
    /// Paid.
    Succeeded,
    /// The provider reported a failure or the checkout expired.
    Failed,
    /// The order was cancelled.
    Cancelled,
}

impl From<payment::PaymentStatus> for PaymentStatus {
    fn from(s: payment::PaymentStatus) -> Self {
        match s {
            payment::PaymentStatus::Pending => PaymentStatus::Pending,
            payment::PaymentStatus::Succeeded => PaymentStatus::Succeeded,
            payment::PaymentStatus::Failed => PaymentStatus::Failed,
            payment::PaymentStatus::Cancelled => PaymentStatus::Cancelled,
        }
    }
}

/// New lines in an order.
#[derive(InputObject)]
pub struct NewLinesInput {
    /// The channel kinds of each line.
    pub channel_kinds: Vec<ID>,
    /// How many identical lines (1 to 1000).
    #[graphql(default = 1)]
    pub quantity: i32,
    /// 1, 3, 6 or 12.
    pub months: i32,
    /// A ChatCoins package for each line.
    pub coin_package: Option<ID>,
    /// The client's organization the lines belong to.
    pub organization_id: ID,
    /// A space ("project") of that organization.
    pub space_id: Option<ID>,
}

/// Renewals: a line, all lines of a client, everything on the page: one input.
#[derive(InputObject)]
pub struct RenewalsInput {
    /// These lines.
    #[graphql(default)]
    pub line_ids: Vec<ID>,
    /// Every line of these clients.
    #[graphql(default)]
    pub client_ids: Vec<ID>,
    /// 1, 3, 6 or 12.
    pub months: i32,
}

/// Channels added to a running line until it expires.
#[derive(InputObject)]
pub struct ChannelAdditionInput {
    /// The line.
    pub line_id: ID,
    /// The channel kinds to add.
    pub channel_kinds: Vec<ID>,
}

/// What to price or order.
#[derive(InputObject)]
pub struct OrderInput {
    /// The client. May be left out when renewals or additions name the lines; required
    /// for new lines. A partner paying may renew lines of several of its clients at once
    /// by leaving it out.
    pub client_id: Option<ID>,
    /// Who pays.
    pub payer: Payer,
    /// The partner, when the partner pays (or prepares the order its client pays).
    pub partner_id: Option<ID>,
    /// New lines.
    #[graphql(default)]
    pub new_lines: Vec<NewLinesInput>,
    /// Renewals.
    pub renewals: Option<RenewalsInput>,
    /// Channels added to running lines.
    #[graphql(default)]
    pub channel_additions: Vec<ChannelAdditionInput>,
}

fn count(field: &str, n: i32) -> crate::GqlResult<u32> {
    u32::try_from(n).map_err(|_| crate::ApiError::bad_input(field, "must not be negative").into())
}

fn id_list(list: &[ID], kind: Kind, field: &str) -> crate::GqlResult<Vec<i64>> {
    list.iter()
        .map(|i| ids::decode(i, kind, field).map_err(Into::into))
        .collect()
}

impl OrderInput {
    /// Decoded for the domain.
    pub fn request(&self) -> crate::GqlResult<prep::OrderRequest> {
        Ok(prep::OrderRequest {
            client_id: ids::decode_opt(self.client_id.as_ref(), Kind::User, "clientId")?,
            payer: self.payer.domain(),
            partner_id: ids::decode_opt(self.partner_id.as_ref(), Kind::Partner, "partnerId")?,
            new_lines: self
                .new_lines
                .iter()
                .map(|n| {
                    Ok(prep::NewLinesRequest {
                        channel_kinds: id_list(
                            &n.channel_kinds,
                            Kind::ChannelKind,
                            "newLines.channelKinds",
                        )?,
                        quantity: count("newLines.quantity", n.quantity)?,
                        months: count("newLines.months", n.months)?,
                        coin_package: ids::decode_opt(
                            n.coin_package.as_ref(),
                            Kind::CoinPackage,
                            "newLines.coinPackage",
                        )?,
                        organization_id: ids::decode(
                            &n.organization_id,
                            Kind::Organization,
                            "newLines.organizationId",
                        )?,
                        space_id: ids::decode_opt(
                            n.space_id.as_ref(),
                            Kind::Space,
                            "newLines.spaceId",
                        )?,
                    })
                })
                .collect::<crate::GqlResult<_>>()?,
            renewals: self
                .renewals
                .as_ref()
                .map(|r| {
                    Ok::<_, async_graphql::Error>(prep::RenewalRequest {
                        line_ids: id_list(&r.line_ids, Kind::Line, "renewals.lineIds")?,
                        client_ids: id_list(&r.client_ids, Kind::User, "renewals.clientIds")?,
                        months: count("renewals.months", r.months)?,
                    })
                })
                .transpose()?,
            additions: self
                .channel_additions
                .iter()
                .map(|a| {
                    Ok(prep::AdditionRequest {
                        line_id: ids::decode(&a.line_id, Kind::Line, "channelAdditions.lineId")?,
                        channel_kinds: id_list(
                            &a.channel_kinds,
                            Kind::ChannelKind,
                            "channelAdditions.channelKinds",
                        )?,
                    })
                })
                .collect::<crate::GqlResult<_>>()?,
        })
    }
}

/// A priced order that is not stored: `quote` answers it. Shared with its items, which
/// read their part of it when a field asks (a quote of 1,000 lines answers `items { total }`
/// without building each item's discounts, channel kinds or line).
pub struct Quote(pub Arc<Prepared>);

#[Object]
impl Quote {
    /// The tenant's currency (ISO 4217).
    async fn currency(&self) -> &str {
        &self.0.priced.currency
    }
    /// Before discounts.
    async fn base(&self) -> Money {
        exact(self.0.priced.base, &self.0.priced.currency)
    }
    /// The discounts applied, per kind and percentage, summed over the items.
    async fn discounts(&self) -> Vec<Discount> {
        discounts(&self.0.priced.discounts, &self.0.priced.currency)
    }
    /// What is paid: the sum of the items' totals.
    async fn total(&self) -> Money {
        exact(self.0.priced.total, &self.0.priced.currency)
    }
    /// What paying accrues to the client's partner (zero when the partner pays).
    async fn partner_reward(&self) -> Money {
        exact(self.0.priced.partner_reward, &self.0.priced.currency)
    }
    /// Personal channels in the order (what the volume discount goes by).
    async fn personal_channels(&self) -> i64 {
        self.0.priced.personal_channels as i64
    }
    /// Who pays.
    async fn payer(&self) -> Payer {
        match self.0.payer {
            prep::PayerKind::Client => Payer::Client,
            prep::PayerKind::Partner => Payer::Partner,
        }
    }
    /// Each item, priced.
    async fn items(&self) -> Vec<QuoteItem> {
        (0..self.0.items.len().min(self.0.priced.items.len()))
            .map(|index| QuoteItem {
                quote: self.0.clone(),
                index,
            })
            .collect()
    }
}

/// A priced item of a quote: the `index`-th of its quote.
pub struct QuoteItem {
    quote: Arc<Prepared>,
    index: usize,
}

impl QuoteItem {
    fn ctx(&self) -> &ItemContext {
        &self.quote.items[self.index]
    }
    fn priced(&self) -> &pricing::PricedItem {
        &self.quote.priced.items[self.index]
    }
    fn currency(&self) -> &str {
        &self.quote.priced.currency
    }
}

#[Object]
impl QuoteItem {
    /// What it buys.
    async fn kind(&self) -> OrderItemKind {
        self.ctx().kind.into()
    }
    /// The line renewed or added to.
    async fn line(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<Line>> {
        let Some(l) = self.ctx().line else {
            return Ok(None);
        };
        let line = crate::lines::loaders::loaders(ctx)?
            .lines
            .load_one(l.id)
            .await
            .map_err(crate::ApiError::internal)?;
        Ok(line.map(Line::plain))
    }
    /// The channel kinds.
    async fn channel_kinds(&self) -> Vec<ChannelKind> {
        self.ctx()
            .channel_kinds
            .iter()
            .map(|k| ChannelKind {
                model: k.as_ref().clone(),
                currency: self.currency().to_owned(),
            })
            .collect()
    }
    /// Identical lines (1 for renewals and additions).
    async fn quantity(&self) -> i64 {
        i64::from(self.ctx().quantity)
    }
    /// The period, for new lines and renewals.
    async fn months(&self) -> Option<i64> {
        self.ctx().months.map(i64::from)
    }
    /// Days an addition is prorated for.
    async fn remaining_days(&self) -> Option<i64> {
        self.ctx().remaining_days
    }
    /// The ChatCoins package of each new line.
    async fn coin_package(&self) -> Option<CoinPackage> {
        self.ctx().coin_package.clone().map(|model| CoinPackage {
            model,
            currency: self.currency().to_owned(),
        })
    }
    /// For a renewal: the expiry the line gets if paid now.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.ctx().new_expires_at
    }
    /// Before discounts.
    async fn base(&self) -> Money {
        exact(self.priced().base, self.currency())
    }
    /// The discounts applied to the item.
    async fn discounts(&self) -> Vec<Discount> {
        discounts(&self.priced().discounts, self.currency())
    }
    /// Rounded to the currency's minor unit.
    async fn total(&self) -> Money {
        exact(self.priced().total, self.currency())
    }
}

/// An order: what it buys, priced when it was created, and its payments.
pub struct Order(pub order::Model);

fn amount(minor: i64, currency: &str) -> Money {
    Money(money::from_minor(minor, currency))
}

#[Object]
impl Order {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Order, self.0.id)
    }
    /// The number shown to people, per tenant.
    async fn order_number(&self) -> i64 {
        self.0.order_number
    }
    /// Where it stands now (a pending order past `expiresAt` is `EXPIRED`).
    async fn status(&self, ctx: &Context<'_>) -> crate::GqlResult<OrderStatus> {
        let now = services(ctx)?.clock.now();
        Ok(domain::orders::ops::effective_status(&self.0, now).into())
    }
    /// Who pays.
    async fn payer(&self) -> Payer {
        self.0.payer.into()
    }
    /// The client (null for a partner's renewal of several clients' lines).
    async fn client(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<crate::shared::User>> {
        let Some(id) = self.0.client_user_id else {
            return Ok(None);
        };
        Ok(crate::identity::loaders::for_tenant(ctx, self.0.tenant_id)?
            .users
            .load_one(id)
            .await
            .map_err(crate::ApiError::internal)?
            .map(crate::shared::User::new))
    }
    /// The currency of every amount (ISO 4217).
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// Before discounts.
    async fn base(&self) -> Money {
        amount(self.0.base_minor, &self.0.currency)
    }
    /// All discounts together.
    async fn discount(&self) -> Money {
        amount(self.0.discount_minor, &self.0.currency)
    }
    /// What is paid.
    async fn total(&self) -> Money {
        amount(self.0.total_minor, &self.0.currency)
    }
    /// What paying accrues to the partner.
    async fn partner_reward(&self) -> Money {
        amount(self.0.partner_reward_minor, &self.0.currency)
    }
    /// The items, as priced at creation.
    async fn items(&self, ctx: &Context<'_>) -> crate::GqlResult<Vec<OrderItem>> {
        let list = super::loaders::for_tenant(ctx, self.0.tenant_id)?
            .items
            .load_one(self.0.id)
            .await
            .map_err(crate::ApiError::internal)?
            .unwrap_or_default();
        Ok(list
            .into_iter()
            .map(|model| OrderItem {
                model,
                currency: self.0.currency.clone(),
            })
            .collect())
    }
    /// Its payments, oldest first.
    async fn payments(&self, ctx: &Context<'_>) -> crate::GqlResult<Vec<Payment>> {
        let list = super::loaders::for_tenant(ctx, self.0.tenant_id)?
            .payments
            .load_one(self.0.id)
            .await
            .map_err(crate::ApiError::internal)?
            .unwrap_or_default();
        Ok(list.into_iter().map(Payment).collect())
    }
    /// Made by a partner logged in as the client.
    async fn created_while_impersonating(&self) -> bool {
        self.0.created_while_impersonating
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Unpaid after this, it expires.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// When it was paid.
    async fn paid_at(&self) -> Option<DateTime<Utc>> {
        self.0.paid_at
    }
    /// When it was cancelled.
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.cancelled_at
    }
    /// When staff refunded it (`refundOrder`).
    async fn refunded_at(&self) -> Option<DateTime<Utc>> {
        self.0.refunded_at
    }
    /// Why staff refunded it.
    async fn refund_reason(&self) -> Option<&str> {
        self.0.refund_reason.as_deref()
    }
}

/// An item of an order.
pub struct OrderItem {
    model: order_item::Model,
    currency: String,
}

#[Object]
impl OrderItem {
    /// What it buys.
    async fn kind(&self) -> OrderItemKind {
        self.model.kind.into()
    }
    /// The line renewed or added to.
    async fn line_id(&self) -> Option<ID> {
        self.model.line_id.map(|id| ids::encode(Kind::Line, id))
    }
    /// The channel kinds.
    async fn channel_kinds(&self, ctx: &Context<'_>) -> crate::GqlResult<Vec<ChannelKind>> {
        let wanted: Vec<i64> = serde_json::from_str(&self.model.channel_kind_ids)
            .map_err(crate::ApiError::internal)?;
        let found = crate::lines::loaders::for_tenant(ctx, self.model.tenant_id)?
            .kinds
            .load_many(wanted.clone())
            .await
            .map_err(crate::ApiError::internal)?;
        Ok(wanted
            .iter()
            .filter_map(|id| found.get(id).cloned())
            .map(|model| ChannelKind {
                model,
                currency: self.currency.clone(),
            })
            .collect())
    }
    /// Identical lines.
    async fn quantity(&self) -> i32 {
        self.model.quantity
    }
    /// The period.
    async fn months(&self) -> Option<i32> {
        self.model.months
    }
    /// Days an addition was prorated for.
    async fn remaining_days(&self) -> Option<i32> {
        self.model.remaining_days
    }
    /// ChatCoins each new line gets.
    async fn coins(&self) -> i64 {
        self.model.coins
    }
    /// Before discounts.
    async fn base(&self) -> Money {
        amount(self.model.base_minor, &self.currency)
    }
    /// The discounts applied.
    async fn discounts(&self) -> crate::GqlResult<Vec<Discount>> {
        let raw: Vec<serde_json::Value> =
            serde_json::from_str(&self.model.discounts).map_err(crate::ApiError::internal)?;
        Ok(raw
            .iter()
            .filter_map(|d| {
                Some(Discount {
                    kind: DiscountKind::parse(d["kind"].as_str()?)?,
                    percent: d["percent"]
                        .as_str()?
                        .parse::<Decimal>()
                        .ok()?
                        .normalize()
                        .to_string(),
                    amount: amount(d["amountMinor"].as_i64()?, &self.currency),
                })
            })
            .collect())
    }
    /// Rounded to the currency's minor unit.
    async fn total(&self) -> Money {
        amount(self.model.total_minor, &self.currency)
    }
}

/// A card payment provider.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PaymentProvider {
    /// Stripe.
    Stripe,
    /// YooKassa (roubles).
    Yookassa,
}

impl PaymentProvider {
    /// The provider's name, as payments and webhook paths name it.
    pub fn name(self) -> &'static str {
        match self {
            PaymentProvider::Stripe => "stripe",
            PaymentProvider::Yookassa => "yookassa",
        }
    }

    /// The provider named `name`.
    pub fn of(name: &str) -> Option<Self> {
        match name {
            "stripe" => Some(PaymentProvider::Stripe),
            "yookassa" => Some(PaymentProvider::Yookassa),
            _ => None,
        }
    }
}

/// A payment of an order.
pub struct Payment(pub payment::Model);

#[Object]
impl Payment {
    /// The global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Payment, self.0.id)
    }
    /// How.
    async fn method(&self) -> PaymentMethod {
        self.0.method.into()
    }
    /// Where it stands.
    async fn status(&self) -> PaymentStatus {
        self.0.status.into()
    }
    /// The amount.
    async fn amount(&self) -> Money {
        amount(self.0.amount_minor, &self.0.currency)
    }
    /// The currency (ISO 4217).
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// The invoice's number, per tenant.
    async fn invoice_number(&self) -> Option<i64> {
        self.0.invoice_number
    }
    /// Who the invoice is made out to (JSON: name, email, phone, account number).
    async fn payer_requisites(&self) -> Option<&str> {
        self.0.payer_requisites.as_deref()
    }
    /// Which provider took a card payment (empty for other methods, and for a card
    /// payment until its checkout exists).
    async fn provider(&self) -> Option<PaymentProvider> {
        self.0.provider.as_deref().and_then(PaymentProvider::of)
    }
    /// Where the payer enters the card.
    async fn checkout_url(&self) -> Option<&str> {
        self.0.checkout_url.as_deref()
    }
    /// Why it failed, or why a refund is due.
    async fn failure_reason(&self) -> Option<&str> {
        self.0.failure_reason.as_deref()
    }
    /// When it was started.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it succeeded.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
    /// When its refund was asked for (the order was refunded).
    async fn refund_requested_at(&self) -> Option<DateTime<Utc>> {
        self.0.refund_requested_at
    }
    /// When the money went back: at once for an invoice and the balance (staff make the
    /// transfer), when the provider confirms it for a card. Empty while a card refund
    /// waits for the provider (it is retried).
    async fn refunded_at(&self) -> Option<DateTime<Utc>> {
        self.0.refunded_at
    }
}

/// Input of `createOrder`.
#[derive(InputObject)]
pub struct CreateOrderInput {
    /// What to order.
    pub order: OrderInput,
    /// A retry with the same key answers the first order (keys are kept 48 hours).
    pub idempotency_key: Option<String>,
}

/// Input of `cancelOrder`.
#[derive(InputObject)]
pub struct CancelOrderInput {
    /// The order.
    pub order_id: ID,
}

/// Result of `createOrder` and `cancelOrder`.
#[derive(SimpleObject)]
pub struct OrderPayload {
    /// The order as it now is.
    pub order: Order,
}

/// Arguments of an orders list.
pub fn page_args(
    after: Option<String>,
    before: Option<String>,
    first: Option<i32>,
    last: Option<i32>,
) -> crate::pagination::PageArgs {
    crate::pagination::PageArgs {
        after,
        before,
        first,
        last,
    }
}

/// The orders fields of `Partner` (assembled in `hub::PartnerObject`).
pub struct PartnerOrders(pub std::sync::Arc<entities::partner::Model>);

#[Object]
impl PartnerOrders {
    /// Orders made through the partner (bought by it or by its clients), oldest first.
    async fn orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many from the start (default 50, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (at most 100).")] last: Option<i32>,
    ) -> crate::GqlResult<Page<Order>> {
        let page = domain::orders::ops::partner_orders(
            services(ctx)?,
            request(ctx)?,
            &self.0,
            page_args(after, before, first, last),
        )
        .await?;
        let ids: Vec<i64> = page.items().map(|o| o.id).collect();
        super::loaders::prime(ctx, &ids).await?;
        Ok(crate::pagination::connection(page, Order))
    }
}

/// The orders fields of `User` (assembled in `hub::UserObject`).
pub struct UserOrders(pub std::sync::Arc<entities::user::Model>);

#[Object]
impl UserOrders {
    /// The account's orders, oldest first (the account itself, its brand's admins and user
    /// admins, staff).
    async fn orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many from the start (default 50, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (at most 100).")] last: Option<i32>,
    ) -> crate::GqlResult<Page<Order>> {
        let page = domain::orders::ops::user_orders(
            services(ctx)?,
            request(ctx)?,
            &self.0,
            page_args(after, before, first, last),
        )
        .await?;
        let ids: Vec<i64> = page.items().map(|o| o.id).collect();
        super::loaders::prime_in(ctx, self.0.tenant_id, &ids).await?;
        Ok(crate::pagination::connection(page, Order))
    }
}

/// The orders fields of a client in "my clients" (assembled in `hub::ClientObject`).
pub struct ClientOrders {
    pub link: std::sync::Arc<entities::partner_client::Model>,
    pub page: std::sync::Arc<crate::shared::ClientPage>,
}

impl ClientOrders {
    /// This client's figures, fetched once for every client of the page by whichever
    /// asks first.
    async fn figures(
        &self,
        ctx: &Context<'_>,
    ) -> crate::GqlResult<domain::orders::ops::ClientFigures> {
        let page = &self.page;
        let all = page
            .order_figures
            .get_or_try_init(|| async {
                domain::orders::ops::client_figures(
                    services(ctx)?,
                    request(ctx)?,
                    page.partner_id,
                    &page.clients,
                )
                .await
            })
            .await?;
        Ok(all
            .get(&self.link.client_user_id)
            .copied()
            .unwrap_or_default())
    }
}

#[Object]
impl ClientOrders {
    /// Lines of the client that have not expired.
    async fn open_line_count(&self, ctx: &Context<'_>) -> crate::GqlResult<i64> {
        Ok(self.figures(ctx).await?.open_lines)
    }
    /// Paid orders for the client placed through this partner.
    async fn payment_count(&self, ctx: &Context<'_>) -> crate::GqlResult<i64> {
        Ok(self.figures(ctx).await?.paid_orders)
    }
    /// The sum of those orders, in the tenant's currency.
    async fn payment_total(&self, ctx: &Context<'_>) -> crate::GqlResult<Decimal> {
        let minor = self.figures(ctx).await?.paid_minor;
        Ok(money::from_minor(
            minor,
            &request(ctx)?.tenant.model.currency,
        ))
    }
}
