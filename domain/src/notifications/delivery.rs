//! Delivery: the worker that sends what the outbox holds (notification emails and account
//! emails alike) and records how it went.
//!
//! - **Claim.** A batch of due messages (`PENDING`, or `SENDING` whose lease ran out) is
//!   selected with `FOR UPDATE SKIP LOCKED` on PostgreSQL and, in the same transaction,
//!   set `SENDING` with a lease (`next_attempt_at = now + lease`, `Settings::outbox_lease`) and one more attempt. Two
//!   workers never hold the same row, so each message is sent by one instance. (SQLite
//!   has one writer at a time, and one instance.)
//! - **Send** after the claim commits, with no transaction open while talking to the
//!   server; each message's outcome is recorded as soon as its send ends.
//! - **Record.** `SENT` with `sent_at`; or back to `PENDING` after an exponential backoff
//!   with jitter and the error kept in `last_error`; or `FAILED` (with `failed_at`) after
//!   the last attempt or an answer that retrying cannot change. Failed messages stay for
//!   staff to read (`outboxMessages(status: FAILED)`) and retry (`retryOutboxMessage`).
//! - **Crash window** (SPEC §8). A worker that dies after the server accepted a message
//!   and before `SENT` is written leaves the row `SENDING`; when its lease ends another
//!   worker sends it again. So a message is sent once, or, after such a crash, once more;
//!   the resend carries the same `Message-ID`, by which mail clients and servers drop
//!   duplicates. A database that is only briefly unreachable when the outcome is written
//!   (a restart) does not open that window: the write is retried within half the lease.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entities::outbox_message;
use futures_util::StreamExt;
use rand::Rng;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Value as SqlValue};

use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::mail::SendError;
use crate::kernel::services::Services;
use crate::kernel::sql::statement;

/// Messages claimed per transaction.
pub const BATCH: u64 = 20;
/// Sends in flight at once per worker.
const PARALLEL: usize = 4;
/// How long a claim holds a message before another worker may take it over, unless
/// `OUTBOX_LEASE_SECS` says otherwise (`Settings::outbox_lease`).
pub const LEASE: Duration = crate::kernel::services::OUTBOX_LEASE;
/// Attempts before a message is marked `FAILED`.
pub const MAX_ATTEMPTS: i32 = 10;
/// The first retry waits this long; each next one twice as long, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_secs(30);
/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub sent: u64,
    pub retrying: u64,
    pub failed: u64,
}

/// The wait before attempt `attempts + 1`, before jitter: 30 s, 1 min, 2 min, .. 6 h.
pub fn backoff(attempts: i32) -> Duration {
    let doublings = attempts.clamp(1, 20) as u32 - 1;
    FIRST_BACKOFF
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(MAX_BACKOFF)
}

/// [`backoff`] spread by ±20 % so messages that failed together do not retry together.
fn jittered(attempts: i32) -> chrono::Duration {
    let base = backoff(attempts).as_millis() as i64;
    let spread = base / 5;
    let ms = base + rand::thread_rng().gen_range(-spread..=spread);
    chrono::Duration::milliseconds(ms)
}

/// Sends every due message, a batch at a time, until none is due.
pub async fn run(svc: &Services) -> ApiResult<Delivered> {
    let mut total = Delivered::default();
    loop {
        let now = svc.clock.now();
        let batch = claim(svc, now, BATCH).await?;
        let claimed = batch.len() as u64;
        // Each outcome is written as soon as its send ends, not after the batch: a worker
        // that dies mid-batch leaves only the sends in flight to be made again.
        let outcomes: Vec<_> = futures_util::stream::iter(batch)
            .map(|m| async move {
                let result = send(svc, &m).await;
                record(svc, &m, result).await
            })
            .buffer_unordered(PARALLEL)
            .collect()
            .await;
        for outcome in outcomes {
            match outcome? {
                Outcome::Sent => total.sent += 1,
                Outcome::Retrying => total.retrying += 1,
                Outcome::Failed => total.failed += 1,
            }
        }
        if claimed < BATCH {
            return Ok(total);
        }
    }
}

