//! Organization, space and member operations. Every change runs in one transaction that
//! first locks the organization's row (a no-op `UPDATE`: a row lock on PostgreSQL, the
//! write lock on SQLite), then reads the viewer's roles and asks the policy, so two
//! concurrent changes can never both see "another owner is left".

use std::collections::HashMap;

use entities::{organization, organization_member, space, space_member};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
};
use serde_json::json;
use tenants::policy::{self, Action, OrgRole as Role};
use tenants::scope::scoped;
use tenants::{RequestCtx, authorize};

use super::{Access, OrgView, SpaceView};
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::ids::{self, Kind};
use crate::kernel::page::{PageArgs, Paged, paginate};
use crate::kernel::patch::Patch;
use crate::kernel::services::Services;
use crate::kernel::validate;

/// A new organization; `None` takes the tenant's default.
#[derive(Debug, Clone, Default)]
pub struct NewOrganization {
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// IANA time zone.
    pub timezone: Option<String>,
    /// A language code.
    pub language: Option<String>,
}

/// Changes to an organization; `None` and `Patch::Keep` leave a field alone.
#[derive(Debug, Clone)]
pub struct OrganizationChanges {
    pub id: i64,
    pub name: Option<String>,
    pub country: Patch<String>,
    pub timezone: Option<String>,
    pub language: Option<String>,
}

/// Changes to a space.
#[derive(Debug, Clone)]
pub struct SpaceChanges {
    pub id: i64,
    pub name: Option<String>,
    pub description: Patch<String>,
}

use crate::identity::me;

/// The viewer's memberships, loaded once per request (one statement) and shared by every
/// read that decides on them.
pub async fn viewer_memberships(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
) -> ApiResult<std::sync::Arc<tenants::Memberships>> {
    let Some(user) = req.viewer.user() else {
        return Ok(Default::default());
    };
    let (tenant_id, user_id) = (req.tenant_id(), user.user_id);
    req.memberships
        .get_or_load(|| async move {
            let sql = "SELECT organization_id, role, NULL AS space_id FROM organization_members \
                 WHERE tenant_id = ? AND user_id = ? \
                 UNION ALL SELECT organization_id, role, space_id FROM space_members \
                 WHERE tenant_id = ? AND user_id = ?";
            let rows = db
                .query_all_raw(crate::kernel::sql::statement(
                    db,
                    sql,
                    vec![
                        tenant_id.into(),
                        user_id.into(),
                        tenant_id.into(),
                        user_id.into(),
                    ],
                ))
                .await?;
            let mut m = tenants::Memberships::default();
            for r in rows {
                let org: i64 = r.try_get_by_index(0)?;
                let role: String = r.try_get_by_index(1)?;
                let space: Option<i64> = r.try_get_by_index(2)?;
                match space {
                    None => {
                        let role = entities::OrgRole::parse(&role)
                            .ok_or_else(|| ApiError::internal("unknown organization role"))?;
                        m.orgs.insert(org, role);
                    }
                    Some(space) => {
                        let role = entities::SpaceRole::parse(&role)
                            .ok_or_else(|| ApiError::internal("unknown space role"))?;
                        m.spaces.entry(org).or_default().insert(space, role);
                    }
                }
            }
            Ok::<_, ApiError>(m)
        })
        .await
}

/// The viewer's roles in `org_id`, from the request's memberships (no statement after the
/// first).
pub async fn viewer_access(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    org_id: i64,
) -> ApiResult<Access> {
    let m = viewer_memberships(db, req).await?;
    Ok(access_in(&m, org_id))
}

/// The roles in `org_id` of whoever `m` belongs to.
pub fn access_in(m: &tenants::Memberships, org_id: i64) -> Access {
    match m.orgs.get(&org_id) {
        None => Access::default(),
        Some(role) => Access {
            org: Some(*role),
            spaces: m.spaces.get(&org_id).cloned().unwrap_or_default(),
        },
    }
}

