//! The audit log: what is recorded, with whom and where from, and who may read it.

use serde_json::json;

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
