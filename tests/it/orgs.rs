//! Organizations, spaces, members and roles: the whole role matrix through the API, the
//! last-owner rule (also under concurrency), self-escalation, tenant isolation, and a
//! members page whose statement count does not grow with its size.

use serde_json::{Value, json};

use crate::support::*;

const UPDATE_ORG: &str = "mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { organization { name } } }";
const CREATE_SPACE: &str =
    "mutation($i: CreateSpaceInput!) { createSpace(input: $i) { space { id } } }";
const UPDATE_SPACE: &str =
    "mutation($i: UpdateSpaceInput!) { updateSpace(input: $i) { space { name } } }";
const ARCHIVE_SPACE: &str =
    "mutation($i: ArchiveSpaceInput!) { archiveSpace(input: $i) { space { isArchived } } }";
const INVITE: &str =
    "mutation($i: InviteMemberInput!) { inviteMember(input: $i) { invitation { id } } }";
const CHANGE_ROLE: &str =
    "mutation($i: ChangeMemberRoleInput!) { changeMemberRole(input: $i) { member { role } } }";
const SPACE_ACCESS: &str = "mutation($i: SetSpaceAccessInput!) { setSpaceAccess(input: $i) { member { role spaces { role space { name } } } } }";
const REMOVE: &str = "mutation($i: MemberInput!) { removeMember(input: $i) { removedUserId } }";
const LEAVE: &str =
    "mutation($i: OrganizationIdInput!) { leaveOrganization(input: $i) { organizationId } }";
const TRANSFER: &str = "mutation($i: MemberInput!) { transferOwnership(input: $i) { newOwner { role } previousOwner { role } } }";
const DELETE: &str = "mutation($i: OrganizationIdInput!) { deleteOrganization(input: $i) { deletedOrganizationId } }";
const MEMBERS: &str = "query($id: ID!) { organization(id: $id) { members { totalCount } } }";
const ORG: &str = "query($id: ID!) { organization(id: $id) { name viewerRole } }";
const AUDIT: &str = "query($id: ID!) { auditLog(organizationId: $id) { totalCount } }";
const NODE: &str = "query($id: ID!) { node(id: $id) { id } }";

/// What each standing may do, in the order of `ROLES`: owner, user admin, manager of
/// space A, agent of space A, member without a space role, non-member. Written out here
/// rather than read from the policy, so a policy change has to be made twice on purpose.
const EXPECTED: &[(&str, [bool; 6])] = &[
    (
        "see the organization",
        [true, true, true, true, true, false],
    ),
    (
        "edit organization settings",
        [true, false, false, false, false, false],
    ),
    ("see members", [true, true, false, false, false, false]),
    ("create a space", [true, false, false, false, false, false]),
    ("edit space A", [true, false, true, false, false, false]),
    ("archive a space", [true, false, false, false, false, false]),
    ("see space A", [true, true, true, true, false, false]),
    (
        "invite a user admin",
        [true, true, false, false, false, false],
    ),
    ("invite an owner", [true, false, false, false, false, false]),
    (
        "invite an agent of space A",
        [true, true, true, false, false, false],
    ),
    (
        "invite a manager of space A",
        [true, true, false, false, false, false],
    ),
    (
        "make a member a user admin",
        [true, true, false, false, false, false],
    ),
    (
        "make a member an owner",
        [true, false, false, false, false, false],
    ),
    ("demote an owner", [true, false, false, false, false, false]),
    (
        "give a member agent access to space A",
        [true, true, true, false, false, false],
    ),
    (
        "give a member manager access to space A",
        [true, true, false, false, false, false],
    ),
    (
        "remove an agent from space A",
        [true, true, true, false, false, false],
    ),
    (
        "change a user admin's space access",
        [true, true, false, false, false, false],
    ),
    (
        "change an owner's space access",
        [true, false, false, false, false, false],
    ),
    ("remove a member", [true, true, false, false, false, false]),
    ("remove an owner", [true, false, false, false, false, false]),
    (
        "read the audit log",
        [true, false, false, false, false, false],
    ),
    (
        "transfer ownership",
        [true, false, false, false, false, false],
    ),
    (
        "delete the organization",
        [true, false, false, false, false, false],
    ),
];

