//! `refundOrder` (tenant staff): undoes what paying the order applied and gives the money
//! back, in one transaction, once (the order moves `PAID -> REFUNDED` under its row lock):
//!
//! - new lines end now, and the ChatCoins they came with are debited as far as their
//!   balance allows (coins already spent are not taken below zero);
//! - a renewal is taken back: the line's expiry moves back by what the renewal added (a
//!   line whose shortened expiry has passed ends now);
//! - added channels are removed;
//! - the partner's reward is reversed (`REVERSAL`, with the reward's `available_at`, so a
//!   reward still in its hold never becomes withdrawable); a reward already withdrawn
//!   leaves `rewards` negative until later rewards pay it back;
//! - an order paid from the balance gets its `SPEND` entries back, to the same pots;
//! - a card payment is refunded through the provider after the commit (no lock is held
//!   across an HTTP call); until the provider answers the payment shows
//!   `refundRequestedAt` without `refundedAt`, and the scheduler's `card_refunds` job asks
//!   again (the payment's id is the provider's idempotency key, so it refunds once);
//! - an invoice's transfer back is staff's to make; it is recorded as refunded at once.
//!
//! What an item applied is read from `order_items.applied`, written when it was applied.
//! Orders applied before that column existed refund their money but leave their lines.

use chrono::{DateTime, Utc};
use entities::partner_ledger_entry::{self as entry, LedgerKind};
use entities::{line, order, order_item, payment};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect,
};
use serde_json::{Value, json};
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::events::{self, kind};
use crate::kernel::idempotency::{self, Start};
use crate::kernel::services::Services;
use crate::kernel::{txn, validate};
use crate::ledger::entries::{NewEntry, write};
use crate::lines::provision;
use crate::payments::checkouts::complete_card_refunds;

/// `refundOrder`.
pub async fn refund(
    svc: &Services,
    req: &RequestCtx,
    order_id: i64,
    reason: &str,
    key: Option<&str>,
) -> ApiResult<order::Model> {
    authorize(
        req,
        Action::ManagePartnerMoney {
            tenant_id: req.tenant_id(),
        },
    )?;
    let staff = me(req)?;
    let reason = validate::text("reason", reason, 1000)?;
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let claim_id = match idempotency::start(
        &txn,
        req.tenant_id(),
        staff,
        "refundOrder",
        key,
        &json!({ "orderId": order_id }),
        "orderId",
        now,
    )
    .await?
    {
        Start::Replay(id) => {
            drop(txn);
            complete_card_refunds(svc, Some(order_id)).await;
            return load(&svc.db, req.tenant_id(), id).await;
        }
        Start::Fresh(claim) => claim,
    };
    let o = scoped::<order::Entity>(req.tenant_id())
        .filter(order::Column::Id.eq(order_id))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound { what: "order" })?;
    if o.status != order::OrderStatus::Paid {
        return Err(ApiError::domain(
            code::ORDER_NOT_PAID,
            Some("orderId"),
            format!(
                "only a paid order is refunded; this one is {}",
                o.status.as_str()
            ),
        ));
    }
    let mut undone = Vec::new();
    for item in crate::orders::ops::items(&txn, &o).await? {
        undone.push(undo(&txn, &o, &item, now).await?);
    }
    order::Entity::update_many()
        .col_expr(
            order::Column::Status,
            Expr::value(order::OrderStatus::Refunded.as_str()),
        )
        .col_expr(order::Column::RefundedAt, Expr::value(now))
        .col_expr(order::Column::RefundedBy, Expr::value(staff))
        .col_expr(order::Column::RefundReason, Expr::value(reason.clone()))
        .col_expr(order::Column::UpdatedAt, Expr::value(now))
        .filter(order::Column::Id.eq(o.id))
        .exec(&txn)
        .await?;
    let reversed = reverse_ledger(&txn, req, &o, staff, &reason, now).await?;
    // The payments that paid it: card refunds are asked of the provider after the
    // commit; the rest are settled now.
    let paid = scoped::<payment::Entity>(req.tenant_id())
        .filter(payment::Column::OrderId.eq(o.id))
        .filter(payment::Column::Status.eq(payment::PaymentStatus::Succeeded.as_str()))
        .all(&txn)
        .await?;
    for p in &paid {
        let mut m = p.clone().into_active_model();
        m.refund_requested_at = Set(Some(now));
        if p.method != payment::PaymentMethod::Card {
            m.refunded_at = Set(Some(now));
        }
        m.updated_at = Set(now);
        m.update(&txn).await?;
    }
    let details = json!({
        "orderId": o.id, "orderNumber": o.order_number, "reason": reason,
        "clientId": o.client_user_id, "partnerId": o.partner_id,
        "totalMinor": o.total_minor, "currency": o.currency,
        "undone": undone, "ledger": reversed,
        "payments": paid.iter().map(|p| json!({ "paymentId": p.id, "method": p.method.as_str() })).collect::<Vec<_>>(),
    });
    audit::record(
        &txn,
        req,
        None,
        audit::action::ORDER_REFUNDED,
        Target::Order(o.id),
        None,
        details.clone(),
    )
    .await?;
    events::record(&txn, o.tenant_id, kind::ORDER_REFUNDED, details, now).await?;
    if let Some(id) = claim_id {
        idempotency::finish(&txn, id, &json!({ "orderId": o.id })).await?;
    }
    txn::commit(txn, req).await?;
    complete_card_refunds(svc, Some(o.id)).await;
    load(&svc.db, req.tenant_id(), o.id).await
}

