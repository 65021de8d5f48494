//! Notifications: the bell (`notifications`, `unreadNotificationCount`,
//! `markNotificationsRead`) and each user's settings (`notificationSettings`,
//! `updateNotificationSettings`), and `retryOutboxMessage` for staff. The rules are
//! `domain::notifications`'.

pub mod types;

use async_graphql::{Context, Object};
use domain::notifications::{bell, delivery, live, settings, telegram};
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

    /// The viewer's connected Telegram chat (null when not connected).
    async fn telegram_connection(
        &self,
        ctx: &Context<'_>,
    ) -> crate::GqlResult<Option<TelegramConnection>> {
        Ok(telegram::connection(services(ctx)?, request(ctx)?)
            .await?
            .map(|c| TelegramConnection {
                username: c.username,
                connected_at: c.connected_at,
            }))
    }

    /// The outbox's queue (tenant admins: their tenant's; platform staff: every tenant's).
    async fn outbox_queue(&self, ctx: &Context<'_>) -> crate::GqlResult<OutboxQueue> {
        let s = delivery::stats(services(ctx)?, request(ctx)?).await?;
        let now = services(ctx)?.clock.now();
        Ok(OutboxQueue {
            pending: s.pending,
            failed: s.failed,
            oldest_pending_age_seconds: s.oldest_pending.map(|t| (now - t).num_seconds().max(0)),
        })
    }

    /// The brand's Telegram bot (tenant admins); null when none is set.
    async fn telegram_bot(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<TelegramBot>> {
        Ok(telegram::bot(services(ctx)?, request(ctx)?)
            .await?
            .map(TelegramBot::from))
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

    /// Sets the brand's Telegram bot (tenant admins): the token from @BotFather is checked
    /// with Telegram; `useWebhook` has Telegram post updates to `/webhooks/telegram` on the
    /// brand's primary host (else the server polls). No token removes the bot.
    async fn configure_telegram_bot(
        &self,
        ctx: &Context<'_>,
        input: ConfigureTelegramBotInput,
    ) -> crate::GqlResult<ConfigureTelegramBotPayload> {
        let bot = telegram::configure(
            services(ctx)?,
            request(ctx)?,
            input.bot_token.as_deref(),
            input.use_webhook,
        )
        .await?;
        Ok(ConfigureTelegramBotPayload {
            bot: bot.map(TelegramBot::from),
        })
    }

    /// A one-time link that connects the viewer's Telegram to the brand's bot: open it,
    /// press Start. Good once, for 15 minutes.
    async fn connect_telegram(
        &self,
        ctx: &Context<'_>,
    ) -> crate::GqlResult<ConnectTelegramPayload> {
        let (url, expires_at) = telegram::link(services(ctx)?, request(ctx)?).await?;
        Ok(ConnectTelegramPayload { url, expires_at })
    }

    /// Stops notifications on Telegram: forgets the viewer's chat.
    async fn disconnect_telegram(
        &self,
        ctx: &Context<'_>,
    ) -> crate::GqlResult<DisconnectTelegramPayload> {
        let disconnected = telegram::disconnect(services(ctx)?, request(ctx)?).await?;
        Ok(DisconnectTelegramPayload { disconnected })
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

/// The outbox's queue, for operators.
#[derive(async_graphql::SimpleObject)]
pub struct OutboxQueue {
    /// Messages waiting to be sent (or being sent).
    pub pending: u64,
    /// Messages given up on (`outboxMessages(status: FAILED)` lists them).
    pub failed: u64,
    /// How long the oldest waiting message has waited; null when none waits.
    pub oldest_pending_age_seconds: Option<i64>,
}

/// The viewer's connected Telegram chat.
#[derive(async_graphql::SimpleObject)]
pub struct TelegramConnection {
    /// The Telegram `@username`, if the person has one.
    pub username: Option<String>,
    pub connected_at: chrono::DateTime<chrono::Utc>,
}

/// A brand's Telegram bot (its token is never shown).
#[derive(async_graphql::SimpleObject)]
pub struct TelegramBot {
    /// `@username` without the `@`: people open `t.me/<username>`.
    pub username: String,
    /// Updates arrive by webhook (else the server polls).
    pub use_webhook: bool,
}

impl From<telegram::BotInfo> for TelegramBot {
    fn from(b: telegram::BotInfo) -> Self {
        Self {
            username: b.username,
            use_webhook: b.use_webhook,
        }
    }
}

/// Input of `configureTelegramBot`.
#[derive(async_graphql::InputObject)]
pub struct ConfigureTelegramBotInput {
    /// The bot's token from @BotFather; none removes the bot.
    pub bot_token: Option<String>,
    /// Have Telegram post updates to the brand's host (needs a public HTTPS host).
    #[graphql(default = false)]
    pub use_webhook: bool,
}

/// Result of `configureTelegramBot`.
#[derive(async_graphql::SimpleObject)]
pub struct ConfigureTelegramBotPayload {
    /// The bot now set (null when removed).
    pub bot: Option<TelegramBot>,
}

/// Result of `connectTelegram`.
#[derive(async_graphql::SimpleObject)]
pub struct ConnectTelegramPayload {
    /// `https://t.me/<bot>?start=<one-time token>`.
    pub url: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Result of `disconnectTelegram`.
#[derive(async_graphql::SimpleObject)]
pub struct DisconnectTelegramPayload {
    /// Whether a chat was connected.
    pub disconnected: bool,
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
