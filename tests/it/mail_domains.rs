//! Mail from the brand's own domain (issue 27): a sender address is used only once the
//! brand proves its domain (TXT `_gateway-mail.<domain>` with the brand's token, and the
//! relay's SPF include), checked by the same resolver as custom domains; until then the
//! mail goes from the platform's address under the brand's name with `Reply-To` the
//! brand's address. The records to create are listed from settings. Real SMTP (a local
//! sink) and real DNS (a local authoritative server).

use partner_gateway::config::Secret;
use partner_gateway::dev::local_dns::{Answer, LocalDns};
use serde_json::{Value, json};

use crate::support::*;
use partner_gateway::dev::local_smtp::MailSink;

const DOMAIN: &str = "acme-mail.test";
const MAIL: &str = "{ tenant { mailDomain { domain status inUse verifiedAt lastCheckedAt lastError records { purpose type name value } } } }";
const VERIFY: &str = "mutation($i: VerifyTenantMailDomainInput!) { verifyTenantMailDomain(input: $i) { tenant { mailDomain { status inUse lastError } } } }";
const UPDATE: &str =
    "mutation($i: UpdateTenantInput!) { updateTenant(input: $i) { tenant { slug } } }";
const RESET: &str =
    "mutation($e: String!) { requestPasswordReset(input: { email: $e }) { accepted } }";

struct Setup {
    app: TestApp,
    dns: LocalDns,
    sink: MailSink,
    id: String,
    host: String,
    admin: String,
}

async fn setup() -> Setup {
    let dns = LocalDns::start().await.unwrap();
    let sink = MailSink::start().unwrap();
    let (addr, url) = (dns.addr, sink.url());
    let app = TestApp::with_config(move |c| {
        c.dns_resolver = Some(addr);
        c.dns_timeout_ms = 300;
        c.smtp_url = Some(Secret(url));
        c.email_from = "no-reply@platform.example".into();
        c.mail_spf_include = Some("_spf.relay.example".into());
        c.mail_dkim_records = Some("s1._domainkey CNAME s1.dkim.relay.example".into());
    })
    .await;
    let (id, host) = app.tenant("acme").await;
    let admin = app.tenant_admin_token("acme", &host).await;
    app.ok(
        &host,
        Some(&admin),
        UPDATE,
        json!({ "i": { "emailSenderName": "Acme Messaging", "emailSenderAddress": format!("hello@{DOMAIN}") } }),
    )
    .await;
    Setup {
        app,
        dns,
        sink,
        id,
        host,
        admin,
    }
}

/// The `From` and `Reply-To` of the newest reset email to `to`, as sent.
async fn sent_reset(s: &Setup, to: &str) -> (String, Option<String>) {
    s.app.ok(&s.host, None, RESET, json!({ "e": to })).await;
    domain::notifications::delivery::run(&s.app.state.services)
        .await
        .unwrap();
    let m = s.sink.to(to).pop().expect("an email");
    (m.header("From").unwrap(), m.header("Reply-To"))
}

async fn verify(s: &Setup) -> Value {
    s.app
        .ok(
            &s.host,
            Some(&s.admin),
            VERIFY,
            json!({ "i": { "tenantId": s.id } }),
        )
        .await["verifyTenantMailDomain"]["tenant"]["mailDomain"]
        .clone()
}

#[tokio::test]
async fn the_brands_own_address_is_used_only_once_its_domain_is_proven() {
    let s = setup().await;
    let (app, host) = (&s.app, s.host.as_str());
    app.sign_up(host, "reader@example.com").await;
    let token: String = {
        use sea_orm::EntityTrait;
        entities::tenant::Entity::find_by_id(raw(&s.id))
            .one(app.db())
            .await
            .unwrap()
            .unwrap()
            .verification_token
    };

    // Pending: the records to create are listed, and mail goes from the platform.
    let d = app.ok(host, Some(&s.admin), MAIL, json!({})).await;
    let m = &d["tenant"]["mailDomain"];
    assert_eq!(m["domain"], DOMAIN);
    assert_eq!(m["status"], "PENDING");
    assert_eq!(m["inUse"], false);
    assert_eq!(
        m["records"],
        json!([
            { "purpose": "VERIFY", "type": "TXT", "name": format!("_gateway-mail.{DOMAIN}"), "value": token },
            { "purpose": "SPF", "type": "TXT", "name": DOMAIN, "value": "v=spf1 include:_spf.relay.example ~all" },
            { "purpose": "DKIM", "type": "CNAME", "name": format!("s1._domainkey.{DOMAIN}"), "value": "s1.dkim.relay.example" },
        ])
    );
    let (from, reply_to) = sent_reset(&s, "reader@example.com").await;
    assert!(from.ends_with("<no-reply@platform.example>"), "{from}");
    assert!(from.contains("Acme Messaging"), "{from}");
    assert!(reply_to.unwrap().ends_with(&format!("<hello@{DOMAIN}>")));

    // No record yet; then the token without the relay's SPF include: still pending.
    let m = verify(&s).await;
    assert_eq!(m["status"], "PENDING");
    assert_eq!(
        m["lastError"],
        format!("no TXT record at _gateway-mail.{DOMAIN}")
    );
    s.dns.set(
        &format!("_gateway-mail.{DOMAIN}"),
        Answer::Txt(vec![token.clone()]),
    );
    s.dns.set(
        DOMAIN,
        Answer::Txt(vec!["v=spf1 include:_spf.other.example -all".into()]),
    );
    let m = verify(&s).await;
    assert_eq!(m["status"], "PENDING");
    assert!(
        m["lastError"]
            .as_str()
            .unwrap()
            .contains("include:_spf.relay.example"),
        "{m}"
    );
    let (from, _) = sent_reset(&s, "reader@example.com").await;
    assert!(from.ends_with("<no-reply@platform.example>"), "{from}");

    // Both records: proven, and the brand's own address is used, with no Reply-To.
    s.dns.set(
        DOMAIN,
        Answer::Txt(vec![
            // SPF terms are case-insensitive and may carry the `+` qualifier.
            "v=spf1 +include:_SPF.Relay.example include:_spf.other.example ~all".into(),
        ]),
    );
    let m = verify(&s).await;
    assert_eq!(m["status"], "VERIFIED");
    assert_eq!(m["inUse"], true);
    assert_eq!(m["lastError"], Value::Null);
    let (from, reply_to) = sent_reset(&s, "reader@example.com").await;
    assert!(from.ends_with(&format!("<hello@{DOMAIN}>")), "{from}");
    assert_eq!(reply_to, None);

    // Another domain is unproven again, even with the same token.
    app.ok(
        host,
        Some(&s.admin),
        UPDATE,
        json!({ "i": { "emailSenderAddress": "news@other-mail.test" } }),
    )
    .await;
    let d = app.ok(host, Some(&s.admin), MAIL, json!({})).await;
    assert_eq!(d["tenant"]["mailDomain"]["status"], "PENDING");
    let (from, reply_to) = sent_reset(&s, "reader@example.com").await;
    assert!(from.ends_with("<no-reply@platform.example>"), "{from}");
    assert!(reply_to.unwrap().ends_with("<news@other-mail.test>"));
}

