//! The orders domain's loaders: items and payments of orders, one batch per page.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entities::{order_item, payment};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, QueryFilter, QueryOrder};
use tenants::scope::scoped;

use crate::loaders::per_request;

/// The items of each order, in their order.
pub struct ItemsLoader {
    db: DatabaseConnection,
    tenant_id: i64,
}

impl Loader<i64> for ItemsLoader {
    type Value = Vec<order_item::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = scoped::<order_item::Entity>(self.tenant_id)
            .filter(order_item::Column::OrderId.is_in(keys.iter().copied()))
            .order_by_asc(order_item::Column::OrderId)
            .order_by_asc(order_item::Column::Position)
            .all(&self.db)
            .await?;
        let mut map: HashMap<i64, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for r in rows {
            map.entry(r.order_id).or_default().push(r);
        }
        Ok(map)
    }
}

/// The payments of each order, oldest first.
pub struct PaymentsLoader {
    db: DatabaseConnection,
    tenant_id: i64,
}

impl Loader<i64> for PaymentsLoader {
    type Value = Vec<payment::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = scoped::<payment::Entity>(self.tenant_id)
            .filter(payment::Column::OrderId.is_in(keys.iter().copied()))
            .order_by_asc(payment::Column::Id)
            .all(&self.db)
            .await?;
        let mut map: HashMap<i64, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for r in rows {
            map.entry(r.order_id).or_default().push(r);
        }
        Ok(map)
    }
}

/// The orders loaders of one request.
pub struct OrderLoaders {
    pub items: DataLoader<ItemsLoader, HashMapCache>,
    pub payments: DataLoader<PaymentsLoader, HashMapCache>,
}

impl OrderLoaders {
    /// Fresh loaders for one request on `tenant_id`.
    pub fn new(db: &DatabaseConnection, tenant_id: i64) -> Self {
        Self {
            items: per_request(ItemsLoader {
                db: db.clone(),
                tenant_id,
            }),
            payments: per_request(PaymentsLoader {
                db: db.clone(),
                tenant_id,
            }),
        }
    }
}

/// The request's orders loaders.
pub fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> crate::ApiResult<&'a OrderLoaders> {
    crate::loaders::of(ctx)
}

/// The orders loaders for the rows of `tenant_id`: the request's, or those of the brand an
/// allowed object of another brand lives on.
pub fn for_tenant<'a>(
    ctx: &async_graphql::Context<'a>,
    tenant_id: i64,
) -> crate::ApiResult<crate::loaders::Scoped<'a, OrderLoaders>> {
    crate::loaders::of_tenant(ctx, tenant_id)
}

impl crate::loaders::PerTenant for OrderLoaders {
    fn for_tenant(db: &DatabaseConnection, tenant_id: i64) -> Self {
        Self::new(db, tenant_id)
    }
}

/// Loads the items and payments of a page of orders in one batch each, so the page costs
/// the same statements at any size.
pub async fn prime(ctx: &async_graphql::Context<'_>, orders: &[i64]) -> crate::GqlResult<()> {
    prime_in(ctx, crate::request(ctx)?.tenant_id(), orders).await
}

/// [`prime`] for orders of the brand `tenant_id` (a reseller's client's, read by its
/// user admins from the brand they live on).
pub async fn prime_in(
    ctx: &async_graphql::Context<'_>,
    tenant_id: i64,
    orders: &[i64],
) -> crate::GqlResult<()> {
    let l = for_tenant(ctx, tenant_id)?;
    let (i, p) = futures_util::future::join(
        l.items.load_many(orders.iter().copied()),
        l.payments.load_many(orders.iter().copied()),
    )
    .await;
    i.map_err(crate::ApiError::internal)?;
    p.map_err(crate::ApiError::internal)?;
    Ok(())
}
