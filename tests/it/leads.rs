//! The leads marketplace (SPEC §7): the public form (validation, honeypot, rate limit per
//! client address, no partner leak), free leads with hidden contacts, the race for one
//! lead, my leads and their status, release and comments, tenant staff's powers, the
//! notifications, and tenant isolation.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use chrono::Duration;
use serde_json::{Value, json};

use crate::partners::{APPLY, REVIEW};
use crate::support::*;

pub const SUBMIT: &str = "mutation($i: SubmitLeadInput!) { submitLead(input: $i) { received } }";
pub const FREE: &str = "query($c: String, $l: String, $f: [String!]) { freeLeads(country: $c, language: $l, features: $f) { totalCount edges { node { id number status contactName phone email company task features country language contactsVisible comments { body } } } } }";
pub const TAKE: &str = "mutation($l: ID!, $p: ID!) { takeLead(input: { leadId: $l, partnerId: $p }) { lead { id status contactName phone email contactsVisible partnerName } } }";
const LEAD: &str = "query($id: ID!) { lead(id: $id) { id status contactName phone email contactsVisible partnerId comments { body authorName partnerName createdAt } } }";
const MINE: &str = "query($p: ID!, $s: LeadStatus) { partner(id: $p) { leads(status: $s) { totalCount edges { node { id number status contactName phone addressed } } } } }";
const STATUS: &str = "mutation($l: ID!, $s: LeadStatus!) { setLeadStatus(input: { leadId: $l, status: $s }) { lead { status closedAt } } }";
const RELEASE: &str = "mutation($l: ID!) { releaseLead(input: { leadId: $l }) { lead { status contactName phone contactsVisible comments { body } } } }";
const COMMENT: &str = "mutation($l: ID!, $b: String!) { addLeadComment(input: { leadId: $l, body: $b }) { comment { body authorName partnerName } } }";
const ALL: &str = "query($f: Boolean, $p: ID) { leads(free: $f, partnerId: $p) { totalCount edges { node { id status phone partnerId } } } }";
const REASSIGN: &str = "mutation($l: ID!, $p: ID) { reassignLead(input: { leadId: $l, partnerId: $p }) { lead { status partnerId } } }";
const CLOSE: &str = "mutation($l: ID!, $s: LeadStatus!) { closeLead(input: { leadId: $l, status: $s }) { lead { status closedAt } } }";
const LIST: &str = "mutation($i: UpdatePartnerProfileInput!) { updatePartnerProfile(input: $i) { partner { id } } }";

