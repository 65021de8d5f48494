//! GraphQL types of the tenancy domain.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::{tenant, tenant_domain};
use tenants::{Action, authorize};

use super::loaders::loaders;
use crate::error::ApiError;
use crate::ids::{self, Kind};
use crate::shared::User;
use crate::{request, services};

pub use crate::language::Language;

// Borrowed from the tenant: answering it copies no strings.
/// A brand's look and support contacts.
#[derive(SimpleObject)]
pub struct Branding<'a> {
    /// Logo image URL.
    pub logo_url: Option<&'a str>,
    /// Favicon URL.
    pub favicon_url: Option<&'a str>,
    /// Primary colour, `#RRGGBB`.
    pub primary_color: &'a str,
    /// Accent colour, `#RRGGBB`.
    pub accent_color: &'a str,
    /// Support email address.
    pub support_email: Option<&'a str>,
    /// Support phone number.
    pub support_phone: Option<&'a str>,
    /// Support page URL.
    pub support_url: Option<&'a str>,
}

/// A brand (tenant): the platform's own, or a white-label reseller's. Shares the model
/// with the tenant registry, so the public `tenant` query copies nothing.
pub struct Tenant(pub Arc<tenant::Model>);

impl From<tenant::Model> for Tenant {
    fn from(model: tenant::Model) -> Self {
        Self(Arc::new(model))
    }
}

