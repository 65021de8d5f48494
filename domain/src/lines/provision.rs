//! Provisioning lines: the one place that creates a line, extends it and adds paid
//! channels to it. Paying an order (new lines, renewals, additions) and the NFR line call
//! it. (Refunds, renaming, channel states and the notice markers still write lines in
//! their own files: issue 26 moves them here next.)

use chrono::{DateTime, Utc};
use entities::{line, line_channel};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};

use crate::kernel::counters;
use crate::kernel::error::ApiResult;

/// A line to create: numbered per tenant, running from `starts_at` to `expires_at`.
#[derive(Debug, Clone)]
pub struct NewLine {
    pub tenant_id: i64,
    /// `None`: "Line <number>".
    pub name: Option<String>,
    pub client_user_id: i64,
    pub organization_id: i64,
    pub space_id: Option<i64>,
    pub starts_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub coins: i64,
    pub nfr: bool,
}

/// Creates a line with the tenant's next line number.
pub async fn create_line(
    db: &impl ConnectionTrait,
    l: NewLine,
    now: DateTime<Utc>,
) -> ApiResult<line::Model> {
    let number = counters::next(db, l.tenant_id, counters::LINE).await?;
    Ok(line::ActiveModel {
        tenant_id: Set(l.tenant_id),
        line_number: Set(number),
        name: Set(l.name.unwrap_or_else(|| format!("Line {number}"))),
        client_user_id: Set(l.client_user_id),
        organization_id: Set(l.organization_id),
        space_id: Set(l.space_id),
        starts_at: Set(l.starts_at),
        expires_at: Set(l.expires_at),
        coin_balance: Set(l.coins),
        waba_balance_minor: Set(0),
        nfr: Set(l.nfr),
        ended_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Deletes a line created in this transaction that turned out not to be wanted (another
/// instance granted the same NFR line first).
pub async fn discard_line(db: &impl ConnectionTrait, line_id: i64) -> ApiResult<()> {
    line::Entity::delete_by_id(line_id).exec(db).await?;
    Ok(())
}

/// Extends a line (locked by the caller) to `until`; an expired one starts again `now`.
pub async fn extend_line(
    db: &impl ConnectionTrait,
    l: &line::Model,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<line::Model> {
    let mut m = l.clone().into_active_model();
    if l.expires_at <= now {
        m.starts_at = Set(now);
    }
    m.expires_at = Set(until);
    m.updated_at = Set(now);
    Ok(m.update(db).await?)
}

/// Moves a line's expiry from `from` to `until`, or ends it now (`until: None`), only if
/// it still expires at `from` and has not ended: whether it changed (a second run for the
/// same expiry changes nothing).
pub async fn renew_or_end_if_unchanged(
    db: &impl ConnectionTrait,
    line_id: i64,
    from: DateTime<Utc>,
    until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    let mut update = line::Entity::update_many()
        .col_expr(line::Column::UpdatedAt, Expr::value(now))
        .filter(line::Column::Id.eq(line_id))
        .filter(line::Column::ExpiresAt.eq(from))
        .filter(line::Column::EndedAt.is_null());
    update = match until {
        Some(until) => update.col_expr(line::Column::ExpiresAt, Expr::value(until)),
        None => update.col_expr(line::Column::EndedAt, Expr::value(now)),
    };
    Ok(update.exec(db).await?.rows_affected == 1)
}

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
