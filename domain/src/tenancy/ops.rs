//! Tenancy operations: creating and editing tenants and their domains, and bootstrapping
//! the root tenant and the first platform admin. After a change commits, the tenant
//! registry is told, so the next request (on every instance) sees it.

use entities::{one_time_token, tenant, tenant_domain, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QuerySelect,
};
use serde_json::json;
use tenants::host::normalize_host;
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use super::access::{authorize_domain, authorize_on};
use crate::identity::ops::issue_one_time_token;
use crate::kernel::audit::{self, Target};
use crate::kernel::emails;
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::links;
use crate::kernel::password;
use crate::kernel::patch::Patch;
use crate::kernel::services::{Services, Settings};
use crate::kernel::validate;

/// A tenant's settings at creation; `None` takes the default.
#[derive(Debug, Clone, Default)]
pub struct TenantFields {
    pub slug: String,
    pub display_name: String,
    pub legal_name: Option<String>,
    pub logo_url: Option<String>,
    pub favicon_url: Option<String>,
    pub primary_color: Option<String>,
    pub accent_color: Option<String>,
    pub support_email: Option<String>,
    pub support_phone: Option<String>,
    pub support_url: Option<String>,
    pub email_sender_name: Option<String>,
    pub email_sender_address: Option<String>,
    /// A language code (`ru`, `en`, ...).
    pub default_language: Option<String>,
    pub currency: Option<String>,
    pub timezone: Option<String>,
    /// The first admin, emailed a set-password link.
    pub admin_email: Option<String>,
    pub admin_display_name: Option<String>,
}

impl TenantFields {
    /// A tenant with every default.
    pub fn new(slug: &str, display_name: &str) -> Self {
        Self {
            slug: slug.into(),
            display_name: display_name.into(),
            ..Default::default()
        }
    }
}

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
}

/// What a new tenant is made of, validated.
pub struct NewTenant {
    pub slug: String,
    pub display_name: String,
    pub is_root: bool,
    pub input: TenantFields,
}

fn opt_url(field: &str, v: Option<&str>) -> ApiResult<Option<String>> {
    validate::optional(field, v, validate::url)
}

fn opt_email(field: &str, v: Option<&str>) -> ApiResult<Option<String>> {
    validate::optional(field, v, validate::email)
}

fn opt_phone(field: &str, v: Option<&str>) -> ApiResult<Option<String>> {
    validate::optional(field, v, validate::phone)
}

/// The platform subdomain of a slug.
pub fn platform_host(settings: &Settings, slug: &str) -> String {
    format!("{slug}.{}", settings.platform_base_domain)
}

