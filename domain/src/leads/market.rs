//! Free leads, "my leads" and tenant staff's view of every lead.
//!
//! - **Free**: `partner_id IS NULL` and `NEW`. Approved partners' members list them with
//!   the contacts hidden.
//! - **Take** (one winner): a compare-and-set, `UPDATE leads SET partner_id = ? WHERE id
//!   = ? AND partner_id IS NULL AND status = 'NEW'`. The row lock the update takes, and
//!   the re-check of the condition once a concurrent taker's update commits, let exactly
//!   one of any number of racers change a row; the others change none and are answered
//!   `LEAD_TAKEN`. The race is tested with 50 concurrent partners on PostgreSQL.
//! - **Mine**: `partner_id` is the partner (taken by it, or addressed to it by the client
//!   or by staff). Status `NEW -> IN_WORK -> SUCCESS | FAILURE`; each move is a
//!   conditional update from the state it leaves.
//! - **Release**: back to free leads (`NEW`, no partner); the releaser no longer sees the
//!   contacts. Comments stay with the lead for the next partner.
//! - **No harvesting**: a partner holds at most the brand's `maxOpenLeadsPerPartner`
//!   open leads, and cannot take back for 24 hours a lead it released
//!   ([`refuse_harvesting`]).
//! - **Staff** see every lead with its contacts, reassign it (to a partner or back to
//!   free) and close it.
//!
//! Contacts and comments show to the members of the partner holding the lead and to
//! tenant staff ([`LeadView`]); another partner's lead, or another tenant's, is
//! `NOT_FOUND`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::lead::{self, LeadStatus};
use entities::{lead_comment, lead_release, partner};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use super::LeadView;
use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::events::{self, kind};
use crate::kernel::page::{PageArgs, Paged, paginate};
use crate::kernel::services::Services;
use crate::kernel::{txn, validate};
use crate::orgs::ops::viewer_memberships;

/// Filters of the free-leads list.
#[derive(Debug, Clone, Default)]
pub struct FreeFilter {
    pub country: Option<String>,
    pub language: Option<String>,
    /// Leads asking for every one of these.
    pub features: Vec<String>,
}

/// Filters of staff's list of every lead.
#[derive(Debug, Clone, Default)]
pub struct StaffFilter {
    pub status: Option<LeadStatus>,
    pub partner_id: Option<i64>,
    /// `Some(true)`: free leads only; `Some(false)`: leads a partner holds.
    pub free: Option<bool>,
}

/// Whether the viewer is tenant staff for leads.
fn staff(req: &RequestCtx) -> bool {
    authorize(
        req,
        Action::ManageLeads {
            tenant_id: req.tenant_id(),
        },
    )
    .is_ok()
}

/// The approved partners of the tenant whose leads the viewer may work.
pub async fn viewer_partners(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
) -> ApiResult<Vec<partner::Model>> {
    viewer_partners_for(db, req, |me| Action::WorkLeads { me }).await
}

/// The approved partners of the tenant for which the policy allows the viewer `action`
/// (given the viewer's standing in each partner's organization).
pub async fn viewer_partners_for(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    action: impl Fn(tenants::policy::Standing) -> Action,
) -> ApiResult<Vec<partner::Model>> {
    if req.viewer.user().is_none() {
        return Ok(Vec::new());
    }
    let m = viewer_memberships(db, req).await?;
    let orgs: Vec<i64> = m.orgs.keys().copied().collect();
    if orgs.is_empty() {
        return Ok(Vec::new());
    }
    let partners = scoped::<partner::Entity>(req.tenant_id())
        .filter(partner::Column::OrganizationId.is_in(orgs))
        .filter(partner::Column::Status.eq(partner::STATUS_APPROVED))
        .all(db)
        .await?;
    Ok(partners
        .into_iter()
        .filter(|p| {
            let me = crate::orgs::ops::access_in(&m, p.organization_id).standing();
            authorize(req, action(me)).is_ok()
        })
        .collect())
}

