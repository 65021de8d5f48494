//! The identity domain's loaders.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, QueryFilter};
use tenants::scope::scoped;

use crate::loaders::per_request;
use entities::user;

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

/// The identity loaders of one request.
pub struct IdentityLoaders {
    pub users: DataLoader<UserLoader, HashMapCache>,
}

impl IdentityLoaders {
    /// Fresh loaders for one request on `tenant_id`.
    pub fn new(db: &DatabaseConnection, tenant_id: i64) -> Self {
        Self {
            users: per_request(UserLoader {
                db: db.clone(),
                tenant_id,
            }),
        }
    }
}

/// The request's identity loaders.
pub fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> crate::ApiResult<&'a IdentityLoaders> {
    crate::loaders::of(ctx)
}

/// The identity loaders for the rows of `tenant_id`: the request's, or those of the brand an
/// allowed object of another brand lives on.
pub fn for_tenant<'a>(
    ctx: &async_graphql::Context<'a>,
    tenant_id: i64,
) -> crate::ApiResult<crate::loaders::Scoped<'a, IdentityLoaders>> {
    crate::loaders::of_tenant(ctx, tenant_id)
}

impl crate::loaders::PerTenant for IdentityLoaders {
    fn for_tenant(db: &DatabaseConnection, tenant_id: i64) -> Self {
        Self::new(db, tenant_id)
    }
}
