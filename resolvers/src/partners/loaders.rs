//! The partner program's loaders.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, QueryFilter};
use tenants::scope::scoped;

use crate::loaders::per_request;

/// The per-client figures of "my clients", loaded in batches.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub consent: bool,
    pub organizations: i64,
    pub last_active_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The "my clients" figures of (partner id, client user id) pairs: consent, organization
/// count, last activity. Three grouped queries per batch.
pub struct ClientSummaryLoader {
    db: DatabaseConnection,
    tenant_id: i64,
}

impl Loader<(i64, i64)> for ClientSummaryLoader {
    type Value = Summary;
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
                    Summary {
                        consent: consents.contains(k),
                        organizations: orgs.get(&k.1).copied().unwrap_or(0),
                        last_active_at: active.get(&k.1).copied().flatten(),
                    },
                )
            })
            .collect())
    }
}

/// The partner loaders of one request.
pub struct PartnerLoaders {
    pub client_summaries: DataLoader<ClientSummaryLoader, HashMapCache>,
}

impl PartnerLoaders {
    /// Fresh loaders for one request on `tenant_id`.
    pub fn new(db: &DatabaseConnection, tenant_id: i64) -> Self {
        Self {
            client_summaries: per_request(ClientSummaryLoader {
                db: db.clone(),
                tenant_id,
            }),
        }
    }
}

/// The request's partner loaders.
pub fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> crate::ApiResult<&'a PartnerLoaders> {
    crate::loaders::of(ctx)
}