/// An approved partner on `host` reviewed by `reviewer`: (partner id, owner token).
pub async fn approved(app: &TestApp, host: &str, tag: &str, reviewer: &str) -> (String, String) {
    let (owner, _, _) = app.sign_up(host, &format!("lp-{tag}@example.com")).await;
    let d = app
        .ok(
            host,
            Some(&owner),
            APPLY,
            json!({ "i": { "organizationName": format!("Leads agency {tag}"), "contactName": "Pat", "contactEmail": format!("pat-{tag}@agency.example") } }),
        )
        .await;
    let id = d["applyAsPartner"]["partner"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.ok(
        host,
        Some(reviewer),
        REVIEW,
        json!({ "i": { "partnerId": id, "decision": "APPROVE", "tier": "OFFICIAL" } }),
    )
    .await;
    (id, owner)
}

/// A complete lead from the public form.
pub fn lead_input(name: &str) -> Value {
    json!({
        "contactName": name, "phone": "+7 (999) 123-45-67", "email": "Client@Shop.example",
        "company": "Shop LLC", "task": "Connect WhatsApp to our CRM", "features": ["WhatsApp", "amoCRM"],
        "country": "ru", "language": "RU"
    })
}

/// Submits a lead anonymously from `ip`.
async fn submit_from(app: &TestApp, host: &str, ip: [u8; 4], input: Value) -> Resp {
    let mut req = Request::post("/graphql")
        .header("host", host)
        .header("content-type", "application/json")
        .body(Body::from(
            json!({ "query": SUBMIT, "variables": { "i": input } }).to_string(),
        ))
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
    app.send(req).await
}

/// The ids of the free leads `token` sees.
async fn free_ids(app: &TestApp, host: &str, token: &str) -> Vec<String> {
    app.ok(host, Some(token), FREE, json!({})).await["freeLeads"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_string())
        .collect()
}

async fn only_free(app: &TestApp, host: &str, token: &str) -> String {
    let ids = free_ids(app, host, token).await;
    assert_eq!(ids.len(), 1, "{ids:?}");
    ids[0].clone()
}

#[tokio::test]
async fn a_free_lead_hides_its_contacts_until_one_partner_takes_it() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let (a, a_owner) = approved(&app, ROOT, "a", &staff).await;
    let (b, b_owner) = approved(&app, ROOT, "b", &staff).await;
    let d = app
        .ok(
            ROOT,
            None,
            SUBMIT,
            json!({ "i": lead_input("ivan Petrov") }),
        )
        .await;
    assert_eq!(d["submitLead"]["received"], true);

    // Every approved partner sees it, contacts hidden, the rest normalised.
    let free = app.ok(ROOT, Some(&a_owner), FREE, json!({})).await;
    let node = &free["freeLeads"]["edges"][0]["node"];
    assert_eq!(free["freeLeads"]["totalCount"], 1);
    assert_eq!(node["contactName"], "I.");
    assert_eq!(node["phone"], Value::Null);
    assert_eq!(node["email"], Value::Null);
    assert_eq!(node["comments"], Value::Null);
    assert_eq!(node["contactsVisible"], false);
    assert_eq!(node["status"], "NEW");
    assert_eq!(node["company"], "Shop LLC");
    assert_eq!(node["features"], json!(["whatsapp", "amocrm"]));
    assert_eq!(
        (node["country"].clone(), node["language"].clone()),
        (json!("RU"), json!("ru"))
    );
    let lead = node["id"].as_str().unwrap().to_string();
    // Filters narrow the list.
    for (vars, n) in [
        (json!({ "c": "RU" }), 1),
        (json!({ "c": "DE" }), 0),
        (json!({ "l": "en" }), 0),
        (json!({ "f": ["WhatsApp"] }), 1),
        (json!({ "f": ["whatsapp", "telegram"] }), 0),
    ] {
        let d = app.ok(ROOT, Some(&b_owner), FREE, vars.clone()).await;
        assert_eq!(d["freeLeads"]["totalCount"], n, "{vars}");
    }

    // A takes it and reads the contacts; B reads nothing more and cannot take it.
    let d = app
        .ok(ROOT, Some(&a_owner), TAKE, json!({ "l": lead, "p": a }))
        .await;
    let taken = &d["takeLead"]["lead"];
    assert_eq!(taken["contactName"], "ivan Petrov");
    assert_eq!(taken["phone"], "+79991234567");
    assert_eq!(taken["email"], "client@shop.example");
    assert_eq!(taken["partnerName"], "Leads agency a");
    assert!(free_ids(&app, ROOT, &b_owner).await.is_empty());
    let r = app
        .post(ROOT, Some(&b_owner), TAKE, json!({ "l": lead, "p": b }))
        .await;
    assert_eq!(first_code(&r.body), "LEAD_TAKEN");
    let d = app
        .ok(ROOT, Some(&b_owner), LEAD, json!({ "id": lead }))
        .await;
    assert_eq!(d["lead"], Value::Null);
    // B cannot take it for A either (not a member of A).
    let r = app
        .post(ROOT, Some(&b_owner), TAKE, json!({ "l": lead, "p": a }))
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    // It is in A's leads.
    let d = app.ok(ROOT, Some(&a_owner), MINE, json!({ "p": a })).await;
    assert_eq!(d["partner"]["leads"]["totalCount"], 1);
    assert_eq!(
        d["partner"]["leads"]["edges"][0]["node"]["phone"],
        "+79991234567"
    );
    assert_eq!(
        d["partner"]["leads"]["edges"][0]["node"]["addressed"],
        false
    );
    // Someone who is not a partner's member sees no free leads at all.
    let (plain, _, _) = app.sign_up(ROOT, "plain@example.com").await;
    let r = app.post(ROOT, Some(&plain), FREE, json!({})).await;
    assert_eq!(first_code(&r.body), "NO_PARTNER");
    let r = app.post(ROOT, None, FREE, json!({})).await;
    assert_eq!(first_code(&r.body), "UNAUTHENTICATED");
}

