//! The account's own settings: its profile fields and password; reading an account.

pub use super::accounts::unique_user_error;
use entities::{session, user};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use tenants::RequestCtx;

use super::accounts::{revoke_sessions, revoked, signed_in, viewer_row, void_one_time_tokens};
use crate::identity::email_links::send_verification;
use crate::kernel::audit::{self, Target};
use crate::kernel::emails;
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::letters::{self, Letter};
use crate::kernel::links;
use crate::kernel::password;
use crate::kernel::services::Services;
use crate::kernel::validate;

/// `updateAccount`: `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct AccountChanges {
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    /// ISO 639-1: the language everything is written to the person in.
    pub language: Option<String>,
    /// Required to change `email` or `phone`.
    pub current_password: Option<String>,
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

/// `updateAccount`: name, country and language always; email and phone need the current password
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
    let language = validate::optional("language", input.language.as_deref(), validate::language)?;
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
    let old_language = current.language.clone();
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
    let language_changed = language.as_ref().is_some_and(|l| *l != old_language);
    if let Some(l) = language {
        m.language = Set(l);
    }
    m.updated_at = Set(entities::time::now());
    let user = m
        .update(&txn)
        .await
        .map_err(|e| unique_user_error(e, phone.is_some()))?;
    if email.is_some() {
        void_one_time_tokens(&txn, req.tenant_id(), user.id).await?;
        send_verification(&txn, svc, req, &user).await?;
        let letter = Letter::EmailChanged {
            name: &user.display_name,
        };
        let link = links::tenant_url(&svc.settings, &req.tenant, "/reset-password");
        let notice = letters::write(&req.tenant, &user.language, &old_email, &letter, &link);
        emails::enqueue(&txn, &svc.settings, &req.tenant, notice).await?;
    }
    audit::record(
        &txn,
        req,
        None,
        audit::action::USER_ACCOUNT_UPDATED,
        Target::User(me.user_id),
        None,
        json!({
            "emailChanged": email.is_some(), "phoneChanged": phone.is_some(),
            "language": language_changed.then_some(&user.language),
        }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(user)
}

/// The user `id`, if the viewer may see it: staff across tenants, a reseller's owners and
/// user admins also at their brand, everyone else within the request's tenant and as the
/// policy allows. `None` hides whether it exists.
pub async fn user_for_viewer(
    svc: &Services,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<Option<user::Model>> {
    use tenants::{Action, authorize};
    // Found by id alone; the policy decides on the row found.
    let Some(u) = user::Entity::find_by_id(id).one(&svc.db).await? else {
        return Ok(None);
    };
    // Another brand's account: the viewer may administer that brand through an
    // organization that owns it.
    if u.tenant_id != req.tenant_id() {
        tenants::context::load_brand_roles(&svc.db, req).await?;
    }
    Ok(Some(u).filter(|u| {
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
