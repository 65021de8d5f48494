//! A brand's settings: `updateTenant` (branding, contacts, currency, the partner
//! program) and reading brands. After a change commits, the tenant registry is told, so
//! the next request (on every instance) sees it.

use entities::{tenant, tenant_domain};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QuerySelect,
};
use serde_json::json;
use tenants::{Action, RequestCtx, authorize};

use super::access::authorize_on;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::patch::Patch;
use crate::kernel::services::Services;
use crate::kernel::validate;
use crate::tenancy::setup::{opt_email, opt_phone, opt_url, platform_host};

/// Changes to a tenant's settings; `None` and `Patch::Keep` leave a field alone.
#[derive(Debug, Clone, Default)]
pub struct TenantChanges {
    /// The tenant; `None` is the request's.
    pub id: Option<i64>,
    pub slug: Option<String>,
    pub display_name: Option<String>,
    pub legal_name: Patch<String>,
    pub logo_url: Patch<String>,
    pub favicon_url: Patch<String>,
    pub primary_color: Option<String>,
    pub accent_color: Option<String>,
    pub support_email: Patch<String>,
    pub support_phone: Patch<String>,
    pub support_url: Patch<String>,
    pub email_sender_name: Patch<String>,
    pub email_sender_address: Patch<String>,
    pub default_language: Option<String>,
    pub currency: Option<String>,
    pub timezone: Option<String>,
    pub partner_program: Option<ProgramChanges>,
    /// The brand's price ladders (`super::ladders`).
    pub pricing: Option<super::ladders::LadderChanges>,
    /// The rail partners are paid out on (must pay in the brand's currency); cleared, the
    /// brand pays on its currency's.
    pub payout_rail: Patch<super::payout_rail::Rail>,
}

/// Changes to the partner program's percentages.
#[derive(Debug, Clone, Default)]
pub struct ProgramChanges {
    pub official_discount: Option<rust_decimal::Decimal>,
    pub gold_discount: Option<rust_decimal::Decimal>,
    pub technology_discount: Option<rust_decimal::Decimal>,
    pub reward_rate_created: Option<rust_decimal::Decimal>,
    pub reward_rate_referral: Option<rust_decimal::Decimal>,
    /// Days a reward is held (0 to 365).
    pub reward_hold_days: Option<i32>,
    /// Hours between two attempts at the same certification test (0 to 8760).
    pub certification_cooldown_hours: Option<i32>,
    /// Leads one partner may hold open at once (1 to 1000).
    pub max_open_leads_per_partner: Option<i32>,
    /// The smallest withdrawal, in the brand's currency (more than zero).
    pub withdrawal_minimum: Option<rust_decimal::Decimal>,
}

fn set_opt(
    target: &mut sea_orm::ActiveValue<Option<String>>,
    value: &Patch<String>,
    check: impl Fn(&str) -> ApiResult<Option<String>>,
) -> ApiResult<()> {
    match value {
        Patch::Keep => {}
        Patch::Clear => *target = Set(None),
        Patch::Set(v) => *target = Set(check(v)?),
    }
    Ok(())
}

/// Whether the tenant has money in its currency: an order or a ledger entry. Its currency
/// is then fixed, so amounts in different currencies are never summed.
async fn holds_money(db: &impl ConnectionTrait, tenant_id: i64) -> ApiResult<bool> {
    use entities::{order, partner_ledger_entry};
    let orders = order::Entity::find()
        .filter(order::Column::TenantId.eq(tenant_id))
        .limit(1)
        .count(db)
        .await?;
    if orders > 0 {
        return Ok(true);
    }
    let entries = partner_ledger_entry::Entity::find()
        .filter(partner_ledger_entry::Column::TenantId.eq(tenant_id))
        .limit(1)
        .count(db)
        .await?;
    Ok(entries > 0)
}

/// Whether the brand's active card payment account is a YooKassa shop (roubles only).
async fn takes_cards_by_yookassa(db: &impl ConnectionTrait, tenant_id: i64) -> ApiResult<bool> {
    use entities::payment_account;
    Ok(payment_account::Entity::find()
        .filter(payment_account::Column::TenantId.eq(tenant_id))
        .filter(payment_account::Column::Active.eq(true))
        .filter(payment_account::Column::Provider.eq("yookassa"))
        .count(db)
        .await?
        > 0)
}

