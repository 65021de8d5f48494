//! The bell: the viewer's notifications, newest first, read and unread.

use entities::notification;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use crate::identity::accounts::signed_in;
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::page::{Paged, decode_cursor};
use crate::kernel::services::Services;

/// Items per page when `first` is not given, and at most.
const DEFAULT: u64 = 20;
const MAX: i32 = 100;

pub(super) fn mine(req: &RequestCtx, me: i64) -> sea_orm::Select<notification::Entity> {
    scoped::<notification::Entity>(req.tenant_id()).filter(notification::Column::UserId.eq(me))
}

/// `notifications(first, after, unreadOnly)`: newest first; `after` is a cursor of this
/// list (older items follow it).
pub async fn page(
    svc: &Services,
    req: &RequestCtx,
    unread_only: bool,
    first: Option<i32>,
    after: Option<&str>,
) -> ApiResult<Paged<notification::Model>> {
    let me = signed_in(req)?.user_id;
    let limit = match first {
        None => DEFAULT,
        Some(n) if (0..=MAX).contains(&n) => n as u64,
        Some(_) => {
            return Err(ApiError::bad_input(
                "first",
                format!("must be between 0 and {MAX}"),
            ));
        }
    };
    let after = after
        .map(|c| decode_cursor(c).map_err(|e| ApiError::bad_input("after", e)))
        .transpose()?;
    let mut q = mine(req, me);
    if unread_only {
        q = q.filter(notification::Column::ReadAt.is_null());
    }
    let total = q.clone().count(&svc.db).await?;
    if let Some(a) = after {
        q = q.filter(notification::Column::Id.lt(a));
    }
    let mut rows = q
        .order_by_desc(notification::Column::Id)
        .limit(limit + 1)
        .all(&svc.db)
        .await?;
    let has_next = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    Ok(Paged {
        rows: rows.into_iter().map(|n| (n.id, n)).collect(),
        total,
        has_previous: after.is_some(),
        has_next,
    })
}

/// `unreadNotificationCount`.
pub async fn unread(svc: &Services, req: &RequestCtx) -> ApiResult<u64> {
    let me = signed_in(req)?.user_id;
    Ok(mine(req, me)
        .filter(notification::Column::ReadAt.is_null())
        .count(&svc.db)
        .await?)
}

/// Which notifications `markNotificationsRead` marks.
#[derive(Debug, Clone)]
pub enum Which {
    Ids(Vec<i64>),
    All,
}

/// `markNotificationsRead`: marks the viewer's own (others' ids change nothing); answers
/// how many were unread and now are read.
pub async fn mark_read(svc: &Services, req: &RequestCtx, which: Which) -> ApiResult<u64> {
    authorize(req, Action::ManageOwnNotifications)?;
    let me = signed_in(req)?.user_id;
    let mut q = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(svc.clock.now()))
        .filter(notification::Column::TenantId.eq(req.tenant_id()))
        .filter(notification::Column::UserId.eq(me))
        .filter(notification::Column::ReadAt.is_null());
    match which {
        Which::All => {}
        Which::Ids(ids) if ids.is_empty() => {
            return Err(ApiError::bad_input(
                "ids",
                "name at least one notification, or pass all",
            ));
        }
        Which::Ids(ids) if ids.len() > MAX as usize => {
            return Err(ApiError::bad_input("ids", format!("at most {MAX} at once")));
        }
        Which::Ids(ids) => q = q.filter(notification::Column::Id.is_in(ids)),
    }
    Ok(q.exec(&svc.db).await?.rows_affected)
}
