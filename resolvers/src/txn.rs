//! Transactions that write. On SQLite they start with the write lock (`BEGIN IMMEDIATE`):
//! a deferred transaction that reads first and writes later fails at once with "database
//! is locked" when another writer got in between, instead of waiting its turn. PostgreSQL
//! ignores the option; there, row locks order concurrent writers.

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

/// Begins a transaction that will write.
pub async fn begin(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}
