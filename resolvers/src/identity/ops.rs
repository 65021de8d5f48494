//! Identity operations. Each runs in one transaction; tokens are issued only after the
//! rows that back them are written.

use chrono::Duration;
use entities::{one_time_token, refresh_token, session, user};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use serde_json::json;
use tenants::RequestCtx;
use tenants::scope::scoped;
use tenants::tokens::{self, Claims};

use super::types::*;
use crate::audit::{self, Target};
use crate::emails;
use crate::error::{ApiError, ApiResult};
use crate::links;
use crate::password;
use crate::services::Services;
use crate::validate;

/// Why a session was ended.
pub mod revoked {
    pub const LOGOUT: &str = "LOGOUT";
    pub const REFRESH_REUSE: &str = "REFRESH_REUSE";
    pub const PASSWORD_RESET: &str = "PASSWORD_RESET";
}

fn ttl(d: std::time::Duration) -> Duration {
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
async fn start_session(
    db: &impl ConnectionTrait,
    svc: &Services,
    req: &RequestCtx,
    user: user::Model,
) -> ApiResult<AuthPayload> {
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
    Ok(AuthPayload {
        access_token,
        refresh_token,
        expires_in,
        viewer: User(user),
    })
}

/// Creates an account on the request's tenant and signs it in.
pub async fn sign_up(
    svc: &Services,
    req: &RequestCtx,
    input: SignUpInput,
) -> ApiResult<AuthPayload> {
    let email = validate::email("email", &input.email)?;
    let phone = validate::optional("phone", input.phone.as_deref(), validate::phone)?;
    let display_name = validate::text("displayName", &input.display_name, 120)?;
    password::check_policy("password", &input.password)?;
    let invitation = match input
        .invitation_token
        .as_deref()
        .filter(|t| !t.trim().is_empty())
    {
        Some(token) => {
            let inv = crate::orgs::invitations::for_sign_up(&svc.db, req, token).await?;
            if inv.email != email {
                return Err(ApiError::domain(
                    "INVITATION_EMAIL_MISMATCH",
                    Some("email"),
                    "sign up with the email address the invitation was sent to",
                ));
            }
            Some(inv)
        }
        None => None,
    };
    let hash = password::hash(input.password).await?;

    let txn = crate::txn::begin(&svc.db).await?;
    let now = entities::time::now();
    let user = user::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        email: Set(email),
        phone: Set(phone.clone()),
        password_hash: Set(Some(hash)),
        display_name: Set(display_name),
        is_platform_admin: Set(false),
        is_tenant_admin: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| unique_user_error(e, phone.is_some()))?;
    audit::record(
        &txn,
        req,
        None,
        "user.signed_up",
        Target::User(user.id),
        Some(user.id),
        json!({}),
    )
    .await?;
    if let Some(code) = input
        .referral_code
        .as_deref()
        .filter(|c| !c.trim().is_empty())
    {
        crate::partners::clients::attach_on_sign_up(&txn, req, user.id, code).await?;
    }
    if let Some(inv) = &invitation {
        crate::orgs::invitations::accept_in_txn(&txn, req, inv, &user).await?;
    }
    let payload = start_session(&txn, svc, req, user).await?;
    txn.commit().await?;
    Ok(payload)
}

/// Maps a unique violation on `users` to `CONFLICT` on the field at fault.
pub fn unique_user_error(e: sea_orm::DbErr, has_phone: bool) -> ApiError {
    let msg = match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(m)) => m,
        _ => return ApiError::internal(e),
    };
    if has_phone && msg.contains("phone") {
        ApiError::conflict("phone", "an account with this phone number already exists")
    } else {
        ApiError::conflict("email", "an account with this email already exists")
    }
}

/// Signs in by email or phone.
pub async fn log_in(svc: &Services, req: &RequestCtx, input: LogInInput) -> ApiResult<AuthPayload> {
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
    let txn = crate::txn::begin(&svc.db).await?;
    audit::record(
        &txn,
        req,
        None,
        "user.signed_in",
        Target::User(user.id),
        Some(user.id),
        json!({}),
    )
    .await?;
    let payload = start_session(&txn, svc, req, user).await?;
    txn.commit().await?;
    Ok(payload)
}