/// Runs `query` and says whether it was allowed; a refusal must be `FORBIDDEN` (or a
/// null node).
async fn attempt(app: &TestApp, token: &str, query: &str, vars: Value) -> bool {
    let r = app.post(ROOT, Some(token), query, vars).await;
    match r.body.get("errors") {
        None => {
            if query == NODE {
                !r.body["data"]["node"].is_null()
            } else {
                true
            }
        }
        Some(_) => {
            assert_eq!(first_code(&r.body), "FORBIDDEN", "{query}: {}", r.body);
            false
        }
    }
}

/// The organization role of `user` in `org`, read from storage.
async fn role_of(app: &TestApp, org: &str, user: &str) -> Option<entities::OrgRole> {
    use entities::organization_member as om;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    om::Entity::find()
        .filter(om::Column::OrganizationId.eq(raw(org)))
        .filter(om::Column::UserId.eq(raw(user)))
        .one(app.db())
        .await
        .unwrap()
        .map(|m| m.role)
}

/// The role of `user` in `space`, read from storage.
async fn space_role_of(app: &TestApp, space: &str, user: &str) -> Option<entities::SpaceRole> {
    use entities::space_member as sm;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    sm::Entity::find()
        .filter(sm::Column::SpaceId.eq(raw(space)))
        .filter(sm::Column::UserId.eq(raw(user)))
        .one(app.db())
        .await
        .unwrap()
        .map(|m| m.role)
}

/// A row of storage by id, for effect checks.
async fn space_row(app: &TestApp, space: &str) -> entities::space::Model {
    use sea_orm::EntityTrait;
    entities::space::Entity::find_by_id(raw(space))
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
}

async fn org_name(app: &TestApp, org: &str) -> Option<String> {
    use sea_orm::EntityTrait;
    entities::organization::Entity::find_by_id(raw(org))
        .one(app.db())
        .await
        .unwrap()
        .map(|o| o.name)
}

async fn invited(app: &TestApp, email: &str) -> bool {
    use entities::invitation as inv;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    inv::Entity::find()
        .filter(inv::Column::Email.eq(email.to_lowercase()))
        .one(app.db())
        .await
        .unwrap()
        .is_some()
}

