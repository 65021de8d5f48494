//! The scheduler: jobs that run when due, safely with several instances of the server.
//!
//! Each job has a row in `scheduled_jobs` (its next run, its last run, errors, counts).
//! A run claims the row in a transaction — `SELECT .. FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, so of several instances exactly one runs a due job and the others skip it
//! without waiting; on SQLite the write transaction (`BEGIN IMMEDIATE`) does the same for
//! the one instance SQLite assumes — does the job's work in that transaction, moves
//! `next_run_at` on and commits: the work and the bookkeeping commit together or not at
//! all. Every job is idempotent besides (conditional updates, unique keys, windows that
//! move with the claim), so a job run twice for the same due item changes nothing twice.
//!
//! Time is the services' clock, so tests drive it without sleeping. The server runs
//! [`run_due`] every `SCHEDULER_INTERVAL_SECS`; `partner-gateway run-jobs --once` runs
//! what is due and exits (cron, tests).
//!
//! Jobs: `orders.expire` (unpaid orders past their 72 hours become `EXPIRED`, with an
//! `order.expired` event), `rewards.available` (a `reward.available` event when a
//! reward's hold ends), `nfr.grant` and `nfr.renew` (the NFR line, `ledger::nfr`), and
//! `payments.card_refunds` (card refunds the provider has not confirmed yet, and
//! checkouts of cancelled or expired orders not closed yet, are asked again; the HTTP
//! calls run after the claim commits; brands' payment credentials sealed under an older
//! key are re-sealed under the current one), `lines.notices` (a line expires
//! in 7 days, a line expired: `notifications::notices`), and `domains.check` (custom
//! domains' DNS records, `tenancy::domains`, and brands' sender domains,
//! `tenancy::mail_domain`; the DNS questions run after the claim commits), and
//! `withdrawals.reminders` (the paperwork calendar's reminders: documents due soon to the
//! partner, a missed deadline to staff, `ledger::reminders`).

use chrono::{DateTime, Duration, Utc};
use entities::scheduled_job;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::events::{self, kind};
use crate::kernel::services::Services;
use crate::kernel::sql::statement;
use crate::kernel::txn;
use crate::ledger::nfr;
use crate::notifications::notices;
use crate::payments::checkouts;

/// A job of the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    ExpireOrders,
    RewardsAvailable,
    NfrGrants,
    NfrRenewals,
    CardRefunds,
    LineNotices,
    DomainChecks,
    WithdrawalReminders,
}

/// Every job, in the order a run takes them.
pub const ALL: [Job; 8] = [
    Job::ExpireOrders,
    Job::RewardsAvailable,
    Job::NfrGrants,
    Job::NfrRenewals,
    Job::CardRefunds,
    Job::LineNotices,
    Job::DomainChecks,
    Job::WithdrawalReminders,
];

impl Job {
    /// The row's name.
    pub fn name(self) -> &'static str {
        match self {
            Job::ExpireOrders => "orders.expire",
            Job::RewardsAvailable => "rewards.available",
            Job::NfrGrants => "nfr.grant",
            Job::NfrRenewals => "nfr.renew",
            Job::CardRefunds => "payments.card_refunds",
            Job::LineNotices => "lines.notices",
            Job::DomainChecks => "domains.check",
            Job::WithdrawalReminders => "withdrawals.reminders",
        }
    }

    /// How often it is due.
    pub fn every(self) -> Duration {
        match self {
            Job::ExpireOrders
            | Job::RewardsAvailable
            | Job::NfrGrants
            | Job::LineNotices
            | Job::DomainChecks => Duration::minutes(1),
            Job::NfrRenewals | Job::WithdrawalReminders => Duration::minutes(10),
            Job::CardRefunds => Duration::minutes(5),
        }
    }
}

/// What one run of a job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    pub job: &'static str,
    /// Items handled (orders expired, lines granted, ...).
    pub items: u64,
}

/// Runs every due job once; what ran. Jobs another instance is running are skipped.
pub async fn run_due(svc: &Services) -> ApiResult<Vec<Ran>> {
    let mut out = Vec::new();
    for job in ALL {
        match run_one(svc, job).await {
            Ok(Some(items)) => out.push(Ran {
                job: job.name(),
                items,
            }),
            Ok(None) => {}
            Err(e) => {
                record_error(svc, job, &e).await;
                return Err(e);
            }
        }
    }
    Ok(out)
}

async fn record_error(svc: &Services, job: Job, e: &ApiError) {
    let _ = scheduled_job::Entity::update_many()
        .col_expr(
            scheduled_job::Column::LastError,
            Expr::value(format!("{}: {}", e.code(), e.message())),
        )
        .filter(scheduled_job::Column::Name.eq(job.name()))
        .exec(&svc.db)
        .await;
}

