//! Steps that cross domains and must be atomic: each owns one transaction and calls the
//! domains' in-transaction operations, which never open their own. This is the top of the
//! domain order: nothing below imports it.
//!
//! - `signUp`: the account, and in the same transaction the invitation it came with
//!   (organizations) or the referral code (partners);
//! - `deleteAccount`: the account, after every organization it belongs to is locked and
//!   its owners counted (organizations).
//!
//! `applyAsPartner` (an organization and its application in one transaction) lives in
//! `partners`, which may call `orgs` below it.

use entities::user;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use tenants::RequestCtx;
use tenants::scope::scoped;

use crate::identity;
use crate::identity::accounts::{NewUser, check_available, insert_user, signed_in, viewer_row};
use crate::identity::sessions::Session;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::services::Services;
use crate::kernel::{password, validate};
use crate::orgs::access::lock_org;

/// A new account.
#[derive(Debug, Clone, Default)]
pub struct SignUp {
    pub email: String,
    pub phone: Option<String>,
    pub password: String,
    pub display_name: String,
    /// A partner's referral code: the account becomes the partner's client.
    pub referral_code: Option<String>,
    /// An invitation link's token: the account joins that organization at once.
    pub invitation_token: Option<String>,
    /// ISO 639-1 (the referral landing's choice); `None`: the invitation's language, or
    /// the brand's default.
    pub language: Option<String>,
}

/// Creates an account on the request's tenant and signs it in.
pub async fn sign_up(svc: &Services, req: &RequestCtx, input: SignUp) -> ApiResult<Session> {
    svc.limits
        .guard(
            crate::kernel::ratelimit::Guarded::SignUp,
            req,
            Some(&input.email),
        )
        .await?;
    let email = validate::email("email", &input.email)?;
    let phone = validate::optional("phone", input.phone.as_deref(), validate::phone)?;
    let display_name = validate::text("displayName", &input.display_name, 120)?;
    let language = validate::optional("language", input.language.as_deref(), validate::language)?;
    password::check_policy("password", &input.password)?;
    let invitation = match input
        .invitation_token
        .as_deref()
        .filter(|t| !t.trim().is_empty())
    {
        Some(token) => {
            let inv = crate::orgs::invitee::for_sign_up(&svc.db, req, token).await?;
            if inv.email != email {
                return Err(ApiError::domain(
                    crate::kernel::error::code::INVITATION_EMAIL_MISMATCH,
                    Some("email"),
                    "sign up with the email address the invitation was sent to",
                ));
            }
            Some(inv)
        }
        None => None,
    };
    // A taken address is refused before the deliberately slow hash.
    check_available(&svc.db, req.tenant_id(), &email, phone.as_deref()).await?;
    let hash = password::hash(input.password).await?;

    let txn = crate::kernel::txn::begin(&svc.db).await?;
    // Signing up through an invitation link proves the mailbox the link was sent to.
    let verified = invitation.is_some();
    let user = insert_user(
        &txn,
        NewUser {
            tenant_id: req.tenant_id(),
            email,
            phone,
            display_name,
            password_hash: Some(hash),
            email_verified: verified,
            language: language.or_else(|| invitation.as_ref().and_then(|i| i.language.clone())),
            ..Default::default()
        },
    )
    .await?;
    audit::record(
        &txn,
        req,
        None,
        audit::action::USER_SIGNED_UP,
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
        crate::partners::attach::attach_on_sign_up(&txn, req, user.id, code).await?;
    }
    if let Some(inv) = &invitation {
        crate::orgs::invitee::accept_in_txn(&txn, req, inv, &user).await?;
    } else {
        identity::email_links::send_verification(&txn, svc, req, &user).await?;
    }
    let session = identity::sessions::start_session(&txn, svc, req, user).await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(session)
}

/// `deleteAccount`: needs the password; refused for the last owner of an organization.
/// Every organization the account belongs to is locked (in id order) before owners are
/// counted, so a concurrent promotion or hand-over cannot leave an organization with no
/// owner.
pub async fn delete_account(svc: &Services, req: &RequestCtx, password: String) -> ApiResult<i64> {
    use entities::organization_member as om;
    use sea_orm::QueryOrder;
    tenants::authorize(req, tenants::Action::ChangeOwnAccount)?;
    let me = signed_in(req)?;
    let current = viewer_row(&svc.db, req).await?;
    identity::profile::check_password(&current, password, "password").await?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let orgs: Vec<i64> = scoped::<om::Entity>(req.tenant_id())
        .filter(om::Column::UserId.eq(me.user_id))
        .order_by_asc(om::Column::OrganizationId)
        .all(&txn)
        .await?
        .into_iter()
        .map(|m| m.organization_id)
        .collect();
    for org in &orgs {
        lock_org(&txn, req, *org).await?;
    }
    // Roles as they are under the locks.
    let owned = scoped::<om::Entity>(req.tenant_id())
        .filter(om::Column::UserId.eq(me.user_id))
        .filter(om::Column::Role.eq(entities::OrgRole::Owner))
        .all(&txn)
        .await?;
    for m in owned {
        let owners = scoped::<om::Entity>(req.tenant_id())
            .filter(om::Column::OrganizationId.eq(m.organization_id))
            .filter(om::Column::Role.eq(entities::OrgRole::Owner))
            .count(&txn)
            .await?;
        if owners <= 1 {
            return Err(ApiError::domain(
                crate::kernel::error::code::LAST_OWNER,
                None,
                "you are the last owner of an organization: transfer it or delete it first",
            ));
        }
    }
    audit::record(
        &txn,
        req,
        None,
        audit::action::USER_DELETED,
        Target::User(me.user_id),
        None,
        json!({ "email": current.email }),
    )
    .await?;
    user::Entity::delete_by_id(me.user_id).exec(&txn).await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(me.user_id)
}
