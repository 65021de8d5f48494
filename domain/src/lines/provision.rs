//! Provisioning lines: adding paid channels to a line (an order's additions and new lines,
//! the NFR line). The first step towards this file being the one writer of `lines` and
//! `line_channels` rows (issue 26).

use chrono::{DateTime, Utc};
use entities::line_channel;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};

use crate::kernel::error::ApiResult;

/// Adds paid channels of `kinds` to a line; their ids.
pub async fn add_channels(
    txn: &impl ConnectionTrait,
    tenant_id: i64,
    line_id: i64,
    kinds: &[i64],
    now: DateTime<Utc>,
) -> ApiResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(kinds.len());
    for k in kinds {
        let c = line_channel::ActiveModel {
            tenant_id: Set(tenant_id),
            line_id: Set(line_id),
            channel_kind_id: Set(*k),
            status: Set(line_channel::ChannelStatus::Pending),
            paid: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        ids.push(c.id);
    }
    Ok(ids)
}
