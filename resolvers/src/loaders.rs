//! DataLoaders, built per request (see [`Loaders::new`]) with the request's tenant baked
//! in, so no cache outlives a request or crosses tenants. Each batch is one `IN (...)`
//! query returning a map.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entities::{space, space_member, tenant_domain, user};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};
use tenants::scope::scoped;

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

/// Users of the request's tenant, by id.
pub struct UserLoader {
    db: DatabaseConnection,
    tenant_id: i64,
}

impl Loader<i64> for UserLoader {
    type Value = user::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = scoped::<user::Entity>(self.tenant_id)
            .filter(user::Column::Id.is_in(keys.iter().copied()))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|u| (u.id, u)).collect())
    }
}

/// Spaces of the request's tenant, by id.
pub struct SpaceLoader {
    db: DatabaseConnection,
    tenant_id: i64,
}

impl Loader<i64> for SpaceLoader {
    type Value = space::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = scoped::<space::Entity>(self.tenant_id)
            .filter(space::Column::Id.is_in(keys.iter().copied()))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|s| (s.id, s)).collect())
    }
}

/// A member's space roles in one organization, keyed by (organization id, user id).
pub struct SpaceAccessLoader {
    db: DatabaseConnection,
    tenant_id: i64,
}

impl Loader<(i64, i64)> for SpaceAccessLoader {
    type Value = Vec<space_member::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[(i64, i64)],
    ) -> Result<HashMap<(i64, i64), Self::Value>, Self::Error> {
        let orgs: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let users: Vec<i64> = keys.iter().map(|k| k.1).collect();
        let rows = scoped::<space_member::Entity>(self.tenant_id)
            .filter(space_member::Column::OrganizationId.is_in(orgs))
            .filter(space_member::Column::UserId.is_in(users))
            .order_by_asc(space_member::Column::SpaceId)
            .all(&self.db)
            .await?;
        let mut map: HashMap<(i64, i64), Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for r in rows {
            if let Some(v) = map.get_mut(&(r.organization_id, r.user_id)) {
                v.push(r);
            }
        }
        Ok(map)
    }
}

/// Every loader of one request.
pub struct Loaders {
    pub tenant_domains: DataLoader<TenantDomainsLoader, HashMapCache>,
    pub users: DataLoader<UserLoader, HashMapCache>,
    pub spaces: DataLoader<SpaceLoader, HashMapCache>,
    pub space_access: DataLoader<SpaceAccessLoader, HashMapCache>,
}

impl Loaders {
    /// Fresh loaders for one request on `tenant_id`.
    pub fn new(db: &DatabaseConnection, tenant_id: i64) -> Self {
        let db = db.clone();
        Self {
            tenant_domains: DataLoader::with_cache(
                TenantDomainsLoader { db: db.clone() },
                tokio::spawn,
                HashMapCache::default(),
            ),
            users: DataLoader::with_cache(
                UserLoader {
                    db: db.clone(),
                    tenant_id,
                },
                tokio::spawn,
                HashMapCache::default(),
            ),
            spaces: DataLoader::with_cache(
                SpaceLoader {
                    db: db.clone(),
                    tenant_id,
                },
                tokio::spawn,
                HashMapCache::default(),
            ),
            space_access: DataLoader::with_cache(
                SpaceAccessLoader { db, tenant_id },
                tokio::spawn,
                HashMapCache::default(),
            ),
        }
    }
}

/// The request's loaders.
pub fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> crate::ApiResult<&'a Loaders> {
    ctx.data::<Loaders>()
        .map_err(|_| crate::ApiError::internal("loaders missing from request data"))
}
