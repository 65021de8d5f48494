//! The lines domain's loaders: lines by id, channels of lines, channel kinds, partners'
//! comments.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entities::{channel_kind, line, line_channel, line_comment};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, QueryFilter, QueryOrder};
use tenants::scope::scoped;

use crate::loaders::per_request;

/// Lines by id (a quote's items read their lines through it, in one statement).
pub struct LineLoader {
    db: DatabaseConnection,
    tenant_id: i64,
}

impl Loader<i64> for LineLoader {
    type Value = line::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = scoped::<line::Entity>(self.tenant_id)
            .filter(line::Column::Id.is_in(keys.iter().copied()))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|l| (l.id, l)).collect())
    }
}

/// The channels of each line, oldest first.
pub struct ChannelsLoader {
    db: DatabaseConnection,
    tenant_id: i64,
}

impl Loader<i64> for ChannelsLoader {
    type Value = Vec<line_channel::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = scoped::<line_channel::Entity>(self.tenant_id)
            .filter(line_channel::Column::LineId.is_in(keys.iter().copied()))
            .order_by_asc(line_channel::Column::Id)
            .all(&self.db)
            .await?;
        // Every key gets an entry (empty when the line has no channels), so the cache
        // answers later asks without another statement.
        let mut map: HashMap<i64, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for r in rows {
            map.entry(r.line_id).or_default().push(r);
        }
        Ok(map)
    }
}

/// Channel kinds by id.
pub struct KindLoader {
    db: DatabaseConnection,
    tenant_id: i64,
}

impl Loader<i64> for KindLoader {
    type Value = channel_kind::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = scoped::<channel_kind::Entity>(self.tenant_id)
            .filter(channel_kind::Column::Id.is_in(keys.iter().copied()))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|k| (k.id, k)).collect())
    }
}

/// A partner's comment on a line, by (line id, partner id).
pub struct CommentLoader {
    db: DatabaseConnection,
    tenant_id: i64,
}

impl Loader<(i64, i64)> for CommentLoader {
    /// `None` when the partner has no note on the line (cached like a found one).
    type Value = Option<line_comment::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[(i64, i64)],
    ) -> Result<HashMap<(i64, i64), Self::Value>, Self::Error> {
        let rows = scoped::<line_comment::Entity>(self.tenant_id)
            .filter(line_comment::Column::LineId.is_in(keys.iter().map(|k| k.0)))
            .filter(line_comment::Column::PartnerId.is_in(keys.iter().map(|k| k.1)))
            .all(&self.db)
            .await?;
        let mut map: HashMap<(i64, i64), Self::Value> = keys.iter().map(|k| (*k, None)).collect();
        for c in rows {
            if let Some(slot) = map.get_mut(&(c.line_id, c.partner_id)) {
                *slot = Some(c);
            }
        }
        Ok(map)
    }
}

/// The lines loaders of one request.
pub struct LineLoaders {
    pub lines: DataLoader<LineLoader, HashMapCache>,
    pub channels: DataLoader<ChannelsLoader, HashMapCache>,
    pub kinds: DataLoader<KindLoader, HashMapCache>,
    pub comments: DataLoader<CommentLoader, HashMapCache>,
}

impl LineLoaders {
    /// Fresh loaders for one request on `tenant_id`.
    pub fn new(db: &DatabaseConnection, tenant_id: i64) -> Self {
        Self {
            lines: per_request(LineLoader {
                db: db.clone(),
                tenant_id,
            }),
            channels: per_request(ChannelsLoader {
                db: db.clone(),
                tenant_id,
            }),
            kinds: per_request(KindLoader {
                db: db.clone(),
                tenant_id,
            }),
            comments: per_request(CommentLoader {
                db: db.clone(),
                tenant_id,
            }),
        }
    }
}

/// The request's lines loaders.
pub fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> crate::ApiResult<&'a LineLoaders> {
    crate::loaders::of(ctx)
}

/// The lines loaders for the rows of `tenant_id`: the request's, or those of the brand an
/// allowed object of another brand lives on.
pub fn for_tenant<'a>(
    ctx: &async_graphql::Context<'a>,
    tenant_id: i64,
) -> crate::ApiResult<crate::loaders::Scoped<'a, LineLoaders>> {
    crate::loaders::of_tenant(ctx, tenant_id)
}

impl crate::loaders::PerTenant for LineLoaders {
    fn for_tenant(db: &DatabaseConnection, tenant_id: i64) -> Self {
        Self::new(db, tenant_id)
    }
}

/// Hands the loaders of this request what a client lines page fetched with it (accounts,
/// organizations, channels and their kinds, the partner's notes), so resolving the rows
/// issues no further statements at any page size.
pub async fn prime_client_lines(
    ctx: &async_graphql::Context<'_>,
    page: domain::lines::client_lines::ClientLinesPage,
) -> crate::GqlResult<domain::kernel::page::Paged<domain::lines::client_lines::ClientLinesRow>> {
    let (ours, orgs, users) = (
        loaders(ctx)?,
        crate::orgs::loaders::loaders(ctx)?,
        crate::identity::loaders::loaders(ctx)?,
    );
    let accounts: Vec<_> = page
        .page
        .items()
        .map(|r| (r.client.id, r.client.clone()))
        .collect();
    users.users.feed_many(accounts).await;
    orgs.organizations_of.feed_many(page.organizations_of).await;
    orgs.organizations
        .feed_many(page.organizations.into_iter().map(|o| (o.id, o)))
        .await;
    ours.channels.feed_many(page.channels).await;
    ours.kinds
        .feed_many(page.kinds.into_iter().map(|k| (k.id, k)))
        .await;
    ours.comments.feed_many(page.comments).await;
    Ok(page.page)
}
