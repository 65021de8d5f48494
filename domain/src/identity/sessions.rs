//! Sessions: logging in, access and refresh tokens, refreshing, logging out. Each runs
//! in one transaction; tokens are issued only after the rows that back them are written.

pub use super::accounts::unique_user_error;
use chrono::Duration;
use entities::{refresh_token, session, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde_json::json;
use tenants::RequestCtx;
use tenants::scope::scoped;
use tenants::tokens::{self, Claims};

use super::accounts::{revoke_sessions, revoked, signed_in};
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::password;
use crate::kernel::services::Services;
use crate::kernel::validate;

/// A signed-in session: its tokens and its user.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i32,
    pub user: user::Model,
}

/// `logIn`: exactly one of `email` and `phone`.
#[derive(Debug, Clone)]
pub struct LogIn {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub password: String,
}

pub fn ttl(d: std::time::Duration) -> Duration {
    Duration::from_std(d).unwrap_or(Duration::MAX)
}

/// The signed-in user's row.
pub async fn viewer(svc: &Services, req: &RequestCtx) -> ApiResult<Option<user::Model>> {
    let Some(me) = req.viewer.user() else {
        return Ok(None);
    };
    Ok(scoped::<user::Entity>(req.tenant_id())
        .filter(user::Column::Id.eq(me.user_id))
        .one(&svc.db)
        .await?)
}

/// Signs an access token for `user` in `session_id`.
pub fn access_token(
    svc: &Services,
    req: &RequestCtx,
    user_id: i64,
    session_id: i64,
    actor: Option<tokens::Actor>,
    lifetime: std::time::Duration,
) -> ApiResult<(String, i32)> {
    let now = chrono::Utc::now().timestamp();
    let secs = lifetime.as_secs() as i64;
    let claims = Claims {
        iss: tokens::ISSUER.into(),
        sub: user_id.to_string(),
        tid: req.tenant_id(),
        aud: tokens::audience(req.tenant_id()),
        iat: now,
        nbf: now,
        exp: now + secs,
        jti: uuid::Uuid::new_v4().to_string(),
        sid: session_id,
        act: actor,
    };
    let token = svc.keys.sign(&claims).map_err(ApiError::internal)?;
    Ok((token, secs as i32))
}

