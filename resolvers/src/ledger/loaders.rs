//! The ledger domain's loaders: order numbers of ledger entries and partner names of
//! withdrawals, one `IN (...)` statement per page.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entities::{order, partner};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, QueryFilter};
use tenants::scope::scoped;

use crate::loaders::per_request;

/// The number of each order.
pub struct OrderNumberLoader {
    db: DatabaseConnection,
    tenant_id: i64,
}

impl Loader<i64> for OrderNumberLoader {
    type Value = i64;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, i64>, Self::Error> {
        Ok(scoped::<order::Entity>(self.tenant_id)
            .filter(order::Column::Id.is_in(keys.iter().copied()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.order_number))
            .collect())
    }
}

/// The name of each partner.
pub struct PartnerNameLoader {
    db: DatabaseConnection,
    tenant_id: i64,
}

impl Loader<i64> for PartnerNameLoader {
    type Value = String;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, String>, Self::Error> {
        Ok(scoped::<partner::Entity>(self.tenant_id)
            .filter(partner::Column::Id.is_in(keys.iter().copied()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect())
    }
}

/// The ledger loaders of one request.
pub struct LedgerLoaders {
    pub order_numbers: DataLoader<OrderNumberLoader, HashMapCache>,
    pub partner_names: DataLoader<PartnerNameLoader, HashMapCache>,
}

impl LedgerLoaders {
    /// Fresh loaders for one request on `tenant_id`.
    pub fn new(db: &DatabaseConnection, tenant_id: i64) -> Self {
        Self {
            order_numbers: per_request(OrderNumberLoader {
                db: db.clone(),
                tenant_id,
            }),
            partner_names: per_request(PartnerNameLoader {
                db: db.clone(),
                tenant_id,
            }),
        }
    }
}

/// The request's ledger loaders.
pub fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> crate::ApiResult<&'a LedgerLoaders> {
    crate::loaders::of(ctx)
}