/// Claims `job` if it is due and runs it; `None` when it was not due (or another instance
/// holds it).
pub async fn run_one(svc: &Services, job: Job) -> ApiResult<Option<u64>> {
    let now = svc.clock.now();
    // The row exists from the first run on (due at once).
    svc.db
        .execute_raw(statement(
            &svc.db,
            "INSERT INTO scheduled_jobs (name, next_run_at, runs, items) VALUES (?, ?, 0, 0) \
             ON CONFLICT DO NOTHING",
            vec![job.name().into(), now.into()],
        ))
        .await?;
    let txn = txn::begin(&svc.db).await?;
    let skip_locked = crate::kernel::sql::skip_locked(&txn);
    let claimed = txn
        .query_one_raw(statement(
            &txn,
            &format!(
                "SELECT last_started_at FROM scheduled_jobs WHERE name = ? AND next_run_at <= ?{skip_locked}"
            ),
            vec![job.name().into(), now.into()],
        ))
        .await?;
    let Some(row) = claimed else {
        return Ok(None);
    };
    let previous: Option<DateTime<Utc>> = row.try_get("", "last_started_at")?;
    let items = match job {
        Job::ExpireOrders => expire_orders(&txn, now).await?,
        Job::RewardsAvailable => {
            rewards_available(&txn, previous.unwrap_or(now - job.every()), now).await?
        }
        Job::NfrGrants => nfr::grant_due(&txn, now).await?,
        Job::NfrRenewals => nfr::renew_due(&txn, now).await?,
        Job::LineNotices => notices::emit_due(&txn, now).await?,
        Job::WithdrawalReminders => crate::ledger::reminders::emit_due(&txn, now).await?,
        // HTTP calls and DNS questions: after the claim commits (below).
        Job::CardRefunds | Job::DomainChecks => 0,
    };
    scheduled_job::Entity::update_many()
        .col_expr(
            scheduled_job::Column::NextRunAt,
            Expr::value(now + job.every()),
        )
        .col_expr(scheduled_job::Column::LastStartedAt, Expr::value(now))
        .col_expr(
            scheduled_job::Column::LastFinishedAt,
            Expr::value(svc.clock.now()),
        )
        .col_expr(
            scheduled_job::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            scheduled_job::Column::Runs,
            Expr::col(scheduled_job::Column::Runs).add(1),
        )
        .col_expr(
            scheduled_job::Column::Items,
            Expr::col(scheduled_job::Column::Items).add(items as i64),
        )
        .filter(scheduled_job::Column::Name.eq(job.name()))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    let items = match job {
        Job::ExpireOrders => {
            checkouts::close_checkouts(svc, None).await;
            items
        }
        Job::CardRefunds => {
            let closed = checkouts::close_checkouts(svc, None).await;
            let refunded = checkouts::complete_card_refunds(svc, None).await;
            let resealed = crate::payments::routing::reseal(svc).await?;
            (closed + refunded + resealed) as u64
        }
        Job::DomainChecks => {
            crate::tenancy::domains::check_due(svc).await?
                + crate::tenancy::mail_domain::check_due(svc).await?
        }
        _ => items,
    };
    Ok(Some(items))
}

/// Unpaid orders past their time become `EXPIRED`, each with an `order.expired` event.
async fn expire_orders(txn: &impl ConnectionTrait, now: DateTime<Utc>) -> ApiResult<u64> {
    let rows = txn
        .query_all_raw(statement(
            txn,
            "UPDATE orders SET status = 'EXPIRED', updated_at = ? \
             WHERE status = 'PENDING' AND expires_at <= ? \
             RETURNING id, tenant_id, order_number, client_user_id, partner_id",
            vec![now.into(), now.into()],
        ))
        .await?;
    for r in &rows {
        let tenant_id: i64 = r.try_get("", "tenant_id")?;
        let id: i64 = r.try_get("", "id")?;
        let number: i64 = r.try_get("", "order_number")?;
        let client: Option<i64> = r.try_get("", "client_user_id")?;
        let partner: Option<i64> = r.try_get("", "partner_id")?;
        // Its open checkouts can no longer pay it: closed at the provider after the commit.
        checkouts::cancel_open_payments(txn, id, now).await?;
        events::record(
            txn,
            tenant_id,
            kind::ORDER_EXPIRED,
            json!({ "orderId": id, "orderNumber": number, "clientId": client, "partnerId": partner }),
            now,
        )
        .await?;
    }
    Ok(rows.len() as u64)
}

/// A `reward.available` event for each reward whose hold ended in `(after, now]` (the
/// window moves with the job's claim, so each reward is announced once).
async fn rewards_available(
    txn: &impl ConnectionTrait,
    after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<u64> {
    use entities::partner_ledger_entry::{self as entry, LedgerKind};
    let due = entry::Entity::find()
        .filter(entry::Column::Kind.eq(LedgerKind::Reward.as_str()))
        .filter(entry::Column::AvailableAt.gt(after))
        .filter(entry::Column::AvailableAt.lte(now))
        .all(txn)
        .await?;
    for e in &due {
        events::record(
            txn,
            e.tenant_id,
            kind::REWARD_AVAILABLE,
            json!({ "partnerId": e.partner_id, "entryId": e.id, "orderId": e.order_id, "amountMinor": e.amount_minor, "currency": e.currency }),
            now,
        )
        .await?;
    }
    Ok(due.len() as u64)
}
