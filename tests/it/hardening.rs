//! The security defects of issue 7, §1: each test failed before its fix. Refusals re-read
//! the data to show nothing changed.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::partners::{ACCEPT_SM, IMPERSONATE, JOIN, RESPOND, partner};
use crate::support::*;

const ACCEPT: &str = "mutation($i: RespondToInvitationInput!) { acceptInvitation(input: $i) { organization { id viewerRole } } }";
const PENDING: &str = "{ viewer { emailVerified pendingInvitations { id role } } }";
const UPDATE_ACCOUNT: &str = "mutation($i: UpdateAccountInput!) { updateAccount(input: $i) { user { email emailVerified phone } } }";
const VERIFY: &str =
    "mutation($t: String!) { verifyEmail(input: { token: $t }) { user { email emailVerified } } }";
const MEMBERS: &str = "query($o: ID!) { organization(id: $o) { members { totalCount edges { node { role user { email } } } } pendingInvitations { email expiresAt } } }";

async fn owner_org(app: &TestApp, email: &str) -> (String, String) {
    let (owner, _) = app.sign_up_verified(ROOT, email).await;
    let org = app.create_org(ROOT, &owner, "Acme Sales").await;
    (owner, org)
}

async fn member_emails(app: &TestApp, token: &str, org: &str) -> Vec<(String, String)> {
    let d = app
        .ok(ROOT, Some(token), MEMBERS, json!({ "o": org }))
        .await;
    d["organization"]["members"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["user"]["email"].as_str().unwrap().to_string(),
                e["node"]["role"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn an_unverified_address_cannot_take_an_owner_invitation_by_id() {
    let app = TestApp::new().await;
    let (owner, org) = owner_org(&app, "owner@example.com").await;
    let inv = app
        .invite(ROOT, &owner, &org, "victim@example.com", "OWNER", json!([]))
        .await;
    // The attacker signs up with the invited address (they cannot read its mail)...
    let (eve, _, _) = app.sign_up(ROOT, "victim@example.com").await;
    let d = app.ok(ROOT, Some(&eve), PENDING, json!({})).await;
    assert_eq!(d["viewer"]["emailVerified"], false);
    assert_eq!(d["viewer"]["pendingInvitations"], json!([]));
    let r = app
        .post(
            ROOT,
            Some(&eve),
            ACCEPT,
            json!({ "i": { "invitationId": inv } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "EMAIL_NOT_VERIFIED");
    assert_eq!(first_field(&r.body), "invitationId");
    // ...or changes their own address to it.
    let (mallory, _) = app.sign_up_verified(ROOT, "mallory@example.com").await;
    app.invite(ROOT, &owner, &org, "ceo@example.com", "OWNER", json!([]))
        .await;
    let d = app
        .ok(
            ROOT,
            Some(&mallory),
            UPDATE_ACCOUNT,
            json!({ "i": { "email": "ceo@example.com", "currentPassword": PASSWORD } }),
        )
        .await;
    assert_eq!(d["updateAccount"]["user"]["emailVerified"], false);
    let d = app.ok(ROOT, Some(&mallory), PENDING, json!({})).await;
    assert_eq!(d["viewer"]["pendingInvitations"], json!([]));
    // Nobody joined: the owner is still alone and both invitations wait.
    assert_eq!(
        member_emails(&app, &owner, &org).await,
        [("owner@example.com".to_string(), "OWNER".to_string())]
    );
    let d = app
        .ok(ROOT, Some(&owner), MEMBERS, json!({ "o": org }))
        .await;
    assert_eq!(
        d["organization"]["pendingInvitations"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn the_verification_link_proves_the_address_once() {
    let app = TestApp::new().await;
    let (ann, _, _) = app.sign_up(ROOT, "ann@example.com").await;
    let mail = app
        .outbox_email("ann@example.com", "VERIFY_EMAIL")
        .await
        .expect("a verification email on sign-up");
    assert!(
        mail.body_text
            .contains("http://localhost:8080/verify-email?token=")
    );
    let token = app.link_token("ann@example.com", "VERIFY_EMAIL").await;
    // A resend replaces the first link.
    let d = app
        .ok(
            ROOT,
            Some(&ann),
            "mutation { resendEmailVerification { sent } }",
            json!({}),
        )
        .await;
    assert_eq!(d["resendEmailVerification"]["sent"], true);
    let r = app.post(ROOT, None, VERIFY, json!({ "t": token })).await;
    assert_eq!(first_code(&r.body), "INVALID_TOKEN");
    let fresh = app.link_token("ann@example.com", "VERIFY_EMAIL").await;
    assert_ne!(fresh, token);
    let d = app.ok(ROOT, None, VERIFY, json!({ "t": fresh })).await;
    assert_eq!(d["verifyEmail"]["user"]["emailVerified"], true);
    let r = app.post(ROOT, None, VERIFY, json!({ "t": fresh })).await;
    assert_eq!(first_code(&r.body), "INVALID_TOKEN");
    let d = app.ok(ROOT, Some(&ann), PENDING, json!({})).await;
    assert_eq!(d["viewer"]["emailVerified"], true);
    let r = app
        .post(
            ROOT,
            Some(&ann),
            "mutation { resendEmailVerification { sent } }",
            json!({}),
        )
        .await;
    assert_eq!(first_code(&r.body), "EMAIL_ALREADY_VERIFIED");
    // A link of one tenant does nothing on another.
    let (_, acme) = app.tenant("acme").await;
    app.sign_up(&acme, "bob@example.com").await;
    let bob_link = app.link_token("bob@example.com", "VERIFY_EMAIL").await;
    let r = app.post(ROOT, None, VERIFY, json!({ "t": bob_link })).await;
    assert_eq!(first_code(&r.body), "INVALID_TOKEN");
    // Audited.
    let staff = app.staff_token().await;
    let d = app
        .ok(
            ROOT,
            Some(&staff),
            "{ auditLog(action: \"user.email_verified\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(d["auditLog"]["totalCount"], 1);
}

#[tokio::test]
async fn following_an_invitation_or_set_password_link_verifies_the_address() {
    let app = TestApp::new().await;
    let (owner, org) = owner_org(&app, "owner@example.com").await;
    // Sign-up through the link.
    app.invite(ROOT, &owner, &org, "new@example.com", "MEMBER", json!([]))
        .await;
    let (new, _) = app.sign_up_invited(ROOT, "new@example.com").await;
    let d = app.ok(ROOT, Some(&new), PENDING, json!({})).await;
    assert_eq!(d["viewer"]["emailVerified"], true);
    assert!(
        app.outbox_email("new@example.com", "VERIFY_EMAIL")
            .await
            .is_none()
    );
    // An existing, unverified account accepting by the link's token.
    let (ann, _, _) = app.sign_up(ROOT, "ann@example.com").await;
    app.invite(ROOT, &owner, &org, "ann@example.com", "MEMBER", json!([]))
        .await;
    let token = app.link_token("ann@example.com", "INVITATION").await;
    app.ok(ROOT, Some(&ann), ACCEPT, json!({ "i": { "token": token } }))
        .await;
    let d = app.ok(ROOT, Some(&ann), PENDING, json!({})).await;
    assert_eq!(d["viewer"]["emailVerified"], true);
    // A tenant's first admin, created by staff, proves the address with the set-password
    // link.
    let (_, acme) = app.tenant("acme").await;
    let admin = app.tenant_admin_token("acme", &acme).await;
    let d = app.ok(&acme, Some(&admin), PENDING, json!({})).await;
    assert_eq!(d["viewer"]["emailVerified"], true);
}

#[tokio::test]
async fn changing_email_or_phone_needs_the_current_password() {
    let app = TestApp::new().await;
    let (ann, _) = app.sign_up_verified(ROOT, "ann@example.com").await;
    let read = "{ viewer { email phone emailVerified } }";
    for (input, field) in [
        (json!({ "email": "thief@example.com" }), "currentPassword"),
        (json!({ "phone": "+79990001122" }), "currentPassword"),
        (
            json!({ "email": "thief@example.com", "currentPassword": "not the password" }),
            "currentPassword",
        ),
    ] {
        let r = app
            .post(ROOT, Some(&ann), UPDATE_ACCOUNT, json!({ "i": input }))
            .await;
        assert_eq!(first_code(&r.body), "BAD_USER_INPUT", "{input}");
        assert_eq!(first_field(&r.body), field);
    }
    let d = app.ok(ROOT, Some(&ann), read, json!({})).await;
    assert_eq!(
        d["viewer"],
        json!({ "email": "ann@example.com", "phone": null, "emailVerified": true })
    );
    // The name needs no password.
    app.ok(
        ROOT,
        Some(&ann),
        UPDATE_ACCOUNT,
        json!({ "i": { "displayName": "Ann B." } }),
    )
    .await;
    // A link sent to the old address before the change...
    app.ok(
        ROOT,
        None,
        "mutation { requestPasswordReset(input: { email: \"ann@example.com\" }) { accepted } }",
        json!({}),
    )
    .await;
    let old_reset = app.link_token("ann@example.com", "PASSWORD_RESET").await;
    let d = app
        .ok(
            ROOT,
            Some(&ann),
            UPDATE_ACCOUNT,
            json!({ "i": { "email": "ann.new@example.com", "phone": "+79990001122", "currentPassword": PASSWORD } }),
        )
        .await;
    assert_eq!(
        d["updateAccount"]["user"],
        json!({ "email": "ann.new@example.com", "emailVerified": false, "phone": "+79990001122" })
    );
    // ...stops working; the new address gets a verification link, the old one a notice.
    let r = app
        .post(
            ROOT,
            None,
            "mutation($t: String!) { resetPassword(input: { token: $t, newPassword: \"taken over password\" }) { user { id } } }",
            json!({ "t": old_reset }),
        )
        .await;
    assert_eq!(first_code(&r.body), "INVALID_TOKEN");
    app.log_in(ROOT, "ann.new@example.com", PASSWORD).await;
    assert!(
        app.outbox_email("ann@example.com", "EMAIL_CHANGED")
            .await
            .is_some()
    );
    app.verify_email(ROOT, "ann.new@example.com").await;
}

pub async fn partner_with_client(
    app: &TestApp,
) -> (crate::partners::PartnerFixture, String, String) {
    let p = partner(app, ROOT, "a", "GOLD").await;
    let (sam, _, sam_id) = app.sign_up(ROOT, "sam@client.example").await;
    app.ok(
        ROOT,
        Some(&sam),
        ACCEPT_SM,
        json!({ "c": p.service_manager }),
    )
    .await;
    (p, sam, sam_id)
}

pub async fn impersonate(app: &TestApp, actor: &str, partner_id: &str, client_id: &str) -> String {
    let d = app
        .ok(
            ROOT,
            Some(actor),
            IMPERSONATE,
            json!({ "i": { "partnerId": partner_id, "clientId": client_id, "reason": "help" } }),
        )
        .await;
    d["impersonateClient"]["accessToken"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn refused(app: &TestApp, token: &str) -> bool {
    let r = app
        .post(ROOT, Some(token), "{ viewer { email } }", json!({}))
        .await;
    r.status == StatusCode::UNAUTHORIZED
}

#[tokio::test]
async fn impersonation_ends_when_the_actor_may_no_longer_act_for_the_partner() {
    let app = TestApp::new().await;
    let (p, _, sam_id) = partner_with_client(&app).await;
    // A user admin of the partner impersonates; then is demoted to a plain member.
    let admin_id = app.add_member(&p.org, "USER_ADMIN", None).await;
    let admin_email: String = {
        use sea_orm::EntityTrait;
        entities::user::Entity::find_by_id(raw(&admin_id))
            .one(app.db())
            .await
            .unwrap()
            .unwrap()
            .email
    };
    app.sql(&format!(
        "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE id = {}) WHERE id = {}",
        raw(&p.owner_id),
        raw(&admin_id)
    ))
    .await;
    let admin = app.log_in(ROOT, &admin_email, PASSWORD).await;
    let token = impersonate(&app, &admin, &p.id, &sam_id).await;
    assert!(!refused(&app, &token).await);
    app.ok(
        ROOT,
        Some(&p.owner),
        "mutation($i: ChangeMemberRoleInput!) { changeMemberRole(input: $i) { member { role } } }",
        json!({ "i": { "organizationId": p.org, "userId": admin_id, "role": "MEMBER" } }),
    )
    .await;
    assert!(refused(&app, &token).await, "a demoted actor's token works");
    // The owner impersonates; then is removed from the partner's organization (by
    // another owner).
    let token = impersonate(&app, &p.owner, &p.id, &sam_id).await;
    assert!(!refused(&app, &token).await);
    app.sql(&format!(
        "DELETE FROM organization_members WHERE user_id = {}",
        raw(&p.owner_id)
    ))
    .await;
    assert!(refused(&app, &token).await, "a removed actor's token works");
}

#[tokio::test]
async fn impersonation_ends_when_the_partner_organization_is_deleted() {
    let app = TestApp::new().await;
    let (p, sam, sam_id) = partner_with_client(&app).await;
    let token = impersonate(&app, &p.owner, &p.id, &sam_id).await;
    assert!(!refused(&app, &token).await);
    app.ok(
        ROOT,
        Some(&p.owner),
        "mutation($i: OrganizationIdInput!) { deleteOrganization(input: $i) { deletedOrganizationId } }",
        json!({ "i": { "organizationId": p.org } }),
    )
    .await;
    assert!(refused(&app, &token).await);
    // The client's consent history survives the partner, with its name.
    let d = app
        .ok(
            ROOT,
            Some(&sam),
            "{ viewer { consentHistory { partnerId partnerName grantedAt } } }",
            json!({}),
        )
        .await;
    let h = &d["viewer"]["consentHistory"];
    assert_eq!(h.as_array().unwrap().len(), 1, "{h}");
    assert_eq!(h[0]["partnerId"], Value::Null);
    assert_eq!(h[0]["partnerName"], "Agency a");
}

#[tokio::test]
async fn consent_revoked_without_touching_sessions_still_ends_impersonation() {
    // The live check does not rely on sessions being marked revoked: a consent row that
    // is revoked by any path ends the impersonation.
    let app = TestApp::new().await;
    let (p, _, sam_id) = partner_with_client(&app).await;
    let token = impersonate(&app, &p.owner, &p.id, &sam_id).await;
    assert!(!refused(&app, &token).await);
    app.sql("UPDATE consents SET revoked_at = granted_at").await;
    assert!(refused(&app, &token).await);
}

#[tokio::test]
async fn consent_history_survives_deletion_of_the_client() {
    let app = TestApp::new().await;
    let (_, sam, _) = partner_with_client(&app).await;
    app.ok(
        ROOT,
        Some(&sam),
        "mutation { deleteAccount(input: { password: \"correct horse battery\" }) { deletedUserId } }",
        json!({}),
    )
    .await;
    use sea_orm::EntityTrait;
    let rows = entities::consent::Entity::find()
        .all(app.db())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].client_user_id, None);
    assert!(rows[0].partner_id.is_some());
}

#[tokio::test]
async fn impersonation_cannot_grant_lasting_access() {
    let app = TestApp::new().await;
    let (p, sam, sam_id) = partner_with_client(&app).await;
    app.verify_email(ROOT, "sam@client.example").await;
    let org = app.create_org(ROOT, &sam, "Sam's shop").await;
    let space = app.create_space(ROOT, &sam, &org, "Support").await;
    let member = app.add_member(&org, "MEMBER", None).await;
    let inv = app
        .invite(ROOT, &sam, &org, "friend@example.com", "MEMBER", json!([]))
        .await;
    // Sam is signed in on a second device too.
    let sam2 = app.log_in(ROOT, "sam@client.example", PASSWORD).await;
    let token = impersonate(&app, &p.owner, &p.id, &sam_id).await;
    let before = app.ok(ROOT, Some(&sam), MEMBERS, json!({ "o": org })).await;
    let attempts = [
        (
            "mutation($i: InviteMemberInput!) { inviteMember(input: $i) { invitation { id } } }",
            json!({ "i": { "organizationId": org, "email": "partner-friend@example.com", "role": "OWNER" } }),
        ),
        (
            "mutation($i: ChangeMemberRoleInput!) { changeMemberRole(input: $i) { member { role } } }",
            json!({ "i": { "organizationId": org, "userId": member, "role": "OWNER" } }),
        ),
        (
            "mutation($i: SetSpaceAccessInput!) { setSpaceAccess(input: $i) { member { role } } }",
            json!({ "i": { "spaceId": space, "userId": member, "role": "MANAGER" } }),
        ),
        (
            "mutation($i: MemberInput!) { transferOwnership(input: $i) { newOwner { role } } }",
            json!({ "i": { "organizationId": org, "userId": member } }),
        ),
        (
            "mutation($i: ResendInvitationInput!) { resendInvitation(input: $i) { invitation { id } } }",
            json!({ "i": { "invitationId": inv } }),
        ),
        (
            "mutation($i: OrganizationIdInput!) { deleteOrganization(input: $i) { deletedOrganizationId } }",
            json!({ "i": { "organizationId": org } }),
        ),
        (
            "mutation { logOut(input: { everywhere: true }) { endedSessions } }",
            json!({}),
        ),
    ];
    for (q, v) in attempts {
        let r = app.post(ROOT, Some(&token), q, v).await;
        assert_eq!(
            first_code(&r.body),
            "IMPERSONATION_FORBIDDEN",
            "{q}: {}",
            r.body
        );
    }
    // Nothing changed: members, roles, invitations, space access, the organization, and
    // Sam's sessions (both devices and the impersonation itself).
    let after = app.ok(ROOT, Some(&sam), MEMBERS, json!({ "o": org })).await;
    assert_eq!(before, after);
    let d = app
        .ok(
            ROOT,
            Some(&sam),
            "query($s: ID!) { node(id: $s) { ... on Space { name } } }",
            json!({ "s": space }),
        )
        .await;
    assert_eq!(d["node"]["name"], "Support");
    assert!(
        app.outbox_email("partner-friend@example.com", "INVITATION")
            .await
            .is_none()
    );
    for t in [&sam, &sam2, &token] {
        assert!(!refused(&app, t).await);
    }
    // Sam, signed in as himself, may do all of it.
    app.ok(
        ROOT,
        Some(&sam),
        "mutation($i: ChangeMemberRoleInput!) { changeMemberRole(input: $i) { member { role } } }",
        json!({ "i": { "organizationId": org, "userId": member, "role": "USER_ADMIN" } }),
    )
    .await;
}

#[tokio::test]
async fn an_impersonated_change_whose_audit_cannot_be_written_does_not_commit() {
    let app = TestApp::new().await;
    let (p, sam, sam_id) = partner_with_client(&app).await;
    let token = impersonate(&app, &p.owner, &p.id, &sam_id).await;
    // Make the audit row impossible to write.
    app.fail_inserts_into("audit_log", "NEW.action = 'impersonation.mutation'")
        .await;
    let r = app
        .post(
            ROOT,
            Some(&token),
            "mutation { updateAccount(input: { displayName: \"Changed by partner\" }) { user { displayName } } }",
            json!({}),
        )
        .await;
    assert_eq!(first_code(&r.body), "INTERNAL");
    assert!(!r.body.to_string().contains("fail"), "{}", r.body);
    let d = app
        .ok(ROOT, Some(&sam), "{ viewer { displayName } }", json!({}))
        .await;
    assert_eq!(d["viewer"]["displayName"], "Test User");
    // The client's own change is not impersonated and commits.
    app.ok(
        ROOT,
        Some(&sam),
        "mutation { updateAccount(input: { displayName: \"Sam\" }) { user { displayName } } }",
        json!({}),
    )
    .await;
}

#[tokio::test]
async fn a_join_prompt_dies_with_its_code_or_the_partners_approval() {
    let app = TestApp::new().await;
    let p = partner(&app, ROOT, "a", "GOLD").await;
    let (ann, _, _) = app.sign_up(ROOT, "ann@example.com").await;
    let (bob, _, _) = app.sign_up(ROOT, "bob@example.com").await;
    let prompt = |d: Value| {
        d["joinPartner"]["prompt"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let ann_prompt = prompt(
        app.ok(ROOT, Some(&ann), JOIN, json!({ "c": p.referral }))
            .await,
    );
    let bob_prompt = prompt(
        app.ok(ROOT, Some(&bob), JOIN, json!({ "c": p.referral }))
            .await,
    );
    // The partner rotates its codes: Ann's prompt was opened with the old one.
    app.ok(
        ROOT,
        Some(&p.owner),
        "mutation($i: PartnerIdInput!) { rotatePartnerCodes(input: $i) { partner { referralCode } } }",
        json!({ "i": { "partnerId": p.id } }),
    )
    .await;
    let r = app
        .post(
            ROOT,
            Some(&ann),
            RESPOND,
            json!({ "p": ann_prompt, "a": true }),
        )
        .await;
    assert_eq!(first_code(&r.body), "INVALID_PARTNER_CODE", "{}", r.body);
    // The partner leaves the program: Bob's prompt dies too.
    app.sql("UPDATE partners SET status = 'REJECTED'").await;
    let r = app
        .post(
            ROOT,
            Some(&bob),
            RESPOND,
            json!({ "p": bob_prompt, "a": true }),
        )
        .await;
    assert_eq!(first_code(&r.body), "PARTNER_NOT_APPROVED", "{}", r.body);
    for t in [&ann, &bob] {
        let d = app
            .ok(
                ROOT,
                Some(t),
                "{ viewer { myPartner { name } } }",
                json!({}),
            )
            .await;
        assert_eq!(d["viewer"]["myPartner"], Value::Null);
    }
}

#[tokio::test]
async fn text_inputs_refuse_control_characters() {
    let app = TestApp::new().await;
    let r = app
        .post(
            ROOT,
            None,
            "mutation($i: SignUpInput!) { signUp(input: $i) { viewer { id } } }",
            json!({ "i": { "email": "eve@example.com", "password": PASSWORD, "displayName": "Eve\r\nBcc: all@example.com" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "BAD_USER_INPUT");
    assert_eq!(first_field(&r.body), "displayName");
    let (ann, _) = app.sign_up_verified(ROOT, "ann@example.com").await;
    let r = app
        .post(
            ROOT,
            Some(&ann),
            "mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { organization { id } } }",
            json!({ "i": { "name": "Shop\u{0007}" } }),
        )
        .await;
    assert_eq!(first_field(&r.body), "name");
    let d = app
        .ok(
            ROOT,
            Some(&ann),
            "{ viewer { organizations { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["viewer"]["organizations"], json!([]));
}

#[tokio::test]
async fn a_taken_email_is_refused_before_the_password_is_hashed() {
    let app = TestApp::new().await;
    app.sign_up(ROOT, "ann@example.com").await;
    let before = resolvers::password::hashes_run();
    let r = app
        .post(
            ROOT,
            None,
            "mutation($i: SignUpInput!) { signUp(input: $i) { viewer { id } } }",
            json!({ "i": { "email": "ANN@example.com", "password": PASSWORD, "displayName": "Ann 2" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "CONFLICT");
    assert_eq!(first_field(&r.body), "email");
    assert_eq!(resolvers::password::hashes_run(), before);
}

#[tokio::test]
async fn a_password_reset_runs_the_same_statements_whether_or_not_the_account_exists() {
    let app = TestApp::new().await;
    app.sign_up(ROOT, "ann@example.com").await;
    let ask = "mutation($e: String!) { requestPasswordReset(input: { email: $e }) { accepted } }";
    let mut counts = Vec::new();
    for email in ["ann@example.com", "nobody@example.com"] {
        let before = app.state.statements.get();
        let d = app.ok(ROOT, None, ask, json!({ "e": email })).await;
        assert_eq!(d["requestPasswordReset"]["accepted"], true);
        counts.push(app.state.statements.get() - before);
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
    assert!(
        app.outbox_email("ann@example.com", "PASSWORD_RESET")
            .await
            .is_some()
    );
    assert!(
        app.outbox_email("nobody@example.com", "PASSWORD_RESET")
            .await
            .is_none()
    );
    // The link that was sent works.
    let token = app.link_token("ann@example.com", "PASSWORD_RESET").await;
    app.ok(
        ROOT,
        None,
        "mutation($t: String!) { resetPassword(input: { token: $t, newPassword: \"a brand new password\" }) { user { email } } }",
        json!({ "t": token }),
    )
    .await;
    app.log_in(ROOT, "ann@example.com", "a brand new password")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn impersonation_racing_a_revocation_never_outlives_the_consent() {
    // Start and revoke both lock the consent row: either the impersonation commits first
    // and the revocation ends it, or the revocation commits first and the start finds no
    // consent. Without the lock (on PostgreSQL) a start that read the consent before the
    // revocation committed leaves an open impersonation behind a revoked consent.
    use entities::impersonation;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let app = TestApp::new().await;
    let (p, sam, sam_id) = partner_with_client(&app).await;
    let grant = "mutation { grantPartnerAccess { partner { access } } }";
    let revoke = "mutation { revokePartnerAccess { partner { access } } }";
    let mut started = 0;
    for round in 0..25 {
        if round > 0 {
            app.ok(ROOT, Some(&sam), grant, json!({})).await;
        }
        let start = app.spawn_post(
            ROOT,
            Some(&p.owner),
            IMPERSONATE,
            json!({ "i": { "partnerId": p.id, "clientId": sam_id, "reason": "race" } }),
        );
        let stop = app.spawn_post(ROOT, Some(&sam), revoke, json!({}));
        let (start, stop) = (start.await.unwrap(), stop.await.unwrap());
        assert!(stop.body.get("errors").is_none(), "{}", stop.body);
        match start.body.get("errors") {
            None => {
                started += 1;
                let token = start.body["data"]["impersonateClient"]["accessToken"]
                    .as_str()
                    .unwrap();
                assert!(
                    refused(&app, token).await,
                    "round {round}: token outlived consent"
                );
            }
            Some(_) => assert_eq!(
                first_code(&start.body),
                "CONSENT_REQUIRED",
                "{}",
                start.body
            ),
        }
        let open = impersonation::Entity::find()
            .filter(impersonation::Column::EndedAt.is_null())
            .count(app.db())
            .await
            .unwrap();
        assert_eq!(
            open, 0,
            "round {round}: an impersonation stayed open after revocation"
        );
    }
    eprintln!("{started} of 25 starts won the race");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deleting_an_account_while_being_made_owner_never_leaves_an_organization_ownerless() {
    // `deleteAccount` locks every organization of the account before it reads its roles.
    // On PostgreSQL the test holds the deletion inside its transaction (a trigger on its
    // audit entry waits for an advisory lock the test owns) while the hand-over runs:
    // without the lock the hand-over commits, then the deletion removes the new and only
    // owner; with it, the hand-over waits for the deletion and finds no one to hand to.
    use entities::organization_member as om;
    use sea_orm::sqlx::{Connection, Executor, PgConnection};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let app = TestApp::new().await;
    let (alice, _) = app.sign_up_verified(ROOT, "alice@example.com").await;
    let org = app.create_org(ROOT, &alice, "Shop").await;
    let (bob, _, bob_id) = app.sign_up(ROOT, "bob@example.com").await;
    app.sql(&format!(
        "INSERT INTO organization_members (tenant_id, organization_id, user_id, role, created_at, updated_at) \
         SELECT tenant_id, organization_id, {}, 'USER_ADMIN', created_at, updated_at \
         FROM organization_members WHERE organization_id = {}",
        raw(&bob_id),
        raw(&org)
    ))
    .await;
    let hand_over_q =
        "mutation($i: MemberInput!) { transferOwnership(input: $i) { newOwner { role } } }";
    let hand_over_v = json!({ "i": { "organizationId": org, "userId": bob_id } });
    let delete_q = "mutation { deleteAccount(input: { password: \"correct horse battery\" }) { deletedUserId } }";
    let (hand_over, delete) = if app.is_postgres() {
        app.sql(
            "CREATE FUNCTION hold_deletion() RETURNS trigger AS $$ BEGIN \
               IF NEW.action = 'user.deleted' THEN PERFORM pg_advisory_xact_lock(7007); END IF; \
               RETURN NEW; END $$ LANGUAGE plpgsql",
        )
        .await;
        app.sql("CREATE TRIGGER hold_deletion BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION hold_deletion()")
            .await;
        let mut gate = PgConnection::connect(&app.database_url()).await.unwrap();
        gate.execute("SELECT pg_advisory_lock(7007)").await.unwrap();
        let waiting = |n: i64| {
            let url = app.database_url();
            async move {
                let mut c = PgConnection::connect(&url).await.unwrap();
                // Wait (bounded: 30 s) until `n` other sessions wait on a lock.
                for _ in 0..3000 {
                    let (w,): (i64,) = sea_orm::sqlx::query_as(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                    )
                    .fetch_one(&mut c)
                    .await
                    .unwrap();
                    if w >= n {
                        return;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
                panic!("nobody waited on a lock");
            }
        };
        let delete = app.spawn_post(ROOT, Some(&bob), delete_q, json!({}));
        waiting(1).await;
        let hand_over = app.spawn_post(ROOT, Some(&alice), hand_over_q, hand_over_v);
        // The hand-over either finishes (nothing stops it) or waits on the
        // organization's lock.
        tokio::select! {
            _ = waiting(2) => {}
            _ = async { while !hand_over.is_finished() { tokio::task::yield_now().await } } => {}
        }
        gate.execute("SELECT pg_advisory_unlock(7007)")
            .await
            .unwrap();
        (hand_over.await.unwrap(), delete.await.unwrap())
    } else {
        let delete = app.spawn_post(ROOT, Some(&bob), delete_q, json!({}));
        let hand_over = app.spawn_post(ROOT, Some(&alice), hand_over_q, hand_over_v);
        (hand_over.await.unwrap(), delete.await.unwrap())
    };
    let owners = om::Entity::find()
        .filter(om::Column::OrganizationId.eq(raw(&org)))
        .filter(om::Column::Role.eq("OWNER"))
        .count(app.db())
        .await
        .unwrap();
    assert_eq!(
        owners, 1,
        "hand-over: {}\ndelete: {}",
        hand_over.body, delete.body
    );
    // Exactly one of the two went through.
    let ok = [&hand_over, &delete]
        .iter()
        .filter(|r| r.body.get("errors").is_none())
        .count();
    assert_eq!(ok, 1, "{} / {}", hand_over.body, delete.body);
}

#[tokio::test]
async fn applying_as_a_partner_leaves_nothing_behind_when_it_fails() {
    let app = TestApp::new().await;
    let (ann, _) = app.sign_up_verified(ROOT, "ann@example.com").await;
    // Make the partner row impossible to write, after the organization is created.
    app.fail_inserts_into("partners", "TRUE").await;
    let r = app
        .post(
            ROOT,
            Some(&ann),
            crate::partners::APPLY,
            json!({ "i": { "organizationName": "Agency", "contactName": "Ann", "contactEmail": "ann@agency.example" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "INTERNAL");
    let d = app
        .ok(
            ROOT,
            Some(&ann),
            "{ viewer { organizations { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        d["viewer"]["organizations"],
        json!([]),
        "an orphan organization"
    );
}

#[tokio::test]
async fn an_unknown_stored_role_grants_nothing() {
    // Roles are stored enums: a name that is not a role is an internal error, never the
    // lowest role.
    let app = TestApp::new().await;
    let (owner, org) = owner_org(&app, "owner@example.com").await;
    let (bob, bob_id) = app.sign_up_verified(ROOT, "bob@example.com").await;
    app.sql(&format!(
        "INSERT INTO organization_members (tenant_id, organization_id, user_id, role, created_at, updated_at) \
         SELECT tenant_id, organization_id, {}, 'SUPERUSER', created_at, updated_at \
         FROM organization_members WHERE organization_id = {}",
        raw(&bob_id),
        raw(&org)
    ))
    .await;
    let r = app
        .post(
            ROOT,
            Some(&bob),
            "query($o: ID!) { organization(id: $o) { name viewerRole } }",
            json!({ "o": org }),
        )
        .await;
    assert_eq!(first_code(&r.body), "INTERNAL", "{}", r.body);
    assert!(r.body["data"].is_null() || r.body["data"]["organization"].is_null());
    // The owner is unaffected.
    app.ok(
        ROOT,
        Some(&owner),
        "query($o: ID!) { organization(id: $o) { name } }",
        json!({ "o": org }),
    )
    .await;
}
