//! Card money that cannot vanish: what happens at the provider after our side has
//! decided.
//!
//! - **Closing checkouts.** When an order is cancelled or expires, its open card payments
//!   become `CANCELLED` and their checkouts are closed at the provider (Stripe: expire the
//!   session), so the payer can no longer be charged for an order that will not be
//!   applied. Asked right after the commit, and again by the scheduler's
//!   `payments.card_refunds` job until the provider has answered
//!   (`payments.checkout_closed_at`).
//! - **Refunding what cannot be applied.** A checkout the payer completed anyway (the
//!   notification was on its way when the order was cancelled, or the order expired or was
//!   paid another way first) is recorded `SUCCEEDED` with `refundRequestedAt`, audited,
//!   and its payer told (`payment.refund_due`); the refund is asked after the commit and
//!   by the same job until the provider confirms it (`refundedAt`). The payment's id is the
//!   provider's idempotency key, and the notification is recorded once by its event id,
//!   so a replayed or doubled notification refunds once.

use chrono::{DateTime, Utc};
use entities::{order, payment};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;

use crate::kernel::audit::{self, Target};
use crate::kernel::card::{Closed, RefundRequest};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::events::{self, kind};
use crate::kernel::services::Services;

/// The open payments of `order_id` become `CANCELLED` (their order was cancelled or
/// expired), in the caller's transaction; card checkouts among them are closed by
/// [`close_checkouts`] once it commits.
pub async fn cancel_open_payments(
    txn: &impl ConnectionTrait,
    order_id: i64,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    payment::Entity::update_many()
        .col_expr(
            payment::Column::Status,
            Expr::value(payment::PaymentStatus::Cancelled.as_str()),
        )
        .col_expr(payment::Column::UpdatedAt, Expr::value(now))
        .filter(payment::Column::OrderId.eq(order_id))
        .filter(payment::Column::Status.eq(payment::PaymentStatus::Pending.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}

/// Closes at the provider the checkouts of cancelled card payments not closed yet (of one
/// order, or all); how many were closed. Failures are logged and left for the next try.
pub async fn close_checkouts(svc: &Services, order_id: Option<i64>) -> usize {
    match try_close_checkouts(svc, order_id).await {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = ?e, "closing checkouts failed; will retry");
            0
        }
    }
}

async fn try_close_checkouts(svc: &Services, order_id: Option<i64>) -> ApiResult<usize> {
    let mut q = payment::Entity::find()
        .filter(payment::Column::Method.eq(payment::PaymentMethod::Card.as_str()))
        .filter(payment::Column::Status.eq(payment::PaymentStatus::Cancelled.as_str()))
        .filter(payment::Column::ProviderRef.is_not_null())
        .filter(payment::Column::CheckoutClosedAt.is_null());
    if let Some(id) = order_id {
        q = q.filter(payment::Column::OrderId.eq(id));
    }
    // Least recently asked first: checkouts the provider closes only itself (asked again
    // and touched each time) do not keep the others waiting.
    let due = q
        .order_by_asc(payment::Column::UpdatedAt)
        .limit(100)
        .all(&svc.db)
        .await?;
    let mut done = 0;
    for p in due {
        let Some(reference) = p.provider_ref.as_deref() else {
            continue;
        };
        // One payment whose account cannot be reached does not stop the others.
        let Ok(Some(provider)) = crate::payments::routing::for_payment(svc, &p).await else {
            tracing::warn!(
                payment = p.id,
                provider = ?p.provider,
                "checkout at an unconfigured or unreadable account"
            );
            continue;
        };
        match provider.expire_checkout(reference).await {
            Ok(Closed::Later) => {
                tracing::info!(
                    payment = p.id,
                    "the provider closes this checkout itself when it expires: asked again later"
                );
                payment::Entity::update_many()
                    .col_expr(payment::Column::UpdatedAt, Expr::value(svc.clock.now()))
                    .filter(payment::Column::Id.eq(p.id))
                    .exec(&svc.db)
                    .await?;
            }
            Ok(closed) => {
                if closed == Closed::AlreadyDone {
                    tracing::info!(
                        payment = p.id,
                        "the checkout was not open any more: a completion is refunded when it arrives"
                    );
                }
                let now = svc.clock.now();
                payment::Entity::update_many()
                    .col_expr(payment::Column::CheckoutClosedAt, Expr::value(now))
                    .filter(payment::Column::Id.eq(p.id))
                    .exec(&svc.db)
                    .await?;
                done += 1;
            }
            Err(e) => {
                tracing::warn!(payment = p.id, error = %e, "checkout not closed yet; will retry");
            }
        }
    }
    Ok(done)
}

