//! The partner program: applications, review and tiers, the public profile and directory,
//! and the referral and service-manager codes.

use entities::partner;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use serde_json::json;
use tenants::policy::Action;
use tenants::scope::scoped;
use tenants::{RequestCtx, authorize};

use super::Tier;
use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::page::{PageArgs, Paged, paginate};
use crate::kernel::patch::Patch;
use crate::kernel::services::Services;
use crate::kernel::validate;
use crate::orgs::Access;
use crate::orgs::access::access;
use crate::orgs::organizations::NewOrganization;

/// An application to the partner program.
#[derive(Debug, Clone)]
pub struct Application {
    /// Apply with this organization of the viewer's (they must own it) ...
    pub organization_id: Option<i64>,
    /// ... or create one with this name.
    pub organization_name: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub crm_certificate_url: Option<String>,
    /// Asks for the reseller (white-label) program: approving it makes the organization a
    /// brand of its own (`approveResellerBrand`).
    pub white_label: bool,
}

/// A reviewer's decision on an application.
#[derive(Debug, Clone)]
pub enum Review {
    Approve { tier: Option<Tier> },
    Reject { reason: Option<String> },
}

/// Changes to a partner's public profile; `None` and `Patch::Keep` leave a field alone.
#[derive(Debug, Clone)]
pub struct ProfileChanges {
    pub partner_id: i64,
    pub name: Option<String>,
    pub description: Patch<String>,
    pub languages: Option<Vec<String>>,
    pub logo_url: Patch<String>,
    pub phone: Patch<String>,
    pub work_email: Patch<String>,
    pub city: Patch<String>,
    pub country: Patch<String>,
    pub working_hours: Patch<String>,
    pub certificates: Option<Vec<String>>,
    pub website_url: Patch<String>,
    pub listed: Option<bool>,
}