/// Inserts a tenant, its platform subdomain (or the given hosts) and optionally an admin,
/// in the caller's transaction. Returns the tenant and the admin with a set-password token.
pub async fn insert_tenant(
    db: &impl ConnectionTrait,
    settings: &Settings,
    new: NewTenant,
    hosts: &[String],
) -> ApiResult<(tenant::Model, Option<(user::Model, String)>)> {
    let i = &new.input;
    let now = entities::time::now();
    let model = tenant::ActiveModel {
        slug: Set(new.slug.clone()),
        is_root: Set(new.is_root),
        display_name: Set(new.display_name.clone()),
        legal_name: Set(validate::opt_text(
            "legalName",
            i.legal_name.as_deref(),
            200,
        )?),
        logo_url: Set(opt_url("logoUrl", i.logo_url.as_deref())?),
        favicon_url: Set(opt_url("faviconUrl", i.favicon_url.as_deref())?),
        primary_color: Set(validate::color(
            "primaryColor",
            i.primary_color.as_deref().unwrap_or("#2F6FED"),
        )?),
        accent_color: Set(validate::color(
            "accentColor",
            i.accent_color.as_deref().unwrap_or("#FFB020"),
        )?),
        support_email: Set(opt_email("supportEmail", i.support_email.as_deref())?),
        support_phone: Set(opt_phone("supportPhone", i.support_phone.as_deref())?),
        support_url: Set(opt_url("supportUrl", i.support_url.as_deref())?),
        email_sender_name: Set(validate::opt_text(
            "emailSenderName",
            i.email_sender_name.as_deref(),
            120,
        )?),
        email_sender_address: Set(opt_email(
            "emailSenderAddress",
            i.email_sender_address.as_deref(),
        )?),
        default_language: Set(validate::language(
            "defaultLanguage",
            i.default_language.as_deref().unwrap_or("ru"),
        )?),
        currency: Set(validate::currency(
            "currency",
            i.currency.as_deref().unwrap_or("RUB"),
        )?),
        timezone: Set(validate::timezone(
            "timezone",
            i.timezone.as_deref().unwrap_or("Europe/Moscow"),
        )?),
        verification_token: Set(tenants::tokens::random_token()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let admin_email = opt_email("adminEmail", i.admin_email.as_deref())?;
    let admin_name = validate::opt_text("adminDisplayName", i.admin_display_name.as_deref(), 120)?;
    let tenant = model
        .insert(db)
        .await
        .map_err(|e| ApiError::from_unique(e, "slug", "a tenant with this slug already exists"))?;

    let default_hosts = [platform_host(settings, &tenant.slug)];
    let hosts = if hosts.is_empty() {
        &default_hosts[..]
    } else {
        hosts
    };
    for (n, host) in hosts.iter().enumerate() {
        let kind = if host.ends_with(&format!(".{}", settings.platform_base_domain)) {
            tenant_domain::KIND_PLATFORM_SUBDOMAIN
        } else {
            tenant_domain::KIND_CUSTOM
        };
        tenant_domain::ActiveModel {
            tenant_id: Set(tenant.id),
            host: Set(host.clone()),
            kind: Set(kind.into()),
            status: Set(tenant_domain::STATUS_VERIFIED),
            is_primary: Set(n == 0),
            created_at: Set(now),
            verified_at: Set(Some(now)),
            ..Default::default()
        }
        .insert(db)
        .await
        .map_err(|e| {
            ApiError::from_unique(e, "slug", format!("the host {host} is taken").as_str())
        })?;
    }

    let admin = match admin_email {
        None => None,
        Some(email) => {
            // Unverified until the set-password link (sent to the address) is used.
            let admin = crate::identity::accounts::insert_user(
                db,
                crate::identity::accounts::NewUser {
                    tenant_id: tenant.id,
                    display_name: admin_name.unwrap_or_else(|| email.clone()),
                    email,
                    is_tenant_admin: true,
                    ..Default::default()
                },
            )
            .await?;
            let token = issue_one_time_token(
                db,
                tenant.id,
                admin.id,
                one_time_token::PURPOSE_SET_PASSWORD,
                settings.set_password_ttl,
            )
            .await?;
            Some((admin, token))
        }
    };
    Ok((tenant, admin))
}

/// `createTenant`: platform staff create a brand, its platform subdomain and optionally
/// its first admin, who is emailed a set-password link.
pub async fn create_tenant(
    svc: &Services,
    req: &RequestCtx,
    input: TenantFields,
) -> ApiResult<(tenant::Model, Option<user::Model>)> {
    authorize(req, Action::CreateTenant)?;
    let slug = validate::slug("slug", &input.slug)?;
    let display_name = validate::text("displayName", &input.display_name, 120)?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (tenant, admin) = insert_tenant(
        &txn,
        &svc.settings,
        NewTenant {
            slug,
            display_name,
            is_root: false,
            input,
        },
        &[],
    )
    .await?;
    if let Some((admin, token)) = &admin {
        let info = tenants::TenantInfo {
            model: std::sync::Arc::new(tenant.clone()),
            primary_host: Some(platform_host(&svc.settings, &tenant.slug)),
        };
        let link = links::tenant_url(
            &svc.settings,
            &info,
            &format!("/set-password?token={token}"),
        );
        let email = emails::branded(
            &info,
            "SET_PASSWORD",
            &admin.email,
            &format!("Your {} account is ready", tenant.display_name),
            &[
                &format!("Hello {},", admin.display_name),
                &format!(
                    "An administrator account of {} was created for you. Choose a password to sign in.",
                    tenant.display_name
                ),
            ],
            ("Choose a password", &link),
        );
        emails::enqueue(&txn, &svc.settings, &info, email).await?;
    }
    audit::record(
        &txn,
        req,
        None,
        audit::action::TENANT_CREATED,
        Target::Tenant(tenant.id),
        None,
        json!({ "slug": tenant.slug }),
    )
    .await?;
    svc.registry.notify_in(&txn).await?;
    crate::kernel::txn::commit(txn, req).await?;
    svc.registry.refresh_after_commit(&svc.db).await;
    Ok((tenant, admin.map(|(u, _)| u)))
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

/// `updateTenant`: staff change any tenant; a tenant's admins change their own tenant's
/// branding and defaults but not its slug.
pub async fn update_tenant(
    svc: &Services,
    req: &RequestCtx,
    input: TenantChanges,
) -> ApiResult<tenant::Model> {
    let tenant_id = input.id.unwrap_or_else(|| req.tenant_id());
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
    let mut m = current.into_active_model();
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
        m.currency = Set(currency);
    }
    if let Some(v) = &input.timezone {
        m.timezone = Set(validate::timezone("timezone", v)?);
    }
    if let Some(pp) = &input.partner_program {
        // Range-checked before any arithmetic: a huge value must be refused, not overflow.
        let bp = |field: &str, v: rust_decimal::Decimal| -> ApiResult<i32> {
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
            use rust_decimal::prelude::ToPrimitive;
            scaled.to_i32().ok_or_else(refused)
        };
        if let Some(v) = pp.official_discount {
            m.partner_discount_official_bp = Set(bp("partnerProgram.officialDiscount", v)?);
        }
        if let Some(v) = pp.gold_discount {
            m.partner_discount_gold_bp = Set(bp("partnerProgram.goldDiscount", v)?);
        }
        if let Some(v) = pp.technology_discount {
            m.partner_discount_technology_bp = Set(bp("partnerProgram.technologyDiscount", v)?);
        }
        if let Some(v) = pp.reward_rate_created {
            m.reward_rate_created_bp = Set(bp("partnerProgram.rewardRateCreated", v)?);
        }
        if let Some(v) = pp.reward_rate_referral {
            m.reward_rate_referral_bp = Set(bp("partnerProgram.rewardRateReferral", v)?);
        }
        if let Some(days) = pp.reward_hold_days {
            if !(0..=365).contains(&days) {
                return Err(ApiError::bad_input(
                    "partnerProgram.rewardHoldDays",
                    "from 0 to 365 days",
                ));
            }
            m.reward_hold_days = Set(days);
        }
        if let Some(hours) = pp.certification_cooldown_hours {
            if !(0..=8760).contains(&hours) {
                return Err(ApiError::bad_input(
                    "partnerProgram.certificationCooldownHours",
                    "from 0 to 8760 hours",
                ));
            }
            m.certification_cooldown_hours = Set(hours);
        }
        if let Some(n) = pp.max_open_leads_per_partner {
            if !(1..=1000).contains(&n) {
                return Err(ApiError::bad_input(
                    "partnerProgram.maxOpenLeadsPerPartner",
                    "from 1 to 1000 leads",
                ));
            }
            m.max_open_leads_per_partner = Set(n);
        }
    }
    m.updated_at = Set(entities::time::now());
    let updated = m
        .update(&txn)
        .await
        .map_err(|e| ApiError::from_unique(e, "slug", "a tenant with this slug already exists"))?;
    if updated.slug != old_slug {
        // The platform subdomain follows the slug.
        let old_host = platform_host(&svc.settings, &old_slug);
        let new_host = platform_host(&svc.settings, &updated.slug);
        tenant_domain::Entity::update_many()
            .col_expr(
                tenant_domain::Column::Host,
                sea_orm::sea_query::Expr::value(new_host),
            )
            .filter(tenant_domain::Column::TenantId.eq(tenant_id))
            .filter(tenant_domain::Column::Host.eq(old_host))
            .exec(&txn)
            .await
            .map_err(|e| {
                ApiError::from_unique(e, "slug", "the platform subdomain of this slug is taken")
            })?;
    }
    audit::record(
        &txn,
        req,
        None,
        audit::action::TENANT_UPDATED,
        Target::Tenant(updated.id),
        None,
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
        }),
    )
    .await?;
    svc.registry.notify_in(&txn).await?;
    crate::kernel::txn::commit(txn, req).await?;
    svc.registry.refresh_after_commit(&svc.db).await;
    Ok(updated)
}