/// A partner of the tenant the viewer works leads for: approved, and the viewer a member.
pub async fn working_partner(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    partner_id: i64,
) -> ApiResult<partner::Model> {
    let p = crate::partners::ops::find(db, req, partner_id).await?;
    let acc = crate::partners::ops::standing(db, req, &p).await?;
    authorize(req, Action::WorkLeads { me: acc.standing() })?;
    if p.status != partner::STATUS_APPROVED {
        return Err(ApiError::domain(
            code::PARTNER_NOT_APPROVED,
            Some("partnerId"),
            "the partner program has not approved this partner yet",
        ));
    }
    Ok(p)
}

/// The lead as the viewer may see it (`holders`: the partners the viewer works for).
fn view_of(l: lead::Model, staff: bool, holders: &[i64]) -> LeadView {
    let contacts = staff || l.partner_id.is_some_and(|p| holders.contains(&p));
    LeadView { lead: l, contacts }
}

async fn holders(db: &impl ConnectionTrait, req: &RequestCtx) -> ApiResult<Vec<i64>> {
    Ok(viewer_partners(db, req)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect())
}

/// A lead of the tenant, without deciding who may see it.
async fn find(db: &impl ConnectionTrait, tenant_id: i64, id: i64) -> ApiResult<lead::Model> {
    scoped::<lead::Entity>(tenant_id)
        .filter(lead::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound { what: "lead" })
}

/// `lead(id)`: free leads to approved partners' members (contacts hidden), a partner's
/// own leads to its members, every lead to tenant staff; anything else is not found.
pub async fn get(svc: &Services, req: &RequestCtx, id: i64) -> ApiResult<LeadView> {
    me(req)?;
    let l = find(&svc.db, req.tenant_id(), id).await?;
    let staff = staff(req);
    let holders = holders(&svc.db, req).await?;
    let free = l.partner_id.is_none() && l.status == LeadStatus::New;
    let view = view_of(l, staff, &holders);
    if view.contacts || (free && !holders.is_empty()) {
        Ok(view)
    } else {
        Err(ApiError::NotFound { what: "lead" })
    }
}

/// `freeLeads`: unassigned leads of the tenant, oldest first, for approved partners'
/// members (contacts hidden) and tenant staff.
pub async fn free(
    svc: &Services,
    req: &RequestCtx,
    filter: FreeFilter,
    args: PageArgs,
) -> ApiResult<Paged<LeadView>> {
    me(req)?;
    let staff = staff(req);
    if !staff && holders(&svc.db, req).await?.is_empty() {
        return Err(ApiError::domain(
            code::NO_PARTNER,
            None,
            "free leads are for the members of approved partners",
        ));
    }
    let mut q = scoped::<lead::Entity>(req.tenant_id())
        .filter(lead::Column::PartnerId.is_null())
        .filter(lead::Column::Status.eq(LeadStatus::New));
    if let Some(c) = &filter.country {
        q = q.filter(lead::Column::Country.eq(validate::country("country", c)?));
    }
    if let Some(l) = &filter.language {
        q = q.filter(lead::Column::Language.eq(validate::language("language", l)?));
    }
    for f in super::features::feature_list("features", &filter.features)? {
        q = q.filter(lead::Column::Features.like(format!("%{}%", json!(f))));
    }
    paginate(&svc.db, q, lead::Column::Id, args, |l| {
        (l.id, view_of(l, staff, &[]))
    })
    .await
}

/// `Partner.leads`: the leads the partner holds (taken, or addressed to it), oldest
/// first, for its members and tenant staff.
pub async fn of_partner(
    svc: &Services,
    req: &RequestCtx,
    p: &partner::Model,
    status: Option<LeadStatus>,
    args: PageArgs,
) -> ApiResult<Paged<LeadView>> {
    if !staff(req) {
        let acc = crate::partners::ops::standing(&svc.db, req, p).await?;
        authorize(req, Action::WorkLeads { me: acc.standing() })?;
    }
    let mut q = scoped::<lead::Entity>(req.tenant_id()).filter(lead::Column::PartnerId.eq(p.id));
    if let Some(s) = status {
        q = q.filter(lead::Column::Status.eq(s));
    }
    paginate(&svc.db, q, lead::Column::Id, args, |l| {
        (
            l.id,
            LeadView {
                lead: l,
                contacts: true,
            },
        )
    })
    .await
}

