//! "Log in as client": a partner user with the client's active consent gets a short-lived
//! token for the client's account carrying an RFC 8693 `act` claim. The client is told,
//! the reason is recorded, and revoking consent ends the session on the next request.

use std::time::Duration;

use entities::{impersonation, partner_client, session, user};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use tenants::policy::Action;
use tenants::scope::scoped;
use tenants::tokens::Actor;
use tenants::{RequestCtx, authorize};

use super::Impersonation;
use super::ops::for_member_unchecked;
use crate::identity::accounts::{revoke_sessions, revoked};
use crate::identity::me;
use crate::identity::sessions::access_token;
use crate::identity::sessions::insert_session;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::services::Services;
use crate::kernel::validate;
use crate::partners::consent::lock_active_consent;

/// A request to log in as a client.
#[derive(Debug, Clone)]
pub struct ImpersonationRequest {
    pub partner_id: i64,
    pub client_id: i64,
    /// Why; recorded and shown to the client.
    pub reason: String,
    /// Token lifetime, 1 to [`MAX_MINUTES`].
    pub minutes: i32,
}

/// The longest an impersonation token lives.
pub const MAX_MINUTES: i32 = 60;

/// `impersonateClient`.
pub async fn start(
    svc: &Services,
    req: &RequestCtx,
    input: ImpersonationRequest,
) -> ApiResult<Impersonation> {
    let actor = me(req)?;
    let reason = validate::text("reason", &input.reason, 500)?;
    if !(1..=MAX_MINUTES).contains(&input.minutes) {
        return Err(ApiError::bad_input(
            "minutes",
            format!("must be between 1 and {MAX_MINUTES}"),
        ));
    }
    let client_id = input.client_id;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (p, acc) = for_member_unchecked(&txn, req, input.partner_id).await?;
    let attached = scoped::<partner_client::Entity>(req.tenant_id())
        .filter(partner_client::Column::PartnerId.eq(p.id))
        .filter(partner_client::Column::ClientUserId.eq(client_id))
        .one(&txn)
        .await?;
    // Whether someone is a client of this partner is the partner's business only.
    authorize(req, Action::ActForPartner { me: acc.standing() })?;
    if attached.is_none() {
        return Err(ApiError::NotFound { what: "client" });
    }
    // Locked, so a concurrent revocation waits for this impersonation to commit (and then
    // ends it) or this start waits for the revocation (and then finds no consent).
    let consent = lock_active_consent(&txn, req, p.id, client_id)
        .await?
        .is_some();
    authorize(
        req,
        Action::ImpersonateClient {
            me: acc.standing(),
            consent,
        },
    )
    .map_err(|e| match e {
        tenants::Denied::Forbidden => ApiError::domain(
            crate::kernel::error::code::CONSENT_REQUIRED,
            Some("clientId"),
            "the client has not granted you access to their account",
        ),
        other => other.into(),
    })?;
    let client = scoped::<user::Entity>(req.tenant_id())
        .filter(user::Column::Id.eq(client_id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound { what: "client" })?;
    let now = entities::time::now();
    let lifetime = Duration::from_secs(input.minutes as u64 * 60);
    let s = insert_session(&txn, req, client.id).await?;
    let imp = impersonation::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        partner_id: Set(p.id),
        actor_user_id: Set(actor),
        client_user_id: Set(client.id),
        session_id: Set(s.id),
        reason: Set(reason.clone()),
        started_at: Set(now),
        expires_at: Set(now + chrono::Duration::minutes(input.minutes as i64)),
        ended_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // The client is told (bell, email, Telegram) by the notifications fan-out.
    crate::kernel::events::record(
        &txn,
        req.tenant_id(),
        crate::kernel::events::kind::IMPERSONATION_STARTED,
        json!({ "partnerId": p.id, "partnerName": p.name, "clientId": client.id, "reason": reason, "until": imp.expires_at }),
        now,
    )
    .await?;
    audit::record(
        &txn,
        req,
        Some(p.organization_id),
        audit::action::IMPERSONATION_STARTED,
        Target::User(client.id),
        None,
        json!({ "partnerId": p.id, "reason": reason, "minutes": input.minutes }),
    )
    .await?;
    let (access_token, expires_in) = access_token(
        svc,
        req,
        client.id,
        s.id,
        Some(Actor {
            sub: actor.to_string(),
        }),
        lifetime,
    )?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(Impersonation {
        access_token,
        expires_in,
        client,
    })
}

/// `endImpersonation`: "return to own account"; the impersonation token stops working.
pub async fn end(svc: &Services, req: &RequestCtx) -> ApiResult<bool> {
    let viewer = req
        .viewer
        .user()
        .ok_or_else(|| ApiError::unauthenticated("sign in first"))?;
    if viewer.impersonator.is_none() {
        return Err(ApiError::domain(
            crate::kernel::error::code::NOT_IMPERSONATING,
            None,
            "this token is your own, not a client's",
        ));
    }
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let now = entities::time::now();
    revoke_sessions(
        &txn,
        req.tenant_id(),
        session::Column::Id.eq(viewer.session_id),
        revoked::IMPERSONATION_ENDED,
    )
    .await?;
    impersonation::Entity::update_many()
        .col_expr(impersonation::Column::EndedAt, Expr::value(now))
        .filter(impersonation::Column::SessionId.eq(viewer.session_id))
        .filter(impersonation::Column::EndedAt.is_null())
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        req,
        None,
        audit::action::IMPERSONATION_ENDED,
        Target::User(viewer.user_id),
        None,
        json!({}),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(true)
}
