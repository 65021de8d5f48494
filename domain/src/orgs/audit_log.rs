//! Reading the audit log: an organization's entries for those the policy lets see them,
//! every tenant's for platform staff.

use chrono::{DateTime, Utc};
use entities::audit_log;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use super::access::{access, find_org};
use crate::identity::me;
use crate::kernel::error::ApiResult;
use crate::kernel::page::{PageArgs, Paged, paginate};
use crate::kernel::services::Services;

/// What the audit log is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// One organization's entries; `None` is every entry (staff only).
    pub organization_id: Option<i64>,
    pub action: Option<String>,
    pub actor: Option<i64>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// A page of audit entries, oldest first.
pub async fn entries(
    svc: &Services,
    req: &RequestCtx,
    filter: AuditFilter,
    args: PageArgs,
) -> ApiResult<Paged<audit_log::Model>> {
    let mut q = match filter.organization_id {
        Some(org_id) => {
            let user = me(req)?;
            find_org(&svc.db, req, org_id).await?;
            let acc = access(&svc.db, req.tenant_id(), org_id, user).await?;
            authorize(req, Action::ViewOrgAuditLog { me: acc.standing() })?;
            scoped::<audit_log::Entity>(req.tenant_id())
                .filter(audit_log::Column::OrganizationId.eq(org_id))
        }
        None => {
            authorize(req, Action::ViewAllAuditLogs)?;
            audit_log::Entity::find()
        }
    };
    if let Some(a) = filter.action {
        q = q.filter(audit_log::Column::Action.eq(a));
    }
    if let Some(a) = filter.actor {
        q = q.filter(audit_log::Column::ActorId.eq(a));
    }
    if let Some(s) = filter.since {
        q = q.filter(audit_log::Column::CreatedAt.gte(s));
    }
    if let Some(u) = filter.until {
        q = q.filter(audit_log::Column::CreatedAt.lt(u));
    }
    paginate(&svc.db, q, audit_log::Column::Id, args, |m| (m.id, m)).await
}
