//! Transactions that write. On SQLite they start with the write lock (`BEGIN IMMEDIATE`):
//! a deferred transaction that reads first and writes later fails at once with "database
//! is locked" when another writer got in between, instead of waiting its turn. PostgreSQL
//! ignores the option; there, row locks order concurrent writers.
//!
//! Every write transaction of a request ends with [`commit`], which, when the request is
//! made with an impersonation token, first writes the `impersonation.mutation` audit entry
//! naming both people. The entry is part of the change: if it cannot be written, nothing
//! commits.

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use serde_json::json;
use tenants::RequestCtx;

use crate::kernel::audit::{self, Target};
use crate::kernel::error::ApiResult;

/// Begins a transaction that will write.
pub async fn begin(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Commits a request's write transaction, auditing it first if the request acts on a
/// client's behalf.
pub async fn commit(txn: DatabaseTransaction, req: &RequestCtx) -> ApiResult<()> {
    if let Some(me) = req.viewer.user().filter(|u| u.impersonator.is_some()) {
        audit::record(
            &txn,
            req,
            None,
            audit::action::IMPERSONATION_MUTATION,
            Target::User(me.user_id),
            None,
            json!({
                "operation": req.operation.name,
                "fields": req.operation.fields,
            }),
        )
        .await?;
    }
    txn.commit().await?;
    req.memberships.forget();
    Ok(())
}
