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

/// Whether a line runs.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum LineStatus {
    /// `expiresAt` is in the future.
    Active,
    /// `expiresAt` has passed.
    Expired,
}

/// A channel's connection state, as the messaging side reports it.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ChannelStatus {
    /// Connected and working.
    Connected,
    /// Was connected, is not now.
    Disconnected,
    /// Not connected yet.
    Pending,
}

impl ChannelStatus {
    /// The stored state.
    pub fn entity(self) -> entities::line_channel::ChannelStatus {
        use entities::line_channel::ChannelStatus as S;
        match self {
            ChannelStatus::Connected => S::Connected,
            ChannelStatus::Disconnected => S::Disconnected,
            ChannelStatus::Pending => S::Pending,
        }
    }
}

impl From<entities::line_channel::ChannelStatus> for ChannelStatus {
    fn from(s: entities::line_channel::ChannelStatus) -> Self {
        use entities::line_channel::ChannelStatus as S;
        match s {
            S::Connected => ChannelStatus::Connected,
            S::Disconnected => ChannelStatus::Disconnected,
            S::Pending => ChannelStatus::Pending,
        }
    }
}

/// A line: a subscription of messaging channels.
pub struct Line(pub domain::lines::ops::LineView);

impl From<domain::lines::ops::LineView> for Line {
    fn from(v: domain::lines::ops::LineView) -> Self {
        Self(v)
    }
}