/// Claims up to `limit` due messages for this worker.
pub async fn claim(
    svc: &Services,
    now: DateTime<Utc>,
    limit: u64,
) -> ApiResult<Vec<outbox_message::Model>> {
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let skip_locked = crate::kernel::sql::skip_locked(&txn);
    let ids: Vec<i64> = txn
        .query_all_raw(statement(
            &txn,
            &format!(
                "SELECT id FROM outbox_messages WHERE status IN (?, ?) AND next_attempt_at <= ? \
                 ORDER BY next_attempt_at, id LIMIT {limit}{skip_locked}"
            ),
            vec![
                outbox_message::STATUS_PENDING.into(),
                outbox_message::STATUS_SENDING.into(),
                SqlValue::from(now),
            ],
        ))
        .await?
        .iter()
        .map(|r| r.try_get::<i64>("", "id"))
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let lease_until =
        now + chrono::Duration::from_std(svc.settings.outbox_lease).unwrap_or_default();
    outbox_message::Entity::update_many()
        .col_expr(
            outbox_message::Column::Status,
            Expr::value(outbox_message::STATUS_SENDING),
        )
        .col_expr(
            outbox_message::Column::Attempts,
            Expr::col(outbox_message::Column::Attempts).add(1),
        )
        .col_expr(
            outbox_message::Column::NextAttemptAt,
            Expr::value(lease_until),
        )
        .filter(outbox_message::Column::Id.is_in(ids.clone()))
        .exec(&txn)
        .await?;
    let claimed = outbox_message::Entity::find()
        .filter(outbox_message::Column::Id.is_in(ids))
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(claimed)
}

async fn send(svc: &Services, m: &outbox_message::Model) -> Result<(), SendError> {
    match m.channel.as_str() {
        outbox_message::CHANNEL_EMAIL => {
            let unsubscribe = super::unsubscribe::link_for(svc, m);
            svc.mailer.send(m, unsubscribe.as_deref()).await
        }
        outbox_message::CHANNEL_TELEGRAM => super::telegram::send(svc, m).await,
        other => Err(SendError {
            permanent: true,
            message: format!("no transport for channel {other}"),
            retry_after: None,
        }),
    }
}

enum Outcome {
    Sent,
    Retrying,
    Failed,
}

/// Writes how the attempt went. Only a row this worker still holds (`SENDING` with the
/// attempt count it claimed) is changed.
async fn record(
    svc: &Services,
    m: &outbox_message::Model,
    result: Result<(), SendError>,
) -> ApiResult<Outcome> {
    let now = svc.clock.now();
    let mut update = outbox_message::Entity::update_many()
        .filter(outbox_message::Column::Id.eq(m.id))
        .filter(outbox_message::Column::Status.eq(outbox_message::STATUS_SENDING))
        .filter(outbox_message::Column::Attempts.eq(m.attempts));
    let outcome = match result {
        Ok(()) => {
            update = update
                .col_expr(
                    outbox_message::Column::Status,
                    Expr::value(outbox_message::STATUS_SENT),
                )
                .col_expr(outbox_message::Column::SentAt, Expr::value(now))
                .col_expr(
                    outbox_message::Column::LastError,
                    Expr::value(Option::<String>::None),
                );
            Outcome::Sent
        }
        Err(e) if e.permanent || m.attempts >= MAX_ATTEMPTS => {
            tracing::warn!(
                message_id = m.id,
                tenant_id = m.tenant_id,
                attempts = m.attempts,
                error = %e,
                "outbox message failed for good"
            );
            update = update
                .col_expr(
                    outbox_message::Column::Status,
                    Expr::value(outbox_message::STATUS_FAILED),
                )
                .col_expr(outbox_message::Column::FailedAt, Expr::value(now))
                .col_expr(outbox_message::Column::LastError, Expr::value(e.message));
            Outcome::Failed
        }
        Err(e) => {
            tracing::info!(
                message_id = m.id,
                attempts = m.attempts,
                error = %e,
                "outbox message will be retried"
            );
            update = update
                .col_expr(
                    outbox_message::Column::Status,
                    Expr::value(outbox_message::STATUS_PENDING),
                )
                .col_expr(
                    outbox_message::Column::NextAttemptAt,
                    // When the server said when (a 429's `retry_after`), then; else backoff.
                    Expr::value(match e.retry_after {
                        Some(after) => now + chrono::Duration::from_std(after).unwrap_or_default(),
                        None => now + jittered(m.attempts),
                    }),
                )
                .col_expr(outbox_message::Column::LastError, Expr::value(e.message));
            Outcome::Retrying
        }
    };
    // The message went out (or not) already: if the database is briefly unreachable (a
    // restart, a failover), the outcome is written once it is back, within half the
    // lease, which this worker still holds; else the lease ends and the message is sent
    // again under the same Message-ID (the crash window above).
    let patience = svc.settings.outbox_lease / 2;
    let started = std::time::Instant::now();
    let mut wait = Duration::from_millis(100);
    loop {
        match update.clone().exec(&svc.db).await.map_err(ApiError::from) {
            Ok(_) => return Ok(outcome),
            Err(ApiError::Unavailable) if started.elapsed() + wait < patience => {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(2));
            }
            Err(e) => return Err(e),
        }
    }
}

