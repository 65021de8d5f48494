//! Paying an order: `payOrder` issues an invoice (per-tenant number, the payer's
//! requisites) that staff confirm with `confirmInvoicePayment`, or starts a card checkout
//! at the provider whose signed notification pays the order. Either way the order is
//! applied by [`apply_payment`], once:
//!
//! - `payOrder` locks the order row (`FOR UPDATE` on PostgreSQL; SQLite's write lock), so
//!   racing calls reuse the one open payment of a method instead of opening another;
//! - applying claims the payment (`PENDING -> SUCCEEDED`) and the order
//!   (`PENDING|EXPIRED -> PAID`) with conditional updates: of any number of concurrent
//!   confirmations or webhook deliveries exactly one changes a row, and only it applies;
//! - a provider event is recorded under a unique (provider, event id): a replay finds it
//!   and changes nothing.
//!
//! Applying, in the same transaction: new lines (numbered per tenant, starting now, for N
//! calendar months clamped to the month's end, with their channels and ChatCoins),
//! renewals (from the later of now and the line's expiry), added channels, the partner's
//! reward as a ledger entry (when the client paid and the partner is still the client's),
//! and the domain events `order.paid`, `line.created`, `line.renewed`.

use chrono::{DateTime, Utc};
use entities::{line, order, order_item, partner_client, partner_ledger_entry, payment};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::{Value, json};
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::events::{self, kind};
use crate::kernel::services::Services;
use crate::kernel::txn;
use crate::lines::provision::{self, add_channels};
use crate::orders::request::add_months;
use crate::payments::provider::{ProviderEvent, WebhookError};

/// `confirmInvoicePayment`: tenant staff saw the bank transfer; the order is paid.
pub async fn confirm_invoice(
    svc: &Services,
    req: &RequestCtx,
    payment_id: i64,
) -> ApiResult<payment::Model> {
    authorize(
        req,
        Action::ConfirmPayment {
            tenant_id: req.tenant_id(),
        },
    )?;
    let viewer = me(req)?;
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let p = scoped::<payment::Entity>(req.tenant_id())
        .filter(payment::Column::Id.eq(payment_id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound { what: "payment" })?;
    if p.method != payment::PaymentMethod::Invoice {
        return Err(ApiError::bad_input("paymentId", "not an invoice"));
    }
    match apply_payment(&txn, &p, Some(viewer), now).await? {
        Applied::Paid => {}
        Applied::AlreadyHandled => {
            return Err(ApiError::domain(
                code::ORDER_NOT_PENDING,
                Some("paymentId"),
                "this invoice was already confirmed or cancelled",
            ));
        }
        Applied::OrderNotPayable => {
            return Err(ApiError::domain(
                code::ORDER_NOT_PENDING,
                Some("paymentId"),
                "the order was paid another way or cancelled",
            ));
        }
    }
    audit::record(
        &txn,
        req,
        None,
        audit::action::PAYMENT_CONFIRMED,
        Target::Payment(p.id),
        None,
        json!({ "invoiceNumber": p.invoice_number, "orderId": p.order_id }),
    )
    .await?;
    txn::commit(txn, req).await?;
    scoped::<payment::Entity>(req.tenant_id())
        .filter(payment::Column::Id.eq(payment_id))
        .one(&svc.db)
        .await?
        .ok_or(ApiError::NotFound { what: "payment" })
}

/// What [`apply_payment`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// This call paid the order and applied it.
    Paid,
    /// The payment was already succeeded, failed or cancelled: nothing changed.
    AlreadyHandled,
    /// The payment was claimed succeeded but its order was paid otherwise, cancelled or
    /// expired: nothing applied. The caller refunds it (a card) or rolls back (an invoice
    /// or the balance).
    OrderNotPayable,
}

