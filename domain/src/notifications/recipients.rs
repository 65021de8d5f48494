//! Who is told of a domain event: the facts an event's payload names (partner,
//! organization, lead), read once, and the recipients they give.

use super::kinds::NotificationKind;
use crate::kernel::error::ApiResult;
pub use crate::kernel::live::Rang;
use entities::{
    line, organization, organization_member, partner, partner_client, space, tenant, user,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use std::collections::BTreeSet;
use tenants::policy::{Action, Standing, allows_member, receives_tenant_notice};
use tenants::scope::scoped;

/// What an event is about, loaded once.
#[derive(Default)]
pub struct Facts {
    pub client: Option<user::Model>,
    pub line: Option<line::Model>,
    pub organization: Option<organization::Model>,
    pub space: Option<space::Model>,
    pub partner: Option<partner::Model>,
}

pub fn id(payload: &Value, keys: &[&str]) -> Option<i64> {
    keys.iter()
        .find_map(|k| payload.get(*k).and_then(Value::as_i64))
}

pub async fn facts(db: &impl ConnectionTrait, tenant_id: i64, p: &Value) -> ApiResult<Facts> {
    let mut f = Facts::default();
    if let Some(lid) = id(p, &["lineId"]) {
        f.line = scoped::<line::Entity>(tenant_id)
            .filter(line::Column::Id.eq(lid))
            .one(db)
            .await?;
    }
    let client = id(p, &["clientId", "clientUserId"]).or(f.line.as_ref().map(|l| l.client_user_id));
    if let Some(cid) = client {
        f.client = scoped::<user::Entity>(tenant_id)
            .filter(user::Column::Id.eq(cid))
            .one(db)
            .await?;
    }
    let org = id(p, &["organizationId"]).or(f.line.as_ref().map(|l| l.organization_id));
    if let Some(oid) = org {
        f.organization = scoped::<organization::Entity>(tenant_id)
            .filter(organization::Column::Id.eq(oid))
            .one(db)
            .await?;
    }
    if let Some(sid) = id(p, &["spaceId"]).or(f.line.as_ref().and_then(|l| l.space_id)) {
        f.space = scoped::<space::Entity>(tenant_id)
            .filter(space::Column::Id.eq(sid))
            .one(db)
            .await?;
    }
    let partner_id = match id(p, &["partnerId"]) {
        Some(pid) => Some(pid),
        // A line's partner: the one its owner is attached to now.
        None => match (&f.line, &f.client) {
            (Some(_), Some(c)) => scoped::<partner_client::Entity>(tenant_id)
                .filter(partner_client::Column::ClientUserId.eq(c.id))
                .one(db)
                .await?
                .map(|link| link.partner_id),
            _ => None,
        },
    };
    if let Some(pid) = partner_id {
        f.partner = scoped::<partner::Entity>(tenant_id)
            .filter(partner::Column::Id.eq(pid))
            .one(db)
            .await?;
    }
    Ok(f)
}

/// Members of the partner's organization the policy lets be told of `kind`.
async fn partner_recipients(
    db: &impl ConnectionTrait,
    p: &partner::Model,
    kind: NotificationKind,
) -> ApiResult<Vec<i64>> {
    members_told(db, p.tenant_id, vec![p.organization_id], kind).await
}

/// Members of these organizations the policy lets be told of `kind`.
async fn members_told(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    orgs: Vec<i64>,
    kind: NotificationKind,
) -> ApiResult<Vec<i64>> {
    Ok(scoped::<organization_member::Entity>(tenant_id)
        .filter(organization_member::Column::OrganizationId.is_in(orgs))
        .all(db)
        .await?
        .into_iter()
        .filter(|m| {
            allows_member(Action::ReceivePartnerNotice {
                me: Standing {
                    org: Some(m.role),
                    space: None,
                },
                money: kind.money(),
            })
        })
        .map(|m| m.user_id)
        .collect())
}

/// A free lead: the members of every approved partner of the tenant, except the one that
/// just released it (who opted in: the lead lists are opt-in). One statement for every
/// partner's members.
async fn free_lead_recipients(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    payload: &Value,
) -> ApiResult<BTreeSet<i64>> {
    let except = id(payload, &["exceptPartnerId"]);
    let orgs: Vec<i64> = scoped::<partner::Entity>(tenant_id)
        .filter(partner::Column::Status.eq(partner::STATUS_APPROVED))
        .all(db)
        .await?
        .into_iter()
        .filter(|p| Some(p.id) != except)
        .map(|p| p.organization_id)
        .collect();
    Ok(
        members_told(db, tenant_id, orgs, NotificationKind::FreeLead)
            .await?
            .into_iter()
            .collect(),
    )
}

/// The brand's own notices: its flagged admins, as the policy says. The owners of a
/// reseller's brand live on another brand: see [`brand_owners`].
async fn tenant_admins(db: &impl ConnectionTrait, tenant_id: i64) -> ApiResult<BTreeSet<i64>> {
    Ok(scoped::<user::Entity>(tenant_id)
        .filter(user::Column::IsTenantAdmin.eq(true))
        .all(db)
        .await?
        .into_iter()
        .filter(|u| receives_tenant_notice(u, tenant_id))
        .map(|u| u.id)
        .collect())
}

/// Who administers the brand from the organization that owns it (a reseller's), and so
/// is told of its own affairs: the members the policy lets administer it, with the brand
/// they live on (where their bell rings and their links point). `None` for a brand no
/// organization owns.
pub async fn brand_owners(
    db: &impl ConnectionTrait,
    brand: &tenant::Model,
) -> ApiResult<Option<(i64, Vec<i64>)>> {
    let Some(org_id) = brand.owner_organization_id else {
        return Ok(None);
    };
    let Some(org) = organization::Entity::find_by_id(org_id).one(db).await? else {
        return Ok(None);
    };
    let owners = scoped::<organization_member::Entity>(org.tenant_id)
        .filter(organization_member::Column::OrganizationId.eq(org.id))
        .all(db)
        .await?
        .into_iter()
        .filter(|m| {
            allows_member(Action::AdministerBrand {
                me: Standing {
                    org: Some(m.role),
                    space: None,
                },
            })
        })
        .map(|m| m.user_id)
        .collect();
    Ok(Some((org.tenant_id, owners)))
}

pub async fn recipients(
    db: &impl ConnectionTrait,
    kind: NotificationKind,
    f: &Facts,
    tenant_id: i64,
    payload: &Value,
) -> ApiResult<BTreeSet<i64>> {
    use NotificationKind::*;
    match kind {
        FreeLead => return free_lead_recipients(db, tenant_id, payload).await,
        CustomDomain | WithdrawalOverdue => return tenant_admins(db, tenant_id).await,
        _ => {}
    }
    let mut out = BTreeSet::new();
    let to_client = matches!(
        kind,
        LineExpiring
            | LineExpired
            | ChannelStatusChanged
            | ConsentGranted
            | ConsentRevoked
            | ImpersonationStarted
            | OrderPaid
            | PaymentRefunded
    );
    let to_partner = !matches!(kind, ImpersonationStarted);
    if to_client && let Some(c) = &f.client {
        out.insert(c.id);
    }
    if to_partner && let Some(p) = &f.partner {
        out.extend(partner_recipients(db, p, kind).await?);
    }
    Ok(out)
}
