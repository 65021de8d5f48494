//! The free not-for-resale (NFR) line of a partner (SPEC §6):
//!
//! - a partner reaching `OFFICIAL` or above (every approved partner has a tier) gets one
//!   line with every active channel kind of the tenant, for 2 months, once: the line's id
//!   is kept on the partner (`nfr_line_id`, set by a conditional update, so racing
//!   schedulers grant one line), and a later tier change adds nothing;
//! - at expiry it renews free for 2 more months (from its expiry, without a gap) if at
//!   least one order made through the partner was paid in the 2 months before the expiry;
//!   otherwise it ends (`ended_at`; it stays expired and is never looked at again).
//!
//! The line belongs to the partner's organization and its first owner, so the partner's
//! owners rename it like any line of theirs. Both steps are scheduler jobs
//! (`jobs::NFR_GRANTS`, `jobs::NFR_RENEWALS`), idempotent: running one twice for the same
//! partner or the same expiry changes nothing twice.

use chrono::{DateTime, Months, Utc};
use entities::{channel_kind, line, order, organization_member, partner};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use crate::kernel::error::ApiResult;
use crate::kernel::events::{self, kind};
use crate::lines::provision::{self, add_channels};
use crate::orders::request::add_months;

/// How long an NFR line runs, and each free renewal.
pub const MONTHS: u32 = 2;
/// The most partners or lines one run handles (the next run takes the rest).
pub const BATCH: u64 = 200;

/// Gives every approved partner without an NFR line one; how many were given.
pub async fn grant_due(db: &impl ConnectionTrait, now: DateTime<Utc>) -> ApiResult<u64> {
    let due = partner::Entity::find()
        .filter(partner::Column::Status.eq(partner::STATUS_APPROVED.as_str()))
        .filter(partner::Column::Tier.is_not_null())
        .filter(partner::Column::NfrLineId.is_null())
        .order_by_asc(partner::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut granted = 0;
    for p in due {
        let Some(owner) = organization_member::Entity::find()
            .filter(organization_member::Column::OrganizationId.eq(p.organization_id))
            .filter(organization_member::Column::Role.eq(entities::OrgRole::Owner.as_str()))
            .order_by_asc(organization_member::Column::Id)
            .one(db)
            .await?
        else {
            continue;
        };
        let l = provision::create_line(
            db,
            provision::NewLine {
                tenant_id: p.tenant_id,
                name: Some(format!("NFR {}", p.name)),
                client_user_id: owner.user_id,
                organization_id: p.organization_id,
                space_id: None,
                starts_at: now,
                expires_at: add_months(now, MONTHS),
                coins: 0,
                nfr: true,
            },
            now,
        )
        .await?;
        // One line per partner, whoever runs this: the first to set the id wins.
        let claimed = partner::Entity::update_many()
            .col_expr(partner::Column::NfrLineId, Expr::value(l.id))
            .filter(partner::Column::Id.eq(p.id))
            .filter(partner::Column::NfrLineId.is_null())
            .exec(db)
            .await?;
        if claimed.rows_affected != 1 {
            provision::discard_line(db, l.id).await?;
            continue;
        }
        let kinds: Vec<i64> = channel_kind::Entity::find()
            .filter(channel_kind::Column::TenantId.eq(p.tenant_id))
            .filter(channel_kind::Column::Active.eq(true))
            .order_by_asc(channel_kind::Column::Position)
            .all(db)
            .await?
            .into_iter()
            .map(|k| k.id)
            .collect();
        add_channels(db, p.tenant_id, l.id, &kinds, now).await?;
        events::record(
            db,
            p.tenant_id,
            kind::NFR_LINE_GRANTED,
            json!({ "partnerId": p.id, "lineId": l.id, "lineNumber": l.line_number, "organizationId": p.organization_id, "expiresAt": l.expires_at }),
            now,
        )
        .await?;
        granted += 1;
    }
    Ok(granted)
}

/// Renews or ends every NFR line that has expired; how many were decided.
pub async fn renew_due(db: &impl ConnectionTrait, now: DateTime<Utc>) -> ApiResult<u64> {
    let due = line::Entity::find()
        .filter(line::Column::Nfr.eq(true))
        .filter(line::Column::EndedAt.is_null())
        .filter(line::Column::ExpiresAt.lte(now))
        .order_by_asc(line::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut decided = 0;
    for l in due {
        let Some(p) = partner::Entity::find()
            .filter(partner::Column::NfrLineId.eq(l.id))
            .one(db)
            .await?
        else {
            continue;
        };
        let since = l
            .expires_at
            .checked_sub_months(Months::new(MONTHS))
            .unwrap_or(l.expires_at);
        let paid = order::Entity::find()
            .filter(order::Column::TenantId.eq(l.tenant_id))
            .filter(order::Column::PartnerId.eq(p.id))
            .filter(order::Column::Status.eq(order::OrderStatus::Paid.as_str()))
            .filter(order::Column::PaidAt.gt(since))
            .filter(order::Column::PaidAt.lte(l.expires_at))
            .count(db)
            .await?;
        // Conditional on the expiry read: a second run for the same expiry changes nothing.
        let (event, until) = if paid > 0 {
            (
                kind::NFR_LINE_RENEWED,
                Some(add_months(l.expires_at, MONTHS)),
            )
        } else {
            (kind::NFR_LINE_ENDED, None)
        };
        if !provision::renew_or_end_if_unchanged(db, l.id, l.expires_at, until, now).await? {
            continue;
        }
        events::record(
            db,
            l.tenant_id,
            event,
            json!({ "partnerId": p.id, "lineId": l.id, "lineNumber": l.line_number, "organizationId": l.organization_id, "from": l.expires_at, "to": until, "paidOrders": paid }),
            now,
        )
        .await?;
        decided += 1;
    }
    Ok(decided)
}
