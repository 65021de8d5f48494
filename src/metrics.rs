//! Prometheus metrics (`GET /metrics`), through the `metrics` facade and
//! `metrics-exporter-prometheus` (docs/operations.md lists every series):
//! - `graphql_requests_total{operation,outcome}` and
//!   `graphql_request_duration_seconds{operation}`: every GraphQL operation, by its
//!   operation name and outcome (`ok` or the first error's code);
//! - `rate_limit_refusals_total{limit,scope}` (counted where the limits are);
//! - read at each scrape: `db_pool_connections{state}`, `db_pool_max_connections`,
//!   `outbox_messages{status}`, `outbox_oldest_pending_age_seconds`, `rate_limit_keys`,
//!   `rate_limit_buckets`,
//!   `tenant_domains{status,last_check}`.
//!
//! The recorder is process-wide (the facade has one), installed on first use.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::DatabaseConnection;

use crate::AppState;

/// Latency buckets, seconds: 1 ms to 10 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Operation names are the client's to choose: past this many distinct ones, new names
/// are counted as `other`, so a client cannot grow the series without end.
const MAX_OPERATION_NAMES: usize = 200;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
static OPERATION_NAMES: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();

/// The process's exporter (installed on first call; `None` if another recorder was
/// installed first, in which case `/metrics` says so).
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("duration_seconds".into()), LATENCY_BUCKETS)
                .map_err(|e| tracing::error!(error = %e, "metrics buckets"))
                .ok()?;
            match builder.install_recorder() {
                Ok(h) => {
                    describe();
                    Some(h)
                }
                Err(e) => {
                    tracing::error!(error = %e, "could not install the metrics recorder");
                    None
                }
            }
        })
        .as_ref()
}

fn describe() {
    metrics::describe_counter!(
        "graphql_requests_total",
        "GraphQL operations by operation name and outcome (ok or the first error code)"
    );
    metrics::describe_histogram!(
        "graphql_request_duration_seconds",
        metrics::Unit::Seconds,
        "Time to answer a GraphQL operation"
    );
    metrics::describe_counter!(
        "graphql_public_answers_total",
        "Signed-out requests for public documents: answered from a remembered answer (hit) or run and remembered (miss)"
    );
    metrics::describe_counter!(
        "rate_limit_refusals_total",
        "Requests refused by a rate limit, by limit and scope"
    );
    metrics::describe_gauge!(
        "db_pool_connections",
        "Database pool connections by state (idle, in_use)"
    );
    metrics::describe_gauge!("db_pool_max_connections", "Most connections the pool opens");
    metrics::describe_gauge!(
        "outbox_messages",
        "Outbox messages (email, Telegram) by status: pending (waiting or sending), failed"
    );
    metrics::describe_gauge!(
        "outbox_oldest_pending_age_seconds",
        "Age of the oldest message still waiting to be sent (0 when none)"
    );
    metrics::describe_gauge!(
        "tenant_domains",
        "Custom domains by status and last DNS check (VERIFIED with FAILED: a lost record)"
    );
    metrics::describe_gauge!(
        "rate_limit_keys",
        "Users and tenants this instance's request rate limits hold in memory"
    );
    metrics::describe_gauge!(
        "rate_limit_buckets",
        "Client addresses and accounts the guarded rate limits count in the database (all instances)"
    );
}

/// The label for an operation name: the name when it is a plain GraphQL name and one of
/// the first [`MAX_OPERATION_NAMES`] seen, `anonymous` without one, else `other`.
pub fn operation_label(name: Option<&str>) -> String {
    let Some(name) = name else {
        return "anonymous".into();
    };
    let plain = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if !plain {
        return "other".into();
    }
    let names = OPERATION_NAMES.get_or_init(Default::default);
    let mut names = names.lock().unwrap_or_else(|e| e.into_inner());
    if names.contains(name) {
        return name.to_string();
    }
    if names.len() < MAX_OPERATION_NAMES {
        names.insert(name.to_string());
        return name.to_string();
    }
    "other".into()
}

