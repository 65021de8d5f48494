//! Identity operations. Each runs in one transaction; tokens are issued only after the
//! rows that back them are written.

use chrono::Duration;
use entities::{one_time_token, refresh_token, session, user};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde_json::json;
use tenants::RequestCtx;
use tenants::scope::scoped;
use tenants::tokens::{self, Claims};

use super::accounts::{revoke_sessions, revoked, signed_in, viewer_row, void_one_time_tokens};
use crate::kernel::audit::{self, Target};
use crate::kernel::emails;
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::links;
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

/// `updateAccount`: `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct AccountChanges {
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    /// Required to change `email` or `phone`.
    pub current_password: Option<String>,
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

pub use super::accounts::unique_user_error;

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

/// Sends a password-reset email if the account exists. Whether it does is not revealed,
/// not even by timing: both cases render the email, open a transaction and run the same
/// three statements, each of which selects the account by email (and so writes nothing
/// when there is none).
pub async fn request_password_reset(
    svc: &Services,
    req: &RequestCtx,
    email: &str,
) -> ApiResult<()> {
    svc.limits
        .guard(
            crate::kernel::ratelimit::Guarded::PasswordReset,
            req,
            Some(email),
        )
        .await?;
    use entities::outbox_message as om;
    use sea_orm::sea_query::{Query, SelectStatement};
    let email = validate::email("email", email)?;
    let tenant_id = req.tenant_id();
    let token = tokens::random_token();
    let link = links::tenant_url(
        &svc.settings,
        &req.tenant,
        &format!("/reset-password?token={token}"),
    );
    let minutes = svc.settings.password_reset_ttl.as_secs() / 60;
    let expiry = format!("The link works once and expires in {minutes} minutes.");
    let mail = emails::branded(
        &req.tenant,
        "PASSWORD_RESET",
        &email,
        &format!("Reset your {} password", req.tenant.model.display_name),
        &[
            "Hello,",
            "Someone asked to reset the password of your account. If it was you, follow the link below; if not, ignore this email.",
            &expiry,
        ],
        ("Choose a new password", &link),
    );
    let now = entities::time::now();
    let account = |select: &mut SelectStatement| {
        select
            .from(user::Entity)
            .and_where(user::Column::TenantId.eq(tenant_id))
            .and_where(user::Column::Email.eq(email.as_str()))
            .to_owned()
    };
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    // A newer link replaces older ones.
    one_time_token::Entity::update_many()
        .col_expr(one_time_token::Column::UsedAt, Expr::value(now))
        .filter(one_time_token::Column::TenantId.eq(tenant_id))
        .filter(one_time_token::Column::Purpose.eq(one_time_token::PURPOSE_PASSWORD_RESET))
        .filter(one_time_token::Column::UsedAt.is_null())
        .filter(
            one_time_token::Column::UserId
                .in_subquery(account(Query::select().column(user::Column::Id))),
        )
        .exec(&txn)
        .await?;
    let insert_token = Query::insert()
        .into_table(one_time_token::Entity)
        .columns([
            one_time_token::Column::TenantId,
            one_time_token::Column::UserId,
            one_time_token::Column::Purpose,
            one_time_token::Column::TokenHash,
            one_time_token::Column::CreatedAt,
            one_time_token::Column::ExpiresAt,
        ])
        .select_from(account(
            Query::select()
                .expr(Expr::val(tenant_id))
                .column(user::Column::Id)
                .expr(Expr::val(one_time_token::PURPOSE_PASSWORD_RESET))
                .expr(Expr::val(tokens::hash_token(&token)))
                .expr(Expr::val(now))
                .expr(Expr::val(now + ttl(svc.settings.password_reset_ttl))),
        ))
        .map_err(ApiError::internal)?
        .to_owned();
    txn.execute(&insert_token).await?;
    let insert_mail = Query::insert()
        .into_table(om::Entity)
        .columns([
            om::Column::TenantId,
            om::Column::Channel,
            om::Column::Kind,
            om::Column::Recipient,
            om::Column::Sender,
            om::Column::Subject,
            om::Column::BodyText,
            om::Column::BodyHtml,
            om::Column::Status,
            om::Column::Attempts,
            om::Column::NextAttemptAt,
            om::Column::CreatedAt,
        ])
        .select_from(account(
            Query::select()
                .expr(Expr::val(tenant_id))
                .expr(Expr::val(om::CHANNEL_EMAIL))
                .expr(Expr::val(mail.kind))
                .column(user::Column::Email)
                .expr(Expr::val(emails::sender(&svc.settings, &req.tenant)))
                .expr(Expr::val(mail.subject))
                .expr(Expr::val(mail.text))
                .expr(Expr::val(mail.html))
                .expr(Expr::val(om::STATUS_PENDING))
                .expr(Expr::val(0))
                .expr(Expr::val(now))
                .expr(Expr::val(now)),
        ))
        .map_err(ApiError::internal)?
        .to_owned();
    txn.execute(&insert_mail).await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(())
}

