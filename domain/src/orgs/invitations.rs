//! Invitations: sent by email with an organization role and space roles, accepted by the
//! signed-in user whose email matches (or by signing up through the link), declined,
//! revoked, or resent with a fresh token and expiry. Tokens are stored hashed.

use std::collections::HashMap;

use chrono::Duration;
use entities::{invitation, organization, space, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use tenants::policy::{self, Action, OrgRole as Role};
use tenants::scope::scoped;
use tenants::tokens;
use tenants::{RequestCtx, authorize};

use super::access::{access, lock_org};
use super::{InvitationView, OrgView};
use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::emails;
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::letters::{self, Letter};
use crate::kernel::links;
use crate::kernel::services::Services;
use crate::kernel::validate;

/// An invitation to send.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub organization_id: i64,
    pub email: String,
    pub role: Role,
    /// `(space id, role)`; a space may be listed once.
    pub space_roles: Vec<(i64, policy::SpaceRole)>,
    /// 1 to [`MAX_DAYS`].
    pub expires_in_days: i32,
    /// ISO 639-1 of the person invited; `None`: the brand's default.
    pub language: Option<String>,
}

/// How an invitee names the invitation they answer.
#[derive(Debug, Clone)]
pub enum InvitationRef {
    /// The link's token: whoever holds it.
    Token(String),
    /// The id, for the signed-in invitee whose verified email it was sent to.
    Id(i64),
}

/// The longest an invitation link may live.
pub const MAX_DAYS: i32 = 30;

/// `[(space id, role)]` of a stored invitation.
pub fn parse_space_roles(raw: &str) -> Vec<(i64, policy::SpaceRole)> {
    let v: Vec<serde_json::Value> = serde_json::from_str(raw).unwrap_or_default();
    v.iter()
        .filter_map(|e| {
            let id = e.get("spaceId")?.as_i64()?;
            let role = policy::SpaceRole::parse(e.get("role")?.as_str()?)?;
            Some((id, role))
        })
        .collect()
}

fn days(field: &str, n: i32) -> ApiResult<Duration> {
    if (1..=MAX_DAYS).contains(&n) {
        Ok(Duration::days(n as i64))
    } else {
        Err(ApiError::bad_input(
            field,
            format!("must be between 1 and {MAX_DAYS} days"),
        ))
    }
}

async fn send_email(
    db: &impl ConnectionTrait,
    svc: &Services,
    req: &RequestCtx,
    inv: &invitation::Model,
    org_name: &str,
    token: &str,
) -> ApiResult<()> {
    let inviter = match req.viewer.user() {
        Some(u) => scoped::<user::Entity>(req.tenant_id())
            .filter(user::Column::Id.eq(u.user_id))
            .one(db)
            .await?
            .map(|u| u.display_name),
        None => None,
    };
    let lang = inv
        .language
        .as_deref()
        .unwrap_or(&req.tenant.model.default_language);
    let link = links::tenant_url(
        &svc.settings,
        &req.tenant,
        &format!("/invitations/accept?token={token}"),
    );
    let letter = Letter::Invitation {
        inviter: inviter.as_deref(),
        organization: org_name,
        role: inv.org_role.as_str(),
        expires_at: inv.expires_at,
    };
    let email = letters::write(&req.tenant, lang, &inv.email, &letter, &link);
    emails::enqueue(db, &svc.settings, &req.tenant, email).await
}

