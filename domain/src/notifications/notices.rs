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
use crate::lines::provision::{self, Notice};

/// How long before its expiry a line is announced, and how long after it still is.
pub const WINDOW_DAYS: i64 = 7;

/// Emits the due notices; how many.
pub async fn emit_due(db: &impl ConnectionTrait, now: DateTime<Utc>) -> ApiResult<u64> {
    let window = Duration::days(WINDOW_DAYS);
    let expiring = emit(
        db,
        Notice::Expiring,
        kind::LINE_EXPIRING,
        now,
        now + window,
        now,
    )
    .await?;
    let expired = emit(
        db,
        Notice::Expired,
        kind::LINE_EXPIRED,
        now - window,
        now,
        now,
    )
    .await?;
    Ok(expiring + expired)
}

/// Marks and announces lines expiring in `(from, until]` not yet announced for their
/// expiry.
async fn emit(
    db: &impl ConnectionTrait,
    notice: Notice,
    event: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<u64> {
    let marked = provision::mark_notice_due(db, notice, from, until).await?;
    for l in &marked {
        events::record(
            db,
            l.tenant_id,
            event,
            json!({
                "lineId": l.id,
                "lineNumber": l.line_number,
                "clientUserId": l.client_user_id,
                "organizationId": l.organization_id,
                "spaceId": l.space_id,
                "expiresAt": l.expires_at,
            }),
            now,
        )
        .await?;
    }
    Ok(marked.len() as u64)
}