async fn new_refresh_token(
    db: &impl ConnectionTrait,
    svc: &Services,
    req: &RequestCtx,
    session_id: i64,
) -> ApiResult<String> {
    let token = tokens::random_token();
    let now = entities::time::now();
    refresh_token::Entity::insert(refresh_token::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        session_id: Set(session_id),
        token_hash: Set(tokens::hash_token(&token)),
        created_at: Set(now),
        expires_at: Set(now + ttl(svc.settings.refresh_token_ttl)),
        used_at: Set(None),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(token)
}

/// Inserts a live session of `user_id`, recording the request's client.
pub async fn insert_session(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    user_id: i64,
) -> ApiResult<session::Model> {
    let now = entities::time::now();
    Ok(session::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        user_id: Set(user_id),
        created_at: Set(now),
        last_used_at: Set(now),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        user_agent: Set(req.user_agent.clone()),
        client_ip: Set(req.client_ip.map(|ip| ip.to_string())),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Opens a session for `user` and returns its tokens. Runs in the caller's transaction.
pub async fn start_session(
    db: &impl ConnectionTrait,
    svc: &Services,
    req: &RequestCtx,
    user: user::Model,
) -> ApiResult<Session> {
    let session = insert_session(db, req, user.id).await?;
    let refresh_token = new_refresh_token(db, svc, req, session.id).await?;
    let (access_token, expires_in) = access_token(
        svc,
        req,
        user.id,
        session.id,
        None,
        svc.settings.access_token_ttl,
    )?;
    Ok(Session {
        access_token,
        refresh_token,
        expires_in,
        user,
    })
}

/// Signs in by email or phone.
pub async fn log_in(svc: &Services, req: &RequestCtx, input: LogIn) -> ApiResult<Session> {
    // The account as stored, so "+7 999 ..." and "+7999..." share one budget (emails are
    // lower-cased by the limiter).
    let account = match (input.email.as_deref(), input.phone.as_deref()) {
        (Some(e), _) => Some(e.to_string()),
        (None, Some(p)) => Some(validate::phone("phone", p).unwrap_or_else(|_| p.to_string())),
        (None, None) => None,
    };
    svc.limits
        .guard(
            crate::kernel::ratelimit::Guarded::LogIn,
            req,
            account.as_deref(),
        )
        .await?;
    let query = scoped::<user::Entity>(req.tenant_id());
    let query = match (input.email.as_deref(), input.phone.as_deref()) {
        (Some(e), None) => query.filter(user::Column::Email.eq(e.trim().to_lowercase())),
        (None, Some(p)) => query.filter(user::Column::Phone.eq(validate::phone("phone", p)?)),
        _ => {
            return Err(ApiError::bad_input(
                "email",
                "give either an email or a phone number",
            ));
        }
    };
    let user = query.one(&svc.db).await?;
    let ok = password::verify(
        input.password,
        user.as_ref().and_then(|u| u.password_hash.clone()),
    )
    .await?;
    let user = match user {
        Some(u) if ok => u,
        _ => return Err(ApiError::unauthenticated("wrong email, phone or password")),
    };
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    audit::record(
        &txn,
        req,
        None,
        audit::action::USER_SIGNED_IN,
        Target::User(user.id),
        Some(user.id),
        json!({}),
    )
    .await?;
    let payload = start_session(&txn, svc, req, user).await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(payload)
}

/// Rotates a refresh token. A token that was already used ends its session: whoever
/// holds the newer token, the legitimate client or a thief, must sign in again.
pub async fn refresh_session(
    svc: &Services,
    req: &RequestCtx,
    refresh_token: &str,
) -> ApiResult<Session> {
    let refused = || ApiError::unauthenticated("the refresh token is not valid; sign in again");
    let hash = tokens::hash_token(refresh_token.trim());
    let Some(token) = scoped::<refresh_token::Entity>(req.tenant_id())
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .one(&svc.db)
        .await?
    else {
        return Err(refused());
    };
    let now = entities::time::now();
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    // Claim the token; of two concurrent uses only one can set `used_at`.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(token.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !claimed {
        revoke_sessions(
            &txn,
            req.tenant_id(),
            session::Column::Id.eq(token.session_id),
            revoked::REFRESH_REUSE,
        )
        .await?;
        crate::kernel::txn::commit(txn, req).await?;
        tracing::warn!(
            session_id = token.session_id,
            "refresh token reused; session revoked"
        );
        return Err(refused());
    }
    if token.expires_at <= now {
        return Err(refused());
    }
    let session = scoped::<session::Entity>(req.tenant_id())
        .filter(session::Column::Id.eq(token.session_id))
        .filter(session::Column::RevokedAt.is_null())
        .one(&txn)
        .await?
        .ok_or_else(refused)?;
    let user = scoped::<user::Entity>(req.tenant_id())
        .filter(user::Column::Id.eq(session.user_id))
        .one(&txn)
        .await?
        .ok_or_else(refused)?;
    session::Entity::update_many()
        .col_expr(session::Column::LastUsedAt, Expr::value(now))
        .filter(session::Column::Id.eq(session.id))
        .exec(&txn)
        .await?;
    let refresh_token = new_refresh_token(&txn, svc, req, session.id).await?;
    let (access_token, expires_in) = access_token(
        svc,
        req,
        user.id,
        session.id,
        None,
        svc.settings.access_token_ttl,
    )?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(Session {
        access_token,
        refresh_token,
        expires_in,
        user,
    })
}

/// Ends the current session, or all of the viewer's sessions. Ending every session is
/// refused while impersonating: it would sign the client out of their own devices.
pub async fn log_out(svc: &Services, req: &RequestCtx, everywhere: bool) -> ApiResult<u64> {
    let me = signed_in(req)?;
    let filter = if everywhere {
        tenants::authorize(req, tenants::Action::EndAllSessions)?;
        session::Column::UserId.eq(me.user_id)
    } else {
        session::Column::Id.eq(me.session_id)
    };
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let n = revoke_sessions(&txn, req.tenant_id(), filter, revoked::LOGOUT).await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(n)
}
