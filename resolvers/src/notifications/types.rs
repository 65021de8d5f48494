//! The GraphQL types of notifications.

use async_graphql::{Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::notifications::settings::KindSettings;
use domain::notifications::{Channel, NotificationKind as Kind};
use entities::notification;

use crate::ids;

/// What a notification tells of.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum NotificationKind {
    /// A line expires in 7 days.
    LineExpiring,
    /// A line's time ran out.
    LineExpired,
    /// A channel of a line connected or disconnected.
    ChannelStatusChanged,
    /// A new lead nobody has taken (opt-in: the free-leads list).
    FreeLead,
    /// A new lead addressed to the viewer's partner (opt-in: the my-leads list).
    MyLead,
    /// A client joined the partner.
    ClientAttached,
    /// A client left the partner.
    ClientDetached,
    /// A client let the partner into their account.
    ConsentGranted,
    /// A client took the partner's access back.
    ConsentRevoked,
    /// A partner logged in to the viewer's account.
    ImpersonationStarted,
    /// A withdrawal of the partner's rewards changed state.
    WithdrawalStateChanged,
    /// An order was paid.
    OrderPaid,
    /// A card payment arrived for an order that could no longer take it (cancelled,
    /// expired or paid another way) and is being refunded (the payer).
    PaymentRefunded,
    /// A custom domain of the brand was verified, was not proven in time, or lost its
    /// TXT record (the brand's admins).
    CustomDomain,
    /// A withdrawal's documents are due within three days (`RU_BANK` paperwork; the
    /// partner).
    WithdrawalDocumentsDue,
    /// A withdrawal's step missed its deadline (`RU_BANK` paperwork; the brand's admins).
    WithdrawalOverdue,
}

impl From<Kind> for NotificationKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::LineExpiring => Self::LineExpiring,
            Kind::LineExpired => Self::LineExpired,
            Kind::ChannelStatusChanged => Self::ChannelStatusChanged,
            Kind::FreeLead => Self::FreeLead,
            Kind::MyLead => Self::MyLead,
            Kind::ClientAttached => Self::ClientAttached,
            Kind::ClientDetached => Self::ClientDetached,
            Kind::ConsentGranted => Self::ConsentGranted,
            Kind::ConsentRevoked => Self::ConsentRevoked,
            Kind::ImpersonationStarted => Self::ImpersonationStarted,
            Kind::WithdrawalStateChanged => Self::WithdrawalStateChanged,
            Kind::OrderPaid => Self::OrderPaid,
            Kind::PaymentRefunded => Self::PaymentRefunded,
            Kind::CustomDomain => Self::CustomDomain,
            Kind::WithdrawalDocumentsDue => Self::WithdrawalDocumentsDue,
            Kind::WithdrawalOverdue => Self::WithdrawalOverdue,
        }
    }
}

impl From<NotificationKind> for Kind {
    fn from(k: NotificationKind) -> Self {
        use NotificationKind as G;
        match k {
            G::LineExpiring => Kind::LineExpiring,
            G::LineExpired => Kind::LineExpired,
            G::ChannelStatusChanged => Kind::ChannelStatusChanged,
            G::FreeLead => Kind::FreeLead,
            G::MyLead => Kind::MyLead,
            G::ClientAttached => Kind::ClientAttached,
            G::ClientDetached => Kind::ClientDetached,
            G::ConsentGranted => Kind::ConsentGranted,
            G::ConsentRevoked => Kind::ConsentRevoked,
            G::ImpersonationStarted => Kind::ImpersonationStarted,
            G::WithdrawalStateChanged => Kind::WithdrawalStateChanged,
            G::OrderPaid => Kind::OrderPaid,
            G::PaymentRefunded => Kind::PaymentRefunded,
            G::CustomDomain => Kind::CustomDomain,
            G::WithdrawalDocumentsDue => Kind::WithdrawalDocumentsDue,
            G::WithdrawalOverdue => Kind::WithdrawalOverdue,
        }
    }
}

/// A way of telling.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum NotificationChannel {
    /// The in-app bell (pushed over WebSocket).
    Bell,
    /// Email to the account's address.
    Email,
    /// The tenant's Telegram bot, once the user connected it.
    Telegram,
}

