//! DataLoaders, built per request (see [`Loaders::new`]) so no cache outlives a request or
//! crosses tenants. Each batch is one `IN (...)` query.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entities::tenant_domain;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// The domains of tenants, by tenant id.
pub struct TenantDomainsLoader {
    db: DatabaseConnection,
}

impl Loader<i64> for TenantDomainsLoader {
    type Value = Vec<tenant_domain::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = tenant_domain::Entity::find()
            .filter(tenant_domain::Column::TenantId.is_in(keys.iter().copied()))
            .order_by_asc(tenant_domain::Column::Id)
            .all(&self.db)
            .await?;
        let mut map: HashMap<i64, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for r in rows {
            map.entry(r.tenant_id).or_default().push(r);
        }
        Ok(map)
    }
}

/// Every loader of one request.
pub struct Loaders {
    pub tenant_domains: DataLoader<TenantDomainsLoader, HashMapCache>,
}

impl Loaders {
    /// Fresh loaders for one request.
    pub fn new(db: &DatabaseConnection) -> Self {
        Self {
            tenant_domains: DataLoader::with_cache(
                TenantDomainsLoader { db: db.clone() },
                tokio::spawn,
                HashMapCache::default(),
            ),
        }
    }
}
