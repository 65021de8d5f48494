//! Domain events: written in the transaction of the change that causes them, so an event
//! exists exactly when its change committed. The notifications worker reads them in id
//! order (`processed_at` NULL first).

use chrono::{DateTime, Utc};
use entities::domain_event;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};

use crate::kernel::error::ApiResult;

/// The kinds recorded so far.
pub mod kind {
    pub const CHANNEL_STATUS_CHANGED: &str = "channel.status_changed";
    pub const LINE_CREATED: &str = "line.created";
    pub const LINE_RENEWED: &str = "line.renewed";
    pub const ORDER_PAID: &str = "order.paid";
    pub const ORDER_EXPIRED: &str = "order.expired";
    pub const ORDER_REFUNDED: &str = "order.refunded";
    pub const REWARD_AVAILABLE: &str = "reward.available";
    pub const WITHDRAWAL_STATE_CHANGED: &str = "withdrawal.state_changed";
    pub const NFR_LINE_GRANTED: &str = "line.nfr_granted";
    pub const NFR_LINE_RENEWED: &str = "line.nfr_renewed";
    pub const NFR_LINE_ENDED: &str = "line.nfr_ended";
}

/// Records `kind` with `payload` on `tenant_id`.
pub async fn record(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    kind: &str,
    payload: serde_json::Value,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    domain_event::ActiveModel {
        tenant_id: Set(tenant_id),
        kind: Set(kind.to_string()),
        payload: Set(payload.to_string()),
        created_at: Set(now),
        processed_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