/// `addTenantDomain`: binds a host name to a tenant. A subdomain of the platform domain
/// (staff only) is verified at once; a custom domain (tenant admins and staff) starts
/// `PENDING` until its DNS record proves it (`domains`). Other brands' unproven claims on
/// the same host stay: the first to prove it wins and the others end `FAILED`, so an
/// unproven claim can neither block nor push out the domain's real owner.
pub async fn add_domain(
    svc: &Services,
    req: &RequestCtx,
    tenant_id: i64,
    host: &str,
    make_primary: bool,
) -> ApiResult<(tenant_domain::Model, tenant::Model)> {
    authorize_on(req, Action::ManageTenantDomains { tenant_id }, tenant_id)?;
    let host =
        normalize_host(host).map_err(|_| ApiError::bad_input("host", "not a valid host name"))?;
    if host.starts_with('[') || host.parse::<std::net::IpAddr>().is_ok() {
        return Err(ApiError::bad_input(
            "host",
            "use a host name, not an IP address",
        ));
    }
    let base = &svc.settings.platform_base_domain;
    let platform = host.ends_with(&format!(".{base}"));
    if platform {
        authorize_on(req, Action::ManageTenant { tenant_id }, tenant_id)?;
    }
    if host == *base {
        return Err(ApiError::bad_input(
            "host",
            "the platform's own domain cannot be a brand's domain",
        ));
    }
    let now = svc.clock.now();
    let (kind, status) = if platform {
        (
            tenant_domain::KIND_PLATFORM_SUBDOMAIN,
            tenant_domain::STATUS_VERIFIED,
        )
    } else {
        (tenant_domain::KIND_CUSTOM, tenant_domain::STATUS_PENDING)
    };
    if make_primary && status != tenant_domain::STATUS_VERIFIED {
        return Err(ApiError::bad_input(
            "makePrimary",
            "a custom domain becomes primary once it is verified (setPrimaryTenantDomain)",
        ));
    }
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let tenant = tenant::Entity::find_by_id(tenant_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound { what: "tenant" })?;
    // Claims of several brands coexist until one proves the host; a verified host, or one
    // this brand already claimed, is refused.
    let claims = tenant_domain::Entity::find()
        .filter(tenant_domain::Column::Host.eq(host.as_str()))
        .all(&txn)
        .await?;
    if claims
        .iter()
        .any(|c| c.status == tenant_domain::STATUS_VERIFIED)
    {
        return Err(ApiError::conflict(
            "host",
            "this host name already belongs to a tenant",
        ));
    }
    if claims.iter().any(|c| c.tenant_id == tenant_id) {
        return Err(ApiError::conflict(
            "host",
            "this brand already added this host name: check it again with verifyTenantDomain",
        ));
    }
    let has_verified = scoped::<tenant_domain::Entity>(tenant_id)
        .filter(tenant_domain::Column::Status.eq(tenant_domain::STATUS_VERIFIED.as_str()))
        .count(&txn)
        .await?
        > 0;
    let primary = status == tenant_domain::STATUS_VERIFIED && (make_primary || !has_verified);
    if primary {
        tenant_domain::Entity::update_many()
            .col_expr(
                tenant_domain::Column::IsPrimary,
                sea_orm::sea_query::Expr::value(false),
            )
            .filter(tenant_domain::Column::TenantId.eq(tenant_id))
            .exec(&txn)
            .await?;
    }
    let verified = status == tenant_domain::STATUS_VERIFIED;
    let domain = tenant_domain::ActiveModel {
        tenant_id: Set(tenant_id),
        host: Set(host),
        kind: Set(kind.into()),
        status: Set(status),
        is_primary: Set(primary),
        created_at: Set(now),
        verified_at: Set(verified.then_some(now)),
        next_check_at: Set((!verified).then(|| now + super::domains::FIRST_RETRY)),
        check_attempts: Set(0),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| ApiError::from_unique(e, "host", "this host name already belongs to a tenant"))?;
    audit::record(
        &txn,
        req,
        None,
        audit::action::TENANT_DOMAIN_ADDED,
        Target::TenantDomain(domain.id),
        None,
        json!({ "tenantId": tenant_id, "host": domain.host, "primary": primary, "status": status.as_str() }),
    )
    .await?;
    svc.registry.notify_in(&txn).await?;
    crate::kernel::txn::commit(txn, req).await?;
    svc.registry.refresh_after_commit(&svc.db).await;
    Ok((domain, tenant))
}