/// `inviteMember`.
pub async fn invite_member(
    svc: &Services,
    req: &RequestCtx,
    input: NewInvitation,
) -> ApiResult<InvitationView> {
    let org_id = input.organization_id;
    let email = validate::email("email", &input.email)?;
    let lifetime = days("expiresInDays", input.expires_in_days)?;
    let language = validate::optional("language", input.language.as_deref(), validate::language)?;
    let role = input.role;
    let wanted = distinct_spaces(input.space_roles)?;
    let (txn, org, me_id, acc) = crate::orgs::access::begin_change(svc, req, org_id).await?;
    authorize(req, Action::ViewOrganization { me: acc.standing() })?;
    if wanted.is_empty() {
        authorize(
            req,
            Action::InviteMember {
                me: acc.standing(),
                role,
                space: None,
            },
        )?;
    }
    authorize_spaces(&txn, req, org_id, &acc, role, &wanted).await?;
    let now = entities::time::now();
    refuse_twice(&txn, req, org_id, &email, now).await?;
    let token = tokens::random_token();
    let space_roles = json!(
        wanted
            .iter()
            .map(|(id, r)| json!({ "spaceId": id, "role": r.as_str() }))
            .collect::<Vec<_>>()
    );
    let inv = invitation::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        organization_id: Set(org_id),
        email: Set(email.clone()),
        org_role: Set(role),
        space_roles: Set(space_roles.to_string()),
        token_hash: Set(tokens::hash_token(&token)),
        status: Set(invitation::STATUS_PENDING),
        invited_by: Set(Some(me_id)),
        accepted_by: Set(None),
        expires_at: Set(now + lifetime),
        created_at: Set(now),
        responded_at: Set(None),
        language: Set(language),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    send_email(&txn, svc, req, &inv, &org.name, &token).await?;
    audit::record(
        &txn,
        req,
        Some(org_id),
        audit::action::INVITATION_CREATED,
        Target::Invitation(inv.id),
        None,
        json!({ "email": email, "role": role.as_str(), "spaceRoles": space_roles }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(InvitationView {
        model: inv,
        organization_name: org.name,
    })
}

/// The spaces an invitation gives roles in, each listed once.
fn distinct_spaces(
    space_roles: Vec<(i64, policy::SpaceRole)>,
) -> ApiResult<Vec<(i64, policy::SpaceRole)>> {
    let mut wanted: Vec<(i64, policy::SpaceRole)> = Vec::new();
    for (id, space_role) in space_roles {
        if wanted.iter().any(|(w, _)| *w == id) {
            return Err(ApiError::bad_input("spaceRoles", "a space is listed twice"));
        }
        wanted.push((id, space_role));
    }
    Ok(wanted)
}

/// Each space is an active one of the organization, and the viewer may invite into it
/// with that role.
async fn authorize_spaces(
    txn: &impl ConnectionTrait,
    req: &RequestCtx,
    org_id: i64,
    acc: &crate::orgs::Access,
    role: policy::OrgRole,
    wanted: &[(i64, policy::SpaceRole)],
) -> ApiResult<()> {
    let spaces: HashMap<i64, space::Model> = scoped::<space::Entity>(req.tenant_id())
        .filter(space::Column::OrganizationId.eq(org_id))
        .filter(space::Column::Id.is_in(wanted.iter().map(|w| w.0)))
        .all(txn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    for (space_id, space_role) in wanted {
        match spaces.get(space_id) {
            Some(s) if s.archived_at.is_none() => {}
            _ => {
                return Err(ApiError::bad_input(
                    "spaceRoles",
                    "no such active space in this organization",
                ));
            }
        }
        authorize(
            req,
            Action::InviteMember {
                me: acc.in_space(*space_id),
                role,
                space: Some(*space_role),
            },
        )?;
    }
    Ok(())
}

/// Neither a member already nor invited and not expired: `CONFLICT` on `email`.
async fn refuse_twice(
    txn: &impl ConnectionTrait,
    req: &RequestCtx,
    org_id: i64,
    email: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    let existing = scoped::<user::Entity>(req.tenant_id())
        .filter(user::Column::Email.eq(email))
        .one(txn)
        .await?;
    if let Some(u) = &existing
        && access(txn, req.tenant_id(), org_id, u.id)
            .await?
            .org
            .is_some()
    {
        return Err(ApiError::conflict(
            "email",
            "this person is already a member",
        ));
    }
    let pending = scoped::<invitation::Entity>(req.tenant_id())
        .filter(invitation::Column::OrganizationId.eq(org_id))
        .filter(invitation::Column::Email.eq(email))
        .filter(invitation::Column::Status.eq(invitation::STATUS_PENDING))
        .filter(invitation::Column::ExpiresAt.gt(now))
        .one(txn)
        .await?;
    if pending.is_some() {
        return Err(ApiError::conflict(
            "email",
            "this person is already invited: resend the invitation instead",
        ));
    }
    Ok(())
}

/// Loads an invitation for the organization side and checks the viewer may manage it.
async fn for_manager(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<(invitation::Model, organization::Model)> {
    let user = me(req)?;
    let inv = scoped::<invitation::Entity>(req.tenant_id())
        .filter(invitation::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound { what: "invitation" })?;
    let org = lock_org(db, req, inv.organization_id).await?;
    let acc = access(db, req.tenant_id(), org.id, user).await?;
    authorize(req, Action::ViewOrganization { me: acc.standing() })?;
    authorize(
        req,
        Action::ManageInvitation {
            me: acc.standing(),
            mine: inv.invited_by == Some(user),
        },
    )?;
    Ok((inv, org))
}

fn still_pending(inv: &invitation::Model) -> ApiResult<()> {
    match inv.status {
        invitation::STATUS_PENDING => Ok(()),
        invitation::STATUS_ACCEPTED => Err(ApiError::domain(
            crate::kernel::error::code::INVITATION_ALREADY_ACCEPTED,
            Some("invitationId"),
            "this invitation was already accepted",
        )),
        invitation::STATUS_DECLINED => Err(ApiError::domain(
            crate::kernel::error::code::INVITATION_DECLINED,
            Some("invitationId"),
            "this invitation was declined",
        )),
        _ => Err(ApiError::domain(
            crate::kernel::error::code::INVITATION_REVOKED,
            Some("invitationId"),
            "this invitation was withdrawn",
        )),
    }
}

/// `revokeInvitation`: the link stops working.
pub async fn revoke(
    svc: &Services,
    req: &RequestCtx,
    invitation_id: i64,
) -> ApiResult<InvitationView> {
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (inv, org) = for_manager(&txn, req, invitation_id).await?;
    still_pending(&inv)?;
    let now = entities::time::now();
    invitation::Entity::update_many()
        .col_expr(
            invitation::Column::Status,
            Expr::value(invitation::STATUS_REVOKED),
        )
        .col_expr(invitation::Column::RespondedAt, Expr::value(now))
        .filter(invitation::Column::Id.eq(inv.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        req,
        Some(org.id),
        audit::action::INVITATION_REVOKED,
        Target::Invitation(inv.id),
        None,
        json!({ "email": inv.email }),
    )
    .await?;
    let model = invitation::Entity::find_by_id(inv.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound { what: "invitation" })?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(InvitationView {
        model,
        organization_name: org.name,
    })
}

/// `resendInvitation`: a fresh token and expiry; the old link stops working.
pub async fn resend(
    svc: &Services,
    req: &RequestCtx,
    invitation_id: i64,
    expires_in_days: i32,
) -> ApiResult<InvitationView> {
    let lifetime = days("expiresInDays", expires_in_days)?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (inv, org) = for_manager(&txn, req, invitation_id).await?;
    still_pending(&inv)?;
    let token = tokens::random_token();
    let now = entities::time::now();
    invitation::Entity::update_many()
        .col_expr(
            invitation::Column::TokenHash,
            Expr::value(tokens::hash_token(&token)),
        )
        .col_expr(invitation::Column::ExpiresAt, Expr::value(now + lifetime))
        .col_expr(invitation::Column::CreatedAt, Expr::value(now))
        .filter(invitation::Column::Id.eq(inv.id))
        .exec(&txn)
        .await?;
    let model = invitation::Entity::find_by_id(inv.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound { what: "invitation" })?;
    send_email(&txn, svc, req, &model, &org.name, &token).await?;
    audit::record(
        &txn,
        req,
        Some(org.id),
        audit::action::INVITATION_RESENT,
        Target::Invitation(inv.id),
        None,
        json!({ "email": inv.email }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(InvitationView {
        model,
        organization_name: org.name,
    })
}

/// The organization's pending invitations (owners and user admins).
pub async fn pending_of_org(
    svc: &Services,
    req: &RequestCtx,
    org: &OrgView,
) -> ApiResult<Vec<InvitationView>> {
    authorize(
        req,
        Action::ViewMembers {
            me: org.access.standing(),
        },
    )?;
    let rows = scoped::<invitation::Entity>(req.tenant_id())
        .filter(invitation::Column::OrganizationId.eq(org.model.id))
        .filter(invitation::Column::Status.eq(invitation::STATUS_PENDING))
        .order_by_asc(invitation::Column::Id)
        .all(&svc.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|model| InvitationView {
            model,
            organization_name: org.model.name.clone(),
        })
        .collect())
}
