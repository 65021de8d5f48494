//! The time operations go by. The system clock in production; tests freeze or move it
//! (`set`, `advance`) instead of sleeping. Clones share one clock.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, Utc};

/// A clock that can be frozen for tests.
#[derive(Clone, Default)]
pub struct Clock(Arc<RwLock<Option<DateTime<Utc>>>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// Now, at microsecond precision (what storage keeps).
    pub fn now(&self) -> DateTime<Utc> {
        match *self.0.read().unwrap_or_else(|e| e.into_inner()) {
            Some(t) => t,
            None => entities::time::now(),
        }
    }

    /// Freezes the clock at `at` (`None` returns to the system clock).
    pub fn set(&self, at: Option<DateTime<Utc>>) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = at.map(entities::time::truncate);
    }

    /// Moves a frozen clock forward (freezing it at now first if it was running).
    pub fn advance(&self, by: Duration) {
        let next = self.now() + by;
        self.set(Some(next));
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Clock").field(&self.now()).finish()
    }
}
