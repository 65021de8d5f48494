//! DataLoaders, built per request with the request's tenant baked in, so no cache outlives
//! a request or crosses tenants. Each domain keeps its loaders in its own module
//! (`identity::loaders`, `orgs::loaders`, ...) and reads them from the request's data;
//! the root's `attach_loaders` puts every domain's set on a request. Each batch is one
//! `IN (...)` query returning a map.

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};

/// A per-request loader with its own cache.
pub fn per_request<K, L>(loader: L) -> DataLoader<L, HashMapCache>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    L: Loader<K>,
{
    DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default())
}

/// A domain's loaders from the request's data.
pub fn of<'a, T: Send + Sync + 'static>(
    ctx: &async_graphql::Context<'a>,
) -> crate::ApiResult<&'a T> {
    ctx.data::<T>()
        .map_err(|_| crate::ApiError::internal("loaders missing from request data"))
}
