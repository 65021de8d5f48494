//! Who may see and change an organization: the viewer's roles in it, finding and
//! locking it. Every change runs in one transaction that first locks the organization's
//! row (a no-op `UPDATE`: a row lock on PostgreSQL, the write lock on SQLite), then reads
//! the viewer's roles and asks the policy, so two concurrent changes can never both see
//! "another owner is left".

use std::collections::HashMap;

use entities::{organization, organization_member, space_member};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use tenants::policy::{self, Action};
use tenants::scope::scoped;
use tenants::{RequestCtx, authorize};

use super::{Access, OrgView};
use crate::identity::me;
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::services::Services;

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