/// `leads`: every lead of the tenant with its contacts (tenant staff), oldest first.
pub async fn all(
    svc: &Services,
    req: &RequestCtx,
    filter: StaffFilter,
    args: PageArgs,
) -> ApiResult<Paged<LeadView>> {
    authorize(
        req,
        Action::ManageLeads {
            tenant_id: req.tenant_id(),
        },
    )?;
    let mut q = scoped::<lead::Entity>(req.tenant_id());
    if let Some(s) = filter.status {
        q = q.filter(lead::Column::Status.eq(s));
    }
    if let Some(p) = filter.partner_id {
        q = q.filter(lead::Column::PartnerId.eq(p));
    }
    match filter.free {
        Some(true) => q = q.filter(lead::Column::PartnerId.is_null()),
        Some(false) => q = q.filter(lead::Column::PartnerId.is_not_null()),
        None => {}
    }
    paginate(&svc.db, q, lead::Column::Id, args, |l| {
        (
            l.id,
            LeadView {
                lead: l,
                contacts: true,
            },
        )
    })
    .await
}

/// `takeLead`: the partner takes a free lead; exactly one of any number of racers wins.
pub async fn take(
    svc: &Services,
    req: &RequestCtx,
    lead_id: i64,
    partner_id: i64,
) -> ApiResult<LeadView> {
    let user = me(req)?;
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let p = working_partner(&txn, req, partner_id).await?;
    refuse_harvesting(&txn, req, &p, lead_id, now).await?;
    // The compare-and-set: only a lead that is still free changes hands.
    let taken = lead::Entity::update_many()
        .col_expr(lead::Column::PartnerId, Expr::value(p.id))
        .col_expr(lead::Column::TakenBy, Expr::value(user))
        .col_expr(lead::Column::TakenAt, Expr::value(now))
        .col_expr(lead::Column::UpdatedAt, Expr::value(now))
        .filter(lead::Column::TenantId.eq(req.tenant_id()))
        .filter(lead::Column::Id.eq(lead_id))
        .filter(lead::Column::PartnerId.is_null())
        .filter(lead::Column::Status.eq(LeadStatus::New))
        .exec(&txn)
        .await?
        .rows_affected;
    if taken != 1 {
        // Gone, or someone else's now: which, only if it exists on this tenant.
        find(&txn, req.tenant_id(), lead_id).await?;
        return Err(ApiError::domain(
            code::LEAD_TAKEN,
            Some("leadId"),
            "another partner has already taken this lead",
        ));
    }
    let l = find(&txn, req.tenant_id(), lead_id).await?;
    audit::record(
        &txn,
        req,
        Some(p.organization_id),
        audit::action::LEAD_TAKEN,
        Target::Lead(l.id),
        None,
        json!({ "leadNumber": l.lead_number, "partnerId": p.id }),
    )
    .await?;
    txn::commit(txn, req).await?;
    Ok(LeadView {
        lead: l,
        contacts: true,
    })
}

/// How long a partner that released a lead waits before taking it again.
pub const RETAKE_AFTER_HOURS: i64 = 24;

