//! The reseller owns its brand (issue 27, seed 004): a white-label application waits in
//! staff's queue with its `reviewDueAt`; `approveResellerBrand` makes a brand owned by the
//! partner's organization, serving on its subdomain at once; the organization's owners
//! administer it by its id, its user admins read its people, nobody else gets anything,
//! and removing an owner takes the brand away on the next request.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::support::*;

const APPLY: &str = "mutation($i: ApplyAsPartnerInput!) { applyAsPartner(input: $i) { partner { id status whiteLabelReseller createdAt reviewDueAt } } }";
const QUEUE: &str =
    "{ partners(status: PENDING) { edges { node { id reviewDueAt whiteLabelReseller } } } }";
pub const APPROVE: &str = "mutation($i: ApproveResellerBrandInput!) { approveResellerBrand(input: $i) { brand { id slug displayName primaryDomain } partner { status tier reviewDueAt brand { slug } } } }";
const UPDATE: &str = "mutation($i: UpdateTenantInput!) { updateTenant(input: $i) { tenant { branding { primaryColor } } } }";
const MY_BRAND: &str = "{ viewer { organizations { id viewerRole brand { id slug ownerOrganization { id } branding { primaryColor } } } } }";
const REMOVE: &str = "mutation($i: MemberInput!) { removeMember(input: $i) { removedUserId } }";

