//! Accounts: the one place a `users` row is built, the one helper that ends sessions, and
//! the one lookup of the viewer's own row. Every domain that creates an account (sign-up,
//! a tenant's first admin, a partner's client, the bootstrap admin, the demo) goes through
//! [`insert_user`], so a new column gets its value in one place.

use entities::{one_time_token, session, user};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use tenants::scope::scoped;
use tenants::{AuthUser, RequestCtx};

use crate::kernel::error::{ApiError, ApiResult};

/// What a new account starts with.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub tenant_id: i64,
    /// Already validated and lower-cased.
    pub email: String,
    /// Already in E.164.
    pub phone: Option<String>,
    pub display_name: String,
    /// `None`: the account has no password until a set-password link is used.
    pub password_hash: Option<String>,
    pub country: Option<String>,
    pub is_tenant_admin: bool,
    pub is_platform_admin: bool,
    /// Whether the address is proven at creation (an invitation link was followed, or
    /// the operator configured it).
    pub email_verified: bool,
    /// ISO 639-1, already validated; `None`: the brand's default language.
    pub language: Option<String>,
}

/// Inserts the account. A taken email or phone is `CONFLICT` on that field.
pub async fn insert_user(db: &impl ConnectionTrait, new: NewUser) -> ApiResult<user::Model> {
    let now = entities::time::now();
    let has_phone = new.phone.is_some();
    let account_number =
        crate::kernel::counters::next(db, new.tenant_id, crate::kernel::counters::ACCOUNT).await?;
    let language = match new.language {
        Some(l) => l,
        None => entities::tenant::Entity::find_by_id(new.tenant_id)
            .one(db)
            .await?
            .map(|t| t.default_language)
            .unwrap_or_else(|| "en".to_string()),
    };
    user::ActiveModel {
        tenant_id: Set(new.tenant_id),
        account_number: Set(account_number),
        email: Set(new.email),
        phone: Set(new.phone),
        password_hash: Set(new.password_hash),
        display_name: Set(new.display_name),
        is_platform_admin: Set(new.is_platform_admin),
        is_tenant_admin: Set(new.is_tenant_admin),
        country: Set(new.country),
        email_verified_at: Set(new.email_verified.then_some(now)),
        language: Set(language),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| unique_user_error(e, has_phone))
}

/// Maps a unique violation on `users` to `CONFLICT` on the field at fault.
pub fn unique_user_error(e: sea_orm::DbErr, has_phone: bool) -> ApiError {
    let msg = match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(m)) => m,
        _ => return ApiError::from(e),
    };
    if has_phone && msg.contains("phone") {
        ApiError::conflict("phone", "an account with this phone number already exists")
    } else {
        ApiError::conflict("email", "an account with this email already exists")
    }
}

/// Whether an account on `tenant_id` already uses `email` or `phone`: checked before the
/// expensive password hash, so a taken address costs the server nothing. The unique
/// indexes still decide a race.
pub async fn check_available(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    email: &str,
    phone: Option<&str>,
) -> ApiResult<()> {
    let mut either = sea_orm::Condition::any().add(user::Column::Email.eq(email));
    if let Some(p) = phone {
        either = either.add(user::Column::Phone.eq(p));
    }
    let taken = scoped::<user::Entity>(tenant_id)
        .filter(either)
        .all(db)
        .await?;
    if taken.iter().any(|u| u.email == email) {
        return Err(ApiError::conflict(
            "email",
            "an account with this email already exists",
        ));
    }
    if !taken.is_empty() {
        return Err(ApiError::conflict(
            "phone",
            "an account with this phone number already exists",
        ));
    }
    Ok(())
}

/// Why a session was ended.
pub mod revoked {
    pub const LOGOUT: &str = "LOGOUT";
    pub const REFRESH_REUSE: &str = "REFRESH_REUSE";
    pub const PASSWORD_RESET: &str = "PASSWORD_RESET";
    pub const IMPERSONATION_ENDED: &str = "IMPERSONATION_ENDED";
    pub const CONSENT_REVOKED: &str = "CONSENT_REVOKED";
    pub const EMAIL_CHANGED: &str = "EMAIL_CHANGED";
}

/// Ends the live sessions of `tenant_id` that match `filter`; returns how many.
pub async fn revoke_sessions(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    filter: SimpleExpr,
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

/// Makes every unused one-time link of the account stop working (after a change of email,
/// links sent to the old address must not reach the account).
pub async fn void_one_time_tokens(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    user_id: i64,
) -> ApiResult<u64> {
    let res = one_time_token::Entity::update_many()
        .col_expr(
            one_time_token::Column::UsedAt,
            Expr::value(entities::time::now()),
        )
        .filter(one_time_token::Column::TenantId.eq(tenant_id))
        .filter(one_time_token::Column::UserId.eq(user_id))
        .filter(one_time_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// The signed-in viewer, or `UNAUTHENTICATED`.
pub fn signed_in(req: &RequestCtx) -> ApiResult<&AuthUser> {
    match req.viewer.user() {
        Some(u) => Ok(u),
        // A machine is authenticated, just not as anyone: what needs a person is refused.
        None if req.viewer.service().is_some() => Err(ApiError::from(tenants::Denied::Forbidden)),
        None => Err(ApiError::unauthenticated("sign in first")),
    }
}

/// The signed-in viewer's own row (read in `db`, which may be a transaction).
pub async fn viewer_row(db: &impl ConnectionTrait, req: &RequestCtx) -> ApiResult<user::Model> {
    let me = signed_in(req)?;
    scoped::<user::Entity>(req.tenant_id())
        .filter(user::Column::Id.eq(me.user_id))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::unauthenticated("sign in first"))
}