/// What keeps one partner from harvesting the free leads' contacts (take, read, release,
/// over and over) or sitting on all of them: it may hold at most the brand's
/// `maxOpenLeadsPerPartner` open (`NEW` or `IN_WORK`) at once (`LEAD_LIMIT_REACHED`), and
/// may not take back a lead it released in the last 24 hours (`LEAD_RECENTLY_RELEASED`).
/// The partner's row is locked first, so two takes by one partner count one after the
/// other and never both squeeze under the limit.
async fn refuse_harvesting(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    p: &partner::Model,
    lead_id: i64,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    scoped::<partner::Entity>(req.tenant_id())
        .filter(partner::Column::Id.eq(p.id))
        .lock_exclusive()
        .one(db)
        .await?;
    let released = lead_release::Entity::find()
        .filter(lead_release::Column::TenantId.eq(req.tenant_id()))
        .filter(lead_release::Column::LeadId.eq(lead_id))
        .filter(lead_release::Column::PartnerId.eq(p.id))
        .filter(
            lead_release::Column::ReleasedAt.gt(now - chrono::Duration::hours(RETAKE_AFTER_HOURS)),
        )
        .count(db)
        .await?;
    if released > 0 {
        return Err(ApiError::domain(
            code::LEAD_RECENTLY_RELEASED,
            Some("leadId"),
            format!(
                "this partner released the lead less than {RETAKE_AFTER_HOURS} hours ago; another partner may take it meanwhile"
            ),
        ));
    }
    let limit = req.tenant.model.max_open_leads_per_partner;
    let open = lead::Entity::find()
        .filter(lead::Column::TenantId.eq(req.tenant_id()))
        .filter(lead::Column::PartnerId.eq(p.id))
        .filter(lead::Column::Status.is_in([LeadStatus::New, LeadStatus::InWork]))
        .count(db)
        .await?;
    if open >= u64::try_from(limit).unwrap_or(0) {
        return Err(ApiError::domain(
            code::LEAD_LIMIT_REACHED,
            Some("partnerId"),
            format!(
                "the partner already holds {open} open leads, the most this brand allows ({limit}): close or release one first"
            ),
        ));
    }
    Ok(())
}

/// The lead, locked, if the viewer works for the partner holding it (else not found).
async fn held(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    lead_id: i64,
) -> ApiResult<(lead::Model, partner::Model)> {
    let l = scoped::<lead::Entity>(req.tenant_id())
        .filter(lead::Column::Id.eq(lead_id))
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(ApiError::NotFound { what: "lead" })?;
    let Some(pid) = l.partner_id else {
        return Err(ApiError::NotFound { what: "lead" });
    };
    let p = crate::partners::ops::find(db, req, pid).await?;
    let acc = crate::partners::ops::standing(db, req, &p).await?;
    match authorize(req, Action::WorkLeads { me: acc.standing() }) {
        Ok(()) => {}
        // An impersonation is told why; for anyone else another partner's lead is absent.
        Err(d @ tenants::Denied::Impersonating) => return Err(d.into()),
        Err(_) => return Err(ApiError::NotFound { what: "lead" }),
    }
    Ok((l, p))
}

fn wrong_state(l: &lead::Model, to: &str) -> ApiError {
    ApiError::domain(
        code::WRONG_LEAD_STATE,
        Some("status"),
        format!("the lead is {}; it cannot become {to}", l.status.as_str()),
    )
}

/// Moves `l` from its current status to `to`, with `partner_id` as given; fails when the
/// lead changed meanwhile.
async fn move_lead(
    db: &impl ConnectionTrait,
    l: &lead::Model,
    to: LeadStatus,
    partner_id: Option<i64>,
    taken_by: Option<i64>,
    now: DateTime<Utc>,
) -> ApiResult<lead::Model> {
    let mut q = lead::Entity::update_many()
        .col_expr(lead::Column::Status, Expr::value(to.as_str()))
        .col_expr(lead::Column::PartnerId, Expr::value(partner_id))
        .col_expr(lead::Column::TakenBy, Expr::value(taken_by))
        .col_expr(
            lead::Column::TakenAt,
            Expr::value(if partner_id.is_none() {
                None
            } else if partner_id == l.partner_id {
                l.taken_at
            } else {
                Some(now)
            }),
        )
        .col_expr(
            lead::Column::ClosedAt,
            Expr::value(to.closed().then_some(now)),
        )
        .col_expr(lead::Column::UpdatedAt, Expr::value(now))
        .filter(lead::Column::Id.eq(l.id))
        .filter(lead::Column::Status.eq(l.status));
    q = match l.partner_id {
        Some(p) => q.filter(lead::Column::PartnerId.eq(p)),
        None => q.filter(lead::Column::PartnerId.is_null()),
    };
    if q.exec(db).await?.rows_affected != 1 {
        return Err(ApiError::domain(
            code::WRONG_LEAD_STATE,
            Some("leadId"),
            "the lead changed meanwhile; reload it",
        ));
    }
    find(db, l.tenant_id, l.id).await
}

