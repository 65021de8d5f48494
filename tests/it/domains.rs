//! Custom domains proven by DNS (issue 12), against a local authoritative DNS server:
//! the TXT record verifies, wrong or missing records fail with what was found, an
//! unreachable resolver is never a failure, pending domains are re-checked with backoff
//! for 7 days by the scheduler, verified ones daily with a lost record reported; only
//! verified hosts route; one tenant per host; the primary stays until another is; the
//! brand's admins (and nobody else) are told of verified, failed and lost domains.

use chrono::Duration;
use serde_json::{Value, json};

use crate::support::*;
use partner_gateway::dev::local_dns::{Answer, LocalDns};

const ADD: &str = "mutation($i: AddTenantDomainInput!) { addTenantDomain(input: $i) { domain { id host kind status primary verificationRecord { type name value } cnameTarget lastCheck lastError nextCheckAt } } }";
const VERIFY: &str = "mutation($d: ID!) { verifyTenantDomain(input: { domainId: $d }) { domain { id status lastCheck lastError lastCheckedAt verifiedAt nextCheckAt primary } } }";
const PRIMARY: &str = "mutation($d: ID!) { setPrimaryTenantDomain(input: { domainId: $d }) { domain { id primary } } }";
const REMOVE: &str =
    "mutation($d: ID!) { removeTenantDomain(input: { domainId: $d }) { removedDomainId } }";
const DOMAINS: &str =
    "{ tenant { domains { id host status lastCheck lastError primary nextCheckAt } } }";
const HOST: &str = "partners.acme-brand.test";

struct Brand {
    id: String,
    host: String,
    admin: String,
}

async fn setup() -> (TestApp, LocalDns, Brand) {
    let dns = LocalDns::start().await.unwrap();
    let addr = dns.addr;
    let app = TestApp::with_config(move |c| {
        c.dns_resolver = Some(addr);
        c.dns_timeout_ms = 300;
    })
    .await;
    app.state.services.clock.set(Some(chrono::Utc::now()));
    let (id, host) = app.tenant("acme").await;
    let admin = app.tenant_admin_token("acme", &host).await;
    (app, dns, Brand { id, host, admin })
}

async fn add(app: &TestApp, b: &Brand, host: &str) -> Value {
    app.ok(
        &b.host,
        Some(&b.admin),
        ADD,
        json!({ "i": { "tenantId": b.id, "host": host } }),
    )
    .await["addTenantDomain"]["domain"]
        .clone()
}

async fn verify(app: &TestApp, b: &Brand, id: &str) -> Value {
    app.ok(&b.host, Some(&b.admin), VERIFY, json!({ "d": id }))
        .await["verifyTenantDomain"]["domain"]
        .clone()
}

async fn slug_on(app: &TestApp, host: &str) -> Result<String, String> {
    let r = app.post(host, None, "{ tenant { slug } }", json!({})).await;
    match r.body["data"]["tenant"]["slug"].as_str() {
        Some(s) => Ok(s.to_string()),
        None => Err(first_code(&r.body)),
    }
}

async fn run_jobs(app: &TestApp) {
    domain::jobs::run_due(&app.state.services).await.unwrap();
}

