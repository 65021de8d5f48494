//! The notification worker in the server: every `NOTIFY_INTERVAL_MS` it fans out the
//! pending domain events into bell items and outbox messages
//! (`domain::notifications::fanout`). Events are claimed per row in the database, so any
//! number of instances may run it. `run-jobs --once` runs it once after the jobs.

use std::time::Duration;

use domain::notifications::fanout::{self, FannedOut};

use crate::AppState;

/// Fans out what is pending once.
pub async fn run_once(state: &AppState) -> anyhow::Result<FannedOut> {
    fanout::run(&state.services)
        .await
        .map_err(|e| anyhow::anyhow!("fan-out failed: {} ({})", e.message(), e.code()))
}

/// Runs the worker every `every` until the process ends; a failed run is logged and the
/// next tick tries again.
pub fn spawn(state: AppState, every: Duration) {
    if every.is_zero() {
        tracing::info!("notification worker off (NOTIFY_INTERVAL_MS=0)");
        return;
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_once(&state).await {
                Ok(done) if done.events > 0 => tracing::debug!(
                    events = done.events,
                    bell = done.bell.len(),
                    messages = done.messages,
                    "events fanned out"
                ),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "notification worker run failed")
                }
            }
        }
    });
}