/// `setPrimaryTenantDomain`: links and emails point to this verified host from now on.
pub async fn set_primary(
    svc: &Services,
    req: &RequestCtx,
    domain_id: i64,
) -> ApiResult<(tenant_domain::Model, tenant::Model)> {
    let d = tenant_domain::Entity::find_by_id(domain_id)
        .one(&svc.db)
        .await?
        .ok_or(ApiError::NotFound { what: "domain" })?;
    authorize_domain(req, &d, |tenant_id| Action::ManageTenantDomains {
        tenant_id,
    })?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    tenant_domain::Entity::update_many()
        .col_expr(
            tenant_domain::Column::IsPrimary,
            sea_orm::sea_query::Expr::value(false),
        )
        .filter(tenant_domain::Column::TenantId.eq(d.tenant_id))
        .exec(&txn)
        .await?;
    // Only a verified domain: checked in the same statement, so a domain that stops
    // being verified meanwhile is not made primary.
    let made = tenant_domain::Entity::update_many()
        .col_expr(
            tenant_domain::Column::IsPrimary,
            sea_orm::sea_query::Expr::value(true),
        )
        .filter(tenant_domain::Column::Id.eq(d.id))
        .filter(tenant_domain::Column::Status.eq(tenant_domain::STATUS_VERIFIED.as_str()))
        .exec(&txn)
        .await?;
    if made.rows_affected == 0 {
        return Err(ApiError::conflict(
            "domainId",
            "only a verified domain can be primary",
        ));
    }
    audit::record(
        &txn,
        req,
        None,
        audit::action::TENANT_DOMAIN_PRIMARY_SET,
        Target::TenantDomain(d.id),
        None,
        json!({ "tenantId": d.tenant_id, "host": d.host }),
    )
    .await?;
    let tenant = tenant::Entity::find_by_id(d.tenant_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound { what: "tenant" })?;
    svc.registry.notify_in(&txn).await?;
    crate::kernel::txn::commit(txn, req).await?;
    svc.registry.refresh_after_commit(&svc.db).await;
    let d = tenant_domain::Entity::find_by_id(d.id)
        .one(&svc.db)
        .await?
        .ok_or(ApiError::NotFound { what: "domain" })?;
    Ok((d, tenant))
}