/// A reseller that applied on the root brand: (owner token, organization id, partner id).
pub async fn reseller_application(app: &TestApp, tag: &str) -> (String, String, String) {
    let (owner, _, _) = app
        .sign_up(ROOT, &format!("owner-{tag}@reseller.example"))
        .await;
    let d = app
        .ok(
            ROOT,
            Some(&owner),
            APPLY,
            json!({ "i": { "organizationName": format!("Reseller {tag}"), "contactName": "Rita", "contactEmail": format!("rita-{tag}@reseller.example"), "whiteLabel": true } }),
        )
        .await;
    let p = &d["applyAsPartner"]["partner"];
    assert_eq!(p["status"], "PENDING");
    assert_eq!(p["whiteLabelReseller"], true);
    let at = |k: &str| p[k].as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
    assert_eq!(
        at("reviewDueAt") - at("createdAt"),
        chrono::Duration::hours(72)
    );
    let org = app
        .ok(
            ROOT,
            Some(&owner),
            "{ viewer { organizations { id } } }",
            json!({}),
        )
        .await["viewer"]["organizations"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    (owner, org, p["id"].as_str().unwrap().to_string())
}

fn brand_of(d: &Value) -> Value {
    d["viewer"]["organizations"][0]["brand"].clone()
}

#[tokio::test]
async fn a_reseller_applies_staff_approve_and_its_owners_administer_the_brand() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let (owner, org, partner) = reseller_application(&app, "a").await;
    let (_, _, later) = reseller_application(&app, "b").await;

    // Staff's queue: both pending, the oldest due first.
    let q = app.ok(ROOT, Some(&staff), QUEUE, json!({})).await;
    let ids: Vec<&str> = q["partners"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [partner.as_str(), later.as_str()]);

    // Only platform staff make brands: the applicant and another brand's admin are refused.
    let input = json!({ "i": { "partnerId": partner, "slug": "bony", "displayName": "BonyChat" } });
    assert_eq!(
        app.err_code(ROOT, Some(&owner), APPROVE, input.clone())
            .await,
        "FORBIDDEN"
    );
    let (_, acme_host) = app.tenant("acme").await;
    let acme_admin = app.tenant_admin_token("acme", &acme_host).await;
    assert_eq!(
        app.err_code(&acme_host, Some(&acme_admin), APPROVE, input.clone())
            .await,
        "FORBIDDEN"
    );

    let d = app.ok(ROOT, Some(&staff), APPROVE, input.clone()).await;
    let brand = d["approveResellerBrand"]["brand"].clone();
    let p = &d["approveResellerBrand"]["partner"];
    assert_eq!(p["status"], "APPROVED");
    assert_eq!(p["tier"], "OFFICIAL");
    assert_eq!(p["reviewDueAt"], Value::Null);
    assert_eq!(p["brand"]["slug"], "bony");
    assert_eq!(brand["displayName"], "BonyChat");
    // Its platform subdomain serves at once.
    let host = brand["primaryDomain"].as_str().unwrap().to_string();
    let t = app
        .ok(&host, None, "{ tenant { displayName } }", json!({}))
        .await;
    assert_eq!(t["tenant"]["displayName"], "BonyChat");
    // One brand per organization.
    let again = json!({ "i": { "partnerId": partner, "slug": "bony2", "displayName": "Again" } });
    assert_eq!(
        app.err_code(ROOT, Some(&staff), APPROVE, again).await,
        "BRAND_EXISTS"
    );

    // The organization's owner sees and administers it by its id.
    let mine = app.ok(ROOT, Some(&owner), MY_BRAND, json!({})).await;
    assert_eq!(brand_of(&mine)["id"], brand["id"]);
    assert_eq!(brand_of(&mine)["ownerOrganization"]["id"], org.as_str());
    let d = app
        .ok(
            ROOT,
            Some(&owner),
            UPDATE,
            json!({ "i": { "id": brand["id"], "primaryColor": "#112233" } }),
        )
        .await;
    assert_eq!(
        d["updateTenant"]["tenant"]["branding"]["primaryColor"],
        "#112233"
    );
    let t = app
        .ok(
            &host,
            None,
            "{ tenant { branding { primaryColor } } }",
            json!({}),
        )
        .await;
    assert_eq!(t["tenant"]["branding"]["primaryColor"], "#112233");
    // Platform-level settings stay staff's.
    let slug = json!({ "i": { "id": brand["id"], "slug": "bonny" } });
    assert_eq!(
        app.err_code(ROOT, Some(&owner), UPDATE, slug).await,
        "NOT_FOUND"
    );

    // A teammate invited as owner administers it too; removed, they lose it at once.
    app.invite(
        ROOT,
        &owner,
        &org,
        "mate@reseller.example",
        "OWNER",
        json!([]),
    )
    .await;
    let (mate, mate_id) = app.sign_up_invited(ROOT, "mate@reseller.example").await;
    let paint = |c: &str| json!({ "i": { "id": brand["id"], "primaryColor": c } });
    app.ok(ROOT, Some(&mate), UPDATE, paint("#445566")).await;
    app.ok(
        ROOT,
        Some(&owner),
        REMOVE,
        json!({ "i": { "organizationId": org, "userId": mate_id } }),
    )
    .await;
    assert_eq!(
        app.err_code(ROOT, Some(&mate), UPDATE, paint("#000000"))
            .await,
        "NOT_FOUND"
    );

    // Another brand's admin and another reseller get nothing.
    assert_eq!(
        app.err_code(&acme_host, Some(&acme_admin), UPDATE, paint("#000000"))
            .await,
        "NOT_FOUND"
    );
    let (other, _, _) = app.sign_up(ROOT, "nobody@reseller.example").await;
    assert_eq!(
        app.err_code(ROOT, Some(&other), UPDATE, paint("#000000"))
            .await,
        "NOT_FOUND"
    );
    let t = app
        .ok(
            &host,
            None,
            "{ tenant { branding { primaryColor } } }",
            json!({}),
        )
        .await;
    assert_eq!(t["tenant"]["branding"]["primaryColor"], "#445566");

    // The organization cannot be deleted from under its brand.
    let del = "mutation($i: OrganizationIdInput!) { deleteOrganization(input: $i) { deletedOrganizationId } }";
    assert_eq!(
        app.err_code(
            ROOT,
            Some(&owner),
            del,
            json!({ "i": { "organizationId": org } })
        )
        .await,
        "ORGANIZATION_OWNS_BRAND"
    );
}

