//! The audit log: what is recorded, with whom and where from, and who may read it.

use serde_json::{Value, json};

use crate::support::*;

const LOG: &str = "query($o: ID, $a: String, $actor: ID, $since: DateTime) { auditLog(organizationId: $o, action: $a, actorId: $actor, since: $since) { totalCount edges { node { action actor { email } target { type id } details requestId clientIp createdAt organizationId } } } }";

#[tokio::test]
async fn role_changes_and_invitations_are_recorded_for_the_owner() {
    let app = TestApp::new().await;
    let f = app.org_fixture().await;
    let mut req = axum::http::Request::post("/graphql")
        .header("host", ROOT)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {}", f.token("owner")))
        .header("x-request-id", "audit-check-1")
        .body(axum::body::Body::from(
            json!({
                "query": "mutation($i: ChangeMemberRoleInput!) { changeMemberRole(input: $i) { member { role } } }",
                "variables": { "i": { "organizationId": f.org, "userId": f.users["member"], "role": "USER_ADMIN" } }
            })
            .to_string(),
        ))
        .unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [198, 51, 100, 7],
            1234,
        ))));
    let r = app.send(req).await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);

    let d = app
        .ok(
            ROOT,
            Some(f.token("owner")),
            LOG,
            json!({ "o": f.org, "a": "member.role_changed" }),
        )
        .await;
    let log = &d["auditLog"];
    assert_eq!(log["totalCount"], 1);
    let e = &log["edges"][0]["node"];
    assert_eq!(e["actor"]["email"], "owner-t@example.com");
    assert_eq!(
        e["target"],
        json!({ "type": "USER", "id": f.users["member"] })
    );
    assert_eq!(
        e["details"],
        json!({ "from": "MEMBER", "to": "USER_ADMIN" })
    );
    assert_eq!(e["requestId"], "audit-check-1");
    assert_eq!(e["clientIp"], "198.51.100.7");
    assert_eq!(e["organizationId"], f.org);

    // The fixture's history: creation, two spaces, four invitations sent and accepted.
    let all = app
        .ok(ROOT, Some(f.token("owner")), LOG, json!({ "o": f.org }))
        .await;
    let actions: Vec<String> = all["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap().to_string())
        .collect();
    for a in [
        "organization.created",
        "space.created",
        "invitation.created",
        "invitation.accepted",
        "member.role_changed",
    ] {
        assert!(
            actions.iter().any(|x| x == a),
            "{a} missing from {actions:?}"
        );
    }
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "invitation.accepted")
            .count(),
        4
    );
    // Filters by actor and time.
    let by_admin = app
        .ok(
            ROOT,
            Some(f.token("owner")),
            LOG,
            json!({ "o": f.org, "actor": f.users["user_admin"] }),
        )
        .await;
    assert_eq!(
        by_admin["auditLog"]["totalCount"], 1,
        "the user admin only accepted an invitation"
    );
    let future = app
        .ok(
            ROOT,
            Some(f.token("owner")),
            LOG,
            json!({ "o": f.org, "since": "2999-01-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(future["auditLog"]["totalCount"], 0);

    // Nobody else in the organization reads it; without an organization, only staff.
    for role in ["user_admin", "manager", "agent", "member", "outsider"] {
        let r = app
            .post(ROOT, Some(f.token(role)), LOG, json!({ "o": f.org }))
            .await;
        assert_eq!(first_code(&r.body), "FORBIDDEN", "{role}");
        let r = app.post(ROOT, Some(f.token(role)), LOG, json!({})).await;
        assert_eq!(first_code(&r.body), "FORBIDDEN", "{role}");
    }
}

#[tokio::test]
async fn staff_read_every_entry_including_sign_ins_and_branding() {
    let app = TestApp::new().await;
    let (_, acme) = app.tenant("acme").await;
    let admin = app.tenant_admin_token("acme", &acme).await;
    app.ok(
        &acme,
        Some(&admin),
        "mutation { updateTenant(input: { primaryColor: \"#000000\" }) { tenant { slug } } }",
        json!({}),
    )
    .await;
    let staff = app.staff_token().await;
    let signed_in = app
        .ok(ROOT, Some(&staff), LOG, json!({ "a": "user.signed_in" }))
        .await;
    assert!(
        signed_in["auditLog"]["totalCount"].as_u64().unwrap() >= 2,
        "the acme admin and staff signed in"
    );
    let branding = app
        .ok(ROOT, Some(&staff), LOG, json!({ "a": "tenant.updated" }))
        .await;
    let e = &branding["auditLog"]["edges"][0]["node"];
    assert_eq!(
        e["actor"],
        json!(null),
        "the actor is another tenant's user: loaded per tenant, so hidden"
    );
    assert_eq!(e["details"]["primaryColor"], "#000000");
    let created = app
        .ok(ROOT, Some(&staff), LOG, json!({ "a": "tenant.created" }))
        .await;
    assert_eq!(created["auditLog"]["totalCount"], 1);
    // A tenant admin is not staff.
    let r = app.post(&acme, Some(&admin), LOG, json!({})).await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
}

/// Sends `query` with a request id of our choosing; fails on any error.
async fn run_as(
    app: &TestApp,
    host: &str,
    token: Option<&str>,
    rid: &str,
    query: &str,
    vars: Value,
) -> Value {
    let mut b = axum::http::Request::post("/graphql")
        .header("host", host)
        .header("content-type", "application/json")
        .header("x-request-id", rid);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    let r = app
        .send(
            b.body(axum::body::Body::from(
                json!({ "query": query, "variables": vars }).to_string(),
            ))
            .unwrap(),
        )
        .await;
    assert!(r.body.get("errors").is_none(), "{query}: {}", r.body);
    r.body["data"].clone()
}

/// (action, host, token, mutation, variables, actor's email, impersonator's email)
type Step<'a> = (
    &'static str,
    &'a str,
    String,
    &'static str,
    Value,
    &'static str,
    Option<&'static str>,
);

#[tokio::test]
async fn every_security_relevant_action_is_recorded_with_who_how_and_from_where() {
    use crate::partners::{ACCEPT_SM, IMPERSONATE, partner};
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let (acme_id, acme) = app.tenant("acme").await;
    let acme_admin = app.tenant_admin_token("acme", &acme).await;
    let p = partner(&app, ROOT, "a", "OFFICIAL").await;
    let (sam, _, sam_id) = app.sign_up(ROOT, "sam@client.example").await;
    app.ok(
        ROOT,
        Some(&sam),
        ACCEPT_SM,
        json!({ "c": p.service_manager }),
    )
    .await;
    let (owner, _, _) = app.sign_up(ROOT, "owner@example.com").await;
    let org = app.create_org(ROOT, &owner, "Shop").await;
    let member = app.add_member(&org, "MEMBER", None).await;
    let other = app.add_member(&org, "MEMBER", None).await;
    let inv1 = app
        .invite(ROOT, &owner, &org, "one@example.com", "MEMBER", json!([]))
        .await;
    let inv2 = app
        .invite(ROOT, &owner, &org, "two@example.com", "MEMBER", json!([]))
        .await;
    app.invite(ROOT, &owner, &org, "three@example.com", "MEMBER", json!([]))
        .await;
    let decline_token = app.link_token("three@example.com", "INVITATION").await;

    let imp = run_as(
        &app,
        ROOT,
        Some(&p.owner),
        "rid-impersonation-started",
        IMPERSONATE,
        json!({ "i": { "partnerId": p.id, "clientId": sam_id, "reason": "Set up the line" } }),
    )
    .await;
    let imp_token = imp["impersonateClient"]["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    let steps: Vec<Step> = vec![
        (
            "impersonation.mutation",
            ROOT,
            imp_token.clone(),
            "mutation { updateAccount(input: { displayName: \"Sam\" }) { user { id } } }",
            json!({}),
            "sam@client.example",
            Some("partner-a@example.com"),
        ),
        (
            "impersonation.ended",
            ROOT,
            imp_token.clone(),
            "mutation { endImpersonation { ended } }",
            json!({}),
            "sam@client.example",
            Some("partner-a@example.com"),
        ),
        (
            "partner.consent_revoked",
            ROOT,
            sam.clone(),
            "mutation { revokePartnerAccess { partner { access } } }",
            json!({}),
            "sam@client.example",
            None,
        ),
        (
            "partner.consent_granted",
            ROOT,
            sam.clone(),
            "mutation { grantPartnerAccess { partner { access } } }",
            json!({}),
            "sam@client.example",
            None,
        ),
        (
            "tenant.domain_added",
            ROOT,
            staff.clone(),
            "mutation($i: AddTenantDomainInput!) { addTenantDomain(input: $i) { domain { id } } }",
            json!({ "i": { "tenantId": acme_id, "host": "brand.example" } }),
            "staff@platform.example",
            None,
        ),
        (
            "tenant.updated",
            acme.as_str(),
            acme_admin.clone(),
            "mutation($i: UpdateTenantInput!) { updateTenant(input: $i) { tenant { id } } }",
            json!({ "i": { "primaryColor": "#112233" } }),
            "admin@acme.example",
            None,
        ),
        (
            "invitation.revoked",
            ROOT,
            owner.clone(),
            "mutation($i: InvitationIdInput!) { revokeInvitation(input: $i) { invitation { id } } }",
            json!({ "i": { "invitationId": inv1 } }),
            "owner@example.com",
            None,
        ),
        (
            "invitation.resent",
            ROOT,
            owner.clone(),
            "mutation($i: ResendInvitationInput!) { resendInvitation(input: $i) { invitation { id } } }",
            json!({ "i": { "invitationId": inv2 } }),
            "owner@example.com",
            None,
        ),
        (
            "member.removed",
            ROOT,
            owner.clone(),
            "mutation($i: MemberInput!) { removeMember(input: $i) { removedUserId } }",
            json!({ "i": { "organizationId": org, "userId": member } }),
            "owner@example.com",
            None,
        ),
        (
            "organization.ownership_transferred",
            ROOT,
            owner.clone(),
            "mutation($i: MemberInput!) { transferOwnership(input: $i) { newOwner { role } } }",
            json!({ "i": { "organizationId": org, "userId": other } }),
            "owner@example.com",
            None,
        ),
        (
            "user.password_changed",
            ROOT,
            owner.clone(),
            "mutation { changePassword(input: { currentPassword: \"correct horse battery\", newPassword: \"another long password\" }) { user { id } } }",
            json!({}),
            "owner@example.com",
            None,
        ),
        (
            "partner.tier_changed",
            ROOT,
            staff.clone(),
            "mutation($i: SetPartnerTierInput!) { setPartnerTier(input: $i) { partner { tier } } }",
            json!({ "i": { "partnerId": p.id, "tier": "GOLD" } }),
            "staff@platform.example",
            None,
        ),
        (
            "partner.codes_rotated",
            ROOT,
            p.owner.clone(),
            "mutation($i: PartnerIdInput!) { rotatePartnerCodes(input: $i) { partner { id } } }",
            json!({ "i": { "partnerId": p.id } }),
            "partner-a@example.com",
            None,
        ),
    ];
    let q = "query($a: String) { auditLog(action: $a, last: 1) { totalCount edges { node { action actor { email } actorId impersonator { email } requestId clientIp details target { type id } } } } }";
    let check = |action: &'static str,
                 rid: String,
                 actor: &'static str,
                 impersonator: Option<&'static str>| {
        let app = &app;
        let staff = staff.clone();
        async move {
            let d = app.ok(ROOT, Some(&staff), q, json!({ "a": action })).await;
            let e = &d["auditLog"]["edges"][0]["node"];
            assert_eq!(e["action"], action);
            assert_eq!(e["requestId"], rid.as_str(), "{action}: {e}");
            assert_eq!(e["clientIp"], "127.0.0.1", "{action}");
            // Actors on another tenant are named by id only (their account is not on
            // the current host).
            if e["actor"].is_null() {
                assert!(e["actorId"].is_string(), "{action}: no actor at all");
            } else {
                assert_eq!(e["actor"]["email"], actor, "{action}");
            }
            match impersonator {
                Some(i) => assert_eq!(e["impersonator"]["email"], i, "{action}"),
                None => assert!(e["impersonator"].is_null(), "{action}: {e}"),
            }
            e.clone()
        }
    };
    let started = check(
        "impersonation.started",
        "rid-impersonation-started".into(),
        "partner-a@example.com",
        None,
    )
    .await;
    assert_eq!(started["details"]["reason"], "Set up the line");
    assert_eq!(started["target"]["id"], sam_id);
    for (action, host, token, query, vars, actor, impersonator) in steps {
        let rid = format!("rid-{}", action.replace(['.', '_'], "-"));
        run_as(&app, host, Some(&token), &rid, query, vars).await;
        check(action, rid, actor, impersonator).await;
    }
    // Declining by the link: the invitee is anonymous, the entry still says how and where.
    run_as(&app, ROOT, None, "rid-declined", "mutation($i: RespondToInvitationInput!) { declineInvitation(input: $i) { invitation { id } } }", json!({ "i": { "token": decline_token } })).await;
    let d = app
        .ok(ROOT, Some(&staff), q, json!({ "a": "invitation.declined" }))
        .await;
    let e = &d["auditLog"]["edges"][0]["node"];
    assert_eq!(e["requestId"], "rid-declined");
    assert_eq!(e["clientIp"], "127.0.0.1");
    // Staff see who changed a tenant's branding, and what.
    let d = app
        .ok(ROOT, Some(&staff), q, json!({ "a": "tenant.updated" }))
        .await;
    let e = &d["auditLog"]["edges"][0]["node"];
    assert_eq!(e["target"]["id"], acme_id);
    assert!(e["actorId"].is_string());
    // Approval was recorded when the fixture's partner was approved.
    let d = app
        .ok(ROOT, Some(&staff), q, json!({ "a": "partner.approved" }))
        .await;
    assert_eq!(d["auditLog"]["totalCount"], 1);
    assert_eq!(
        d["auditLog"]["edges"][0]["node"]["actor"]["email"],
        "staff@platform.example"
    );
}