/// A new code: 12 characters from an alphabet without look-alikes (about 60 bits).
pub fn new_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..12)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A partner of the request's tenant.
pub async fn find(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<partner::Model> {
    scoped::<partner::Entity>(req.tenant_id())
        .filter(partner::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound { what: "partner" })
}

/// The viewer's roles in the partner's organization.
pub async fn standing(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    p: &partner::Model,
) -> ApiResult<Access> {
    me(req)?;
    crate::orgs::access::viewer_access(db, req, p.organization_id).await
}

/// Loads a partner and the viewer's roles in its organization, without deciding.
pub async fn for_member_unchecked(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<(partner::Model, Access)> {
    let p = find(db, req, id).await?;
    let acc = standing(db, req, &p).await?;
    Ok((p, acc))
}

/// Loads a partner the viewer acts for (owners and user admins of its organization).
pub async fn for_member(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<(partner::Model, Access)> {
    let (p, acc) = for_member_unchecked(db, req, id).await?;
    authorize(req, Action::ActForPartner { me: acc.standing() })?;
    Ok((p, acc))
}

/// An approved partner by one of its codes.
pub async fn by_code(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    code: &str,
    field: &str,
) -> ApiResult<(partner::Model, bool)> {
    let code = code.trim().to_ascii_uppercase();
    let p = scoped::<partner::Entity>(req.tenant_id())
        .filter(partner::Column::Status.eq(partner::STATUS_APPROVED))
        .filter(
            partner::Column::ReferralCode
                .eq(&code)
                .or(partner::Column::ServiceManagerCode.eq(&code)),
        )
        .one(db)
        .await?
        .ok_or_else(|| {
            ApiError::domain(
                crate::kernel::error::code::INVALID_PARTNER_CODE,
                Some(field),
                "this partner link is not valid",
            )
        })?;
    let service_manager = p.service_manager_code == code;
    Ok((p, service_manager))
}

/// `referralPartner`: the approved partner a referral or service-manager link names, for
/// the sign-up page (public, rate-limited like every code look-up); `None` for a code that
/// names no approved partner of this brand.
pub async fn referral(
    svc: &Services,
    req: &RequestCtx,
    code: &str,
) -> ApiResult<Option<(partner::Model, bool)>> {
    svc.limits
        .guard(crate::kernel::ratelimit::Guarded::CodeLookUp, req, None)
        .await?;
    match by_code(&svc.db, req, code, "code").await {
        Ok(found) => Ok(Some(found)),
        Err(e) if e.code() == crate::kernel::error::code::INVALID_PARTNER_CODE => Ok(None),
        Err(e) => Err(e),
    }
}

/// `applyAsPartner`: with an organization the viewer owns, or a new one.
pub async fn apply(
    svc: &Services,
    req: &RequestCtx,
    input: Application,
) -> ApiResult<partner::Model> {
    let user = me(req)?;
    let contact_name = validate::text("contactName", &input.contact_name, 120)?;
    let contact_email = validate::email("contactEmail", &input.contact_email)?;
    let contact_phone = validate::optional(
        "contactPhone",
        input.contact_phone.as_deref(),
        validate::phone,
    )?;
    let crm = validate::optional(
        "crmCertificateUrl",
        input.crm_certificate_url.as_deref(),
        validate::url,
    )?;
    // One transaction: a failure after the organization is created leaves nothing behind.
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let org = match (&input.organization_id, &input.organization_name) {
        (Some(org_id), None) => {
            let org_id = *org_id;
            let org = crate::orgs::access::lock_org(&txn, req, org_id).await?;
            let acc = access(&txn, req.tenant_id(), org_id, user).await?;
            authorize(
                req,
                Action::ApplyAsPartner {
                    with: Some(acc.standing()),
                },
            )?;
            org
        }
        (None, Some(name)) => {
            authorize(req, Action::ApplyAsPartner { with: None })?;
            crate::orgs::organizations::insert_organization(
                &txn,
                req,
                NewOrganization {
                    name: name.clone(),
                    ..Default::default()
                },
            )
            .await?
            .model
        }
        _ => {
            return Err(ApiError::bad_input(
                "organizationName",
                "give either organizationId or organizationName",
            ));
        }
    };
    let now = entities::time::now();
    let p = partner::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        organization_id: Set(org.id),
        status: Set(partner::STATUS_PENDING),
        tier: Set(None),
        rejection_reason: Set(None),
        applied_by: Set(Some(user)),
        reviewed_by: Set(None),
        reviewed_at: Set(None),
        contact_name: Set(contact_name),
        contact_email: Set(contact_email.clone()),
        contact_phone: Set(contact_phone.clone()),
        crm_certificate_url: Set(crm),
        referral_code: Set(new_code()),
        service_manager_code: Set(new_code()),
        white_label_reseller: Set(input.white_label),
        listed: Set(false),
        name: Set(org.name.clone()),
        description: Set(None),
        languages: Set("[]".into()),
        logo_url: Set(None),
        phone: Set(contact_phone),
        work_email: Set(Some(contact_email)),
        city: Set(None),
        country: Set(org.country.clone()),
        working_hours: Set(None),
        certificates: Set("[]".into()),
        website_url: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        ApiError::from_unique(e, "organizationId", "this organization has already applied")
    })?;
    audit::record(
        &txn,
        req,
        Some(org.id),
        audit::action::PARTNER_APPLIED,
        Target::Partner(p.id),
        None,
        json!({ "name": p.name, "whiteLabel": p.white_label_reseller }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(p)
}

/// Loads a partner for its reviewers: tenant admins and platform staff.
pub(crate) async fn for_reviewer(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<partner::Model> {
    authorize(
        req,
        Action::ReviewPartners {
            tenant_id: req.tenant_id(),
        },
    )?;
    find(db, req, id).await
}

/// `reviewPartnerApplication`.
pub async fn review(
    svc: &Services,
    req: &RequestCtx,
    partner_id: i64,
    decision: Review,
) -> ApiResult<partner::Model> {
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let p = for_reviewer(&txn, req, partner_id).await?;
    if p.status != partner::STATUS_PENDING {
        return Err(ApiError::domain(
            crate::kernel::error::code::ALREADY_REVIEWED,
            Some("partnerId"),
            "this application was already reviewed",
        ));
    }
    let mut m = p.into_active_model();
    let now = entities::time::now();
    let (action, details) = match decision {
        Review::Approve { tier } => {
            let tier = tier.ok_or_else(|| ApiError::bad_input("tier", "approving needs a tier"))?;
            m.status = Set(partner::STATUS_APPROVED);
            m.tier = Set(Some(tier.as_str().into()));
            (
                audit::action::PARTNER_APPROVED,
                json!({ "tier": tier.as_str() }),
            )
        }
        Review::Reject { reason } => {
            let reason = validate::text("reason", reason.as_deref().unwrap_or(""), 1000)?;
            m.status = Set(partner::STATUS_REJECTED);
            m.rejection_reason = Set(Some(reason.clone()));
            (audit::action::PARTNER_REJECTED, json!({ "reason": reason }))
        }
    };
    m.reviewed_by = Set(req.viewer.user().map(|u| u.user_id));
    m.reviewed_at = Set(Some(now));
    m.updated_at = Set(now);
    let p = m.update(&txn).await?;
    audit::record(
        &txn,
        req,
        Some(p.organization_id),
        action,
        Target::Partner(p.id),
        None,
        details,
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(p)
}

/// `setPartnerTier` (reviewers), for approved partners.
pub async fn set_tier(
    svc: &Services,
    req: &RequestCtx,
    partner_id: i64,
    tier: Tier,
) -> ApiResult<partner::Model> {
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let p = for_reviewer(&txn, req, partner_id).await?;
    if p.status != partner::STATUS_APPROVED {
        return Err(ApiError::domain(
            crate::kernel::error::code::PARTNER_NOT_APPROVED,
            Some("partnerId"),
            "only approved partners have a tier",
        ));
    }
    let from = p.tier.clone();
    let mut m = p.into_active_model();
    m.tier = Set(Some(tier.as_str().into()));
    m.updated_at = Set(entities::time::now());
    let p = m.update(&txn).await?;
    audit::record(
        &txn,
        req,
        Some(p.organization_id),
        audit::action::PARTNER_TIER_CHANGED,
        Target::Partner(p.id),
        None,
        json!({ "from": from, "to": tier.as_str() }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(p)
}

fn opt<T>(
    target: &mut sea_orm::ActiveValue<Option<String>>,
    value: &Patch<T>,
    check: impl Fn(&T) -> ApiResult<Option<String>>,
) -> ApiResult<()> {
    match value {
        Patch::Keep => {}
        Patch::Clear => *target = Set(None),
        Patch::Set(v) => *target = Set(check(v)?),
    }
    Ok(())
}

fn language_codes(field: &str, list: &[String]) -> ApiResult<String> {
    let mut out = Vec::new();
    for l in list {
        let l = validate::language(field, l)?;
        if !out.contains(&l) {
            out.push(l);
        }
    }
    Ok(json!(out).to_string())
}

/// `updatePartnerProfile` (the partner's owners and user admins).
pub async fn update_profile(
    svc: &Services,
    req: &RequestCtx,
    input: ProfileChanges,
) -> ApiResult<partner::Model> {
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (p, _) = for_member(&txn, req, input.partner_id).await?;
    let mut m = p.into_active_model();
    if let Some(n) = &input.name {
        m.name = Set(validate::text("name", n, 120)?);
    }
    opt(&mut m.description, &input.description, |v| {
        validate::opt_paragraphs("description", Some(v), 600)
    })?;
    if let Some(l) = &input.languages {
        m.languages = Set(language_codes("languages", l)?);
    }
    opt(&mut m.logo_url, &input.logo_url, |v| {
        Ok(Some(validate::url("logoUrl", v)?))
    })?;
    opt(&mut m.phone, &input.phone, |v| {
        Ok(Some(validate::phone("phone", v)?))
    })?;
    opt(&mut m.work_email, &input.work_email, |v| {
        Ok(Some(validate::email("workEmail", v)?))
    })?;
    opt(&mut m.city, &input.city, |v| {
        validate::opt_text("city", Some(v), 120)
    })?;
    opt(&mut m.country, &input.country, |v| {
        Ok(Some(validate::country("country", v)?))
    })?;
    opt(&mut m.working_hours, &input.working_hours, |v| {
        validate::opt_text("workingHours", Some(v), 200)
    })?;
    opt(&mut m.website_url, &input.website_url, |v| {
        Ok(Some(validate::url("websiteUrl", v)?))
    })?;
    if let Some(c) = &input.certificates {
        let mut list = Vec::new();
        for cert in c {
            list.push(validate::text("certificates", cert, 200)?);
        }
        m.certificates = Set(json!(list).to_string());
    }
    if let Some(l) = input.listed {
        m.listed = Set(l);
    }
    m.updated_at = Set(entities::time::now());
    let p = m.update(&txn).await?;
    audit::record(
        &txn,
        req,
        Some(p.organization_id),
        audit::action::PARTNER_PROFILE_UPDATED,
        Target::Partner(p.id),
        None,
        json!({ "listed": p.listed }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(p)
}

/// `rotatePartnerCodes`: new referral and service-manager codes; the old links stop
/// working.
pub async fn rotate_codes(
    svc: &Services,
    req: &RequestCtx,
    partner_id: i64,
) -> ApiResult<partner::Model> {
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (p, _) = for_member(&txn, req, partner_id).await?;
    partner::Entity::update_many()
        .col_expr(partner::Column::ReferralCode, Expr::value(new_code()))
        .col_expr(partner::Column::ServiceManagerCode, Expr::value(new_code()))
        .col_expr(
            partner::Column::UpdatedAt,
            Expr::value(entities::time::now()),
        )
        .filter(partner::Column::Id.eq(p.id))
        .exec(&txn)
        .await?;
    let p = find(&txn, req, p.id).await?;
    audit::record(
        &txn,
        req,
        Some(p.organization_id),
        audit::action::PARTNER_CODES_ROTATED,
        Target::Partner(p.id),
        None,
        json!({}),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(p)
}

/// `partner(id)`: for the partner's members and the program's reviewers.
pub async fn get(svc: &Services, req: &RequestCtx, id: i64) -> ApiResult<partner::Model> {
    let p = find(&svc.db, req, id).await?;
    let reviewer = authorize(
        req,
        Action::ReviewPartners {
            tenant_id: req.tenant_id(),
        },
    )
    .is_ok();
    if !reviewer {
        let acc = standing(&svc.db, req, &p).await?;
        authorize(req, Action::ActForPartner { me: acc.standing() })?;
    }
    Ok(p)
}

/// `partners`: every partner of the tenant, for reviewers.
pub async fn list(
    svc: &Services,
    req: &RequestCtx,
    status: Option<partner::PartnerStatus>,
    args: PageArgs,
) -> ApiResult<Paged<partner::Model>> {
    authorize(
        req,
        Action::ReviewPartners {
            tenant_id: req.tenant_id(),
        },
    )?;
    let mut q = scoped::<partner::Entity>(req.tenant_id());
    if let Some(s) = status {
        q = q.filter(partner::Column::Status.eq(s));
    }
    paginate(&svc.db, q, partner::Column::Id, args, |m| (m.id, m)).await
}

/// The public directory: approved, listed partners of the tenant.
pub async fn directory(
    svc: &Services,
    req: &RequestCtx,
    country: Option<String>,
    language: Option<String>,
    tier: Option<Tier>,
    args: PageArgs,
) -> ApiResult<Paged<partner::Model>> {
    let mut q = scoped::<partner::Entity>(req.tenant_id())
        .filter(partner::Column::Status.eq(partner::STATUS_APPROVED))
        .filter(partner::Column::Listed.eq(true));
    if let Some(c) = country {
        q = q.filter(partner::Column::Country.eq(validate::country("country", &c)?));
    }
    if let Some(l) = language {
        let l = validate::language("language", &l)?;
        q = q.filter(partner::Column::Languages.like(format!("%\"{l}\"%")));
    }
    if let Some(t) = tier {
        q = q.filter(partner::Column::Tier.eq(t.as_str()));
    }
    paginate(&svc.db, q, partner::Column::Id, args, |m| (m.id, m)).await
}

/// The partner of an organization, if the viewer may act for it.
pub async fn of_organization(
    svc: &Services,
    req: &RequestCtx,
    org_id: i64,
    acc: &Access,
) -> ApiResult<Option<partner::Model>> {
    if authorize(req, Action::ActForPartner { me: acc.standing() }).is_err() {
        return Ok(None);
    }
    Ok(scoped::<partner::Entity>(req.tenant_id())
        .filter(partner::Column::OrganizationId.eq(org_id))
        .one(&svc.db)
        .await?)
}
