//! Withdrawals of rewards to the partner organization's bank account.
//!
//! - Only the withdrawable part of rewards (never bonuses, never pending or held money),
//!   in the brand's currency on its payout rail (`tenancy::payout_rail`), at least the
//!   brand's minimum, to the partner's account on that rail (a copy is kept).
//! - `REQUESTED` (the amount is held by a `WITHDRAWAL_HOLD` entry) -> `DOCUMENTS_SENT`
//!   (the partner) -> `APPROVED` -> `PAID` (staff; a `WITHDRAWAL_PAID` entry), or
//!   `REJECTED` with a reason from any open state (staff; a `WITHDRAWAL_RELEASE` entry
//!   gives the hold back).
//! - **Never overdraw**: a request locks the partner's row before it reads the balance,
//!   so concurrent requests queue and each sees the holds of those before it.
//! - Every change is audited and recorded as a `withdrawal.state_changed` event; a change
//!   is a conditional update from the states it may leave, so racing staff change it once.
//! - Refused while logged in as a client (the policy's impersonation rule).

use entities::partner;
use entities::partner_ledger_entry::{LedgerKind, POT_REWARDS};
use entities::withdrawal::{self, WithdrawalStatus};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use super::entries::{NewEntry, write};
use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::counters;
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::events::{self, kind};
use crate::kernel::idempotency::{self, Start};
use crate::kernel::page::{PageArgs, Paged, paginate};
use crate::kernel::services::Services;
use crate::kernel::{txn, validate};
use crate::tenancy::payout_rail::{self, Rail};