/// A card payment the payer completed for an order that can no longer take it (cancelled,
/// expired, or paid another way): recorded `SUCCEEDED` with its refund due, audited, and
/// its payer told, in the caller's transaction. `already_succeeded`: the payment row was
/// claimed `SUCCEEDED` by the caller (else it is claimed here from `CANCELLED` or
/// `FAILED`). False when another delivery already settled it.
pub async fn refund_unapplicable(
    txn: &impl ConnectionTrait,
    p: &payment::Model,
    already_succeeded: bool,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    let mut claim = payment::Entity::update_many()
        .col_expr(
            payment::Column::Status,
            Expr::value(payment::PaymentStatus::Succeeded.as_str()),
        )
        .col_expr(payment::Column::CompletedAt, Expr::value(now))
        .col_expr(payment::Column::RefundRequestedAt, Expr::value(now))
        .col_expr(
            payment::Column::FailureReason,
            Expr::value("the order could not take this payment any more: refunded"),
        )
        .col_expr(payment::Column::UpdatedAt, Expr::value(now))
        .filter(payment::Column::Id.eq(p.id))
        .filter(payment::Column::RefundRequestedAt.is_null());
    claim = if already_succeeded {
        claim.filter(payment::Column::Status.eq(payment::PaymentStatus::Succeeded.as_str()))
    } else {
        claim.filter(payment::Column::Status.is_in([
            payment::PaymentStatus::Cancelled.as_str(),
            payment::PaymentStatus::Failed.as_str(),
        ]))
    };
    if claim.exec(txn).await?.rows_affected != 1 {
        return Ok(false);
    }
    let o = order::Entity::find_by_id(p.order_id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound { what: "order" })?;
    tracing::warn!(
        payment = p.id,
        order = o.id,
        status = o.status.as_str(),
        "a card payment completed for an order that cannot take it: refund due"
    );
    audit::record_system(
        txn,
        o.tenant_id,
        audit::action::PAYMENT_REFUND_DUE,
        Target::Payment(p.id),
        json!({ "orderId": o.id, "orderNumber": o.order_number, "orderStatus": o.status.as_str(), "amountMinor": p.amount_minor, "currency": p.currency }),
    )
    .await?;
    // The payer is told: the client, or the partner's members who see its money.
    let (client, partner) = match o.payer {
        order::Payer::Client => (o.client_user_id, None),
        order::Payer::Partner => (None, o.partner_id),
    };
    events::record(
        txn,
        o.tenant_id,
        kind::PAYMENT_REFUND_DUE,
        json!({ "orderId": o.id, "orderNumber": o.order_number, "paymentId": p.id, "clientId": client, "partnerId": partner, "amountMinor": p.amount_minor, "currency": p.currency, "orderStatus": o.status.as_str() }),
        now,
    )
    .await?;
    Ok(true)
}

/// Asks the provider to refund every card payment whose refund was decided and not yet
/// done (of one order, or all); how many were refunded. Failures are logged and left for
/// the next try.
pub async fn complete_card_refunds(svc: &Services, order_id: Option<i64>) -> usize {
    match try_card_refunds(svc, order_id).await {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = ?e, "card refunds failed; will retry");
            0
        }
    }
}

async fn try_card_refunds(svc: &Services, order_id: Option<i64>) -> ApiResult<usize> {
    let mut q = payment::Entity::find()
        .filter(payment::Column::Method.eq(payment::PaymentMethod::Card.as_str()))
        .filter(payment::Column::RefundRequestedAt.is_not_null())
        .filter(payment::Column::RefundedAt.is_null());
    if let Some(id) = order_id {
        q = q.filter(payment::Column::OrderId.eq(id));
    }
    let due = q.limit(100).all(&svc.db).await?;
    let mut done = 0;
    for p in due {
        let Some(reference) = p.provider_ref.clone() else {
            continue;
        };
        let Ok(Some(provider)) = crate::payments::routing::for_payment(svc, &p).await else {
            tracing::warn!(
                payment = p.id,
                provider = ?p.provider,
                "refund due at an unconfigured or unreadable account"
            );
            continue;
        };
        let asked = provider
            .refund(&RefundRequest {
                payment_id: p.id,
                reference,
                amount_minor: p.amount_minor,
                currency: p.currency.clone(),
            })
            .await;
        match asked {
            Ok(refund_ref) => {
                let now = svc.clock.now();
                let changed = payment::Entity::update_many()
                    .col_expr(payment::Column::RefundedAt, Expr::value(now))
                    .col_expr(payment::Column::RefundRef, Expr::value(refund_ref))
                    .col_expr(payment::Column::UpdatedAt, Expr::value(now))
                    .filter(payment::Column::Id.eq(p.id))
                    .filter(payment::Column::RefundedAt.is_null())
                    .exec(&svc.db)
                    .await?;
                done += changed.rows_affected as usize;
            }
            Err(e) => {
                tracing::warn!(payment = p.id, error = %e, "card refund not done yet; will retry");
            }
        }
    }
    Ok(done)
}
