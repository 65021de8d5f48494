//! The per-request context: which tenant, who is asking, and the request's id. Built once
//! per request by the HTTP layer (and the WebSocket handshake) and handed to resolvers.

use std::net::IpAddr;
use std::sync::Arc;

use entities::{
    consent, impersonation, organization_member, partner, partner_client, service_token, session,
    user,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, JoinType, QueryFilter, QueryTrait,
};

use crate::policy::{Action, Standing};
use crate::registry::TenantInfo;
use crate::scope::scoped;
use crate::tokens::{JwtKeys, TokenError};

/// A signed-in user, as established from a verified access token and a live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthUser {
    pub user_id: i64,
    pub tenant_id: i64,
    pub session_id: i64,
    pub is_platform_admin: bool,
    pub is_tenant_admin: bool,
    /// The real user when this token acts on someone else's behalf (RFC 8693 `act`).
    pub impersonator: Option<String>,
}

/// A machine of a tenant (the messaging side), established from a live service token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAuth {
    pub token_id: i64,
    pub tenant_id: i64,
    pub scopes: Vec<String>,
}

impl ServiceAuth {
    /// Whether the token carries `scope`.
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    Anonymous,
    User(AuthUser),
    /// A service token: no user, only what its scopes allow (see the policy).
    Service(ServiceAuth),
}

impl Viewer {
    /// The signed-in user, if any.
    pub fn user(&self) -> Option<&AuthUser> {
        match self {
            Viewer::User(u) => Some(u),
            Viewer::Anonymous | Viewer::Service(_) => None,
        }
    }

    /// The service token, if a machine is asking.
    pub fn service(&self) -> Option<&ServiceAuth> {
        match self {
            Viewer::Service(s) => Some(s),
            _ => None,
        }
    }
}

/// Service tokens start with this, so they are told from access tokens without trying.
pub const SERVICE_TOKEN_PREFIX: &str = "pgs_";

/// Checks a service token of `tenant`: known by its hash, not revoked. Records when it
/// was last used (at most once a minute, so a busy machine does not write on every call).
pub async fn authenticate_service(
    db: &DatabaseConnection,
    tenant: &TenantInfo,
    token: &str,
) -> Result<ServiceAuth, AuthError> {
    let hash = crate::tokens::hash_token(token);
    let t = scoped::<service_token::Entity>(tenant.id())
        .filter(service_token::Column::TokenHash.eq(hash))
        .filter(service_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .ok_or(AuthError::SessionEnded)?;
    let now = entities::time::now();
    if t.last_used_at
        .is_none_or(|at| now - at > chrono::Duration::minutes(1))
    {
        service_token::Entity::update_many()
            .col_expr(service_token::Column::LastUsedAt, Expr::val(now))
            .filter(service_token::Column::Id.eq(t.id))
            .exec(db)
            .await?;
    }
    Ok(ServiceAuth {
        token_id: t.id,
        tenant_id: t.tenant_id,
        scopes: t.scope_list(),
    })
}

/// Everything a resolver may know about the request it serves.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    pub tenant: Arc<TenantInfo>,
    pub viewer: Viewer,
    pub request_id: String,
    pub client_ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// The GraphQL operation being run, for audit entries (empty outside GraphQL).
    pub operation: Operation,
    /// The viewer's organization and space roles, loaded once per request on first use
    /// and shared by every `authorize` call; a committed write forgets them.
    pub memberships: MembershipCache,
}

/// The viewer's roles: organization id to role, and organization id to space roles.
#[derive(Debug, Default)]
pub struct Memberships {
    pub orgs: std::collections::HashMap<i64, entities::OrgRole>,
    pub spaces: std::collections::HashMap<i64, std::collections::HashMap<i64, entities::SpaceRole>>,
}

/// A request's [`Memberships`], loaded at most once until [`MembershipCache::forget`].
#[derive(Debug, Default, Clone)]
pub struct MembershipCache {
    value: Arc<std::sync::Mutex<Option<Arc<Memberships>>>>,
    loading: Arc<tokio::sync::Mutex<()>>,
}

impl MembershipCache {
    /// The cached memberships, or those `load` returns (one load at a time).
    pub async fn get_or_load<F, Fut, E>(&self, load: F) -> Result<Arc<Memberships>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Memberships, E>>,
    {
        if let Some(m) = self.cached() {
            return Ok(m);
        }
        let _guard = self.loading.lock().await;
        if let Some(m) = self.cached() {
            return Ok(m);
        }
        let m = Arc::new(load().await?);
        if let Ok(mut v) = self.value.lock() {
            *v = Some(m.clone());
        }
        Ok(m)
    }

