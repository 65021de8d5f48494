//! `cancelOrder`: the payer (or who prepared it) cancels a pending order; its open payments
//! are cancelled with it, in one transaction, and their card checkouts are closed at the
//! provider once it commits, so nobody can still be charged for it
//! (`payments::checkouts`).

use entities::order;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use tenants::{Action, RequestCtx, authorize};

use crate::kernel::audit::{self, Target};
use crate::kernel::error::ApiResult;
use crate::kernel::services::Services;
use crate::kernel::txn;
use crate::orders::ops::{find, not_pending, standing};

/// `cancelOrder`: a pending order, by whoever may place it.
pub async fn cancel(svc: &Services, req: &RequestCtx, id: i64) -> ApiResult<order::Model> {
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let o = find(&txn, req, id).await?;
    let s = standing(&txn, req, &o).await?;
    authorize(req, Action::PlaceOrder { order: s })?;
    let done = order::Entity::update_many()
        .col_expr(
            order::Column::Status,
            Expr::value(order::OrderStatus::Cancelled.as_str()),
        )
        .col_expr(order::Column::CancelledAt, Expr::value(now))
        .col_expr(order::Column::UpdatedAt, Expr::value(now))
        .filter(order::Column::Id.eq(o.id))
        .filter(order::Column::Status.eq(order::OrderStatus::Pending.as_str()))
        .filter(order::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(not_pending(&o, now));
    }
    crate::payments::checkouts::cancel_open_payments(&txn, o.id, now).await?;
    audit::record(
        &txn,
        req,
        None,
        audit::action::ORDER_CANCELLED,
        Target::Order(o.id),
        None,
        json!({ "orderNumber": o.order_number }),
    )
    .await?;
    txn::commit(txn, req).await?;
    // No lock is held across the provider's HTTP call; the scheduler asks again if this
    // one fails.
    crate::payments::checkouts::close_checkouts(svc, Some(o.id)).await;
    find(&svc.db, req, id).await
}