/// Sets a password from a one-time link and ends every session of the account. The link
/// was sent to the account's address (links die when the address changes), so using it
/// also verifies that address.
pub async fn reset_password(
    svc: &Services,
    req: &RequestCtx,
    token: &str,
    new_password: String,
) -> ApiResult<user::Model> {
    password::check_policy("newPassword", &new_password)?;
    let token = find_link(
        &svc.db,
        req,
        token,
        &[
            one_time_token::PURPOSE_PASSWORD_RESET,
            one_time_token::PURPOSE_SET_PASSWORD,
        ],
    )
    .await?;
    let hash = password::hash(new_password).await?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    claim_link(&txn, &token).await?;
    let now = entities::time::now();
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::TenantId.eq(req.tenant_id()))
        .filter(user::Column::Id.eq(token.user_id))
        .exec(&txn)
        .await?;
    mark_verified(&txn, req, token.user_id).await?;
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
        audit::action::USER_PASSWORD_SET,
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
    crate::kernel::txn::commit(txn, req).await?;
    Ok(user)
}

fn invalid_link(message: &str) -> ApiError {
    ApiError::domain(
        crate::kernel::error::code::INVALID_TOKEN,
        Some("token"),
        message,
    )
}

/// The unused, unexpired one-time link with this token and one of `purposes`.
async fn find_link(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    token: &str,
    purposes: &[&str],
) -> ApiResult<one_time_token::Model> {
    let token = scoped::<one_time_token::Entity>(req.tenant_id())
        .filter(one_time_token::Column::TokenHash.eq(tokens::hash_token(token.trim())))
        .filter(one_time_token::Column::Purpose.is_in(purposes.iter().copied()))
        .one(db)
        .await?
        .ok_or_else(|| invalid_link("this link is not valid"))?;
    if token.used_at.is_some() {
        return Err(invalid_link(
            "this link was already used or replaced by a newer one",
        ));
    }
    if token.expires_at <= entities::time::now() {
        return Err(invalid_link("this link has expired; ask for a new one"));
    }
    Ok(token)
}

/// Marks the link used; of two concurrent uses only one succeeds.
async fn claim_link(db: &impl ConnectionTrait, token: &one_time_token::Model) -> ApiResult<()> {
    let claimed = one_time_token::Entity::update_many()
        .col_expr(
            one_time_token::Column::UsedAt,
            Expr::value(entities::time::now()),
        )
        .filter(one_time_token::Column::Id.eq(token.id))
        .filter(one_time_token::Column::UsedAt.is_null())
        .exec(db)
        .await?
        .rows_affected
        == 1;
    if claimed {
        Ok(())
    } else {
        Err(invalid_link(
            "this link was already used or replaced by a newer one",
        ))
    }
}