#[Object]
impl Tenant {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Tenant, self.0.id)
    }
    /// Short unique name; the platform subdomain is `<slug>.<platform domain>`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Whether this is the platform operator's own brand.
    async fn is_root(&self) -> bool {
        self.0.is_root
    }
    /// The brand's name as shown to users.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// The legal entity behind the brand.
    async fn legal_name(&self) -> Option<&str> {
        self.0.legal_name.as_deref()
    }
    /// Logo, colours and support contacts.
    async fn branding(&self) -> Branding<'_> {
        let t = &*self.0;
        Branding {
            logo_url: t.logo_url.as_deref(),
            favicon_url: t.favicon_url.as_deref(),
            primary_color: &t.primary_color,
            accent_color: &t.accent_color,
            support_email: t.support_email.as_deref(),
            support_phone: t.support_phone.as_deref(),
            support_url: t.support_url.as_deref(),
        }
    }
    /// The language new users and emails default to.
    async fn default_language(&self) -> Language {
        Language::from_code(&self.0.default_language)
    }
    /// ISO 4217 currency of prices.
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// IANA time zone.
    async fn timezone(&self) -> &str {
        &self.0.timezone
    }
    /// The host name links point to.
    async fn primary_domain(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<String>> {
        let svc = services(ctx)?;
        Ok(svc
            .registry
            .by_id(self.0.id)
            .and_then(|t| t.primary_host.clone()))
    }
    /// Every host name of the tenant. Visible to platform staff and the tenant's admins.
    async fn domains(&self, ctx: &Context<'_>) -> crate::GqlResult<Vec<TenantDomain>> {
        let req = request(ctx)?;
        domain::tenancy::access::load_brand_facts(&services(ctx)?.db, req, self.0.id).await?;
        authorize(
            req,
            Action::ViewTenantDomains {
                tenant_id: self.0.id,
            },
        )
        .map_err(ApiError::from)?;
        let rows = loaders(ctx)?
            .tenant_domains
            .load_one(self.0.id)
            .await
            .map_err(ApiError::from)?
            .unwrap_or_default();
        Ok(rows.into_iter().map(TenantDomain).collect())
    }
    /// The domain of the brand's sender address and what proves it (tenant admins and
    /// platform staff); `null` without a sender address.
    async fn mail_domain(
        &self,
        ctx: &Context<'_>,
    ) -> crate::GqlResult<Option<super::mail::MailDomain>> {
        let req = request(ctx)?;
        let svc = services(ctx)?;
        domain::tenancy::access::load_brand_facts(&svc.db, req, self.0.id).await?;
        authorize(
            req,
            Action::ViewTenantDomains {
                tenant_id: self.0.id,
            },
        )
        .map_err(ApiError::from)?;
        if self.0.email_sender_address.is_none() {
            return Ok(None);
        }
        Ok(Some(super::mail::MailDomain {
            tenant: self.0.clone(),
            records: domain::tenancy::mail_domain::records(&svc.settings, &self.0),
        }))
    }
    /// The tenant's service tokens, newest first (tenant admins and platform staff).
    async fn service_tokens(&self, ctx: &Context<'_>) -> crate::GqlResult<Vec<ServiceToken>> {
        let rows =
            domain::tenancy::service_tokens::list(services(ctx)?, request(ctx)?, self.0.id).await?;
        Ok(rows.into_iter().map(ServiceToken).collect())
    }
    /// The rail the brand's partners are paid out on: the one it chose, else its
    /// currency's; null when no rail pays in its currency (no payouts).
    async fn payout_rail(&self) -> Option<super::rail::PayoutRail> {
        domain::tenancy::payout_rail::Rail::of(&self.0).map(Into::into)
    }
    /// The brand's discount ladders and the periods it sells lines for: public, like the
    /// price list (seed 001's ladders until the brand sets its own).
    async fn pricing(&self) -> super::pricing::PriceLadders {
        domain::tenancy::ladders::Ladders::of(&self.0).into()
    }
    /// The partner program's settings: tier discounts and reward rates (tenant admins
    /// and platform staff).
    async fn partner_program(&self, ctx: &Context<'_>) -> crate::GqlResult<PartnerProgramSettings> {
        let req = request(ctx)?;
        domain::tenancy::access::load_brand_facts(&services(ctx)?.db, req, self.0.id).await?;
        authorize(
            req,
            Action::ReviewPartners {
                tenant_id: self.0.id,
            },
        )
        .map_err(ApiError::from)?;
        let pct = |bp: i32| rust_decimal::Decimal::new(bp as i64, 2);
        Ok(PartnerProgramSettings {
            official_discount: pct(self.0.partner_discount_official_bp),
            gold_discount: pct(self.0.partner_discount_gold_bp),
            technology_discount: pct(self.0.partner_discount_technology_bp),
            reward_rate_created: pct(self.0.reward_rate_created_bp),
            reward_rate_referral: pct(self.0.reward_rate_referral_bp),
            reward_hold_days: self.0.reward_hold_days,
            certification_cooldown_hours: self.0.certification_cooldown_hours,
            max_open_leads_per_partner: self.0.max_open_leads_per_partner,
            withdrawal_minimum: crate::money::Money(entities::money::from_minor(
                domain::tenancy::payout_rail::withdrawal_minimum_minor(&self.0),
                &self.0.currency,
            )),
        })
    }
    /// The organization that owns this brand (a reseller's), for those who may see that
    /// organization (its members); `null` for everyone else and for brands without one.
    async fn owner_organization(
        &self,
        ctx: &Context<'_>,
    ) -> crate::GqlResult<Option<crate::shared::Organization>> {
        let Some(org_id) = self.0.owner_organization_id else {
            return Ok(None);
        };
        match domain::orgs::access::org_for_viewer(services(ctx)?, request(ctx)?, org_id).await {
            Ok(view) => Ok(Some(view.into())),
            Err(
                domain::kernel::error::ApiError::NotFound { .. }
                | domain::kernel::error::ApiError::Forbidden
                | domain::kernel::error::ApiError::Unauthenticated(_),
            ) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
    /// When the tenant was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the tenant was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// Partner-program settings, in percent.
#[derive(SimpleObject)]
pub struct PartnerProgramSettings {
    /// Discount of `OFFICIAL` partners (default 35).
    pub official_discount: rust_decimal::Decimal,
    /// Discount of `GOLD` partners (default 50).
    pub gold_discount: rust_decimal::Decimal,
    /// Discount of `TECHNOLOGY` partners (default 50).
    pub technology_discount: rust_decimal::Decimal,
    /// Reward on payments of clients the partner created (default 20).
    pub reward_rate_created: rust_decimal::Decimal,
    /// Reward on payments of referral and service-manager clients (default 0).
    pub reward_rate_referral: rust_decimal::Decimal,
    /// Days a reward is held (shown as pending) before it may be withdrawn (default 14).
    pub reward_hold_days: i32,
    /// Hours a partner user waits between two attempts at the same certification test
    /// (default 24).
    pub certification_cooldown_hours: i32,
    /// Leads one partner may hold open (`NEW` or `IN_WORK`) at once (default 10); taking
    /// one more is refused with `LEAD_LIMIT_REACHED`.
    pub max_open_leads_per_partner: i32,
    /// The smallest withdrawal, in the brand's currency (default 5000.00 for roubles,
    /// 50.00 otherwise).
    pub withdrawal_minimum: crate::money::Money,
}

/// New partner-program settings, in percent (0 to 100, two decimals at most). Omitted
/// values stay.
#[derive(InputObject)]
pub struct PartnerProgramInput {
    /// Discount of `OFFICIAL` partners.
    pub official_discount: Option<crate::money::Percent>,
    /// Discount of `GOLD` partners.
    pub gold_discount: Option<crate::money::Percent>,
    /// Discount of `TECHNOLOGY` partners.
    pub technology_discount: Option<crate::money::Percent>,
    /// Reward on payments of clients the partner created.
    pub reward_rate_created: Option<crate::money::Percent>,
    /// Reward on payments of referral and service-manager clients.
    pub reward_rate_referral: Option<crate::money::Percent>,
    /// Days a reward is held before it may be withdrawn (0 to 365; 0 means at once).
    /// Applies to rewards written from now on.
    pub reward_hold_days: Option<i32>,
    /// Hours between two attempts at the same certification test (0 to 8760; 0: no wait).
    pub certification_cooldown_hours: Option<i32>,
    /// Leads one partner may hold open at once (1 to 1000).
    pub max_open_leads_per_partner: Option<i32>,
    /// The smallest withdrawal, in the brand's currency.
    pub withdrawal_minimum: Option<crate::money::Money>,
}

/// How a domain came to the tenant.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DomainKind {
    /// `<slug>.<platform domain>`, verified by construction.
    PlatformSubdomain,
    /// A host name of the tenant's own.
    Custom,
}

/// Whether requests on a domain are served.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DomainStatus {
    /// Waiting for its DNS record (re-checked with backoff for 7 days); requests on it are
    /// refused.
    Pending,
    /// Requests on it resolve to the tenant.
    Verified,
    /// The record was not found within 7 days; requests on it are refused.
    /// `verifyTenantDomain` checks again. Also the end of a claim another brand proved
    /// first (`lastError`: "proved by another brand").
    Failed,
    /// It was verified, but its TXT record was wrong or missing at every daily re-check for
    /// 7 days: requests on it are refused (the host may have changed hands).
    /// `verifyTenantDomain` checks again.
    Expired,
}

/// How the last DNS check went.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DomainCheck {
    /// The TXT record holds the tenant's token.
    Verified,
    /// No record, or not the token (`lastError` says what was found).
    Failed,
    /// The resolver could not be asked (timeout, SERVFAIL): nothing is known about the
    /// record, and it does not count against the domain.
    Unreachable,
}

