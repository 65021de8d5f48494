//! The audit log: every security-relevant change is recorded, in the same transaction as
//! the change, with tenant, actor, impersonator, action, target, request id and client IP.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::audit_log;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use tenants::RequestCtx;

use crate::error::ApiError;
use crate::error::ApiResult;
use crate::hub::User;
use crate::identity::loaders::loaders;
use crate::ids::{self, Kind};

/// Every audit action, one constant each, so a typo cannot invent a new action and the
/// list in `docs/decisions.md` can be checked against this one.
pub mod action {
    pub const IMPERSONATION_ENDED: &str = "impersonation.ended";
    pub const IMPERSONATION_MUTATION: &str = "impersonation.mutation";
    pub const IMPERSONATION_MUTATION_REFUSED: &str = "impersonation.mutation_refused";
    pub const IMPERSONATION_STARTED: &str = "impersonation.started";
    pub const INVITATION_ACCEPTED: &str = "invitation.accepted";
    pub const INVITATION_CREATED: &str = "invitation.created";
    pub const INVITATION_DECLINED: &str = "invitation.declined";
    pub const INVITATION_RESENT: &str = "invitation.resent";
    pub const INVITATION_REVOKED: &str = "invitation.revoked";
    pub const MEMBER_LEFT: &str = "member.left";
    pub const MEMBER_REMOVED: &str = "member.removed";
    pub const MEMBER_ROLE_CHANGED: &str = "member.role_changed";
    pub const MEMBER_SPACE_ACCESS_CHANGED: &str = "member.space_access_changed";
    pub const ORGANIZATION_CREATED: &str = "organization.created";
    pub const ORGANIZATION_DELETED: &str = "organization.deleted";
    pub const ORGANIZATION_OWNERSHIP_TRANSFERRED: &str = "organization.ownership_transferred";
    pub const ORGANIZATION_UPDATED: &str = "organization.updated";
    pub const PARTNER_APPLIED: &str = "partner.applied";
    pub const PARTNER_APPROVED: &str = "partner.approved";
    pub const PARTNER_CLIENT_ATTACHED: &str = "partner.client_attached";
    pub const PARTNER_CLIENT_CREATED: &str = "partner.client_created";
    pub const PARTNER_CLIENT_DETACHED: &str = "partner.client_detached";
    pub const PARTNER_CODES_ROTATED: &str = "partner.codes_rotated";
    pub const PARTNER_CONSENT_GRANTED: &str = "partner.consent_granted";
    pub const PARTNER_CONSENT_REVOKED: &str = "partner.consent_revoked";
    pub const PARTNER_PROFILE_UPDATED: &str = "partner.profile_updated";
    pub const PARTNER_REJECTED: &str = "partner.rejected";
    pub const PARTNER_TIER_CHANGED: &str = "partner.tier_changed";
    pub const SPACE_ARCHIVED: &str = "space.archived";
    pub const SPACE_CREATED: &str = "space.created";
    pub const SPACE_UPDATED: &str = "space.updated";
    pub const TENANT_CREATED: &str = "tenant.created";
    pub const TENANT_DOMAIN_ADDED: &str = "tenant.domain_added";
    pub const TENANT_DOMAIN_REMOVED: &str = "tenant.domain_removed";
    pub const TENANT_UPDATED: &str = "tenant.updated";
    pub const USER_ACCOUNT_UPDATED: &str = "user.account_updated";
    pub const USER_DELETED: &str = "user.deleted";
    pub const USER_EMAIL_VERIFIED: &str = "user.email_verified";
    pub const USER_PASSWORD_CHANGED: &str = "user.password_changed";
    pub const USER_PASSWORD_SET: &str = "user.password_set";
    pub const USER_SIGNED_IN: &str = "user.signed_in";
    pub const USER_SIGNED_UP: &str = "user.signed_up";

    /// All of them.
    pub const ALL: &[&str] = &[
        IMPERSONATION_ENDED,
        IMPERSONATION_MUTATION,
        IMPERSONATION_MUTATION_REFUSED,
        IMPERSONATION_STARTED,
        INVITATION_ACCEPTED,
        INVITATION_CREATED,
        INVITATION_DECLINED,
        INVITATION_RESENT,
        INVITATION_REVOKED,
        MEMBER_LEFT,
        MEMBER_REMOVED,
        MEMBER_ROLE_CHANGED,
        MEMBER_SPACE_ACCESS_CHANGED,
        ORGANIZATION_CREATED,
        ORGANIZATION_DELETED,
        ORGANIZATION_OWNERSHIP_TRANSFERRED,
        ORGANIZATION_UPDATED,
        PARTNER_APPLIED,
        PARTNER_APPROVED,
        PARTNER_CLIENT_ATTACHED,
        PARTNER_CLIENT_CREATED,
        PARTNER_CLIENT_DETACHED,
        PARTNER_CODES_ROTATED,
        PARTNER_CONSENT_GRANTED,
        PARTNER_CONSENT_REVOKED,
        PARTNER_PROFILE_UPDATED,
        PARTNER_REJECTED,
        PARTNER_TIER_CHANGED,
        SPACE_ARCHIVED,
        SPACE_CREATED,
        SPACE_UPDATED,
        TENANT_CREATED,
        TENANT_DOMAIN_ADDED,
        TENANT_DOMAIN_REMOVED,
        TENANT_UPDATED,
        USER_ACCOUNT_UPDATED,
        USER_DELETED,
        USER_EMAIL_VERIFIED,
        USER_PASSWORD_CHANGED,
        USER_PASSWORD_SET,
        USER_SIGNED_IN,
        USER_SIGNED_UP,
    ];
}