/// `removeTenantDomain`: unbinds a host name (custom ones: tenant admins and staff;
/// platform subdomains: staff). The primary domain stays until another
/// one is made primary.
pub async fn remove_domain(
    svc: &Services,
    req: &RequestCtx,
    domain_id: i64,
) -> ApiResult<(i64, tenant::Model)> {
    let domain = tenant_domain::Entity::find_by_id(domain_id)
        .one(&svc.db)
        .await?
        .ok_or(ApiError::NotFound { what: "domain" })?;
    authorize_domain(req, &domain, |tenant_id| Action::ManageTenantDomains {
        tenant_id,
    })?;
    if domain.kind == tenant_domain::KIND_PLATFORM_SUBDOMAIN {
        authorize_domain(req, &domain, |tenant_id| Action::ManageTenant { tenant_id })?;
    }
    if domain.is_primary {
        return Err(ApiError::conflict(
            "domainId",
            "the primary domain cannot be removed; make another domain primary first",
        ));
    }
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    tenant_domain::Entity::delete_by_id(domain.id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        req,
        None,
        audit::action::TENANT_DOMAIN_REMOVED,
        Target::TenantDomain(domain.id),
        None,
        json!({ "tenantId": domain.tenant_id, "host": domain.host }),
    )
    .await?;
    let tenant = tenant::Entity::find_by_id(domain.tenant_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound { what: "tenant" })?;
    svc.registry.notify_in(&txn).await?;
    crate::kernel::txn::commit(txn, req).await?;
    svc.registry.refresh_after_commit(&svc.db).await;
    Ok((domain.id, tenant))
}

