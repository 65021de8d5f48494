//! Parsed documents, remembered by their text. A frontend sends the same few dozen
//! documents over and over (only the variables change), and parsing is the largest single
//! cost of a small query (async-graphql's parser is a PEG parser that allocates per token):
//! a document seen before is cloned from here instead of parsed again.
//!
//! Only documents that parsed, within the token limit, and of at most
//! [`MAX_CACHED_QUERY_BYTES`] are kept, in an LRU of `GRAPHQL_DOCUMENT_CACHE_SIZE` entries
//! per instance; the limits are still applied to every request (the schema's armor
//! extension checks the document it is handed, cached or not).

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::ExecutableDocument;

/// Longer documents are parsed every time (rare, and they would crowd the cache).
pub const MAX_CACHED_QUERY_BYTES: usize = 8 * 1024;

type Cache = Mutex<lru::LruCache<Arc<str>, Arc<ExecutableDocument>>>;

/// The cache (shared by the instance's requests).
#[derive(Clone)]
pub struct ParsedDocuments(Option<Arc<Cache>>);

impl std::fmt::Debug for ParsedDocuments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ParsedDocuments")
    }
}

impl ParsedDocuments {
    /// A cache of `capacity` documents (0 turns it off).
    pub fn new(capacity: usize) -> Self {
        Self(NonZeroUsize::new(capacity).map(|c| Arc::new(Mutex::new(lru::LruCache::new(c)))))
    }

    /// Hands `request` its parsed document: from the cache, or parsed now (and remembered).
    /// `Err` is the parser's error, for the schema to answer as it always does.
    pub fn prepare<'r>(
        &self,
        request: &'r mut async_graphql::Request,
    ) -> Result<&'r ExecutableDocument, async_graphql::ServerError> {
        let cacheable = self
            .0
            .as_ref()
            .filter(|_| request.query.len() <= MAX_CACHED_QUERY_BYTES);
        let Some(cache) = cacheable else {
            return request.parsed_query();
        };
        let hit = cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(request.query.as_str())
            .cloned();
        if let Some(doc) = hit {
            request.set_parsed_query(ExecutableDocument::clone(&doc));
            return request.parsed_query();
        }
        let doc = request.parsed_query()?.clone();
        cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .put(Arc::from(request.query.as_str()), Arc::new(doc));
        request.parsed_query()
    }

    /// How many documents are remembered.
    pub fn len(&self) -> usize {
        self.0
            .as_ref()
            .map_or(0, |c| c.lock().unwrap_or_else(|e| e.into_inner()).len())
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
