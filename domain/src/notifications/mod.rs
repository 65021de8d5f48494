//! Notifications (SPEC §8): the events people are told of, who is told, on which channel,
//! and the bell.
//!
//! Events are written by the changes that cause them, in their transaction
//! (`kernel::events`). [`fanout`] turns each into one bell item per recipient and one
//! outbox message per recipient and channel (unique keys, so an event is fanned out once
//! however many instances try); [`notices`] emits the time-based line events for the
//! scheduler; [`settings`] holds each user's switches; [`bell`] is what the user reads;
//! [`delivery`] sends the outbox (email over SMTP) with retries; [`unsubscribe`] is the
//! one-click link of notification emails.

pub mod bell;
pub mod delivery;
pub mod fanout;
pub mod kinds;
pub mod live;
pub mod messages;
pub mod notices;
pub mod recipients;
pub mod settings;
pub mod telegram;
pub mod texts;
pub mod unsubscribe;

pub use kinds::{Channel, NotificationKind};
