//! An organization's members: listing them, their roles and space access, removing or
//! leaving, and handing over ownership. The organization always keeps an owner.

use entities::{organization_member, space_member};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter,
};
use serde_json::json;
use tenants::policy::{self, Action, OrgRole as Role};
use tenants::scope::scoped;
use tenants::{RequestCtx, authorize};

use super::OrgView;
use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::ids::{self, Kind};
use crate::kernel::page::{PageArgs, Paged, paginate};
use crate::kernel::services::Services;
use crate::orgs::access::begin_change;
use crate::orgs::spaces::space_for_change;

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
