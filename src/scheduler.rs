//! The scheduler in the server: every `SCHEDULER_INTERVAL_SECS` it runs the due jobs
//! (`domain::jobs`), which are claimed per job in the database, so any number of
//! instances may run it. `run-jobs --once` runs the same thing once.

use std::time::Duration;

use crate::AppState;

/// Runs what is due once and reports it.
pub async fn run_once(state: &AppState) -> anyhow::Result<Vec<domain::jobs::Ran>> {
    domain::jobs::run_due(&state.services)
        .await
        .map_err(|e| anyhow::anyhow!("a job failed: {} ({})", e.message(), e.code()))
}

/// Runs due jobs every `every` until the process stops; a failed run is logged and the
/// next tick tries again.
pub fn spawn(state: AppState, every: Duration) {
    if every.is_zero() {
        tracing::info!("scheduler off (SCHEDULER_INTERVAL_SECS=0)");
        return;
    }
    let life = state.lifecycle.clone();
    crate::notifier::every(&life, "scheduler", every, move || {
        let state = state.clone();
        async move {
            for r in run_once(&state).await?.iter().filter(|r| r.items > 0) {
                tracing::info!(job = r.job, items = r.items, "job ran");
            }
            Ok(())
        }
    });
}
