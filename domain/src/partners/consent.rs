//! The client's side of the link: consent to the partner's access (granting, revoking,
//! its history), detaching, and "my partner".

use entities::{consent, impersonation, partner, partner_client, session};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use tenants::policy::Action;
use tenants::scope::scoped;
use tenants::{RequestCtx, authorize};

use super::MyPartnerView;
use crate::identity::accounts::{revoke_sessions, revoked};
use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::services::Services;

pub async fn grant_consent(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    p: &partner::Model,
    client: i64,
    by: i64,
) -> ApiResult<bool> {
    let (partner_id, partner_name) = (p.id, &p.name);
    if lock_active_consent(db, req, partner_id, client)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    consent::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        partner_id: Set(Some(partner_id)),
        client_user_id: Set(Some(client)),
        partner_name: Set(Some(partner_name.to_string())),
        granted_at: Set(entities::time::now()),
        granted_by: Set(Some(by)),
        revoked_at: Set(None),
        revoked_by: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    crate::kernel::events::record(
        db,
        req.tenant_id(),
        crate::kernel::events::kind::CONSENT_GRANTED,
        json!({ "partnerId": partner_id, "clientId": client }),
        entities::time::now(),
    )
    .await?;
    Ok(true)
}

/// Revokes every live impersonation session of `partner_id` in `client`'s account, so
/// their tokens fail on the next request.
async fn end_impersonations(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    partner_id: i64,
    client: i64,
) -> ApiResult<()> {
    let now = entities::time::now();
    let live: Vec<i64> = scoped::<impersonation::Entity>(req.tenant_id())
        .filter(impersonation::Column::PartnerId.eq(partner_id))
        .filter(impersonation::Column::ClientUserId.eq(client))
        .filter(impersonation::Column::EndedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.session_id)
        .collect();
    if live.is_empty() {
        return Ok(());
    }
    revoke_sessions(
        db,
        req.tenant_id(),
        session::Column::Id.is_in(live.clone()),
        revoked::CONSENT_REVOKED,
    )
    .await?;
    impersonation::Entity::update_many()
        .col_expr(impersonation::Column::EndedAt, Expr::value(now))
        .filter(impersonation::Column::SessionId.is_in(live))
        .filter(impersonation::Column::EndedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

async fn revoke_consent(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    partner_id: i64,
    client: i64,
) -> ApiResult<bool> {
    // Taken before anything else, as `impersonateClient` does: a concurrent start either
    // commits first (and its impersonation is ended below) or waits and then finds no
    // consent.
    lock_active_consent(db, req, partner_id, client).await?;
    let n = consent::Entity::update_many()
        .col_expr(
            consent::Column::RevokedAt,
            Expr::value(entities::time::now()),
        )
        .col_expr(consent::Column::RevokedBy, Expr::value(client))
        .filter(consent::Column::TenantId.eq(req.tenant_id()))
        .filter(consent::Column::PartnerId.eq(partner_id))
        .filter(consent::Column::ClientUserId.eq(client))
        .filter(consent::Column::RevokedAt.is_null())
        .exec(db)
        .await?
        .rows_affected;
    end_impersonations(db, req, partner_id, client).await?;
    if n > 0 {
        crate::kernel::events::record(
            db,
            req.tenant_id(),
            crate::kernel::events::kind::CONSENT_REVOKED,
            json!({ "partnerId": partner_id, "clientId": client }),
            entities::time::now(),
        )
        .await?;
    }
    Ok(n > 0)
}

async fn own_link(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
) -> ApiResult<(i64, partner_client::Model, partner::Model)> {
    let client = me(req)?;
    let link = current_link(db, req, client).await?.ok_or_else(|| {
        ApiError::domain(
            crate::kernel::error::code::NO_PARTNER,
            None,
            "you are not attached to a partner",
        )
    })?;
    let p = super::ops::find(db, req, link.partner_id).await?;
    Ok((client, link, p))
}

/// `grantPartnerAccess`: the client lets their partner in.
pub async fn grant(svc: &Services, req: &RequestCtx) -> ApiResult<Option<MyPartnerView>> {
    authorize(req, Action::ManageOwnPartnerLink)?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (client, _, p) = own_link(&txn, req).await?;
    if grant_consent(&txn, req, &p, client, client).await? {
        audit::record(
            &txn,
            req,
            Some(p.organization_id),
            audit::action::PARTNER_CONSENT_GRANTED,
            Target::User(client),
            None,
            json!({ "partnerId": p.id }),
        )
        .await?;
    }
    crate::kernel::txn::commit(txn, req).await?;
    my_partner(svc, req).await
}

/// `revokePartnerAccess`: takes effect on the next request, live impersonation tokens
/// included.
pub async fn revoke(svc: &Services, req: &RequestCtx) -> ApiResult<Option<MyPartnerView>> {
    authorize(req, Action::ManageOwnPartnerLink)?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (client, _, p) = own_link(&txn, req).await?;
    if revoke_consent(&txn, req, p.id, client).await? {
        audit::record(
            &txn,
            req,
            Some(p.organization_id),
            audit::action::PARTNER_CONSENT_REVOKED,
            Target::User(client),
            None,
            json!({ "partnerId": p.id }),
        )
        .await?;
    }
    crate::kernel::txn::commit(txn, req).await?;
    my_partner(svc, req).await
}

/// `detachFromPartner`: the client leaves their partner; consent goes with it.
pub async fn detach(svc: &Services, req: &RequestCtx) -> ApiResult<Option<MyPartnerView>> {
    authorize(req, Action::ManageOwnPartnerLink)?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (client, link, p) = own_link(&txn, req).await?;
    revoke_consent(&txn, req, p.id, client).await?;
    partner_client::Entity::delete_by_id(link.id)
        .exec(&txn)
        .await?;
    crate::kernel::events::record(
        &txn,
        req.tenant_id(),
        crate::kernel::events::kind::CLIENT_DETACHED,
        json!({ "partnerId": p.id, "clientId": client, "origin": link.origin.as_str() }),
        entities::time::now(),
    )
    .await?;
    audit::record(
        &txn,
        req,
        Some(p.organization_id),
        audit::action::PARTNER_CLIENT_DETACHED,
        Target::User(client),
        None,
        json!({ "partnerId": p.id, "origin": link.origin.as_str() }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(None)
}

/// The active consent of `client` to `partner_id`, locked for the rest of the transaction
/// (`FOR UPDATE` on PostgreSQL; SQLite's write transactions already hold the database's
/// write lock). Granting, revoking and starting an impersonation all take it first, so
/// they happen one after the other for a given client and partner.
pub async fn lock_active_consent(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    partner_id: i64,
    client: i64,
) -> ApiResult<Option<consent::Model>> {
    use sea_orm::QuerySelect;
    Ok(scoped::<consent::Entity>(req.tenant_id())
        .filter(consent::Column::PartnerId.eq(partner_id))
        .filter(consent::Column::ClientUserId.eq(client))
        .filter(consent::Column::RevokedAt.is_null())
        .lock_exclusive()
        .one(db)
        .await?)
}

/// Whether `client` consents to `partner_id` now.
pub async fn has_consent(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    partner_id: i64,
    client: i64,
) -> ApiResult<bool> {
    Ok(scoped::<consent::Entity>(req.tenant_id())
        .filter(consent::Column::PartnerId.eq(partner_id))
        .filter(consent::Column::ClientUserId.eq(client))
        .filter(consent::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .is_some())
}

/// The viewer's partner, as a client.
pub async fn my_partner(svc: &Services, req: &RequestCtx) -> ApiResult<Option<MyPartnerView>> {
    let client = me(req)?;
    let Some(link) = current_link(&svc.db, req, client).await? else {
        return Ok(None);
    };
    let partner = super::ops::find(&svc.db, req, link.partner_id).await?;
    let consent = has_consent(&svc.db, req, partner.id, client).await?;
    Ok(Some(MyPartnerView {
        partner,
        link,
        consent,
    }))
}

/// The viewer's consent history, newest first.
pub async fn consent_history(svc: &Services, req: &RequestCtx) -> ApiResult<Vec<consent::Model>> {
    let client = me(req)?;
    Ok(scoped::<consent::Entity>(req.tenant_id())
        .filter(consent::Column::ClientUserId.eq(client))
        .order_by_desc(consent::Column::Id)
        .all(&svc.db)
        .await?)
}

pub async fn current_link(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    client: i64,
) -> ApiResult<Option<partner_client::Model>> {
    Ok(scoped::<partner_client::Entity>(req.tenant_id())
        .filter(partner_client::Column::ClientUserId.eq(client))
        .one(db)
        .await?)
}