/// Records that the account's current address is proven (no-op if it already was).
pub async fn mark_verified(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    user_id: i64,
) -> ApiResult<bool> {
    let n = user::Entity::update_many()
        .col_expr(
            user::Column::EmailVerifiedAt,
            Expr::value(entities::time::now()),
        )
        .filter(user::Column::TenantId.eq(req.tenant_id()))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::EmailVerifiedAt.is_null())
        .exec(db)
        .await?
        .rows_affected;
    Ok(n > 0)
}

/// Emails `user` a link that verifies their current address (replacing older ones).
pub async fn send_verification(
    db: &impl ConnectionTrait,
    svc: &Services,
    req: &RequestCtx,
    user: &user::Model,
) -> ApiResult<()> {
    let token = issue_one_time_token(
        db,
        req.tenant_id(),
        user.id,
        one_time_token::PURPOSE_VERIFY_EMAIL,
        svc.settings.verify_email_ttl,
    )
    .await?;
    let link = links::tenant_url(
        &svc.settings,
        &req.tenant,
        &format!("/verify-email?token={token}"),
    );
    let hours = svc.settings.verify_email_ttl.as_secs() / 3600;
    let expiry = format!("The link works once and expires in {hours} hours.");
    let mail = emails::branded(
        &req.tenant,
        "VERIFY_EMAIL",
        &user.email,
        &format!("Confirm your email for {}", req.tenant.model.display_name),
        &[
            &format!("Hello {},", user.display_name),
            "Confirm that this address is yours. Until you do, invitations and partner access sent to it stay closed to your account.",
            &expiry,
        ],
        ("Confirm my email", &link),
    );
    emails::enqueue(db, &svc.settings, &req.tenant, mail).await
}

