//! Idempotency keys of money mutations (`createOrder`, `payOrder`, and every later one),
//! scoped to the tenant, the user and the operation, kept for [`KEEP`].
//!
//! The key is claimed first thing in the operation's transaction with
//! `INSERT .. ON CONFLICT DO NOTHING`: on PostgreSQL a concurrent retry with the same key
//! waits on the unique index until the first transaction ends, then finds its row and
//! answers its result; on SQLite the write lock orders them. The result is written in the
//! same transaction as the change, so a key has a result exactly when the change committed.
//! The same key with a different request is `IDEMPOTENCY_KEY_REUSED`.

use chrono::{DateTime, Duration, Utc};
use entities::idempotency_key;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Value};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tenants::scope::scoped;

use crate::kernel::error::{ApiError, ApiResult, code};

/// How long a key is remembered.
pub const KEEP: Duration = Duration::hours(48);

/// What claiming a key found.
#[derive(Debug)]
pub enum Claim {
    /// First use: do the work, then [`finish`] with its result.
    New(i64),
    /// Used before with the same request: answer this again.
    Replay(serde_json::Value),
}

/// The key's operation, user and request.
pub struct KeyRef<'a> {
    pub tenant_id: i64,
    pub user_id: i64,
    pub operation: &'static str,
    pub key: &'a str,
}

fn hash(request: &impl Serialize) -> ApiResult<String> {
    let body = serde_json::to_vec(request).map_err(ApiError::internal)?;
    Ok(hex::encode(Sha256::digest(&body)))
}

fn validate(key: &str) -> ApiResult<&str> {
    let key = key.trim();
    if key.is_empty() || key.len() > 128 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::bad_input(
            "idempotencyKey",
            "1 to 128 printable ASCII characters (a UUID is a good key)",
        ));
    }
    Ok(key)
}

/// Claims `key` for `request` inside `txn`.
pub async fn claim(
    txn: &impl ConnectionTrait,
    k: KeyRef<'_>,
    request: &impl Serialize,
    now: DateTime<Utc>,
) -> ApiResult<Claim> {
    let key = validate(k.key)?;
    let digest = hash(request)?;
    for _ in 0..2 {
        let sql = "INSERT INTO idempotency_keys \
             (tenant_id, user_id, operation, key, request_hash, created_at, expires_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id";
        let values: Vec<Value> = vec![
            k.tenant_id.into(),
            k.user_id.into(),
            k.operation.into(),
            key.into(),
            digest.clone().into(),
            now.into(),
            (now + KEEP).into(),
        ];
        if let Some(row) = txn
            .query_one_raw(crate::kernel::sql::statement(txn, sql, values))
            .await?
        {
            return Ok(Claim::New(row.try_get_by_index::<i64>(0)?));
        }
        let existing = scoped::<idempotency_key::Entity>(k.tenant_id)
            .filter(idempotency_key::Column::UserId.eq(k.user_id))
            .filter(idempotency_key::Column::Operation.eq(k.operation))
            .filter(idempotency_key::Column::Key.eq(key))
            .one(txn)
            .await?;
        let Some(existing) = existing else {
            continue;
        };
        if existing.expires_at <= now {
            idempotency_key::Entity::delete_by_id(existing.id)
                .exec(txn)
                .await?;
            continue;
        }
        if existing.request_hash != digest {
            return Err(ApiError::domain(
                code::IDEMPOTENCY_KEY_REUSED,
                Some("idempotencyKey"),
                "this key was used with a different request",
            ));
        }
        return match existing.result {
            Some(r) => Ok(Claim::Replay(
                serde_json::from_str(&r).map_err(ApiError::internal)?,
            )),
            None => Err(ApiError::conflict(
                "idempotencyKey",
                "a request with this key is still in progress",
            )),
        };
    }
    Err(ApiError::internal("idempotency key could not be claimed"))
}

/// What [`start`] found for an operation's optional key.
#[derive(Debug)]
pub enum Start {
    /// Do the work; `Some(claim)` when a key was given, to [`finish`] with the result.
    Fresh(Option<i64>),
    /// The key was used before with the same request: the id its result named.
    Replay(i64),
}

/// The one preamble of a money mutation with an optional idempotency key: claims it in
/// `txn` for `user_id`'s `operation` and `request`, and on a replay reads back the id the
/// first result stored under `id_field` (`"orderId"`, `"paymentId"`, ...). The caller
/// answers a replay from that id (after dropping `txn`), or does the work and [`finish`]es.
#[allow(clippy::too_many_arguments)]
pub async fn start(
    txn: &impl ConnectionTrait,
    tenant_id: i64,
    user_id: i64,
    operation: &'static str,
    key: Option<&str>,
    request: &impl Serialize,
    id_field: &str,
    now: DateTime<Utc>,
) -> ApiResult<Start> {
    let Some(key) = key else {
        return Ok(Start::Fresh(None));
    };
    let k = KeyRef {
        tenant_id,
        user_id,
        operation,
        key,
    };
    match claim(txn, k, request, now).await? {
        Claim::New(id) => Ok(Start::Fresh(Some(id))),
        Claim::Replay(v) => v[id_field]
            .as_i64()
            .map(Start::Replay)
            .ok_or_else(|| ApiError::internal("bad stored result")),
    }
}

/// Stores the result of the first use of a key claimed with [`claim`].
pub async fn finish(
    txn: &impl ConnectionTrait,
    claim_id: i64,
    result: &serde_json::Value,
) -> ApiResult<()> {
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::Result,
            sea_orm::sea_query::Expr::value(result.to_string()),
        )
        .filter(idempotency_key::Column::Id.eq(claim_id))
        .exec(txn)
        .await?;
    Ok(())
}