/// A DNS record to create.
#[derive(SimpleObject)]
pub struct DnsRecord {
    /// `TXT`.
    #[graphql(name = "type")]
    pub record_type: String,
    /// The record's full name, e.g. `_gateway-verify.partners.example.com`.
    pub name: String,
    /// The value to put in it.
    pub value: String,
}

/// A host name a tenant answers on.
pub struct TenantDomain(pub tenant_domain::Model);

#[Object]
impl TenantDomain {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::TenantDomain, self.0.id)
    }
    /// The normalised host name (punycode for internationalised names).
    async fn host(&self) -> &str {
        &self.0.host
    }
    /// Platform subdomain or custom domain.
    async fn kind(&self) -> DomainKind {
        if self.0.kind == tenant_domain::KIND_PLATFORM_SUBDOMAIN {
            DomainKind::PlatformSubdomain
        } else {
            DomainKind::Custom
        }
    }
    /// Verification state: only `VERIFIED` hosts are served.
    async fn status(&self) -> DomainStatus {
        match self.0.status {
            tenant_domain::DomainStatus::Verified => DomainStatus::Verified,
            tenant_domain::DomainStatus::Pending => DomainStatus::Pending,
            tenant_domain::DomainStatus::Failed => DomainStatus::Failed,
            tenant_domain::DomainStatus::Expired => DomainStatus::Expired,
        }
    }
    /// The TXT record that proves the domain (custom domains; null for platform
    /// subdomains).
    async fn verification_record(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<DnsRecord>> {
        if self.0.kind != tenant_domain::KIND_CUSTOM {
            return Ok(None);
        }
        let tenant = services(ctx)?
            .registry
            .by_id(self.0.tenant_id)
            .ok_or(ApiError::NotFound { what: "tenant" })?;
        Ok(Some(DnsRecord {
            record_type: "TXT".into(),
            name: domain::tenancy::domains::verification_name(&self.0.host),
            value: tenant.model.verification_token.clone(),
        }))
    }
    /// Where the host's CNAME should point for traffic to reach the platform (custom
    /// domains; at a zone apex, an ALIAS/ANAME record or the platform's addresses).
    async fn cname_target(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<String>> {
        Ok((self.0.kind == tenant_domain::KIND_CUSTOM)
            .then(|| services(ctx).map(|s| s.settings.platform_base_domain.clone()))
            .transpose()?)
    }
    /// When DNS was last asked.
    async fn last_checked_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_checked_at
    }
    /// How the last check went.
    async fn last_check(&self) -> Option<DomainCheck> {
        match self.0.last_check.as_deref()? {
            tenant_domain::CHECK_VERIFIED => Some(DomainCheck::Verified),
            tenant_domain::CHECK_FAILED => Some(DomainCheck::Failed),
            _ => Some(DomainCheck::Unreachable),
        }
    }
    /// What the last check found when it did not verify (the records found, or why the
    /// resolver could not be asked). On a verified domain: its record went missing.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When the domain was verified.
    async fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.0.verified_at
    }
    /// When the scheduler checks next (null when it no longer does).
    async fn next_check_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_check_at
    }
    /// Whether links point to this host.
    async fn primary(&self) -> bool {
        self.0.is_primary
    }
    /// Whether links point to this host (the same as `primary`).
    async fn is_primary(&self) -> bool {
        self.0.is_primary
    }
    /// When the domain was added.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Whether the TLS-terminating proxy has asked for a certificate for this host and was
    /// allowed one (`GET /tls/ask`): HTTPS is served on it, or is moments away.
    async fn tls_ready(&self) -> bool {
        self.0.tls_allowed_at.is_some()
    }
}

