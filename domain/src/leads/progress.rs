//! Working a taken lead: its status, releasing it, reassigning it (staff), closing it,
//! and comments.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::lead::{self, LeadStatus};
use entities::{lead_comment, lead_release, partner};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use super::LeadView;
use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::services::Services;
use crate::kernel::{txn, validate};
use crate::leads::market::{announce, find, staff};
use crate::leads::take::held;

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
