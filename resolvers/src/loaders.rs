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

/// A domain's loaders, made for one tenant.
pub trait PerTenant: Send + Sync + 'static {
    fn for_tenant(db: &sea_orm::DatabaseConnection, tenant_id: i64) -> Self;
}

type Made = std::sync::Arc<dyn std::any::Any + Send + Sync>;

/// The loaders of brands other than the request's, made on first use and kept for the
/// request. Only objects that carry their own brand ask for them (a line or an order of
/// a reseller's brand that its user admins read from the brand they live on), and only
/// after the domain allowed the viewer that object: the brand they load from is the
/// object's own, never one the query names.
#[derive(Default)]
pub struct OtherBrands(std::sync::Mutex<std::collections::HashMap<(std::any::TypeId, i64), Made>>);

/// A domain's loaders for one tenant: the request's own set, or another brand's.
pub enum Scoped<'a, T> {
    Request(&'a T),
    Other(std::sync::Arc<T>),
}

impl<T> std::ops::Deref for Scoped<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        match self {
            Self::Request(t) => t,
            Self::Other(t) => t,
        }
    }
}

/// A domain's loaders for the rows of `tenant_id`: the request's when it is the
/// request's brand (the usual case, no lock taken), else that brand's, made once per
/// request.
pub fn of_tenant<'a, T: PerTenant>(
    ctx: &async_graphql::Context<'a>,
    tenant_id: i64,
) -> crate::ApiResult<Scoped<'a, T>> {
    if tenant_id == crate::request(ctx)?.tenant_id() {
        return Ok(Scoped::Request(of(ctx)?));
    }
    let db = &crate::services(ctx)?.db;
    let mut made = of::<OtherBrands>(ctx)?
        .0
        .lock()
        .map_err(|_| crate::ApiError::internal("other brands' loaders poisoned"))?;
    made.entry((std::any::TypeId::of::<T>(), tenant_id))
        .or_insert_with(|| std::sync::Arc::new(T::for_tenant(db, tenant_id)))
        .clone()
        .downcast::<T>()
        .map(Scoped::Other)
        .map_err(|_| crate::ApiError::internal("other brands' loaders mixed up"))
}