/// `retryOutboxMessage`: a `FAILED` message (or one waiting for its next attempt) is
/// due now, with its attempts counted afresh. Staff of every tenant, admins of its own;
/// another tenant's message is `NOT_FOUND`. A message already sent, or being sent, is
/// `CONFLICT`.
pub async fn retry(
    svc: &Services,
    req: &tenants::RequestCtx,
    id: i64,
) -> ApiResult<outbox_message::Model> {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel, QuerySelect};
    use tenants::{Action, authorize};
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let mut find = outbox_message::Entity::find_by_id(id);
    if authorize(req, Action::ListTenants).is_err() {
        find = find.filter(outbox_message::Column::TenantId.eq(req.tenant_id()));
    }
    let m = find
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound {
            what: "outbox message",
        })?;
    authorize(
        req,
        tenants::Action::RetryOutboxMessage {
            tenant_id: m.tenant_id,
        },
    )
    .map_err(|_| ApiError::NotFound {
        what: "outbox message",
    })?;
    if m.status != outbox_message::STATUS_FAILED && m.status != outbox_message::STATUS_PENDING {
        return Err(ApiError::conflict(
            "id",
            format!(
                "the message is {}; only a failed or waiting one is retried",
                m.status
            ),
        ));
    }
    let now = svc.clock.now();
    let previous = m.status.clone();
    let mut a = m.into_active_model();
    a.status = Set(outbox_message::STATUS_PENDING.into());
    a.attempts = Set(0);
    a.next_attempt_at = Set(now);
    a.failed_at = Set(None);
    let m = a.update(&txn).await?;
    crate::kernel::audit::record(
        &txn,
        req,
        None,
        crate::kernel::audit::action::OUTBOX_MESSAGE_RETRIED,
        crate::kernel::audit::Target::OutboxMessage(m.id),
        None,
        serde_json::json!({ "tenantId": m.tenant_id, "previousStatus": previous, "lastError": m.last_error }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(m)
}

/// The outbox's state: what `/metrics` exports (issue 12) and staff read
/// (`outboxQueue`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Waiting to be sent, or being sent.
    pub pending: u64,
    /// Given up on, waiting for staff.
    pub failed: u64,
    /// When the oldest message still waiting was written.
    pub oldest_pending: Option<DateTime<Utc>>,
}

/// Queue figures over `q` (every tenant's, or one tenant's).
pub async fn stats_of(
    db: &impl ConnectionTrait,
    q: sea_orm::Select<outbox_message::Entity>,
) -> ApiResult<QueueStats> {
    use sea_orm::{PaginatorTrait, QuerySelect};
    let waiting = [
        outbox_message::STATUS_PENDING,
        outbox_message::STATUS_SENDING,
    ];
    let pending = q
        .clone()
        .filter(outbox_message::Column::Status.is_in(waiting))
        .count(db)
        .await?;
    let failed = q
        .clone()
        .filter(outbox_message::Column::Status.eq(outbox_message::STATUS_FAILED))
        .count(db)
        .await?;
    let oldest_pending = q
        .filter(outbox_message::Column::Status.is_in(waiting))
        .select_only()
        .column_as(outbox_message::Column::CreatedAt.min(), "m")
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(db)
        .await?
        .flatten();
    Ok(QueueStats {
        pending,
        failed,
        oldest_pending,
    })
}

/// `outboxQueue`: the request's tenant's queue for its admins, every tenant's for staff.
pub async fn stats(svc: &Services, req: &tenants::RequestCtx) -> ApiResult<QueueStats> {
    stats_of(&svc.db, crate::kernel::emails::in_reach(req)?).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_six_hours() {
        assert_eq!(backoff(1), Duration::from_secs(30));
        assert_eq!(backoff(2), Duration::from_secs(60));
        assert_eq!(backoff(5), Duration::from_secs(480));
        assert_eq!(backoff(12), MAX_BACKOFF);
        assert_eq!(backoff(0), Duration::from_secs(30));
        for attempts in 1..MAX_ATTEMPTS {
            let base = backoff(attempts).as_millis() as i64;
            let j = jittered(attempts).num_milliseconds();
            assert!(
                j >= base - base / 5 && j <= base + base / 5,
                "{attempts}: {j}"
            );
        }
    }
}
