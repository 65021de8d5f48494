//! Lines: who sees them, renaming, moving between spaces, and the partner's private
//! comment. A line the viewer may not see is `NOT_FOUND`, whoever they are.

use chrono::{DateTime, Utc};
use entities::{channel_kind, line, line_channel, line_comment, partner, partner_client, space};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect,
};
use serde_json::json;
use tenants::policy::{LineStanding, Standing};
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::page::{PageArgs, Paged, paginate};
use crate::kernel::services::Services;
use crate::kernel::validate;
use crate::lines::provision;
use crate::orgs::OrgView;
use crate::orgs::access::viewer_access;

/// A line as the viewer sees it.
#[derive(Debug, Clone)]
pub struct LineView {
    pub model: line::Model,
    /// The partner whose private comment the viewer reads (they act for it).
    pub viewing_partner: Option<i64>,
}

/// `ACTIVE` until `expiresAt`, then `EXPIRED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineStatus {
    Active,
    Expired,
}

/// The line's status at `now`.
pub fn status(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> LineStatus {
    if expires_at > now {
        LineStatus::Active
    } else {
        LineStatus::Expired
    }
}

/// Whole days left, rounded up (`ceil((expiresAt - now) / 1 day)`); 0 once expired.
pub fn days_left(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let secs = (expires_at - now).num_seconds();
    if secs <= 0 {
        0
    } else {
        (secs + 86_399) / 86_400
    }
}

/// A line of the request's tenant.
pub async fn find_line(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<line::Model> {
    scoped::<line::Entity>(req.tenant_id())
        .filter(line::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound { what: "line" })
}

/// The viewer's standing toward a line, and the partner they act for if the line's client
/// is that partner's client.
pub async fn standing(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    l: &line::Model,
) -> ApiResult<(LineStanding, Option<i64>)> {
    let viewer = me(req)?;
    let acc = viewer_access(db, req, l.organization_id).await?;
    let org = Standing {
        org: acc.org,
        space: l.space_id.and_then(|s| acc.spaces.get(&s).copied()),
    };
    let link = scoped::<partner_client::Entity>(req.tenant_id())
        .filter(partner_client::Column::ClientUserId.eq(l.client_user_id))
        .one(db)
        .await?;
    let (partner, partner_id) = match link {
        Some(link) => {
            let p = scoped::<partner::Entity>(req.tenant_id())
                .filter(partner::Column::Id.eq(link.partner_id))
                .one(db)
                .await?;
            match p {
                Some(p) => {
                    let pa = viewer_access(db, req, p.organization_id).await?;
                    (Some(pa.standing()), Some(p.id))
                }
                None => (None, None),
            }
        }
        None => (None, None),
    };
    let s = LineStanding {
        tenant_id: l.tenant_id,
        client: l.client_user_id == viewer,
        org,
        partner,
    };
    let acts = partner.is_some_and(|_| authorize(req, Action::CommentOnLine { line: s }).is_ok());
    Ok((s, partner_id.filter(|_| acts)))
}

/// Loads a line the viewer may see with `action`; anything else is `NOT_FOUND`.
async fn for_viewer(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    id: i64,
    action: fn(LineStanding) -> Action,
) -> ApiResult<(line::Model, LineStanding, Option<i64>)> {
    let l = find_line(db, req, id).await?;
    let (s, partner) = standing(db, req, &l).await?;
    if authorize(req, Action::ViewLine { line: s }).is_err() {
        return Err(ApiError::NotFound { what: "line" });
    }
    authorize(req, action(s))?;
    Ok((l, s, partner))
}

/// The line `id`, if the viewer may see it.
pub async fn line_for_viewer(
    svc: &Services,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<Option<LineView>> {
    if req.viewer.user().is_none() {
        return Ok(None);
    }
    match for_viewer(&svc.db, req, id, |line| Action::ViewLine { line }).await {
        Ok((model, _, viewing_partner)) => Ok(Some(LineView {
            model,
            viewing_partner,
        })),
        Err(ApiError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Every line of a user's account (the user, the brand's admins and user admins, staff),
/// oldest first; on the user's own brand, which may be another than the request's.
pub async fn user_lines(
    svc: &Services,
    req: &RequestCtx,
    user: &entities::user::Model,
    args: PageArgs,
) -> ApiResult<Paged<line::Model>> {
    // A reseller's user admins read their brand's people from the brand they live on.
    crate::tenancy::access::load_brand_facts(&svc.db, req, user.tenant_id).await?;
    crate::tenancy::access::authorize_on(
        req,
        Action::ViewUserLines {
            tenant_id: user.tenant_id,
            user_id: user.id,
        },
        user.tenant_id,
    )?;
    let q = scoped::<line::Entity>(user.tenant_id).filter(line::Column::ClientUserId.eq(user.id));
    paginate(&svc.db, q, line::Column::Id, args, |m| (m.id, m)).await
}

/// An organization's lines: all of them for its owners, the lines of their spaces for
/// the other members.
pub async fn organization_lines(
    svc: &Services,
    req: &RequestCtx,
    org: &OrgView,
    args: PageArgs,
) -> ApiResult<Paged<line::Model>> {
    authorize(
        req,
        Action::ViewOrganization {
            me: org.access.standing(),
        },
    )?;
    let mut q = scoped::<line::Entity>(req.tenant_id())
        .filter(line::Column::OrganizationId.eq(org.model.id));
    if org.access.org != Some(entities::OrgRole::Owner) {
        q = q.filter(line::Column::SpaceId.is_in(org.access.spaces.keys().copied()));
    }
    paginate(&svc.db, q, line::Column::Id, args, |m| (m.id, m)).await
}

/// `renameLine`.
pub async fn rename(
    svc: &Services,
    req: &RequestCtx,
    line_id: i64,
    name: &str,
) -> ApiResult<LineView> {
    let name = validate::text("name", name, 120)?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (l, _, viewing_partner) =
        for_viewer(&txn, req, line_id, |line| Action::EditLine { line }).await?;
    let from = l.name.clone();
    let l = provision::rename_line(&txn, l, name, svc.clock.now()).await?;
    audit::record(
        &txn,
        req,
        Some(l.organization_id),
        audit::action::LINE_RENAMED,
        Target::Line(l.id),
        None,
        json!({ "from": from, "to": l.name, "lineNumber": l.line_number }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(LineView {
        model: l,
        viewing_partner,
    })
}

/// `attachLineToSpace`: moves the line to a space of its organization, or out of any
/// (`None`). Archived spaces take no lines.
pub async fn attach_to_space(
    svc: &Services,
    req: &RequestCtx,
    line_id: i64,
    space_id: Option<i64>,
) -> ApiResult<LineView> {
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (l, _, viewing_partner) =
        for_viewer(&txn, req, line_id, |line| Action::EditLine { line }).await?;
    if let Some(sid) = space_id {
        let s = scoped::<space::Entity>(req.tenant_id())
            .filter(space::Column::Id.eq(sid))
            .filter(space::Column::OrganizationId.eq(l.organization_id))
            .one(&txn)
            .await?
            .ok_or_else(|| {
                ApiError::bad_input("spaceId", "no such space in the line's organization")
            })?;
        if s.archived_at.is_some() {
            return Err(ApiError::domain(
                crate::kernel::error::code::SPACE_ARCHIVED,
                Some("spaceId"),
                "the space is archived",
            ));
        }
    }
    let from = l.space_id;
    let l = provision::move_line(&txn, l, space_id, svc.clock.now()).await?;
    audit::record(
        &txn,
        req,
        Some(l.organization_id),
        audit::action::LINE_SPACE_CHANGED,
        Target::Line(l.id),
        None,
        json!({ "from": from, "to": space_id, "lineNumber": l.line_number }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(LineView {
        model: l,
        viewing_partner,
    })
}

/// `setLineComment`: the viewer's partner's private note on a client's line; empty
/// removes it. Only those who act for the client's partner write it.
pub async fn set_comment(
    svc: &Services,
    req: &RequestCtx,
    line_id: i64,
    body: Option<&str>,
) -> ApiResult<LineView> {
    let body = validate::opt_paragraphs("comment", body, 2000)?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (l, _, viewing_partner) =
        for_viewer(&txn, req, line_id, |line| Action::CommentOnLine { line }).await?;
    let partner_id = viewing_partner.ok_or(ApiError::NotFound { what: "line" })?;
    let existing = scoped::<line_comment::Entity>(req.tenant_id())
        .filter(line_comment::Column::LineId.eq(l.id))
        .filter(line_comment::Column::PartnerId.eq(partner_id))
        .one(&txn)
        .await?;
    let now = svc.clock.now();
    match (existing, body) {
        (Some(c), None) => {
            line_comment::Entity::delete_by_id(c.id).exec(&txn).await?;
        }
        (Some(c), Some(b)) => {
            let mut m = c.into_active_model();
            m.body = Set(b);
            m.updated_by = Set(Some(me(req)?));
            m.updated_at = Set(now);
            m.update(&txn).await?;
        }
        (None, Some(b)) => {
            line_comment::ActiveModel {
                tenant_id: Set(req.tenant_id()),
                line_id: Set(l.id),
                partner_id: Set(partner_id),
                body: Set(b),
                updated_by: Set(Some(me(req)?)),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        (None, None) => {}
    }
    crate::kernel::txn::commit(txn, req).await?;
    Ok(LineView {
        model: l,
        viewing_partner,
    })
}

/// `removeLineChannel`: takes an unpaid channel (a pending trial, say) off a line. Paid
/// channels stay until the line ends (`CHANNEL_PAID`).
pub async fn remove_channel(
    svc: &Services,
    req: &RequestCtx,
    line_id: i64,
    channel_id: i64,
) -> ApiResult<LineView> {
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (l, _, viewing_partner) =
        for_viewer(&txn, req, line_id, |line| Action::EditLine { line }).await?;
    let c = scoped::<line_channel::Entity>(req.tenant_id())
        .filter(line_channel::Column::Id.eq(channel_id))
        .filter(line_channel::Column::LineId.eq(l.id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound { what: "channel" })?;
    if c.paid {
        return Err(ApiError::domain(
            crate::kernel::error::code::CHANNEL_PAID,
            Some("channelId"),
            "a paid channel stays on the line until the line ends",
        ));
    }
    provision::remove_channels(&txn, req.tenant_id(), &[c.id]).await?;
    audit::record(
        &txn,
        req,
        Some(l.organization_id),
        audit::action::LINE_CHANNEL_REMOVED,
        Target::Line(l.id),
        None,
        json!({ "lineNumber": l.line_number, "channelId": c.id, "channelKindId": c.channel_kind_id }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(LineView {
        model: l,
        viewing_partner,
    })
}

/// `setChannelStatus`: the messaging side (a service token with the `CHANNEL_STATUS`
/// scope) or staff report a channel's connection state. A change is recorded as a
/// `channel.status_changed` domain event in the same transaction; reporting the state the
/// channel is already in changes nothing and records nothing, so retries are harmless.
pub async fn set_channel_status(
    svc: &Services,
    req: &RequestCtx,
    channel_id: i64,
    status: line_channel::ChannelStatus,
) -> ApiResult<(line_channel::Model, line::Model)> {
    // Decided before anything is read, so a refused caller learns nothing of the channel.
    authorize(
        req,
        Action::ReportChannelStatus {
            tenant_id: req.tenant_id(),
        },
    )?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    // The row lock orders racing reports of one channel, so each event's `from` is what
    // the previous report left.
    let c = scoped::<line_channel::Entity>(req.tenant_id())
        .filter(line_channel::Column::Id.eq(channel_id))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound { what: "channel" })?;
    let l = find_line(&txn, req, c.line_id).await?;
    if c.status == status {
        return Ok((c, l));
    }
    let now = svc.clock.now();
    let from = c.status;
    let c = provision::set_channel_status(&txn, c, status, now).await?;
    let kind = scoped::<channel_kind::Entity>(req.tenant_id())
        .filter(channel_kind::Column::Id.eq(c.channel_kind_id))
        .one(&txn)
        .await?;
    crate::kernel::events::record(
        &txn,
        req.tenant_id(),
        crate::kernel::events::kind::CHANNEL_STATUS_CHANGED,
        json!({
            "channelId": c.id,
            "channelKind": kind.map(|k| k.code),
            "from": from.as_str(),
            "to": status.as_str(),
            "lineId": l.id,
            "lineNumber": l.line_number,
            "clientUserId": l.client_user_id,
            "organizationId": l.organization_id,
            "spaceId": l.space_id,
        }),
        now,
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok((c, l))
}
