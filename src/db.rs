//! Opening the database and applying migrations. SQLite (a file, created on first use) is
//! the default; a `postgres://` URL selects PostgreSQL.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection};

/// Counts the SQL statements a connection pool runs (all of its clones and transactions).
/// Tests use it to prove that a request's statement count does not grow with its input.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    /// Statements run so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Opens a pool. For SQLite the file's directory is created and write-ahead logging is
/// switched on so readers do not block the writer.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    Ok(connect_counted(url).await?.0)
}

/// Opens a pool whose statements are counted.
pub async fn connect_counted(url: &str) -> anyhow::Result<(DatabaseConnection, StatementCounter)> {
    if let Some(path) = sqlite_path(url)
        && let Some(dir) = std::path::Path::new(&path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the database directory {}", dir.display()))?;
    }
    let mut opts = ConnectOptions::new(url.to_string());
    opts.max_connections(if url.starts_with("sqlite") { 8 } else { 20 })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let mut db = Database::connect(opts)
        .await
        .context("connecting to the database (check DATABASE_URL)")?;
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode=WAL;").await?;
    }
    let counter = StatementCounter::default();
    let c = counter.0.clone();
    // `PRINT_SQL=1` prints every statement to stderr (for finding extra round trips).
    let print = std::env::var_os("PRINT_SQL").is_some();
    db.set_metric_callback(move |m| {
        if print {
            eprintln!("SQL: {}", m.statement);
        }
        c.fetch_add(1, Ordering::Relaxed);
    });
    Ok((db, counter))
}

fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| path.to_string())
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.context("applying migrations")
}
