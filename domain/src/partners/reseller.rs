//! The reseller program (seed 004): a partner that applied with `whiteLabel` is reviewed
//! within [`REVIEW_WITHIN`] and, once platform staff approve it, its organization owns a
//! brand of its own. The organization's owners administer that brand (the policy reads
//! the ownership on every request); the brand's platform subdomain serves at once.

use entities::{partner, tenant};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use tenants::{Action, RequestCtx, authorize};

use super::Tier;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::services::Services;
use crate::kernel::validate;
use crate::tenancy::setup::{NewTenant, TenantFields, brand_of, insert_tenant};

/// How soon an application is answered: staff's queue shows each pending application's
/// `reviewDueAt`, oldest due first.
pub const REVIEW_WITHIN: chrono::Duration = chrono::Duration::hours(72);

/// When a pending application is due to be answered; `None` once it was.
pub fn review_due_at(p: &partner::Model) -> Option<chrono::DateTime<chrono::Utc>> {
    (p.status == partner::STATUS_PENDING).then(|| p.created_at + REVIEW_WITHIN)
}

/// What `approveResellerBrand` is given.
#[derive(Debug, Clone)]
pub struct ResellerBrand {
    pub partner_id: i64,
    pub slug: String,
    pub display_name: String,
    /// The tier a pending application is approved with (`OFFICIAL` when not given).
    pub tier: Option<Tier>,
}

/// `approveResellerBrand` (platform staff): approves a white-label application, if it is
/// still pending, and creates the brand its organization owns, in one transaction. The
/// organization's row is locked first, so two approvals cannot both make a brand.
pub async fn approve_reseller_brand(
    svc: &Services,
    req: &RequestCtx,
    input: ResellerBrand,
) -> ApiResult<(tenant::Model, partner::Model)> {
    authorize(req, Action::CreateTenant)?;
    let slug = validate::slug("slug", &input.slug)?;
    let display_name = validate::text("displayName", &input.display_name, 120)?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let p = super::ops::for_reviewer(&txn, req, input.partner_id).await?;
    crate::orgs::access::lock_org(&txn, req, p.organization_id).await?;
    // Read again under the lock: a review that committed meanwhile is seen.
    let p = super::ops::for_reviewer(&txn, req, p.id).await?;
    if !p.white_label_reseller {
        return Err(ApiError::domain(
            code::NOT_WHITE_LABEL,
            Some("partnerId"),
            "this partner did not apply for the reseller program",
        ));
    }
    if p.status == partner::STATUS_REJECTED {
        return Err(ApiError::domain(
            code::ALREADY_REVIEWED,
            Some("partnerId"),
            "this application was rejected",
        ));
    }
    if let Some(brand) = brand_of(&txn, p.organization_id).await? {
        return Err(ApiError::domain(
            code::BRAND_EXISTS,
            Some("partnerId"),
            format!(
                "this partner's organization already owns the brand {}",
                brand.slug
            ),
        ));
    }
    // The new brand speaks, charges and keeps the time of the brand it was applied on. The
    // application's contact stays private: the owners set the public support contacts.
    let home = &req.tenant.model;
    let fields = TenantFields {
        default_language: Some(home.default_language.clone()),
        currency: Some(home.currency.clone()),
        timezone: Some(home.timezone.clone()),
        ..TenantFields::new(&slug, &display_name)
    };
    let new = NewTenant {
        slug,
        display_name,
        is_root: false,
        owner_organization_id: Some(p.organization_id),
        input: fields,
    };
    let (brand, _) = insert_tenant(&txn, &svc.settings, new, &[]).await?;
    let p = if p.status == partner::STATUS_PENDING {
        approve(&txn, req, p, input.tier.unwrap_or(Tier::Official)).await?
    } else {
        p
    };
    audit::record(
        &txn,
        req,
        Some(p.organization_id),
        audit::action::RESELLER_BRAND_CREATED,
        Target::Tenant(brand.id),
        None,
        json!({ "slug": brand.slug, "partnerId": p.id, "organizationId": p.organization_id }),
    )
    .await?;
    svc.registry.notify_in(&txn).await?;
    crate::kernel::txn::commit(txn, req).await?;
    svc.registry.refresh_after_commit(&svc.db).await;
    Ok((brand, p))
}

/// Approves the pending application `p` with `tier`, in the caller's transaction.
async fn approve(
    txn: &sea_orm::DatabaseTransaction,
    req: &RequestCtx,
    p: partner::Model,
    tier: Tier,
) -> ApiResult<partner::Model> {
    let now = entities::time::now();
    // Only while it is still pending: a rejection that got in first is not overwritten.
    let approved = partner::Entity::update_many()
        .col_expr(
            partner::Column::Status,
            Expr::val(partner::STATUS_APPROVED.as_str()),
        )
        .col_expr(partner::Column::Tier, Expr::val(tier.as_str()))
        .col_expr(
            partner::Column::ReviewedBy,
            Expr::val(req.viewer.user().map(|u| u.user_id)),
        )
        .col_expr(partner::Column::ReviewedAt, Expr::val(now))
        .col_expr(partner::Column::UpdatedAt, Expr::val(now))
        .filter(partner::Column::Id.eq(p.id))
        .filter(partner::Column::Status.eq(partner::STATUS_PENDING))
        .exec(txn)
        .await?
        .rows_affected;
    if approved == 0 {
        return Err(ApiError::domain(
            code::ALREADY_REVIEWED,
            Some("partnerId"),
            "this application was reviewed meanwhile",
        ));
    }
    let p = partner::Entity::find_by_id(p.id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound { what: "partner" })?;
    audit::record(
        txn,
        req,
        Some(p.organization_id),
        audit::action::PARTNER_APPROVED,
        Target::Partner(p.id),
        None,
        json!({ "tier": tier.as_str(), "whiteLabel": true }),
    )
    .await?;
    Ok(p)
}
