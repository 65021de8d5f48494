//! Creating, changing and deleting an organization.

use std::collections::HashMap;

use entities::{organization, organization_member};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel};
use serde_json::json;
use tenants::policy::{Action, OrgRole as Role};
use tenants::{RequestCtx, authorize};

use super::{Access, OrgView};
use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::patch::Patch;
use crate::kernel::services::Services;
use crate::kernel::validate;
use crate::orgs::access::begin_change;

/// A new organization; `None` takes the tenant's default.
#[derive(Debug, Clone, Default)]
pub struct NewOrganization {
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// IANA time zone.
    pub timezone: Option<String>,
    /// A language code.
    pub language: Option<String>,
}

/// Changes to an organization; `None` and `Patch::Keep` leave a field alone.
#[derive(Debug, Clone)]
pub struct OrganizationChanges {
    pub id: i64,
    pub name: Option<String>,
    pub country: Patch<String>,
    pub timezone: Option<String>,
    pub language: Option<String>,
}

/// `createOrganization`: the creator becomes its owner.
pub async fn create_organization(
    svc: &Services,
    req: &RequestCtx,
    input: NewOrganization,
) -> ApiResult<OrgView> {
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let org = insert_organization(&txn, req, input).await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(org)
}

/// Creates an organization owned by the viewer, in the caller's transaction (also used by
/// `applyAsPartner`, which creates the partner in the same transaction).
pub async fn insert_organization(
    txn: &impl ConnectionTrait,
    req: &RequestCtx,
    input: NewOrganization,
) -> ApiResult<OrgView> {
    let user = me(req)?;
    authorize(req, Action::CreateOrganization)?;
    let name = validate::text("name", &input.name, 120)?;
    let country = validate::optional("country", input.country.as_deref(), validate::country)?;
    let timezone = validate::timezone(
        "timezone",
        input
            .timezone
            .as_deref()
            .unwrap_or(&req.tenant.model.timezone),
    )?;
    let language = match input.language.as_deref() {
        Some(l) => validate::language("language", l)?,
        None => req.tenant.model.default_language.clone(),
    };
    let now = entities::time::now();
    let org = organization::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        name: Set(name),
        country: Set(country),
        timezone: Set(timezone),
        language: Set(language),
        created_by: Set(Some(user)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    organization_member::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        organization_id: Set(org.id),
        user_id: Set(user),
        role: Set(Role::Owner),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        req,
        Some(org.id),
        audit::action::ORGANIZATION_CREATED,
        Target::Organization(org.id),
        None,
        json!({ "name": org.name }),
    )
    .await?;
    Ok(OrgView {
        model: org,
        access: Access {
            org: Some(Role::Owner),
            spaces: HashMap::new(),
        },
    })
}

/// `updateOrganization` (owners).
pub async fn update_organization(
    svc: &Services,
    req: &RequestCtx,
    input: OrganizationChanges,
) -> ApiResult<OrgView> {
    let org_id = input.id;
    let (txn, org, _, acc) = begin_change(svc, req, org_id).await?;
    authorize(req, Action::EditOrganization { me: acc.standing() })?;
    let mut m = org.into_active_model();
    if let Some(n) = &input.name {
        m.name = Set(validate::text("name", n, 120)?);
    }
    match &input.country {
        Patch::Keep => {}
        Patch::Clear => m.country = Set(None),
        Patch::Set(c) => m.country = Set(Some(validate::country("country", c)?)),
    }
    if let Some(t) = &input.timezone {
        m.timezone = Set(validate::timezone("timezone", t)?);
    }
    if let Some(l) = &input.language {
        m.language = Set(validate::language("language", l)?);
    }
    m.updated_at = Set(entities::time::now());
    let org = m.update(&txn).await?;
    audit::record(
        &txn,
        req,
        Some(org.id),
        audit::action::ORGANIZATION_UPDATED,
        Target::Organization(org.id),
        None,
        json!({ "name": org.name, "country": org.country, "timezone": org.timezone, "language": org.language }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(OrgView {
        model: org,
        access: acc,
    })
}

/// `deleteOrganization` (owners): members, spaces and invitations go with it.
pub async fn delete_organization(svc: &Services, req: &RequestCtx, org_id: i64) -> ApiResult<i64> {
    let (txn, org, _, acc) = begin_change(svc, req, org_id).await?;
    authorize(req, Action::DeleteOrganization { me: acc.standing() })?;
    // A reseller's brand would be left without its admins.
    if let Some(brand) = crate::tenancy::setup::brand_of(&txn, org.id).await? {
        return Err(ApiError::domain(
            crate::kernel::error::code::ORGANIZATION_OWNS_BRAND,
            Some("organizationId"),
            format!(
                "this organization owns the brand {}; ask the platform to hand it over first",
                brand.slug
            ),
        ));
    }
    organization::Entity::delete_by_id(org.id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        req,
        Some(org.id),
        audit::action::ORGANIZATION_DELETED,
        Target::Organization(org.id),
        None,
        json!({ "name": org.name }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(org.id)
}