/// `updateTenant`: staff change any tenant; a tenant's admins change their own tenant's
/// branding and defaults but not its slug.
pub async fn update_tenant(
    svc: &Services,
    req: &RequestCtx,
    input: TenantChanges,
) -> ApiResult<tenant::Model> {
    let tenant_id = input.id.unwrap_or_else(|| req.tenant_id());
    super::access::load_brand_facts(&svc.db, req, tenant_id).await?;
    authorize_on(req, Action::EditTenantBranding { tenant_id }, tenant_id)?;
    if input.slug.is_some() {
        authorize_on(req, Action::ManageTenant { tenant_id }, tenant_id)?;
    }
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    // Locked: a currency change and the check that no money exists yet are one step.
    let current = tenant::Entity::find_by_id(tenant_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound { what: "tenant" })?;
    let old_slug = current.slug.clone();
    let old_currency = current.currency.clone();
    let old_sender = current.email_sender_address.clone();
    let ladders = match &input.pricing {
        Some(changes) => Some(super::ladders::Ladders::of(&current).changed(changes)?),
        None => None,
    };
    let mut m = current.into_active_model();
    if let Some(l) = ladders {
        m.price_ladders = Set(Some(l.to_json()));
    }
    apply_branding(&mut m, &input)?;
    if let Some(v) = &input.currency {
        let currency = validate::currency("currency", v)?;
        if currency != old_currency && holds_money(&txn, tenant_id).await? {
            return Err(ApiError::domain(
                code::CURRENCY_LOCKED,
                Some("currency"),
                format!(
                    "the brand already has orders or ledger entries in {old_currency}: its currency can no longer change"
                ),
            ));
        }
        if currency != "RUB" && takes_cards_by_yookassa(&txn, tenant_id).await? {
            return Err(ApiError::domain(
                code::CURRENCY_NOT_SUPPORTED,
                Some("currency"),
                "the brand's card payments go to its own YooKassa shop, which takes roubles: remove or change that account first",
            ));
        }
        m.currency = Set(currency);
    }
    if let Some(v) = &input.timezone {
        m.timezone = Set(validate::timezone("timezone", v)?);
    }
    if let Some(pp) = &input.partner_program {
        apply_program(&mut m, pp)?;
    }
    apply_payouts(&mut m, &input, &old_currency)?;
    if let sea_orm::ActiveValue::Set(sender) = m.email_sender_address.clone()
        && !super::mail_domain::same_domain(sender.as_deref(), old_sender.as_deref())
    {
        // A new sender domain is unproven until its record is found.
        super::mail_domain::reset(&mut m, sender.as_deref(), svc.clock.now());
    }
    m.updated_at = Set(entities::time::now());
    let updated = m
        .update(&txn)
        .await
        .map_err(|e| ApiError::from_unique(e, "slug", "a tenant with this slug already exists"))?;
    if updated.slug != old_slug {
        move_platform_host(&txn, svc, tenant_id, &old_slug, &updated.slug).await?;
    }
    audit::record(
        &txn,
        req,
        None,
        audit::action::TENANT_UPDATED,
        Target::Tenant(updated.id),
        None,
        audit_details(&updated),
    )
    .await?;
    svc.registry.notify_in(&txn).await?;
    crate::kernel::txn::commit(txn, req).await?;
    svc.registry.refresh_after_commit(&svc.db).await;
    Ok(updated)
}

/// The brand's identity, contacts, sender and defaults as `input` changes them.
fn apply_branding(m: &mut tenant::ActiveModel, input: &TenantChanges) -> ApiResult<()> {
    if let Some(s) = &input.slug {
        m.slug = Set(validate::slug("slug", s)?);
    }
    if let Some(v) = &input.display_name {
        m.display_name = Set(validate::text("displayName", v, 120)?);
    }
    set_opt(&mut m.legal_name, &input.legal_name, |v| {
        validate::opt_text("legalName", Some(v), 200)
    })?;
    set_opt(&mut m.logo_url, &input.logo_url, |v| {
        opt_url("logoUrl", Some(v))
    })?;
    set_opt(&mut m.favicon_url, &input.favicon_url, |v| {
        opt_url("faviconUrl", Some(v))
    })?;
    set_opt(&mut m.support_email, &input.support_email, |v| {
        opt_email("supportEmail", Some(v))
    })?;
    set_opt(&mut m.support_phone, &input.support_phone, |v| {
        opt_phone("supportPhone", Some(v))
    })?;
    set_opt(&mut m.support_url, &input.support_url, |v| {
        opt_url("supportUrl", Some(v))
    })?;
    set_opt(&mut m.email_sender_name, &input.email_sender_name, |v| {
        validate::opt_text("emailSenderName", Some(v), 120)
    })?;
    set_opt(
        &mut m.email_sender_address,
        &input.email_sender_address,
        |v| opt_email("emailSenderAddress", Some(v)),
    )?;
    if let Some(v) = &input.primary_color {
        m.primary_color = Set(validate::color("primaryColor", v)?);
    }
    if let Some(v) = &input.accent_color {
        m.accent_color = Set(validate::color("accentColor", v)?);
    }
    if let Some(v) = &input.default_language {
        m.default_language = Set(validate::language("defaultLanguage", v)?);
    }
    Ok(())
}

