//! Establishing who is asking from a presented token: an access token with a live session
//! (and, when it acts for someone, a live impersonation), or a service token. The types it
//! builds (`RequestCtx`, `Viewer`, ...) are in `viewer`; the HTTP layer (and the WebSocket,
//! per operation) builds the context with them.

use entities::{
    consent, impersonation, organization_member, partner, partner_client, service_token, session,
    tenant, user,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, JoinType, QueryFilter,
    QuerySelect, QueryTrait,
};

use crate::policy::{Action, Standing};
use crate::registry::TenantInfo;
use crate::scope::scoped;
use crate::tokens::{JwtKeys, TokenError};
use crate::viewer::{AuthUser, RequestCtx, ServiceAuth};

/// Checks a service token of `tenant`: known by its hash, not revoked. Records when it
/// was last used (at most once a minute, so a busy machine does not write on every call).
pub async fn authenticate_service(
    db: &DatabaseConnection,
    tenant: &TenantInfo,
    token: &str,
) -> Result<ServiceAuth, AuthError> {
    let hash = crate::tokens::hash_token(token);
    let t = scoped::<service_token::Entity>(tenant.id())
        .filter(service_token::Column::TokenHash.eq(hash))
        .filter(service_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .ok_or(AuthError::SessionEnded)?;
    let now = entities::time::now();
    if t.last_used_at
        .is_none_or(|at| now - at > chrono::Duration::minutes(1))
    {
        service_token::Entity::update_many()
            .col_expr(service_token::Column::LastUsedAt, Expr::val(now))
            .filter(service_token::Column::Id.eq(t.id))
            .exec(db)
            .await?;
    }
    Ok(ServiceAuth {
        token_id: t.id,
        tenant_id: t.tenant_id,
        scopes: t.scope_list(),
    })
}

/// Why a presented token does not establish a viewer.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("the session has ended")]
    SessionEnded,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Verifies a bearer token for `tenant` and checks that its session is still live.
pub async fn authenticate(
    db: &DatabaseConnection,
    keys: &JwtKeys,
    tenant: &TenantInfo,
    token: &str,
) -> Result<AuthUser, AuthError> {
    let claims = keys.verify(token, tenant.id())?;
    let user_id: i64 = claims.sub.parse().map_err(|_| TokenError::Invalid)?;
    // The live session and its user in one statement.
    let mut q = scoped::<session::Entity>(tenant.id())
        .filter(session::Column::Id.eq(claims.sid))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .select_also(user::Entity);
    QueryTrait::query(&mut q).join(
        JoinType::InnerJoin,
        user::Entity,
        Expr::col((user::Entity, user::Column::Id))
            .equals((session::Entity, session::Column::UserId))
            .and(Expr::col((user::Entity, user::Column::TenantId)).eq(tenant.id())),
    );
    let (session, user) = match q.one(db).await? {
        Some((session, Some(user))) => (session, user),
        _ => return Err(AuthError::SessionEnded),
    };
    let impersonator = claims.act.map(|a| a.sub);
    if let Some(actor) = &impersonator {
        let actor: i64 = actor.parse().map_err(|_| TokenError::Invalid)?;
        if !impersonation_is_live(db, tenant.id(), &session, actor).await? {
            return Err(AuthError::SessionEnded);
        }
    }
    Ok(AuthUser {
        user_id: user.id,
        tenant_id: user.tenant_id,
        session_id: session.id,
        // Platform staff are users of the root tenant; the flag means nothing elsewhere.
        is_platform_admin: user.is_platform_admin && tenant.model.is_root,
        is_tenant_admin: user.is_tenant_admin,
        impersonator,
    })
}

/// Loads the viewer's roles in the organizations that own brands (`OWNER` or
/// `USER_ADMIN`), once per request: one indexed statement (the viewer's memberships joined
/// to the brands they own). Whatever decides about another brand than the request's calls
/// this before asking the policy.
pub async fn load_brand_roles(db: &impl ConnectionTrait, ctx: &RequestCtx) -> Result<(), DbErr> {
    let Some(user) = ctx.viewer.user() else {
        return Ok(());
    };
    let (tenant_id, user_id) = (user.tenant_id, user.user_id);
    ctx.brand_roles
        .load(|| async move {
            let mut q = scoped::<organization_member::Entity>(tenant_id)
                .filter(organization_member::Column::UserId.eq(user_id))
                .filter(
                    organization_member::Column::Role
                        .is_in([entities::OrgRole::Owner, entities::OrgRole::UserAdmin]),
                )
                .select_only()
                .column_as(Expr::col((tenant::Entity, tenant::Column::Id)), "brand")
                .column(organization_member::Column::Role);
            QueryTrait::query(&mut q).join(
                JoinType::InnerJoin,
                tenant::Entity,
                Expr::col((tenant::Entity, tenant::Column::OwnerOrganizationId)).equals((
                    organization_member::Entity,
                    organization_member::Column::OrganizationId,
                )),
            );
            q.into_tuple::<(i64, entities::OrgRole)>().all(db).await
        })
        .await
}

/// Whether a "log in as client" session may still be used: the impersonation is open and
/// unexpired, the partner is approved and still has this client, the client's consent is
/// active, and the policy still lets the actor impersonate for the partner (their role in
/// the partner's organization today, not when the token was issued). Checked on every
/// request, so revoking consent, detaching, deleting the partner's organization or
/// removing or demoting the actor all end the impersonation on the next request, whatever
/// happened to the session row.
async fn impersonation_is_live(
    db: &DatabaseConnection,
    tenant_id: i64,
    session: &session::Model,
    actor: i64,
) -> Result<bool, DbErr> {
    let now = entities::time::now();
    let Some(imp) = scoped::<impersonation::Entity>(tenant_id)
        .filter(impersonation::Column::SessionId.eq(session.id))
        .filter(impersonation::Column::ClientUserId.eq(session.user_id))
        .filter(impersonation::Column::ActorUserId.eq(actor))
        .filter(impersonation::Column::EndedAt.is_null())
        .filter(impersonation::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    let Some(p) = scoped::<partner::Entity>(tenant_id)
        .filter(partner::Column::Id.eq(imp.partner_id))
        .filter(partner::Column::Status.eq(partner::STATUS_APPROVED))
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    let attached = scoped::<partner_client::Entity>(tenant_id)
        .filter(partner_client::Column::PartnerId.eq(p.id))
        .filter(partner_client::Column::ClientUserId.eq(imp.client_user_id))
        .one(db)
        .await?
        .is_some();
    let consent = scoped::<consent::Entity>(tenant_id)
        .filter(consent::Column::PartnerId.eq(p.id))
        .filter(consent::Column::ClientUserId.eq(imp.client_user_id))
        .filter(consent::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .is_some();
    let role = scoped::<organization_member::Entity>(tenant_id)
        .filter(organization_member::Column::OrganizationId.eq(p.organization_id))
        .filter(organization_member::Column::UserId.eq(actor))
        .one(db)
        .await?
        .map(|m| m.role);
    let me = Standing {
        org: role,
        space: None,
    };
    Ok(attached && crate::policy::allows_member(Action::ImpersonateClient { me, consent }))
}