#[tokio::test]
async fn the_form_validates_and_reveals_nothing_beyond_the_directory() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let (listed, listed_owner) = approved(&app, ROOT, "listed", &staff).await;
    app.ok(
        ROOT,
        Some(&listed_owner),
        LIST,
        json!({ "i": { "partnerId": listed, "listed": true } }),
    )
    .await;
    let (unlisted, _) = approved(&app, ROOT, "unlisted", &staff).await;
    let (_, acme) = app.tenant("acme").await;
    let acme_admin = app.tenant_admin_token("acme", &acme).await;
    let (foreign, foreign_owner) = approved(&app, &acme, "foreign", &acme_admin).await;
    app.ok(
        &acme,
        Some(&foreign_owner),
        LIST,
        json!({ "i": { "partnerId": foreign, "listed": true } }),
    )
    .await;

    for (field, value) in [
        ("phone", json!("89991234567")),
        ("phone", json!("+7 999")),
        ("email", json!("not-an-email")),
        ("contactName", json!("")),
        ("contactName", json!("x".repeat(121))),
        ("task", json!("   ")),
        ("company", json!("c".repeat(201))),
        ("country", json!("Russia")),
        ("language", json!("russian")),
        ("features", json!(["a\"b"])),
    ] {
        let mut i = lead_input("Ivan");
        i[field] = value;
        let r = app.post(ROOT, None, SUBMIT, json!({ "i": i })).await;
        assert_eq!(first_code(&r.body), "BAD_USER_INPUT", "{field}: {}", r.body);
        assert_eq!(first_field(&r.body), field);
    }
    // Unknown, unlisted, another tenant's: one answer, naming only the directory.
    let unknown = ids_of("Partner", 999_999);
    let mut answers = Vec::new();
    for p in [&unknown, &unlisted, &foreign] {
        let mut i = lead_input("Ivan");
        i["partnerId"] = json!(p);
        let r = app.post(ROOT, None, SUBMIT, json!({ "i": i })).await;
        assert_eq!(first_field(&r.body), "partnerId");
        answers.push(r.body["errors"][0]["message"].clone());
    }
    assert!(answers.iter().all(|m| *m == answers[0]), "{answers:?}");
    assert_eq!(count(&app, "leads").await, 0, "nothing half-written");

    // A listed partner gets the lead addressed to it; it is not free.
    let mut i = lead_input("Olga");
    i["partnerId"] = json!(listed);
    app.ok(ROOT, None, SUBMIT, json!({ "i": i })).await;
    let d = app
        .ok(ROOT, Some(&listed_owner), MINE, json!({ "p": listed }))
        .await;
    let node = &d["partner"]["leads"]["edges"][0]["node"];
    assert_eq!(node["addressed"], true);
    assert_eq!(node["contactName"], "Olga");
    assert!(free_ids(&app, ROOT, &listed_owner).await.is_empty());
}

