//! `payOrder` with `BONUS_BALANCE`: an order the partner pays, paid from its balance —
//! review bonuses first, then withdrawable rewards. An order larger than what may be spent
//! is refused (`INSUFFICIENT_BALANCE`) and nothing is written: never half-paid.
//!
//! One transaction: the order's row is locked (as every `payOrder` does), then the
//! partner's (as withdrawals do), the balance is read, the payment is written and applied
//! at once (`flows::pay_order::apply_payment`), and the `SPEND` entries (one per pot used)
//! are appended. A withdrawal racing this payment waits for the partner's row and then
//! sees the spend.

use entities::partner_ledger_entry::{LedgerKind, POT_BONUSES, POT_REWARDS};
use entities::{order, payment};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::json;
use tenants::{Action, RequestCtx, authorize};

use crate::flows::pay_order::{Applied, apply_payment};
use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::idempotency::{self, Start};
use crate::kernel::services::Services;
use crate::kernel::txn;
use crate::ledger::entries::{NewEntry, write};
use crate::orders::ops::not_pending;
use crate::payments::start::{lock_payable, payment_for_viewer};

/// How much of `total` each pot pays: bonuses first.
pub fn split(total: i64, bonuses: i64) -> (i64, i64) {
    let from_bonuses = total.min(bonuses.max(0));
    (from_bonuses, total - from_bonuses)
}

/// Pays order `order_id` from the partner's balance.
pub async fn pay(
    svc: &Services,
    req: &RequestCtx,
    order_id: i64,
    key: Option<&str>,
) -> ApiResult<payment::Model> {
    let viewer = me(req)?;
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let claim_id = match idempotency::start(
        &txn,
        req.tenant_id(),
        viewer,
        "payOrder",
        key,
        &json!({ "orderId": order_id, "method": "BonusBalance" }),
        "paymentId",
        now,
    )
    .await?
    {
        Start::Replay(id) => {
            drop(txn);
            return payment_for_viewer(&svc.db, req, id).await;
        }
        Start::Fresh(claim) => claim,
    };
    let o = lock_payable(&txn, req, order_id, now).await?;
    let (order::Payer::Partner, Some(partner_id)) = (o.payer, o.partner_id) else {
        return Err(ApiError::bad_input(
            "method",
            "BONUS_BALANCE pays orders the partner pays; this order is the client's",
        ));
    };
    let p = crate::ledger::balance::lock_partner(&txn, req, partner_id).await?;
    // Decided in the policy: spending the balance is the owners', like withdrawing.
    let me = crate::partners::ops::standing(&txn, req, &p).await?;
    authorize(req, Action::SpendPartnerBalance { me: me.standing() })?;
    let balance = crate::ledger::balance::of(&txn, p.tenant_id, p.id, &o.currency, now).await?;
    if o.total_minor > balance.spendable() {
        return Err(ApiError::domain(
            code::INSUFFICIENT_BALANCE,
            Some("method"),
            format!(
                "the balance covers {} {} of {} {}: pay by invoice or card",
                entities::money::from_minor(balance.spendable(), &o.currency),
                o.currency,
                entities::money::from_minor(o.total_minor, &o.currency),
                o.currency
            ),
        ));
    }
    let pay = payment::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        order_id: Set(o.id),
        method: Set(payment::PaymentMethod::BonusBalance),
        status: Set(payment::PaymentStatus::Pending),
        amount_minor: Set(o.total_minor),
        currency: Set(o.currency.clone()),
        created_by: Set(Some(viewer)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if apply_payment(&txn, &pay, Some(viewer), now).await? != Applied::Paid {
        return Err(not_pending(&o, now));
    }
    let (from_bonuses, from_rewards) = split(o.total_minor, balance.bonuses);
    for (pot, amount) in [(POT_BONUSES, from_bonuses), (POT_REWARDS, from_rewards)] {
        if amount == 0 {
            continue;
        }
        write(
            &txn,
            NewEntry {
                tenant_id: p.tenant_id,
                partner_id: p.id,
                kind: LedgerKind::Spend,
                pot,
                amount_minor: -amount,
                currency: &o.currency,
                order_id: Some(o.id),
                withdrawal_id: None,
                reason: None,
                created_by: Some(viewer),
                available_at: now,
                now,
            },
        )
        .await?;
    }
    audit::record(
        &txn,
        req,
        Some(p.organization_id),
        audit::action::ORDER_PAID_FROM_BALANCE,
        Target::Order(o.id),
        None,
        json!({ "orderNumber": o.order_number, "paymentId": pay.id, "fromBonusesMinor": from_bonuses, "fromRewardsMinor": from_rewards, "currency": o.currency }),
    )
    .await?;
    if let Some(id) = claim_id {
        idempotency::finish(&txn, id, &json!({ "paymentId": pay.id })).await?;
    }
    txn::commit(txn, req).await?;
    payment_for_viewer(&svc.db, req, pay.id).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn bonuses_are_spent_first() {
        assert_eq!(super::split(1000, 300), (300, 700));
        assert_eq!(super::split(1000, 5000), (1000, 0));
        assert_eq!(super::split(1000, 0), (0, 1000));
        assert_eq!(super::split(1000, -50), (0, 1000));
    }
}
