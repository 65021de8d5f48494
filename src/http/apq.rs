//! Automatic persisted queries, Apollo's protocol: a client sends
//! `extensions.persistedQuery { version: 1, sha256Hash }` without the query; a hash this
//! instance has not seen is answered `PERSISTED_QUERY_NOT_FOUND` (HTTP 200, message
//! `PersistedQueryNotFound`, what Apollo's link looks for), and the client sends the query
//! with its hash once, which is remembered. Works with GET too, so a CDN can cache queries.
//!
//! The hash is resolved here, before the HTTP layer decides anything on the query text
//! (GET runs queries only, the audit names the operation), which async-graphql's own
//! extension, running inside the schema, would be too late for. The cache is a per-instance
//! LRU: an instance that has not seen a hash asks for the query once.

use std::sync::Arc;

use sha2::{Digest, Sha256};

/// Queries longer than this are run but not remembered (they would crowd the cache).
pub const MAX_REMEMBERED_QUERY_BYTES: usize = 64 * 1024;

/// The remembered queries, by their SHA-256 (lower-case hex).
#[derive(Clone, Debug)]
pub struct PersistedQueries(schema::cache::SharedLru<String, Arc<str>>);

/// What the `persistedQuery` extension asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// No extension: the request as sent.
    NotPersisted,
    /// The query text, from the request or the cache.
    Query,
    /// A hash without a query that this instance does not know.
    NotFound,
    /// Something the client must fix (400).
    Invalid(&'static str),
}

impl PersistedQueries {
    /// A cache of `capacity` queries (0 turns persisted queries off).
    pub fn new(capacity: usize) -> Self {
        Self(schema::cache::SharedLru::new(capacity))
    }

    /// Fills in `request.query` from the cache or remembers it, per the protocol.
    pub fn resolve(&self, request: &mut async_graphql::Request) -> Outcome {
        let Some(ext) = request.extensions.remove("persistedQuery") else {
            return Outcome::NotPersisted;
        };
        if self.0.is_off() {
            return Outcome::Invalid("persisted queries are not supported here");
        }
        let ext = serde_json::to_value(&ext).unwrap_or_default();
        if ext.get("version").and_then(|v| v.as_i64()) != Some(1) {
            return Outcome::Invalid("only version 1 of persistedQuery is supported");
        }
        let Some(hash) = ext
            .get("sha256Hash")
            .and_then(|v| v.as_str())
            .map(str::to_ascii_lowercase)
        else {
            return Outcome::Invalid("persistedQuery needs sha256Hash");
        };
        if request.query.is_empty() {
            return match self.0.get(&hash) {
                Some(q) => {
                    request.query = q.to_string();
                    Outcome::Query
                }
                None => Outcome::NotFound,
            };
        }
        if hex::encode(Sha256::digest(request.query.as_bytes())) != hash {
            return Outcome::Invalid("provided sha does not match query");
        }
        if request.query.len() <= MAX_REMEMBERED_QUERY_BYTES {
            self.0.put(hash, Arc::from(request.query.as_str()));
        }
        Outcome::Query
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_ext(query: &str, hash: &str) -> async_graphql::Request {
        let body = serde_json::json!({
            "query": query,
            "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } },
        });
        serde_json::from_value(body).unwrap()
    }

    #[test]
    fn the_protocol() {
        let q = "{ tenant { slug } }";
        let hash = hex::encode(Sha256::digest(q.as_bytes()));
        let pq = PersistedQueries::new(2);
        assert_eq!(pq.resolve(&mut with_ext("", &hash)), Outcome::NotFound);
        assert_eq!(
            pq.resolve(&mut with_ext("{ other }", &hash)),
            Outcome::Invalid("provided sha does not match query")
        );
        assert_eq!(pq.resolve(&mut with_ext(q, &hash)), Outcome::Query);
        let mut again = with_ext("", &hash.to_uppercase());
        assert_eq!(pq.resolve(&mut again), Outcome::Query);
        assert_eq!(again.query, q);
        assert!(!again.extensions.contains_key("persistedQuery"));
        let mut plain: async_graphql::Request = async_graphql::Request::new(q);
        assert_eq!(pq.resolve(&mut plain), Outcome::NotPersisted);
        assert_eq!(
            PersistedQueries::new(0).resolve(&mut with_ext(q, &hash)),
            Outcome::Invalid("persisted queries are not supported here")
        );
    }
}
