//! Invitations: the email, sign-up through the link, explicit acceptance by existing
//! users, and every way an invitation can no longer be used.

use serde_json::json;

use crate::support::*;

const ACCEPT: &str = "mutation($i: RespondToInvitationInput!) { acceptInvitation(input: $i) { organization { name viewerRole } member { role spaces { role space { name } } } } }";
const DECLINE: &str = "mutation($i: RespondToInvitationInput!) { declineInvitation(input: $i) { invitation { status } } }";
const REVOKE: &str = "mutation($id: ID!) { revokeInvitation(input: { invitationId: $id }) { invitation { status } } }";
const RESEND: &str = "mutation($id: ID!) { resendInvitation(input: { invitationId: $id, expiresInDays: 3 }) { invitation { status expiresAt } } }";
const PENDING: &str = "{ viewer { pendingInvitations { id organizationName email role status spaceRoles { role } invitedBy { email } } } }";
const SIGN_UP: &str = "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }";

async fn owner_with_org(app: &TestApp) -> (String, String, String) {
    let (owner, _, _) = app.sign_up(ROOT, "owner@example.com").await;
    let org = app.create_org(ROOT, &owner, "Acme Sales").await;
    let space = app.create_space(ROOT, &owner, &org, "Support").await;
    (owner, org, space)
}