/// The root tenant's slug.
pub const ROOT_SLUG: &str = "platform";

/// Creates the root tenant on `localhost` and `127.0.0.1` if there is none. Returns
/// whether it was created.
pub async fn ensure_root_tenant(db: &DatabaseConnection, settings: &Settings) -> ApiResult<bool> {
    let exists = tenant::Entity::find()
        .filter(tenant::Column::IsRoot.eq(true))
        .count(db)
        .await?
        > 0;
    if exists {
        return Ok(false);
    }
    let txn = crate::kernel::txn::begin(db).await?;
    insert_tenant(
        &txn,
        settings,
        NewTenant {
            slug: ROOT_SLUG.into(),
            display_name: "Partner Gateway".into(),
            is_root: true,
            input: TenantFields {
                default_language: Some("en".into()),
                ..TenantFields::new(ROOT_SLUG, "Partner Gateway")
            },
        },
        &["localhost".to_string(), "127.0.0.1".to_string()],
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

/// Creates the first platform admin on the root tenant if there is none. Returns the
/// credentials when an admin was created (the password is `None` if it was given).
pub async fn ensure_platform_admin(
    db: &DatabaseConnection,
    email: Option<&str>,
    password_in: Option<&str>,
) -> ApiResult<Option<(String, Option<String>)>> {
    let root = tenant::Entity::find()
        .filter(tenant::Column::IsRoot.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal("no root tenant"))?;
    let exists = scoped::<user::Entity>(root.id)
        .filter(user::Column::IsPlatformAdmin.eq(true))
        .count(db)
        .await?
        > 0;
    if exists {
        return Ok(None);
    }
    let email = validate::email(
        "BOOTSTRAP_ADMIN_EMAIL",
        email.unwrap_or("admin@localhost.localdomain"),
    )?;
    let (password, generated) = match password_in {
        Some(p) => {
            password::check_policy("BOOTSTRAP_ADMIN_PASSWORD", p)?;
            (p.to_string(), None)
        }
        None => {
            let p = tenants::tokens::random_token()[..20].to_string();
            (p.clone(), Some(p))
        }
    };
    let hash = password::hash(password).await?;
    // The operator configured the address: it counts as verified.
    crate::identity::accounts::insert_user(
        db,
        crate::identity::accounts::NewUser {
            tenant_id: root.id,
            email: email.clone(),
            password_hash: Some(hash),
            display_name: "Platform admin".into(),
            is_platform_admin: true,
            is_tenant_admin: true,
            email_verified: true,
            ..Default::default()
        },
    )
    .await?;
    Ok(Some((email, generated)))
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

/// The tenant domain `id`, if the viewer may see its tenant's domains.
pub async fn domain_for_viewer(
    svc: &Services,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<Option<tenant_domain::Model>> {
    Ok(tenant_domain::Entity::find_by_id(id)
        .one(&svc.db)
        .await?
        .filter(|d| {
            authorize(
                req,
                Action::ViewTenantDomains {
                    tenant_id: d.tenant_id,
                },
            )
            .is_ok()
        }))
}
