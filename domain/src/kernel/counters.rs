//! Per-tenant human numbers (account, line, order and invoice numbers), taken from
//! `tenant_counters` with `UPDATE .. SET value = value + 1 .. RETURNING value` in the
//! caller's transaction: the row lock orders concurrent takers on PostgreSQL and the write
//! lock does on SQLite, so a number is never handed out twice, and a rolled-back
//! transaction gives its number back.

use sea_orm::ConnectionTrait;

use crate::kernel::sql::statement;

use crate::kernel::error::{ApiError, ApiResult};

/// A sequence of numbers, each tenant counting on its own.
#[derive(Debug, Clone, Copy)]
pub struct Counter {
    pub name: &'static str,
    /// The number before the first one handed out.
    pub start: i64,
}

/// Account numbers ("ID личного кабинета"), six digits from 100001.
pub const ACCOUNT: Counter = Counter {
    name: "account",
    start: 100_000,
};
/// Line numbers, from 10001.
pub const LINE: Counter = Counter {
    name: "line",
    start: 10_000,
};
/// Order numbers, from 1001.
pub const ORDER: Counter = Counter {
    name: "order",
    start: 1_000,
};
/// Withdrawal numbers, from 1.
pub const WITHDRAWAL: Counter = Counter {
    name: "withdrawal",
    start: 0,
};
/// Invoice numbers, from 1.
pub const INVOICE: Counter = Counter {
    name: "invoice",
    start: 0,
};

/// Lead numbers, from 1.
pub const LEAD: Counter = Counter {
    name: "lead",
    start: 0,
};

/// The next number of `counter` on `tenant_id`.
pub async fn next(db: &impl ConnectionTrait, tenant_id: i64, counter: Counter) -> ApiResult<i64> {
    let bump = || {
        statement(
            db,
            "UPDATE tenant_counters SET value = value + 1 \
             WHERE tenant_id = ? AND name = ? RETURNING value",
            vec![tenant_id.into(), counter.name.into()],
        )
    };
    if let Some(row) = db.query_one_raw(bump()).await? {
        return Ok(row.try_get_by_index::<i64>(0)?);
    }
    db.execute_raw(statement(
        db,
        "INSERT INTO tenant_counters (tenant_id, name, value) VALUES (?, ?, ?) \
         ON CONFLICT DO NOTHING",
        vec![tenant_id.into(), counter.name.into(), counter.start.into()],
    ))
    .await?;
    let row = db
        .query_one_raw(bump())
        .await?
        .ok_or_else(|| ApiError::internal("tenant counter missing after insert"))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}
