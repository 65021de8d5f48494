//! What people are told of, and on which channels by default.
//!
//! Defaults follow the seed: the bell is on; email is on for line and money events (and
//! for the security notice that a partner logged in as you); Telegram is on for the same
//! kinds as the bell, once connected. Lead notices are opt-in, one switch per list (free
//! leads, my leads): every channel is off until the user turns the list on. A brand's
//! custom-domain notices go to its admins on every channel: a lost record is worth a mail.

/// A kind of notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NotificationKind {
    LineExpiring,
    LineExpired,
    ChannelStatusChanged,
    FreeLead,
    MyLead,
    ClientAttached,
    ClientDetached,
    ConsentGranted,
    ConsentRevoked,
    ImpersonationStarted,
    WithdrawalStateChanged,
    OrderPaid,
    /// A card payment the order could not take is refunded (its payer).
    PaymentRefunded,
    /// A custom domain of the brand was verified, failed, or lost its record (admins).
    CustomDomain,
    /// A withdrawal's documents are due soon (its partner).
    WithdrawalDocumentsDue,
    /// A withdrawal's step missed its deadline (the brand's admins).
    WithdrawalOverdue,
}

/// Every kind, in the order settings list them.
pub const ALL: [NotificationKind; 16] = [
    NotificationKind::LineExpiring,
    NotificationKind::LineExpired,
    NotificationKind::ChannelStatusChanged,
    NotificationKind::OrderPaid,
    NotificationKind::PaymentRefunded,
    NotificationKind::WithdrawalStateChanged,
    NotificationKind::WithdrawalDocumentsDue,
    NotificationKind::WithdrawalOverdue,
    NotificationKind::ClientAttached,
    NotificationKind::ClientDetached,
    NotificationKind::ConsentGranted,
    NotificationKind::ConsentRevoked,
    NotificationKind::ImpersonationStarted,
    NotificationKind::FreeLead,
    NotificationKind::MyLead,
    NotificationKind::CustomDomain,
];

/// A way of telling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    Bell,
    Email,
    Telegram,
}

/// Every channel.
pub const CHANNELS: [Channel; 3] = [Channel::Bell, Channel::Email, Channel::Telegram];

impl Channel {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Bell => "BELL",
            Channel::Email => "EMAIL",
            Channel::Telegram => "TELEGRAM",
        }
    }

    /// The channel stored as `s`.
    pub fn parse(s: &str) -> Option<Self> {
        CHANNELS.into_iter().find(|c| c.as_str() == s)
    }
}

impl NotificationKind {
    /// The stored (and GraphQL) name.
    pub fn as_str(self) -> &'static str {
        use NotificationKind::*;
        match self {
            LineExpiring => "LINE_EXPIRING",
            LineExpired => "LINE_EXPIRED",
            ChannelStatusChanged => "CHANNEL_STATUS_CHANGED",
            FreeLead => "FREE_LEAD",
            MyLead => "MY_LEAD",
            ClientAttached => "CLIENT_ATTACHED",
            ClientDetached => "CLIENT_DETACHED",
            ConsentGranted => "CONSENT_GRANTED",
            ConsentRevoked => "CONSENT_REVOKED",
            ImpersonationStarted => "IMPERSONATION_STARTED",
            WithdrawalStateChanged => "WITHDRAWAL_STATE_CHANGED",
            OrderPaid => "ORDER_PAID",
            PaymentRefunded => "PAYMENT_REFUNDED",
            CustomDomain => "CUSTOM_DOMAIN",
            WithdrawalDocumentsDue => "WITHDRAWAL_DOCUMENTS_DUE",
            WithdrawalOverdue => "WITHDRAWAL_OVERDUE",
        }
    }

    /// The kind stored as `s`.
    pub fn parse(s: &str) -> Option<Self> {
        ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind a domain event is told as; `None` for events nobody is told of.
    pub fn for_event(event: &str) -> Option<Self> {
        use crate::kernel::events::kind as ev;
        use NotificationKind::*;
        Some(match event {
            ev::LINE_EXPIRING => LineExpiring,
            ev::LINE_EXPIRED => LineExpired,
            ev::CHANNEL_STATUS_CHANGED => ChannelStatusChanged,
            ev::LEAD_FREE => FreeLead,
            ev::LEAD_ADDRESSED => MyLead,
            ev::CLIENT_ATTACHED => ClientAttached,
            ev::CLIENT_DETACHED => ClientDetached,
            ev::CONSENT_GRANTED => ConsentGranted,
            ev::CONSENT_REVOKED => ConsentRevoked,
            ev::IMPERSONATION_STARTED => ImpersonationStarted,
            ev::WITHDRAWAL_STATE_CHANGED => WithdrawalStateChanged,
            ev::ORDER_PAID => OrderPaid,
            ev::PAYMENT_REFUND_DUE => PaymentRefunded,
            ev::WITHDRAWAL_DOCUMENTS_DUE => WithdrawalDocumentsDue,
            ev::WITHDRAWAL_OVERDUE => WithdrawalOverdue,
            ev::DOMAIN_VERIFIED
            | ev::DOMAIN_VERIFICATION_FAILED
            | ev::DOMAIN_RECORD_LOST
            | ev::DOMAIN_EXPIRED => CustomDomain,
            _ => return None,
        })
    }

    /// Lead lists: opt-in, one switch per list.
    pub fn opt_in(self) -> bool {
        matches!(self, NotificationKind::FreeLead | NotificationKind::MyLead)
    }

    /// About money: only those who see the partner's money are told.
    pub fn money(self) -> bool {
        matches!(
            self,
            NotificationKind::WithdrawalStateChanged
                | NotificationKind::WithdrawalDocumentsDue
                | NotificationKind::WithdrawalOverdue
                | NotificationKind::OrderPaid
                | NotificationKind::PaymentRefunded
        )
    }

    /// Security notices: sent whatever the list headers say about unsubscribing.
    pub fn security(self) -> bool {
        self == NotificationKind::ImpersonationStarted
    }

    /// Whether `channel` is on for a user who changed nothing.
    pub fn default_on(self, channel: Channel) -> bool {
        use NotificationKind::*;
        if self.opt_in() {
            return false;
        }
        match channel {
            Channel::Bell | Channel::Telegram => true,
            Channel::Email => matches!(
                self,
                LineExpiring
                    | LineExpired
                    | WithdrawalStateChanged
                    | WithdrawalDocumentsDue
                    | WithdrawalOverdue
                    | OrderPaid
                    | PaymentRefunded
                    | ImpersonationStarted
                    | CustomDomain
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_defaults_follow_the_seed() {
        for k in ALL {
            assert_eq!(NotificationKind::parse(k.as_str()), Some(k));
            assert_eq!(k.default_on(Channel::Bell), !k.opt_in());
        }
        for c in CHANNELS {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
            assert!(!NotificationKind::FreeLead.default_on(c));
            assert!(!NotificationKind::MyLead.default_on(c));
        }
        assert!(NotificationKind::LineExpiring.default_on(Channel::Email));
        assert!(!NotificationKind::ClientAttached.default_on(Channel::Email));
        assert!(NotificationKind::ClientAttached.default_on(Channel::Telegram));
        assert!(NotificationKind::CustomDomain.default_on(Channel::Email));
    }
}
