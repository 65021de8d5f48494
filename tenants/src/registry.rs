//! The in-memory map from host to tenant. Requests resolve their tenant here without a
//! database query; the map is rebuilt from the database at start and after every change,
//! and on PostgreSQL a `NOTIFY` tells the other instances to rebuild theirs.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use entities::{tenant, tenant_domain};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait, Statement,
};

/// The channel on which instances announce tenant and domain changes.
pub const CHANGE_CHANNEL: &str = "pgw_tenants_changed";

/// A tenant as resolved for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantInfo {
    /// Shared, so a request's `tenant` answer reads it without copying its strings.
    pub model: Arc<tenant::Model>,
    /// The host that links in emails and referral URLs use.
    pub primary_host: Option<String>,
}

impl TenantInfo {
    pub fn id(&self) -> i64 {
        self.model.id
    }
}

#[derive(Default)]
struct Snapshot {
    by_host: HashMap<String, Arc<TenantInfo>>,
    by_id: HashMap<i64, Arc<TenantInfo>>,
}

/// Host -> tenant, swapped atomically on reload so readers never wait.
#[derive(Clone, Default)]
pub struct TenantRegistry {
    inner: Arc<ArcSwap<Snapshot>>,
    /// How many times the listener has subscribed (and reloaded after subscribing).
    subscriptions: Arc<tokio::sync::watch::Sender<u64>>,
}

impl TenantRegistry {
    /// Loads every tenant and its verified domains.
    pub async fn load(db: &DatabaseConnection) -> Result<Self, DbErr> {
        let registry = Self::default();
        registry.reload(db).await?;
        Ok(registry)
    }

    /// Rebuilds the map from the database.
    pub async fn reload(&self, db: &DatabaseConnection) -> Result<(), DbErr> {
        let tenants = tenant::Entity::find().all(db).await?;
        let domains = tenant_domain::Entity::find().all(db).await?;
        let mut primary: HashMap<i64, String> = HashMap::new();
        for d in domains
            .iter()
            .filter(|d| d.is_primary && d.status == tenant_domain::STATUS_VERIFIED)
        {
            primary.insert(d.tenant_id, d.host.clone());
        }
        let mut snap = Snapshot::default();
        for t in tenants {
            let info = Arc::new(TenantInfo {
                primary_host: primary.remove(&t.id),
                model: Arc::new(t),
            });
            snap.by_id.insert(info.id(), info);
        }
        for d in domains {
            if d.status != tenant_domain::STATUS_VERIFIED {
                continue;
            }
            if let Some(info) = snap.by_id.get(&d.tenant_id) {
                snap.by_host.insert(d.host, info.clone());
            }
        }
        self.inner.store(Arc::new(snap));
        Ok(())
    }

    /// The tenant a normalised host belongs to, if the host is verified.
    pub fn resolve(&self, host: &str) -> Option<Arc<TenantInfo>> {
        self.inner.load().by_host.get(host).cloned()
    }

    /// A tenant by id, as of the last reload.
    pub fn by_id(&self, id: i64) -> Option<Arc<TenantInfo>> {
        self.inner.load().by_id.get(&id).cloned()
    }

    /// Queues the change notice in the transaction that changes tenants or domains:
    /// PostgreSQL delivers a `NOTIFY` to every listening instance when, and only if, the
    /// transaction commits. A no-op on SQLite.
    pub async fn notify_in(&self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        if db.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_raw(Statement::from_string(
                DatabaseBackend::Postgres,
                format!("NOTIFY {CHANGE_CHANNEL}"),
            ))
            .await?;
        }
        Ok(())
    }

    /// Rebuilds this instance's map after a committed change. A failure is logged, not
    /// returned: the change is committed (reporting it as failed would invite a retry of
    /// something that happened), other instances were notified by the commit, and the
    /// periodic refresher rebuilds this map shortly.
    pub async fn refresh_after_commit(&self, db: &DatabaseConnection) {
        if let Err(e) = self.reload(db).await {
            tracing::error!(error = %e, "tenant registry reload after a committed change failed; the refresher will retry");
        }
    }

    /// Rebuilds this instance's map and tells the other instances to rebuild theirs.
    /// For changes made outside a request (the demo seed).
    pub async fn changed(&self, db: &DatabaseConnection) -> Result<(), DbErr> {
        self.reload(db).await?;
        self.notify_in(db).await
    }

    /// Waits until the change listener has subscribed (PostgreSQL) and made its catch-up
    /// reload: from then on, changes reach this instance by notification. Tests use it so
    /// that a change made afterwards can only arrive by `NOTIFY`.
    pub async fn subscribed(&self) {
        let mut rx = self.subscriptions.subscribe();
        let _ = rx.wait_for(|n| *n > 0).await;
    }

    /// How many times the listener has subscribed (a reconnect subscribes again).
    pub fn subscription_count(&self) -> u64 {
        *self.subscriptions.borrow()
    }

    /// Keeps this instance's map current: on PostgreSQL it listens for other instances'
    /// notices; on every backend it also reloads every `every` as a safety net for a missed
    /// notice (a dropped listener connection).
    pub fn spawn_refresher(&self, db: DatabaseConnection, every: Duration) {
        let registry = self.clone();
        if db.get_database_backend() == DatabaseBackend::Postgres {
            let registry = registry.clone();
            let db = db.clone();
            tokio::spawn(async move { registry.listen(db).await });
        }
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = registry.reload(&db).await {
                    tracing::warn!(error = %e, "periodic tenant reload failed");
                }
            }
        });
    }

    async fn listen(&self, db: DatabaseConnection) {
        use sea_orm::sqlx::postgres::PgListener;
        loop {
            let pool = db.get_postgres_connection_pool();
            let mut listener = match PgListener::connect_with(pool).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "tenant change listener could not connect");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    continue;
                }
            };
            if let Err(e) = listener.listen(CHANGE_CHANNEL).await {
                tracing::warn!(error = %e, "tenant change listener could not subscribe");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
            // Anything missed while (re)connecting is picked up here.
            if let Err(e) = self.reload(&db).await {
                tracing::warn!(error = %e, "tenant reload failed");
            }
            self.subscriptions.send_modify(|n| *n += 1);
            loop {
                match listener.recv().await {
                    Ok(_) => {
                        if let Err(e) = self.reload(&db).await {
                            tracing::warn!(error = %e, "tenant reload failed");
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "tenant change listener dropped");
                        break;
                    }
                }
            }
        }
    }
}
