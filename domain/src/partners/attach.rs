//! Attaching clients to partners, the three ways: created by the partner, the referral
//! link, the service-manager link (with the client's answer). A client is attached to at
//! most one partner: a unique index on the client decides any race, and the loser gets
//! `CONFLICT`.

use entities::{one_time_token, partner, partner_client, partner_join_request, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use tenants::policy::Action;
use tenants::scope::scoped;
use tenants::{RequestCtx, authorize};

use super::ops::{by_code, for_member};
use super::{JoinPromptView, MyPartnerView};
use crate::identity::email_links::issue_one_time_token;
use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::emails;
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::letters::{self, Letter};
use crate::kernel::links;
use crate::kernel::services::Services;
use crate::kernel::validate;
use crate::partners::consent::{current_link, grant_consent, my_partner};

fn not_approved() -> ApiError {
    ApiError::domain(
        crate::kernel::error::code::PARTNER_NOT_APPROVED,
        Some("partnerId"),
        "the partner program has not approved this partner yet",
    )
}

fn already_attached() -> ApiError {
    ApiError::conflict("clientId", "this client is already attached to a partner")
}

async fn attach(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    partner_id: i64,
    client: i64,
    origin: partner_client::ClientOrigin,
    by: i64,
) -> ApiResult<partner_client::Model> {
    let link = partner_client::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        partner_id: Set(partner_id),
        client_user_id: Set(client),
        origin: Set(origin),
        attached_by: Set(Some(by)),
        attached_at: Set(entities::time::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => already_attached(),
        _ => ApiError::from(e),
    })?;
    crate::kernel::events::record(
        db,
        req.tenant_id(),
        crate::kernel::events::kind::CLIENT_ATTACHED,
        json!({ "partnerId": partner_id, "clientId": client, "origin": origin.as_str() }),
        entities::time::now(),
    )
    .await?;
    Ok(link)
}

/// A client account a partner creates.
#[derive(Debug, Clone)]
pub struct NewClient {
    pub partner_id: i64,
    pub full_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub country: Option<String>,
    /// ISO 639-1; `None`: the brand's default.
    pub language: Option<String>,
}

