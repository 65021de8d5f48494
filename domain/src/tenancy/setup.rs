//! Creating brands (tenants) and bootstrapping the root tenant and the first platform
//! admin. After a change commits, the tenant registry is told, so the next request (on
//! every instance) sees it.

use entities::{one_time_token, tenant, tenant_domain, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::json;
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use crate::identity::email_links::issue_one_time_token;
use crate::kernel::audit::{self, Target};
use crate::kernel::emails;
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::letters::{self, Letter};
use crate::kernel::links;
use crate::kernel::password;
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

/// What a new tenant is made of, validated.
pub struct NewTenant {
    pub slug: String,
    pub display_name: String,
    pub is_root: bool,
    /// The organization that owns the brand (a reseller's), if any.
    pub owner_organization_id: Option<i64>,
    pub input: TenantFields,
}

pub fn opt_url(field: &str, v: Option<&str>) -> ApiResult<Option<String>> {
    validate::optional(field, v, validate::url)
}

pub fn opt_email(field: &str, v: Option<&str>) -> ApiResult<Option<String>> {
    validate::optional(field, v, validate::email)
}

pub fn opt_phone(field: &str, v: Option<&str>) -> ApiResult<Option<String>> {
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
        owner_organization_id: Set(new.owner_organization_id),
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
        // A sender address given at creation is unproven like any other, and due for its
        // first check.
        mail_domain_status: Set(i
            .email_sender_address
            .as_ref()
            .map(|_| super::mail_domain::PENDING.to_string())),
        mail_domain_since: Set(i.email_sender_address.as_ref().map(|_| now)),
        mail_domain_next_check_at: Set(i.email_sender_address.as_ref().map(|_| now)),
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
        Some(email) => Some(insert_admin(db, settings, &tenant, email, admin_name).await?),
    };
    Ok((tenant, admin))
}

/// A new brand's first admin, unverified until the set-password link (sent to the
/// address) is used; with that link's token.
async fn insert_admin(
    db: &impl ConnectionTrait,
    settings: &Settings,
    tenant: &tenant::Model,
    email: String,
    name: Option<String>,
) -> ApiResult<(user::Model, String)> {
    let admin = crate::identity::accounts::insert_user(
        db,
        crate::identity::accounts::NewUser {
            tenant_id: tenant.id,
            display_name: name.unwrap_or_else(|| email.clone()),
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
    Ok((admin, token))
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
            owner_organization_id: None,
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
        let letter = Letter::AdminReady {
            name: &admin.display_name,
        };
        let email = letters::write(&info, &admin.language, &admin.email, &letter, &link);
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

/// The brand the organization `org_id` owns, if any (a reseller's).
pub async fn brand_of(db: &impl ConnectionTrait, org_id: i64) -> ApiResult<Option<tenant::Model>> {
    Ok(tenant::Entity::find()
        .filter(tenant::Column::OwnerOrganizationId.eq(org_id))
        .one(db)
        .await?)
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
            owner_organization_id: None,
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
