//! The time-based line events, emitted by the scheduler (`lines.notices`): a line expires
//! in 7 days (`line.expiring`), a line expired (`line.expired`).
//!
//! Once per line and expiry: the line records the expiry each notice was sent for
//! (`expiring_notice_for`, `expired_notice_for`), set by the same conditional update that
//! picks it, so a second run (or instance) finds nothing; renewing a line moves its expiry
//! and so re-arms both. Lines ended early (refunded, an NFR line not renewed) are not
//! announced. A line is announced as expired only within 7 days of its expiry, so turning
//! the job on does not announce every line that ran out long ago.

use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::kernel::error::ApiResult;
use crate::kernel::events::{self, kind};
use crate::kernel::sql::statement;

/// How long before its expiry a line is announced, and how long after it still is.
pub const WINDOW_DAYS: i64 = 7;

/// Emits the due notices; how many.
pub async fn emit_due(db: &impl ConnectionTrait, now: DateTime<Utc>) -> ApiResult<u64> {
    let window = Duration::days(WINDOW_DAYS);
    let expiring = emit(
        db,
        "expiring_notice_for",
        kind::LINE_EXPIRING,
        now,
        now + window,
        now,
    )
    .await?;
    let expired = emit(
        db,
        "expired_notice_for",
        kind::LINE_EXPIRED,
        now - window,
        now,
        now,
    )
    .await?;
    Ok(expiring + expired)
}

/// Marks and announces lines expiring in `(from, until]` whose `column` is not their
/// expiry yet.
async fn emit(
    db: &impl ConnectionTrait,
    column: &str,
    event: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<u64> {
    let rows = db
        .query_all_raw(statement(
            db,
            &format!(
                "UPDATE lines SET {column} = expires_at \
                 WHERE ended_at IS NULL AND expires_at > ? AND expires_at <= ? \
                 AND ({column} IS NULL OR {column} <> expires_at) \
                 RETURNING id, tenant_id, line_number, client_user_id, organization_id, space_id, expires_at"
            ),
            vec![from.into(), until.into()],
        ))
        .await?;
    for r in &rows {
        let tenant_id: i64 = r.try_get("", "tenant_id")?;
        let expires_at: DateTime<Utc> = r.try_get("", "expires_at")?;
        events::record(
            db,
            tenant_id,
            event,
            json!({
                "lineId": r.try_get::<i64>("", "id")?,
                "lineNumber": r.try_get::<i64>("", "line_number")?,
                "clientUserId": r.try_get::<i64>("", "client_user_id")?,
                "organizationId": r.try_get::<i64>("", "organization_id")?,
                "spaceId": r.try_get::<Option<i64>>("", "space_id")?,
                "expiresAt": expires_at,
            }),
            now,
        )
        .await?;
    }
    Ok(rows.len() as u64)
}