#[tokio::test]
async fn the_invitation_email_is_branded_and_signing_up_through_it_joins() {
    let app = TestApp::new().await;
    let (owner, org, space) = owner_with_org(&app).await;
    app.invite(
        ROOT,
        &owner,
        &org,
        "New.Agent@Example.com",
        "MEMBER",
        json!([{ "spaceId": space, "role": "AGENT" }]),
    )
    .await;
    let mail = app
        .outbox_email("new.agent@example.com", "INVITATION")
        .await
        .unwrap();
    assert!(mail.subject.contains("Acme Sales"));
    assert!(
        mail.body_text
            .contains("http://localhost:8080/invitations/accept?token="),
        "{}",
        mail.body_text
    );
    assert!(mail.body_html.contains("#2F6FED"));
    assert_eq!(
        mail.sender,
        "Partner Gateway <no-reply@localhost.localdomain>"
    );
    // Signing up through the link with another email is refused and creates nothing.
    let token = app.link_token("new.agent@example.com", "INVITATION").await;
    let r = app
        .post(ROOT, None, SIGN_UP, json!({ "i": { "email": "other@example.com", "password": PASSWORD, "displayName": "O", "invitationToken": token } }))
        .await;
    assert_eq!(first_code(&r.body), "INVITATION_EMAIL_MISMATCH");
    let r = app.post(ROOT, None, "mutation { logIn(input: { email: \"other@example.com\", password: \"correct horse battery\" }) { accessToken } }", json!({})).await;
    assert_eq!(first_code(&r.body), "UNAUTHENTICATED");
    // With the right email the account joins with the invited roles.
    let (agent, _) = app.sign_up_invited(ROOT, "new.agent@example.com").await;
    let d = app
        .ok(ROOT, Some(&agent), "{ viewer { organizations { name viewerRole spaces { edges { node { name viewerRole } } } } } }", json!({}))
        .await;
    assert_eq!(
        d["viewer"]["organizations"],
        json!([{ "name": "Acme Sales", "viewerRole": "MEMBER", "spaces": { "edges": [{ "node": { "name": "Support", "viewerRole": "AGENT" } }] } }])
    );
    // The link is spent.
    let r = app
        .post(
            ROOT,
            Some(&agent),
            ACCEPT,
            json!({ "i": { "token": token } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "INVITATION_ALREADY_ACCEPTED");
}

#[tokio::test]
async fn an_existing_user_joins_only_by_accepting_and_sees_it_without_the_link() {
    let app = TestApp::new().await;
    let (owner, org, space) = owner_with_org(&app).await;
    let (ann, _, _) = app.sign_up(ROOT, "ann@example.com").await;
    let inv = app
        .invite(
            ROOT,
            &owner,
            &org,
            "ann@example.com",
            "USER_ADMIN",
            json!([{ "spaceId": space, "role": "MANAGER" }]),
        )
        .await;
    // Invited is not joined.
    let d = app
        .ok(
            ROOT,
            Some(&ann),
            "{ viewer { organizations { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["viewer"]["organizations"], json!([]));
    // Until Ann proves the address is hers, it proves nothing.
    let d = app.ok(ROOT, Some(&ann), PENDING, json!({})).await;
    assert_eq!(d["viewer"]["pendingInvitations"], json!([]));
    let r = app
        .post(
            ROOT,
            Some(&ann),
            ACCEPT,
            json!({ "i": { "invitationId": inv } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "EMAIL_NOT_VERIFIED");
    app.verify_email(ROOT, "ann@example.com").await;
    let d = app.ok(ROOT, Some(&ann), PENDING, json!({})).await;
    let p = &d["viewer"]["pendingInvitations"];
    assert_eq!(p[0]["id"], inv);
    assert_eq!(p[0]["organizationName"], "Acme Sales");
    assert_eq!(p[0]["role"], "USER_ADMIN");
    assert_eq!(p[0]["status"], "PENDING");
    assert_eq!(p[0]["invitedBy"]["email"], "owner@example.com");
    assert_eq!(p[0]["spaceRoles"], json!([{ "role": "MANAGER" }]));
    // Someone else cannot accept it by id.
    let (bob, _) = app.sign_up_verified(ROOT, "bob@example.com").await;
    let r = app
        .post(
            ROOT,
            Some(&bob),
            ACCEPT,
            json!({ "i": { "invitationId": inv } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
    let d = app
        .ok(
            ROOT,
            Some(&ann),
            ACCEPT,
            json!({ "i": { "invitationId": inv } }),
        )
        .await;
    assert_eq!(
        d["acceptInvitation"]["organization"]["viewerRole"],
        "USER_ADMIN"
    );
    assert_eq!(
        d["acceptInvitation"]["member"]["spaces"],
        json!([{ "role": "MANAGER", "space": { "name": "Support" } }])
    );
    let d = app.ok(ROOT, Some(&ann), PENDING, json!({})).await;
    assert_eq!(d["viewer"]["pendingInvitations"], json!([]));
    // An anonymous accept needs a sign-in.
    let r = app
        .post(ROOT, None, ACCEPT, json!({ "i": { "invitationId": inv } }))
        .await;
    assert_eq!(first_code(&r.body), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_signed_in_user_with_another_email_cannot_use_the_link() {
    let app = TestApp::new().await;
    let (owner, org, _) = owner_with_org(&app).await;
    app.invite(ROOT, &owner, &org, "ann@example.com", "MEMBER", json!([]))
        .await;
    let token = app.link_token("ann@example.com", "INVITATION").await;
    let (bob, _, _) = app.sign_up(ROOT, "bob@example.com").await;
    let r = app
        .post(ROOT, Some(&bob), ACCEPT, json!({ "i": { "token": token } }))
        .await;
    assert_eq!(first_code(&r.body), "INVITATION_EMAIL_MISMATCH");
    let d = app
        .ok(
            ROOT,
            Some(&bob),
            "{ viewer { organizations { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["viewer"]["organizations"], json!([]));
}

#[tokio::test]
async fn expired_revoked_declined_and_resent_invitations_fail_clearly() {
    use entities::invitation;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = TestApp::new().await;
    let (owner, org, _) = owner_with_org(&app).await;

    // Expired.
    app.invite(ROOT, &owner, &org, "late@example.com", "MEMBER", json!([]))
        .await;
    let late = app.link_token("late@example.com", "INVITATION").await;
    invitation::Entity::update_many()
        .col_expr(
            invitation::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(entities::time::now() - chrono::Duration::seconds(1)),
        )
        .filter(invitation::Column::Email.eq("late@example.com"))
        .exec(app.db())
        .await
        .unwrap();
    let r = app
        .post(ROOT, None, SIGN_UP, json!({ "i": { "email": "late@example.com", "password": PASSWORD, "displayName": "L", "invitationToken": late } }))
        .await;
    assert_eq!(first_code(&r.body), "INVITATION_EXPIRED");
    // ...but it can be resent, which revives it with a new link.
    let late_id = app
        .ok(
            ROOT,
            Some(&owner),
            "query($o: ID!) { organization(id: $o) { pendingInvitations { id email isExpired } } }",
            json!({ "o": org }),
        )
        .await["organization"]["pendingInvitations"][0]
        .clone();
    assert_eq!(late_id["isExpired"], true);
    app.ok(ROOT, Some(&owner), RESEND, json!({ "id": late_id["id"] }))
        .await;
    let fresh = app.link_token("late@example.com", "INVITATION").await;
    assert_ne!(fresh, late);
    let r = app
        .post(ROOT, None, SIGN_UP, json!({ "i": { "email": "late@example.com", "password": PASSWORD, "displayName": "L", "invitationToken": late } }))
        .await;
    assert_eq!(
        first_code(&r.body),
        "INVALID_TOKEN",
        "the old link stops working"
    );
    app.sign_up_invited(ROOT, "late@example.com").await;

    // Revoked.
    let inv = app
        .invite(ROOT, &owner, &org, "gone@example.com", "MEMBER", json!([]))
        .await;
    let gone = app.link_token("gone@example.com", "INVITATION").await;
    let d = app
        .ok(ROOT, Some(&owner), REVOKE, json!({ "id": inv }))
        .await;
    assert_eq!(d["revokeInvitation"]["invitation"]["status"], "REVOKED");
    let (g, _, _) = app.sign_up(ROOT, "gone@example.com").await;
    let r = app
        .post(ROOT, Some(&g), ACCEPT, json!({ "i": { "token": gone } }))
        .await;
    assert_eq!(first_code(&r.body), "INVITATION_REVOKED");
    let r = app
        .post(ROOT, Some(&owner), RESEND, json!({ "id": inv }))
        .await;
    assert_eq!(first_code(&r.body), "INVITATION_REVOKED");

    // Declined (through the link, without signing in), then accepting fails.
    app.invite(ROOT, &owner, &org, "no@example.com", "MEMBER", json!([]))
        .await;
    let no = app.link_token("no@example.com", "INVITATION").await;
    let d = app
        .ok(ROOT, None, DECLINE, json!({ "i": { "token": no } }))
        .await;
    assert_eq!(d["declineInvitation"]["invitation"]["status"], "DECLINED");
    let (n, _, _) = app.sign_up(ROOT, "no@example.com").await;
    let r = app
        .post(ROOT, Some(&n), ACCEPT, json!({ "i": { "token": no } }))
        .await;
    assert_eq!(first_code(&r.body), "INVITATION_DECLINED");
    assert_eq!(first_field(&r.body), "token");

    // Unknown tokens, bad input.
    let r = app
        .post(ROOT, Some(&n), ACCEPT, json!({ "i": { "token": "nope" } }))
        .await;
    assert_eq!(first_code(&r.body), "INVALID_TOKEN");
    let r = app.post(ROOT, Some(&n), ACCEPT, json!({ "i": {} })).await;
    assert_eq!(first_code(&r.body), "BAD_USER_INPUT");
    let too_long = app
        .post(ROOT, Some(&owner), "mutation($o: ID!) { inviteMember(input: { organizationId: $o, email: \"x@example.com\", expiresInDays: 31 }) { invitation { id } } }", json!({ "o": org }))
        .await;
    assert_eq!(first_code(&too_long.body), "BAD_USER_INPUT");
    assert_eq!(first_field(&too_long.body), "expiresInDays");
}

#[tokio::test]
async fn members_and_already_invited_people_are_not_invited_twice() {
    let app = TestApp::new().await;
    let (owner, org, _) = owner_with_org(&app).await;
    let r = app
        .post(ROOT, Some(&owner), "mutation($o: ID!) { inviteMember(input: { organizationId: $o, email: \"OWNER@example.com\" }) { invitation { id } } }", json!({ "o": org }))
        .await;
    assert_eq!(first_code(&r.body), "CONFLICT");
    assert_eq!(first_field(&r.body), "email");
    app.invite(ROOT, &owner, &org, "twice@example.com", "MEMBER", json!([]))
        .await;
    let r = app
        .post(ROOT, Some(&owner), "mutation($o: ID!) { inviteMember(input: { organizationId: $o, email: \"twice@example.com\" }) { invitation { id } } }", json!({ "o": org }))
        .await;
    assert_eq!(first_code(&r.body), "CONFLICT");
}

#[tokio::test]
async fn invitation_links_do_nothing_on_another_tenant() {
    let app = TestApp::new().await;
    let (_, acme) = app.tenant("acme").await;
    let (owner, org, _) = owner_with_org(&app).await;
    app.invite(ROOT, &owner, &org, "ann@example.com", "MEMBER", json!([]))
        .await;
    let token = app.link_token("ann@example.com", "INVITATION").await;
    let r = app
        .post(&acme, None, SIGN_UP, json!({ "i": { "email": "ann@example.com", "password": PASSWORD, "displayName": "A", "invitationToken": token } }))
        .await;
    assert_eq!(first_code(&r.body), "INVALID_TOKEN");
    let (ann_acme, _, _) = app.sign_up(&acme, "ann@example.com").await;
    let r = app
        .post(
            &acme,
            Some(&ann_acme),
            ACCEPT,
            json!({ "i": { "token": token } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "INVALID_TOKEN");
    let d = app.ok(&acme, Some(&ann_acme), PENDING, json!({})).await;
    assert_eq!(
        d["viewer"]["pendingInvitations"],
        json!([]),
        "the same email on another tenant is another person"
    );
}

#[tokio::test]
async fn revoking_and_resending_follow_the_policy() {
    let app = TestApp::new().await;
    let f = app.org_fixture().await;
    // The manager invites an agent into space A; the agent cannot revoke it; the manager can.
    let inv = app
        .invite(
            ROOT,
            f.token("manager"),
            &f.org,
            "helper@example.com",
            "MEMBER",
            json!([{ "spaceId": f.space_a, "role": "AGENT" }]),
        )
        .await;
    let r = app
        .post(ROOT, Some(f.token("agent")), REVOKE, json!({ "id": inv }))
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    let r = app
        .post(
            ROOT,
            Some(f.token("outsider")),
            REVOKE,
            json!({ "id": inv }),
        )
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    app.ok(ROOT, Some(f.token("manager")), RESEND, json!({ "id": inv }))
        .await;
    app.ok(
        ROOT,
        Some(f.token("user_admin")),
        REVOKE,
        json!({ "id": inv }),
    )
    .await;
    // Only owners and user admins see the pending list.
    let q = "query($o: ID!) { organization(id: $o) { pendingInvitations { email } } }";
    let r = app
        .post(ROOT, Some(f.token("manager")), q, json!({ "o": f.org }))
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    app.ok(ROOT, Some(f.token("user_admin")), q, json!({ "o": f.org }))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_invitation_accepted_twice_at_once_joins_once() {
    let app = TestApp::new().await;
    let (owner, org, _) = owner_with_org(&app).await;
    let (ann, _, _) = app.sign_up(ROOT, "ann@example.com").await;
    app.invite(ROOT, &owner, &org, "ann@example.com", "MEMBER", json!([]))
        .await;
    let token = app.link_token("ann@example.com", "INVITATION").await;
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let router = app.router.clone();
            let (ann, token) = (ann.clone(), token.clone());
            tokio::spawn(async move {
                let req = axum::http::Request::post("/graphql")
                    .header("host", ROOT)
                    .header("content-type", "application/json")
                    .header("authorization", format!("Bearer {ann}"))
                    .body(axum::body::Body::from(
                        json!({ "query": ACCEPT, "variables": { "i": { "token": token } } })
                            .to_string(),
                    ))
                    .unwrap();
                send_to(&router, req).await
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.body.get("errors") {
            None => ok += 1,
            Some(_) => {
                let code = first_code(&r.body);
                assert!(
                    code == "INVITATION_ALREADY_ACCEPTED" || code == "ALREADY_MEMBER",
                    "{code}"
                );
            }
        }
    }
    assert_eq!(ok, 1);
    use entities::organization_member as m;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let n = m::Entity::find()
        .filter(m::Column::OrganizationId.eq(raw(&org)))
        .count(app.db())
        .await
        .unwrap();
    assert_eq!(n, 2, "the owner and Ann, once");
}
