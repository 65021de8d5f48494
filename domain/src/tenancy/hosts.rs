//! A brand's hosts: adding a domain, making one primary, removing one. Proving a custom
//! domain by DNS is `domains`.

use chrono::{DateTime, Utc};
use entities::{tenant, tenant_domain};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use serde_json::json;
use tenants::host::{normalize_host, normalize_server_name};
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use super::access::{authorize_domain, authorize_on};
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::services::Services;

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
    super::access::load_brand_facts(&svc.db, req, tenant_id).await?;
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
    super::access::load_brand_facts(&svc.db, req, d.tenant_id).await?;
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
    super::access::load_brand_facts(&svc.db, req, domain.tenant_id).await?;
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

/// The tenant domain `id`, if the viewer may see its tenant's domains.
pub async fn domain_for_viewer(
    svc: &Services,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<Option<tenant_domain::Model>> {
    let found = tenant_domain::Entity::find_by_id(id).one(&svc.db).await?;
    if let Some(d) = &found {
        super::access::load_brand_facts(&svc.db, req, d.tenant_id).await?;
    }
    Ok(found.filter(|d| {
        authorize(
            req,
            Action::ViewTenantDomains {
                tenant_id: d.tenant_id,
            },
        )
        .is_ok()
    }))
}

/// `GET /tls/ask`: whether the TLS-terminating proxy in front of the instances may get a
/// certificate for `raw` (Caddy's on-demand TLS `ask`). Yes only for a brand's verified
/// host, custom domain or platform subdomain; never for an unknown, pending, failed or
/// expired one, nor for anything that is not a host name. Read from the database, not this
/// instance's map, so a domain removed or expired a moment ago is refused everywhere at
/// once. The first yes for a domain is recorded (`TenantDomain.tlsReady`); later ones
/// change nothing.
pub async fn tls_allowed(
    db: &impl ConnectionTrait,
    raw: &str,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    // The proxy asks with the bare server name; a port or an address gets no certificate.
    let Ok(host) = normalize_server_name(raw) else {
        return Ok(false);
    };
    let Some(d) = tenant_domain::Entity::find()
        .filter(tenant_domain::Column::Host.eq(host.as_str()))
        .filter(tenant_domain::Column::Status.eq(tenant_domain::STATUS_VERIFIED.as_str()))
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    if d.tls_allowed_at.is_none() {
        tenant_domain::Entity::update_many()
            .col_expr(tenant_domain::Column::TlsAllowedAt, Expr::value(now))
            .filter(tenant_domain::Column::Id.eq(d.id))
            .filter(tenant_domain::Column::TlsAllowedAt.is_null())
            .exec(db)
            .await?;
    }
    Ok(true)
}