/// Input of `createTenant`.
#[derive(InputObject)]
pub struct CreateTenantInput {
    /// 2 to 40 lower-case letters, digits or inner dashes; also names the platform subdomain.
    pub slug: String,
    /// The brand's name.
    pub display_name: String,
    /// The legal entity behind the brand.
    pub legal_name: Option<String>,
    /// Logo image URL.
    pub logo_url: Option<String>,
    /// Favicon URL.
    pub favicon_url: Option<String>,
    /// `#RRGGBB`; defaults to `#2F6FED`.
    pub primary_color: Option<String>,
    /// `#RRGGBB`; defaults to `#FFB020`.
    pub accent_color: Option<String>,
    /// Support email.
    pub support_email: Option<String>,
    /// Support phone.
    pub support_phone: Option<String>,
    /// Support page URL.
    pub support_url: Option<String>,
    /// Name emails are sent under.
    pub email_sender_name: Option<String>,
    /// Address emails are sent from.
    pub email_sender_address: Option<String>,
    /// Defaults to `RU`.
    pub default_language: Option<Language>,
    /// ISO 4217; defaults to `RUB`.
    pub currency: Option<String>,
    /// IANA time zone; defaults to `Europe/Moscow`.
    pub timezone: Option<String>,
    /// If given, an admin account with this email is created on the new tenant and gets a
    /// set-password email.
    pub admin_email: Option<String>,
    /// The admin's name; defaults to the email.
    pub admin_display_name: Option<String>,
}

impl From<CreateTenantInput> for domain::tenancy::setup::TenantFields {
    fn from(i: CreateTenantInput) -> Self {
        Self {
            slug: i.slug,
            display_name: i.display_name,
            legal_name: i.legal_name,
            logo_url: i.logo_url,
            favicon_url: i.favicon_url,
            primary_color: i.primary_color,
            accent_color: i.accent_color,
            support_email: i.support_email,
            support_phone: i.support_phone,
            support_url: i.support_url,
            email_sender_name: i.email_sender_name,
            email_sender_address: i.email_sender_address,
            default_language: i.default_language.map(|l| l.code().to_string()),
            currency: i.currency,
            timezone: i.timezone,
            admin_email: i.admin_email,
            admin_display_name: i.admin_display_name,
        }
    }
}

