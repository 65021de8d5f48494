//! Free leads, "my leads" and tenant staff's view of every lead. This file finds and
//! lists leads; taking one is `take`, working it (status, release, reassignment, closing,
//! comments) is `progress`.
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
//!   (`take::refuse_harvesting`).
//! - **Staff** see every lead with its contacts, reassign it (to a partner or back to
//!   free) and close it.
//!
//! Contacts and comments show to the members of the partner holding the lead and to
//! tenant staff ([`LeadView`]); another partner's lead, or another tenant's, is
//! `NOT_FOUND`.

use chrono::{DateTime, Utc};
use entities::lead::{self, LeadStatus};
use entities::partner;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter};
use serde_json::json;
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use super::LeadView;
use crate::identity::me;
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::events::{self, kind};
use crate::kernel::page::{PageArgs, Paged, paginate};
use crate::kernel::services::Services;
use crate::kernel::validate;
use crate::orgs::access::viewer_memberships;

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
pub fn staff(req: &RequestCtx) -> bool {
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
            let me = crate::orgs::access::access_in(&m, p.organization_id).standing();
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
pub async fn find(db: &impl ConnectionTrait, tenant_id: i64, id: i64) -> ApiResult<lead::Model> {
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