async fn revoke_sessions(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    filter: sea_orm::sea_query::SimpleExpr,
    reason: &str,
) -> ApiResult<u64> {
    let res = session::Entity::update_many()
        .col_expr(
            session::Column::RevokedAt,
            Expr::value(entities::time::now()),
        )
        .col_expr(session::Column::RevokedReason, Expr::value(reason))
        .filter(session::Column::TenantId.eq(tenant_id))
        .filter(session::Column::RevokedAt.is_null())
        .filter(filter)
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Rotates a refresh token. A token that was already used ends its session: whoever
/// holds the newer token, the legitimate client or a thief, must sign in again.
pub async fn refresh_session(
    svc: &Services,
    req: &RequestCtx,
    input: RefreshSessionInput,
) -> ApiResult<AuthPayload> {
    let refused = || ApiError::unauthenticated("the refresh token is not valid; sign in again");
    let hash = tokens::hash_token(input.refresh_token.trim());
    let Some(token) = scoped::<refresh_token::Entity>(req.tenant_id())
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .one(&svc.db)
        .await?
    else {
        return Err(refused());
    };
    let now = entities::time::now();
    let txn = crate::txn::begin(&svc.db).await?;
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
        txn.commit().await?;
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
    txn.commit().await?;
    Ok(AuthPayload {
        access_token,
        refresh_token,
        expires_in,
        viewer: User(user),
    })
}

/// Ends the current session, or all of the viewer's sessions.
pub async fn log_out(
    svc: &Services,
    req: &RequestCtx,
    input: LogOutInput,
) -> ApiResult<LogOutPayload> {
    let me = req
        .viewer
        .user()
        .ok_or_else(|| ApiError::unauthenticated("sign in first"))?;
    let filter = if input.everywhere {
        session::Column::UserId.eq(me.user_id)
    } else {
        session::Column::Id.eq(me.session_id)
    };
    let n = revoke_sessions(&svc.db, req.tenant_id(), filter, revoked::LOGOUT).await?;
    Ok(LogOutPayload {
        ended_sessions: n as i32,
    })
}

/// Issues a one-time link token for `user`, replacing any unused one of the same purpose.
pub async fn issue_one_time_token(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    user_id: i64,
    purpose: &str,
    lifetime: std::time::Duration,
) -> ApiResult<String> {
    let now = entities::time::now();
    one_time_token::Entity::update_many()
        .col_expr(one_time_token::Column::UsedAt, Expr::value(now))
        .filter(one_time_token::Column::TenantId.eq(tenant_id))
        .filter(one_time_token::Column::UserId.eq(user_id))
        .filter(one_time_token::Column::Purpose.eq(purpose))
        .filter(one_time_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    let token = tokens::random_token();
    one_time_token::Entity::insert(one_time_token::ActiveModel {
        tenant_id: Set(tenant_id),
        user_id: Set(user_id),
        purpose: Set(purpose.into()),
        token_hash: Set(tokens::hash_token(&token)),
        created_at: Set(now),
        expires_at: Set(now + ttl(lifetime)),
        used_at: Set(None),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(token)
}

/// Sends a password-reset email if the account exists.
pub async fn request_password_reset(
    svc: &Services,
    req: &RequestCtx,
    input: RequestPasswordResetInput,
) -> ApiResult<RequestPasswordResetPayload> {
    let email = validate::email("email", &input.email)?;
    let user = scoped::<user::Entity>(req.tenant_id())
        .filter(user::Column::Email.eq(&email))
        .one(&svc.db)
        .await?;
    if let Some(user) = user {
        let txn = crate::txn::begin(&svc.db).await?;
        let token = issue_one_time_token(
            &txn,
            req.tenant_id(),
            user.id,
            one_time_token::PURPOSE_PASSWORD_RESET,
            svc.settings.password_reset_ttl,
        )
        .await?;
        let link = links::tenant_url(
            &svc.settings,
            &req.tenant,
            &format!("/reset-password?token={token}"),
        );
        let minutes = svc.settings.password_reset_ttl.as_secs() / 60;
        let expiry = format!("The link works once and expires in {minutes} minutes.");
        let email = emails::branded(
            &req.tenant,
            "PASSWORD_RESET",
            &user.email,
            &format!("Reset your {} password", req.tenant.model.display_name),
            &[
                &format!("Hello {},", user.display_name),
                "Someone asked to reset the password of your account. If it was you, follow the link below; if not, ignore this email.",
                &expiry,
            ],
            ("Choose a new password", &link),
        );
        emails::enqueue(&txn, &svc.settings, &req.tenant, email).await?;
        txn.commit().await?;
    }
    Ok(RequestPasswordResetPayload { accepted: true })
}

/// Sets a password from a one-time link and ends every session of the account.
pub async fn reset_password(
    svc: &Services,
    req: &RequestCtx,
    input: ResetPasswordInput,
) -> ApiResult<ResetPasswordPayload> {
    password::check_policy("newPassword", &input.new_password)?;
    let invalid = |m: &str| ApiError::domain("INVALID_TOKEN", Some("token"), m);
    let token = scoped::<one_time_token::Entity>(req.tenant_id())
        .filter(one_time_token::Column::TokenHash.eq(tokens::hash_token(input.token.trim())))
        .filter(one_time_token::Column::Purpose.is_in([
            one_time_token::PURPOSE_PASSWORD_RESET,
            one_time_token::PURPOSE_SET_PASSWORD,
        ]))
        .one(&svc.db)
        .await?
        .ok_or_else(|| invalid("this link is not valid"))?;
    let now = entities::time::now();
    if token.used_at.is_some() {
        return Err(invalid(
            "this link was already used or replaced by a newer one",
        ));
    }
    if token.expires_at <= now {
        return Err(invalid("this link has expired; ask for a new one"));
    }
    let hash = password::hash(input.new_password).await?;
    let txn = crate::txn::begin(&svc.db).await?;
    let claimed = one_time_token::Entity::update_many()
        .col_expr(one_time_token::Column::UsedAt, Expr::value(now))
        .filter(one_time_token::Column::Id.eq(token.id))
        .filter(one_time_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !claimed {
        return Err(invalid(
            "this link was already used or replaced by a newer one",
        ));
    }
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::TenantId.eq(req.tenant_id()))
        .filter(user::Column::Id.eq(token.user_id))
        .exec(&txn)
        .await?;
    revoke_sessions(
        &txn,
        req.tenant_id(),
        session::Column::UserId.eq(token.user_id),
        revoked::PASSWORD_RESET,
    )
    .await?;
    audit::record(
        &txn,
        req,
        None,
        "user.password_set",
        Target::User(token.user_id),
        Some(token.user_id),
        json!({ "purpose": token.purpose }),
    )
    .await?;
    let user = scoped::<user::Entity>(req.tenant_id())
        .filter(user::Column::Id.eq(token.user_id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound { what: "user" })?;
    txn.commit().await?;
    Ok(ResetPasswordPayload { user: User(user) })
}

fn own_user(req: &RequestCtx) -> ApiResult<&tenants::AuthUser> {
    req.viewer
        .user()
        .ok_or_else(|| ApiError::unauthenticated("sign in first"))
}

async fn load_own(db: &impl ConnectionTrait, req: &RequestCtx) -> ApiResult<user::Model> {
    let me = own_user(req)?;
    scoped::<user::Entity>(req.tenant_id())
        .filter(user::Column::Id.eq(me.user_id))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::unauthenticated("sign in first"))
}

/// `changePassword`: needs the current password; every other session ends.
pub async fn change_password(
    svc: &Services,
    req: &RequestCtx,
    input: ChangePasswordInput,
) -> ApiResult<AccountPayload> {
    tenants::authorize(req, tenants::Action::ChangeOwnAccount)?;
    password::check_policy("newPassword", &input.new_password)?;
    let me = own_user(req)?;
    let current = load_own(&svc.db, req).await?;
    if !password::verify(input.current_password, current.password_hash.clone()).await? {
        return Err(ApiError::bad_input(
            "currentPassword",
            "the current password is wrong",
        ));
    }
    let hash = password::hash(input.new_password).await?;
    let txn = crate::txn::begin(&svc.db).await?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(entities::time::now()))
        .filter(user::Column::Id.eq(me.user_id))
        .exec(&txn)
        .await?;
    revoke_sessions(
        &txn,
        req.tenant_id(),
        session::Column::UserId
            .eq(me.user_id)
            .and(session::Column::Id.ne(me.session_id)),
        revoked::PASSWORD_RESET,
    )
    .await?;
    audit::record(
        &txn,
        req,
        None,
        "user.password_changed",
        Target::User(me.user_id),
        None,
        json!({}),
    )
    .await?;
    let user = load_own(&txn, req).await?;
    txn.commit().await?;
    Ok(AccountPayload { user: User(user) })
}

/// `updateAccount`: name and country always; email and phone not while impersonated.
pub async fn update_account(
    svc: &Services,
    req: &RequestCtx,
    input: UpdateAccountInput,
) -> ApiResult<AccountPayload> {
    use sea_orm::IntoActiveModel;
    let me = own_user(req)?;
    if input.email.is_some() || input.phone.is_some() {
        tenants::authorize(req, tenants::Action::ChangeOwnAccount)?;
    }
    let txn = crate::txn::begin(&svc.db).await?;
    let current = load_own(&txn, req).await?;
    let had_phone = input.phone.is_some();
    let mut m = current.into_active_model();
    if let Some(n) = &input.display_name {
        m.display_name = Set(validate::text("displayName", n, 120)?);
    }
    if let Some(e) = &input.email {
        m.email = Set(validate::email("email", e)?);
    }
    if let Some(p) = &input.phone {
        m.phone = Set(Some(validate::phone("phone", p)?));
    }
    if let Some(c) = &input.country {
        m.country = Set(Some(validate::country("country", c)?));
    }
    m.updated_at = Set(entities::time::now());
    let user = m
        .update(&txn)
        .await
        .map_err(|e| unique_user_error(e, had_phone))?;
    audit::record(
        &txn,
        req,
        None,
        "user.account_updated",
        Target::User(me.user_id),
        None,
        json!({ "emailChanged": input.email.is_some(), "phoneChanged": input.phone.is_some() }),
    )
    .await?;
    txn.commit().await?;
    Ok(AccountPayload { user: User(user) })
}

/// `deleteAccount`: needs the password; refused for the last owner of an organization.
pub async fn delete_account(
    svc: &Services,
    req: &RequestCtx,
    input: DeleteAccountInput,
) -> ApiResult<DeleteAccountPayload> {
    use entities::organization_member as om;
    tenants::authorize(req, tenants::Action::ChangeOwnAccount)?;
    let me = own_user(req)?;
    let current = load_own(&svc.db, req).await?;
    if !password::verify(input.password, current.password_hash.clone()).await? {
        return Err(ApiError::bad_input("password", "the password is wrong"));
    }
    let txn = crate::txn::begin(&svc.db).await?;
    let owned: Vec<i64> = scoped::<om::Entity>(req.tenant_id())
        .filter(om::Column::UserId.eq(me.user_id))
        .filter(om::Column::Role.eq("OWNER"))
        .all(&txn)
        .await?
        .into_iter()
        .map(|m| m.organization_id)
        .collect();
    for org in owned {
        crate::orgs::ops::lock_org(&txn, req, org).await?;
        let owners = scoped::<om::Entity>(req.tenant_id())
            .filter(om::Column::OrganizationId.eq(org))
            .filter(om::Column::Role.eq("OWNER"))
            .count(&txn)
            .await?;
        if owners <= 1 {
            return Err(ApiError::domain(
                "LAST_OWNER",
                None,
                "you are the last owner of an organization: transfer it or delete it first",
            ));
        }
    }
    audit::record(
        &txn,
        req,
        None,
        "user.deleted",
        Target::User(me.user_id),
        None,
        json!({ "email": current.email }),
    )
    .await?;
    user::Entity::delete_by_id(me.user_id).exec(&txn).await?;
    txn.commit().await?;
    Ok(DeleteAccountPayload {
        deleted_user_id: crate::ids::encode(crate::ids::Kind::User, me.user_id),
    })
}

/// The viewer's notifications, newest first.
pub async fn notifications(svc: &Services, req: &RequestCtx) -> ApiResult<Vec<Notification>> {
    use entities::notification;
    use sea_orm::{QueryOrder, QuerySelect};
    let me = own_user(req)?;
    Ok(scoped::<notification::Entity>(req.tenant_id())
        .filter(notification::Column::UserId.eq(me.user_id))
        .order_by_desc(notification::Column::Id)
        .limit(100)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(Notification)
        .collect())
}