async fn spaces_named(app: &TestApp, org: &str, name: &str) -> usize {
    use entities::space;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    space::Entity::find()
        .filter(space::Column::OrganizationId.eq(raw(org)))
        .filter(space::Column::Name.eq(name))
        .all(app.db())
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn every_role_against_every_action() {
    let app = TestApp::new().await;
    let f = app.org_fixture().await;
    let org = f.org.as_str();
    let a = f.space_a.as_str();
    for (row, expected) in EXPECTED {
        let mut got = [false; 6];
        // The owner goes last, so what it changes (a deleted organization) cannot hide
        // the others' refusals.
        for i in [1, 2, 3, 4, 5, 0] {
            let role = &ROLES[i];
            let t = f.token(role);
            let email = format!(
                "{}-{role}@new.example",
                row.replace(' ', "-").replace('\'', "")
            );
            got[i] = match *row {
                "see the organization" => attempt(&app, t, ORG, json!({ "id": org })).await,
                "edit organization settings" => {
                    let name = format!("Renamed by {role}");
                    let ok = attempt(
                        &app,
                        t,
                        UPDATE_ORG,
                        json!({ "i": { "id": org, "name": name } }),
                    )
                    .await;
                    assert_eq!(
                        org_name(&app, org).await.as_deref() == Some(name.as_str()),
                        ok,
                        "{row} by {role}"
                    );
                    ok
                }
                "see members" => attempt(&app, t, MEMBERS, json!({ "id": org })).await,
                "create a space" => {
                    let name = format!("New by {role}");
                    let ok = attempt(
                        &app,
                        t,
                        CREATE_SPACE,
                        json!({ "i": { "organizationId": org, "name": name } }),
                    )
                    .await;
                    assert_eq!(
                        spaces_named(&app, org, &name).await,
                        usize::from(ok),
                        "{row} by {role}"
                    );
                    ok
                }
                "edit space A" => {
                    let name = format!("A by {role}");
                    let ok = attempt(
                        &app,
                        t,
                        UPDATE_SPACE,
                        json!({ "i": { "id": a, "name": name } }),
                    )
                    .await;
                    assert_eq!(space_row(&app, a).await.name == name, ok, "{row} by {role}");
                    ok
                }
                "archive a space" => {
                    let s = app.add_space(org).await;
                    let ok = attempt(&app, t, ARCHIVE_SPACE, json!({ "i": { "id": s } })).await;
                    assert_eq!(
                        space_row(&app, &s).await.archived_at.is_some(),
                        ok,
                        "{row} by {role}"
                    );
                    ok
                }
                "see space A" => attempt(&app, t, NODE, json!({ "id": a })).await,
                "invite a user admin" => {
                    let ok = attempt(
                        &app,
                        t,
                        INVITE,
                        json!({ "i": { "organizationId": org, "email": email, "role": "USER_ADMIN" } }),
                    )
                    .await;
                    assert_eq!(invited(&app, &email).await, ok, "{row} by {role}");
                    ok
                }
                "invite an owner" => {
                    let ok = attempt(
                        &app,
                        t,
                        INVITE,
                        json!({ "i": { "organizationId": org, "email": email, "role": "OWNER" } }),
                    )
                    .await;
                    assert_eq!(invited(&app, &email).await, ok, "{row} by {role}");
                    ok
                }
                "invite an agent of space A" => {
                    let spaces = json!([{ "spaceId": a, "role": "AGENT" }]);
                    let ok = attempt(&app, t, INVITE, json!({ "i": { "organizationId": org, "email": email, "spaceRoles": spaces } })).await;
                    assert_eq!(invited(&app, &email).await, ok, "{row} by {role}");
                    ok
                }
                "invite a manager of space A" => {
                    let spaces = json!([{ "spaceId": a, "role": "MANAGER" }]);
                    let ok = attempt(&app, t, INVITE, json!({ "i": { "organizationId": org, "email": email, "spaceRoles": spaces } })).await;
                    assert_eq!(invited(&app, &email).await, ok, "{row} by {role}");
                    ok
                }
                "make a member a user admin" | "make a member an owner" => {
                    let target = app.add_member(org, "MEMBER", None).await;
                    let to = if row.ends_with("owner") {
                        "OWNER"
                    } else {
                        "USER_ADMIN"
                    };
                    let ok = attempt(
                        &app,
                        t,
                        CHANGE_ROLE,
                        json!({ "i": { "organizationId": org, "userId": target, "role": to } }),
                    )
                    .await;
                    let want = if ok {
                        entities::OrgRole::parse(to)
                    } else {
                        Some(entities::OrgRole::Member)
                    };
                    assert_eq!(role_of(&app, org, &target).await, want, "{row} by {role}");
                    ok
                }
                "demote an owner" => {
                    let target = app.add_member(org, "OWNER", None).await;
                    let ok = attempt(&app, t, CHANGE_ROLE, json!({ "i": { "organizationId": org, "userId": target, "role": "MEMBER" } })).await;
                    let want = if ok {
                        entities::OrgRole::Member
                    } else {
                        entities::OrgRole::Owner
                    };
                    assert_eq!(
                        role_of(&app, org, &target).await,
                        Some(want),
                        "{row} by {role}"
                    );
                    ok
                }
                "give a member agent access to space A"
                | "give a member manager access to space A" => {
                    let target = app.add_member(org, "MEMBER", None).await;
                    let to = if row.contains("manager") {
                        "MANAGER"
                    } else {
                        "AGENT"
                    };
                    let ok = attempt(
                        &app,
                        t,
                        SPACE_ACCESS,
                        json!({ "i": { "spaceId": a, "userId": target, "role": to } }),
                    )
                    .await;
                    let want = if ok {
                        entities::SpaceRole::parse(to)
                    } else {
                        None
                    };
                    assert_eq!(
                        space_role_of(&app, a, &target).await,
                        want,
                        "{row} by {role}"
                    );
                    ok
                }
                "remove an agent from space A" => {
                    let target = app.add_member(org, "MEMBER", Some((a, "AGENT"))).await;
                    let ok = attempt(
                        &app,
                        t,
                        SPACE_ACCESS,
                        json!({ "i": { "spaceId": a, "userId": target, "role": null } }),
                    )
                    .await;
                    let want = if ok {
                        None
                    } else {
                        Some(entities::SpaceRole::Agent)
                    };
                    assert_eq!(
                        space_role_of(&app, a, &target).await,
                        want,
                        "{row} by {role}"
                    );
                    ok
                }
                "change a user admin's space access" | "change an owner's space access" => {
                    let r = if row.contains("owner") {
                        "OWNER"
                    } else {
                        "USER_ADMIN"
                    };
                    let target = app.add_member(org, r, None).await;
                    let ok = attempt(
                        &app,
                        t,
                        SPACE_ACCESS,
                        json!({ "i": { "spaceId": a, "userId": target, "role": "AGENT" } }),
                    )
                    .await;
                    let want = ok.then_some(entities::SpaceRole::Agent);
                    assert_eq!(
                        space_role_of(&app, a, &target).await,
                        want,
                        "{row} by {role}"
                    );
                    ok
                }
                "remove a member" | "remove an owner" => {
                    let r = if row.ends_with("owner") {
                        "OWNER"
                    } else {
                        "MEMBER"
                    };
                    let target = app.add_member(org, r, None).await;
                    let ok = attempt(
                        &app,
                        t,
                        REMOVE,
                        json!({ "i": { "organizationId": org, "userId": target } }),
                    )
                    .await;
                    let want = if ok {
                        None
                    } else {
                        entities::OrgRole::parse(r)
                    };
                    assert_eq!(role_of(&app, org, &target).await, want, "{row} by {role}");
                    ok
                }
                "read the audit log" => attempt(&app, t, AUDIT, json!({ "id": org })).await,
                "transfer ownership" => {
                    // The owner's success is checked on an organization of its own below,
                    // so the fixture keeps its owner.
                    if *role == "owner" {
                        let side = app.create_org(ROOT, t, "Side").await;
                        let target = app.add_member(&side, "MEMBER", None).await;
                        let ok = attempt(
                            &app,
                            t,
                            TRANSFER,
                            json!({ "i": { "organizationId": side, "userId": target } }),
                        )
                        .await;
                        assert!(ok);
                        assert_eq!(
                            role_of(&app, &side, &target).await,
                            Some(entities::OrgRole::Owner)
                        );
                        assert_eq!(
                            role_of(&app, &side, &f.users["owner"]).await,
                            Some(entities::OrgRole::UserAdmin)
                        );
                        ok
                    } else {
                        let target = app.add_member(org, "MEMBER", None).await;
                        let ok = attempt(
                            &app,
                            t,
                            TRANSFER,
                            json!({ "i": { "organizationId": org, "userId": target } }),
                        )
                        .await;
                        assert_eq!(
                            role_of(&app, org, &target).await,
                            Some(entities::OrgRole::Member),
                            "{row} by {role}"
                        );
                        ok
                    }
                }
                "delete the organization" => {
                    attempt(&app, t, DELETE, json!({ "i": { "organizationId": org } })).await
                }
                other => panic!("no check for {other}"),
            };
        }
        assert_eq!(
            &got, expected,
            "{row}: got {got:?}, want {expected:?} for {ROLES:?}"
        );
    }
    // The owner ran last in the final row: the organization is gone.
    let r = app
        .post(ROOT, Some(f.token("owner")), ORG, json!({ "id": org }))
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
}

#[tokio::test]
async fn every_member_may_leave_but_not_the_last_owner() {
    let app = TestApp::new().await;
    let f = app.org_fixture().await;
    for role in ["user_admin", "manager", "agent", "member"] {
        app.ok(
            ROOT,
            Some(f.token(role)),
            LEAVE,
            json!({ "i": { "organizationId": f.org } }),
        )
        .await;
        let r = app
            .post(ROOT, Some(f.token(role)), ORG, json!({ "id": f.org }))
            .await;
        assert_eq!(first_code(&r.body), "FORBIDDEN", "{role} left");
    }
    let r = app
        .post(
            ROOT,
            Some(f.token("outsider")),
            LEAVE,
            json!({ "i": { "organizationId": f.org } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    let r = app
        .post(
            ROOT,
            Some(f.token("owner")),
            LEAVE,
            json!({ "i": { "organizationId": f.org } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "LAST_OWNER");
    let r = app
        .post(ROOT, Some(f.token("owner")), CHANGE_ROLE, json!({ "i": { "organizationId": f.org, "userId": f.users["owner"], "role": "MEMBER" } }))
        .await;
    assert_eq!(first_code(&r.body), "LAST_OWNER");
    // With a second owner, the first may step down.
    let second = app.add_member(&f.org, "OWNER", None).await;
    app.ok(ROOT, Some(f.token("owner")), CHANGE_ROLE, json!({ "i": { "organizationId": f.org, "userId": f.users["owner"], "role": "USER_ADMIN" } }))
        .await;
    let d = app
        .ok(ROOT, Some(f.token("owner")), ORG, json!({ "id": f.org }))
        .await;
    assert_eq!(d["organization"]["viewerRole"], "USER_ADMIN");
    // ...and may not come back up by themselves.
    let r = app
        .post(ROOT, Some(f.token("owner")), CHANGE_ROLE, json!({ "i": { "organizationId": f.org, "userId": f.users["owner"], "role": "OWNER" } }))
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    let _ = second;
}

async fn owners(app: &TestApp, org: &str) -> u64 {
    use entities::organization_member as m;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    m::Entity::find()
        .filter(m::Column::OrganizationId.eq(raw(org)))
        .filter(m::Column::Role.eq("OWNER"))
        .count(app.db())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_owners_stepping_down_at_once_leave_one_owner() {
    let app = TestApp::new().await;
    for round in 0..3 {
        let (a_token, _, a_id) = app.sign_up(ROOT, &format!("a{round}@example.com")).await;
        let org = app.create_org(ROOT, &a_token, "Race").await;
        // B becomes the second owner through an invitation.
        app.invite(
            ROOT,
            &a_token,
            &org,
            &format!("b{round}@example.com"),
            "OWNER",
            json!([]),
        )
        .await;
        let (b_token, b_id) = app
            .sign_up_invited(ROOT, &format!("b{round}@example.com"))
            .await;
        assert_eq!(owners(&app, &org).await, 2);
        // Each demotes the other at the same moment (round 0), each demotes themselves
        // (round 1), each leaves (round 2).
        let (qa, va, qb, vb) = match round {
            0 => (
                CHANGE_ROLE,
                json!({ "i": { "organizationId": org, "userId": b_id, "role": "MEMBER" } }),
                CHANGE_ROLE,
                json!({ "i": { "organizationId": org, "userId": a_id, "role": "MEMBER" } }),
            ),
            1 => (
                CHANGE_ROLE,
                json!({ "i": { "organizationId": org, "userId": a_id, "role": "MEMBER" } }),
                CHANGE_ROLE,
                json!({ "i": { "organizationId": org, "userId": b_id, "role": "MEMBER" } }),
            ),
            _ => (
                LEAVE,
                json!({ "i": { "organizationId": org } }),
                LEAVE,
                json!({ "i": { "organizationId": org } }),
            ),
        };
        let run = |token: String, q: &'static str, v: Value| {
            let router = app.router.clone();
            tokio::spawn(async move {
                let req = axum::http::Request::post("/graphql")
                    .header("host", ROOT)
                    .header("content-type", "application/json")
                    .header("authorization", format!("Bearer {token}"))
                    .body(axum::body::Body::from(
                        json!({ "query": q, "variables": v }).to_string(),
                    ))
                    .unwrap();
                send_to(&router, req).await
            })
        };
        let (ra, rb) = tokio::join!(run(a_token.clone(), qa, va), run(b_token.clone(), qb, vb));
        let results = [ra.unwrap(), rb.unwrap()];
        let ok = results
            .iter()
            .filter(|r| r.body.get("errors").is_none())
            .count();
        let codes: Vec<String> = results
            .iter()
            .filter(|r| r.body.get("errors").is_some())
            .map(|r| first_code(&r.body))
            .collect();
        assert_eq!(
            ok, 1,
            "round {round}: exactly one change wins, got {codes:?}"
        );
        assert!(
            codes.iter().all(|c| c == "LAST_OWNER" || c == "FORBIDDEN"),
            "round {round}: {codes:?}"
        );
        assert_eq!(
            owners(&app, &org).await,
            1,
            "round {round}: one owner is left"
        );
    }
}

#[tokio::test]
async fn nobody_raises_their_own_role() {
    let app = TestApp::new().await;
    let f = app.org_fixture().await;
    for (role, to) in [
        ("user_admin", "OWNER"),
        ("manager", "USER_ADMIN"),
        ("agent", "OWNER"),
        ("member", "USER_ADMIN"),
    ] {
        let r = app
            .post(
                ROOT,
                Some(f.token(role)),
                CHANGE_ROLE,
                json!({ "i": { "organizationId": f.org, "userId": f.users[role], "role": to } }),
            )
            .await;
        assert_eq!(first_code(&r.body), "FORBIDDEN", "{role} -> {to}");
    }
    for (role, space, to) in [
        ("agent", &f.space_a, "MANAGER"),
        ("manager", &f.space_b, "MANAGER"),
        ("user_admin", &f.space_a, "MANAGER"),
    ] {
        let r = app
            .post(
                ROOT,
                Some(f.token(role)),
                SPACE_ACCESS,
                json!({ "i": { "spaceId": space, "userId": f.users[role], "role": to } }),
            )
            .await;
        assert_eq!(first_code(&r.body), "FORBIDDEN", "{role} in a space");
    }
    // A user admin cannot touch owners or organization settings.
    let r = app
        .post(ROOT, Some(f.token("user_admin")), CHANGE_ROLE, json!({ "i": { "organizationId": f.org, "userId": f.users["owner"], "role": "MEMBER" } }))
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    let r = app
        .post(
            ROOT,
            Some(f.token("user_admin")),
            REMOVE,
            json!({ "i": { "organizationId": f.org, "userId": f.users["owner"] } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
}

#[tokio::test]
async fn a_manager_manages_agents_of_their_own_space_only() {
    let app = TestApp::new().await;
    let f = app.org_fixture().await;
    let m = f.token("manager");
    let target = app.add_member(&f.org, "MEMBER", None).await;
    let d = app
        .ok(
            ROOT,
            Some(m),
            SPACE_ACCESS,
            json!({ "i": { "spaceId": f.space_a, "userId": target, "role": "AGENT" } }),
        )
        .await;
    assert_eq!(
        d["setSpaceAccess"]["member"]["spaces"],
        json!([{ "role": "AGENT", "space": { "name": "Space A" } }])
    );
    let r = app
        .post(
            ROOT,
            Some(m),
            SPACE_ACCESS,
            json!({ "i": { "spaceId": f.space_b, "userId": target, "role": "AGENT" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    // Not other managers, not a user admin, and inviting into space B is refused.
    let r = app
        .post(ROOT, Some(m), SPACE_ACCESS, json!({ "i": { "spaceId": f.space_a, "userId": f.users["user_admin"], "role": "AGENT" } }))
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    let r = app
        .post(ROOT, Some(m), INVITE, json!({ "i": { "organizationId": f.org, "email": "x@example.com", "spaceRoles": [{ "spaceId": f.space_b, "role": "AGENT" }] } }))
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    // Owners act as managers of every space.
    app.ok(
        ROOT,
        Some(f.token("owner")),
        SPACE_ACCESS,
        json!({ "i": { "spaceId": f.space_b, "userId": target, "role": "MANAGER" } }),
    )
    .await;
}

#[tokio::test]
async fn viewer_organizations_and_space_visibility_follow_roles() {
    let app = TestApp::new().await;
    let f = app.org_fixture().await;
    let q = "{ viewer { organizations { name viewerRole spaces { totalCount edges { node { name viewerRole } } } } } }";
    let owner = app.ok(ROOT, Some(f.token("owner")), q, json!({})).await;
    let o = &owner["viewer"]["organizations"][0];
    assert_eq!(o["viewerRole"], "OWNER");
    assert_eq!(o["spaces"]["totalCount"], 2);
    assert_eq!(o["spaces"]["edges"][1]["node"]["viewerRole"], "MANAGER");
    let agent = app.ok(ROOT, Some(f.token("agent")), q, json!({})).await;
    let o = &agent["viewer"]["organizations"][0];
    assert_eq!(o["viewerRole"], "MEMBER");
    assert_eq!(
        o["spaces"]["edges"],
        json!([{ "node": { "name": "Space A", "viewerRole": "AGENT" } }])
    );
    let member = app.ok(ROOT, Some(f.token("member")), q, json!({})).await;
    assert_eq!(
        member["viewer"]["organizations"][0]["spaces"]["totalCount"],
        0
    );
    let outsider = app.ok(ROOT, Some(f.token("outsider")), q, json!({})).await;
    assert_eq!(outsider["viewer"]["organizations"], json!([]));
    // Archived spaces are hidden unless asked for.
    app.ok(
        ROOT,
        Some(f.token("owner")),
        ARCHIVE_SPACE,
        json!({ "i": { "id": f.space_b } }),
    )
    .await;
    let q = "query($id: ID!, $all: Boolean!) { organization(id: $id) { spaces(includeArchived: $all) { totalCount } } }";
    let d = app
        .ok(
            ROOT,
            Some(f.token("owner")),
            q,
            json!({ "id": f.org, "all": false }),
        )
        .await;
    assert_eq!(d["organization"]["spaces"]["totalCount"], 1);
    let d = app
        .ok(
            ROOT,
            Some(f.token("owner")),
            q,
            json!({ "id": f.org, "all": true }),
        )
        .await;
    assert_eq!(d["organization"]["spaces"]["totalCount"], 2);
    let r = app
        .post(
            ROOT,
            Some(f.token("owner")),
            UPDATE_SPACE,
            json!({ "i": { "id": f.space_b, "name": "Nope" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "SPACE_ARCHIVED");
    // Someone else's user object does not list their organizations: a fellow member
    // cannot see the account at all, and staff, who can, do not get its organizations.
    let q = "query($id: ID!) { node(id: $id) { ... on User { email organizations { name } } } }";
    let r = app
        .post(
            ROOT,
            Some(f.token("owner")),
            q,
            json!({ "id": f.users["member"] }),
        )
        .await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    assert_eq!(r.body["data"]["node"], Value::Null);
    let staff = app.staff_token().await;
    let r = app
        .post(ROOT, Some(&staff), q, json!({ "id": f.users["member"] }))
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN", "{}", r.body);
    assert!(
        r.body["data"]["node"]["organizations"].is_null(),
        "{}",
        r.body
    );
    // One's own are listed.
    let d = app
        .ok(
            ROOT,
            Some(f.token("member")),
            q,
            json!({ "id": f.users["member"] }),
        )
        .await;
    assert!(!d["node"]["organizations"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn organizations_of_another_tenant_are_not_found() {
    let app = TestApp::new().await;
    let (_, acme) = app.tenant("acme").await;
    let f = app.org_fixture().await;
    let (stranger, _, _) = app.sign_up(&acme, "owner-t@example.com").await;
    let o = f.org.as_str();
    let cases = [
        (ORG, json!({ "id": o })),
        (UPDATE_ORG, json!({ "i": { "id": o, "name": "Mine" } })),
        (DELETE, json!({ "i": { "organizationId": o } })),
        (
            CREATE_SPACE,
            json!({ "i": { "organizationId": o, "name": "X" } }),
        ),
        (
            UPDATE_SPACE,
            json!({ "i": { "id": f.space_a, "name": "X" } }),
        ),
        (
            INVITE,
            json!({ "i": { "organizationId": o, "email": "x@example.com" } }),
        ),
        (
            CHANGE_ROLE,
            json!({ "i": { "organizationId": o, "userId": f.users["member"], "role": "OWNER" } }),
        ),
        (
            SPACE_ACCESS,
            json!({ "i": { "spaceId": f.space_a, "userId": f.users["member"], "role": "AGENT" } }),
        ),
        (
            REMOVE,
            json!({ "i": { "organizationId": o, "userId": f.users["member"] } }),
        ),
        (LEAVE, json!({ "i": { "organizationId": o } })),
        (AUDIT, json!({ "id": o })),
    ];
    for (q, v) in cases {
        let r = app.post(&acme, Some(&stranger), q, v).await;
        assert_eq!(first_code(&r.body), "NOT_FOUND", "{q}: {}", r.body);
    }
    let d = app
        .ok(&acme, Some(&stranger), NODE, json!({ "id": o }))
        .await;
    assert!(d["node"].is_null());
    let d = app
        .ok(&acme, Some(&stranger), NODE, json!({ "id": f.space_a }))
        .await;
    assert!(d["node"].is_null());
    // Nothing changed.
    let d = app
        .ok(ROOT, Some(f.token("owner")), ORG, json!({ "id": o }))
        .await;
    assert_eq!(d["organization"]["name"], "Org t");
}

#[tokio::test]
async fn members_page_runs_the_same_statements_whatever_its_size() {
    let app = TestApp::new().await;
    let f = app.org_fixture().await;
    for i in 0..55 {
        let space = if i % 2 == 0 {
            Some((f.space_a.as_str(), "AGENT"))
        } else {
            Some((f.space_b.as_str(), "MANAGER"))
        };
        app.add_member(&f.org, "MEMBER", space).await;
    }
    let q = "query($id: ID!, $n: Int!) { organization(id: $id) { members(first: $n) { totalCount edges { node { role joinedAt user { email displayName } spaces { role space { name } } } } } } }";
    let count = |n: i64| {
        let app = &app;
        let f = &f;
        async move {
            let before = app.state.statements.get();
            let d = app
                .ok(
                    ROOT,
                    Some(f.token("owner")),
                    q,
                    json!({ "id": f.org, "n": n }),
                )
                .await;
            let edges = d["organization"]["members"]["edges"]
                .as_array()
                .unwrap()
                .len();
            assert_eq!(edges as i64, n);
            let with_space = d["organization"]["members"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["node"]["spaces"][0]["space"]["name"].is_string())
                .count();
            assert!(with_space >= 2, "space names resolve through the loaders");
            app.state.statements.get() - before
        }
    };
    let small = count(5).await;
    let large = count(50).await;
    assert_eq!(
        small, large,
        "statements for 5 members: {small}, for 50: {large}"
    );
    assert!(large <= 8, "{large} statements for one page");
}
