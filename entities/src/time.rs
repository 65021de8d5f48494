//! Time as stored. PostgreSQL keeps microseconds while SQLite keeps whatever text it is
//! given, so every timestamp written goes through [`now`] or [`truncate`] and reads back
//! identical on both backends.

use chrono::{DateTime, SubsecRound, Utc};

/// The current time at microsecond precision.
pub fn now() -> DateTime<Utc> {
    truncate(Utc::now())
}

/// Drops sub-microsecond precision so a stored value compares equal after a round trip.
pub fn truncate(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}
