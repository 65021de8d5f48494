//! The tenancy domain's loaders.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::loaders::per_request;
use entities::tenant_domain;

/// The domains of tenants, by tenant id (platform tooling reads across tenants).
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

/// The tenancy loaders of one request.
pub struct TenancyLoaders {
    pub tenant_domains: DataLoader<TenantDomainsLoader, HashMapCache>,
}

impl TenancyLoaders {
    /// Fresh loaders for one request.
    pub fn new(db: &DatabaseConnection) -> Self {
        Self {
            tenant_domains: per_request(TenantDomainsLoader { db: db.clone() }),
        }
    }
}

/// The request's tenancy loaders.
pub fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> crate::ApiResult<&'a TenancyLoaders> {
    crate::loaders::of(ctx)
}
