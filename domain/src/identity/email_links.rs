//! One-time links sent by email: password reset and email verification. A link is
//! claimed once, in the transaction that uses it.

pub use super::accounts::unique_user_error;
use entities::{one_time_token, session, user};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use tenants::RequestCtx;
use tenants::scope::scoped;
use tenants::tokens;

use super::accounts::{revoke_sessions, revoked, signed_in, viewer_row};
use crate::identity::sessions::ttl;
use crate::kernel::audit::{self, Target};
use crate::kernel::emails;
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::i18n;
use crate::kernel::letters::{self, Letter};
use crate::kernel::links;
use crate::kernel::password;
use crate::kernel::services::Services;
use crate::kernel::validate;

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

/// The reset email in every language, written before the account is looked up; the one
/// statement that queues it picks the account's language, so the request does the same
/// work whether the address has an account or not.
struct ResetMail(Vec<(&'static str, emails::Email)>);

impl ResetMail {
    fn new(tenant: &tenants::TenantInfo, to: &str, minutes: u64, link: &str) -> Self {
        let letter = Letter::PasswordReset { minutes };
        Self(
            i18n::LANGUAGES
                .into_iter()
                .map(|lang| (lang, letters::write(tenant, lang, to, &letter, link)))
                .collect(),
        )
    }

    /// One part of the email, as SQL: `CASE users.language WHEN .. END`.
    fn in_language(
        &self,
        part: fn(&emails::Email) -> &String,
    ) -> sea_orm::sea_query::CaseStatement {
        let mut case = sea_orm::sea_query::CaseStatement::new();
        for (lang, mail) in &self.0 {
            case = case.case(
                user::Column::Language.eq(*lang),
                Expr::val(part(mail).as_str()),
            );
        }
        case.finally(Expr::val(part(&self.0[0].1).as_str()))
    }
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
    let mail = ResetMail::new(&req.tenant, &email, minutes, &link);
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
            om::Column::ReplyTo,
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
                .expr(Expr::val("PASSWORD_RESET"))
                .column(user::Column::Email)
                .expr(Expr::val(emails::sender(&svc.settings, &req.tenant)))
                .expr(Expr::val(emails::reply_to(&req.tenant)))
                .expr(mail.in_language(|m| &m.subject))
                .expr(mail.in_language(|m| &m.text))
                .expr(mail.in_language(|m| &m.html))
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
    let letter = Letter::VerifyEmail {
        name: &user.display_name,
        hours,
    };
    let mail = letters::write(&req.tenant, &user.language, &user.email, &letter, &link);
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
