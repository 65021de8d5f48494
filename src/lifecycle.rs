//! The process's life and how it ends without failing anyone (docs/reliability.md).
//!
//! On SIGTERM (or Ctrl-C) an instance:
//! 1. **drains**: `/readyz` answers 503 (`draining`) while every request is still served,
//!    for `SHUTDOWN_DRAIN_MS`, so the load balancer marks it down and sends new requests
//!    to the others;
//! 2. **closes**: it stops accepting connections, the requests in flight finish, each open
//!    WebSocket is closed with 1001 (going away; clients reconnect through the balancer,
//!    to an instance that is up), and the background workers finish the run they are in
//!    (a claimed outbox batch is sent and recorded, not left to its lease) and start no
//!    other;
//! 3. exits once all of that is done, or after `SHUTDOWN_GRACE_MS` at most.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio_util::task::TaskTracker;

/// Where the process is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Ready and serving.
    Serving,
    /// Still serving, but telling the load balancer it is going (`/readyz` 503).
    Draining,
    /// No new connections; sockets and workers are finishing.
    Closing,
}

/// The phase, shared by the HTTP layer and the workers, and the tasks a stop waits for
/// (WebSockets and workers).
#[derive(Debug, Clone)]
pub struct Lifecycle {
    phase: Arc<watch::Sender<Phase>>,
    tasks: TaskTracker,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self {
            phase: Arc::new(watch::channel(Phase::Serving).0),
            tasks: TaskTracker::new(),
        }
    }
}

impl Lifecycle {
    /// The current phase.
    pub fn phase(&self) -> Phase {
        *self.phase.borrow()
    }

    /// Moves on to `phase` (never back).
    pub fn enter(&self, phase: Phase) {
        self.phase.send_if_modified(|p| {
            let later = phase > *p;
            if later {
                *p = phase;
            }
            later
        });
    }

    /// Resolves once the process is closing.
    pub async fn closing(&self) {
        let mut rx = self.phase.subscribe();
        let _ = rx.wait_for(|p| *p == Phase::Closing).await;
    }

    /// Spawns a task the stop waits for (a worker that checks [`Lifecycle::closing`]
    /// between its runs).
    pub fn spawn<F>(&self, task: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        self.tasks.spawn(task);
    }

    /// Held by a task the stop waits for (an open WebSocket) while it lasts.
    pub fn hold(&self) -> tokio_util::task::task_tracker::TaskTrackerToken {
        self.tasks.token()
    }

    /// Closes (if not yet) and waits for the tracked tasks, `grace` at most; says
    /// whether they all finished.
    pub async fn finish(&self, grace: Duration) -> bool {
        self.enter(Phase::Closing);
        self.tasks.close();
        tokio::time::timeout(grace, self.tasks.wait()).await.is_ok()
    }

    /// How many tracked tasks (workers, open WebSockets) are running.
    pub fn running(&self) -> usize {
        self.tasks.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn phases_only_move_forward_and_a_stop_waits_for_held_tasks() {
        let life = Lifecycle::default();
        life.enter(Phase::Closing);
        life.enter(Phase::Draining);
        assert_eq!(life.phase(), Phase::Closing);

        let life = Lifecycle::default();
        let held = life.hold();
        let worker = life.clone();
        life.spawn(async move { worker.closing().await });
        assert_eq!(life.running(), 2);
        // The socket's holder has not let go: the stop gives up after its grace.
        assert!(!life.finish(Duration::from_millis(20)).await);
        drop(held);
        assert!(life.finish(Duration::from_secs(5)).await);
        assert_eq!(life.running(), 0);
    }
}