/// `user_id`'s roles in `org_id`.
pub async fn access(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    org_id: i64,
    user_id: i64,
) -> ApiResult<Access> {
    let member = scoped::<organization_member::Entity>(tenant_id)
        .filter(organization_member::Column::OrganizationId.eq(org_id))
        .filter(organization_member::Column::UserId.eq(user_id))
        .one(db)
        .await?;
    let Some(member) = member else {
        return Ok(Access::default());
    };
    let spaces = scoped::<space_member::Entity>(tenant_id)
        .filter(space_member::Column::OrganizationId.eq(org_id))
        .filter(space_member::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.space_id, s.role))
        .collect();
    Ok(Access {
        org: Some(member.role),
        spaces,
    })
}

/// The organization `org_id` of the request's tenant.
pub async fn find_org(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    org_id: i64,
) -> ApiResult<organization::Model> {
    scoped::<organization::Entity>(req.tenant_id())
        .filter(organization::Column::Id.eq(org_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound {
            what: "organization",
        })
}

/// Locks the organization's row for the rest of the transaction and returns it.
pub async fn lock_org(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    org_id: i64,
) -> ApiResult<organization::Model> {
    let touched = organization::Entity::update_many()
        .col_expr(
            organization::Column::UpdatedAt,
            Expr::col(organization::Column::UpdatedAt),
        )
        .filter(organization::Column::TenantId.eq(req.tenant_id()))
        .filter(organization::Column::Id.eq(org_id))
        .exec(db)
        .await?
        .rows_affected;
    if touched == 0 {
        return Err(ApiError::NotFound {
            what: "organization",
        });
    }
    find_org(db, req, org_id).await
}

/// Opens a write transaction about one organization: locks its row and loads the viewer's
/// roles as they are under the lock. Returns the transaction, the organization, the
/// viewer's user id and roles.
pub async fn begin_change(
    svc: &Services,
    req: &RequestCtx,
    org_id: i64,
) -> ApiResult<(DatabaseTransaction, organization::Model, i64, Access)> {
    let user = me(req)?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let org = lock_org(&txn, req, org_id).await?;
    let acc = access(&txn, req.tenant_id(), org_id, user).await?;
    Ok((txn, org, user, acc))
}

/// An organization as the viewer sees it, or an error if they may not.
pub async fn org_for_viewer(svc: &Services, req: &RequestCtx, org_id: i64) -> ApiResult<OrgView> {
    let user = me(req)?;
    let model = find_org(&svc.db, req, org_id).await?;
    let access = access(&svc.db, req.tenant_id(), org_id, user).await?;
    authorize(
        req,
        Action::ViewOrganization {
            me: access.standing(),
        },
    )?;
    Ok(OrgView { model, access })
}

/// The viewer's organizations, oldest membership first.
pub async fn viewer_organizations(svc: &Services, req: &RequestCtx) -> ApiResult<Vec<OrgView>> {
    let user = me(req)?;
    let memberships = scoped::<organization_member::Entity>(req.tenant_id())
        .filter(organization_member::Column::UserId.eq(user))
        .all(&svc.db)
        .await?;
    let org_ids: Vec<i64> = memberships.iter().map(|m| m.organization_id).collect();
    let orgs: HashMap<i64, organization::Model> = scoped::<organization::Entity>(req.tenant_id())
        .filter(organization::Column::Id.is_in(org_ids))
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let mut spaces: HashMap<i64, HashMap<i64, policy::SpaceRole>> = HashMap::new();
    for s in scoped::<space_member::Entity>(req.tenant_id())
        .filter(space_member::Column::UserId.eq(user))
        .all(&svc.db)
        .await?
    {
        spaces
            .entry(s.organization_id)
            .or_default()
            .insert(s.space_id, s.role);
    }
    let mut out = Vec::new();
    for m in memberships {
        if let Some(model) = orgs.get(&m.organization_id) {
            out.push(OrgView {
                model: model.clone(),
                access: Access {
                    org: Some(m.role),
                    spaces: spaces.remove(&m.organization_id).unwrap_or_default(),
                },
            });
        }
    }
    Ok(out)
}

/// `createOrganization`: the creator becomes its owner.
pub async fn create_organization(
    svc: &Services,
    req: &RequestCtx,
    input: NewOrganization,
) -> ApiResult<OrgView> {
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let org = insert_organization(&txn, req, input).await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(org)
}

/// Creates an organization owned by the viewer, in the caller's transaction (also used by
/// `applyAsPartner`, which creates the partner in the same transaction).
pub async fn insert_organization(
    txn: &impl ConnectionTrait,
    req: &RequestCtx,
    input: NewOrganization,
) -> ApiResult<OrgView> {
    let user = me(req)?;
    authorize(req, Action::CreateOrganization)?;
    let name = validate::text("name", &input.name, 120)?;
    let country = validate::optional("country", input.country.as_deref(), validate::country)?;
    let timezone = validate::timezone(
        "timezone",
        input
            .timezone
            .as_deref()
            .unwrap_or(&req.tenant.model.timezone),
    )?;
    let language = match input.language.as_deref() {
        Some(l) => validate::language("language", l)?,
        None => req.tenant.model.default_language.clone(),
    };
    let now = entities::time::now();
    let org = organization::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        name: Set(name),
        country: Set(country),
        timezone: Set(timezone),
        language: Set(language),
        created_by: Set(Some(user)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    organization_member::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        organization_id: Set(org.id),
        user_id: Set(user),
        role: Set(Role::Owner),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        req,
        Some(org.id),
        audit::action::ORGANIZATION_CREATED,
        Target::Organization(org.id),
        None,
        json!({ "name": org.name }),
    )
    .await?;
    Ok(OrgView {
        model: org,
        access: Access {
            org: Some(Role::Owner),
            spaces: HashMap::new(),
        },
    })
}

/// `updateOrganization` (owners).
pub async fn update_organization(
    svc: &Services,
    req: &RequestCtx,
    input: OrganizationChanges,
) -> ApiResult<OrgView> {
    let org_id = input.id;
    let (txn, org, _, acc) = begin_change(svc, req, org_id).await?;
    authorize(req, Action::EditOrganization { me: acc.standing() })?;
    let mut m = org.into_active_model();
    if let Some(n) = &input.name {
        m.name = Set(validate::text("name", n, 120)?);
    }
    match &input.country {
        Patch::Keep => {}
        Patch::Clear => m.country = Set(None),
        Patch::Set(c) => m.country = Set(Some(validate::country("country", c)?)),
    }
    if let Some(t) = &input.timezone {
        m.timezone = Set(validate::timezone("timezone", t)?);
    }
    if let Some(l) = &input.language {
        m.language = Set(validate::language("language", l)?);
    }
    m.updated_at = Set(entities::time::now());
    let org = m.update(&txn).await?;
    audit::record(
        &txn,
        req,
        Some(org.id),
        audit::action::ORGANIZATION_UPDATED,
        Target::Organization(org.id),
        None,
        json!({ "name": org.name, "country": org.country, "timezone": org.timezone, "language": org.language }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(OrgView {
        model: org,
        access: acc,
    })
}

/// `deleteOrganization` (owners): members, spaces and invitations go with it.
pub async fn delete_organization(svc: &Services, req: &RequestCtx, org_id: i64) -> ApiResult<i64> {
    let (txn, org, _, acc) = begin_change(svc, req, org_id).await?;
    authorize(req, Action::DeleteOrganization { me: acc.standing() })?;
    organization::Entity::delete_by_id(org.id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        req,
        Some(org.id),
        audit::action::ORGANIZATION_DELETED,
        Target::Organization(org.id),
        None,
        json!({ "name": org.name }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(org.id)
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

/// The members of an organization (owners and user admins), a page.
pub async fn members(
    svc: &Services,
    req: &RequestCtx,
    org: &OrgView,
    args: PageArgs,
) -> ApiResult<Paged<organization_member::Model>> {
    authorize(
        req,
        Action::ViewMembers {
            me: org.access.standing(),
        },
    )?;
    let q = scoped::<organization_member::Entity>(req.tenant_id())
        .filter(organization_member::Column::OrganizationId.eq(org.model.id));
    paginate(&svc.db, q, organization_member::Column::Id, args, |m| {
        (m.id, m)
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
async fn space_for_change(
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

async fn find_member(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    org_id: i64,
    user_id: i64,
) -> ApiResult<organization_member::Model> {
    scoped::<organization_member::Entity>(req.tenant_id())
        .filter(organization_member::Column::OrganizationId.eq(org_id))
        .filter(organization_member::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound { what: "member" })
}

async fn owner_count(db: &impl ConnectionTrait, req: &RequestCtx, org_id: i64) -> ApiResult<u64> {
    Ok(scoped::<organization_member::Entity>(req.tenant_id())
        .filter(organization_member::Column::OrganizationId.eq(org_id))
        .filter(organization_member::Column::Role.eq(Role::Owner))
        .count(db)
        .await?)
}

fn last_owner() -> ApiError {
    ApiError::domain(
        crate::kernel::error::code::LAST_OWNER,
        Some("userId"),
        "an organization must keep at least one owner: make someone else an owner first",
    )
}

async fn set_role(
    db: &impl ConnectionTrait,
    member: organization_member::Model,
    role: Role,
) -> ApiResult<organization_member::Model> {
    let mut m = member.into_active_model();
    m.role = Set(role);
    m.updated_at = Set(entities::time::now());
    Ok(m.update(db).await?)
}

/// `changeMemberRole`.
pub async fn change_member_role(
    svc: &Services,
    req: &RequestCtx,
    org_id: i64,
    target_id: i64,
    to: Role,
) -> ApiResult<organization_member::Model> {
    let (txn, _org, user, acc) = begin_change(svc, req, org_id).await?;
    authorize(req, Action::ViewOrganization { me: acc.standing() })?;
    let target = find_member(&txn, req, org_id, target_id).await?;
    let from = target.role;
    authorize(
        req,
        Action::ChangeMemberRole {
            me: acc.standing(),
            from,
            to,
            is_self: target_id == user,
        },
    )?;
    if from == Role::Owner && to != Role::Owner && owner_count(&txn, req, org_id).await? <= 1 {
        return Err(last_owner());
    }
    let updated = if from == to {
        target
    } else {
        set_role(&txn, target, to).await?
    };
    if from != to {
        audit::record(
            &txn,
            req,
            Some(org_id),
            audit::action::MEMBER_ROLE_CHANGED,
            Target::User(target_id),
            None,
            json!({ "from": from.as_str(), "to": to.as_str() }),
        )
        .await?;
    }
    crate::kernel::txn::commit(txn, req).await?;
    Ok(updated)
}

/// `setSpaceAccess`: a member's role in a space, or none.
pub async fn set_space_access(
    svc: &Services,
    req: &RequestCtx,
    space_id: i64,
    target_id: i64,
    to: Option<policy::SpaceRole>,
) -> ApiResult<organization_member::Model> {
    let user = me(req)?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let (s, acc) = space_for_change(&txn, req, space_id).await?;
    authorize(req, Action::ViewOrganization { me: acc.standing() })?;
    if s.archived_at.is_some() {
        return Err(ApiError::domain(
            crate::kernel::error::code::SPACE_ARCHIVED,
            Some("spaceId"),
            "the space is archived",
        ));
    }
    let target = find_member(&txn, req, s.organization_id, target_id).await?;
    let current = scoped::<space_member::Entity>(req.tenant_id())
        .filter(space_member::Column::SpaceId.eq(space_id))
        .filter(space_member::Column::UserId.eq(target_id))
        .one(&txn)
        .await?;
    let from = current.as_ref().map(|c| c.role);
    authorize(
        req,
        Action::SetSpaceAccess {
            me: acc.in_space(space_id),
            target: target.role,
            from,
            to,
            is_self: target_id == user,
        },
    )?;
    match (current, to) {
        (Some(c), None) => {
            space_member::Entity::delete_by_id(c.id).exec(&txn).await?;
        }
        (Some(c), Some(role)) if Some(role) != from => {
            let mut m = c.into_active_model();
            m.role = Set(role);
            m.update(&txn).await?;
        }
        (None, Some(role)) => {
            space_member::ActiveModel {
                tenant_id: Set(req.tenant_id()),
                organization_id: Set(s.organization_id),
                space_id: Set(space_id),
                user_id: Set(target_id),
                role: Set(role),
                created_at: Set(entities::time::now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        _ => {}
    }
    if from != to {
        audit::record(
            &txn,
            req,
            Some(s.organization_id),
            audit::action::MEMBER_SPACE_ACCESS_CHANGED,
            Target::User(target_id),
            None,
            json!({
                "spaceId": ids::encode(Kind::Space, space_id),
                "from": from.map(|r| r.as_str()),
                "to": to.map(|r| r.as_str()),
            }),
        )
        .await?;
    }
    crate::kernel::txn::commit(txn, req).await?;
    Ok(target)
}

async fn delete_membership(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    member: &organization_member::Model,
) -> ApiResult<()> {
    space_member::Entity::delete_many()
        .filter(space_member::Column::TenantId.eq(req.tenant_id()))
        .filter(space_member::Column::OrganizationId.eq(member.organization_id))
        .filter(space_member::Column::UserId.eq(member.user_id))
        .exec(db)
        .await?;
    organization_member::Entity::delete_by_id(member.id)
        .exec(db)
        .await?;
    Ok(())
}

/// `removeMember`: someone else leaves the organization, with their space roles.
pub async fn remove_member(
    svc: &Services,
    req: &RequestCtx,
    org_id: i64,
    target_id: i64,
) -> ApiResult<i64> {
    let user = me(req)?;
    if target_id == user {
        return Err(ApiError::bad_input(
            "userId",
            "to leave an organization use leaveOrganization",
        ));
    }
    let (txn, _, _, acc) = begin_change(svc, req, org_id).await?;
    authorize(req, Action::ViewOrganization { me: acc.standing() })?;
    let target = find_member(&txn, req, org_id, target_id).await?;
    let role = target.role;
    authorize(
        req,
        Action::RemoveMember {
            me: acc.standing(),
            target: role,
        },
    )?;
    if role == Role::Owner && owner_count(&txn, req, org_id).await? <= 1 {
        return Err(last_owner());
    }
    delete_membership(&txn, req, &target).await?;
    audit::record(
        &txn,
        req,
        Some(org_id),
        audit::action::MEMBER_REMOVED,
        Target::User(target_id),
        None,
        json!({ "role": role.as_str() }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(target_id)
}

/// `leaveOrganization`: the viewer leaves; the last owner cannot.
pub async fn leave_organization(svc: &Services, req: &RequestCtx, org_id: i64) -> ApiResult<i64> {
    let (txn, _org, user, acc) = begin_change(svc, req, org_id).await?;
    authorize(req, Action::LeaveOrganization { me: acc.standing() })?;
    let member = find_member(&txn, req, org_id, user).await?;
    if acc.org == Some(Role::Owner) && owner_count(&txn, req, org_id).await? <= 1 {
        return Err(ApiError::domain(
            crate::kernel::error::code::LAST_OWNER,
            Some("organizationId"),
            "the last owner cannot leave: transfer ownership or delete the organization",
        ));
    }
    delete_membership(&txn, req, &member).await?;
    audit::record(
        &txn,
        req,
        Some(org_id),
        audit::action::MEMBER_LEFT,
        Target::User(user),
        None,
        json!({ "role": member.role.as_str() }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(org_id)
}

/// `transferOwnership`: another member becomes an owner and the viewer a user admin.
/// Returns the new owner's and the viewer's memberships.
pub async fn transfer_ownership(
    svc: &Services,
    req: &RequestCtx,
    org_id: i64,
    target_id: i64,
) -> ApiResult<(organization_member::Model, organization_member::Model)> {
    let user = me(req)?;
    if target_id == user {
        return Err(ApiError::bad_input("userId", "choose another member"));
    }
    let (txn, _, _, acc) = begin_change(svc, req, org_id).await?;
    authorize(req, Action::TransferOwnership { me: acc.standing() })?;
    let target = find_member(&txn, req, org_id, target_id).await?;
    let mine = find_member(&txn, req, org_id, user).await?;
    let new_owner = set_role(&txn, target, Role::Owner).await?;
    let previous = set_role(&txn, mine, Role::UserAdmin).await?;
    audit::record(
        &txn,
        req,
        Some(org_id),
        audit::action::ORGANIZATION_OWNERSHIP_TRANSFERRED,
        Target::User(target_id),
        None,
        json!({ "previousOwner": ids::encode(Kind::User, user) }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok((new_owner, previous))
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