/// Records one GraphQL operation.
pub fn record_operation(operation: &str, outcome: &str, took: Duration) {
    count_operation(operation, outcome);
    metrics::histogram!(
        "graphql_request_duration_seconds",
        "operation" => operation.to_string()
    )
    .record(took.as_secs_f64());
}

/// Counts one GraphQL operation, without a duration (a subscription's has no end to
/// measure to).
pub fn count_operation(operation: &str, outcome: &str) {
    metrics::counter!(
        "graphql_requests_total",
        "operation" => operation.to_string(),
        "outcome" => outcome.to_string()
    )
    .increment(1);
}

/// Counts a public document's answer: remembered before (`hit`), or run and remembered.
pub fn record_public_answer(hit: bool) {
    let result = if hit { "hit" } else { "miss" };
    metrics::counter!("graphql_public_answers_total", "result" => result).increment(1);
}

fn pool_gauges(db: &DatabaseConnection) {
    use sea_orm::DbBackend;
    let (size, idle, max) = match db.get_database_backend() {
        DbBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            (p.size(), p.num_idle(), p.options().get_max_connections())
        }
        DbBackend::Sqlite => {
            let p = db.get_sqlite_connection_pool();
            (p.size(), p.num_idle(), p.options().get_max_connections())
        }
        _ => return,
    };
    let idle = idle as f64;
    metrics::gauge!("db_pool_connections", "state" => "idle").set(idle);
    metrics::gauge!("db_pool_connections", "state" => "in_use").set(f64::from(size) - idle);
    metrics::gauge!("db_pool_max_connections").set(f64::from(max));
}

/// The exposition text, with the gauges read now.
pub async fn render(state: &AppState) -> Option<String> {
    let handle = handle()?;
    pool_gauges(&state.services.db);
    metrics::gauge!("rate_limit_keys").set(state.services.limits.keys() as f64);
    match state.services.limits.shared_keys().await {
        Ok(n) => metrics::gauge!("rate_limit_buckets").set(n as f64),
        Err(_) => tracing::warn!("metrics: could not count the shared rate-limit buckets"),
    }
    use sea_orm::EntityTrait;
    match domain::notifications::delivery::stats_of(
        &state.services.db,
        entities::outbox_message::Entity::find(),
    )
    .await
    {
        Ok(q) => {
            metrics::gauge!("outbox_messages", "status" => "pending").set(q.pending as f64);
            metrics::gauge!("outbox_messages", "status" => "failed").set(q.failed as f64);
            let age = q.oldest_pending.map_or(0.0, |t| {
                (state.services.clock.now() - t).num_milliseconds().max(0) as f64 / 1000.0
            });
            metrics::gauge!("outbox_oldest_pending_age_seconds").set(age);
        }
        Err(_) => tracing::warn!("metrics: could not read the outbox queue"),
    }
    match domain::tenancy::domains::counts(&state.services).await {
        Ok(rows) => {
            for status in ["PENDING", "VERIFIED", "FAILED", "EXPIRED"] {
                for check in ["VERIFIED", "FAILED", "UNREACHABLE", "NONE"] {
                    let n = rows
                        .iter()
                        .find(|(s, c, _)| s == status && c == check)
                        .map_or(0, |r| r.2);
                    metrics::gauge!("tenant_domains", "status" => status, "last_check" => check)
                        .set(n as f64);
                }
            }
        }
        Err(_) => tracing::warn!("metrics: could not count the custom domains"),
    }
    Some(handle.render())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_labels_are_bounded() {
        assert_eq!(operation_label(None), "anonymous");
        assert_eq!(operation_label(Some("Viewer")), "Viewer");
        assert_eq!(operation_label(Some("bad name")), "other");
        assert_eq!(operation_label(Some("1abc")), "other");
        for i in 0..MAX_OPERATION_NAMES {
            operation_label(Some(&format!("Op{i}")));
        }
        assert_eq!(operation_label(Some("OneTooMany")), "other");
        assert_eq!(operation_label(Some("Viewer")), "Viewer");
    }
}