/// `verifyEmail`: the link's token proves the mailbox; no sign-in needed.
pub async fn verify_email(svc: &Services, req: &RequestCtx, token: &str) -> ApiResult<user::Model> {
    svc.limits
        .guard(crate::kernel::ratelimit::Guarded::VerifyEmail, req, None)
        .await?;
    let token = find_link(&svc.db, req, token, &[one_time_token::PURPOSE_VERIFY_EMAIL]).await?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    claim_link(&txn, &token).await?;
    mark_verified(&txn, req, token.user_id).await?;
    let user = scoped::<user::Entity>(req.tenant_id())
        .filter(user::Column::Id.eq(token.user_id))
        .one(&txn)
        .await?
        .ok_or_else(|| invalid_link("this link is not valid"))?;
    audit::record(
        &txn,
        req,
        None,
        audit::action::USER_EMAIL_VERIFIED,
        Target::User(user.id),
        Some(user.id),
        json!({ "email": user.email }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(user)
}

/// `resendEmailVerification`: a fresh link to the viewer's unverified address.
pub async fn resend_email_verification(svc: &Services, req: &RequestCtx) -> ApiResult<()> {
    signed_in(req)?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let user = viewer_row(&txn, req).await?;
    if user.email_verified_at.is_some() {
        return Err(ApiError::domain(
            crate::kernel::error::code::EMAIL_ALREADY_VERIFIED,
            None,
            "your email address is already verified",
        ));
    }
    send_verification(&txn, svc, req, &user).await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(())
}

/// `changePassword`: needs the current password; every other session ends.
pub async fn change_password(
    svc: &Services,
    req: &RequestCtx,
    current_password: String,
    new_password: String,
) -> ApiResult<user::Model> {
    tenants::authorize(req, tenants::Action::ChangeOwnAccount)?;
    password::check_policy("newPassword", &new_password)?;
    let me = signed_in(req)?;
    let current = viewer_row(&svc.db, req).await?;
    check_password(&current, current_password, "currentPassword").await?;
    let hash = password::hash(new_password).await?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
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
        audit::action::USER_PASSWORD_CHANGED,
        Target::User(me.user_id),
        None,
        json!({}),
    )
    .await?;
    let user = viewer_row(&txn, req).await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(user)
}

/// Refuses unless `given` is the account's password (`field` names the input).
pub async fn check_password(user: &user::Model, given: String, field: &str) -> ApiResult<()> {
    if password::verify(given, user.password_hash.clone()).await? {
        Ok(())
    } else {
        Err(ApiError::bad_input(field, "the password is wrong"))
    }
}

/// `updateAccount`: name and country always; email and phone need the current password
/// and are refused while impersonated. A new email is unverified, gets a verification
/// link, and every outstanding one-time link of the account stops working; the old
/// address is told.
pub async fn update_account(
    svc: &Services,
    req: &RequestCtx,
    input: AccountChanges,
) -> ApiResult<user::Model> {
    use sea_orm::IntoActiveModel;
    let me = signed_in(req)?;
    let display_name = validate::optional("displayName", input.display_name.as_deref(), |f, v| {
        validate::text(f, v, 120)
    })?;
    let email = validate::optional("email", input.email.as_deref(), validate::email)?;
    let phone = validate::optional("phone", input.phone.as_deref(), validate::phone)?;
    let country = validate::optional("country", input.country.as_deref(), validate::country)?;
    let before = viewer_row(&svc.db, req).await?;
    let email = email.filter(|e| *e != before.email);
    let phone = phone.filter(|p| Some(p) != before.phone.as_ref());
    if email.is_some() || phone.is_some() {
        tenants::authorize(req, tenants::Action::ChangeOwnAccount)?;
        let Some(given) = input.current_password else {
            return Err(ApiError::bad_input(
                "currentPassword",
                "give your current password to change your email or phone",
            ));
        };
        check_password(&before, given, "currentPassword").await?;
    }
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let current = viewer_row(&txn, req).await?;
    let old_email = current.email.clone();
    let mut m = current.into_active_model();
    if let Some(n) = display_name {
        m.display_name = Set(n);
    }
    if let Some(e) = &email {
        m.email = Set(e.clone());
        m.email_verified_at = Set(None);
    }
    if let Some(p) = &phone {
        m.phone = Set(Some(p.clone()));
    }
    if let Some(c) = country {
        m.country = Set(Some(c));
    }
    m.updated_at = Set(entities::time::now());
    let user = m
        .update(&txn)
        .await
        .map_err(|e| unique_user_error(e, phone.is_some()))?;
    if email.is_some() {
        void_one_time_tokens(&txn, req.tenant_id(), user.id).await?;
        send_verification(&txn, svc, req, &user).await?;
        let notice = emails::branded(
            &req.tenant,
            "EMAIL_CHANGED",
            &old_email,
            &format!("Your {} email was changed", req.tenant.model.display_name),
            &[
                &format!("Hello {},", user.display_name),
                "The email address of your account was just changed. If it was not you, reset your password and contact support.",
            ],
            (
                "Reset my password",
                &links::tenant_url(&svc.settings, &req.tenant, "/reset-password"),
            ),
        );
        emails::enqueue(&txn, &svc.settings, &req.tenant, notice).await?;
    }
    audit::record(
        &txn,
        req,
        None,
        audit::action::USER_ACCOUNT_UPDATED,
        Target::User(me.user_id),
        None,
        json!({ "emailChanged": email.is_some(), "phoneChanged": phone.is_some() }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(user)
}

/// The user `id`, if the viewer may see it: staff across tenants, everyone else within
/// the request's tenant and as the policy allows. `None` hides whether it exists.
pub async fn user_for_viewer(
    svc: &Services,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<Option<user::Model>> {
    use tenants::{Action, authorize};
    let query = if authorize(req, Action::ListTenants).is_ok() {
        user::Entity::find().filter(user::Column::Id.eq(id))
    } else {
        scoped::<user::Entity>(req.tenant_id()).filter(user::Column::Id.eq(id))
    };
    Ok(query.one(&svc.db).await?.filter(|u| {
        authorize(
            req,
            Action::ViewUser {
                tenant_id: u.tenant_id,
                user_id: u.id,
            },
        )
        .is_ok()
    }))
}
