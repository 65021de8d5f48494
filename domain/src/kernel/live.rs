//! Live signals to open WebSockets: "user U of tenant T has something new in the bell".
//!
//! Each instance keeps one in-memory broadcast channel that its subscriptions read. On
//! PostgreSQL the signal travels through `NOTIFY pgw_bell` written in the transaction that
//! writes the bell items, so every instance (the writer included) hears it when, and only
//! if, the transaction commits, and pushes it to its own sockets. A signal is only a
//! nudge: a subscription then reads the user's rows newer than the last it sent, so a
//! signal lost while a listener reconnects delays items until the next one, and never
//! sends an item twice. On SQLite there is one instance: the signal is sent in memory
//! after the commit.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement};
use tokio::sync::broadcast;

/// The PostgreSQL channel.
pub const CHANNEL: &str = "pgw_bell";

/// Someone has new bell items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rang {
    pub tenant_id: i64,
    pub user_id: i64,
}

/// This instance's hub; clones share it.
#[derive(Clone)]
pub struct Live {
    tx: broadcast::Sender<Rang>,
    subscriptions: tokio::sync::watch::Sender<u64>,
}

impl Default for Live {
    fn default() -> Self {
        Self {
            tx: broadcast::channel(1024).0,
            subscriptions: tokio::sync::watch::channel(0).0,
        }
    }
}

impl Live {
    /// A receiver of every signal from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Rang> {
        self.tx.subscribe()
    }

    /// Queues the signals in the transaction writing the bell items (PostgreSQL); a no-op
    /// on SQLite, where [`Live::after_commit`] sends them.
    pub async fn notify_in(&self, db: &impl ConnectionTrait, rangs: &[Rang]) -> Result<(), DbErr> {
        if db.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let mut seen = std::collections::HashSet::new();
        for r in rangs.iter().filter(|r| seen.insert(**r)) {
            db.execute_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [
                    CHANNEL.into(),
                    format!("{}:{}", r.tenant_id, r.user_id).into(),
                ],
            ))
            .await?;
        }
        Ok(())
    }

    /// Sends the signals in memory after the commit (SQLite); on PostgreSQL the listener
    /// does it when the `NOTIFY` arrives.
    pub fn after_commit(&self, backend: DatabaseBackend, rangs: &[Rang]) {
        if backend == DatabaseBackend::Postgres {
            return;
        }
        for r in rangs {
            let _ = self.tx.send(*r);
        }
    }

    /// Listens for other instances' signals (PostgreSQL), reconnecting when the
    /// connection drops. A no-op on SQLite.
    pub fn spawn_listener(&self, db: DatabaseConnection) {
        if db.get_database_backend() != DatabaseBackend::Postgres {
            return;
        }
        let live = self.clone();
        tokio::spawn(async move { live.listen(db).await });
    }

    /// Waits until the listener has subscribed (PostgreSQL; at once on SQLite).
    pub async fn subscribed(&self, backend: DatabaseBackend) {
        if backend != DatabaseBackend::Postgres {
            return;
        }
        let mut rx = self.subscriptions.subscribe();
        let _ = rx.wait_for(|n| *n > 0).await;
    }

    async fn listen(&self, db: DatabaseConnection) {
        use sea_orm::sqlx::postgres::PgListener;
        loop {
            let pool = db.get_postgres_connection_pool();
            let mut listener = match PgListener::connect_with(pool).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "bell listener could not connect");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    continue;
                }
            };
            if let Err(e) = listener.listen(CHANNEL).await {
                tracing::warn!(error = %e, "bell listener could not subscribe");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
            self.subscriptions.send_modify(|n| *n += 1);
            loop {
                match listener.recv().await {
                    Ok(n) => {
                        if let Some((t, u)) = n.payload().split_once(':')
                            && let (Ok(tenant_id), Ok(user_id)) = (t.parse(), u.parse())
                        {
                            let _ = self.tx.send(Rang { tenant_id, user_id });
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "bell listener dropped");
                        break;
                    }
                }
            }
        }
    }
}