#[tokio::test]
async fn only_the_brands_admins_and_staff_check_its_mail_domain() {
    let s = setup().await;
    let (app, host) = (&s.app, s.host.as_str());
    let input = json!({ "i": { "tenantId": s.id } });
    // A person of the brand who is not its admin.
    let (person, _, _) = app.sign_up(host, "person@example.com").await;
    assert_eq!(
        app.err_code(host, Some(&person), VERIFY, input.clone())
            .await,
        "FORBIDDEN"
    );
    let d = app.post(host, Some(&person), MAIL, json!({})).await;
    assert_eq!(first_code(&d.body), "FORBIDDEN");
    // Another brand's admin.
    let (_, other_host) = app.tenant("other").await;
    let other = app.tenant_admin_token("other", &other_host).await;
    assert_eq!(
        app.err_code(&other_host, Some(&other), VERIFY, input.clone())
            .await,
        "NOT_FOUND"
    );
    // Staff may.
    let staff = app.staff_token().await;
    let d = app.ok(ROOT, Some(&staff), VERIFY, input).await;
    assert_eq!(
        d["verifyTenantMailDomain"]["tenant"]["mailDomain"]["status"],
        "PENDING"
    );
}

/// The scheduler re-checks sender domains with the custom domains' statuses: a domain not
/// proven within 7 days is `FAILED`; a proven one whose record stays missing for 7 days is
/// `EXPIRED` and its mail goes from the platform's address again. Time moves by the clock.
#[tokio::test]
async fn the_scheduler_fails_an_unproven_domain_and_expires_a_lost_one() {
    let s = setup().await;
    let (app, host) = (&s.app, s.host.as_str());
    let clock = &app.state.services.clock;
    clock.set(Some(chrono::Utc::now()));
    let status = || async {
        app.ok(host, Some(&s.admin), MAIL, json!({})).await["tenant"]["mailDomain"].clone()
    };
    let run_jobs = || async {
        domain::jobs::run_due(&app.state.services).await.unwrap();
    };
    // The address was set just now: still pending after a few days of failed checks.
    for _ in 0..6 {
        clock.advance(chrono::Duration::days(1));
        run_jobs().await;
    }
    let m = status().await;
    assert_eq!(m["status"], "PENDING", "{m}");
    assert!(
        m["lastCheckedAt"].is_string(),
        "the scheduler checked it: {m}"
    );
    clock.advance(chrono::Duration::days(1) + chrono::Duration::hours(7));
    run_jobs().await;
    assert_eq!(status().await["status"], "FAILED");

    // The admin creates the records and checks: proven, even after failing.
    let token = status().await["records"][0]["value"]
        .as_str()
        .unwrap()
        .to_string();
    s.dns
        .set(&format!("_gateway-mail.{DOMAIN}"), Answer::Txt(vec![token]));
    s.dns.set(
        DOMAIN,
        Answer::Txt(vec!["v=spf1 include:_spf.relay.example ~all".into()]),
    );
    assert_eq!(verify(&s).await["status"], "VERIFIED");

    // The proof goes away: a week of grace (still used, the finding shown), then expired.
    s.dns.set(
        &format!("_gateway-mail.{DOMAIN}"),
        Answer::Txt(vec!["something else".into()]),
    );
    clock.advance(chrono::Duration::days(1) + chrono::Duration::minutes(1));
    run_jobs().await;
    let m = status().await;
    assert_eq!(
        (m["status"].as_str(), m["inUse"].as_bool()),
        (Some("VERIFIED"), Some(true)),
        "{m}"
    );
    assert!(m["lastError"].as_str().unwrap().contains("token"), "{m}");
    for _ in 0..7 {
        clock.advance(chrono::Duration::days(1) + chrono::Duration::minutes(1));
        run_jobs().await;
    }
    let m = status().await;
    assert_eq!(
        (m["status"].as_str(), m["inUse"].as_bool()),
        (Some("EXPIRED"), Some(false)),
        "{m}"
    );
    app.sign_up(host, "late@example.com").await;
    let (from, _) = sent_reset(&s, "late@example.com").await;
    assert!(from.ends_with("<no-reply@platform.example>"), "{from}");
}
