//! What every domain uses: the error type and its codes, write transactions (with the
//! impersonation audit at commit), writing audit entries, input validation, bounded
//! password hashing, message catalogs (`i18n`), branded emails into the outbox, links to a tenant's frontend, and
//! the shared services.

pub mod audit;
pub mod card;
pub mod clock;
pub mod counters;
pub mod dns;
pub mod emails;
pub mod error;
pub mod events;
pub mod i18n;
pub mod idempotency;
pub mod ids;
pub mod letters;
pub mod links;
pub mod live;
pub mod mail;
pub mod page;
pub mod password;
pub mod patch;
pub mod ratelimit;
pub mod rows;
pub mod sealed;
pub mod services;
pub mod sql;
pub mod telegram;
pub mod txn;
pub mod validate;
