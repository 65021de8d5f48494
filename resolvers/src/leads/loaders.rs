//! The leads domain's loaders: the comments of each lead of a page and the certificates
//! on each partner profile of a directory page, one `IN (...)` statement per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entities::{certificate, lead_comment};
use sea_orm::{DatabaseConnection, DbErr};

use crate::loaders::per_request;

/// The comments of each lead, oldest first.
pub struct LeadCommentsLoader {
    db: DatabaseConnection,
    tenant_id: i64,
}

impl Loader<i64> for LeadCommentsLoader {
    type Value = Vec<lead_comment::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        domain::leads::progress::comments_of(&self.db, self.tenant_id, keys)
            .await
            .map_err(Arc::new)
    }
}

/// The valid certificates each partner shows on its profile.
pub struct ProfileCertificatesLoader {
    db: DatabaseConnection,
    tenant_id: i64,
}

impl Loader<i64> for ProfileCertificatesLoader {
    type Value = Vec<certificate::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        domain::leads::certificates::of_partners(&self.db, self.tenant_id, keys)
            .await
            .map_err(Arc::new)
    }
}

/// The leads loaders of one request.
pub struct LeadLoaders {
    pub comments: DataLoader<LeadCommentsLoader, HashMapCache>,
    pub profile_certificates: DataLoader<ProfileCertificatesLoader, HashMapCache>,
}

impl LeadLoaders {
    /// Fresh loaders for one request on `tenant_id`.
    pub fn new(db: &DatabaseConnection, tenant_id: i64) -> Self {
        Self {
            comments: per_request(LeadCommentsLoader {
                db: db.clone(),
                tenant_id,
            }),
            profile_certificates: per_request(ProfileCertificatesLoader {
                db: db.clone(),
                tenant_id,
            }),
        }
    }
}

/// The request's leads loaders.
pub fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> crate::ApiResult<&'a LeadLoaders> {
    crate::loaders::of(ctx)
}