impl From<NotificationChannel> for Channel {
    fn from(c: NotificationChannel) -> Self {
        match c {
            NotificationChannel::Bell => Channel::Bell,
            NotificationChannel::Email => Channel::Email,
            NotificationChannel::Telegram => Channel::Telegram,
        }
    }
}

/// An in-app notification.
pub struct Notification(pub notification::Model);

#[Object]
impl Notification {
    /// The global id.
    async fn id(&self) -> ID {
        ids::encode(ids::Kind::Notification, self.0.id)
    }
    /// What it tells of.
    async fn kind(&self) -> Option<NotificationKind> {
        Kind::parse(&self.0.kind).map(Into::into)
    }
    /// One line, such as "Line 10003 expires in 7 days".
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The details: the client's account number and email, the line, organization and
    /// space where they apply; one per line.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// Where to look, on the tenant's primary host.
    async fn link(&self) -> Option<&str> {
        self.0.link.as_deref()
    }
    /// The event's details, as a JSON object (ids are row ids).
    async fn payload(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(serde_json::from_str(&self.0.payload).unwrap_or_default())
    }
    /// When.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was read.
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.0.read_at
    }
    /// Whether it was read.
    async fn read(&self) -> bool {
        self.0.read_at.is_some()
    }
}

/// One kind's switches.
#[derive(SimpleObject)]
pub struct NotificationKindSettings {
    /// The kind.
    pub kind: NotificationKind,
    /// In the bell.
    pub bell: bool,
    /// By email.
    pub email: bool,
    /// By Telegram (delivered once Telegram is connected).
    pub telegram: bool,
    /// Off on every channel until the user turns it on (the lead lists).
    pub opt_in: bool,
}

/// The viewer's notification settings.
#[derive(SimpleObject)]
pub struct NotificationSettings {
    /// Every kind, each channel on or off.
    pub kinds: Vec<NotificationKindSettings>,
}

impl NotificationSettings {
    /// The settings of the domain's answer.
    pub fn new(kinds: Vec<KindSettings>) -> Self {
        Self {
            kinds: kinds
                .into_iter()
                .map(|k| NotificationKindSettings {
                    kind: k.kind.into(),
                    bell: k.bell,
                    email: k.email,
                    telegram: k.telegram,
                    opt_in: k.kind.opt_in(),
                })
                .collect(),
        }
    }
}

/// One change of `updateNotificationSettings`.
#[derive(InputObject)]
pub struct NotificationSettingInput {
    /// The kind.
    pub kind: NotificationKind,
    /// The channel; none: every channel of the kind.
    pub channel: Option<NotificationChannel>,
    /// On or off.
    pub enabled: bool,
}

/// Input of `updateNotificationSettings`.
#[derive(InputObject)]
pub struct UpdateNotificationSettingsInput {
    /// The changes, applied together.
    pub settings: Vec<NotificationSettingInput>,
}

/// Input of `markNotificationsRead`: `ids` or `all`.
#[derive(InputObject)]
pub struct MarkNotificationsReadInput {
    /// These notifications (the viewer's own; others' change nothing).
    pub ids: Option<Vec<ID>>,
    /// Every notification of the viewer.
    #[graphql(default = false)]
    pub all: bool,
}

/// Result of `markNotificationsRead`.
#[derive(SimpleObject)]
pub struct MarkNotificationsReadPayload {
    /// How many were unread and are now read.
    pub marked: u64,
    /// How many are still unread.
    pub unread_count: u64,
}

/// `User.notifications`: the bell on the viewer's own account (kept for frontends written
/// before the `notifications` connection).
pub struct UserNotifications(pub std::sync::Arc<entities::user::Model>);

#[Object]
impl UserNotifications {
    /// In-app notifications, newest first, at most 100 (own account only). The
    /// `notifications` query pages through all of them.
    async fn notifications(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> crate::GqlResult<Vec<Notification>> {
        let req = crate::identity::types::own_request(ctx, &self.0)?;
        let page =
            domain::notifications::bell::page(crate::services(ctx)?, req, false, Some(100), None)
                .await?;
        Ok(page
            .rows
            .into_iter()
            .map(|(_, n)| Notification(n))
            .collect())
    }
}