/// `setLeadStatus`: the holder moves its lead `NEW -> IN_WORK -> SUCCESS | FAILURE`.
pub async fn set_status(
    svc: &Services,
    req: &RequestCtx,
    lead_id: i64,
    to: LeadStatus,
) -> ApiResult<LeadView> {
    me(req)?;
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let (l, p) = held(&txn, req, lead_id).await?;
    let allowed = matches!(
        (l.status, to),
        (LeadStatus::New, LeadStatus::InWork)
            | (
                LeadStatus::InWork,
                LeadStatus::Success | LeadStatus::Failure
            )
    );
    if !allowed {
        return Err(wrong_state(&l, to.as_str()));
    }
    let updated = move_lead(&txn, &l, to, l.partner_id, l.taken_by, now).await?;
    audit::record(
        &txn,
        req,
        Some(p.organization_id),
        audit::action::LEAD_STATUS_CHANGED,
        Target::Lead(l.id),
        None,
        json!({ "leadNumber": l.lead_number, "partnerId": p.id, "from": l.status.as_str(), "to": to.as_str() }),
    )
    .await?;
    txn::commit(txn, req).await?;
    Ok(LeadView {
        lead: updated,
        contacts: true,
    })
}

/// `releaseLead`: the holder gives the lead back to free leads (status `NEW`); its
/// contacts are hidden from the releaser from now on.
pub async fn release(svc: &Services, req: &RequestCtx, lead_id: i64) -> ApiResult<LeadView> {
    me(req)?;
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let (l, p) = held(&txn, req, lead_id).await?;
    if l.status.closed() {
        return Err(wrong_state(&l, "free"));
    }
    let updated = move_lead(&txn, &l, LeadStatus::New, None, None, now).await?;
    lead_release::Entity::insert(lead_release::ActiveModel {
        tenant_id: Set(l.tenant_id),
        lead_id: Set(l.id),
        partner_id: Set(p.id),
        released_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    audit::record(
        &txn,
        req,
        Some(p.organization_id),
        audit::action::LEAD_RELEASED,
        Target::Lead(l.id),
        None,
        json!({ "leadNumber": l.lead_number, "partnerId": p.id, "from": l.status.as_str() }),
    )
    .await?;
    announce(&txn, &updated, Some(p.id), now).await?;
    txn::commit(txn, req).await?;
    Ok(LeadView {
        lead: updated,
        contacts: false,
    })
}

/// `reassignLead` (tenant staff): to an approved partner (status `NEW`, it is told), or
/// back to free leads with `None`.
pub async fn reassign(
    svc: &Services,
    req: &RequestCtx,
    lead_id: i64,
    partner_id: Option<i64>,
) -> ApiResult<LeadView> {
    authorize(
        req,
        Action::ManageLeads {
            tenant_id: req.tenant_id(),
        },
    )?;
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let l = scoped::<lead::Entity>(req.tenant_id())
        .filter(lead::Column::Id.eq(lead_id))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound { what: "lead" })?;
    if l.status.closed() {
        return Err(wrong_state(&l, "reassigned"));
    }
    let to = match partner_id {
        None => None,
        Some(id) => {
            let p = crate::partners::ops::find(&txn, req, id).await?;
            if p.status != partner::STATUS_APPROVED {
                return Err(ApiError::domain(
                    code::PARTNER_NOT_APPROVED,
                    Some("partnerId"),
                    "leads go to approved partners only",
                ));
            }
            Some(p)
        }
    };
    let to_id = to.as_ref().map(|p| p.id);
    if to_id == l.partner_id {
        return Err(ApiError::conflict("partnerId", "the lead is already there"));
    }
    let updated = move_lead(&txn, &l, LeadStatus::New, to_id, None, now).await?;
    audit::record(
        &txn,
        req,
        to.as_ref().map(|p| p.organization_id),
        audit::action::LEAD_REASSIGNED,
        Target::Lead(l.id),
        None,
        json!({ "leadNumber": l.lead_number, "from": l.partner_id, "to": to_id }),
    )
    .await?;
    announce(&txn, &updated, l.partner_id, now).await?;
    txn::commit(txn, req).await?;
    Ok(LeadView {
        lead: updated,
        contacts: true,
    })
}

/// `closeLead` (tenant staff): `SUCCESS` or `FAILURE` from any open state, whoever holds
/// it.
pub async fn close(
    svc: &Services,
    req: &RequestCtx,
    lead_id: i64,
    to: LeadStatus,
) -> ApiResult<LeadView> {
    authorize(
        req,
        Action::ManageLeads {
            tenant_id: req.tenant_id(),
        },
    )?;
    if !to.closed() {
        return Err(ApiError::bad_input("status", "SUCCESS or FAILURE"));
    }
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let l = scoped::<lead::Entity>(req.tenant_id())
        .filter(lead::Column::Id.eq(lead_id))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound { what: "lead" })?;
    if l.status.closed() {
        return Err(wrong_state(&l, to.as_str()));
    }
    let updated = move_lead(&txn, &l, to, l.partner_id, l.taken_by, now).await?;
    audit::record(
        &txn,
        req,
        None,
        audit::action::LEAD_CLOSED,
        Target::Lead(l.id),
        None,
        json!({ "leadNumber": l.lead_number, "partnerId": l.partner_id, "from": l.status.as_str(), "to": to.as_str() }),
    )
    .await?;
    txn::commit(txn, req).await?;
    Ok(LeadView {
        lead: updated,
        contacts: true,
    })
}