/// What an audit entry is about.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Tenant(i64),
    TenantDomain(i64),
    User(i64),
    Organization(i64),
    Space(i64),
    Invitation(i64),
    Partner(i64),
}

impl Target {
    fn parts(self) -> (&'static str, i64) {
        match self {
            Target::Tenant(id) => ("TENANT", id),
            Target::TenantDomain(id) => ("TENANT_DOMAIN", id),
            Target::User(id) => ("USER", id),
            Target::Organization(id) => ("ORGANIZATION", id),
            Target::Space(id) => ("SPACE", id),
            Target::Invitation(id) => ("INVITATION", id),
            Target::Partner(id) => ("PARTNER", id),
        }
    }
}

/// Records one entry in the caller's transaction. `actor` defaults to the viewer (pass it
/// for sign-ins, where the viewer is still anonymous).
pub async fn record(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    organization_id: Option<i64>,
    action: &str,
    target: Target,
    actor: Option<i64>,
    details: serde_json::Value,
) -> ApiResult<()> {
    let viewer = req.viewer.user();
    let (target_type, target_id) = target.parts();
    audit_log::Entity::insert(audit_log::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        organization_id: Set(organization_id),
        actor_id: Set(actor.or(viewer.map(|u| u.user_id))),
        impersonator_id: Set(viewer
            .and_then(|u| u.impersonator.as_deref())
            .and_then(|s| s.parse().ok())),
        action: Set(action.into()),
        target_type: Set(target_type.into()),
        target_id: Set(Some(target_id)),
        details: Set(details.to_string()),
        request_id: Set(req.request_id.chars().take(64).collect()),
        client_ip: Set(req.client_ip.map(|ip| ip.to_string())),
        created_at: Set(entities::time::now()),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// One audit-log entry.
pub struct AuditLogEntry(pub audit_log::Model);

/// What an entry's target is.
#[derive(SimpleObject)]
pub struct AuditTarget {
    /// `TENANT`, `TENANT_DOMAIN`, `USER`, `ORGANIZATION`, `SPACE` or `INVITATION`.
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
    async fn actor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        load_user(ctx, self.0.actor_id).await
    }
    /// The real user, when the actor was impersonated ("log in as client").
    async fn impersonator(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
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

async fn load_user(ctx: &Context<'_>, id: Option<i64>) -> async_graphql::Result<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    Ok(loaders(ctx)?
        .users
        .load_one(id)
        .await
        .map_err(ApiError::internal)?
        .map(User::new))
}

/// Filters of the `auditLog` query, applied to a select.
pub fn filter(
    mut q: sea_orm::Select<audit_log::Entity>,
    action: Option<&str>,
    actor: Option<i64>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> sea_orm::Select<audit_log::Entity> {
    if let Some(a) = action {
        q = q.filter(audit_log::Column::Action.eq(a));
    }
    if let Some(a) = actor {
        q = q.filter(audit_log::Column::ActorId.eq(a));
    }
    if let Some(s) = since {
        q = q.filter(audit_log::Column::CreatedAt.gte(s));
    }
    if let Some(u) = until {
        q = q.filter(audit_log::Column::CreatedAt.lt(u));
    }
    q
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
    ) -> async_graphql::Result<crate::pagination::Page<AuditLogEntry>> {
        use tenants::policy::Action;
        let (svc, req) = (crate::services(ctx)?, crate::request(ctx)?);
        let actor = actor_id
            .as_ref()
            .map(|a| ids::decode(a, Kind::User, "actorId"))
            .transpose()?;
        let q = match &organization_id {
            Some(id) => {
                let org_id = ids::decode(id, Kind::Organization, "organizationId")?;
                let user = crate::orgs::ops::me(req)?;
                crate::orgs::ops::find_org(&svc.db, req, org_id).await?;
                let acc = crate::orgs::ops::access(&svc.db, req.tenant_id(), org_id, user).await?;
                tenants::authorize(req, Action::ViewOrgAuditLog { me: acc.standing() })
                    .map_err(ApiError::from)?;
                tenants::scope::scoped::<audit_log::Entity>(req.tenant_id())
                    .filter(audit_log::Column::OrganizationId.eq(org_id))
            }
            None => {
                tenants::authorize(req, Action::ViewAllAuditLogs).map_err(ApiError::from)?;
                audit_log::Entity::find()
            }
        };
        let q = filter(q, action.as_deref(), actor, since, until);
        let args = crate::pagination::PageArgs {
            after,
            before,
            first,
            last,
        };
        Ok(
            crate::pagination::paginate(&svc.db, q, audit_log::Column::Id, args, |m| {
                (m.id, AuditLogEntry(m))
            })
            .await?,
        )
    }
}