/// `requestWithdrawal`: holds `amount` of the withdrawable rewards.
pub async fn request(
    svc: &Services,
    req: &RequestCtx,
    partner_id: i64,
    amount: Decimal,
    key: Option<&str>,
) -> ApiResult<withdrawal::Model> {
    let user = me(req)?;
    let (rail, currency, minor) = payable(&req.tenant.model, amount)?;
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let claim_id = match idempotency::start(
        &txn,
        req.tenant_id(),
        user,
        "requestWithdrawal",
        key,
        &json!({ "partnerId": partner_id, "amountMinor": minor }),
        "withdrawalId",
        now,
    )
    .await?
    {
        Start::Replay(id) => {
            drop(txn);
            return find(&svc.db, req.tenant_id(), id).await;
        }
        Start::Fresh(claim) => claim,
    };
    // The lock: every balance-dependent write of this partner waits here, so the balance
    // read below already counts the holds of every request before this one.
    let p = super::balance::lock_partner(&txn, req, partner_id).await?;
    let acc = crate::partners::ops::standing(&txn, req, &p).await?;
    authorize(req, Action::Withdraw { me: acc.standing() })?;
    let account = match super::payout_accounts::find(&txn, p.tenant_id, p.id).await? {
        Some(row) if row.rail == rail.as_str() => super::payout_accounts::account_of(&row)?,
        _ => {
            return Err(ApiError::domain(
                code::REQUISITES_MISSING,
                Some("partnerId"),
                format!(
                    "save the organization's payout account ({}) first",
                    rail.as_str()
                ),
            ));
        }
    };
    let balance = super::balance::of(&txn, p.tenant_id, p.id, &currency, now).await?;
    if minor > balance.withdrawable {
        return Err(ApiError::domain(
            code::INSUFFICIENT_BALANCE,
            Some("amount"),
            format!(
                "at most {} {currency} can be withdrawn now",
                entities::money::from_minor(balance.withdrawable, &currency)
            ),
        ));
    }
    let number = counters::next(&txn, p.tenant_id, counters::WITHDRAWAL).await?;
    let w = withdrawal::ActiveModel {
        tenant_id: Set(p.tenant_id),
        partner_id: Set(p.id),
        withdrawal_number: Set(number),
        amount_minor: Set(minor),
        currency: Set(currency.clone()),
        status: Set(WithdrawalStatus::Requested),
        requisites: Set(account.to_json()),
        due_at: Set((rail == Rail::RuBank).then(|| {
            super::calendar::documents_due(now, super::calendar::zone(&req.tenant.model.timezone))
        })),
        requested_by: Set(Some(user)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    write(
        &txn,
        NewEntry {
            tenant_id: p.tenant_id,
            partner_id: p.id,
            kind: LedgerKind::WithdrawalHold,
            pot: POT_REWARDS,
            amount_minor: -minor,
            currency: &currency,
            order_id: None,
            withdrawal_id: Some(w.id),
            reason: None,
            created_by: Some(user),
            available_at: now,
            now,
        },
    )
    .await?;
    changed(
        &txn,
        req,
        &p,
        &w,
        None,
        audit::action::WITHDRAWAL_REQUESTED,
        now,
    )
    .await?;
    if let Some(id) = claim_id {
        idempotency::finish(&txn, id, &json!({ "withdrawalId": w.id })).await?;
    }
    txn::commit(txn, req).await?;
    Ok(w)
}

/// The brand's rail, its currency and `amount` in minor units, if the brand pays out in
/// its currency and `amount` is at least its minimum.
fn payable(tenant: &entities::tenant::Model, amount: Decimal) -> ApiResult<(Rail, String, i64)> {
    let currency = tenant.currency.clone();
    let Some(rail) = Rail::of(tenant).filter(|r| r.currency() == currency) else {
        return Err(ApiError::domain(
            code::CURRENCY_NOT_SUPPORTED,
            Some("amount"),
            format!("this brand has no payout rail for {currency}: rewards cannot be paid out yet"),
        ));
    };
    let minor =
        super::bonuses::positive_amount("amount", amount, &currency, payout_rail::MAX_WITHDRAWAL)?;
    let minimum = payout_rail::withdrawal_minimum_minor(tenant);
    if minor < minimum {
        return Err(ApiError::bad_input(
            "amount",
            format!(
                "at least {} {currency}",
                entities::money::from_minor(minimum, &currency)
            ),
        ));
    }
    Ok((rail, currency, minor))
}

/// `w` with `due_at` set to the deadline of the step it is now at.
pub(super) async fn refresh_due(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    w: withdrawal::Model,
) -> ApiResult<withdrawal::Model> {
    let due = super::calendar::next_due(&w, super::calendar::zone(&req.tenant.model.timezone));
    if due == w.due_at {
        return Ok(w);
    }
    withdrawal::Entity::update_many()
        .col_expr(withdrawal::Column::DueAt, Expr::value(due))
        .filter(withdrawal::Column::Id.eq(w.id))
        .exec(db)
        .await?;
    Ok(withdrawal::Model { due_at: due, ..w })
}

/// Audit entry and domain event of a change to `w` (now in its new state).
pub(super) async fn changed(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    p: &partner::Model,
    w: &withdrawal::Model,
    from: Option<WithdrawalStatus>,
    action: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    let details = json!({
        "withdrawalId": w.id, "withdrawalNumber": w.withdrawal_number, "partnerId": p.id,
        "partnerName": p.name, "from": from.map(|s| s.as_str()), "to": w.status.as_str(),
        "amountMinor": w.amount_minor, "currency": w.currency, "reason": w.rejection_reason,
    });
    audit::record(
        db,
        req,
        Some(p.organization_id),
        action,
        Target::Withdrawal(w.id),
        None,
        details.clone(),
    )
    .await?;
    events::record(
        db,
        w.tenant_id,
        kind::WITHDRAWAL_STATE_CHANGED,
        details,
        now,
    )
    .await
}

/// A withdrawal of the tenant, without deciding who may see it.
pub async fn find(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> ApiResult<withdrawal::Model> {
    scoped::<withdrawal::Entity>(tenant_id)
        .filter(withdrawal::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound { what: "withdrawal" })
}

/// Who moves a withdrawal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum By {
    /// The partner's owners.
    Partner,
    /// Tenant staff.
    Staff,
}

/// Moves withdrawal `id` from one of `from` to `to`, with its ledger entry.
async fn transition(
    svc: &Services,
    req: &RequestCtx,
    id: i64,
    from: &[WithdrawalStatus],
    to: WithdrawalStatus,
    by: By,
    reason: Option<String>,
) -> ApiResult<withdrawal::Model> {
    let user = me(req)?;
    if by == By::Staff {
        authorize(
            req,
            Action::ManagePartnerMoney {
                tenant_id: req.tenant_id(),
            },
        )?;
    }
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let w = lock(&txn, req, id).await?;
    let p = crate::partners::ops::find(&txn, req, w.partner_id).await?;
    if by == By::Partner {
        authorize_owner(&txn, req, &p).await?;
    }
    if !from.contains(&w.status) {
        return Err(wrong_state(&w, from, to));
    }
    let mut update = withdrawal::Entity::update_many()
        .col_expr(withdrawal::Column::Status, Expr::value(to.as_str()))
        .col_expr(withdrawal::Column::UpdatedAt, Expr::value(now))
        .filter(withdrawal::Column::Id.eq(w.id))
        .filter(withdrawal::Column::Status.eq(w.status.as_str()));
    let (stamp, action) = stamp_of(to)?;
    update = update.col_expr(stamp, Expr::value(now));
    if by == By::Staff {
        update = update.col_expr(withdrawal::Column::ReviewedBy, Expr::value(user));
    }
    if let Some(r) = &reason {
        update = update.col_expr(withdrawal::Column::RejectionReason, Expr::value(r.clone()));
    }
    if update.exec(&txn).await?.rows_affected != 1 {
        return Err(ApiError::domain(
            code::WRONG_WITHDRAWAL_STATE,
            Some("withdrawalId"),
            "the withdrawal changed meanwhile; reload it",
        ));
    }
    let ledger_kind = match to {
        WithdrawalStatus::Paid => Some((LedgerKind::WithdrawalPaid, -w.amount_minor)),
        WithdrawalStatus::Rejected => Some((LedgerKind::WithdrawalRelease, w.amount_minor)),
        _ => None,
    };
    if let Some((k, amount)) = ledger_kind {
        write(
            &txn,
            NewEntry {
                tenant_id: w.tenant_id,
                partner_id: w.partner_id,
                kind: k,
                pot: POT_REWARDS,
                amount_minor: amount,
                currency: &w.currency,
                order_id: None,
                withdrawal_id: Some(w.id),
                reason: reason.clone(),
                created_by: Some(user),
                available_at: now,
                now,
            },
        )
        .await?;
    }
    let updated = refresh_due(&txn, req, find(&txn, w.tenant_id, w.id).await?).await?;
    changed(&txn, req, &p, &updated, Some(w.status), action, now).await?;
    txn::commit(txn, req).await?;
    Ok(updated)
}

/// The withdrawal `id` of the request's tenant, locked for a change.
pub(super) async fn lock(
    txn: &impl ConnectionTrait,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<withdrawal::Model> {
    scoped::<withdrawal::Entity>(req.tenant_id())
        .filter(withdrawal::Column::Id.eq(id))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound { what: "withdrawal" })
}

/// The partner's side of a transition: someone who may not even see the partner's money
/// learns nothing; the rest need the right to withdraw.
async fn authorize_owner(
    txn: &impl ConnectionTrait,
    req: &RequestCtx,
    p: &entities::partner::Model,
) -> ApiResult<()> {
    let acc = crate::partners::ops::standing(txn, req, p).await?;
    if authorize(
        req,
        Action::ViewPartnerMoney {
            tenant_id: p.tenant_id,
            me: acc.standing(),
        },
    )
    .is_err()
    {
        return Err(ApiError::NotFound { what: "withdrawal" });
    }
    authorize(req, Action::Withdraw { me: acc.standing() })?;
    Ok(())
}

fn wrong_state(w: &withdrawal::Model, from: &[WithdrawalStatus], to: WithdrawalStatus) -> ApiError {
    ApiError::domain(
        code::WRONG_WITHDRAWAL_STATE,
        Some("withdrawalId"),
        format!(
            "the withdrawal is {}; it can become {} only from {}",
            w.status.as_str(),
            to.as_str(),
            from.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    )
}

/// The column stamped when a withdrawal becomes `to`, and the audit action.
fn stamp_of(to: WithdrawalStatus) -> ApiResult<(withdrawal::Column, &'static str)> {
    Ok(match to {
        WithdrawalStatus::DocumentsSent => (
            withdrawal::Column::DocumentsSentAt,
            audit::action::WITHDRAWAL_DOCUMENTS_SENT,
        ),
        WithdrawalStatus::Approved => (
            withdrawal::Column::ApprovedAt,
            audit::action::WITHDRAWAL_APPROVED,
        ),
        WithdrawalStatus::Paid => (withdrawal::Column::PaidAt, audit::action::WITHDRAWAL_PAID),
        WithdrawalStatus::Rejected => (
            withdrawal::Column::RejectedAt,
            audit::action::WITHDRAWAL_REJECTED,
        ),
        WithdrawalStatus::Requested => return Err(ApiError::internal("no transition back")),
    })
}

/// `markWithdrawalDocumentsSent` (the partner's owners).
pub async fn mark_documents_sent(
    svc: &Services,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<withdrawal::Model> {
    transition(
        svc,
        req,
        id,
        &[WithdrawalStatus::Requested],
        WithdrawalStatus::DocumentsSent,
        By::Partner,
        None,
    )
    .await
}

/// `approveWithdrawal` (tenant staff), once the documents arrived.
pub async fn approve(svc: &Services, req: &RequestCtx, id: i64) -> ApiResult<withdrawal::Model> {
    transition(
        svc,
        req,
        id,
        &[WithdrawalStatus::DocumentsSent],
        WithdrawalStatus::Approved,
        By::Staff,
        None,
    )
    .await
}

/// `payWithdrawal` (tenant staff): the transfer went out.
pub async fn pay(svc: &Services, req: &RequestCtx, id: i64) -> ApiResult<withdrawal::Model> {
    transition(
        svc,
        req,
        id,
        &[WithdrawalStatus::Approved],
        WithdrawalStatus::Paid,
        By::Staff,
        None,
    )
    .await
}

/// `rejectWithdrawal` (tenant staff), with a reason; the hold is released.
pub async fn reject(
    svc: &Services,
    req: &RequestCtx,
    id: i64,
    reason: &str,
) -> ApiResult<withdrawal::Model> {
    let reason = validate::text("reason", reason, 1000)?;
    transition(
        svc,
        req,
        id,
        &[
            WithdrawalStatus::Requested,
            WithdrawalStatus::DocumentsSent,
            WithdrawalStatus::Approved,
        ],
        WithdrawalStatus::Rejected,
        By::Staff,
        Some(reason),
    )
    .await
}

/// `Partner.withdrawals`: oldest first, optionally of one state.
pub async fn for_partner(
    svc: &Services,
    req: &RequestCtx,
    p: &partner::Model,
    status: Option<WithdrawalStatus>,
    args: PageArgs,
) -> ApiResult<Paged<withdrawal::Model>> {
    super::balance::authorize_view(&svc.db, req, p).await?;
    let mut q = scoped::<withdrawal::Entity>(req.tenant_id())
        .filter(withdrawal::Column::PartnerId.eq(p.id));
    if let Some(s) = status {
        q = q.filter(withdrawal::Column::Status.eq(s.as_str()));
    }
    paginate(&svc.db, q, withdrawal::Column::Id, args, |m| (m.id, m)).await
}
