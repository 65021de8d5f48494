//! Balances, derived from the ledger in one statement.
//!
//! Pots and what each kind does (amounts are signed, minor units):
//! - `REWARDS`: `REWARD` (+, pending until `available_at`), `REVERSAL` of a reward (-, with
//!   the reward's `available_at`), `SPEND` (-), `WITHDRAWAL_PAID` (-: the money left);
//!   `WITHDRAWAL_HOLD` (-) and `WITHDRAWAL_RELEASE` (+) only move money in and out of
//!   `held`, so they are not counted in `rewards`.
//! - `BONUSES`: `REVIEW_BONUS` (+), `SPEND` (-), `REVERSAL` of a spend (+).
//!
//! Then `held` = holds not yet released or paid, `pending` = rewards (net of their
//! reversals) still in their hold, and `withdrawable` = `rewards - pending - held`, never
//! below zero: a reversal of a reward already withdrawn leaves `rewards` negative, and
//! later rewards pay that back before anything is withdrawable again.

use chrono::{DateTime, Utc};
use entities::partner;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QuerySelect};
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::sql::statement;

/// A partner's balances, minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    pub currency: String,
    /// Rewards on account: pending, held and withdrawable (negative while a reversal is
    /// being paid back).
    pub rewards: i64,
    /// Review bonuses left (spent on lines only).
    pub bonuses: i64,
    /// In withdrawals not yet paid or rejected.
    pub held: i64,
    /// Rewards still in their hold period.
    pub pending: i64,
    /// What may be withdrawn (or spent) now.
    pub withdrawable: i64,
}

impl Balance {
    /// What `BONUS_BALANCE` may spend: bonuses first, then withdrawable rewards.
    pub fn spendable(&self) -> i64 {
        self.bonuses.max(0) + self.withdrawable
    }
}

const SQL: &str = "SELECT \
    CAST(COALESCE(SUM(CASE WHEN pot = 'REWARDS' AND kind NOT IN ('WITHDRAWAL_HOLD', 'WITHDRAWAL_RELEASE') THEN amount_minor ELSE 0 END), 0) AS BIGINT) AS rewards, \
    CAST(COALESCE(SUM(CASE WHEN pot = 'BONUSES' THEN amount_minor ELSE 0 END), 0) AS BIGINT) AS bonuses, \
    CAST(COALESCE(SUM(CASE WHEN kind IN ('WITHDRAWAL_HOLD', 'WITHDRAWAL_RELEASE') THEN -amount_minor \
                           WHEN kind = 'WITHDRAWAL_PAID' THEN amount_minor ELSE 0 END), 0) AS BIGINT) AS held, \
    CAST(COALESCE(SUM(CASE WHEN pot = 'REWARDS' AND kind IN ('REWARD', 'REVERSAL') AND available_at > ? \
                           THEN amount_minor ELSE 0 END), 0) AS BIGINT) AS pending \
    FROM partner_ledger_entries WHERE tenant_id = ? AND partner_id = ?";

/// The balances of `partner_id` at `now`.
pub async fn of(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    partner_id: i64,
    currency: &str,
    now: DateTime<Utc>,
) -> ApiResult<Balance> {
    let row = db
        .query_one_raw(statement(
            db,
            SQL,
            vec![now.into(), tenant_id.into(), partner_id.into()],
        ))
        .await?
        .ok_or_else(|| ApiError::internal("no balance row"))?;
    let rewards: i64 = row.try_get("", "rewards")?;
    let bonuses: i64 = row.try_get("", "bonuses")?;
    let held: i64 = row.try_get("", "held")?;
    let pending: i64 = row.try_get("", "pending")?;
    Ok(Balance {
        currency: currency.to_string(),
        rewards,
        bonuses,
        held,
        pending,
        withdrawable: (rewards - pending - held).max(0),
    })
}

/// The partner's row, locked for the rest of the transaction: every balance-dependent
/// write of one partner queues here.
pub async fn lock_partner(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    partner_id: i64,
) -> ApiResult<partner::Model> {
    scoped::<partner::Entity>(req.tenant_id())
        .filter(partner::Column::Id.eq(partner_id))
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(ApiError::NotFound { what: "partner" })
}

/// Refuses unless the viewer may see the partner's money (its owners and user admins,
/// tenant staff).
pub async fn authorize_view(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    p: &partner::Model,
) -> ApiResult<()> {
    let me = crate::partners::ops::standing(db, req, p).await?;
    authorize(
        req,
        Action::ViewPartnerMoney {
            tenant_id: p.tenant_id,
            me: me.standing(),
        },
    )?;
    Ok(())
}

/// `Partner.balance`.
pub async fn for_viewer(
    svc: &crate::Services,
    req: &RequestCtx,
    p: &partner::Model,
) -> ApiResult<Balance> {
    authorize_view(&svc.db, req, p).await?;
    of(
        &svc.db,
        p.tenant_id,
        p.id,
        &req.tenant.model.currency,
        svc.clock.now(),
    )
    .await
}
