//! The partner program's loaders.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::{DatabaseConnection, DbErr};

use crate::loaders::per_request;

/// The per-client figures of "my clients", loaded in batches.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub consent: bool,
    pub organizations: i64,
    pub last_active_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The "my clients" figures of (partner id, client user id) pairs: consent, organization
/// count, last activity. One statement per partner in the batch (a page has one).
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
        use entities::{consent, organization_member, session, user};
        use sea_orm::ConnectionTrait;
        use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
        let mut by_partner: HashMap<i64, Vec<i64>> = HashMap::new();
        for (p, u) in keys {
            by_partner.entry(*p).or_default().push(*u);
        }
        let t = self.tenant_id;
        let client = || Expr::col((user::Entity, user::Column::Id));
        let mut out = HashMap::new();
        for (partner_id, users) in by_partner {
            let consent = Query::select()
                .expr(Expr::val(1))
                .from(consent::Entity)
                .and_where(Expr::col((consent::Entity, consent::Column::TenantId)).eq(t))
                .and_where(Expr::col((consent::Entity, consent::Column::PartnerId)).eq(partner_id))
                .and_where(
                    Expr::col((consent::Entity, consent::Column::ClientUserId))
                        .equals((user::Entity, user::Column::Id)),
                )
                .and_where(Expr::col((consent::Entity, consent::Column::RevokedAt)).is_null())
                .to_owned();
            let orgs = Query::select()
                .expr(Expr::cust("COUNT(*)"))
                .from(organization_member::Entity)
                .and_where(
                    Expr::col((
                        organization_member::Entity,
                        organization_member::Column::TenantId,
                    ))
                    .eq(t),
                )
                .and_where(
                    Expr::col((
                        organization_member::Entity,
                        organization_member::Column::UserId,
                    ))
                    .equals((user::Entity, user::Column::Id)),
                )
                .to_owned();
            let active = Query::select()
                .expr(Expr::col((session::Entity, session::Column::LastUsedAt)).max())
                .from(session::Entity)
                .and_where(Expr::col((session::Entity, session::Column::TenantId)).eq(t))
                .and_where(
                    Expr::col((session::Entity, session::Column::UserId))
                        .equals((user::Entity, user::Column::Id)),
                )
                .to_owned();
            let q = Query::select()
                .expr_as(client(), Alias::new("client"))
                .expr_as(Expr::exists(consent), Alias::new("consent"))
                .expr_as(
                    Expr::SubQuery(None, Box::new(orgs.into())),
                    Alias::new("orgs"),
                )
                .expr_as(
                    Expr::SubQuery(None, Box::new(active.into())),
                    Alias::new("last_active"),
                )
                .from(user::Entity)
                .and_where(Expr::col((user::Entity, user::Column::TenantId)).eq(t))
                .and_where(client().is_in(users.clone()))
                .to_owned();
            for r in self.db.query_all(&q).await? {
                let id: i64 = r.try_get("", "client")?;
                out.insert(
                    (partner_id, id),
                    Summary {
                        consent: r.try_get("", "consent")?,
                        organizations: r.try_get("", "orgs")?,
                        last_active_at: r.try_get("", "last_active")?,
                    },
                );
            }
            // A key whose user is gone still gets an answer, cached like the others.
            for u in users {
                out.entry((partner_id, u)).or_default();
            }
        }
        Ok(out)
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
