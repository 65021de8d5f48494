//! Domain events: written in the transaction of the change that causes them, so an event
//! exists exactly when its change committed. The notifications worker reads them in id
//! order (`processed_at` NULL first).

use chrono::{DateTime, Utc};
use entities::domain_event;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};

use crate::kernel::error::ApiResult;

/// The kinds of events.
pub mod kind {
    pub const CHANNEL_STATUS_CHANGED: &str = "channel.status_changed";
    pub const LINE_CREATED: &str = "line.created";
    pub const LINE_RENEWED: &str = "line.renewed";
    pub const ORDER_PAID: &str = "order.paid";
    pub const ORDER_EXPIRED: &str = "order.expired";
    pub const ORDER_REFUNDED: &str = "order.refunded";
    /// A card payment completed for an order that could not take it: refunded.
    pub const PAYMENT_REFUND_DUE: &str = "payment.refund_due";
    pub const REWARD_AVAILABLE: &str = "reward.available";
    pub const WITHDRAWAL_STATE_CHANGED: &str = "withdrawal.state_changed";
    pub const NFR_LINE_GRANTED: &str = "line.nfr_granted";
    pub const NFR_LINE_RENEWED: &str = "line.nfr_renewed";
    pub const NFR_LINE_ENDED: &str = "line.nfr_ended";
    /// A line expires in 7 days (once per line and expiry).
    pub const LINE_EXPIRING: &str = "line.expiring";
    /// A line's time ran out (once per line and expiry).
    pub const LINE_EXPIRED: &str = "line.expired";
    pub const CLIENT_ATTACHED: &str = "client.attached";
    pub const CLIENT_DETACHED: &str = "client.detached";
    pub const CONSENT_GRANTED: &str = "consent.granted";
    pub const CONSENT_REVOKED: &str = "consent.revoked";
    /// A partner logged in as the client.
    pub const IMPERSONATION_STARTED: &str = "impersonation.started";
    /// A lead nobody has taken yet (the leads issue writes it).
    pub const LEAD_FREE: &str = "lead.free";
    /// A lead addressed to one partner (the leads issue writes it).
    pub const LEAD_ADDRESSED: &str = "lead.addressed";
    /// A custom domain of the brand was verified (pending or failed before).
    pub const DOMAIN_VERIFIED: &str = "domain.verified";
    /// A pending custom domain was not proven within 7 days.
    pub const DOMAIN_VERIFICATION_FAILED: &str = "domain.verification_failed";
    /// A verified custom domain's TXT record is gone (once until it is found again).
    pub const DOMAIN_RECORD_LOST: &str = "domain.record_lost";
    /// A verified domain whose record stayed wrong or missing for 7 days stopped routing.
    pub const DOMAIN_EXPIRED: &str = "domain.expired";
    /// A withdrawal's documents are due within `ledger::reminders::LEAD_DAYS` (once per
    /// deadline; its partner).
    pub const WITHDRAWAL_DOCUMENTS_DUE: &str = "withdrawal.documents_due";
    /// A withdrawal's step missed its deadline (once per deadline; the brand's staff).
    pub const WITHDRAWAL_OVERDUE: &str = "withdrawal.overdue";
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