/// `createClient`: the partner creates the account; origin `CREATED_BY_PARTNER`, access
/// granted; the client gets a set-password email in the tenant's branding. Returns the
/// client link.
pub async fn create(
    svc: &Services,
    req: &RequestCtx,
    input: NewClient,
) -> ApiResult<partner_client::Model> {
    let actor = me(req)?;
    let full_name = validate::text("fullName", &input.full_name, 120)?;
    let email = validate::email("email", &input.email)?;
    let phone = validate::optional("phone", input.phone.as_deref(), validate::phone)?;
    let country = validate::optional("country", input.country.as_deref(), validate::country)?;
    let language = validate::optional("language", input.language.as_deref(), validate::language)?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (p, _) = for_member(&txn, req, input.partner_id).await?;
    if p.status != partner::STATUS_APPROVED {
        return Err(not_approved());
    }
    let exists = scoped::<user::Entity>(req.tenant_id())
        .filter(user::Column::Email.eq(&email))
        .one(&txn)
        .await?
        .is_some();
    let taken = || {
        ApiError::conflict(
            "email",
            "this email already has an account: send the client your referral or service-manager link instead",
        )
    };
    if exists {
        return Err(taken());
    }
    // Unverified until the client uses the set-password link sent to the address.
    let client = crate::identity::accounts::insert_user(
        &txn,
        crate::identity::accounts::NewUser {
            tenant_id: req.tenant_id(),
            email: email.clone(),
            phone: phone.clone(),
            display_name: full_name.clone(),
            country,
            language,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| match e {
        ApiError::Conflict { field, .. } if field == "email" => taken(),
        other => other,
    })?;
    let link = attach(
        &txn,
        req,
        p.id,
        client.id,
        partner_client::ORIGIN_CREATED,
        actor,
    )
    .await?;
    grant_consent(&txn, req, &p, client.id, actor).await?;
    let token = issue_one_time_token(
        &txn,
        req.tenant_id(),
        client.id,
        one_time_token::PURPOSE_SET_PASSWORD,
        svc.settings.set_password_ttl,
    )
    .await?;
    let url = links::tenant_url(
        &svc.settings,
        &req.tenant,
        &format!("/set-password?token={token}"),
    );
    let letter = Letter::ClientReady {
        name: &full_name,
        partner: &p.name,
    };
    let mail = letters::write(&req.tenant, &client.language, &client.email, &letter, &url);
    emails::enqueue(&txn, &svc.settings, &req.tenant, mail).await?;
    audit::record(
        &txn,
        req,
        Some(p.organization_id),
        audit::action::PARTNER_CLIENT_CREATED,
        Target::User(client.id),
        None,
        json!({ "partnerId": p.id }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(link)
}

/// Attaches a user who signs up with a referral code, in the sign-up transaction.
pub async fn attach_on_sign_up(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    client: i64,
    code: &str,
) -> ApiResult<()> {
    let (p, service_manager) = by_code(db, req, code, "referralCode").await?;
    if service_manager {
        return Err(ApiError::bad_input(
            "referralCode",
            "this is a service-manager code: sign up, then confirm it with acceptServiceManager",
        ));
    }
    attach(
        db,
        req,
        p.id,
        client,
        partner_client::ORIGIN_REFERRAL,
        client,
    )
    .await?;
    audit::record(
        db,
        req,
        Some(p.organization_id),
        audit::action::PARTNER_CLIENT_ATTACHED,
        Target::User(client),
        Some(client),
        json!({ "partnerId": p.id, "origin": partner_client::ORIGIN_REFERRAL.as_str() }),
    )
    .await?;
    Ok(())
}

async fn refuse_own_partner(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    p: &partner::Model,
    client: i64,
) -> ApiResult<()> {
    let acc = crate::orgs::access::access(db, req.tenant_id(), p.organization_id, client).await?;
    if acc.org.is_some() {
        return Err(ApiError::bad_input(
            "code",
            "members of a partner cannot be its clients",
        ));
    }
    Ok(())
}

/// `joinPartner`: a signed-in user opened a referral link; a prompt waits for their Yes.
pub async fn join(svc: &Services, req: &RequestCtx, code: &str) -> ApiResult<JoinPromptView> {
    svc.limits
        .guard(crate::kernel::ratelimit::Guarded::CodeLookUp, req, None)
        .await?;
    let client = me(req)?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (p, service_manager) = by_code(&txn, req, code, "code").await?;
    if service_manager {
        return Err(ApiError::bad_input(
            "code",
            "this is a service-manager link: confirm it with acceptServiceManager",
        ));
    }
    refuse_own_partner(&txn, req, &p, client).await?;
    if let Some(link) = current_link(&txn, req, client).await? {
        return Err(if link.partner_id == p.id {
            ApiError::conflict("code", "this partner is already your partner")
        } else {
            ApiError::conflict(
                "code",
                "you are already attached to a partner: detach first",
            )
        });
    }
    let pending = scoped::<partner_join_request::Entity>(req.tenant_id())
        .filter(partner_join_request::Column::PartnerId.eq(p.id))
        .filter(partner_join_request::Column::ClientUserId.eq(client))
        .filter(partner_join_request::Column::Status.eq(partner_join_request::STATUS_PENDING))
        .one(&txn)
        .await?;
    let request = match pending {
        Some(r) => r,
        None => {
            partner_join_request::ActiveModel {
                tenant_id: Set(req.tenant_id()),
                partner_id: Set(p.id),
                client_user_id: Set(client),
                status: Set(partner_join_request::STATUS_PENDING),
                created_at: Set(entities::time::now()),
                responded_at: Set(None),
                code: Set(Some(p.referral_code.clone())),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    crate::kernel::txn::commit(txn, req).await?;
    Ok(JoinPromptView {
        request,
        partner_name: p.name,
    })
}

/// `respondToPartnerInvitation`: Yes attaches with origin `REFERRAL_LINK` (no access);
/// No declines.
pub async fn respond(
    svc: &Services,
    req: &RequestCtx,
    prompt_id: i64,
    accept: bool,
) -> ApiResult<Option<MyPartnerView>> {
    let client = me(req)?;
    let id = prompt_id;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let prompt = scoped::<partner_join_request::Entity>(req.tenant_id())
        .filter(partner_join_request::Column::Id.eq(id))
        .filter(partner_join_request::Column::ClientUserId.eq(client))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound { what: "prompt" })?;
    if prompt.status != partner_join_request::STATUS_PENDING {
        return Err(ApiError::domain(
            crate::kernel::error::code::ALREADY_ANSWERED,
            Some("promptId"),
            "this prompt was already answered",
        ));
    }
    if accept {
        // The partner must still be in the program and the link the prompt came from
        // still its own: a rotated code, or a rejected partner, cannot gain a client
        // through an old prompt. The partner's row is share-locked so a rotation waits.
        use sea_orm::QuerySelect;
        let p = scoped::<partner::Entity>(req.tenant_id())
            .filter(partner::Column::Id.eq(prompt.partner_id))
            .lock_shared()
            .one(&txn)
            .await?
            .ok_or(ApiError::NotFound { what: "prompt" })?;
        if p.status != partner::STATUS_APPROVED {
            return Err(ApiError::domain(
                crate::kernel::error::code::PARTNER_NOT_APPROVED,
                Some("promptId"),
                "this partner is no longer in the partner program",
            ));
        }
        if prompt.code.as_ref().is_some_and(|c| *c != p.referral_code) {
            return Err(ApiError::domain(
                crate::kernel::error::code::INVALID_PARTNER_CODE,
                Some("promptId"),
                "the partner's link has changed since you opened it: ask for the new one",
            ));
        }
    }
    let status = if accept {
        partner_join_request::STATUS_ACCEPTED
    } else {
        partner_join_request::STATUS_DECLINED
    };
    let claimed = partner_join_request::Entity::update_many()
        .col_expr(partner_join_request::Column::Status, Expr::value(status))
        .col_expr(
            partner_join_request::Column::RespondedAt,
            Expr::value(entities::time::now()),
        )
        .filter(partner_join_request::Column::Id.eq(prompt.id))
        .filter(partner_join_request::Column::Status.eq(partner_join_request::STATUS_PENDING))
        .exec(&txn)
        .await?
        .rows_affected;
    if claimed == 0 {
        return Err(ApiError::domain(
            crate::kernel::error::code::ALREADY_ANSWERED,
            Some("promptId"),
            "this prompt was already answered",
        ));
    }
    if !accept {
        crate::kernel::txn::commit(txn, req).await?;
        return my_partner(svc, req).await;
    }
    let p = super::ops::find(&txn, req, prompt.partner_id).await?;
    attach(
        &txn,
        req,
        p.id,
        client,
        partner_client::ORIGIN_REFERRAL,
        client,
    )
    .await?;
    audit::record(
        &txn,
        req,
        Some(p.organization_id),
        audit::action::PARTNER_CLIENT_ATTACHED,
        Target::User(client),
        None,
        json!({ "partnerId": p.id, "origin": partner_client::ORIGIN_REFERRAL.as_str() }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    my_partner(svc, req).await
}

/// `acceptServiceManager`: the signed-in user confirms the service-manager link: origin
/// `SERVICE_MANAGER_LINK` with consent (for their current partner: consent only).
pub async fn accept_service_manager(
    svc: &Services,
    req: &RequestCtx,
    code: &str,
) -> ApiResult<Option<MyPartnerView>> {
    authorize(req, Action::ManageOwnPartnerLink)?;
    svc.limits
        .guard(crate::kernel::ratelimit::Guarded::CodeLookUp, req, None)
        .await?;
    let client = me(req)?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (p, service_manager) = by_code(&txn, req, code, "code").await?;
    if !service_manager {
        return Err(ApiError::bad_input(
            "code",
            "this is a referral link: use joinPartner",
        ));
    }
    refuse_own_partner(&txn, req, &p, client).await?;
    match current_link(&txn, req, client).await? {
        Some(link) if link.partner_id != p.id => {
            return Err(ApiError::conflict(
                "code",
                "you are already attached to another partner: detach first",
            ));
        }
        Some(_) => {}
        None => {
            attach(
                &txn,
                req,
                p.id,
                client,
                partner_client::ORIGIN_SERVICE_MANAGER,
                client,
            )
            .await?;
        }
    }
    if grant_consent(&txn, req, &p, client, client).await? {
        audit::record(
            &txn,
            req,
            Some(p.organization_id),
            audit::action::PARTNER_CONSENT_GRANTED,
            Target::User(client),
            None,
            json!({ "partnerId": p.id, "via": "SERVICE_MANAGER_LINK" }),
        )
        .await?;
    }
    crate::kernel::txn::commit(txn, req).await?;
    my_partner(svc, req).await
}

/// The viewer's pending join-partner prompts.
pub async fn prompts(svc: &Services, req: &RequestCtx) -> ApiResult<Vec<JoinPromptView>> {
    let client = me(req)?;
    let rows = scoped::<partner_join_request::Entity>(req.tenant_id())
        .filter(partner_join_request::Column::ClientUserId.eq(client))
        .filter(partner_join_request::Column::Status.eq(partner_join_request::STATUS_PENDING))
        .order_by_asc(partner_join_request::Column::Id)
        .all(&svc.db)
        .await?;
    let mut out = Vec::new();
    for request in rows {
        let p = super::ops::find(&svc.db, req, request.partner_id).await?;
        out.push(JoinPromptView {
            request,
            partner_name: p.name,
        });
    }
    Ok(out)
}
