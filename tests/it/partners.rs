//! The partner program: applications and tiers, the directory, codes, the three ways a
//! client is attached (SPEC §5 row by row), consent, "log in as client" and its limits,
//! tenant isolation, and the race for one client.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::support::*;

pub const APPLY: &str = "mutation($i: ApplyAsPartnerInput!) { applyAsPartner(input: $i) { partner { id status referralCode serviceManagerCode referralLink serviceManagerLink } } }";
pub const REVIEW: &str = "mutation($i: ReviewPartnerApplicationInput!) { reviewPartnerApplication(input: $i) { partner { status tier rejectionReason } } }";
pub const CREATE_CLIENT: &str = "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id origin access user { email country } } } }";
pub const JOIN: &str =
    "mutation($c: String!) { joinPartner(input: { code: $c }) { prompt { id partnerName } } }";
pub const RESPOND: &str = "mutation($p: ID!, $a: Boolean!) { respondToPartnerInvitation(input: { promptId: $p, accept: $a }) { partner { name origin access } } }";
pub const ACCEPT_SM: &str = "mutation($c: String!) { acceptServiceManager(input: { code: $c }) { partner { name origin access contacts { email } } } }";
pub const MY_PARTNER: &str =
    "{ viewer { myPartner { name origin access contacts { email phone } } } }";
pub const CLIENTS: &str = "query($p: ID!, $o: ClientOrigin, $a: ClientAccess, $s: String, $c: String) { partner(id: $p) { clients(origin: $o, access: $a, search: $s, country: $c) { totalCount edges { node { id origin access organizationCount openLineCount paymentCount paymentTotal lastActiveAt user { email } } } } } }";
pub const IMPERSONATE: &str = "mutation($i: ImpersonateClientInput!) { impersonateClient(input: $i) { accessToken expiresIn client { email } } }";

/// An approved partner on `host`: (partner id, owner token, referral code, SM code).
pub struct PartnerFixture {
    pub id: String,
    pub owner: String,
    pub owner_id: String,
    pub org: String,
    pub referral: String,
    pub service_manager: String,
}

async fn reviewer(app: &TestApp, host: &str) -> String {
    if host == ROOT {
        app.staff_token().await
    } else {
        let slug = host.split('.').next().unwrap();
        let email = format!("admin@{slug}.example");
        // The admin's password is set through their link once; later reviews log in.
        let r = app
            .post(
                host,
                None,
                "mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }",
                json!({ "i": { "email": email, "password": PASSWORD } }),
            )
            .await;
        match r.body["data"]["logIn"]["accessToken"].as_str() {
            Some(token) => token.to_string(),
            None => app.tenant_admin_token(slug, host).await,
        }
    }
}

pub async fn partner(app: &TestApp, host: &str, tag: &str, tier: &str) -> PartnerFixture {
    let (owner, _, owner_id) = app
        .sign_up(host, &format!("partner-{tag}@example.com"))
        .await;
    let d = app
        .ok(
            host,
            Some(&owner),
            APPLY,
            json!({ "i": { "organizationName": format!("Agency {tag}"), "contactName": "Pat", "contactEmail": format!("pat-{tag}@agency.example"), "contactPhone": "+79990001122" } }),
        )
        .await;
    let p = d["applyAsPartner"]["partner"].clone();
    assert_eq!(p["status"], "PENDING");
    let id = p["id"].as_str().unwrap().to_string();
    let r = reviewer(app, host).await;
    let d = app
        .ok(
            host,
            Some(&r),
            REVIEW,
            json!({ "i": { "partnerId": id, "decision": "APPROVE", "tier": tier } }),
        )
        .await;
    assert_eq!(
        d["reviewPartnerApplication"]["partner"]["status"],
        "APPROVED"
    );
    let org = app
        .ok(
            host,
            Some(&owner),
            "{ viewer { organizations { id partner { id } } } }",
            json!({}),
        )
        .await["viewer"]["organizations"][0]
        .clone();
    assert_eq!(org["partner"]["id"], id);
    PartnerFixture {
        id,
        owner,
        owner_id,
        org: org["id"].as_str().unwrap().into(),
        referral: p["referralCode"].as_str().unwrap().into(),
        service_manager: p["serviceManagerCode"].as_str().unwrap().into(),
    }
}