impl Line {
    /// The line's channels, through the request's loader (one batch per page).
    async fn channel_rows(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> crate::GqlResult<Vec<entities::line_channel::Model>> {
        Ok(super::loaders::for_tenant(ctx, self.0.model.tenant_id)?
            .channels
            .load_one(self.0.model.id)
            .await
            .map_err(crate::ApiError::internal)?
            .unwrap_or_default())
    }

    /// A line in a list that carries no partner comment.
    pub fn plain(model: entities::line::Model) -> Self {
        Self(domain::lines::ops::LineView {
            model,
            viewing_partner: None,
        })
    }
}

#[Object]
impl Line {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Line, self.0.model.id)
    }
    /// The number shown to people, per tenant.
    async fn line_number(&self) -> i64 {
        self.0.model.line_number
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.model.name
    }
    /// The client account the line belongs to.
    async fn client(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> crate::GqlResult<Option<crate::shared::User>> {
        Ok(
            crate::identity::loaders::for_tenant(ctx, self.0.model.tenant_id)?
                .users
                .load_one(self.0.model.client_user_id)
                .await
                .map_err(crate::ApiError::internal)?
                .map(crate::shared::User::new),
        )
    }
    /// The line's organization.
    async fn organization(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> crate::GqlResult<Option<crate::shared::Organization>> {
        Ok(crate::orgs::loaders::organizations_in(
            ctx,
            self.0.model.tenant_id,
            vec![self.0.model.organization_id],
        )
        .await?
        .pop())
    }
    /// The space ("project") the line is in, if any.
    async fn space(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> crate::GqlResult<Option<crate::orgs::Space>> {
        let Some(id) = self.0.model.space_id else {
            return Ok(None);
        };
        Ok(
            crate::orgs::loaders::for_tenant(ctx, self.0.model.tenant_id)?
                .spaces
                .load_one(id)
                .await
                .map_err(crate::ApiError::internal)?
                .map(|model| crate::orgs::Space {
                    model,
                    viewer_role: None,
                }),
        )
    }
    /// The line's channels.
    async fn channels(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> crate::GqlResult<Vec<LineChannel>> {
        let rows = self.channel_rows(ctx).await?;
        Ok(rows.into_iter().map(LineChannel).collect())
    }
    /// How many channels the line has.
    async fn channel_count(&self, ctx: &async_graphql::Context<'_>) -> crate::GqlResult<i32> {
        Ok(self.channel_rows(ctx).await?.len() as i32)
    }
    /// When the current period started.
    async fn starts_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.model.starts_at
    }
    /// When it expires.
    async fn expires_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.model.expires_at
    }
    /// `ACTIVE` or `EXPIRED`, now.
    async fn status(&self, ctx: &async_graphql::Context<'_>) -> crate::GqlResult<LineStatus> {
        let now = crate::services(ctx)?.clock.now();
        Ok(
            match domain::lines::ops::status(self.0.model.expires_at, now) {
                domain::lines::ops::LineStatus::Active => LineStatus::Active,
                domain::lines::ops::LineStatus::Expired => LineStatus::Expired,
            },
        )
    }
    /// Whole days left, rounded up; 0 once expired.
    async fn days_left(&self, ctx: &async_graphql::Context<'_>) -> crate::GqlResult<i64> {
        let now = crate::services(ctx)?.clock.now();
        Ok(domain::lines::ops::days_left(self.0.model.expires_at, now))
    }
    /// ChatCoins left.
    async fn coin_balance(&self) -> i64 {
        self.0.model.coin_balance
    }
    /// WABA balance, in the currency of the line's brand.
    async fn waba_balance(&self, ctx: &async_graphql::Context<'_>) -> crate::GqlResult<Money> {
        let currency = crate::currency_of(ctx, self.0.model.tenant_id)?;
        Ok(Money(money::from_minor(
            self.0.model.waba_balance_minor,
            &currency,
        )))
    }
    /// A free not-for-resale line of a partner.
    async fn nfr(&self) -> bool {
        self.0.model.nfr
    }
    /// The viewing partner's private note: only for those who act for the client's
    /// partner; null for everyone else, the client included.
    async fn comment(&self, ctx: &async_graphql::Context<'_>) -> crate::GqlResult<Option<String>> {
        let Some(partner) = self.0.viewing_partner else {
            return Ok(None);
        };
        Ok(super::loaders::for_tenant(ctx, self.0.model.tenant_id)?
            .comments
            .load_one((self.0.model.id, partner))
            .await
            .map_err(crate::ApiError::internal)?
            .flatten()
            .map(|c| c.body))
    }
}

/// A channel of a line.
pub struct LineChannel(pub entities::line_channel::Model);

#[Object]
impl LineChannel {
    /// The channel's global id (for `removeLineChannel` and `setChannelStatus`).
    async fn id(&self) -> ID {
        crate::ids::encode(crate::ids::Kind::LineChannel, self.0.id)
    }
    /// The kind, from the price list.
    async fn kind(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> crate::GqlResult<Option<ChannelKind>> {
        let currency = crate::currency_of(ctx, self.0.tenant_id)?;
        Ok(super::loaders::for_tenant(ctx, self.0.tenant_id)?
            .kinds
            .load_one(self.0.channel_kind_id)
            .await
            .map_err(crate::ApiError::internal)?
            .map(|model| ChannelKind { model, currency }))
    }
    /// Connection state.
    async fn status(&self) -> ChannelStatus {
        self.0.status.into()
    }
    /// Whether it was paid for (paid channels cannot be removed).
    async fn paid(&self) -> bool {
        self.0.paid
    }
    /// When it was added or its state last changed.
    async fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.updated_at
    }
}

/// The lines fields of `User` (assembled in `hub::UserObject`).
pub struct UserLines(pub std::sync::Arc<entities::user::Model>);

#[Object]
impl UserLines {
    /// Every line of this account, oldest first (the account itself, its brand's admins and
    /// user admins, staff).
    async fn lines(
        &self,
        ctx: &async_graphql::Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many from the start (default 50, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (at most 100).")] last: Option<i32>,
    ) -> crate::GqlResult<crate::pagination::Page<Line>> {
        let args = crate::pagination::PageArgs {
            after,
            before,
            first,
            last,
        };
        let page = domain::lines::ops::user_lines(
            crate::services(ctx)?,
            crate::request(ctx)?,
            &self.0,
            args,
        )
        .await?;
        Ok(crate::pagination::connection(page, Line::plain))
    }
}

/// The lines fields of `Organization` (assembled in `hub::OrganizationObject`).
pub struct OrganizationLines(pub std::sync::Arc<crate::orgs::OrgView>);

#[Object]
impl OrganizationLines {
    /// The organization's lines: all for its owners, those of their spaces for members.
    async fn lines(
        &self,
        ctx: &async_graphql::Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many from the start (default 50, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (at most 100).")] last: Option<i32>,
    ) -> crate::GqlResult<crate::pagination::Page<Line>> {
        let args = crate::pagination::PageArgs {
            after,
            before,
            first,
            last,
        };
        let page = domain::lines::ops::organization_lines(
            crate::services(ctx)?,
            crate::request(ctx)?,
            &self.0,
            args,
        )
        .await?;
        Ok(crate::pagination::connection(page, Line::plain))
    }
}

/// Input of `renameLine`.
#[derive(InputObject)]
pub struct RenameLineInput {
    /// The line.
    pub line_id: ID,
    /// The new name.
    pub name: String,
}

/// Input of `removeLineChannel`.
#[derive(InputObject)]
pub struct RemoveLineChannelInput {
    /// The line.
    pub line_id: ID,
    /// The channel to take off (it must be unpaid).
    pub channel_id: ID,
}

/// Input of `setChannelStatus`.
#[derive(InputObject)]
pub struct SetChannelStatusInput {
    /// The channel (`LineChannel.id`).
    pub channel_id: ID,
    /// Its state now.
    pub status: ChannelStatus,
}

/// Result of `setChannelStatus`.
#[derive(async_graphql::SimpleObject)]
pub struct SetChannelStatusPayload {
    /// The channel as it is now.
    pub channel: LineChannel,
    /// The line it belongs to.
    pub line_id: ID,
}

/// Input of `attachLineToSpace`.
#[derive(InputObject)]
pub struct AttachLineToSpaceInput {
    /// The line.
    pub line_id: ID,
    /// A space of the line's organization; null takes the line out of its space.
    pub space_id: Option<ID>,
}

/// Input of `setLineComment`.
#[derive(InputObject)]
pub struct SetLineCommentInput {
    /// The line.
    pub line_id: ID,
    /// The note; null or empty removes it.
    pub comment: Option<String>,
}

/// Result of the line mutations.
#[derive(SimpleObject)]
pub struct LinePayload {
    /// The line as it now is.
    pub line: Line,
}

/// A line status the client lines page filters by.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum LineStatusFilter {
    /// Not expired.
    Active,
    /// Active and ending within 7 days.
    ExpiresIn7Days,
    /// Active and ending within 30 days.
    ExpiresIn30Days,
    /// Expired.
    Expired,
}

impl LineStatusFilter {
    fn domain(self) -> domain::lines::client_lines::StatusFilter {
        use domain::lines::client_lines::StatusFilter as S;
        match self {
            LineStatusFilter::Active => S::Active,
            LineStatusFilter::ExpiresIn7Days => S::ExpiresIn7Days,
            LineStatusFilter::ExpiresIn30Days => S::ExpiresIn30Days,
            LineStatusFilter::Expired => S::Expired,
        }
    }
}

/// A row of the client lines page: a client and its lines that match the filters.
pub struct ClientLines {
    pub row: domain::lines::client_lines::ClientLinesRow,
}

#[Object]
impl ClientLines {
    /// The client's account (with `accountNumber`).
    async fn client(&self) -> crate::shared::User {
        crate::shared::User::new(self.row.client.clone())
    }
    /// The organizations the client belongs to, oldest first.
    async fn organizations(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> crate::GqlResult<Vec<crate::shared::Organization>> {
        let orgs = crate::orgs::loaders::loaders(ctx)?;
        let ids = orgs
            .organizations_of
            .load_one(self.row.link.client_user_id)
            .await
            .map_err(crate::ApiError::internal)?
            .unwrap_or_default();
        crate::orgs::loaders::organizations(ctx, ids).await
    }
    /// The client's lines that match the filters, by line number.
    async fn lines(&self) -> Vec<Line> {
        self.row
            .lines
            .iter()
            .cloned()
            .map(|model| {
                Line(domain::lines::ops::LineView {
                    model,
                    viewing_partner: Some(self.row.link.partner_id),
                })
            })
            .collect()
    }
}

/// The lines fields of `Partner` (assembled in `hub::PartnerObject`).
pub struct PartnerLines(pub std::sync::Arc<entities::partner::Model>);

#[Object]
impl PartnerLines {
    /// The client lines page: a page of the partner's clients (the page size counts
    /// clients; `first` up to 1000 shows all), each with its organizations and the lines
    /// that match. Ordered by when the client was attached.
    #[allow(clippy::too_many_arguments)]
    async fn client_lines(
        &self,
        ctx: &async_graphql::Context<'_>,
        #[graphql(desc = "Only clients from this country (see `clientCountries`).")]
        country: Option<String>,
        #[graphql(desc = "Only lines in this state, and only clients that have one.")]
        status: Option<LineStatusFilter>,
        #[graphql(
            desc = "Client name, email, phone or account number, organization name, or line number."
        )]
        search: Option<String>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many clients from the start (default 50, at most 1000).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many clients from the end (at most 1000).")] last: Option<
            i32,
        >,
    ) -> crate::GqlResult<crate::pagination::Page<ClientLines>> {
        let filter = domain::lines::client_lines::ClientLinesFilter {
            country,
            status: status.map(LineStatusFilter::domain),
            search,
        };
        let args = crate::pagination::PageArgs {
            after,
            before,
            first,
            last,
        };
        let page = domain::lines::client_lines::page(
            crate::services(ctx)?,
            crate::request(ctx)?,
            &self.0,
            filter,
            args,
        )
        .await?;
        let page = super::loaders::prime_client_lines(ctx, page).await?;
        Ok(crate::pagination::connection(page, |row| ClientLines {
            row,
        }))
    }
    /// The countries the partner's clients are in (for the `clientLines` filter).
    async fn client_countries(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> crate::GqlResult<Vec<String>> {
        Ok(domain::lines::client_lines::client_countries(
            crate::services(ctx)?,
            crate::request(ctx)?,
            &self.0,
        )
        .await?)
    }
}
