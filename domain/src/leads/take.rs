//! Taking a free lead: one winner (a compare-and-set on the lead's row), the partner's
//! limit on open leads, and the cool-down before a released lead may be taken again.

use chrono::{DateTime, Utc};
use entities::lead::{self, LeadStatus};
use entities::{lead_release, partner};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use serde_json::json;
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use super::LeadView;
use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::services::Services;
use crate::kernel::txn;
use crate::leads::market::{find, working_partner};

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
pub async fn held(
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