/// `addLeadComment`: the holder's members and tenant staff write on a lead; the comment
/// stays with the lead whoever holds it next.
pub async fn comment(
    svc: &Services,
    req: &RequestCtx,
    lead_id: i64,
    body: &str,
) -> ApiResult<lead_comment::Model> {
    let user = me(req)?;
    let body = validate::opt_paragraphs("body", Some(body), 4000)?
        .ok_or_else(|| ApiError::bad_input("body", "must not be empty"))?;
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let (l, author_partner) = if staff(req) {
        (find(&txn, req.tenant_id(), lead_id).await?, None)
    } else {
        let (l, p) = held(&txn, req, lead_id).await?;
        (l, Some(p.id))
    };
    let c = lead_comment::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        lead_id: Set(l.id),
        author_user_id: Set(Some(user)),
        author_partner_id: Set(author_partner),
        body: Set(body),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn::commit(txn, req).await?;
    Ok(c)
}

/// The comments of each lead, oldest first (the caller decides who may read them).
pub async fn comments_of(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    lead_ids: &[i64],
) -> Result<HashMap<i64, Vec<lead_comment::Model>>, sea_orm::DbErr> {
    let mut out: HashMap<i64, Vec<lead_comment::Model>> = HashMap::new();
    for c in scoped::<lead_comment::Entity>(tenant_id)
        .filter(lead_comment::Column::LeadId.is_in(lead_ids.iter().copied()))
        .order_by_asc(lead_comment::Column::Id)
        .all(db)
        .await?
    {
        out.entry(c.lead_id).or_default().push(c);
    }
    Ok(out)
}

/// The domain event of a lead that became free or went to a partner: what partners are
/// told (never the contacts). `released_by`: the partner that just held it (not told).
pub async fn announce(
    db: &impl ConnectionTrait,
    l: &lead::Model,
    released_by: Option<i64>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let task: String = l.task.chars().take(200).collect();
    let mut payload = json!({
        "leadId": l.id, "leadNumber": l.lead_number, "company": l.company, "task": task,
        "features": super::features(l), "country": l.country, "language": l.language,
    });
    let event = match l.partner_id {
        Some(p) => {
            payload["partnerId"] = p.into();
            kind::LEAD_ADDRESSED
        }
        None => {
            if let Some(r) = released_by {
                payload["exceptPartnerId"] = r.into();
            }
            kind::LEAD_FREE
        }
    };
    events::record(db, l.tenant_id, event, payload, now).await
}