async fn count(app: &TestApp, table: &str) -> i64 {
    use sea_orm::ConnectionTrait;
    let row = app
        .db()
        .query_one_raw(sea_orm::Statement::from_string(
            app.db().get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

fn ids_of(kind: &str, id: i64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

#[tokio::test]
async fn a_filled_honeypot_is_answered_alike_and_stored_nowhere() {
    let app = TestApp::new().await;
    let mut i = lead_input("Bot");
    i["website"] = json!("https://spam.example");
    let d = app.ok(ROOT, None, SUBMIT, json!({ "i": i })).await;
    assert_eq!(d["submitLead"]["received"], true);
    assert_eq!(count(&app, "leads").await, 0);
    assert_eq!(count(&app, "domain_events").await, 0);
    // Left empty, as people leave it, it is an ordinary lead.
    let mut i = lead_input("Person");
    i["website"] = json!("");
    app.ok(ROOT, None, SUBMIT, json!({ "i": i })).await;
    assert_eq!(count(&app, "leads").await, 1);
}

#[tokio::test]
async fn submissions_are_limited_per_client_address() {
    let app = TestApp::with_config(|c| c.lead_submissions_per_hour = 2).await;
    let (a, b) = ([203, 0, 113, 7], [198, 51, 100, 9]);
    for _ in 0..2 {
        let r = submit_from(&app, ROOT, a, lead_input("Ivan")).await;
        assert!(r.body["errors"].is_null(), "{}", r.body);
    }
    let r = submit_from(&app, ROOT, a, lead_input("Ivan")).await;
    assert_eq!(first_code(&r.body), "RATE_LIMITED");
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("try again in")
    );
    // Another address is not affected.
    let r = submit_from(&app, ROOT, b, lead_input("Olga")).await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    // An hour after the first, the address may submit again.
    app.state.services.clock.advance(Duration::minutes(61));
    let r = submit_from(&app, ROOT, a, lead_input("Ivan")).await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    assert_eq!(count(&app, "leads").await, 4);
}

#[tokio::test]
async fn status_moves_in_order_and_release_hides_contacts_but_keeps_comments() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let (a, a_owner) = approved(&app, ROOT, "a", &staff).await;
    let (b, b_owner) = approved(&app, ROOT, "b", &staff).await;
    app.ok(ROOT, None, SUBMIT, json!({ "i": lead_input("Ivan") }))
        .await;
    let lead = only_free(&app, ROOT, &a_owner).await;
    // Only a holder comments or moves it.
    let r = app
        .post(
            ROOT,
            Some(&a_owner),
            COMMENT,
            json!({ "l": lead, "b": "hi" }),
        )
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
    app.ok(ROOT, Some(&a_owner), TAKE, json!({ "l": lead, "p": a }))
        .await;
    let r = app
        .post(
            ROOT,
            Some(&a_owner),
            STATUS,
            json!({ "l": lead, "s": "SUCCESS" }),
        )
        .await;
    assert_eq!(first_code(&r.body), "WRONG_LEAD_STATE");
    let d = app
        .ok(
            ROOT,
            Some(&a_owner),
            STATUS,
            json!({ "l": lead, "s": "IN_WORK" }),
        )
        .await;
    assert_eq!(d["setLeadStatus"]["lead"]["status"], "IN_WORK");
    let r = app
        .post(
            ROOT,
            Some(&b_owner),
            STATUS,
            json!({ "l": lead, "s": "FAILURE" }),
        )
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
    let d = app
        .ok(
            ROOT,
            Some(&a_owner),
            COMMENT,
            json!({ "l": lead, "b": "Called Ivan: wants it after the holidays" }),
        )
        .await;
    assert_eq!(
        d["addLeadComment"]["comment"]["partnerName"],
        "Leads agency a"
    );
    assert_eq!(d["addLeadComment"]["comment"]["authorName"], "Test User");

    // Released: free again, NEW, contacts and comments hidden from A.
    let d = app
        .ok(ROOT, Some(&a_owner), RELEASE, json!({ "l": lead }))
        .await;
    let released = &d["releaseLead"]["lead"];
    assert_eq!(released["status"], "NEW");
    assert_eq!(released["contactName"], "I.");
    assert_eq!(released["phone"], Value::Null);
    assert_eq!(released["comments"], Value::Null);
    let d = app
        .ok(ROOT, Some(&a_owner), LEAD, json!({ "id": lead }))
        .await;
    assert_eq!(d["lead"]["contactsVisible"], false);
    assert_eq!(d["lead"]["phone"], Value::Null);
    let d = app.ok(ROOT, Some(&a_owner), MINE, json!({ "p": a })).await;
    assert_eq!(d["partner"]["leads"]["totalCount"], 0);

    // B takes it and reads what A wrote, who wrote it and when.
    app.ok(ROOT, Some(&b_owner), TAKE, json!({ "l": lead, "p": b }))
        .await;
    let d = app
        .ok(ROOT, Some(&b_owner), LEAD, json!({ "id": lead }))
        .await;
    let c = &d["lead"]["comments"][0];
    assert_eq!(c["body"], "Called Ivan: wants it after the holidays");
    assert_eq!(c["partnerName"], "Leads agency a");
    assert!(c["createdAt"].is_string());
    app.ok(
        ROOT,
        Some(&b_owner),
        STATUS,
        json!({ "l": lead, "s": "IN_WORK" }),
    )
    .await;
    let d = app
        .ok(
            ROOT,
            Some(&b_owner),
            STATUS,
            json!({ "l": lead, "s": "SUCCESS" }),
        )
        .await;
    assert!(d["setLeadStatus"]["lead"]["closedAt"].is_string());
    // Closed is final.
    for (q, vars) in [
        (RELEASE, json!({ "l": lead })),
        (STATUS, json!({ "l": lead, "s": "FAILURE" })),
    ] {
        let r = app.post(ROOT, Some(&b_owner), q, vars).await;
        assert_eq!(first_code(&r.body), "WRONG_LEAD_STATE");
    }
    let d = app
        .ok(
            ROOT,
            Some(&b_owner),
            MINE,
            json!({ "p": b, "s": "SUCCESS" }),
        )
        .await;
    assert_eq!(d["partner"]["leads"]["totalCount"], 1);
}

#[tokio::test]
async fn tenant_staff_see_every_lead_reassign_and_close_them() {
    let app = TestApp::new().await;
    let (_, acme) = app.tenant("acme").await;
    let admin = app.tenant_admin_token("acme", &acme).await;
    let (a, a_owner) = approved(&app, &acme, "a", &admin).await;
    let (b, b_owner) = approved(&app, &acme, "b", &admin).await;
    app.ok(&acme, None, SUBMIT, json!({ "i": lead_input("Ivan") }))
        .await;
    app.ok(&acme, None, SUBMIT, json!({ "i": lead_input("Olga") }))
        .await;
    let d = app.ok(&acme, Some(&admin), ALL, json!({})).await;
    assert_eq!(d["leads"]["totalCount"], 2);
    assert_eq!(d["leads"]["edges"][0]["node"]["phone"], "+79991234567");
    let first = d["leads"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let second = d["leads"]["edges"][1]["node"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Partners and anyone else: refused.
    for t in [&a_owner, &b_owner] {
        for (q, vars) in [
            (ALL, json!({})),
            (REASSIGN, json!({ "l": first, "p": a })),
            (CLOSE, json!({ "l": first, "s": "FAILURE" })),
        ] {
            let r = app.post(&acme, Some(t), q, vars).await;
            assert_eq!(first_code(&r.body), "FORBIDDEN", "{}", r.body);
        }
    }
    // To A: A is told and holds it; then to B; then back to free.
    let d = app
        .ok(&acme, Some(&admin), REASSIGN, json!({ "l": first, "p": a }))
        .await;
    assert_eq!(d["reassignLead"]["lead"]["partnerId"], a);
    let d = app.ok(&acme, Some(&a_owner), MINE, json!({ "p": a })).await;
    assert_eq!(d["partner"]["leads"]["totalCount"], 1);
    app.ok(&acme, Some(&admin), REASSIGN, json!({ "l": first, "p": b }))
        .await;
    let d = app.ok(&acme, Some(&a_owner), MINE, json!({ "p": a })).await;
    assert_eq!(d["partner"]["leads"]["totalCount"], 0);
    let d = app.ok(&acme, Some(&admin), ALL, json!({ "p": b })).await;
    assert_eq!(d["leads"]["totalCount"], 1);
    app.ok(
        &acme,
        Some(&admin),
        REASSIGN,
        json!({ "l": first, "p": null }),
    )
    .await;
    let d = app.ok(&acme, Some(&admin), ALL, json!({ "f": true })).await;
    assert_eq!(d["leads"]["totalCount"], 2);
    // Staff comment too (no partner named), and close.
    let d = app
        .ok(
            &acme,
            Some(&admin),
            COMMENT,
            json!({ "l": second, "b": "duplicate of #1" }),
        )
        .await;
    assert_eq!(d["addLeadComment"]["comment"]["partnerName"], Value::Null);
    let d = app
        .ok(
            &acme,
            Some(&admin),
            CLOSE,
            json!({ "l": second, "s": "FAILURE" }),
        )
        .await;
    assert_eq!(d["closeLead"]["lead"]["status"], "FAILURE");
    let r = app
        .post(
            &acme,
            Some(&admin),
            CLOSE,
            json!({ "l": second, "s": "SUCCESS" }),
        )
        .await;
    assert_eq!(first_code(&r.body), "WRONG_LEAD_STATE");
    let r = app
        .post(
            &acme,
            Some(&admin),
            CLOSE,
            json!({ "l": first, "s": "IN_WORK" }),
        )
        .await;
    assert_eq!(first_code(&r.body), "BAD_USER_INPUT");
    assert_eq!(free_ids(&app, &acme, &a_owner).await, vec![first.clone()]);
    // Every change is in the audit log.
    let actions: Vec<String> = {
        use sea_orm::EntityTrait;
        entities::audit_log::Entity::find()
            .all(app.db())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect()
    };
    for a in ["lead.reassigned", "lead.closed"] {
        assert!(actions.iter().any(|x| x == a), "{actions:?}");
    }
}

#[tokio::test]
async fn another_tenants_leads_are_invisible() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let (root_p, root_owner) = approved(&app, ROOT, "root", &staff).await;
    let (_, acme) = app.tenant("acme").await;
    let admin = app.tenant_admin_token("acme", &acme).await;
    let (_, acme_owner) = approved(&app, &acme, "acme", &admin).await;
    app.ok(&acme, None, SUBMIT, json!({ "i": lead_input("Ivan") }))
        .await;
    let acme_lead = only_free(&app, &acme, &acme_owner).await;
    assert!(free_ids(&app, ROOT, &root_owner).await.is_empty());
    let d = app
        .ok(ROOT, Some(&root_owner), LEAD, json!({ "id": acme_lead }))
        .await;
    assert_eq!(d["lead"], Value::Null);
    let r = app
        .post(
            ROOT,
            Some(&root_owner),
            TAKE,
            json!({ "l": acme_lead, "p": root_p }),
        )
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
    let r = app
        .post(ROOT, Some(&root_owner), RELEASE, json!({ "l": acme_lead }))
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
    // Root's staff on the root host see root's leads only; acme's admin acme's only.
    let d = app.ok(ROOT, Some(&staff), ALL, json!({})).await;
    assert_eq!(d["leads"]["totalCount"], 0);
    let r = app
        .post(
            ROOT,
            Some(&staff),
            CLOSE,
            json!({ "l": acme_lead, "s": "FAILURE" }),
        )
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
    let d = app.ok(&acme, Some(&admin), ALL, json!({})).await;
    assert_eq!(d["leads"]["totalCount"], 1);
    // An acme token on the root host is refused outright.
    let r = app.post(ROOT, Some(&acme_owner), FREE, json!({})).await;
    assert_ne!(r.status, axum::http::StatusCode::OK);
}

/// 50 partners take one lead at the same moment: exactly one wins, 49 get `LEAD_TAKEN`;
/// ten leads in a row, so a lost race cannot hide by luck. Without the `partner_id IS
/// NULL` condition of the take (a read, then an unconditional update) this fails on
/// PostgreSQL.
#[tokio::test]
async fn of_fifty_partners_racing_for_one_lead_exactly_one_wins() {
    let app = TestApp::with_config(|c| c.lead_submissions_per_hour = 100).await;
    let staff = app.staff_token().await;
    let (racers, rounds) = if app.is_postgres() { (50, 10) } else { (8, 2) };
    let mut partners = Vec::new();
    for n in 0..racers {
        partners.push(approved(&app, ROOT, &format!("r{n}"), &staff).await);
    }
    let mut wins = vec![0; racers];
    for round in 0..rounds {
        app.ok(ROOT, None, SUBMIT, json!({ "i": lead_input("Ivan") }))
            .await;
        let lead = only_free(&app, ROOT, &partners[0].1).await;
        let calls: Vec<_> = partners
            .iter()
            .map(|(p, owner)| app.spawn_post(ROOT, Some(owner), TAKE, json!({ "l": lead, "p": p })))
            .collect();
        let mut winners = Vec::new();
        for (n, c) in calls.into_iter().enumerate() {
            let r = c.await.unwrap();
            if r.body["errors"].is_null() {
                assert_eq!(r.body["data"]["takeLead"]["lead"]["phone"], "+79991234567");
                winners.push(n);
                wins[n] += 1;
            } else {
                assert_eq!(first_code(&r.body), "LEAD_TAKEN", "{}", r.body);
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: winners {winners:?}");
    }
    // Each lead is its winner's, in its leads, once.
    for (n, (p, owner)) in partners.iter().enumerate() {
        let d = app.ok(ROOT, Some(owner), MINE, json!({ "p": p })).await;
        assert_eq!(d["partner"]["leads"]["totalCount"], wins[n]);
    }
    let d = app.ok(ROOT, Some(&staff), ALL, json!({ "f": false })).await;
    assert_eq!(d["leads"]["totalCount"], rounds);
}

#[tokio::test]
async fn opted_in_partners_are_told_of_free_and_addressed_leads() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let (a, a_owner) = approved(&app, ROOT, "a", &staff).await;
    let (_, b_owner) = approved(&app, ROOT, "b", &staff).await;
    let (_, c_owner) = approved(&app, ROOT, "c", &staff).await;
    const UPDATE: &str = "mutation($i: UpdateNotificationSettingsInput!) { updateNotificationSettings(input: $i) { kinds { kind } } }";
    const BELL: &str = "{ notifications(first: 50) { edges { node { kind title body link } } } }";
    for t in [&a_owner, &b_owner] {
        app.ok(
            ROOT,
            Some(t),
            UPDATE,
            json!({ "i": { "settings": [
                { "kind": "FREE_LEAD", "enabled": true },
                { "kind": "MY_LEAD", "enabled": true }
            ] } }),
        )
        .await;
    }
    app.ok(
        ROOT,
        Some(&a_owner),
        LIST,
        json!({ "i": { "partnerId": a, "listed": true } }),
    )
    .await;
    app.ok(ROOT, None, SUBMIT, json!({ "i": lead_input("Ivan") }))
        .await;
    app.fan_out().await;
    let bell = |t: String| {
        let app = &app;
        async move {
            app.ok(ROOT, Some(&t), BELL, json!({})).await["notifications"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"].clone())
                .collect::<Vec<_>>()
        }
    };
    // A and B opted in; C did not (lead lists are opt-in).
    let b_bell = bell(b_owner.clone()).await;
    assert_eq!(b_bell.len(), 1);
    assert_eq!(b_bell[0]["kind"], "FREE_LEAD");
    assert_eq!(b_bell[0]["title"], "New free lead 1");
    let body = b_bell[0]["body"].as_str().unwrap();
    assert!(body.contains("Connect WhatsApp"), "{body}");
    assert!(
        !body.contains("+7999") && !body.contains("client@shop"),
        "{body}"
    );
    assert_eq!(bell(a_owner.clone()).await.len(), 1);
    assert!(bell(c_owner.clone()).await.is_empty());

    // Addressed to A: only A is told.
    let mut i = lead_input("Olga");
    i["partnerId"] = json!(a);
    app.ok(ROOT, None, SUBMIT, json!({ "i": i })).await;
    app.fan_out().await;
    let a_bell = bell(a_owner.clone()).await;
    assert_eq!(a_bell.len(), 2);
    let mine = a_bell.iter().find(|n| n["kind"] == "MY_LEAD").unwrap();
    assert_eq!(mine["title"], "New lead 2 for you");
    assert!(mine["link"].as_str().unwrap().ends_with("/partner/leads/2"));
    assert_eq!(bell(b_owner.clone()).await.len(), 1);

    // A releases it: B is told of a free lead, A (who released it) is not.
    let mine = app.ok(ROOT, Some(&a_owner), MINE, json!({ "p": a })).await;
    let olga = mine["partner"]["leads"]["edges"][0]["node"]["id"].clone();
    app.ok(ROOT, Some(&a_owner), RELEASE, json!({ "l": olga }))
        .await;
    app.fan_out().await;
    assert_eq!(bell(b_owner.clone()).await.len(), 2);
    assert_eq!(bell(a_owner.clone()).await.len(), 2);
}

#[tokio::test]
async fn a_partner_logged_in_as_a_client_cannot_work_leads() {
    let app = TestApp::new().await;
    let (p, client, client_id) = crate::hardening::partner_with_client(&app).await;
    let _ = client;
    let as_client = crate::hardening::impersonate(&app, &p.owner, &p.id, &client_id).await;
    app.ok(ROOT, None, SUBMIT, json!({ "i": lead_input("Ivan") }))
        .await;
    let lead = only_free(&app, ROOT, &p.owner).await;
    let r = app
        .post(
            ROOT,
            Some(&as_client),
            TAKE,
            json!({ "l": lead, "p": p.id }),
        )
        .await;
    assert_eq!(first_code(&r.body), "IMPERSONATION_FORBIDDEN");
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_limited() {
    let app = TestApp::with_config(|c| {
        c.lead_submissions_per_hour = 1;
        c.trusted_proxies = "127.0.0.1".into();
    })
    .await;
    let from = |xff: &'static str| {
        let app = &app;
        async move {
            let req = Request::post("/graphql")
                .header("host", ROOT)
                .header("content-type", "application/json")
                .header("x-forwarded-for", xff)
                .body(Body::from(
                    json!({ "query": SUBMIT, "variables": { "i": lead_input("Ivan") } })
                        .to_string(),
                ))
                .unwrap();
            app.send(req).await
        }
    };
    // Two clients behind the proxy: one allowance each, whatever they write on the left.
    assert!(from("203.0.113.7").await.body["errors"].is_null());
    assert!(from("198.51.100.9").await.body["errors"].is_null());
    let r = from("1.2.3.4, 203.0.113.7").await;
    assert_eq!(first_code(&r.body), "RATE_LIMITED");
}

#[tokio::test]
async fn a_partner_cannot_hold_every_lead_or_take_back_one_it_just_released() {
    let app = TestApp::new().await;
    app.state.services.clock.set(Some(entities::time::now()));
    let staff = app.staff_token().await;
    let (a, a_owner) = approved(&app, ROOT, "ha", &staff).await;
    let (b, b_owner) = approved(&app, ROOT, "hb", &staff).await;
    let r = app
        .post(ROOT, Some(&staff), "mutation { updateTenant(input: { partnerProgram: { maxOpenLeadsPerPartner: 0 } }) { tenant { slug } } }", json!({}))
        .await;
    assert_eq!(
        first_field(&r.body),
        "partnerProgram.maxOpenLeadsPerPartner"
    );
    let d = app
        .ok(ROOT, Some(&staff), "mutation { updateTenant(input: { partnerProgram: { maxOpenLeadsPerPartner: 2 } }) { tenant { partnerProgram { maxOpenLeadsPerPartner } } } }", json!({}))
        .await;
    assert_eq!(
        d["updateTenant"]["tenant"]["partnerProgram"]["maxOpenLeadsPerPartner"],
        2
    );
    for name in ["One", "Two", "Three"] {
        app.ok(ROOT, None, SUBMIT, json!({ "i": lead_input(name) }))
            .await;
    }
    let mut leads = free_ids(&app, ROOT, &a_owner).await;
    leads.sort();
    let take = |token: &str, lead: &str, p: &str| {
        let (token, lead, p) = (token.to_string(), lead.to_string(), p.to_string());
        let app = &app;
        async move {
            app.post(ROOT, Some(&token), TAKE, json!({ "l": lead, "p": p }))
                .await
        }
    };
    // Two open leads at most.
    for lead in &leads[..2] {
        let r = take(&a_owner, lead, &a).await;
        assert_eq!(
            r.body["data"]["takeLead"]["lead"]["status"], "NEW",
            "{}",
            r.body
        );
    }
    let r = take(&a_owner, &leads[2], &a).await;
    assert_eq!(first_code(&r.body), "LEAD_LIMIT_REACHED", "{}", r.body);
    assert_eq!(first_field(&r.body), "partnerId");
    // A released lead is not taken back by the same partner for 24 hours...
    app.ok(ROOT, Some(&a_owner), RELEASE, json!({ "l": leads[0] }))
        .await;
    let r = take(&a_owner, &leads[0], &a).await;
    assert_eq!(first_code(&r.body), "LEAD_RECENTLY_RELEASED", "{}", r.body);
    assert_eq!(first_field(&r.body), "leadId");
    // ... while the freed place takes another lead, and another partner takes that one.
    let r = take(&a_owner, &leads[2], &a).await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    let r = take(&b_owner, &leads[0], &b).await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    app.ok(ROOT, Some(&b_owner), RELEASE, json!({ "l": leads[0] }))
        .await;
    // A closed lead frees its place too; after 24 hours the lead may be taken back.
    app.ok(ROOT, Some(&a_owner), RELEASE, json!({ "l": leads[2] }))
        .await;
    app.clock_advance(chrono::Duration::hours(24) + chrono::Duration::minutes(1));
    let r = take(&a_owner, &leads[0], &a).await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
}