async fn load(db: &impl ConnectionTrait, tenant_id: i64, id: i64) -> ApiResult<order::Model> {
    scoped::<order::Entity>(tenant_id)
        .filter(order::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound { what: "order" })
}

fn time(v: &Value) -> ApiResult<DateTime<Utc>> {
    serde_json::from_value(v.clone()).map_err(ApiError::internal)
}

async fn locked_line(
    txn: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> ApiResult<Option<line::Model>> {
    Ok(scoped::<line::Entity>(tenant_id)
        .filter(line::Column::Id.eq(id))
        .lock_exclusive()
        .one(txn)
        .await?)
}

/// Undoes one item; what was undone.
async fn undo(
    txn: &impl ConnectionTrait,
    o: &order::Model,
    item: &order_item::Model,
    now: DateTime<Utc>,
) -> ApiResult<Value> {
    let Some(applied) = item.applied.as_deref() else {
        return Ok(json!({ "itemId": item.id, "skipped": "applied before refunds were recorded" }));
    };
    let a: Value = serde_json::from_str(applied).map_err(ApiError::internal)?;
    match item.kind {
        order_item::ItemKind::NewLines => {
            let coins = a["coinsEach"].as_i64().unwrap_or(0).max(0);
            let mut ended = Vec::new();
            for id in a["lineIds"].as_array().into_iter().flatten() {
                let Some(id) = id.as_i64() else { continue };
                let Some(l) = locked_line(txn, o.tenant_id, id).await? else {
                    continue;
                };
                let debit = coins.min(l.coin_balance.max(0));
                provision::end_line(txn, &l, debit, now).await?;
                ended.push(json!({ "lineId": l.id, "coinsDebited": debit }));
            }
            Ok(json!({ "itemId": item.id, "linesEnded": ended }))
        }
        order_item::ItemKind::Renewal => {
            let Some(id) = a["lineId"].as_i64() else {
                return Ok(json!({ "itemId": item.id }));
            };
            let Some(l) = locked_line(txn, o.tenant_id, id).await? else {
                return Ok(json!({ "itemId": item.id, "lineId": id, "skipped": "line gone" }));
            };
            let added = time(&a["to"])? - time(&a["base"])?;
            let until = l.expires_at - added;
            provision::shorten_line(txn, &l, until, now).await?;
            Ok(json!({ "itemId": item.id, "lineId": l.id, "from": l.expires_at, "to": until }))
        }
        order_item::ItemKind::Addition => {
            let ids: Vec<i64> = a["channelIds"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_i64)
                .collect();
            let removed = provision::remove_channels(txn, o.tenant_id, &ids).await?;
            Ok(json!({ "itemId": item.id, "channelsRemoved": ids, "count": removed }))
        }
    }
}

/// Reverses the order's reward and gives back what it spent; the entries written.
async fn reverse_ledger(
    txn: &impl ConnectionTrait,
    req: &RequestCtx,
    o: &order::Model,
    staff: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<Vec<Value>> {
    let Some(partner_id) = o.partner_id else {
        return Ok(Vec::new());
    };
    // Balance-dependent writes of one partner queue on its row.
    crate::ledger::balance::lock_partner(txn, req, partner_id).await?;
    let entries = scoped::<entry::Entity>(o.tenant_id)
        .filter(entry::Column::OrderId.eq(o.id))
        .filter(
            entry::Column::Kind.is_in([LedgerKind::Reward.as_str(), LedgerKind::Spend.as_str()]),
        )
        .all(txn)
        .await?;
    let mut out = Vec::new();
    for e in entries {
        let available_at = match e.kind {
            // A reward's reversal keeps the reward's hold: pending money stays pending.
            LedgerKind::Reward => e.available_at,
            _ => now,
        };
        let pot = if e.pot == entry::POT_BONUSES {
            entry::POT_BONUSES
        } else {
            entry::POT_REWARDS
        };
        let r = write(
            txn,
            NewEntry {
                tenant_id: e.tenant_id,
                partner_id: e.partner_id,
                kind: LedgerKind::Reversal,
                pot,
                amount_minor: -e.amount_minor,
                currency: &e.currency,
                order_id: Some(o.id),
                withdrawal_id: None,
                reason: Some(reason.to_string()),
                created_by: Some(staff),
                available_at,
                now,
            },
        )
        .await?;
        out.push(
            json!({ "entryId": r.id, "reverses": e.id, "amountMinor": r.amount_minor, "pot": pot }),
        );
    }
    Ok(out)
}
