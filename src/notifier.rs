//! The notification workers in the server, each every `NOTIFY_INTERVAL_MS`:
//! - the fan-out turns pending domain events into bell items and outbox messages
//!   (`domain::notifications::fanout`);
//! - the delivery sends due outbox messages and records how it went
//!   (`domain::notifications::delivery`).
//!
//! They run as two tasks, so a slow mail server never delays the bell. Both claim their
//! rows in the database, so any number of instances may run them. `run-jobs --once` runs
//! each once after the jobs.

use std::future::Future;
use std::time::Duration;

use domain::notifications::delivery::{self, Delivered};
use domain::notifications::fanout::{self, FannedOut};

use crate::AppState;
use crate::lifecycle::Lifecycle;

/// Fans out what is pending once.
pub async fn fan_out_once(state: &AppState) -> anyhow::Result<FannedOut> {
    fanout::run(&state.services)
        .await
        .map_err(|e| anyhow::anyhow!("fan-out failed: {} ({})", e.message(), e.code()))
}

/// Reads the polling Telegram bots' updates (people connecting), then sends what is due
/// once.
pub async fn deliver_once(state: &AppState) -> anyhow::Result<Delivered> {
    if let Err(e) = domain::notifications::telegram::poll(&state.services).await {
        tracing::warn!(error = %e.message(), "telegram polling failed");
    }
    delivery::run(&state.services)
        .await
        .map_err(|e| anyhow::anyhow!("delivery failed: {} ({})", e.message(), e.code()))
}

/// Runs `run` every `period` until the process stops: a stop lets the run in progress
/// finish and starts no other (src/lifecycle.rs).
pub(crate) fn every<F, Fut>(life: &Lifecycle, name: &'static str, period: Duration, mut run: F)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let stop = life.clone();
    life.spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                () = stop.closing() => return,
                _ = tick.tick() => {}
            }
            if let Err(e) = run().await {
                tracing::warn!(worker = name, error = %format!("{e:#}"), "worker run failed");
            }
        }
    });
}

/// Runs both workers every `period` until the process stops; a failed run is logged and
/// the next tick tries again.
pub fn spawn(state: AppState, period: Duration) {
    if period.is_zero() {
        tracing::info!("notification workers off (NOTIFY_INTERVAL_MS=0)");
        return;
    }
    let life = state.lifecycle.clone();
    let s = state.clone();
    every(&life, "fan-out", period, move || {
        let s = s.clone();
        async move {
            let done = fan_out_once(&s).await?;
            if done.events > 0 {
                tracing::debug!(
                    events = done.events,
                    bell = done.bell.len(),
                    messages = done.messages,
                    "events fanned out"
                );
            }
            Ok(())
        }
    });
    every(&life, "delivery", period, move || {
        let s = state.clone();
        async move {
            let done = deliver_once(&s).await?;
            if done != Delivered::default() {
                tracing::debug!(
                    sent = done.sent,
                    retrying = done.retrying,
                    failed = done.failed,
                    "outbox delivered"
                );
            }
            Ok(())
        }
    });
}
