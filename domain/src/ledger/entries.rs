//! Ledger entries: written only through [`write`] (append-only: nothing updates or deletes
//! an entry), read a page at a time (`Partner.ledger`), oldest first like a statement.

use chrono::{DateTime, Utc};
use entities::partner;
use entities::partner_ledger_entry::{self as entry, LedgerKind};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, QueryFilter};
use tenants::RequestCtx;
use tenants::scope::scoped;

use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::page::{PageArgs, Paged, paginate};
use crate::kernel::services::Services;

/// A new entry; its cause is the order, the withdrawal, or the staff member with a reason.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub tenant_id: i64,
    pub partner_id: i64,
    pub kind: LedgerKind,
    pub pot: &'static str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub order_id: Option<i64>,
    pub withdrawal_id: Option<i64>,
    pub reason: Option<String>,
    pub created_by: Option<i64>,
    /// When the money may be withdrawn (rewards; `now` for the rest).
    pub available_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// Appends one entry.
pub async fn write(db: &impl ConnectionTrait, e: NewEntry<'_>) -> ApiResult<entry::Model> {
    Ok(entry::ActiveModel {
        tenant_id: Set(e.tenant_id),
        partner_id: Set(e.partner_id),
        kind: Set(e.kind),
        pot: Set(e.pot.to_string()),
        amount_minor: Set(e.amount_minor),
        currency: Set(e.currency.to_string()),
        order_id: Set(e.order_id),
        withdrawal_id: Set(e.withdrawal_id),
        reason: Set(e.reason),
        created_by: Set(e.created_by),
        available_at: Set(e.available_at),
        created_at: Set(e.now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Whether `e` is a reward (or a reward's reversal) still in its hold at `now`: what
/// `Balance::pending` sums.
pub fn is_pending(e: &entry::Model, now: DateTime<Utc>) -> bool {
    matches!(e.kind, LedgerKind::Reward | LedgerKind::Reversal)
        && e.pot == entry::POT_REWARDS
        && e.available_at > now
}

/// Filters of `Partner.ledger`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only these kinds (empty: all).
    pub kinds: Vec<LedgerKind>,
    /// Written at or after.
    pub since: Option<DateTime<Utc>>,
    /// Written before.
    pub until: Option<DateTime<Utc>>,
}

/// `Partner.ledger`: the partner's entries, oldest first.
pub async fn page(
    svc: &Services,
    req: &RequestCtx,
    p: &partner::Model,
    filter: Filter,
    args: PageArgs,
) -> ApiResult<Paged<entry::Model>> {
    super::balance::authorize_view(&svc.db, req, p).await?;
    if let (Some(s), Some(u)) = (filter.since, filter.until)
        && s > u
    {
        return Err(ApiError::bad_input("until", "must not be before since"));
    }
    let mut q = scoped::<entry::Entity>(req.tenant_id()).filter(entry::Column::PartnerId.eq(p.id));
    if !filter.kinds.is_empty() {
        q = q.filter(
            entry::Column::Kind.is_in(filter.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>()),
        );
    }
    if let Some(s) = filter.since {
        q = q.filter(entry::Column::CreatedAt.gte(s));
    }
    if let Some(u) = filter.until {
        q = q.filter(entry::Column::CreatedAt.lt(u));
    }
    paginate(&svc.db, q, entry::Column::Id, args, |m| (m.id, m)).await
}
