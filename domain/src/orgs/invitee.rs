//! The invitee's side of an invitation: accepting it (signed in with the matching,
//! verified email, or by signing up through the link), declining it, and the viewer's
//! pending invitations.

use std::collections::HashMap;

use entities::{invitation, organization, organization_member, space, space_member, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use tenants::policy::Action;
use tenants::scope::scoped;
use tenants::tokens;
use tenants::{RequestCtx, authorize};

use super::access::{access, lock_org};
use super::{InvitationView, OrgView};
use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::services::Services;
use crate::orgs::invitations::{InvitationRef, parse_space_roles};

/// Why an invitation cannot be answered, if it cannot.
fn check_open(inv: &invitation::Model) -> ApiResult<()> {
    let (code, msg) = match inv.status {
        invitation::STATUS_ACCEPTED => (
            crate::kernel::error::code::INVITATION_ALREADY_ACCEPTED,
            "this invitation was already accepted",
        ),
        invitation::STATUS_DECLINED => (
            crate::kernel::error::code::INVITATION_DECLINED,
            "this invitation was declined",
        ),
        invitation::STATUS_REVOKED => (
            crate::kernel::error::code::INVITATION_REVOKED,
            "this invitation was withdrawn",
        ),
        _ if inv.expires_at <= entities::time::now() => (
            crate::kernel::error::code::INVITATION_EXPIRED,
            "this invitation has expired; ask for a new one",
        ),
        _ => return Ok(()),
    };
    Err(ApiError::domain(code, Some("token"), msg))
}

/// Finds an invitation by its link token (anyone holding it) or by id (only for the
/// signed-in user it was sent to).
async fn find_for_invitee(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    which: &InvitationRef,
) -> ApiResult<invitation::Model> {
    match which {
        InvitationRef::Token(token) => scoped::<invitation::Entity>(req.tenant_id())
            .filter(invitation::Column::TokenHash.eq(tokens::hash_token(token.trim())))
            .one(db)
            .await?
            .ok_or_else(|| {
                ApiError::domain(
                    crate::kernel::error::code::INVALID_TOKEN,
                    Some("token"),
                    "this invitation link is not valid",
                )
            }),
        InvitationRef::Id(id) => {
            let id = *id;
            let email = trusted_viewer_email(db, req, "invitationId").await?;
            scoped::<invitation::Entity>(req.tenant_id())
                .filter(invitation::Column::Id.eq(id))
                .filter(invitation::Column::Email.eq(email))
                .one(db)
                .await?
                .ok_or(ApiError::NotFound { what: "invitation" })
        }
    }
}

/// The viewer's email, if the policy lets them act on what was sent to it without a link
/// (they verified it): otherwise `EMAIL_NOT_VERIFIED`. Anyone can sign up with, or change
/// their email to, someone else's address; only a verified address is theirs.
async fn trusted_viewer_email(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    field: &str,
) -> ApiResult<String> {
    let user = crate::identity::accounts::viewer_row(db, req).await?;
    authorize(
        req,
        Action::TrustOwnEmail {
            verified: user.email_verified_at.is_some(),
        },
    )
    .map_err(|e| match e {
        tenants::Denied::Forbidden => email_not_verified(field),
        other => other.into(),
    })?;
    Ok(user.email)
}

fn email_not_verified(field: &str) -> ApiError {
    ApiError::domain(
        crate::kernel::error::code::EMAIL_NOT_VERIFIED,
        Some(field),
        "verify your email address first (follow the link we sent you), or use the invitation link",
    )
}

/// Accepts `inv` for `user` in the caller's transaction: claims the invitation (of two
/// concurrent accepts one wins), adds the membership and the space roles of spaces that
/// are still active.
pub async fn accept_in_txn(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    inv: &invitation::Model,
    user: &user::Model,
) -> ApiResult<(organization::Model, organization_member::Model)> {
    check_open(inv)?;
    if inv.email != user.email {
        return Err(ApiError::domain(
            crate::kernel::error::code::INVITATION_EMAIL_MISMATCH,
            Some("token"),
            "this invitation was sent to another email address: sign in with that one",
        ));
    }
    let org = lock_org(db, req, inv.organization_id).await?;
    if access(db, req.tenant_id(), org.id, user.id)
        .await?
        .org
        .is_some()
    {
        return Err(ApiError::domain(
            crate::kernel::error::code::ALREADY_MEMBER,
            Some("token"),
            "you are already a member of this organization",
        ));
    }
    let now = entities::time::now();
    let claimed = invitation::Entity::update_many()
        .col_expr(
            invitation::Column::Status,
            Expr::value(invitation::STATUS_ACCEPTED),
        )
        .col_expr(invitation::Column::AcceptedBy, Expr::value(user.id))
        .col_expr(invitation::Column::RespondedAt, Expr::value(now))
        .filter(invitation::Column::Id.eq(inv.id))
        .filter(invitation::Column::Status.eq(invitation::STATUS_PENDING))
        .exec(db)
        .await?
        .rows_affected
        == 1;
    if !claimed {
        return Err(ApiError::domain(
            crate::kernel::error::code::INVITATION_ALREADY_ACCEPTED,
            Some("token"),
            "this invitation was already answered",
        ));
    }
    let member = organization_member::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        organization_id: Set(org.id),
        user_id: Set(user.id),
        role: Set(inv.org_role),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let wanted = parse_space_roles(&inv.space_roles);
    let active: Vec<i64> = scoped::<space::Entity>(req.tenant_id())
        .filter(space::Column::OrganizationId.eq(org.id))
        .filter(space::Column::Id.is_in(wanted.iter().map(|w| w.0)))
        .filter(space::Column::ArchivedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    for (space_id, role) in wanted.into_iter().filter(|(id, _)| active.contains(id)) {
        space_member::ActiveModel {
            tenant_id: Set(req.tenant_id()),
            organization_id: Set(org.id),
            space_id: Set(space_id),
            user_id: Set(user.id),
            role: Set(role),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    audit::record(
        db,
        req,
        Some(org.id),
        audit::action::INVITATION_ACCEPTED,
        Target::Invitation(inv.id),
        Some(user.id),
        json!({ "role": inv.org_role.as_str() }),
    )
    .await?;
    Ok((org, member))
}

/// The invitation a sign-up link carries, checked before the account is created.
pub async fn for_sign_up(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    token: &str,
) -> ApiResult<invitation::Model> {
    let inv = scoped::<invitation::Entity>(req.tenant_id())
        .filter(invitation::Column::TokenHash.eq(tokens::hash_token(token.trim())))
        .one(db)
        .await?
        .ok_or_else(|| {
            ApiError::domain(
                crate::kernel::error::code::INVALID_TOKEN,
                Some("invitationToken"),
                "this invitation link is not valid",
            )
        })?;
    check_open(&inv)?;
    Ok(inv)
}

/// `acceptInvitation`: the signed-in user whose email it was sent to joins.
pub async fn accept(
    svc: &Services,
    req: &RequestCtx,
    which: InvitationRef,
) -> ApiResult<(OrgView, organization_member::Model)> {
    let user_id = me(req)?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let inv = find_for_invitee(&txn, req, &which).await?;
    let user = scoped::<user::Entity>(req.tenant_id())
        .filter(user::Column::Id.eq(user_id))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::unauthenticated("sign in first"))?;
    let (org, member) = accept_in_txn(&txn, req, &inv, &user).await?;
    if matches!(which, InvitationRef::Token(_)) {
        // The link was mailed to this address (and matched the account's): it is proven.
        crate::identity::email_links::mark_verified(&txn, req, user.id).await?;
    }
    crate::kernel::txn::commit(txn, req).await?;
    let access = access(&svc.db, req.tenant_id(), org.id, user_id).await?;
    Ok((OrgView { model: org, access }, member))
}

/// `declineInvitation`: by the link's holder, or by the signed-in invitee.
pub async fn decline(
    svc: &Services,
    req: &RequestCtx,
    which: InvitationRef,
) -> ApiResult<InvitationView> {
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let inv = find_for_invitee(&txn, req, &which).await?;
    check_open(&inv)?;
    let org = lock_org(&txn, req, inv.organization_id).await?;
    let now = entities::time::now();
    let done = invitation::Entity::update_many()
        .col_expr(
            invitation::Column::Status,
            Expr::value(invitation::STATUS_DECLINED),
        )
        .col_expr(invitation::Column::RespondedAt, Expr::value(now))
        .filter(invitation::Column::Id.eq(inv.id))
        .filter(invitation::Column::Status.eq(invitation::STATUS_PENDING))
        .exec(&txn)
        .await?
        .rows_affected;
    if done == 0 {
        return Err(ApiError::domain(
            crate::kernel::error::code::INVITATION_ALREADY_ACCEPTED,
            Some("token"),
            "this invitation was already answered",
        ));
    }
    audit::record(
        &txn,
        req,
        Some(org.id),
        audit::action::INVITATION_DECLINED,
        Target::Invitation(inv.id),
        None,
        json!({ "email": inv.email }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    let model = invitation::Entity::find_by_id(inv.id)
        .one(&svc.db)
        .await?
        .ok_or(ApiError::NotFound { what: "invitation" })?;
    Ok(InvitationView {
        model,
        organization_name: org.name,
    })
}

/// The viewer's own pending, unexpired invitations, found by email (no link needed).
/// An unverified address lists nothing: the frontend reads `emailVerified` to say why.
pub async fn pending_for_viewer(
    svc: &Services,
    req: &RequestCtx,
) -> ApiResult<Vec<InvitationView>> {
    let email = match trusted_viewer_email(&svc.db, req, "pendingInvitations").await {
        Ok(email) => email,
        Err(ApiError::Domain {
            code: crate::kernel::error::code::EMAIL_NOT_VERIFIED,
            ..
        }) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let rows = scoped::<invitation::Entity>(req.tenant_id())
        .filter(invitation::Column::Email.eq(email))
        .filter(invitation::Column::Status.eq(invitation::STATUS_PENDING))
        .filter(invitation::Column::ExpiresAt.gt(entities::time::now()))
        .order_by_asc(invitation::Column::Id)
        .all(&svc.db)
        .await?;
    let names: HashMap<i64, String> = scoped::<organization::Entity>(req.tenant_id())
        .filter(organization::Column::Id.is_in(rows.iter().map(|r| r.organization_id)))
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|model| InvitationView {
            organization_name: names
                .get(&model.organization_id)
                .cloned()
                .unwrap_or_default(),
            model,
        })
        .collect())
}