use crate::inputs::patch;
use domain::kernel::patch::Patch;

impl UpdateTenantInput {
    /// The domain's changes, with the tenant id decoded.
    pub fn into_changes(self) -> crate::ApiResult<domain::tenancy::settings::TenantChanges> {
        Ok(domain::tenancy::settings::TenantChanges {
            id: self
                .id
                .as_ref()
                .map(|id| ids::decode(id, Kind::Tenant, "id"))
                .transpose()?,
            slug: self.slug,
            display_name: self.display_name,
            legal_name: patch(self.legal_name),
            logo_url: patch(self.logo_url),
            favicon_url: patch(self.favicon_url),
            primary_color: self.primary_color,
            accent_color: self.accent_color,
            support_email: patch(self.support_email),
            support_phone: patch(self.support_phone),
            support_url: patch(self.support_url),
            email_sender_name: patch(self.email_sender_name),
            email_sender_address: patch(self.email_sender_address),
            default_language: self.default_language.map(|l| l.code().to_string()),
            currency: self.currency,
            timezone: self.timezone,
            partner_program: self.partner_program.map(|p| {
                domain::tenancy::settings::ProgramChanges {
                    official_discount: p.official_discount.map(|v| v.0),
                    gold_discount: p.gold_discount.map(|v| v.0),
                    technology_discount: p.technology_discount.map(|v| v.0),
                    reward_rate_created: p.reward_rate_created.map(|v| v.0),
                    reward_rate_referral: p.reward_rate_referral.map(|v| v.0),
                    reward_hold_days: p.reward_hold_days,
                    certification_cooldown_hours: p.certification_cooldown_hours,
                    max_open_leads_per_partner: p.max_open_leads_per_partner,
                    withdrawal_minimum: p.withdrawal_minimum.map(|v| v.0),
                }
            }),
            payout_rail: match patch(self.payout_rail) {
                Patch::Keep => Patch::Keep,
                Patch::Clear => Patch::Clear,
                Patch::Set(r) => Patch::Set(r.into()),
            },
            pricing: self.pricing.map(Into::into),
        })
    }
}

/// Result of `createTenant`.
#[derive(SimpleObject)]
pub struct CreateTenantPayload {
    /// The new tenant.
    pub tenant: Tenant,
    /// The admin account, if one was asked for.
    pub admin: Option<User>,
}

/// Input of `updateTenant`. Omitted fields stay as they are; `null` clears an optional one.
#[derive(InputObject)]
pub struct UpdateTenantInput {
    /// The tenant to change; defaults to the current tenant.
    pub id: Option<ID>,
    /// New slug (platform staff only); the platform subdomain follows.
    pub slug: Option<String>,
    /// The brand's name.
    pub display_name: Option<String>,
    /// The legal entity behind the brand.
    pub legal_name: MaybeUndefined<String>,
    /// Logo image URL.
    pub logo_url: MaybeUndefined<String>,
    /// Favicon URL.
    pub favicon_url: MaybeUndefined<String>,
    /// `#RRGGBB`.
    pub primary_color: Option<String>,
    /// `#RRGGBB`.
    pub accent_color: Option<String>,
    /// Support email.
    pub support_email: MaybeUndefined<String>,
    /// Support phone.
    pub support_phone: MaybeUndefined<String>,
    /// Support page URL.
    pub support_url: MaybeUndefined<String>,
    /// Name emails are sent under.
    pub email_sender_name: MaybeUndefined<String>,
    /// Address emails are sent from.
    pub email_sender_address: MaybeUndefined<String>,
    /// Default language.
    pub default_language: Option<Language>,
    /// ISO 4217 currency.
    pub currency: Option<String>,
    /// IANA time zone.
    pub timezone: Option<String>,
    /// Tier discounts and reward rates of the partner program.
    pub partner_program: Option<PartnerProgramInput>,
    /// The brand's discount ladders and the periods it sells lines for (audited).
    pub pricing: Option<super::pricing::PricingInput>,
    /// The rail partners are paid out on; it must pay in the brand's currency (`RU_BANK`
    /// roubles, `SEPA` euros, `PIX` reais). `null` goes back to the currency's rail.
    pub payout_rail: MaybeUndefined<super::rail::PayoutRail>,
}

