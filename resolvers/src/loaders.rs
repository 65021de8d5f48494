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

/// The "my clients" figures of (partner id, client user id) pairs: consent, organization
/// count, last activity. Three grouped queries per batch.
pub struct ClientSummaryLoader {
    db: DatabaseConnection,
    tenant_id: i64,
}

impl Loader<(i64, i64)> for ClientSummaryLoader {
    type Value = crate::partners::clients::Summary;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[(i64, i64)],
    ) -> Result<HashMap<(i64, i64), Self::Value>, Self::Error> {
        use entities::{consent, organization_member, session};
        use sea_orm::QuerySelect;
        use sea_orm::sea_query::{Expr, Func};
        let users: Vec<i64> = keys.iter().map(|k| k.1).collect();
        let consents: Vec<(i64, i64)> = scoped::<consent::Entity>(self.tenant_id)
            .select_only()
            .column(consent::Column::PartnerId)
            .column(consent::Column::ClientUserId)
            .filter(consent::Column::ClientUserId.is_in(users.clone()))
            .filter(consent::Column::RevokedAt.is_null())
            .into_tuple()
            .all(&self.db)
            .await?;
        let orgs: Vec<(i64, i64)> = scoped::<organization_member::Entity>(self.tenant_id)
            .select_only()
            .column(organization_member::Column::UserId)
            .column_as(
                Expr::from(Func::count(Expr::col(organization_member::Column::Id))),
                "n",
            )
            .filter(organization_member::Column::UserId.is_in(users.clone()))
            .group_by(organization_member::Column::UserId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let active: Vec<(i64, Option<chrono::DateTime<chrono::Utc>>)> =
            scoped::<session::Entity>(self.tenant_id)
                .select_only()
                .column(session::Column::UserId)
                .column_as(
                    Expr::from(Func::max(Expr::col(session::Column::LastUsedAt))),
                    "last",
                )
                .filter(session::Column::UserId.is_in(users))
                .group_by(session::Column::UserId)
                .into_tuple()
                .all(&self.db)
                .await?;
        let orgs: HashMap<i64, i64> = orgs.into_iter().collect();
        let active: HashMap<i64, Option<chrono::DateTime<chrono::Utc>>> =
            active.into_iter().collect();
        Ok(keys
            .iter()
            .map(|k| {
                (
                    *k,
                    crate::partners::clients::Summary {
                        consent: consents.contains(k),
                        organizations: orgs.get(&k.1).copied().unwrap_or(0),
                        last_active_at: active.get(&k.1).copied().flatten(),
                    },
                )
            })
            .collect())
    }
}

/// Every loader of one request.
pub struct Loaders {
    pub tenant_domains: DataLoader<TenantDomainsLoader, HashMapCache>,
    pub users: DataLoader<UserLoader, HashMapCache>,
    pub spaces: DataLoader<SpaceLoader, HashMapCache>,
    pub space_access: DataLoader<SpaceAccessLoader, HashMapCache>,
    pub client_summaries: DataLoader<ClientSummaryLoader, HashMapCache>,
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
                SpaceAccessLoader {
                    db: db.clone(),
                    tenant_id,
                },
                tokio::spawn,
                HashMapCache::default(),
            ),
            client_summaries: DataLoader::with_cache(
                ClientSummaryLoader { db, tenant_id },
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
