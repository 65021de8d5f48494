//! Staff's withdrawal queue (`withdrawals`): every partner's withdrawals of the brand,
//! oldest first, or by deadline (`DueAt`): the step's deadline soonest first, so what is
//! overdue comes first (the most overdue at the top), then what is due next, and
//! withdrawals with nothing due (closed, or on a rail without paperwork) last, in id
//! order. Both orders page with the row id as the cursor: under the deadline order a
//! cursor's row is read back (one statement) and the page continues after its
//! `(deadline, id)`, so cursors stay the same opaque ids as every other connection.

use entities::withdrawal::{self, WithdrawalStatus};
use sea_orm::sea_query::{Expr, ExprTrait, Order};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::page::{self, PageArgs, Paged, paginate};
use crate::kernel::services::Services;

/// How staff's queue is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueOrder {
    /// Oldest first.
    #[default]
    Created,
    /// Soonest deadline first (overdue first); nothing due last.
    DueAt,
}

/// `withdrawals`: every partner's withdrawals of the tenant (tenant staff); `overdue`:
/// only those past (or not past) the deadline of their step, now.
pub async fn for_staff(
    svc: &Services,
    req: &RequestCtx,
    status: Option<WithdrawalStatus>,
    overdue: Option<bool>,
    order: QueueOrder,
    args: PageArgs,
) -> ApiResult<Paged<withdrawal::Model>> {
    authorize(
        req,
        Action::ManagePartnerMoney {
            tenant_id: req.tenant_id(),
        },
    )?;
    let mut q = scoped::<withdrawal::Entity>(req.tenant_id());
    if let Some(s) = status {
        q = q.filter(withdrawal::Column::Status.eq(s.as_str()));
    }
    let now = svc.clock.now();
    q = match overdue {
        Some(true) => q.filter(withdrawal::Column::DueAt.lt(now)),
        Some(false) => q.filter(
            Condition::any()
                .add(withdrawal::Column::DueAt.is_null())
                .add(withdrawal::Column::DueAt.gte(now)),
        ),
        None => q,
    };
    match order {
        QueueOrder::Created => {
            paginate(&svc.db, q, withdrawal::Column::Id, args, |m| (m.id, m)).await
        }
        QueueOrder::DueAt => by_deadline(&svc.db, req, q, args).await,
    }
}

/// Rows after `x` in (deadline, id) order, nothing due last.
fn after(x: &withdrawal::Model) -> Condition {
    use withdrawal::Column::{DueAt, Id};
    match x.due_at {
        Some(d) => Condition::any()
            .add(DueAt.gt(d))
            .add(Condition::all().add(DueAt.eq(d)).add(Id.gt(x.id)))
            .add(DueAt.is_null()),
        None => Condition::all().add(DueAt.is_null()).add(Id.gt(x.id)),
    }
}

/// Rows before `x` in the same order.
fn before(x: &withdrawal::Model) -> Condition {
    use withdrawal::Column::{DueAt, Id};
    match x.due_at {
        Some(d) => Condition::all().add(DueAt.is_not_null()).add(
            Condition::any()
                .add(DueAt.lt(d))
                .add(Condition::all().add(DueAt.eq(d)).add(Id.lt(x.id))),
        ),
        None => Condition::any().add(DueAt.is_not_null()).add(Id.lt(x.id)),
    }
}

async fn by_deadline(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    q: Select<withdrawal::Entity>,
    args: PageArgs,
) -> ApiResult<Paged<withdrawal::Model>> {
    let after_id = page::cursor("after", args.after.as_ref())?;
    let before_id = page::cursor("before", args.before.as_ref())?;
    let first = page::size("first", args.first, page::MAX_PAGE_SIZE)?;
    let last = page::size("last", args.last, page::MAX_PAGE_SIZE)?;
    if first.is_some() && last.is_some() {
        return Err(ApiError::bad_input(
            "last",
            "pass either first or last, not both",
        ));
    }
    let total = q.clone().count(db).await?;
    let anchor = |field: &'static str, id: i64| async move {
        scoped::<withdrawal::Entity>(req.tenant_id())
            .filter(withdrawal::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or_else(|| ApiError::bad_input(field, "invalid cursor"))
    };
    let mut q = q;
    if let Some(id) = after_id {
        q = q.filter(after(&anchor("after", id).await?));
    }
    if let Some(id) = before_id {
        q = q.filter(before(&anchor("before", id).await?));
    }
    let (limit, backwards) = match last {
        Some(n) => (n, true),
        None => (first.unwrap_or(page::DEFAULT_PAGE_SIZE as u64), false),
    };
    let dir = if backwards { Order::Desc } else { Order::Asc };
    let mut rows = q
        .order_by(Expr::col(withdrawal::Column::DueAt).is_null(), dir.clone())
        .order_by(withdrawal::Column::DueAt, dir.clone())
        .order_by(withdrawal::Column::Id, dir)
        .limit(limit + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    if backwards {
        rows.reverse();
    }
    let (has_previous, has_next) = if backwards {
        (more, before_id.is_some())
    } else {
        (after_id.is_some(), more)
    };
    Ok(Paged {
        rows: rows.into_iter().map(|m| (m.id, m)).collect(),
        total,
        has_previous,
        has_next,
    })
}