/// A percentage as basis points, range-checked before any arithmetic: a huge value must
/// be refused, not overflow.
fn percent_bp(field: &str, v: rust_decimal::Decimal) -> ApiResult<i32> {
    use rust_decimal::prelude::ToPrimitive;
    let refused = || {
        ApiError::bad_input(
            field,
            "a percentage from 0 to 100 with at most two decimals",
        )
    };
    if v < rust_decimal::Decimal::ZERO || v > rust_decimal::Decimal::ONE_HUNDRED {
        return Err(refused());
    }
    let scaled = v
        .checked_mul(rust_decimal::Decimal::ONE_HUNDRED)
        .ok_or_else(refused)?;
    if scaled.fract() != rust_decimal::Decimal::ZERO {
        return Err(refused());
    }
    scaled.to_i32().ok_or_else(refused)
}

/// A whole number within `range`, or `message` on `field`.
fn within(
    field: &str,
    v: i32,
    range: std::ops::RangeInclusive<i32>,
    message: &str,
) -> ApiResult<i32> {
    if range.contains(&v) {
        Ok(v)
    } else {
        Err(ApiError::bad_input(field, message))
    }
}

/// The partner program's settings as `pp` changes them.
fn apply_program(m: &mut tenant::ActiveModel, pp: &ProgramChanges) -> ApiResult<()> {
    if let Some(v) = pp.official_discount {
        m.partner_discount_official_bp = Set(percent_bp("partnerProgram.officialDiscount", v)?);
    }
    if let Some(v) = pp.gold_discount {
        m.partner_discount_gold_bp = Set(percent_bp("partnerProgram.goldDiscount", v)?);
    }
    if let Some(v) = pp.technology_discount {
        m.partner_discount_technology_bp = Set(percent_bp("partnerProgram.technologyDiscount", v)?);
    }
    if let Some(v) = pp.reward_rate_created {
        m.reward_rate_created_bp = Set(percent_bp("partnerProgram.rewardRateCreated", v)?);
    }
    if let Some(v) = pp.reward_rate_referral {
        m.reward_rate_referral_bp = Set(percent_bp("partnerProgram.rewardRateReferral", v)?);
    }
    if let Some(days) = pp.reward_hold_days {
        m.reward_hold_days = Set(within(
            "partnerProgram.rewardHoldDays",
            days,
            0..=365,
            "from 0 to 365 days",
        )?);
    }
    if let Some(hours) = pp.certification_cooldown_hours {
        m.certification_cooldown_hours = Set(within(
            "partnerProgram.certificationCooldownHours",
            hours,
            0..=8760,
            "from 0 to 8760 hours",
        )?);
    }
    if let Some(n) = pp.max_open_leads_per_partner {
        m.max_open_leads_per_partner = Set(within(
            "partnerProgram.maxOpenLeadsPerPartner",
            n,
            1..=1000,
            "from 1 to 1000 leads",
        )?);
    }
    Ok(())
}