/// Marks `p` succeeded and applies its order, once, in the caller's transaction.
pub async fn apply_payment(
    txn: &impl ConnectionTrait,
    p: &payment::Model,
    confirmed_by: Option<i64>,
    now: DateTime<Utc>,
) -> ApiResult<Applied> {
    // Claim the payment: of racing callers exactly one changes the row.
    let claimed = payment::Entity::update_many()
        .col_expr(
            payment::Column::Status,
            Expr::value(payment::PaymentStatus::Succeeded.as_str()),
        )
        .col_expr(payment::Column::CompletedAt, Expr::value(now))
        .col_expr(payment::Column::UpdatedAt, Expr::value(now))
        .col_expr(payment::Column::ConfirmedBy, Expr::value(confirmed_by))
        .filter(payment::Column::Id.eq(p.id))
        .filter(payment::Column::Status.eq(payment::PaymentStatus::Pending.as_str()))
        .exec(txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(Applied::AlreadyHandled);
    }
    // Then the order: paid once, whatever pays it, and only while it is still open. An
    // order cancelled, expired (by the scheduler) or paid otherwise does not take the
    // payment: the caller refunds it.
    let paid = order::Entity::update_many()
        .col_expr(
            order::Column::Status,
            Expr::value(order::OrderStatus::Paid.as_str()),
        )
        .col_expr(order::Column::PaidAt, Expr::value(now))
        .col_expr(order::Column::UpdatedAt, Expr::value(now))
        .filter(order::Column::Id.eq(p.order_id))
        .filter(order::Column::Status.eq(order::OrderStatus::Pending.as_str()))
        .exec(txn)
        .await?;
    if paid.rows_affected != 1 {
        return Ok(Applied::OrderNotPayable);
    }
    let o = order::Entity::find_by_id(p.order_id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound { what: "order" })?;
    apply_order(txn, &o, now).await?;
    Ok(Applied::Paid)
}

async fn apply_order(
    txn: &impl ConnectionTrait,
    o: &order::Model,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let items = crate::orders::ops::items(txn, o).await?;
    let mut lines_created = Vec::new();
    let mut lines_renewed = Vec::new();
    for item in &items {
        // What this item did, kept on it so a refund undoes exactly that.
        let Some(applied) =
            apply_item(txn, o, item, now, &mut lines_created, &mut lines_renewed).await?
        else {
            continue;
        };
        order_item::Entity::update_many()
            .col_expr(
                order_item::Column::Applied,
                Expr::value(applied.to_string()),
            )
            .filter(order_item::Column::Id.eq(item.id))
            .exec(txn)
            .await?;
    }
    credit_reward(txn, o, now).await?;
    for l in &lines_created {
        events::record(txn, o.tenant_id, kind::LINE_CREATED, l.clone(), now).await?;
    }
    for l in &lines_renewed {
        events::record(txn, o.tenant_id, kind::LINE_RENEWED, l.clone(), now).await?;
    }
    events::record(
        txn,
        o.tenant_id,
        kind::ORDER_PAID,
        json!({ "orderId": o.id, "orderNumber": o.order_number, "clientId": o.client_user_id, "partnerId": o.partner_id, "payer": o.payer.as_str(), "totalMinor": o.total_minor, "currency": o.currency }),
        now,
    )
    .await?;
    Ok(())
}

/// Applies one item of a paid order: new lines, a renewal or added channels. What it did
/// (`None` for an item with nothing to apply), with the lines it created or renewed added
/// to the order's events.
async fn apply_item(
    txn: &impl ConnectionTrait,
    o: &order::Model,
    item: &order_item::Model,
    now: DateTime<Utc>,
    lines_created: &mut Vec<Value>,
    lines_renewed: &mut Vec<Value>,
) -> ApiResult<Option<Value>> {
    let kinds: Vec<i64> =
        serde_json::from_str(&item.channel_kind_ids).map_err(ApiError::internal)?;
    let applied = match item.kind {
        order_item::ItemKind::NewLines => {
            let (Some(client), Some(org)) = (o.client_user_id, item.organization_id) else {
                return Ok(None);
            };
            let months = item.months.unwrap_or(1).max(1) as u32;
            let mut ids = Vec::new();
            for _ in 0..item.quantity {
                let l = provision::create_line(
                    txn,
                    provision::NewLine {
                        tenant_id: o.tenant_id,
                        name: None,
                        client_user_id: client,
                        organization_id: org,
                        space_id: item.space_id,
                        starts_at: now,
                        expires_at: add_months(now, months),
                        coins: item.coins,
                        nfr: false,
                    },
                    now,
                )
                .await?;
                add_channels(txn, o.tenant_id, l.id, &kinds, now).await?;
                ids.push(l.id);
                lines_created.push(json!({ "lineId": l.id, "lineNumber": l.line_number, "organizationId": org, "spaceId": item.space_id, "expiresAt": l.expires_at }));
            }
            json!({ "lineIds": ids, "coinsEach": item.coins })
        }
        order_item::ItemKind::Renewal => {
            let Some(line_id) = item.line_id else {
                return Ok(None);
            };
            // Lock the line: two orders renewing it at once extend it twice, in turn.
            let Some(l) = line::Entity::find_by_id(line_id)
                .lock_exclusive()
                .one(txn)
                .await?
            else {
                return Ok(None);
            };
            let months = item.months.unwrap_or(1).max(1) as u32;
            let expired = l.expires_at <= now;
            let until = crate::orders::request::renewed_until(l.expires_at, now, months);
            // The renewal added `until - base`: what a refund takes off again.
            let base = if expired { now } else { l.expires_at };
            provision::extend_line(txn, &l, until, now).await?;
            lines_renewed.push(json!({ "lineId": l.id, "lineNumber": l.line_number, "from": l.expires_at, "to": until }));
            json!({ "lineId": l.id, "from": l.expires_at, "base": base, "to": until })
        }
        order_item::ItemKind::Addition => {
            let Some(line_id) = item.line_id else {
                return Ok(None);
            };
            let ids = add_channels(txn, o.tenant_id, line_id, &kinds, now).await?;
            json!({ "lineId": line_id, "channelIds": ids })
        }
    };
    Ok(Some(applied))
}