#[tokio::test]
async fn only_white_label_applications_become_brands() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let (owner, _, _) = app.sign_up(ROOT, "plain@partner.example").await;
    let d = app
        .ok(
            ROOT,
            Some(&owner),
            APPLY,
            json!({ "i": { "organizationName": "Plain", "contactName": "P", "contactEmail": "p@partner.example" } }),
        )
        .await;
    let p = &d["applyAsPartner"]["partner"];
    assert_eq!(p["whiteLabelReseller"], false);
    let r = app
        .post(
            ROOT,
            Some(&staff),
            APPROVE,
            json!({ "i": { "partnerId": p["id"], "slug": "plain", "displayName": "Plain" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "NOT_WHITE_LABEL");
    assert_eq!(first_field(&r.body), "partnerId");
    // Nothing was made.
    let made = entities::tenant::Entity::find()
        .filter(entities::tenant::Column::Slug.eq("plain"))
        .one(app.db())
        .await
        .unwrap();
    assert!(made.is_none());
}

/// Each role of the owning organization against the brand: owners administer it, user
/// admins read its people, members and outsiders get nothing.
#[tokio::test]
async fn every_role_of_the_owning_organization_against_the_brand() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let (owner, org, partner) = reseller_application(&app, "r").await;
    let d = app
        .ok(
            ROOT,
            Some(&staff),
            APPROVE,
            json!({ "i": { "partnerId": partner, "slug": "roles", "displayName": "Roles" } }),
        )
        .await;
    let brand = d["approveResellerBrand"]["brand"].clone();
    let host = brand["primaryDomain"].as_str().unwrap().to_string();
    let (person_token, _, person) = app.sign_up(&host, "person@roles.example").await;
    // The person has a line (with a channel of the brand's price list) and an order.
    let person_org = app.create_org(&host, &person_token, "Person Co").await;
    let line = crate::lines::insert_line(
        &app,
        raw(brand["id"].as_str().unwrap()),
        raw(&person),
        raw(&person_org),
        None,
        1,
        chrono::Duration::days(30),
    )
    .await;
    let kind = app
        .ok(
            &host,
            Some(&person_token),
            "query($id: ID!) { node(id: $id) { ... on Line { channels { kind { id } } } } }",
            json!({ "id": line }),
        )
        .await["node"]["channels"][0]["kind"]["id"]
        .clone();
    let order = json!({ "i": { "order": { "clientId": person, "payer": "CLIENT",
        "newLines": [{ "channelKinds": [kind], "quantity": 1, "months": 1, "organizationId": person_org }] } } });
    app.ok(&host, Some(&person_token), crate::orders::CREATE, order)
        .await;

    let mut tokens = vec![("OWNER", owner.clone())];
    for role in ["USER_ADMIN", "MEMBER"] {
        let email = format!("{}@roles-team.example", role.to_lowercase());
        app.invite(ROOT, &owner, &org, &email, role, json!([]))
            .await;
        tokens.push((role, app.sign_up_invited(ROOT, &email).await.0));
    }
    tokens.push((
        "outsider",
        app.sign_up(ROOT, "outsider@roles.example").await.0,
    ));

    let read_person = "query($id: ID!) { node(id: $id) { ... on User { email
        lines { edges { node { lineNumber client { email } organization { name } channels { kind { code } } } } }
        orders { edges { node { payer client { email } items { quantity channelKinds { code } } payments { id } } } } } } }";
    let paint = json!({ "i": { "id": brand["id"], "primaryColor": "#010203" } });
    for (role, token) in &tokens {
        let r = app.post(ROOT, Some(token), UPDATE, paint.clone()).await;
        let administers = r.body["errors"].is_null();
        assert_eq!(administers, *role == "OWNER", "{role}: {}", r.body);
        if !administers {
            assert_eq!(first_code(&r.body), "NOT_FOUND", "{role}");
        }
        let d = app
            .ok(ROOT, Some(token), read_person, json!({ "id": person }))
            .await;
        let reads = d["node"]["email"] == "person@roles.example";
        assert_eq!(
            reads,
            matches!(*role, "OWNER" | "USER_ADMIN"),
            "{role}: {d}"
        );
        if reads {
            // Their lines and orders, read on the person's brand, with what hangs off them.
            let line = &d["node"]["lines"]["edges"][0]["node"];
            assert_eq!(line["lineNumber"], 1, "{role}: {d}");
            assert_eq!(line["client"]["email"], "person@roles.example");
            assert_eq!(line["organization"]["name"], "Person Co");
            assert_eq!(line["channels"][0]["kind"]["code"], "WA1");
            let order = &d["node"]["orders"]["edges"][0]["node"];
            assert_eq!(order["payer"], "CLIENT", "{role}: {d}");
            assert_eq!(order["client"]["email"], "person@roles.example");
            assert_eq!(order["items"][0]["channelKinds"][0]["code"], "WA1");
            assert_eq!(order["payments"], json!([]));
        } else {
            assert_eq!(d["node"], Value::Null, "{role}: {d}");
        }
    }
}

