//! Reading the audit log: an organization's entries for its owners, every tenant's for
//! platform staff. Writing entries is the kernel's (`crate::audit::record`).

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::audit_log;

use crate::error::ApiError;
use crate::identity::loaders::loaders;
use crate::ids::{self, Kind};
use crate::shared::User;

/// One audit-log entry.
pub struct AuditLogEntry(pub audit_log::Model);

/// What an entry's target is.
#[derive(SimpleObject)]
pub struct AuditTarget {
    /// `TENANT`, `TENANT_DOMAIN`, `USER`, `ORGANIZATION`, `SPACE`, `INVITATION`, `PARTNER`,
    /// `CHANNEL_KIND`, `COIN_PACKAGE` or `LINE`.
    pub r#type: String,
    /// The target's global id.
    pub id: Option<ID>,
}

#[Object]
impl AuditLogEntry {
    /// The global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::AuditLogEntry, self.0.id)
    }
    /// What happened, e.g. `member.role_changed`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The actor's user id (also for actors of other tenants, whose accounts `actor` does
    /// not show).
    async fn actor_id(&self) -> Option<ID> {
        self.0.actor_id.map(|id| ids::encode(Kind::User, id))
    }
    /// Who did it, if the account is on the current tenant; null for the system or a
    /// deleted account.
    async fn actor(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<User>> {
        load_user(ctx, self.0.actor_id).await
    }
    /// The real user, when the actor was impersonated ("log in as client").
    async fn impersonator(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<User>> {
        load_user(ctx, self.0.impersonator_id).await
    }
    /// What it was done to.
    async fn target(&self) -> AuditTarget {
        let kind = match self.0.target_type.as_str() {
            "TENANT" => Some(Kind::Tenant),
            "TENANT_DOMAIN" => Some(Kind::TenantDomain),
            "USER" => Some(Kind::User),
            "ORGANIZATION" => Some(Kind::Organization),
            "SPACE" => Some(Kind::Space),
            "INVITATION" => Some(Kind::Invitation),
            "PARTNER" => Some(Kind::Partner),
            "CHANNEL_KIND" => Some(Kind::ChannelKind),
            "COIN_PACKAGE" => Some(Kind::CoinPackage),
            "LINE" => Some(Kind::Line),
            _ => None,
        };
        AuditTarget {
            r#type: self.0.target_type.clone(),
            id: kind.zip(self.0.target_id).map(|(k, id)| ids::encode(k, id)),
        }
    }
    /// The organization it happened in, if any.
    async fn organization_id(&self) -> Option<ID> {
        self.0
            .organization_id
            .map(|id| ids::encode(Kind::Organization, id))
    }
    /// What changed, as a JSON object.
    async fn details(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(serde_json::from_str(&self.0.details).unwrap_or_default())
    }
    /// The request that made the change.
    async fn request_id(&self) -> &str {
        &self.0.request_id
    }
    /// The client's address.
    async fn client_ip(&self) -> Option<&str> {
        self.0.client_ip.as_deref()
    }
    /// When.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

async fn load_user(ctx: &Context<'_>, id: Option<i64>) -> crate::GqlResult<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    Ok(loaders(ctx)?
        .users
        .load_one(id)
        .await
        .map_err(ApiError::from)?
        .map(User::new))
}

/// Audit-log queries.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// Audit-log entries, oldest first (use `last` for the newest). With
    /// `organizationId`: that organization's entries, for its owners. Without: every
    /// entry of every tenant, for platform staff.
    #[allow(clippy::too_many_arguments)]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this organization's entries.")] organization_id: Option<ID>,
        #[graphql(desc = "Only this action, e.g. `member.role_changed`.")] action: Option<String>,
        #[graphql(desc = "Only this actor's entries.")] actor_id: Option<ID>,
        #[graphql(desc = "Only entries at or after this time.")] since: Option<DateTime<Utc>>,
        #[graphql(desc = "Only entries before this time.")] until: Option<DateTime<Utc>>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many from the start (default 50, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (at most 100).")] last: Option<i32>,
    ) -> crate::GqlResult<crate::pagination::Page<AuditLogEntry>> {
        let filter = domain::orgs::audit_log::AuditFilter {
            organization_id: ids::decode_opt(
                organization_id.as_ref(),
                Kind::Organization,
                "organizationId",
            )?,
            action,
            actor: ids::decode_opt(actor_id.as_ref(), Kind::User, "actorId")?,
            since,
            until,
        };
        let args = crate::pagination::PageArgs {
            after,
            before,
            first,
            last,
        };
        let page = domain::orgs::audit_log::entries(
            crate::services(ctx)?,
            crate::request(ctx)?,
            filter,
            args,
        )
        .await?;
        Ok(crate::pagination::connection(page, AuditLogEntry))
    }
}