/// The partner's reward: only when the client paid, and only if the partner is still the
/// client's (SPEC §6); it becomes withdrawable after the tenant's hold.
async fn credit_reward(
    txn: &impl ConnectionTrait,
    o: &order::Model,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if o.payer == order::Payer::Client
        && o.partner_reward_minor > 0
        && let (Some(pid), Some(client)) = (o.partner_id, o.client_user_id)
    {
        let still = scoped::<partner_client::Entity>(o.tenant_id)
            .filter(partner_client::Column::ClientUserId.eq(client))
            .filter(partner_client::Column::PartnerId.eq(pid))
            .one(txn)
            .await?
            .is_some();
        if still {
            // The tenant's hold (`rewardHoldDays`, 0 allowed).
            let days = entities::tenant::Entity::find_by_id(o.tenant_id)
                .one(txn)
                .await?
                .map(|t| t.reward_hold_days)
                .unwrap_or(14)
                .max(0);
            let hold = chrono::Duration::days(days as i64);
            crate::ledger::entries::write(
                txn,
                crate::ledger::entries::NewEntry {
                    tenant_id: o.tenant_id,
                    partner_id: pid,
                    kind: partner_ledger_entry::LedgerKind::Reward,
                    pot: partner_ledger_entry::POT_REWARDS,
                    amount_minor: o.partner_reward_minor,
                    currency: &o.currency,
                    order_id: Some(o.id),
                    withdrawal_id: None,
                    reason: None,
                    created_by: None,
                    available_at: now + hold,
                    now,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// What a webhook delivery answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// Handled now.
    Handled,
    /// Seen before: nothing changed.
    Replay,
}

/// Handles a provider's notification: verified by the accounts its path names (`brand`:
/// a tenant's slug, `/webhooks/payments/<provider>/<brand>`; `None`: the platform's
/// account), recorded once, applied. Only a payment taken by the account that vouched for
/// the notification is touched: one meant for another brand changes nothing.
pub async fn handle_webhook(
    svc: &Services,
    provider_name: &str,
    brand: Option<&str>,
    header: &(dyn Fn(&'static str) -> Option<String> + Send + Sync),
    body: &[u8],
) -> Result<WebhookOutcome, WebhookRefusal> {
    let verified = crate::payments::routing::verify(svc, provider_name, brand, header, body)
        .await
        .map_err(WebhookRefusal::Internal)?
        .ok_or(WebhookRefusal::UnknownProvider)?
        .map_err(WebhookRefusal::Invalid)?;
    let provider = verified.provider;
    let event = verified.event;
    let now = svc.clock.now();
    let inner = async {
        let mut refund_order = None;
        let txn = txn::begin(&svc.db).await?;
        let reference = match &event {
            ProviderEvent::Paid { reference, .. } | ProviderEvent::Failed { reference, .. } => {
                Some(reference.clone())
            }
            ProviderEvent::Other { .. } => None,
        };
        let p = match &reference {
            Some(r) => {
                let mut q = payment::Entity::find()
                    .filter(payment::Column::Provider.eq(provider.name()))
                    .filter(payment::Column::ProviderRef.eq(r.as_str()));
                // A brand's path touches only payments its own accounts took (any of them:
                // the same shop or account saved again is one account); the platform's
                // path only the platform's.
                q = match verified.tenant_id {
                    Some(t) => q
                        .filter(payment::Column::TenantId.eq(t))
                        .filter(payment::Column::PaymentAccountId.is_not_null()),
                    None => q.filter(payment::Column::PaymentAccountId.is_null()),
                };
                q.one(&txn).await?
            }
            None => None,
        };
        if reference.is_some() && p.is_none() {
            // Not recorded: it may be about a payment whose checkout is not stored yet,
            // and a later delivery must still be able to apply it.
            tracing::warn!(event = event.id(), "provider event for an unknown payment");
            return Ok(WebhookOutcome::Handled);
        }
        if !record_event(&txn, provider.name(), &event, p.as_ref(), now).await? {
            return Ok::<_, ApiError>(WebhookOutcome::Replay);
        }
        match (&event, p) {
            (
                ProviderEvent::Paid {
                    amount_minor,
                    currency,
                    ..
                },
                Some(p),
            ) => {
                if *amount_minor != p.amount_minor || !currency.eq_ignore_ascii_case(&p.currency) {
                    tracing::error!(
                        payment = p.id,
                        "provider reported another amount: not applied"
                    );
                    fail_pending(&txn, p.id, "the provider reported another amount", now).await?;
                } else if paid_by_card(&txn, &p, now).await? {
                    refund_order = Some(p.order_id);
                }
            }
            (ProviderEvent::Failed { reason, .. }, Some(p)) => {
                fail_pending(&txn, p.id, reason, now).await?;
            }
            _ => {}
        }
        txn.commit().await?;
        if let Some(order_id) = refund_order {
            // After the commit: no lock is held across the provider's HTTP call, and the
            // scheduler asks again if this one fails.
            crate::payments::checkouts::complete_card_refunds(svc, Some(order_id)).await;
        }
        Ok(WebhookOutcome::Handled)
    };
    inner.await.map_err(WebhookRefusal::Internal)
}

/// Records a provider's event once: whether it is new (a redelivery is not).
async fn record_event(
    txn: &impl ConnectionTrait,
    provider: &str,
    event: &ProviderEvent,
    p: Option<&payment::Model>,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    let sql = "INSERT INTO payment_provider_events \
         (provider, event_id, event_type, payment_id, received_at) \
         VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id";
    Ok(txn
        .query_one_raw(crate::kernel::sql::statement(
            txn,
            sql,
            vec![
                provider.into(),
                event.id().into(),
                event.kind().into(),
                p.map(|p| p.id).into(),
                now.into(),
            ],
        ))
        .await?
        .is_some())
}

/// A pending payment failed for `reason`.
async fn fail_pending(
    txn: &impl ConnectionTrait,
    payment_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    payment::Entity::update_many()
        .col_expr(
            payment::Column::Status,
            Expr::value(payment::PaymentStatus::Failed.as_str()),
        )
        .col_expr(payment::Column::FailureReason, Expr::value(reason))
        .col_expr(payment::Column::UpdatedAt, Expr::value(now))
        .filter(payment::Column::Id.eq(payment_id))
        .filter(payment::Column::Status.eq(payment::PaymentStatus::Pending.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}

/// A card payment the provider confirmed: applied, or refunded when the order cannot take
/// it any more (cancelled, expired, paid another way), never charged for nothing. Whether
/// a refund is due after the commit.
async fn paid_by_card(
    txn: &impl ConnectionTrait,
    p: &payment::Model,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    Ok(match apply_payment(txn, p, None, now).await? {
        Applied::Paid => false,
        Applied::OrderNotPayable => {
            crate::payments::checkouts::refund_unapplicable(txn, p, true, now).await?
        }
        Applied::AlreadyHandled => {
            crate::payments::checkouts::refund_unapplicable(txn, p, false, now).await?
        }
    })
}

/// Why a webhook delivery was not accepted.
#[derive(Debug)]
pub enum WebhookRefusal {
    UnknownProvider,
    Invalid(WebhookError),
    Internal(ApiError),
}

impl From<WebhookError> for WebhookRefusal {
    fn from(e: WebhookError) -> Self {
        WebhookRefusal::Invalid(e)
    }
}