    fn cached(&self) -> Option<Arc<Memberships>> {
        self.value.lock().ok().and_then(|v| v.clone())
    }

    /// Drops what was loaded: the next read loads again.
    pub fn forget(&self) {
        if let Ok(mut v) = self.value.lock() {
            *v = None;
        }
    }
}

/// The GraphQL operation a request runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Operation {
    /// The operation's name, if the document gave one.
    pub name: Option<String>,
    /// The root fields it selects (e.g. `updateAccount`).
    pub fields: Vec<String>,
}

impl RequestCtx {
    /// The current tenant's id: the scope of every read and write.
    pub fn tenant_id(&self) -> i64 {
        self.tenant.id()
    }
}

/// Why a presented token does not establish a viewer.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("the session has ended")]
    SessionEnded,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Verifies a bearer token for `tenant` and checks that its session is still live.
pub async fn authenticate(
    db: &DatabaseConnection,
    keys: &JwtKeys,
    tenant: &TenantInfo,
    token: &str,
) -> Result<AuthUser, AuthError> {
    let claims = keys.verify(token, tenant.id())?;
    let user_id: i64 = claims.sub.parse().map_err(|_| TokenError::Invalid)?;
    // The live session and its user in one statement.
    let mut q = scoped::<session::Entity>(tenant.id())
        .filter(session::Column::Id.eq(claims.sid))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .select_also(user::Entity);
    QueryTrait::query(&mut q).join(
        JoinType::InnerJoin,
        user::Entity,
        Expr::col((user::Entity, user::Column::Id))
            .equals((session::Entity, session::Column::UserId))
            .and(Expr::col((user::Entity, user::Column::TenantId)).eq(tenant.id())),
    );
    let (session, user) = match q.one(db).await? {
        Some((session, Some(user))) => (session, user),
        _ => return Err(AuthError::SessionEnded),
    };
    let impersonator = claims.act.map(|a| a.sub);
    if let Some(actor) = &impersonator {
        let actor: i64 = actor.parse().map_err(|_| TokenError::Invalid)?;
        if !impersonation_is_live(db, tenant.id(), &session, actor).await? {
            return Err(AuthError::SessionEnded);
        }
    }
    Ok(AuthUser {
        user_id: user.id,
        tenant_id: user.tenant_id,
        session_id: session.id,
        // Platform staff are users of the root tenant; the flag means nothing elsewhere.
        is_platform_admin: user.is_platform_admin && tenant.model.is_root,
        is_tenant_admin: user.is_tenant_admin,
        impersonator,
    })
}

/// Whether a "log in as client" session may still be used: the impersonation is open and
/// unexpired, the partner is approved and still has this client, the client's consent is
/// active, and the policy still lets the actor impersonate for the partner (their role in
/// the partner's organization today, not when the token was issued). Checked on every
/// request, so revoking consent, detaching, deleting the partner's organization or
/// removing or demoting the actor all end the impersonation on the next request, whatever
/// happened to the session row.
async fn impersonation_is_live(
    db: &DatabaseConnection,
    tenant_id: i64,
    session: &session::Model,
    actor: i64,
) -> Result<bool, DbErr> {
    let now = entities::time::now();
    let Some(imp) = scoped::<impersonation::Entity>(tenant_id)
        .filter(impersonation::Column::SessionId.eq(session.id))
        .filter(impersonation::Column::ClientUserId.eq(session.user_id))
        .filter(impersonation::Column::ActorUserId.eq(actor))
        .filter(impersonation::Column::EndedAt.is_null())
        .filter(impersonation::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    let Some(p) = scoped::<partner::Entity>(tenant_id)
        .filter(partner::Column::Id.eq(imp.partner_id))
        .filter(partner::Column::Status.eq(partner::STATUS_APPROVED))
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    let attached = scoped::<partner_client::Entity>(tenant_id)
        .filter(partner_client::Column::PartnerId.eq(p.id))
        .filter(partner_client::Column::ClientUserId.eq(imp.client_user_id))
        .one(db)
        .await?
        .is_some();
    let consent = scoped::<consent::Entity>(tenant_id)
        .filter(consent::Column::PartnerId.eq(p.id))
        .filter(consent::Column::ClientUserId.eq(imp.client_user_id))
        .filter(consent::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .is_some();
    let role = scoped::<organization_member::Entity>(tenant_id)
        .filter(organization_member::Column::OrganizationId.eq(p.organization_id))
        .filter(organization_member::Column::UserId.eq(actor))
        .one(db)
        .await?
        .map(|m| m.role);
    let me = Standing {
        org: role,
        space: None,
    };
    Ok(attached && crate::policy::allows_member(Action::ImpersonateClient { me, consent }))
}
