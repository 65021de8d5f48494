//! Provisioning lines: the one place that writes `lines` and `line_channels` rows.
//! Paying an order (new lines, renewals, additions), the NFR line, refunds (ending,
//! shortening, removing channels), renaming and moving a line, channel states and the
//! expiry-notice markers all call it; a test (`resolvers/tests/layering.rs`) fails when
//! another file of the server writes one. The callers decide and authorize; these
//! functions only write, inside the caller's transaction.

use chrono::{DateTime, Utc};
use entities::{line, line_channel};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};

use crate::kernel::counters;
use crate::kernel::error::ApiResult;
use crate::kernel::sql::statement;

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

/// Ends a line (locked by the caller) now, debiting `coin_debit` ChatCoins from it
/// (a refunded order's new line).
pub async fn end_line(
    db: &impl ConnectionTrait,
    l: &line::Model,
    coin_debit: i64,
    now: DateTime<Utc>,
) -> ApiResult<line::Model> {
    let mut m = l.clone().into_active_model();
    m.expires_at = Set(l.expires_at.min(now));
    m.ended_at = Set(Some(now));
    m.coin_balance = Set(l.coin_balance - coin_debit);
    m.updated_at = Set(now);
    Ok(m.update(db).await?)
}

/// Moves a line's (locked by the caller) expiry back to `until`; a line whose shortened
/// expiry has passed ends now (a refunded renewal).
pub async fn shorten_line(
    db: &impl ConnectionTrait,
    l: &line::Model,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<line::Model> {
    let mut m = l.clone().into_active_model();
    m.expires_at = Set(until);
    if until <= now {
        m.ended_at = Set(Some(now));
    }
    m.updated_at = Set(now);
    Ok(m.update(db).await?)
}

/// Renames a line.
pub async fn rename_line(
    db: &impl ConnectionTrait,
    l: line::Model,
    name: String,
    now: DateTime<Utc>,
) -> ApiResult<line::Model> {
    let mut m = l.into_active_model();
    m.name = Set(name);
    m.updated_at = Set(now);
    Ok(m.update(db).await?)
}

/// Moves a line into a space of its organization, or out of any (`None`).
pub async fn move_line(
    db: &impl ConnectionTrait,
    l: line::Model,
    space_id: Option<i64>,
    now: DateTime<Utc>,
) -> ApiResult<line::Model> {
    let mut m = l.into_active_model();
    m.space_id = Set(space_id);
    m.updated_at = Set(now);
    Ok(m.update(db).await?)
}

/// Sets a channel's connection state.
pub async fn set_channel_status(
    db: &impl ConnectionTrait,
    c: line_channel::Model,
    status: line_channel::ChannelStatus,
    now: DateTime<Utc>,
) -> ApiResult<line_channel::Model> {
    let mut m = c.into_active_model();
    m.status = Set(status);
    m.updated_at = Set(now);
    Ok(m.update(db).await?)
}

/// Removes channels of a tenant by id; how many there were.
pub async fn remove_channels(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    ids: &[i64],
) -> ApiResult<u64> {
    Ok(line_channel::Entity::delete_many()
        .filter(line_channel::Column::TenantId.eq(tenant_id))
        .filter(line_channel::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?
        .rows_affected)
}

/// Which expiry notice a line is marked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// `expiring_notice_for`: the line expires soon.
    Expiring,
    /// `expired_notice_for`: the line has expired.
    Expired,
}

/// A line just marked for a notice.
#[derive(Debug, Clone)]
pub struct Marked {
    pub id: i64,
    pub tenant_id: i64,
    pub line_number: i64,
    pub client_user_id: i64,
    pub organization_id: i64,
    pub space_id: Option<i64>,
    pub expires_at: DateTime<Utc>,
}

/// Marks the running lines expiring in `(from, until]` whose `notice` marker is not their
/// expiry yet, in one conditional update (so a second run, or instance, finds nothing);
/// the lines marked.
pub async fn mark_notice_due(
    db: &impl ConnectionTrait,
    notice: Notice,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> ApiResult<Vec<Marked>> {
    let column = match notice {
        Notice::Expiring => "expiring_notice_for",
        Notice::Expired => "expired_notice_for",
    };
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
    rows.iter()
        .map(|r| {
            Ok(Marked {
                id: r.try_get("", "id")?,
                tenant_id: r.try_get("", "tenant_id")?,
                line_number: r.try_get("", "line_number")?,
                client_user_id: r.try_get("", "client_user_id")?,
                organization_id: r.try_get("", "organization_id")?,
                space_id: r.try_get("", "space_id")?,
                expires_at: r.try_get("", "expires_at")?,
            })
        })
        .collect()
}
