//! The per-request context: which tenant, who is asking, and the request's id. Built once
//! per request by the HTTP layer (and the WebSocket handshake) and handed to resolvers.

use std::net::IpAddr;
use std::sync::Arc;

use entities::{session, user};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, QueryFilter};

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

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    Anonymous,
    User(AuthUser),
}

impl Viewer {
    /// The signed-in user, if any.
    pub fn user(&self) -> Option<&AuthUser> {
        match self {
            Viewer::User(u) => Some(u),
            Viewer::Anonymous => None,
        }
    }
}

/// Everything a resolver may know about the request it serves.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    pub tenant: Arc<TenantInfo>,
    pub viewer: Viewer,
    pub request_id: String,
    pub client_ip: Option<IpAddr>,
    pub user_agent: Option<String>,
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
    let session = scoped::<session::Entity>(tenant.id())
        .filter(session::Column::Id.eq(claims.sid))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .ok_or(AuthError::SessionEnded)?;
    let user = scoped::<user::Entity>(tenant.id())
        .filter(user::Column::Id.eq(session.user_id))
        .one(db)
        .await?
        .ok_or(AuthError::SessionEnded)?;
    Ok(AuthUser {
        user_id: user.id,
        tenant_id: user.tenant_id,
        session_id: session.id,
        // Platform staff are users of the root tenant; the flag means nothing elsewhere.
        is_platform_admin: user.is_platform_admin && tenant.model.is_root,
        is_tenant_admin: user.is_tenant_admin,
        impersonator: claims.act.map(|a| a.sub),
    })
}