#[tokio::test]
async fn applications_are_reviewed_and_tiers_set_by_reviewers_only() {
    let app = TestApp::new().await;
    let (owner, _, _) = app.sign_up(ROOT, "p@example.com").await;
    let d = app
        .ok(ROOT, Some(&owner), APPLY, json!({ "i": { "organizationName": "Agency", "contactName": "Pat", "contactEmail": "pat@agency.example", "crmCertificateUrl": "https://crm.example/cert.pdf" } }))
        .await;
    let p = &d["applyAsPartner"]["partner"];
    let id = p["id"].as_str().unwrap();
    assert_eq!(
        p["referralLink"],
        format!(
            "http://localhost:8080/?ref={}",
            p["referralCode"].as_str().unwrap()
        )
    );
    assert_eq!(
        p["serviceManagerLink"],
        format!(
            "http://localhost:8080/?sm={}",
            p["serviceManagerCode"].as_str().unwrap()
        )
    );
    assert_ne!(p["referralCode"], p["serviceManagerCode"]);
    // The applicant cannot approve themselves; neither can another user.
    let (other, _, _) = app.sign_up(ROOT, "o@example.com").await;
    for t in [&owner, &other] {
        let r = app
            .post(
                ROOT,
                Some(t),
                REVIEW,
                json!({ "i": { "partnerId": id, "decision": "APPROVE", "tier": "GOLD" } }),
            )
            .await;
        assert_eq!(first_code(&r.body), "FORBIDDEN");
    }
    // Codes of a partner under review do nothing.
    let r = app
        .post(ROOT, Some(&other), JOIN, json!({ "c": p["referralCode"] }))
        .await;
    assert_eq!(first_code(&r.body), "INVALID_PARTNER_CODE");
    let staff = app.staff_token().await;
    let r = app
        .post(
            ROOT,
            Some(&staff),
            REVIEW,
            json!({ "i": { "partnerId": id, "decision": "APPROVE" } }),
        )
        .await;
    assert_eq!(first_field(&r.body), "tier");
    let d = app
        .ok(
            ROOT,
            Some(&staff),
            REVIEW,
            json!({ "i": { "partnerId": id, "decision": "APPROVE", "tier": "OFFICIAL" } }),
        )
        .await;
    assert_eq!(d["reviewPartnerApplication"]["partner"]["tier"], "OFFICIAL");
    let r = app
        .post(
            ROOT,
            Some(&staff),
            REVIEW,
            json!({ "i": { "partnerId": id, "decision": "REJECT", "reason": "late" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "ALREADY_REVIEWED");
    let set = "mutation($p: ID!) { setPartnerTier(input: { partnerId: $p, tier: TECHNOLOGY }) { partner { tier } } }";
    let r = app.post(ROOT, Some(&owner), set, json!({ "p": id })).await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    let d = app.ok(ROOT, Some(&staff), set, json!({ "p": id })).await;
    assert_eq!(d["setPartnerTier"]["partner"]["tier"], "TECHNOLOGY");
    // A rejection keeps its reason.
    let (x, _, _) = app.sign_up(ROOT, "x@example.com").await;
    let d = app.ok(ROOT, Some(&x), APPLY, json!({ "i": { "organizationName": "X", "contactName": "X", "contactEmail": "x@x.example" } })).await;
    let xid = d["applyAsPartner"]["partner"]["id"].clone();
    let d = app.ok(ROOT, Some(&staff), REVIEW, json!({ "i": { "partnerId": xid, "decision": "REJECT", "reason": "No experience yet" } })).await;
    assert_eq!(
        d["reviewPartnerApplication"]["partner"],
        json!({ "status": "REJECTED", "tier": null, "rejectionReason": "No experience yet" })
    );
    let list = app
        .ok(
            ROOT,
            Some(&staff),
            "{ partners(status: PENDING) { totalCount } all: partners { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(list["partners"]["totalCount"], 0);
    assert_eq!(list["all"]["totalCount"], 2);
}

#[tokio::test]
async fn program_settings_are_tenant_settings_with_defaults() {
    let app = TestApp::new().await;
    let (_, acme) = app.tenant("acme").await;
    let admin = app.tenant_admin_token("acme", &acme).await;
    let q = "{ tenant { partnerProgram { officialDiscount goldDiscount technologyDiscount rewardRateCreated rewardRateReferral } } }";
    let d = app.ok(&acme, Some(&admin), q, json!({})).await;
    assert_eq!(
        d["tenant"]["partnerProgram"],
        json!({ "officialDiscount": "35.00", "goldDiscount": "50.00", "technologyDiscount": "50.00", "rewardRateCreated": "20.00", "rewardRateReferral": "0.00" })
    );
    app.ok(&acme, Some(&admin), "mutation { updateTenant(input: { partnerProgram: { goldDiscount: \"45.5\", rewardRateReferral: \"5\" } }) { tenant { slug } } }", json!({}))
        .await;
    let d = app.ok(&acme, Some(&admin), q, json!({})).await;
    assert_eq!(d["tenant"]["partnerProgram"]["goldDiscount"], "45.50");
    assert_eq!(d["tenant"]["partnerProgram"]["rewardRateReferral"], "5.00");
    let r = app
        .post(&acme, Some(&admin), "mutation { updateTenant(input: { partnerProgram: { goldDiscount: \"101\" } }) { tenant { slug } } }", json!({}))
        .await;
    assert_eq!(first_field(&r.body), "partnerProgram.goldDiscount");
    let r = app.post(&acme, None, q, json!({})).await;
    assert_eq!(first_code(&r.body), "UNAUTHENTICATED");
    let root = app
        .ok(ROOT, Some(&app.staff_token().await), q, json!({}))
        .await;
    assert_eq!(root["tenant"]["partnerProgram"]["goldDiscount"], "50.00");
}

#[tokio::test]
async fn the_attribution_table_row_by_row() {
    let app = TestApp::new().await;
    let p = partner(&app, ROOT, "a", "GOLD").await;

    // Row 1: created by the partner: access granted; a branded set-password email.
    let d = app
        .ok(ROOT, Some(&p.owner), CREATE_CLIENT, json!({ "i": { "partnerId": p.id, "fullName": "Cleo Client", "email": "Cleo@Client.example", "phone": "+7 999 555 44 33", "country": "kz" } }))
        .await;
    let c = &d["createClient"]["client"];
    assert_eq!(c["origin"], "CREATED_BY_PARTNER");
    assert_eq!(c["access"], "GRANTED");
    assert_eq!(
        c["user"],
        json!({ "email": "cleo@client.example", "country": "KZ" })
    );
    let mail = app
        .outbox_email("cleo@client.example", "SET_PASSWORD")
        .await
        .unwrap();
    assert!(
        mail.body_text
            .contains("Agency a created an account for you")
    );
    assert!(
        mail.body_text
            .contains("http://localhost:8080/set-password?token=")
    );
    let cleo = app.set_password_via_link(ROOT, "cleo@client.example").await;
    let d = app.ok(ROOT, Some(&cleo), MY_PARTNER, json!({})).await;
    assert_eq!(d["viewer"]["myPartner"]["origin"], "CREATED_BY_PARTNER");
    assert_eq!(
        d["viewer"]["myPartner"]["contacts"]["email"],
        "pat-a@agency.example"
    );
    // An email with an account already is refused, pointing to the links.
    let r = app
        .post(ROOT, Some(&p.owner), CREATE_CLIENT, json!({ "i": { "partnerId": p.id, "fullName": "Again", "email": "cleo@client.example" } }))
        .await;
    assert_eq!(first_code(&r.body), "CONFLICT");
    assert_eq!(first_field(&r.body), "email");
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("referral or service-manager link")
    );

    // Row 2a: a new user signs up with the referral code: no access, no contacts.
    let d = app
        .ok(ROOT, None, "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }", json!({ "i": { "email": "rita@client.example", "password": PASSWORD, "displayName": "Rita", "referralCode": p.referral.to_lowercase() } }))
        .await;
    let rita = d["signUp"]["accessToken"].as_str().unwrap().to_string();
    let d = app.ok(ROOT, Some(&rita), MY_PARTNER, json!({})).await;
    assert_eq!(
        d["viewer"]["myPartner"],
        json!({ "name": "Agency a", "origin": "REFERRAL_LINK", "access": "NOT_GRANTED", "contacts": null })
    );

    // Row 2b: an existing user opens the referral link and must say Yes; No leaves them free.
    let (eve, _, _) = app.sign_up(ROOT, "eve@client.example").await;
    let d = app
        .ok(ROOT, Some(&eve), JOIN, json!({ "c": p.referral }))
        .await;
    let prompt = d["joinPartner"]["prompt"]["id"].clone();
    assert_eq!(d["joinPartner"]["prompt"]["partnerName"], "Agency a");
    let listed = app
        .ok(
            ROOT,
            Some(&eve),
            "{ viewer { partnerPrompts { id } myPartner { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["viewer"]["partnerPrompts"][0]["id"], prompt);
    assert!(
        listed["viewer"]["myPartner"].is_null(),
        "not attached before saying Yes"
    );
    let d = app
        .ok(
            ROOT,
            Some(&eve),
            RESPOND,
            json!({ "p": prompt, "a": false }),
        )
        .await;
    assert!(d["respondToPartnerInvitation"]["partner"].is_null());
    let prompt = app
        .ok(ROOT, Some(&eve), JOIN, json!({ "c": p.referral }))
        .await["joinPartner"]["prompt"]["id"]
        .clone();
    let d = app
        .ok(ROOT, Some(&eve), RESPOND, json!({ "p": prompt, "a": true }))
        .await;
    assert_eq!(
        d["respondToPartnerInvitation"]["partner"]["origin"],
        "REFERRAL_LINK"
    );
    assert_eq!(
        d["respondToPartnerInvitation"]["partner"]["access"],
        "NOT_GRANTED"
    );
    let r = app
        .post(ROOT, Some(&eve), RESPOND, json!({ "p": prompt, "a": true }))
        .await;
    assert_eq!(first_code(&r.body), "ALREADY_ANSWERED");

    // Row 3: the service-manager link, confirmed by the signed-in client: access granted.
    let (sam, _, _) = app.sign_up(ROOT, "sam@client.example").await;
    let r = app
        .post(ROOT, Some(&sam), JOIN, json!({ "c": p.service_manager }))
        .await;
    assert_eq!(
        first_code(&r.body),
        "BAD_USER_INPUT",
        "the SM link is not a referral link"
    );
    let d = app
        .ok(
            ROOT,
            Some(&sam),
            ACCEPT_SM,
            json!({ "c": p.service_manager }),
        )
        .await;
    assert_eq!(
        d["acceptServiceManager"]["partner"]["origin"],
        "SERVICE_MANAGER_LINK"
    );
    assert_eq!(d["acceptServiceManager"]["partner"]["access"], "GRANTED");
    assert_eq!(
        d["acceptServiceManager"]["partner"]["contacts"]["email"],
        "pat-a@agency.example"
    );

    // The partner's list: every client with its origin and access; filters work.
    let all = app
        .ok(ROOT, Some(&p.owner), CLIENTS, json!({ "p": p.id }))
        .await;
    let clients = &all["partner"]["clients"];
    assert_eq!(clients["totalCount"], 4);
    let origins: Vec<(&str, &str)> = clients["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["origin"].as_str().unwrap(),
                e["node"]["access"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        origins,
        [
            ("CREATED_BY_PARTNER", "GRANTED"),
            ("REFERRAL_LINK", "NOT_GRANTED"),
            ("REFERRAL_LINK", "NOT_GRANTED"),
            ("SERVICE_MANAGER_LINK", "GRANTED")
        ]
    );
    let first = &clients["edges"][0]["node"];
    assert_eq!(first["openLineCount"], 0);
    assert_eq!(first["paymentTotal"], "0.00");
    assert!(first["lastActiveAt"].is_string(), "Cleo signed in");
    let count = |v: Value| v["partner"]["clients"]["totalCount"].as_u64().unwrap();
    assert_eq!(
        count(
            app.ok(
                ROOT,
                Some(&p.owner),
                CLIENTS,
                json!({ "p": p.id, "o": "REFERRAL_LINK" })
            )
            .await
        ),
        2
    );
    assert_eq!(
        count(
            app.ok(
                ROOT,
                Some(&p.owner),
                CLIENTS,
                json!({ "p": p.id, "a": "GRANTED" })
            )
            .await
        ),
        2
    );
    assert_eq!(
        count(
            app.ok(
                ROOT,
                Some(&p.owner),
                CLIENTS,
                json!({ "p": p.id, "a": "NOT_GRANTED" })
            )
            .await
        ),
        2
    );
    assert_eq!(
        count(
            app.ok(
                ROOT,
                Some(&p.owner),
                CLIENTS,
                json!({ "p": p.id, "s": "RITA" })
            )
            .await
        ),
        1
    );
    assert_eq!(
        count(
            app.ok(
                ROOT,
                Some(&p.owner),
                CLIENTS,
                json!({ "p": p.id, "s": "555 44" })
            )
            .await
        ),
        0
    );
    assert_eq!(
        count(
            app.ok(
                ROOT,
                Some(&p.owner),
                CLIENTS,
                json!({ "p": p.id, "s": "5554433" })
            )
            .await
        ),
        1
    );
    assert_eq!(
        count(
            app.ok(
                ROOT,
                Some(&p.owner),
                CLIENTS,
                json!({ "p": p.id, "c": "KZ" })
            )
            .await
        ),
        1
    );
}

#[tokio::test]
async fn consent_is_the_clients_to_give_and_take() {
    let app = TestApp::new().await;
    let p = partner(&app, ROOT, "a", "GOLD").await;
    let (rita, _, rita_id) = app.sign_up(ROOT, "rita@client.example").await;
    let prompt = app
        .ok(ROOT, Some(&rita), JOIN, json!({ "c": p.referral }))
        .await["joinPartner"]["prompt"]["id"]
        .clone();
    app.ok(
        ROOT,
        Some(&rita),
        RESPOND,
        json!({ "p": prompt, "a": true }),
    )
    .await;
    let imp = json!({ "i": { "partnerId": p.id, "clientId": rita_id, "reason": "help" } });
    let r = app
        .post(ROOT, Some(&p.owner), IMPERSONATE, imp.clone())
        .await;
    assert_eq!(first_code(&r.body), "CONSENT_REQUIRED");
    let d = app
        .ok(
            ROOT,
            Some(&rita),
            "mutation { grantPartnerAccess { partner { access } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["grantPartnerAccess"]["partner"]["access"], "GRANTED");
    app.ok(ROOT, Some(&p.owner), IMPERSONATE, imp.clone()).await;
    let d = app
        .ok(
            ROOT,
            Some(&rita),
            "mutation { revokePartnerAccess { partner { access } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["revokePartnerAccess"]["partner"]["access"], "NOT_GRANTED");
    let r = app
        .post(ROOT, Some(&p.owner), IMPERSONATE, imp.clone())
        .await;
    assert_eq!(first_code(&r.body), "CONSENT_REQUIRED");
    let h = app
        .ok(
            ROOT,
            Some(&rita),
            "{ viewer { consentHistory { grantedAt revokedAt grantedBy revokedBy } } }",
            json!({}),
        )
        .await;
    let h = h["viewer"]["consentHistory"].as_array().unwrap().clone();
    assert_eq!(h.len(), 1);
    assert!(h[0]["revokedAt"].is_string());
    assert_eq!(h[0]["grantedBy"], rita_id);
    // Detaching ends the relationship; the partner no longer lists the client.
    app.ok(
        ROOT,
        Some(&rita),
        "mutation { detachFromPartner { partner { name } } }",
        json!({}),
    )
    .await;
    let d = app.ok(ROOT, Some(&rita), MY_PARTNER, json!({})).await;
    assert!(d["viewer"]["myPartner"].is_null());
    let d = app
        .ok(ROOT, Some(&p.owner), CLIENTS, json!({ "p": p.id }))
        .await;
    assert_eq!(d["partner"]["clients"]["totalCount"], 0);
    let r = app.post(ROOT, Some(&p.owner), IMPERSONATE, imp).await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
}

#[tokio::test]
async fn a_client_belongs_to_one_partner_and_rotated_codes_die() {
    let app = TestApp::new().await;
    let a = partner(&app, ROOT, "a", "GOLD").await;
    let b = partner(&app, ROOT, "b", "OFFICIAL").await;
    let (c, _, _) = app.sign_up(ROOT, "c@client.example").await;
    app.ok(ROOT, Some(&c), ACCEPT_SM, json!({ "c": a.service_manager }))
        .await;
    let r = app
        .post(ROOT, Some(&c), JOIN, json!({ "c": b.referral }))
        .await;
    assert_eq!(first_code(&r.body), "CONFLICT");
    let r = app
        .post(ROOT, Some(&c), ACCEPT_SM, json!({ "c": b.service_manager }))
        .await;
    assert_eq!(first_code(&r.body), "CONFLICT");
    // B cannot create an account for A's client either.
    let r = app
        .post(
            ROOT,
            Some(&b.owner),
            CREATE_CLIENT,
            json!({ "i": { "partnerId": b.id, "fullName": "C", "email": "c@client.example" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "CONFLICT");
    // A partner's own people cannot be its clients.
    let r = app
        .post(ROOT, Some(&a.owner), JOIN, json!({ "c": a.referral }))
        .await;
    assert_eq!(first_code(&r.body), "BAD_USER_INPUT");
    // Rotating the codes kills the old links at once.
    let d = app
        .ok(ROOT, Some(&a.owner), "mutation($p: ID!) { rotatePartnerCodes(input: { partnerId: $p }) { partner { referralCode serviceManagerCode } } }", json!({ "p": a.id }))
        .await;
    assert_ne!(
        d["rotatePartnerCodes"]["partner"]["referralCode"],
        a.referral.as_str()
    );
    let (n, _, _) = app.sign_up(ROOT, "n@client.example").await;
    for (q, code) in [(JOIN, &a.referral), (ACCEPT_SM, &a.service_manager)] {
        let r = app.post(ROOT, Some(&n), q, json!({ "c": code })).await;
        assert_eq!(first_code(&r.body), "INVALID_PARTNER_CODE");
    }
    let r = app
        .post(ROOT, None, "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }", json!({ "i": { "email": "z@client.example", "password": PASSWORD, "displayName": "Z", "referralCode": a.referral } }))
        .await;
    assert_eq!(first_code(&r.body), "INVALID_PARTNER_CODE");
    assert_eq!(first_field(&r.body), "referralCode");
    // The new codes work: a sign-up with the new referral code is A's client, and the
    // new service-manager link attaches with consent.
    let fresh = &d["rotatePartnerCodes"]["partner"];
    let d = app
        .ok(ROOT, None, "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }", json!({ "i": { "email": "y@client.example", "password": PASSWORD, "displayName": "Y", "referralCode": fresh["referralCode"] } }))
        .await;
    let y = d["signUp"]["accessToken"].as_str().unwrap();
    let d = app.ok(ROOT, Some(y), MY_PARTNER, json!({})).await;
    assert_eq!(d["viewer"]["myPartner"]["name"], "Agency a");
    assert_eq!(d["viewer"]["myPartner"]["origin"], "REFERRAL_LINK");
    let d = app
        .ok(
            ROOT,
            Some(&n),
            ACCEPT_SM,
            json!({ "c": fresh["serviceManagerCode"] }),
        )
        .await;
    assert_eq!(
        d["acceptServiceManager"]["partner"],
        json!({ "name": "Agency a", "origin": "SERVICE_MANAGER_LINK", "access": "GRANTED", "contacts": { "email": "pat-a@agency.example" } })
    );
}

fn claims(token: &str) -> Value {
    serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn logging_in_as_a_client_is_limited_notified_audited_and_ends() {
    let app = TestApp::new().await;
    let p = partner(&app, ROOT, "a", "GOLD").await;
    let (sam, _, sam_id) = app.sign_up(ROOT, "sam@client.example").await;
    app.ok(
        ROOT,
        Some(&sam),
        ACCEPT_SM,
        json!({ "c": p.service_manager }),
    )
    .await;
    let r = app
        .post(ROOT, Some(&p.owner), IMPERSONATE, json!({ "i": { "partnerId": p.id, "clientId": sam_id, "reason": "help", "minutes": 61 } }))
        .await;
    assert_eq!(first_field(&r.body), "minutes");
    let d = app
        .ok(ROOT, Some(&p.owner), IMPERSONATE, json!({ "i": { "partnerId": p.id, "clientId": sam_id, "reason": "Set up the WhatsApp line", "minutes": 60 } }))
        .await;
    let token = d["impersonateClient"]["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(d["impersonateClient"]["expiresIn"], 3600);
    let c = claims(&token);
    assert_eq!(c["sub"].as_str().unwrap(), raw(&sam_id).to_string());
    assert_eq!(
        c["act"]["sub"].as_str().unwrap(),
        raw(&p.owner_id).to_string()
    );
    // Exactly the 60 minutes asked for (the cap), not the 15-minute default or more.
    assert_eq!(
        c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
        3600
    );
    let row = {
        use sea_orm::EntityTrait;
        entities::impersonation::Entity::find()
            .one(app.db())
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!((row.expires_at - row.started_at).num_seconds(), 3600);
    let v = app
        .ok(ROOT, Some(&token), "{ viewer { email } }", json!({}))
        .await;
    assert_eq!(v["viewer"]["email"], "sam@client.example");
    // The client is told, with the reason, once the event is fanned out.
    app.fan_out().await;
    let n = app
        .ok(
            ROOT,
            Some(&sam),
            "{ viewer { notifications { kind title payload } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        n["viewer"]["notifications"][0]["kind"],
        "IMPERSONATION_STARTED"
    );
    assert_eq!(
        n["viewer"]["notifications"][0]["payload"]["reason"],
        "Set up the WhatsApp line"
    );

    // Everything on the restricted list is refused while impersonating.
    let restricted = [
        (
            "mutation { changePassword(input: { currentPassword: \"correct horse battery\", newPassword: \"another long password\" }) { user { id } } }",
            json!({}),
        ),
        (
            "mutation { updateAccount(input: { email: \"new@client.example\", currentPassword: \"correct horse battery\" }) { user { id } } }",
            json!({}),
        ),
        (
            "mutation { updateAccount(input: { phone: \"+79990000000\", currentPassword: \"correct horse battery\" }) { user { id } } }",
            json!({}),
        ),
        (
            "mutation { revokePartnerAccess { partner { access } } }",
            json!({}),
        ),
        (
            "mutation { detachFromPartner { partner { name } } }",
            json!({}),
        ),
        (
            "mutation { deleteAccount(input: { password: \"correct horse battery\" }) { deletedUserId } }",
            json!({}),
        ),
        (
            "mutation { grantPartnerAccess { partner { access } } }",
            json!({}),
        ),
        (
            "mutation { applyAsPartner(input: { organizationName: \"X\", contactName: \"X\", contactEmail: \"x@x.example\" }) { partner { id } } }",
            json!({}),
        ),
    ];
    let restricted_count = restricted.len();
    for (q, v) in restricted {
        let r = app.post(ROOT, Some(&token), q, v).await;
        assert_eq!(first_code(&r.body), "IMPERSONATION_FORBIDDEN", "{q}");
    }
    // Nothing changed: the password still works, email and phone are as they were, and
    // the consent, the attachment and the account are all still there.
    let own = app.log_in(ROOT, "sam@client.example", PASSWORD).await;
    let d = app
        .ok(
            ROOT,
            Some(&own),
            "{ viewer { email phone organizations { id } myPartner { name access origin } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["viewer"]["email"], "sam@client.example");
    assert_eq!(d["viewer"]["phone"], Value::Null);
    assert_eq!(
        d["viewer"]["organizations"],
        json!([]),
        "applyAsPartner made nothing"
    );
    assert_eq!(
        d["viewer"]["myPartner"],
        json!({ "name": "Agency a", "access": "GRANTED", "origin": "SERVICE_MANAGER_LINK" })
    );
    // Ordinary work goes through, and is audited with both identities.
    let d = app
        .ok(ROOT, Some(&token), "mutation { updateAccount(input: { displayName: \"Sam (helped)\" }) { user { displayName } } }", json!({}))
        .await;
    assert_eq!(d["updateAccount"]["user"]["displayName"], "Sam (helped)");
    let staff = app.staff_token().await;
    let q = "query($a: String) { auditLog(action: $a) { edges { node { actor { email } impersonator { email } details } } } }";
    let log = app
        .ok(
            ROOT,
            Some(&staff),
            q,
            json!({ "a": "impersonation.mutation" }),
        )
        .await;
    let entries = log["auditLog"]["edges"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        1,
        "the one impersonated change that committed: {entries:?}"
    );
    let e = &entries.last().unwrap()["node"];
    assert_eq!(e["actor"]["email"], "sam@client.example");
    assert_eq!(e["impersonator"]["email"], "partner-a@example.com");
    assert_eq!(e["details"]["fields"], json!(["updateAccount"]));
    // The refused attempts are recorded too, each with its code.
    let refused = app
        .ok(
            ROOT,
            Some(&staff),
            q,
            json!({ "a": "impersonation.mutation_refused" }),
        )
        .await;
    let refused = refused["auditLog"]["edges"].as_array().unwrap();
    assert_eq!(refused.len(), restricted_count, "{refused:?}");
    for r in refused {
        assert_eq!(
            r["node"]["details"]["errors"],
            json!(["IMPERSONATION_FORBIDDEN"])
        );
        assert_eq!(r["node"]["impersonator"]["email"], "partner-a@example.com");
    }
    let log = app
        .ok(
            ROOT,
            Some(&staff),
            q,
            json!({ "a": "user.account_updated" }),
        )
        .await;
    assert_eq!(
        log["auditLog"]["edges"][0]["node"]["impersonator"]["email"],
        "partner-a@example.com"
    );

    // "Return to own account" ends the token; the partner's own session is untouched.
    let d = app
        .ok(
            ROOT,
            Some(&token),
            "mutation { endImpersonation { ended } }",
            json!({}),
        )
        .await;
    assert_eq!(d["endImpersonation"]["ended"], true);
    let r = app
        .post(ROOT, Some(&token), "{ viewer { email } }", json!({}))
        .await;
    assert_eq!(r.status, axum::http::StatusCode::UNAUTHORIZED);
    app.ok(ROOT, Some(&p.owner), "{ viewer { email } }", json!({}))
        .await;
    let r = app
        .post(
            ROOT,
            Some(&p.owner),
            "mutation { endImpersonation { ended } }",
            json!({}),
        )
        .await;
    assert_eq!(first_code(&r.body), "NOT_IMPERSONATING");
}

#[tokio::test]
async fn revoking_consent_ends_a_live_impersonation_on_the_next_request() {
    let app = TestApp::new().await;
    let p = partner(&app, ROOT, "a", "GOLD").await;
    let (sam, _, sam_id) = app.sign_up(ROOT, "sam@client.example").await;
    app.ok(
        ROOT,
        Some(&sam),
        ACCEPT_SM,
        json!({ "c": p.service_manager }),
    )
    .await;
    let d = app
        .ok(
            ROOT,
            Some(&p.owner),
            IMPERSONATE,
            json!({ "i": { "partnerId": p.id, "clientId": sam_id, "reason": "check" } }),
        )
        .await;
    let token = d["impersonateClient"]["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    app.ok(ROOT, Some(&token), "{ viewer { email } }", json!({}))
        .await;
    app.ok(
        ROOT,
        Some(&sam),
        "mutation { revokePartnerAccess { partner { access } } }",
        json!({}),
    )
    .await;
    let r = app
        .post(ROOT, Some(&token), "{ viewer { email } }", json!({}))
        .await;
    assert_eq!(r.status, axum::http::StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn only_the_partners_owners_and_user_admins_act_for_it() {
    let app = TestApp::new().await;
    let p = partner(&app, ROOT, "a", "GOLD").await;
    // A user admin and a plain member of the partner's organization, through invitations.
    app.invite(
        ROOT,
        &p.owner,
        &p.org,
        "ua@agency.example",
        "USER_ADMIN",
        json!([]),
    )
    .await;
    let (ua, _) = app.sign_up_invited(ROOT, "ua@agency.example").await;
    app.invite(
        ROOT,
        &p.owner,
        &p.org,
        "m@agency.example",
        "MEMBER",
        json!([]),
    )
    .await;
    let (m, _) = app.sign_up_invited(ROOT, "m@agency.example").await;
    let (outsider, _, _) = app.sign_up(ROOT, "out@example.com").await;
    let create = |n: &str| json!({ "i": { "partnerId": p.id, "fullName": "N", "email": format!("{n}@client.example") } });
    app.ok(ROOT, Some(&ua), CREATE_CLIENT, create("by-ua"))
        .await;
    for (who, t) in [("member", &m), ("outsider", &outsider)] {
        let r = app.post(ROOT, Some(t), CREATE_CLIENT, create(who)).await;
        assert_eq!(first_code(&r.body), "FORBIDDEN", "{who}");
        let r = app.post(ROOT, Some(t), CLIENTS, json!({ "p": p.id })).await;
        assert_eq!(first_code(&r.body), "FORBIDDEN", "{who}");
        let r = app
            .post(ROOT, Some(t), "mutation($p: ID!) { rotatePartnerCodes(input: { partnerId: $p }) { partner { id } } }", json!({ "p": p.id }))
            .await;
        assert_eq!(first_code(&r.body), "FORBIDDEN", "{who}");
    }
    let d = app.ok(ROOT, Some(&ua), CLIENTS, json!({ "p": p.id })).await;
    assert_eq!(d["partner"]["clients"]["totalCount"], 1);
}

#[tokio::test]
async fn the_directory_is_public_filtered_and_shows_no_private_fields() {
    let app = TestApp::new().await;
    let a = partner(&app, ROOT, "a", "GOLD").await;
    let b = partner(&app, ROOT, "b", "OFFICIAL").await;
    let _hidden = partner(&app, ROOT, "c", "GOLD").await;
    let profile = "mutation($i: UpdatePartnerProfileInput!) { updatePartnerProfile(input: $i) { partner { profile { name languages country listed crmCertificates } } } }";
    let bad = app
        .post(
            ROOT,
            Some(&a.owner),
            profile,
            json!({ "i": { "partnerId": a.id, "websiteUrl": "not a url" } }),
        )
        .await;
    assert_eq!(first_field(&bad.body), "websiteUrl");
    let bad = app
        .post(
            ROOT,
            Some(&a.owner),
            profile,
            json!({ "i": { "partnerId": a.id, "languages": ["russian"] } }),
        )
        .await;
    assert_eq!(first_field(&bad.body), "languages");
    let d = app
        .ok(ROOT, Some(&a.owner), profile, json!({ "i": {
            "partnerId": a.id, "description": "We connect WhatsApp to your CRM. Fast.", "languages": ["RU", "en"],
            "country": "ru", "city": "Kazan", "phone": "+7 843 000 00 00", "workEmail": "hi@agency-a.example",
            "workingHours": "Mon-Fri 9-18", "crmCertificates": ["amoCRM"], "websiteUrl": "https://agency-a.example/chatapp", "listed": true
        } }))
        .await;
    assert_eq!(
        d["updatePartnerProfile"]["partner"]["profile"]["languages"],
        json!(["ru", "en"])
    );
    app.ok(
        ROOT,
        Some(&b.owner),
        profile,
        json!({ "i": { "partnerId": b.id, "languages": ["es"], "country": "ES", "listed": true } }),
    )
    .await;
    let q = "query($c: String, $l: String, $t: PartnerTier) { partnerDirectory(country: $c, language: $l, tier: $t) { totalCount edges { node { tier profile { name workEmail } } } } }";
    // Which partners come back, by name (and the count agrees).
    let names = |v: &Value| -> Vec<String> {
        let edges = v["partnerDirectory"]["edges"].as_array().unwrap();
        assert_eq!(
            v["partnerDirectory"]["totalCount"].as_u64().unwrap() as usize,
            edges.len()
        );
        edges
            .iter()
            .map(|e| e["node"]["profile"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    let all = app.ok(ROOT, None, q, json!({})).await;
    assert_eq!(
        names(&all),
        ["Agency a", "Agency b"],
        "only listed partners, and no sign-in needed"
    );
    assert_eq!(
        names(&app.ok(ROOT, None, q, json!({ "c": "RU" })).await),
        ["Agency a"]
    );
    assert_eq!(
        names(&app.ok(ROOT, None, q, json!({ "l": "es" })).await),
        ["Agency b"]
    );
    assert_eq!(
        names(&app.ok(ROOT, None, q, json!({ "t": "GOLD" })).await),
        ["Agency a"]
    );
    assert_eq!(
        names(&app.ok(ROOT, None, q, json!({ "t": "OFFICIAL" })).await),
        ["Agency b"]
    );
    assert!(names(&app.ok(ROOT, None, q, json!({ "t": "TECHNOLOGY" })).await).is_empty());
    // Private fields are not part of the directory type at all.
    for field in [
        "referralCode",
        "serviceManagerCode",
        "contactEmail",
        "clients { totalCount }",
    ] {
        let r = app
            .post(
                ROOT,
                None,
                &format!("{{ partnerDirectory {{ edges {{ node {{ {field} }} }} }} }}"),
                json!({}),
            )
            .await;
        assert_eq!(first_code(&r.body), "GRAPHQL_VALIDATION_FAILED", "{field}");
    }
    // Non-members cannot edit a profile.
    let r = app
        .post(
            ROOT,
            Some(&b.owner),
            profile,
            json!({ "i": { "partnerId": a.id, "listed": false } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
}

#[tokio::test]
async fn partners_and_codes_of_one_tenant_do_nothing_on_another() {
    let app = TestApp::new().await;
    let (_, acme) = app.tenant("acme").await;
    let a = partner(&app, ROOT, "a", "GOLD").await;
    let profile = "mutation($i: UpdatePartnerProfileInput!) { updatePartnerProfile(input: $i) { partner { id } } }";
    app.ok(
        ROOT,
        Some(&a.owner),
        profile,
        json!({ "i": { "partnerId": a.id, "listed": true } }),
    )
    .await;
    let (x, _, _) = app.sign_up(&acme, "x@client.example").await;
    for (q, code) in [(JOIN, &a.referral), (ACCEPT_SM, &a.service_manager)] {
        let r = app.post(&acme, Some(&x), q, json!({ "c": code })).await;
        assert_eq!(first_code(&r.body), "INVALID_PARTNER_CODE");
    }
    let r = app
        .post(&acme, None, "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }", json!({ "i": { "email": "y@client.example", "password": PASSWORD, "displayName": "Y", "referralCode": a.referral } }))
        .await;
    assert_eq!(first_code(&r.body), "INVALID_PARTNER_CODE");
    // The sign-up page's look-up names the partner on its own brand only.
    let look_up = "query($c: String!) { referralPartner(code: $c) { name serviceManager } }";
    let own = app
        .ok(
            ROOT,
            None,
            look_up,
            json!({ "c": a.referral.to_lowercase() }),
        )
        .await;
    assert_eq!(own["referralPartner"]["serviceManager"], false);
    assert!(
        own["referralPartner"]["name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    let sm = app
        .ok(ROOT, None, look_up, json!({ "c": a.service_manager }))
        .await;
    assert_eq!(sm["referralPartner"]["serviceManager"], true);
    for (host, code) in [(acme.as_str(), a.referral.as_str()), (ROOT, "NOPE1234")] {
        let other = app.ok(host, None, look_up, json!({ "c": code })).await;
        assert!(other["referralPartner"].is_null(), "{host} {code}");
    }
    let d = app
        .ok(
            &acme,
            None,
            "{ partnerDirectory { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(d["partnerDirectory"]["totalCount"], 0);
    let acme_admin = app.tenant_admin_token("acme", &acme).await;
    for t in [&x, &acme_admin] {
        let r = app
            .post(&acme, Some(t), CLIENTS, json!({ "p": a.id }))
            .await;
        assert_eq!(first_code(&r.body), "NOT_FOUND");
        let r = app
            .post(
                &acme,
                Some(t),
                REVIEW,
                json!({ "i": { "partnerId": a.id, "decision": "REJECT", "reason": "x" } }),
            )
            .await;
        let code = first_code(&r.body);
        assert!(code == "NOT_FOUND" || code == "FORBIDDEN", "{code}");
    }
    let r = app
        .post(
            &acme,
            Some(&acme_admin),
            "{ partners { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.body["data"]["partners"]["totalCount"], 0,
        "an admin of acme sees only acme's partners"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_two_partners_racing_for_one_client_exactly_one_wins() {
    let app = TestApp::new().await;
    let a = partner(&app, ROOT, "a", "GOLD").await;
    let b = partner(&app, ROOT, "b", "GOLD").await;
    for round in 0..3 {
        let (c, _, _) = app.sign_up(ROOT, &format!("c{round}@client.example")).await;
        let pa = app
            .ok(ROOT, Some(&c), JOIN, json!({ "c": a.referral }))
            .await["joinPartner"]["prompt"]["id"]
            .clone();
        let pb = app
            .ok(ROOT, Some(&c), JOIN, json!({ "c": b.referral }))
            .await["joinPartner"]["prompt"]["id"]
            .clone();
        let tasks: Vec<_> = [(pa, "Agency a"), (pb, "Agency b")]
            .into_iter()
            .map(|(prompt, name)| {
                let router = app.router.clone();
                let c = c.clone();
                tokio::spawn(async move {
                    let req = axum::http::Request::post("/graphql")
                        .header("host", ROOT)
                        .header("content-type", "application/json")
                        .header("authorization", format!("Bearer {c}"))
                        .body(axum::body::Body::from(
                            json!({ "query": RESPOND, "variables": { "p": prompt, "a": true } })
                                .to_string(),
                        ))
                        .unwrap();
                    (name, send_to(&router, req).await)
                })
            })
            .collect();
        let mut winners = Vec::new();
        for t in tasks {
            let (name, r) = t.await.unwrap();
            match r.body.get("errors") {
                None => winners.push(name),
                Some(_) => assert_eq!(first_code(&r.body), "CONFLICT", "{}", r.body),
            }
        }
        assert_eq!(winners.len(), 1, "round {round}");
        let d = app.ok(ROOT, Some(&c), MY_PARTNER, json!({})).await;
        // The client is the winner's, and stays so.
        assert_eq!(
            d["viewer"]["myPartner"]["name"], winners[0],
            "round {round}"
        );
    }
}

#[tokio::test]
async fn my_clients_page_runs_the_same_statements_whatever_its_size() {
    let app = TestApp::new().await;
    let p = partner(&app, ROOT, "a", "GOLD").await;
    // 50 clients: above async-graphql's 32-item chunk, so an unprimed loader would split.
    for i in 0..50 {
        app.ok(ROOT, Some(&p.owner), CREATE_CLIENT, json!({ "i": { "partnerId": p.id, "fullName": format!("C{i}"), "email": format!("c{i}@client.example"), "country": "RU" } }))
            .await;
    }
    // Every summary field of "my clients".
    let q = "query($p: ID!, $n: Int!) { partner(id: $p) { clients(first: $n) { totalCount edges { node { id origin access attachedAt organizationCount openLineCount paymentCount paymentTotal lastActiveAt user { email displayName phone country } } } } } }";
    let mut counts = Vec::new();
    for n in [3, 50] {
        let before = app.state.statements.get();
        let d = app
            .ok(ROOT, Some(&p.owner), q, json!({ "p": p.id, "n": n }))
            .await;
        assert_eq!(
            d["partner"]["clients"]["edges"].as_array().unwrap().len(),
            n as usize
        );
        counts.push(app.state.statements.get() - before);
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
    // Authentication, the partner, the viewer's memberships, the page with its accounts
    // and total, the partner program's figures, the billing figures.
    assert!(counts[1] <= 6, "{counts:?}");
}

#[tokio::test]
async fn only_an_owner_applies_with_an_existing_organization() {
    let app = TestApp::new().await;
    let f = app.org_fixture().await;
    let apply = json!({ "i": { "organizationId": f.org, "contactName": "X", "contactEmail": "x@x.example" } });
    for role in ["user_admin", "manager", "member", "outsider"] {
        let r = app
            .post(ROOT, Some(f.token(role)), APPLY, apply.clone())
            .await;
        assert_eq!(first_code(&r.body), "FORBIDDEN", "{role}");
    }
    let d = app
        .ok(ROOT, Some(f.token("owner")), APPLY, apply.clone())
        .await;
    assert_eq!(d["applyAsPartner"]["partner"]["status"], "PENDING");
    let r = app.post(ROOT, Some(f.token("owner")), APPLY, apply).await;
    assert_eq!(first_code(&r.body), "CONFLICT");
}
