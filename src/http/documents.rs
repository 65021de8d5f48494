//! Parsed documents, remembered by their text. A frontend sends the same few dozen
//! documents over and over (only the variables change), and parsing is the largest single
//! cost of a small query (async-graphql's parser is a PEG parser that allocates per token):
//! a document seen before is cloned from here instead of parsed again.
//!
//! Only documents that parsed, within the token limit, and of at most
//! [`MAX_CACHED_QUERY_BYTES`] are kept, in an LRU of `GRAPHQL_DOCUMENT_CACHE_SIZE` entries
//! per instance; the limits are still applied to every request (the schema's armor
//! extension checks the document it is handed, cached or not).

use std::sync::Arc;

use async_graphql::parser::types::ExecutableDocument;

/// Longer documents are parsed every time (rare, and they would crowd the cache).
pub const MAX_CACHED_QUERY_BYTES: usize = 8 * 1024;

/// The cache (shared by the instance's requests).
pub type ParsedDocuments = schema::cache::SharedLru<Arc<str>, Arc<ExecutableDocument>>;

/// Hands `request` the parsed document of `query` (its text, taken out of the request
/// meanwhile so it can be read beside the document): from the cache, or parsed now (and
/// remembered). `Err` is the parser's error, for the schema to answer as it always does.
pub fn prepare<'r>(
    documents: &ParsedDocuments,
    query: &str,
    request: &'r mut async_graphql::Request,
) -> Result<&'r ExecutableDocument, async_graphql::ServerError> {
    if !documents.is_off()
        && query.len() <= MAX_CACHED_QUERY_BYTES
        && let Some(doc) = documents.get::<str>(query)
    {
        request.set_parsed_query(ExecutableDocument::clone(&doc));
        return request.parsed_query();
    }
    let doc =
        async_graphql::parser::parse_query(query).map_err(async_graphql::ServerError::from)?;
    if !documents.is_off() && query.len() <= MAX_CACHED_QUERY_BYTES {
        documents.put(Arc::from(query), Arc::new(doc.clone()));
    }
    request.set_parsed_query(doc);
    request.parsed_query()
}