#[tokio::test]
async fn a_custom_domain_is_verified_by_its_txt_record_and_then_routes() {
    let (app, dns, b) = setup().await;
    let d = add(&app, &b, "Partners.ACME-brand.test.").await;
    assert_eq!(d["host"], HOST);
    assert_eq!(d["kind"], "CUSTOM");
    assert_eq!(d["status"], "PENDING");
    assert_eq!(d["primary"], false);
    assert_eq!(d["verificationRecord"]["type"], "TXT");
    assert_eq!(
        d["verificationRecord"]["name"],
        "_gateway-verify.partners.acme-brand.test"
    );
    let token = d["verificationRecord"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(token.len() >= 20);
    assert_eq!(d["cnameTarget"], "localhost");
    assert!(d["lastCheck"].is_null());
    assert!(d["nextCheckAt"].is_string());
    let id = d["id"].as_str().unwrap().to_string();
    // Not routed while pending.
    assert_eq!(slug_on(&app, HOST).await.unwrap_err(), "TENANT_NOT_FOUND");

    // No record: FAILED check, still pending, saying what was asked.
    let v = verify(&app, &b, &id).await;
    assert_eq!(v["status"], "PENDING");
    assert_eq!(v["lastCheck"], "FAILED");
    assert_eq!(
        v["lastError"],
        "no TXT record at _gateway-verify.partners.acme-brand.test"
    );
    assert!(v["lastCheckedAt"].is_string());
    // A wrong record: what was found is shown.
    let name = "_gateway-verify.partners.acme-brand.test";
    dns.set(name, Answer::Txt(vec!["someone-else".into()]));
    let v = verify(&app, &b, &id).await;
    assert_eq!(v["lastCheck"], "FAILED");
    assert!(
        v["lastError"]
            .as_str()
            .unwrap()
            .contains("\"someone-else\""),
        "{v}"
    );
    // The right one, among others: verified, and the host routes to the brand.
    dns.set(name, Answer::Txt(vec!["v=spf1 -all".into(), token.clone()]));
    let v = verify(&app, &b, &id).await;
    assert_eq!(v["status"], "VERIFIED", "{v}");
    assert_eq!(v["lastCheck"], "VERIFIED");
    assert!(v["lastError"].is_null());
    assert!(v["verifiedAt"].is_string());
    assert_eq!(slug_on(&app, HOST).await.unwrap(), "acme");

    // Primary: the verified custom domain can be; the old primary then can be removed
    // (platform subdomains by staff only), the new one cannot.
    let p = app
        .ok(&b.host, Some(&b.admin), PRIMARY, json!({ "d": id }))
        .await;
    assert_eq!(p["setPrimaryTenantDomain"]["domain"]["primary"], true);
    let r = app
        .post(&b.host, Some(&b.admin), REMOVE, json!({ "d": id }))
        .await;
    assert_eq!(first_code(&r.body), "CONFLICT");
    let all = app.ok(&b.host, Some(&b.admin), DOMAINS, json!({})).await;
    let old = all["tenant"]["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["host"] == b.host.as_str())
        .unwrap()
        .clone();
    assert_eq!(old["primary"], false);
    let r = app
        .post(&b.host, Some(&b.admin), REMOVE, json!({ "d": old["id"] }))
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    let staff = app.staff_token().await;
    app.ok(ROOT, Some(&staff), REMOVE, json!({ "d": old["id"] }))
        .await;
    assert_eq!(
        slug_on(&app, &b.host).await.unwrap_err(),
        "TENANT_NOT_FOUND"
    );
    assert_eq!(slug_on(&app, HOST).await.unwrap(), "acme");
    // A pending domain cannot be primary.
    let other = app
        .ok(
            HOST,
            Some(&b.admin),
            ADD,
            json!({ "i": { "tenantId": b.id, "host": "shop.acme-brand.test" } }),
        )
        .await["addTenantDomain"]["domain"]
        .clone();
    let r = app
        .post(HOST, Some(&b.admin), PRIMARY, json!({ "d": other["id"] }))
        .await;
    assert_eq!(first_code(&r.body), "CONFLICT");
}

#[tokio::test]
async fn an_unreachable_resolver_is_never_a_failed_check() {
    let (app, dns, b) = setup().await;
    let name = "_gateway-verify.partners.acme-brand.test";
    let d = add(&app, &b, HOST).await;
    let id = d["id"].as_str().unwrap().to_string();
    dns.set(name, Answer::ServFail);
    let v = verify(&app, &b, &id).await;
    assert_eq!(v["status"], "PENDING");
    assert_eq!(v["lastCheck"], "UNREACHABLE", "{v}");
    assert!(
        v["lastError"].as_str().unwrap().contains("SERVFAIL")
            || v["lastError"].as_str().unwrap().contains("Server Failure"),
        "{v}"
    );
    dns.set(name, Answer::Silent);
    let v = verify(&app, &b, &id).await;
    assert_eq!(v["lastCheck"], "UNREACHABLE", "{v}");
    // Seven days of an unreachable resolver do not fail the domain.
    app.state.services.clock.advance(Duration::days(8));
    run_jobs(&app).await;
    let all = app.ok(&b.host, Some(&b.admin), DOMAINS, json!({})).await;
    let d = all["tenant"]["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["host"] == HOST)
        .unwrap()
        .clone();
    assert_eq!(d["status"], "PENDING");
    assert_eq!(d["lastCheck"], "UNREACHABLE");
    assert!(d["nextCheckAt"].is_string());
}

async fn domain_row(app: &TestApp, host: &str) -> entities::tenant_domain::Model {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    entities::tenant_domain::Entity::find()
        .filter(entities::tenant_domain::Column::Host.eq(host))
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn pending_domains_are_rechecked_with_backoff_then_fail_after_seven_days() {
    let (app, dns, b) = setup().await;
    let clock = &app.state.services.clock;
    let d = add(&app, &b, HOST).await;
    let created = clock.now();
    // Due after a minute, then 2, 4, 8 ... minutes: each run of the job checks once.
    let mut waits = Vec::new();
    for _ in 0..5 {
        let row = domain_row(&app, HOST).await;
        let next = row.next_check_at.unwrap();
        waits.push((next - clock.now()).num_minutes());
        // Not due yet: the job leaves it alone.
        run_jobs(&app).await;
        assert_eq!(
            domain_row(&app, HOST).await.check_attempts,
            row.check_attempts
        );
        clock.set(Some(next));
        run_jobs(&app).await;
        let after = domain_row(&app, HOST).await;
        assert_eq!(after.check_attempts, row.check_attempts + 1);
        assert_eq!(after.last_check.as_deref(), Some("FAILED"));
    }
    assert_eq!(waits, vec![1, 2, 4, 8, 16]);
    // The wait stops growing at 6 hours.
    let mut row = domain_row(&app, HOST).await;
    while row.check_attempts < 12 {
        clock.set(row.next_check_at);
        run_jobs(&app).await;
        row = domain_row(&app, HOST).await;
    }
    assert_eq!((row.next_check_at.unwrap() - clock.now()).num_hours(), 6);
    // Seven days after it was added, the next failed check fails the domain.
    clock.set(Some(created + Duration::days(7) + Duration::minutes(1)));
    run_jobs(&app).await;
    let row = domain_row(&app, HOST).await;
    assert_eq!(row.status.as_str(), "FAILED");
    assert!(row.next_check_at.is_none());
    let staff = app.staff_token().await;
    let log = app
        .ok(
            ROOT,
            Some(&staff),
            "{ auditLog(action: \"tenant.domain_verification_failed\") { totalCount edges { node { details actor { email } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(log["auditLog"]["totalCount"], 1);
    assert!(log["auditLog"]["edges"][0]["node"]["actor"].is_null());
    // Creating the record later and asking again brings it back.
    let token = d["verificationRecord"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    dns.set(
        "_gateway-verify.partners.acme-brand.test",
        Answer::Txt(vec![token]),
    );
    let v = verify(&app, &b, d["id"].as_str().unwrap()).await;
    assert_eq!(v["status"], "VERIFIED");
}

#[tokio::test]
async fn verified_domains_are_rechecked_daily_and_a_lost_record_is_reported() {
    let (app, dns, b) = setup().await;
    let clock = &app.state.services.clock;
    let name = "_gateway-verify.partners.acme-brand.test";
    let d = add(&app, &b, HOST).await;
    let token = d["verificationRecord"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    dns.set(name, Answer::Txt(vec![token]));
    // The scheduler verifies it on its first retry.
    clock.advance(Duration::minutes(1));
    run_jobs(&app).await;
    assert_eq!(domain_row(&app, HOST).await.status.as_str(), "VERIFIED");
    // The record is deleted; the daily re-check finds out and reports it once.
    dns.remove(name);
    for _ in 0..3 {
        clock.advance(Duration::days(1));
        run_jobs(&app).await;
    }
    let row = domain_row(&app, HOST).await;
    assert_eq!(
        row.status.as_str(),
        "VERIFIED",
        "a live domain is not dropped"
    );
    assert_eq!(row.last_check.as_deref(), Some("FAILED"));
    assert!(row.last_error.unwrap().contains("no TXT record"));
    assert_eq!(slug_on(&app, HOST).await.unwrap(), "acme");
    let staff = app.staff_token().await;
    let log = app
        .ok(
            ROOT,
            Some(&staff),
            "{ auditLog(action: \"tenant.domain_record_lost\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(log["auditLog"]["totalCount"], 1);
    // The metric tells operators too.
    let text = app.scrape_metrics().await;
    assert!(
        text.contains(r#"tenant_domains{status="VERIFIED",last_check="FAILED"} 1"#),
        "{text}"
    );
}

const BELL: &str = "{ notifications(first: 10) { edges { node { kind title body link } } } }";

/// The bell of `email` on `host`, signed in afresh (the clock may have moved past a token).
async fn bell(app: &TestApp, host: &str, email: &str) -> Vec<Value> {
    let token = app.log_in(host, email, PASSWORD).await;
    app.ok(host, Some(&token), BELL, json!({})).await["notifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[tokio::test]
async fn the_brands_admins_are_told_when_a_domain_is_verified_and_when_its_record_is_lost() {
    let (app, dns, b) = setup().await;
    let clock = &app.state.services.clock;
    let name = "_gateway-verify.partners.acme-brand.test";
    // Others who must hear nothing: a plain user of the brand, and another brand's admin.
    app.sign_up(&b.host, "someone@acme.test").await;
    let (_, other_host) = app.tenant("beta").await;
    app.tenant_admin_token("beta", &other_host).await;
    let d = add(&app, &b, HOST).await;
    let token = d["verificationRecord"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    dns.set(name, Answer::Txt(vec![token.clone()]));
    clock.advance(Duration::minutes(1));
    run_jobs(&app).await;
    app.fan_out().await;
    let told = bell(&app, &b.host, "admin@acme.example").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["kind"], "CUSTOM_DOMAIN");
    // The brand's admin reads Russian, the brand's default language.
    assert_eq!(told[0]["title"], format!("Домен {HOST} подтверждён"));
    assert!(
        told[0]["link"]
            .as_str()
            .unwrap()
            .ends_with("/settings/domains")
    );

    // The record is deleted: the daily re-checks report it once, by bell and by email.
    dns.remove(name);
    for _ in 0..3 {
        clock.advance(Duration::days(1));
        run_jobs(&app).await;
        app.fan_out().await;
    }
    let told = bell(&app, &b.host, "admin@acme.example").await;
    assert_eq!(told.len(), 2, "{told:?}");
    assert_eq!(told[0]["title"], told_in_russian("domain-lost-title"));
    let body = told[0]["body"].as_str().unwrap();
    assert!(body.contains("no TXT record"), "{body}");
    assert!(
        body.contains(&format!("TXT {name} = \"{token}\"")),
        "{body}"
    );
    let mail = app
        .outbox_email("admin@acme.example", "CUSTOM_DOMAIN")
        .await
        .expect("the admins are mailed");
    assert_eq!(mail.subject, told_in_russian("domain-lost-title"));
    // Nobody else hears of it.
    assert!(bell(&app, &b.host, "someone@acme.test").await.is_empty());
    assert!(
        bell(&app, &other_host, "admin@beta.example")
            .await
            .is_empty()
    );
    assert!(
        app.outbox_email("someone@acme.test", "CUSTOM_DOMAIN")
            .await
            .is_none()
    );
    assert!(
        app.outbox_email("admin@beta.example", "CUSTOM_DOMAIN")
            .await
            .is_none()
    );
}

#[tokio::test]
async fn the_brands_admins_are_told_when_a_pending_domain_is_not_proven_in_time() {
    let (app, _dns, b) = setup().await;
    let clock = &app.state.services.clock;
    add(&app, &b, HOST).await;
    let created = clock.now();
    clock.set(Some(created + Duration::days(7) + Duration::minutes(1)));
    run_jobs(&app).await;
    app.fan_out().await;
    let told = bell(&app, &b.host, "admin@acme.example").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["title"], told_in_russian("domain-failed-title"));
    assert!(
        told[0]["body"]
            .as_str()
            .unwrap()
            .contains("TXT _gateway-verify.partners.acme-brand.test")
    );
}

#[tokio::test]
async fn a_host_belongs_to_one_tenant_and_others_get_nothing() {
    let (app, dns, a) = setup().await;
    let (bid, bhost) = app.tenant("beta").await;
    let b = Brand {
        id: bid,
        admin: app.tenant_admin_token("beta", &bhost).await,
        host: bhost,
    };
    let da = add(&app, &a, HOST).await;
    // Beta claims the same host while Acme has not proven it: both claims stand, neither
    // pushes the other out (nor can Acme claim it twice).
    let db = add(&app, &b, HOST).await;
    assert_eq!(db["status"], "PENDING");
    let claim_of_acme = || async {
        let d = app.ok(&a.host, Some(&a.admin), DOMAINS, json!({})).await;
        d["tenant"]["domains"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["host"] == HOST)
            .cloned()
    };
    assert_eq!(claim_of_acme().await.unwrap()["status"], "PENDING");
    let r = app
        .post(
            &a.host,
            Some(&a.admin),
            ADD,
            json!({ "i": { "tenantId": a.id, "host": HOST } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "CONFLICT");
    // Beta proves it with Beta's token (Acme's would not do).
    let name = "_gateway-verify.partners.acme-brand.test";
    dns.set(
        name,
        Answer::Txt(vec![
            da["verificationRecord"]["value"].as_str().unwrap().into(),
        ]),
    );
    assert_eq!(
        verify(&app, &b, db["id"].as_str().unwrap()).await["lastCheck"],
        "FAILED"
    );
    dns.set(
        name,
        Answer::Txt(vec![
            db["verificationRecord"]["value"].as_str().unwrap().into(),
        ]),
    );
    assert_eq!(
        verify(&app, &b, db["id"].as_str().unwrap()).await["status"],
        "VERIFIED"
    );
    assert_eq!(slug_on(&app, HOST).await.unwrap(), "beta");
    // The first to prove wins; Acme's claim ends, told only that another brand proved it.
    let ended = claim_of_acme().await.unwrap();
    assert_eq!(ended["status"], "FAILED", "{ended}");
    assert_eq!(ended["lastError"], "proved by another brand");
    assert!(ended["nextCheckAt"].is_null());
    // Acme's record appearing later changes nothing: the host is Beta's.
    dns.set(
        name,
        Answer::Txt(vec![
            da["verificationRecord"]["value"].as_str().unwrap().into(),
        ]),
    );
    let again = verify(&app, &a, da["id"].as_str().unwrap()).await;
    assert_eq!(again["status"], "FAILED", "{again}");
    assert_eq!(again["lastError"], "proved by another brand");
    assert_eq!(slug_on(&app, HOST).await.unwrap(), "beta");
    // Now the host is Beta's: Acme cannot add it.
    let r = app
        .post(
            &a.host,
            Some(&a.admin),
            ADD,
            json!({ "i": { "tenantId": a.id, "host": HOST } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "CONFLICT");
    assert_eq!(first_field(&r.body), "host");
    // Acme's admin cannot verify, make primary or remove Beta's domain: not found.
    for q in [VERIFY, PRIMARY, REMOVE] {
        let r = app
            .post(&a.host, Some(&a.admin), q, json!({ "d": db["id"] }))
            .await;
        assert_eq!(first_code(&r.body), "NOT_FOUND", "{q}");
    }
    // Nor add a domain to Beta.
    let r = app
        .post(
            &a.host,
            Some(&a.admin),
            ADD,
            json!({ "i": { "tenantId": b.id, "host": "x.acme-brand.test" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
    // A member without the admin role gets nothing either; an admin cannot add a
    // platform subdomain (staff only).
    let (user, _, _) = app.sign_up(&a.host, "member@example.com").await;
    let r = app
        .post(
            &a.host,
            Some(&user),
            ADD,
            json!({ "i": { "tenantId": a.id, "host": "y.acme-brand.test" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    let r = app.post(&a.host, Some(&user), DOMAINS, json!({})).await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    let r = app
        .post(
            &a.host,
            Some(&a.admin),
            ADD,
            json!({ "i": { "tenantId": a.id, "host": "second.localhost" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
}

/// An app whose DNS checks go to a local server, and that server.
pub async fn app_with_dns() -> (TestApp, LocalDns) {
    let dns = LocalDns::start().await.unwrap();
    let addr = dns.addr;
    let app = TestApp::with_config(move |c| {
        c.dns_resolver = Some(addr);
        c.dns_timeout_ms = 300;
    })
    .await;
    (app, dns)
}

/// Publishes `host`'s TXT record with its tenant's token and has staff verify it.
pub async fn prove(app: &TestApp, dns: &LocalDns, host: &str) {
    let row = domain_row(app, &host.to_lowercase()).await;
    let token = {
        use sea_orm::EntityTrait;
        entities::tenant::Entity::find_by_id(row.tenant_id)
            .one(app.db())
            .await
            .unwrap()
            .unwrap()
            .verification_token
    };
    dns.set(
        &format!("_gateway-verify.{}", row.host),
        Answer::Txt(vec![token]),
    );
    let staff = app.staff_token().await;
    let id = resolvers::ids::encode(resolvers::ids::Kind::TenantDomain, row.id).0;
    let d = app.ok(ROOT, Some(&staff), VERIFY, json!({ "d": id })).await;
    assert_eq!(d["verifyTenantDomain"]["domain"]["status"], "VERIFIED");
}

#[tokio::test]
async fn a_verified_domain_whose_record_stays_wrong_for_seven_days_stops_routing() {
    let (app, dns, b) = setup().await;
    let clock = &app.state.services.clock;
    let name = "_gateway-verify.partners.acme-brand.test";
    let d = add(&app, &b, HOST).await;
    let token = d["verificationRecord"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    dns.set(name, Answer::Txt(vec![token.clone()]));
    let id = d["id"].as_str().unwrap().to_string();
    assert_eq!(verify(&app, &b, &id).await["status"], "VERIFIED");
    app.ok(&b.host, Some(&b.admin), PRIMARY, json!({ "d": id }))
        .await;
    // The host changes hands: its record is gone. Daily re-checks find it missing; a day
    // the resolver cannot be asked says nothing either way.
    dns.remove(name);
    for day in 1..=7 {
        clock.advance(Duration::days(1));
        if day == 3 {
            dns.set(name, Answer::ServFail);
        } else {
            dns.remove(name);
        }
        run_jobs(&app).await;
        assert_eq!(
            domain_row(&app, HOST).await.status.as_str(),
            "VERIFIED",
            "day {day}: still routing"
        );
        assert_eq!(slug_on(&app, HOST).await.unwrap(), "acme");
    }
    // Seven days after the first failed re-check, still wrong: it stops routing.
    clock.advance(Duration::days(1) + Duration::minutes(1));
    run_jobs(&app).await;
    let row = domain_row(&app, HOST).await;
    assert_eq!(row.status.as_str(), "EXPIRED");
    assert!(!row.is_primary, "links move back to the platform subdomain");
    assert_eq!(slug_on(&app, HOST).await.unwrap_err(), "TENANT_NOT_FOUND");
    let t = app
        .ok(&b.host, None, "{ tenant { primaryDomain } }", json!({}))
        .await;
    assert_eq!(t["tenant"]["primaryDomain"], b.host);
    // The admins were told on the first failure and on expiry.
    app.fan_out().await;
    let titles: Vec<String> = bell(&app, &b.host, "admin@acme.example")
        .await
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_string())
        .collect();
    assert!(
        titles.contains(&told_in_russian("domain-lost-title")),
        "{titles:?}"
    );
    assert!(
        titles.contains(&told_in_russian("domain-expired-title")),
        "{titles:?}"
    );
    let staff = app.staff_token().await;
    let log = app
        .ok(
            ROOT,
            Some(&staff),
            "{ auditLog(action: \"tenant.domain_expired\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(log["auditLog"]["totalCount"], 1);
    // Its new owner can now add and prove it.
    let (nid, nhost) = app.tenant("newowner").await;
    let n = Brand {
        id: nid,
        admin: app.tenant_admin_token("newowner", &nhost).await,
        host: nhost,
    };
    let nd = add(&app, &n, HOST).await;
    dns.set(
        name,
        Answer::Txt(vec![
            nd["verificationRecord"]["value"].as_str().unwrap().into(),
        ]),
    );
    assert_eq!(
        verify(&app, &n, nd["id"].as_str().unwrap()).await["status"],
        "VERIFIED"
    );
    assert_eq!(slug_on(&app, HOST).await.unwrap(), "newowner");
}

/// Two brands proving one host at the same moment (both tokens published): exactly one
/// wins, decided by the unique index on verified hosts; the other ends `FAILED`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_two_brands_proving_one_host_at_once_exactly_one_wins() {
    let (app, dns, a) = setup().await;
    let (bid, bhost) = app.tenant("beta").await;
    let b = Brand {
        id: bid,
        admin: app.tenant_admin_token("beta", &bhost).await,
        host: bhost,
    };
    for round in 0..5 {
        let host = format!("race{round}.acme-brand.test");
        let da = add(&app, &a, &host).await;
        let db = add(&app, &b, &host).await;
        dns.set(
            &format!("_gateway-verify.{host}"),
            Answer::Txt(vec![
                da["verificationRecord"]["value"].as_str().unwrap().into(),
                db["verificationRecord"]["value"].as_str().unwrap().into(),
            ]),
        );
        let va = app.spawn_post(&a.host, Some(&a.admin), VERIFY, json!({ "d": da["id"] }));
        let vb = app.spawn_post(&b.host, Some(&b.admin), VERIFY, json!({ "d": db["id"] }));
        let (ra, rb) = (va.await.unwrap(), vb.await.unwrap());
        let statuses: Vec<String> = [&ra, &rb]
            .iter()
            .map(|r| {
                r.body["data"]["verifyTenantDomain"]["domain"]["status"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{}", r.body))
                    .to_string()
            })
            .collect();
        let mut sorted = statuses.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            ["FAILED", "VERIFIED"],
            "round {round}: {statuses:?}"
        );
        let winner = if statuses[0] == "VERIFIED" {
            "acme"
        } else {
            "beta"
        };
        assert_eq!(slug_on(&app, &host).await.unwrap(), winner);
        let loser = if statuses[0] == "VERIFIED" { &rb } else { &ra };
        assert_eq!(
            loser.body["data"]["verifyTenantDomain"]["domain"]["lastError"],
            "proved by another brand"
        );
    }
}

/// `GET /tls/ask?domain=…` with `Host: via`: the status and whether the body is empty.
async fn tls_ask(app: &TestApp, via: &str, domain: Option<&str>) -> (u16, bool) {
    let uri = match domain {
        Some(d) => format!("/tls/ask?domain={d}"),
        None => "/tls/ask".to_string(),
    };
    let req = axum::http::Request::get(uri)
        .header("host", via)
        .body(axum::body::Body::empty())
        .unwrap();
    let r = app.send(req).await;
    (r.status.as_u16(), r.body == Value::String(String::new()))
}

const TLS: &str = "{ tenant { domains { host tlsReady } } }";

async fn tls_ready(app: &TestApp, b: &Brand, host: &str) -> bool {
    let all = app.ok(&b.host, Some(&b.admin), TLS, json!({})).await;
    all["tenant"]["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["host"] == host)
        .unwrap()["tlsReady"]
        .as_bool()
        .unwrap()
}

#[tokio::test]
async fn the_tls_ask_allows_only_verified_hosts_whatever_the_host_asking() {
    let (app, dns, b) = setup().await;
    let d = add(&app, &b, HOST).await;
    let id = d["id"].as_str().unwrap().to_string();
    let token = d["verificationRecord"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    // Asked through any host, known or not: the answer is about `domain` only.
    for via in ["unknown.example", "localhost", b.host.as_str()] {
        // Pending: no certificate, and nothing recorded.
        assert_eq!(tls_ask(&app, via, Some(HOST)).await, (404, true));
        // Unknown hosts, addresses, ports, garbage and a missing parameter: no.
        assert_eq!(
            tls_ask(&app, via, Some("nobody.example")).await,
            (404, true)
        );
        assert_eq!(tls_ask(&app, via, Some("127.0.0.1")).await, (404, true));
        assert_eq!(tls_ask(&app, via, Some("acme.localhost:8443")).await.0, 404);
        assert_eq!(tls_ask(&app, via, Some("%00..")).await.0, 404);
        assert_eq!(tls_ask(&app, via, None).await, (400, true));
    }
    assert!(!tls_ready(&app, &b, HOST).await);
    assert!(domain_row(&app, HOST).await.tls_allowed_at.is_none());
    // The brand's platform subdomain is verified by construction.
    assert_eq!(
        tls_ask(&app, "unknown.example", Some(&b.host)).await,
        (200, true)
    );
    assert!(tls_ready(&app, &b, &b.host).await);

    // Proven: allowed, in any letter case, and the brand's admins see it.
    dns.set(
        "_gateway-verify.partners.acme-brand.test",
        Answer::Txt(vec![token]),
    );
    assert_eq!(verify(&app, &b, &id).await["status"], "VERIFIED");
    assert_eq!(
        tls_ask(&app, "unknown.example", Some("Partners.Acme-Brand.test")).await,
        (200, true)
    );
    assert!(tls_ready(&app, &b, HOST).await);
    let first = domain_row(&app, HOST).await.tls_allowed_at.unwrap();
    // A later ask changes nothing.
    app.state
        .services
        .clock
        .set(Some(app.state.services.clock.now() + Duration::hours(1)));
    assert_eq!(tls_ask(&app, "localhost", Some(HOST)).await, (200, true));
    assert_eq!(domain_row(&app, HOST).await.tls_allowed_at, Some(first));

    // Removed: refused at once, read from the database rather than a map.
    app.ok(&b.host, Some(&b.admin), REMOVE, json!({ "d": id }))
        .await;
    assert_eq!(tls_ask(&app, "localhost", Some(HOST)).await, (404, true));
}

/// A custom-domain notice's title as the brand's Russian-speaking admin reads it.
fn told_in_russian(key: &str) -> String {
    domain::kernel::i18n::tr("ru", key, &[("host", HOST.into())])
}