/// Result of `verifyTenantMailDomain`.
#[derive(SimpleObject)]
pub struct VerifyTenantMailDomainPayload {
    /// The brand, with `mailDomain` as the check left it.
    pub tenant: Tenant,
}

/// Result of `updateTenant`.
#[derive(SimpleObject)]
pub struct UpdateTenantPayload {
    /// The tenant as it now is.
    pub tenant: Tenant,
}

/// Input of `addTenantDomain`.
#[derive(InputObject)]
pub struct AddTenantDomainInput {
    /// The tenant.
    pub tenant_id: ID,
    /// A host name; normalised (lower case, punycode, no port or trailing dot).
    pub host: String,
    /// Make it the primary domain (the first domain always is).
    #[graphql(default)]
    pub make_primary: bool,
}

/// Result of `addTenantDomain`.
#[derive(SimpleObject)]
pub struct AddTenantDomainPayload {
    /// The new domain.
    pub domain: TenantDomain,
    /// Its tenant.
    pub tenant: Tenant,
}

/// Input of `verifyTenantDomain` and `setPrimaryTenantDomain`.
#[derive(InputObject)]
pub struct TenantDomainInput {
    /// The domain.
    pub domain_id: ID,
}

/// Result of `verifyTenantDomain` and `setPrimaryTenantDomain`.
#[derive(SimpleObject)]
pub struct TenantDomainPayload {
    /// The domain, as it now is.
    pub domain: TenantDomain,
}

/// Input of `removeTenantDomain`.
#[derive(InputObject)]
pub struct RemoveTenantDomainInput {
    /// The domain to remove; the primary domain cannot be removed.
    pub domain_id: ID,
}

/// Result of `removeTenantDomain`.
#[derive(SimpleObject)]
pub struct RemoveTenantDomainPayload {
    /// The id of the removed domain.
    pub removed_domain_id: ID,
    /// Its tenant.
    pub tenant: Tenant,
}

/// What a service token may do.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ServiceTokenScope {
    /// Report channel connection states (`setChannelStatus`).
    ChannelStatus,
}

impl ServiceTokenScope {
    fn name(self) -> &'static str {
        match self {
            ServiceTokenScope::ChannelStatus => entities::service_token::SCOPE_CHANNEL_STATUS,
        }
    }

    fn parse(s: &str) -> Option<Self> {
        (s == entities::service_token::SCOPE_CHANNEL_STATUS).then_some(Self::ChannelStatus)
    }
}

/// A credential of a machine of the tenant (the messaging side). Its secret is shown
/// once, when it is created; send it as `Authorization: Bearer <token>`.
pub struct ServiceToken(pub entities::service_token::Model);

#[Object]
impl ServiceToken {
    /// The token's global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::ServiceToken, self.0.id)
    }
    /// What it is for.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What it may do.
    async fn scopes(&self) -> Vec<ServiceTokenScope> {
        self.0
            .scope_list()
            .iter()
            .filter_map(|s| ServiceTokenScope::parse(s))
            .collect()
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was last used (to the minute).
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    /// When it was revoked; a revoked token is refused.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}

/// Input of `createServiceToken`.
#[derive(InputObject)]
pub struct CreateServiceTokenInput {
    /// The tenant (platform staff name any; tenant admins their own). Default: this
    /// request's tenant.
    pub tenant_id: Option<ID>,
    /// What it is for, e.g. "messaging gateway".
    pub name: String,
    /// What it may do.
    pub scopes: Vec<ServiceTokenScope>,
}

/// Result of `createServiceToken`.
#[derive(SimpleObject)]
pub struct CreateServiceTokenPayload {
    /// The secret: shown this once, never again.
    pub token: String,
    /// The token's record.
    pub service_token: ServiceToken,
}

/// Input of `revokeServiceToken`.
#[derive(InputObject)]
pub struct RevokeServiceTokenInput {
    /// The token.
    pub service_token_id: ID,
}

/// Result of `revokeServiceToken`.
#[derive(SimpleObject)]
pub struct RevokeServiceTokenPayload {
    /// The token, revoked.
    pub service_token: ServiceToken,
}

impl CreateServiceTokenInput {
    /// The scopes by their stored names.
    pub fn scope_names(&self) -> Vec<String> {
        self.scopes.iter().map(|s| s.name().to_string()).collect()
    }
}
