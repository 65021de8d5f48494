//! Each user's switches: for every kind and channel, on or off. Only what a user changed
//! is stored; everything else has its default ([`NotificationKind::default_on`]).

use std::collections::HashMap;

use entities::notification_setting;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use tenants::{Action, RequestCtx, authorize};

use super::kinds::{ALL, CHANNELS, Channel, NotificationKind};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::services::Services;

/// One user's switches.
#[derive(Debug, Clone, Default)]
pub struct Switches(HashMap<(NotificationKind, Channel), bool>);

impl Switches {
    /// Whether `kind` goes out on `channel`.
    pub fn on(&self, kind: NotificationKind, channel: Channel) -> bool {
        self.0
            .get(&(kind, channel))
            .copied()
            .unwrap_or_else(|| kind.default_on(channel))
    }
}

/// The switches of each of `users` (one query).
pub async fn of_users(
    db: &impl ConnectionTrait,
    users: &[i64],
) -> ApiResult<HashMap<i64, Switches>> {
    let mut out: HashMap<i64, Switches> = users.iter().map(|u| (*u, Switches::default())).collect();
    if users.is_empty() {
        return Ok(out);
    }
    let rows = notification_setting::Entity::find()
        .filter(notification_setting::Column::UserId.is_in(users.iter().copied()))
        .all(db)
        .await?;
    for r in rows {
        let (Some(kind), Some(channel)) =
            (NotificationKind::parse(&r.kind), Channel::parse(&r.channel))
        else {
            continue;
        };
        out.entry(r.user_id)
            .or_default()
            .0
            .insert((kind, channel), r.enabled);
    }
    Ok(out)
}

/// A kind's switches as the settings page shows them.
#[derive(Debug, Clone)]
pub struct KindSettings {
    pub kind: NotificationKind,
    pub bell: bool,
    pub email: bool,
    pub telegram: bool,
}

/// The viewer's settings, every kind.
pub async fn mine(svc: &Services, req: &RequestCtx) -> ApiResult<Vec<KindSettings>> {
    let me = crate::identity::accounts::signed_in(req)?.user_id;
    let switches = of_users(&svc.db, &[me])
        .await?
        .remove(&me)
        .unwrap_or_default();
    Ok(ALL
        .into_iter()
        .map(|kind| KindSettings {
            kind,
            bell: switches.on(kind, Channel::Bell),
            email: switches.on(kind, Channel::Email),
            telegram: switches.on(kind, Channel::Telegram),
        })
        .collect())
}

/// One change: `channel` `None` is every channel of the kind (how a lead list is turned
/// on or off with one switch).
#[derive(Debug, Clone)]
pub struct Change {
    pub kind: NotificationKind,
    pub channel: Option<Channel>,
    pub enabled: bool,
}

/// `updateNotificationSettings`: applies the changes (all or none) and answers the
/// settings.
pub async fn update(
    svc: &Services,
    req: &RequestCtx,
    changes: &[Change],
) -> ApiResult<Vec<KindSettings>> {
    authorize(req, Action::ManageOwnNotifications)?;
    let me = crate::identity::accounts::signed_in(req)?.user_id;
    if changes.is_empty() {
        return Err(ApiError::bad_input("settings", "name at least one change"));
    }
    if changes.len() > ALL.len() * CHANNELS.len() {
        return Err(ApiError::bad_input("settings", "too many changes"));
    }
    let now = svc.clock.now();
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    for c in changes {
        let channels: Vec<Channel> = match c.channel {
            Some(ch) => vec![ch],
            None => CHANNELS.to_vec(),
        };
        for ch in channels {
            set(&txn, req.tenant_id(), me, c.kind, ch, c.enabled, now).await?;
        }
    }
    crate::kernel::txn::commit(txn, req).await?;
    mine(svc, req).await
}

/// Turns one switch of one user on or off, in the caller's transaction.
pub async fn set(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    user_id: i64,
    kind: NotificationKind,
    channel: Channel,
    enabled: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    notification_setting::Entity::insert(notification_setting::ActiveModel {
        tenant_id: sea_orm::ActiveValue::Set(tenant_id),
        user_id: sea_orm::ActiveValue::Set(user_id),
        kind: sea_orm::ActiveValue::Set(kind.as_str().into()),
        channel: sea_orm::ActiveValue::Set(channel.as_str().into()),
        enabled: sea_orm::ActiveValue::Set(enabled),
        updated_at: sea_orm::ActiveValue::Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            notification_setting::Column::UserId,
            notification_setting::Column::Kind,
            notification_setting::Column::Channel,
        ])
        .update_columns([
            notification_setting::Column::Enabled,
            notification_setting::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}