/// The payout rail and the smallest withdrawal, checked against the brand's currency as
/// `m` now has it: a rail pays in one currency, so a chosen rail and the currency change
/// together or not at all.
fn apply_payouts(
    m: &mut tenant::ActiveModel,
    input: &TenantChanges,
    old_currency: &str,
) -> ApiResult<()> {
    use super::payout_rail::Rail;
    let currency = match &m.currency {
        sea_orm::ActiveValue::Set(c) | sea_orm::ActiveValue::Unchanged(c) => c.clone(),
        sea_orm::ActiveValue::NotSet => old_currency.to_string(),
    };
    match &input.payout_rail {
        Patch::Set(rail) => {
            m.payout_rail = Set(Some(rail.check(&currency, "payoutRail")?.as_str().into()));
        }
        Patch::Clear => m.payout_rail = Set(None),
        Patch::Keep => {
            if currency != old_currency
                && let sea_orm::ActiveValue::Unchanged(Some(chosen)) = &m.payout_rail
                && let Some(rail) = Rail::parse(chosen)
            {
                rail.check(&currency, "currency")?;
            }
        }
    }
    // A minimum in the old currency means nothing in the new one: back to the default
    // unless a new one is given.
    if currency != old_currency {
        m.withdrawal_minimum_minor = Set(None);
    }
    if let Some(v) = input
        .partner_program
        .as_ref()
        .and_then(|p| p.withdrawal_minimum)
    {
        let field = "partnerProgram.withdrawalMinimum";
        if v <= rust_decimal::Decimal::ZERO {
            return Err(ApiError::bad_input(field, "more than zero"));
        }
        if v > rust_decimal::Decimal::from(super::payout_rail::MAX_WITHDRAWAL) {
            return Err(ApiError::bad_input(
                field,
                format!("at most {}", super::payout_rail::MAX_WITHDRAWAL),
            ));
        }
        let minor = entities::money::to_minor(v, &currency)
            .map_err(|e| ApiError::bad_input(field, e.to_string()))?;
        m.withdrawal_minimum_minor = Set(Some(minor));
    }
    Ok(())
}

/// The platform subdomain follows the slug.
async fn move_platform_host(
    txn: &impl ConnectionTrait,
    svc: &Services,
    tenant_id: i64,
    old_slug: &str,
    new_slug: &str,
) -> ApiResult<()> {
    let old_host = platform_host(&svc.settings, old_slug);
    let new_host = platform_host(&svc.settings, new_slug);
    tenant_domain::Entity::update_many()
        .col_expr(
            tenant_domain::Column::Host,
            sea_orm::sea_query::Expr::value(new_host),
        )
        .filter(tenant_domain::Column::TenantId.eq(tenant_id))
        .filter(tenant_domain::Column::Host.eq(old_host))
        .exec(txn)
        .await
        .map_err(|e| {
            ApiError::from_unique(e, "slug", "the platform subdomain of this slug is taken")
        })?;
    Ok(())
}

/// What the audit log keeps of a brand's settings after a change.
fn audit_details(updated: &tenant::Model) -> serde_json::Value {
    json!({
        "slug": updated.slug, "displayName": updated.display_name,
        "primaryColor": updated.primary_color, "accentColor": updated.accent_color,
        "logoUrl": updated.logo_url, "faviconUrl": updated.favicon_url,
        "supportEmail": updated.support_email, "supportPhone": updated.support_phone,
        "supportUrl": updated.support_url, "defaultLanguage": updated.default_language,
        "currency": updated.currency, "timezone": updated.timezone,
        "partnerDiscountsBp": [updated.partner_discount_official_bp, updated.partner_discount_gold_bp, updated.partner_discount_technology_bp],
        "rewardRatesBp": [updated.reward_rate_created_bp, updated.reward_rate_referral_bp],
        "rewardHoldDays": updated.reward_hold_days,
        "certificationCooldownHours": updated.certification_cooldown_hours,
        "maxOpenLeadsPerPartner": updated.max_open_leads_per_partner,
        "priceLadders": super::ladders::Ladders::of(updated),
        "payoutRail": super::payout_rail::Rail::of(updated).map(|r| r.as_str()),
        "withdrawalMinimumMinor": super::payout_rail::withdrawal_minimum_minor(updated),
    })
}

/// Every tenant, a page (platform staff).
pub async fn list_tenants(
    svc: &Services,
    req: &RequestCtx,
    args: crate::kernel::page::PageArgs,
) -> ApiResult<crate::kernel::page::Paged<tenant::Model>> {
    authorize(req, Action::ListTenants)?;
    crate::kernel::page::paginate(
        &svc.db,
        tenant::Entity::find(),
        tenant::Column::Id,
        args,
        |m| (m.id, m),
    )
    .await
}

/// The tenant `id`, if the viewer may see it (their own; staff any). `None` hides
/// whether it exists.
pub async fn tenant_for_viewer(
    svc: &Services,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<Option<tenant::Model>> {
    if id != req.tenant_id() && authorize(req, Action::ListTenants).is_err() {
        return Ok(None);
    }
    Ok(tenant::Entity::find_by_id(id).one(&svc.db).await?)
}
