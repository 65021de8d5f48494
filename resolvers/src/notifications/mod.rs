//! Notifications: the bell (`notifications`, `unreadNotificationCount`,
//! `markNotificationsRead`) and each user's settings (`notificationSettings`,
//! `updateNotificationSettings`), and `retryOutboxMessage` for staff. The rules are
//! `domain::notifications`'.

pub mod types;

use async_graphql::{Context, Object};
use domain::notifications::{bell, delivery, live, settings};
use futures_util::{Stream, StreamExt};

use crate::ids::{self, Kind};
use crate::pagination::Page;
use crate::{request, services};
pub use types::*;

/// Notification queries.
#[derive(Default)]
pub struct NotificationQuery;

#[Object]
impl NotificationQuery {
    /// The viewer's notifications, newest first.
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Items after (older than) this cursor.")] after: Option<String>,
        #[graphql(desc = "Only those not read yet (default: all).")] unread_only: Option<bool>,
    ) -> crate::GqlResult<Page<Notification>> {
        let page = bell::page(
            services(ctx)?,
            request(ctx)?,
            unread_only.unwrap_or(false),
            first,
            after.as_deref(),
        )
        .await?;
        Ok(crate::pagination::connection(page, Notification))
    }

    /// How many of the viewer's notifications are unread.
    async fn unread_notification_count(&self, ctx: &Context<'_>) -> crate::GqlResult<u64> {
        Ok(bell::unread(services(ctx)?, request(ctx)?).await?)
    }

    /// The viewer's notification settings: every kind, each channel on or off.
    async fn notification_settings(
        &self,
        ctx: &Context<'_>,
    ) -> crate::GqlResult<NotificationSettings> {
        let kinds = settings::mine(services(ctx)?, request(ctx)?).await?;
        Ok(NotificationSettings::new(kinds))
    }
}

/// Notification mutations.
#[derive(Default)]
pub struct NotificationMutation;

#[Object]
impl NotificationMutation {
    /// Marks the viewer's notifications read: the ones named, or all. Not while logged in
    /// as a client.
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        input: MarkNotificationsReadInput,
    ) -> crate::GqlResult<MarkNotificationsReadPayload> {
        let which = match (input.ids, input.all) {
            (Some(_), true) => {
                return Err(
                    crate::ApiError::bad_input("all", "pass either ids or all, not both").into(),
                );
            }
            (Some(list), false) => bell::Which::Ids(
                list.iter()
                    .map(|id| ids::decode(id, Kind::Notification, "ids"))
                    .collect::<Result<_, _>>()?,
            ),
            (None, true) => bell::Which::All,
            (None, false) => {
                return Err(crate::ApiError::bad_input("ids", "pass ids or all").into());
            }
        };
        let (svc, req) = (services(ctx)?, request(ctx)?);
        let marked = bell::mark_read(svc, req, which).await?;
        let unread_count = bell::unread(svc, req).await?;
        Ok(MarkNotificationsReadPayload {
            marked,
            unread_count,
        })
    }

    /// Turns kinds of notifications on or off per channel (a change without a channel
    /// sets every channel of the kind: how a lead list is switched). All changes or none.
    /// Not while logged in as a client.
    async fn update_notification_settings(
        &self,
        ctx: &Context<'_>,
        input: UpdateNotificationSettingsInput,
    ) -> crate::GqlResult<NotificationSettings> {
        let changes: Vec<settings::Change> = input
            .settings
            .into_iter()
            .map(|s| settings::Change {
                kind: s.kind.into(),
                channel: s.channel.map(Into::into),
                enabled: s.enabled,
            })
            .collect();
        let kinds = settings::update(services(ctx)?, request(ctx)?, &changes).await?;
        Ok(NotificationSettings::new(kinds))
    }

    /// Sends a failed (or waiting) outbox message again now, with its attempts counted
    /// afresh. Tenant admins (their tenant's) and platform staff.
    async fn retry_outbox_message(
        &self,
        ctx: &Context<'_>,
        input: RetryOutboxMessageInput,
    ) -> crate::GqlResult<RetryOutboxMessagePayload> {
        let id = ids::decode(&input.id, Kind::OutboxMessage, "id")?;
        let m = delivery::retry(services(ctx)?, request(ctx)?, id).await?;
        Ok(RetryOutboxMessagePayload {
            message: crate::emails::OutboxMessage(m),
        })
    }
}

/// Input of `retryOutboxMessage`.
#[derive(async_graphql::InputObject)]
pub struct RetryOutboxMessageInput {
    /// The message (`OutboxMessage.id`).
    pub id: async_graphql::ID,
}

/// Result of `retryOutboxMessage`.
#[derive(async_graphql::SimpleObject)]
pub struct RetryOutboxMessagePayload {
    /// The message, `PENDING` and due now.
    pub message: crate::emails::OutboxMessage,
}

/// Notification subscriptions.
#[derive(Default)]
pub struct NotificationSubscription;

#[async_graphql::Subscription]
impl NotificationSubscription {
    /// The viewer's new notifications as they are written, each once and in order (over
    /// WebSocket with graphql-transport-ws on `/graphql`; the token goes in
    /// `connection_init`'s payload as `Authorization: Bearer <token>`).
    async fn notification_added(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = Notification> + use<>, crate::GqlError> {
        let added = live::added(services(ctx)?, request(ctx)?).await?;
        Ok(added.map(Notification as fn(_) -> _))
    }
}
