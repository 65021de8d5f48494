//! The organizations domain's loaders.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, QueryFilter, QueryOrder};
use tenants::scope::scoped;

use crate::loaders::per_request;
use crate::orgs::OrgView;
use entities::{organization, organization_member, space, space_member};

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

/// The organizations a user belongs to, by user id (oldest first).
pub struct OrganizationsOfLoader {
    db: DatabaseConnection,
    tenant_id: i64,
}

impl Loader<i64> for OrganizationsOfLoader {
    type Value = Vec<i64>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = scoped::<organization_member::Entity>(self.tenant_id)
            .filter(organization_member::Column::UserId.is_in(keys.iter().copied()))
            .order_by_asc(organization_member::Column::OrganizationId)
            .all(&self.db)
            .await?;
        let mut map: HashMap<i64, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for r in rows {
            map.entry(r.user_id).or_default().push(r.organization_id);
        }
        Ok(map)
    }
}

/// Organizations by id.
pub struct OrganizationLoader {
    db: DatabaseConnection,
    tenant_id: i64,
}

impl Loader<i64> for OrganizationLoader {
    type Value = organization::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = scoped::<organization::Entity>(self.tenant_id)
            .filter(organization::Column::Id.is_in(keys.iter().copied()))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|o| (o.id, o)).collect())
    }
}

/// The organization loaders of one request.
pub struct OrgLoaders {
    pub spaces: DataLoader<SpaceLoader, HashMapCache>,
    pub space_access: DataLoader<SpaceAccessLoader, HashMapCache>,
    pub organizations_of: DataLoader<OrganizationsOfLoader, HashMapCache>,
    pub organizations: DataLoader<OrganizationLoader, HashMapCache>,
}

/// The organizations `ids` as the viewer sees them (their roles in each, from the
/// request's memberships), in order; any that no longer exist are left out.
pub async fn organizations(
    ctx: &async_graphql::Context<'_>,
    ids: Vec<i64>,
) -> crate::GqlResult<Vec<crate::shared::Organization>> {
    organizations_in(ctx, crate::request(ctx)?.tenant_id(), ids).await
}

/// [`organizations`] of the brand `tenant_id` (an allowed line's organization on a
/// reseller's brand, read from the brand the viewer lives on: no standing there).
pub async fn organizations_in(
    ctx: &async_graphql::Context<'_>,
    tenant_id: i64,
    ids: Vec<i64>,
) -> crate::GqlResult<Vec<crate::shared::Organization>> {
    let (svc, req) = (crate::services(ctx)?, crate::request(ctx)?);
    let (found, memberships) = futures_util::future::join(
        for_tenant(ctx, tenant_id)?
            .organizations
            .load_many(ids.clone()),
        domain::orgs::access::viewer_memberships(&svc.db, req),
    )
    .await;
    let mut found = found.map_err(crate::ApiError::internal)?;
    let memberships = memberships?;
    Ok(ids
        .iter()
        .filter_map(|id| found.remove(id))
        .map(|model| {
            let access = domain::orgs::access::access_in(&memberships, model.id);
            crate::shared::Organization::from(OrgView { model, access })
        })
        .collect())
}

impl OrgLoaders {
    /// Fresh loaders for one request on `tenant_id`.
    pub fn new(db: &DatabaseConnection, tenant_id: i64) -> Self {
        Self {
            spaces: per_request(SpaceLoader {
                db: db.clone(),
                tenant_id,
            }),
            space_access: per_request(SpaceAccessLoader {
                db: db.clone(),
                tenant_id,
            }),
            organizations_of: per_request(OrganizationsOfLoader {
                db: db.clone(),
                tenant_id,
            }),
            organizations: per_request(OrganizationLoader {
                db: db.clone(),
                tenant_id,
            }),
        }
    }
}

/// The request's organization loaders.
pub fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> crate::ApiResult<&'a OrgLoaders> {
    crate::loaders::of(ctx)
}

/// The orgs loaders for the rows of `tenant_id`: the request's, or those of the brand an
/// allowed object of another brand lives on.
pub fn for_tenant<'a>(
    ctx: &async_graphql::Context<'a>,
    tenant_id: i64,
) -> crate::ApiResult<crate::loaders::Scoped<'a, OrgLoaders>> {
    crate::loaders::of_tenant(ctx, tenant_id)
}

impl crate::loaders::PerTenant for OrgLoaders {
    fn for_tenant(db: &DatabaseConnection, tenant_id: i64) -> Self {
        Self::new(db, tenant_id)
    }
}
