//! Remembered answers to public documents (`schema::public`): a signed-out request for a
//! query of the brand's public fields only gets the bytes the same document answered on
//! the same brand before, without running the schema. This is the sign-in page's
//! `tenant { branding }` that every brand's frontend asks on every load.
//!
//! Why it cannot answer stale data: an answer is kept with the tenant snapshot it was
//! computed from (the `Arc<TenantInfo>` the request resolved its host to) and is used only
//! while the request resolves to that same snapshot. Every change of a tenant or its
//! domains rebuilds the registry with new snapshots (on every instance, through
//! `LISTEN/NOTIFY` on PostgreSQL), so the first request after a change misses and
//! remembers the new answer. Only answers without errors are kept; signed-in requests
//! (and bad tokens, refused before this) never read or write here; rate limits, metrics
//! and tracing run as for any request. Per instance and bounded (`PUBLIC_ANSWER_CACHE_SIZE`).

use std::sync::Arc;

use axum::body::Bytes;
use tenants::TenantInfo;

/// The cache, shared by the instance's requests: key [`key`], value the snapshot the answer
/// was computed from and the answer's JSON.
pub type PublicAnswers = schema::cache::SharedLru<String, (Arc<TenantInfo>, Bytes)>;

/// Where a public document's answer is kept for one brand: the tenant, the operation name
/// and the document's text.
pub fn key(tenant_id: i64, operation_name: Option<&str>, query: &str) -> String {
    let name = operation_name.unwrap_or("");
    let mut key = String::with_capacity(24 + name.len() + query.len());
    key.push_str(&tenant_id.to_string());
    key.push('\n');
    key.push_str(name);
    key.push('\n');
    key.push_str(query);
    key
}

/// The remembered answer under `key`, if it was computed from `tenant`, this very snapshot.
pub fn get(answers: &PublicAnswers, key: &str, tenant: &Arc<TenantInfo>) -> Option<Bytes> {
    answers
        .get::<str>(key)
        .filter(|(from, _)| Arc::ptr_eq(from, tenant))
        .map(|(_, body)| body)
}
