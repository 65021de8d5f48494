//! An organization's spaces: listing, creating, changing and archiving them.

use entities::space;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, IntoActiveModel, QueryFilter,
};
use serde_json::json;
use tenants::policy::{self, Action};
use tenants::scope::scoped;
use tenants::{RequestCtx, authorize};

use super::{Access, OrgView, SpaceView};
use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::page::{PageArgs, Paged, paginate};
use crate::kernel::patch::Patch;
use crate::kernel::services::Services;
use crate::kernel::validate;
use crate::orgs::access::{access, begin_change, lock_org};

/// Changes to a space.
#[derive(Debug, Clone)]
pub struct SpaceChanges {
    pub id: i64,
    pub name: Option<String>,
    pub description: Patch<String>,
}

/// A space of the request's tenant.
pub async fn find_space(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    space_id: i64,
) -> ApiResult<space::Model> {
    scoped::<space::Entity>(req.tenant_id())
        .filter(space::Column::Id.eq(space_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound { what: "space" })
}

/// The spaces of an organization the viewer may see.
pub async fn spaces(
    svc: &Services,
    req: &RequestCtx,
    org: &OrgView,
    include_archived: bool,
    args: PageArgs,
) -> ApiResult<Paged<SpaceView>> {
    authorize(
        req,
        Action::ViewOrganization {
            me: org.access.standing(),
        },
    )?;
    let mut q = scoped::<space::Entity>(req.tenant_id())
        .filter(space::Column::OrganizationId.eq(org.model.id));
    if !include_archived {
        q = q.filter(space::Column::ArchivedAt.is_null());
    }
    // Whoever may see a space without a role in it (owners, user admins) sees them all;
    // the others see the spaces they are in.
    let all = authorize(
        req,
        Action::ViewSpace {
            me: org.access.standing(),
        },
    )
    .is_ok();
    if !all {
        q = q.filter(space::Column::Id.is_in(org.access.spaces.keys().copied()));
    }
    let access = org.access.clone();
    paginate(&svc.db, q, space::Column::Id, args, move |m| {
        let viewer_role = access.space_role(m.id);
        (
            m.id,
            SpaceView {
                model: m,
                viewer_role,
            },
        )
    })
    .await
}

/// `createSpace` (owners).
pub async fn create_space(
    svc: &Services,
    req: &RequestCtx,
    org_id: i64,
    name: &str,
    description: Option<&str>,
) -> ApiResult<SpaceView> {
    let name = validate::text("name", name, 120)?;
    let description = validate::opt_paragraphs("description", description, 2000)?;
    let (txn, _, _, acc) = begin_change(svc, req, org_id).await?;
    authorize(req, Action::CreateSpace { me: acc.standing() })?;
    let now = entities::time::now();
    let s = space::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        organization_id: Set(org_id),
        name: Set(name),
        description: Set(description),
        archived_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        req,
        Some(org_id),
        audit::action::SPACE_CREATED,
        Target::Space(s.id),
        None,
        json!({ "name": s.name }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(SpaceView {
        model: s,
        viewer_role: Some(policy::SpaceRole::Manager),
    })
}

/// Locks the space's organization and returns the space and the viewer's roles.
pub async fn space_for_change(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    space_id: i64,
) -> ApiResult<(space::Model, Access)> {
    let user = me(req)?;
    let s = find_space(db, req, space_id).await?;
    lock_org(db, req, s.organization_id).await?;
    let acc = access(db, req.tenant_id(), s.organization_id, user).await?;
    Ok((s, acc))
}

/// `updateSpace` (owners and the space's managers).
pub async fn update_space(
    svc: &Services,
    req: &RequestCtx,
    input: SpaceChanges,
) -> ApiResult<SpaceView> {
    let space_id = input.id;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (s, acc) = space_for_change(&txn, req, space_id).await?;
    authorize(
        req,
        Action::EditSpace {
            me: acc.in_space(space_id),
        },
    )?;
    if s.archived_at.is_some() {
        return Err(ApiError::domain(
            crate::kernel::error::code::SPACE_ARCHIVED,
            Some("id"),
            "the space is archived",
        ));
    }
    let mut m = s.into_active_model();
    if let Some(n) = &input.name {
        m.name = Set(validate::text("name", n, 120)?);
    }
    match &input.description {
        Patch::Keep => {}
        Patch::Clear => m.description = Set(None),
        Patch::Set(d) => {
            m.description = Set(validate::opt_paragraphs("description", Some(d), 2000)?)
        }
    }
    m.updated_at = Set(entities::time::now());
    let s = m.update(&txn).await?;
    audit::record(
        &txn,
        req,
        Some(s.organization_id),
        audit::action::SPACE_UPDATED,
        Target::Space(s.id),
        None,
        json!({ "name": s.name }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(SpaceView {
        viewer_role: acc.space_role(s.id),
        model: s,
    })
}

/// `archiveSpace` (owners). Archiving twice is harmless.
pub async fn archive_space(
    svc: &Services,
    req: &RequestCtx,
    space_id: i64,
) -> ApiResult<SpaceView> {
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (s, acc) = space_for_change(&txn, req, space_id).await?;
    authorize(
        req,
        Action::ArchiveSpace {
            me: acc.in_space(space_id),
        },
    )?;
    let s = if s.archived_at.is_none() {
        let mut m = s.into_active_model();
        let now = entities::time::now();
        m.archived_at = Set(Some(now));
        m.updated_at = Set(now);
        let s = m.update(&txn).await?;
        audit::record(
            &txn,
            req,
            Some(s.organization_id),
            audit::action::SPACE_ARCHIVED,
            Target::Space(s.id),
            None,
            json!({ "name": s.name }),
        )
        .await?;
        s
    } else {
        s
    };
    crate::kernel::txn::commit(txn, req).await?;
    Ok(SpaceView {
        viewer_role: acc.space_role(s.id),
        model: s,
    })
}

/// The space `id`, if the viewer may see it, with their effective role. `None` hides
/// whether it exists.
pub async fn space_for_viewer(
    svc: &Services,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<Option<SpaceView>> {
    let Some(user) = req.viewer.user() else {
        return Ok(None);
    };
    let model = match find_space(&svc.db, req, id).await {
        Ok(m) => m,
        Err(ApiError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let acc = access(
        &svc.db,
        req.tenant_id(),
        model.organization_id,
        user.user_id,
    )
    .await?;
    if authorize(
        req,
        Action::ViewSpace {
            me: acc.in_space(id),
        },
    )
    .is_err()
    {
        return Ok(None);
    }
    Ok(Some(SpaceView {
        viewer_role: acc.space_role(id),
        model,
    }))
}