/// Two staff approve the same application at once: one brand is made, the other answer
/// is `BRAND_EXISTS` (the organization's row lock orders them; without it the second
/// insert trips the unique index and answers a misleading slug conflict).
#[tokio::test]
async fn two_approvals_at_once_make_one_brand() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let (_, _, partner) = reseller_application(&app, "race").await;
    for round in 0..3 {
        let (_, _, partner) = if round == 0 {
            (String::new(), String::new(), partner.clone())
        } else {
            reseller_application(&app, &format!("race{round}")).await
        };
        let calls: Vec<_> = (0..2)
            .map(|n| {
                app.spawn_post(
                    ROOT,
                    Some(&staff),
                    APPROVE,
                    json!({ "i": { "partnerId": partner, "slug": format!("race{round}x{n}"), "displayName": "Race" } }),
                )
            })
            .collect();
        let mut codes = Vec::new();
        for c in calls {
            let r = c.await.unwrap();
            codes.push(if r.body["errors"].is_null() {
                "OK".to_string()
            } else {
                first_code(&r.body)
            });
        }
        codes.sort();
        assert_eq!(codes, ["BRAND_EXISTS", "OK"], "round {round}");
    }
}

/// A reseller's brand has no flagged admins: its owners, who live on the root brand, are
/// told of its custom domains there (bell, mail through their own brand, a link to the
/// page that administers it), and the organization's other members are not.
#[tokio::test]
async fn the_owners_are_told_of_their_brands_domains_on_the_brand_they_live_on() {
    use partner_gateway::dev::local_dns::{Answer, LocalDns};
    let dns = LocalDns::start().await.unwrap();
    let addr = dns.addr;
    let app = TestApp::with_config(move |c| {
        c.dns_resolver = Some(addr);
        c.dns_timeout_ms = 300;
    })
    .await;
    app.state.services.clock.set(Some(Utc::now()));
    let staff = app.staff_token().await;
    let (owner, org, partner) = reseller_application(&app, "dom").await;
    let d = app
        .ok(
            ROOT,
            Some(&staff),
            APPROVE,
            json!({ "i": { "partnerId": partner, "slug": "domco", "displayName": "DomCo" } }),
        )
        .await;
    let brand = d["approveResellerBrand"]["brand"].clone();
    app.invite(
        ROOT,
        &owner,
        &org,
        "member@domco.example",
        "MEMBER",
        json!([]),
    )
    .await;
    let (member, _) = app.sign_up_invited(ROOT, "member@domco.example").await;

    let add = "mutation($i: AddTenantDomainInput!) { addTenantDomain(input: $i) { domain { verificationRecord { name value } } } }";
    let d = app
        .ok(
            ROOT,
            Some(&owner),
            add,
            json!({ "i": { "tenantId": brand["id"], "host": "partners.domco.test" } }),
        )
        .await;
    let record = &d["addTenantDomain"]["domain"]["verificationRecord"];
    dns.set(
        record["name"].as_str().unwrap(),
        Answer::Txt(vec![record["value"].as_str().unwrap().into()]),
    );
    app.state
        .services
        .clock
        .advance(chrono::Duration::minutes(1));
    domain::jobs::run_due(&app.state.services).await.unwrap();
    app.fan_out().await;

    let bell = "{ notifications(first: 5) { edges { node { kind title link } } } }";
    let told = app.ok(ROOT, Some(&owner), bell, json!({})).await;
    let items = told["notifications"]["edges"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{told}");
    let item = &items[0]["node"];
    assert_eq!(item["kind"], "CUSTOM_DOMAIN");
    assert_eq!(item["title"], "Domain partners.domco.test is verified");
    let link = item["link"].as_str().unwrap();
    assert!(
        link.contains("://localhost") && link.ends_with("/settings/domains?brand=domco"),
        "{link}"
    );
    let mail = app
        .outbox_email("owner-dom@reseller.example", "CUSTOM_DOMAIN")
        .await
        .expect("the owner is mailed");
    // Through the brand the owner lives on (its outbox, its sender), not the reseller's.
    let root = entities::tenant::Entity::find()
        .filter(entities::tenant::Column::Slug.eq(domain::tenancy::setup::ROOT_SLUG))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(mail.tenant_id, root.id);
    assert!(mail.body_text.contains(link), "{}", mail.body_text);

    // A member of the organization, who does not administer the brand, hears nothing.
    let told = app.ok(ROOT, Some(&member), bell, json!({})).await;
    assert_eq!(told["notifications"]["edges"], json!([]));
    assert!(
        app.outbox_email("member@domco.example", "CUSTOM_DOMAIN")
            .await
            .is_none()
    );
}
