//! The binary's commands, run as a newcomer would: `export-schema`, `seed-demo`, `migrate`,
//! and `serve` over a real socket with a graceful stop.

use std::process::Command;

use serde_json::{Value, json};

use crate::support::*;

const BIN: &str = env!("CARGO_BIN_EXE_partner-gateway");

fn run(app: &TestApp, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", app.database_url())
        .env("DATA_DIR", app.data_dir())
        .env("BOOTSTRAP_ADMIN_EMAIL", "boot@platform.example")
        .env("BOOTSTRAP_ADMIN_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run the binary")
}

#[tokio::test]
async fn export_schema_prints_the_checked_in_sdl() {
    let app = TestApp::new().await;
    let out = run(&app, &["export-schema"]);
    assert!(out.status.success());
    let checked_in = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/schema.graphql"
    ))
    .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), checked_in);
}

#[tokio::test]
async fn seed_demo_is_idempotent_and_every_demo_account_signs_in() {
    let app = TestApp::new().await;
    for _ in 0..2 {
        let out = run(&app, &["seed-demo"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("http://acme.localhost:8080/graphql"),
            "{stdout}"
        );
        assert!(stdout.contains("owner@acme.example"), "{stdout}");
    }
    app.state.services.registry.reload(app.db()).await.unwrap();
    let acme = app
        .ok(
            "acme.localhost",
            None,
            "{ tenant { displayName branding { primaryColor } } }",
            json!({}),
        )
        .await;
    assert_eq!(acme["tenant"]["displayName"], "Acme Messaging");
    assert_eq!(acme["tenant"]["branding"]["primaryColor"], "#E4572E");
    // Both brands have the demo price list, once however often the seed runs.
    for host in ["acme.localhost", ROOT] {
        let c = app
            .ok(
                host,
                None,
                "{ catalogue { currency periods channelKinds { code personal monthlyPrice } coinPackages { code coins price } } }",
                json!({}),
            )
            .await;
        let kinds = c["catalogue"]["channelKinds"].as_array().unwrap();
        let codes: Vec<&str> = kinds.iter().map(|k| k["code"].as_str().unwrap()).collect();
        assert_eq!(
            codes,
            [
                "WHATSAPP",
                "TELEGRAM",
                "MAX",
                "WABA",
                "INSTAGRAM",
                "VK",
                "AVITO"
            ],
            "{host}"
        );
        assert_eq!(kinds[0]["monthlyPrice"], "1500.00");
        assert_eq!(kinds[0]["personal"], true);
        assert_eq!(kinds[3]["monthlyPrice"], "1000.00");
        assert_eq!(kinds[3]["personal"], false);
        assert_eq!(c["catalogue"]["coinPackages"].as_array().unwrap().len(), 3);
        assert_eq!(c["catalogue"]["periods"], json!([1, 3, 6, 12]));
    }
    let root = app
        .ok(
            ROOT,
            None,
            "{ tenant { displayName branding { primaryColor } } }",
            json!({}),
        )
        .await;
    assert_ne!(
        root["tenant"]["branding"]["primaryColor"],
        acme["tenant"]["branding"]["primaryColor"]
    );
    app.log_in("acme.localhost", "owner@acme.example", "demo-password-1")
        .await;
    // The demo partner sees its clients' lines in every state, once however often the
    // seed ran.
    let pat = app
        .log_in("acme.localhost", "partner@acme.example", "demo-password-1")
        .await;
    let d = app
        .ok(
            "acme.localhost",
            Some(&pat),
            "{ viewer { organizations { partner { id } } } }",
            json!({}),
        )
        .await;
    let pid = d["viewer"]["organizations"][0]["partner"]["id"].clone();
    // Each brand's demo partner has money: withdrawable above 15,000.00, a pending reward,
    // a bonus, requisites and one withdrawal in each state, once however often the seed ran.
    let root_partner = app
        .log_in(ROOT, "partner@demo.example", "demo-password-1")
        .await;
    for (host, token) in [("acme.localhost", &pat), (ROOT, &root_partner)] {
        let d = app
            .ok(
                host,
                Some(token),
                "{ viewer { organizations { partner { id status } } } }",
                json!({}),
            )
            .await;
        let partner = &d["viewer"]["organizations"][0]["partner"];
        assert_eq!(partner["status"], "APPROVED", "{host}");
        let m = app
            .ok(
                host,
                Some(token),
                "query($p: ID!) { partner(id: $p) { balance { rewards bonuses held pending withdrawable } payoutRequisites { ... on RuBankRequisites { inn } } withdrawals { edges { node { status dueAt } } } ledger { totalCount } } }",
                json!({ "p": partner["id"] }),
            )
            .await;
        assert_eq!(
            m["partner"]["balance"],
            json!({ "rewards": "53800.00", "bonuses": "1500.00", "held": "15000.00", "pending": "4800.00", "withdrawable": "34000.00" }),
            "{host}"
        );
        assert_eq!(m["partner"]["payoutRequisites"]["inn"], "7707083893");
        let states: Vec<&str> = m["partner"]["withdrawals"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["status"].as_str().unwrap())
            .collect();
        assert_eq!(
            states,
            [
                "PAID",
                "REJECTED",
                "APPROVED",
                "DOCUMENTS_SENT",
                "REQUESTED"
            ],
            "{host}"
        );
        assert_eq!(m["partner"]["ledger"]["totalCount"], 12, "{host}");
        // The open ones have the deadline of their step; the closed ones none.
        for e in m["partner"]["withdrawals"]["edges"].as_array().unwrap() {
            let open = !matches!(e["node"]["status"].as_str(), Some("PAID" | "REJECTED"));
            assert_eq!(e["node"]["dueAt"].is_string(), open, "{host}: {e}");
        }
    }
    let count = |status: &str| {
        let (app, pat, pid) = (&app, pat.clone(), pid.clone());
        let status = status.to_string();
        async move {
            let d = app
                .ok("acme.localhost", Some(&pat), "query($p: ID!, $s: LineStatusFilter) { partner(id: $p) { clientLines(status: $s) { totalCount edges { node { lines { lineNumber } } } } } }", json!({ "p": pid, "s": if status.is_empty() { Value::Null } else { json!(status) } }))
                .await;
            d["partner"]["clientLines"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["lines"].as_array().unwrap().len())
                .sum::<usize>()
        }
    };
    assert_eq!(count("").await, 5);
    assert_eq!(count("EXPIRES_IN_7_DAYS").await, 1);
    assert_eq!(count("EXPIRES_IN_30_DAYS").await, 2);
    assert_eq!(count("EXPIRED").await, 1);
    assert_eq!(count("ACTIVE").await, 4);
    // The euro brand: its own ladders, SEPA payouts, a partner with clients, lines and money.
    let eu = app
        .ok(
            "eu.localhost",
            None,
            "{ tenant { currency payoutRail pricing { periods } } catalogue { periods } }",
            json!({}),
        )
        .await;
    assert_eq!(
        eu["tenant"],
        json!({ "currency": "EUR", "payoutRail": "SEPA", "pricing": { "periods": [1, 6, 12, 24] } })
    );
    assert_eq!(eu["catalogue"]["periods"], json!([1, 6, 12, 24]));
    app.log_in("eu.localhost", "owner@eu.example", "demo-password-1")
        .await;
    let eva = app
        .log_in("eu.localhost", "partner@eu.example", "demo-password-1")
        .await;
    let d = app
        .ok(
            "eu.localhost",
            Some(&eva),
            "{ viewer { language organizations { partner { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["viewer"]["language"], "DE");
    let m = app
        .ok(
            "eu.localhost",
            Some(&eva),
            "query($p: ID!) { partner(id: $p) { balance { withdrawable } payoutRequisites { ... on SepaRequisites { iban } } withdrawals { edges { node { currency dueAt requisites { __typename } } } } clientLines { totalCount } } }",
            json!({ "p": d["viewer"]["organizations"][0]["partner"]["id"] }),
        )
        .await;
    assert_eq!(m["partner"]["balance"]["withdrawable"], "34000.00");
    assert_eq!(
        m["partner"]["payoutRequisites"]["iban"],
        "DE89370400440532013000"
    );
    assert_eq!(
        m["partner"]["withdrawals"]["edges"][0]["node"],
        json!({ "currency": "EUR", "dueAt": null, "requisites": { "__typename": "SepaRequisites" } })
    );
    assert_eq!(m["partner"]["clientLines"]["totalCount"], 3);
    // The bootstrap admin from the environment is a platform admin of the root tenant.
    let staff = app.log_in(ROOT, "boot@platform.example", PASSWORD).await;
    let d = app
        .ok(ROOT, Some(&staff), "{ tenants { totalCount } }", json!({}))
        .await;
    assert_eq!(d["tenants"]["totalCount"], 3);
}

#[tokio::test]
async fn a_generated_bootstrap_password_is_returned_once_and_works() {
    let app = TestApp::new().await;
    let (email, password) = resolvers::tenancy::setup::ensure_platform_admin(app.db(), None, None)
        .await
        .unwrap()
        .unwrap();
    let password = password.expect("a generated password");
    assert!(password.len() >= 16);
    let again = resolvers::tenancy::setup::ensure_platform_admin(app.db(), None, None)
        .await
        .unwrap();
    assert!(again.is_none(), "the admin is created once");
    let token = app.log_in(ROOT, &email, &password).await;
    let d = app
        .ok(
            ROOT,
            Some(&token),
            "{ viewer { isPlatformAdmin } }",
            json!({}),
        )
        .await;
    assert_eq!(d["viewer"]["isPlatformAdmin"], true);
}

async fn http_get(port: u16, host: &str, path: &str) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nGraphQL-Require-Preflight: 1\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).await.ok()?;
    Some(buf)
}

/// `partner-gateway serve` on a free port of 127.0.0.1 with `env` added, once `/healthz`
/// answers (the child is killed if dropped).
pub async fn start_server(app: &TestApp, env: &[(&str, &str)]) -> (tokio::process::Child, u16) {
    start_server_with(app, &[], env).await
}

/// `partner-gateway serve <args>`, as [`start_server`].
pub async fn start_server_with(
    app: &TestApp,
    args: &[&str],
    env: &[(&str, &str)],
) -> (tokio::process::Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.arg("serve")
        .args(args)
        .env("DATABASE_URL", app.database_url())
        .env("DATA_DIR", app.data_dir())
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("BOOTSTRAP_ADMIN_EMAIL", "boot@platform.example")
        .env("BOOTSTRAP_ADMIN_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().unwrap();
    for _ in 0..200 {
        if let Some(r) = http_get(port, "localhost", "/healthz").await {
            assert!(r.starts_with("HTTP/1.1 200"), "{r}");
            return (child, port);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the server did not come up");
}

/// SIGTERM, then the exit status and what the server printed and logged (within 20
/// seconds).
pub async fn stop_server(child: tokio::process::Child) -> (std::process::ExitStatus, String) {
    let pid = child.id().unwrap();
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    let out = tokio::time::timeout(std::time::Duration::from_secs(20), child.wait_with_output())
        .await
        .expect("stopped in time")
        .unwrap();
    let mut log = String::from_utf8_lossy(&out.stdout).into_owned();
    log.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status, log)
}

#[tokio::test]
async fn serve_answers_over_a_socket_and_stops_gracefully() {
    let app = TestApp::new().await;
    let (child, port) = start_server(&app, &[]).await;
    let ready = http_get(port, "localhost", "/readyz").await.unwrap();
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    let page = http_get(
        port,
        "nowhere.example",
        "/graphql?query=%7Btenant%7Bslug%7D%7D",
    )
    .await
    .unwrap();
    assert!(page.starts_with("HTTP/1.1 404"), "{page}");
    assert!(page.contains("TENANT_NOT_FOUND"));
    // SIGTERM: the server finishes and exits cleanly.
    let (status, log) = stop_server(child).await;
    assert!(status.success(), "{status:?} {log}");
}

/// A GraphQL POST to the server on `port`, as `host`.
async fn graphql_on(port: u16, host: &str, token: Option<&str>, query: &str, vars: Value) -> Value {
    let mut req = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/graphql"))
        .header("host", host)
        .json(&json!({ "query": query, "variables": vars }));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn the_demo_proves_a_custom_domain_against_its_local_dns_and_routes_it() {
    let app = TestApp::new().await;
    let (child, port) = start_server_with(&app, &["--demo"], &[]).await;
    let acme = format!("acme.localhost:{port}");
    let token = demo_log_in(port, &acme, "owner@acme.example", "demo-password-1").await;
    let tenant = graphql_on(port, &acme, None, "{ tenant { id } }", json!({})).await;
    let added = graphql_on(
        port,
        &acme,
        Some(&token),
        "mutation($i: AddTenantDomainInput!) { addTenantDomain(input: $i) { domain { id status verificationRecord { name value } } } }",
        json!({ "i": { "tenantId": tenant["data"]["tenant"]["id"], "host": "partners.acme.test" } }),
    )
    .await;
    let domain = &added["data"]["addTenantDomain"]["domain"];
    assert_eq!(domain["status"], "PENDING", "{added}");
    let verify = "mutation($d: ID!) { verifyTenantDomain(input: { domainId: $d }) { domain { status lastError } } }";
    let vars = json!({ "d": domain["id"] });
    // Not in the records file yet: the local DNS says so.
    let v = graphql_on(port, &acme, Some(&token), verify, vars.clone()).await;
    let checked = &v["data"]["verifyTenantDomain"]["domain"];
    assert_eq!(checked["status"], "PENDING", "{v}");
    assert!(
        checked["lastError"]
            .as_str()
            .unwrap()
            .contains("no TXT record"),
        "{v}"
    );
    // The walkthrough's step: the record goes into the demo's records file.
    let file = app.data_dir().join("dns-records.txt");
    let mut records = std::fs::read_to_string(&file).unwrap();
    assert!(records.starts_with("# The records of the demo's local DNS server"));
    records.push_str(&format!(
        "{} TXT \"{}\"\n",
        domain["verificationRecord"]["name"].as_str().unwrap(),
        domain["verificationRecord"]["value"].as_str().unwrap()
    ));
    std::fs::write(&file, records).unwrap();
    let v = graphql_on(port, &acme, Some(&token), verify, vars).await;
    assert_eq!(
        v["data"]["verifyTenantDomain"]["domain"]["status"], "VERIFIED",
        "{v}"
    );
    // The custom domain now serves the brand.
    let on_domain = graphql_on(
        port,
        "partners.acme.test",
        None,
        "{ tenant { slug } }",
        json!({}),
    )
    .await;
    assert_eq!(on_domain["data"]["tenant"]["slug"], "acme", "{on_domain}");
    let (status, log) = stop_server(child).await;
    assert!(status.success(), "{status:?} {log}");
    assert!(log.contains("local DNS server at 127.0.0.1:"), "{log}");
}

#[tokio::test]
async fn run_jobs_once_runs_what_is_due_and_exits() {
    let app = TestApp::new().await;
    let p = crate::partners::partner(&app, ROOT, "cli-jobs", "OFFICIAL").await;
    let out = run(&app, &["run-jobs", "--once"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("nfr.grant: 1 item(s)"), "{stdout}");
    assert!(stdout.contains("8 job(s) ran"), "{stdout}");
    // The jobs' events are fanned out in the same run (the NFR grant tells nobody).
    assert!(
        stdout.contains("notifications: 1 event(s) fanned out"),
        "{stdout}"
    );
    // Nothing is due right after: a second run does nothing.
    let out = run(&app, &["run-jobs", "--once"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 job(s) ran"));
    use sea_orm::EntityTrait;
    let row = entities::partner::Entity::find_by_id(raw(&p.id))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert!(row.nfr_line_id.is_some());
}

/// Logs `email` in on `host` of the server on `port`: the access token.
async fn demo_log_in(port: u16, host: &str, email: &str, password: &str) -> String {
    let d = graphql_on(
        port,
        host,
        None,
        "mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }",
        json!({ "i": { "email": email, "password": password } }),
    )
    .await;
    d["data"]["logIn"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{d}"))
        .to_string()
}

/// Signs `email` in on `host` of the server on `port`; its token and its partner's id.
async fn demo_partner(port: u16, host: &str, email: &str) -> (String, String) {
    let token = demo_log_in(port, host, email, "demo-password-1").await;
    let d = graphql_on(
        port,
        host,
        Some(&token),
        "{ viewer { organizations { partner { id } } } }",
        json!({}),
    )
    .await;
    let partner = d["data"]["viewer"]["organizations"][0]["partner"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{d}"))
        .to_string();
    (token, partner)
}

/// On `host`, the demo partner (or, `as_client`, a client for itself) renews a line by
/// card and pays on the local checkout page: the provider that took it, and the order's
/// status afterwards.
async fn demo_card_renewal(port: u16, host: &str, email: &str, as_client: bool) -> (Value, Value) {
    let (token, renew) = if as_client {
        let token = demo_log_in(port, host, email, "demo-password-1").await;
        let d = graphql_on(
            port,
            host,
            Some(&token),
            "{ viewer { lines(first: 1) { edges { node { id } } } } }",
            json!({}),
        )
        .await;
        let line = d["data"]["viewer"]["lines"]["edges"][0]["node"]["id"].clone();
        assert!(line.is_string(), "{d}");
        let renew = json!({ "payer": "CLIENT", "renewals": { "lineIds": [line], "months": 1 } });
        (token, renew)
    } else {
        let (token, partner) = demo_partner(port, host, email).await;
        let d = graphql_on(
            port,
            host,
            Some(&token),
            "query($p: ID!) { partner(id: $p) { clientLines(first: 1) { edges { node { lines { id } } } } } }",
            json!({ "p": partner }),
        )
        .await;
        let line =
            d["data"]["partner"]["clientLines"]["edges"][0]["node"]["lines"][0]["id"].clone();
        let renew = json!({ "payer": "PARTNER", "partnerId": partner, "renewals": { "lineIds": [line], "months": 1 } });
        (token, renew)
    };
    let d = graphql_on(
        port,
        host,
        Some(&token),
        "mutation($i: CreateOrderInput!) { createOrder(input: $i) { order { id } } }",
        json!({ "i": { "order": renew } }),
    )
    .await;
    let order = d["data"]["createOrder"]["order"]["id"].clone();
    let d = graphql_on(
        port,
        host,
        Some(&token),
        "mutation($i: PayOrderInput!) { payOrder(input: $i) { payment { checkoutUrl provider } } }",
        json!({ "i": { "orderId": order, "method": "CARD" } }),
    )
    .await;
    let payment = d["data"]["payOrder"]["payment"].clone();
    let url = payment["checkoutUrl"]
        .as_str()
        .unwrap_or_else(|| panic!("{d}"));
    // The payer presses "Pay" on the provider's page; the provider tells the gateway.
    let paid = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{url}/pay"))
        .send()
        .await
        .unwrap();
    assert!(paid.status().as_u16() < 400, "{}", paid.status());
    let d = graphql_on(
        port,
        host,
        Some(&token),
        "query($id: ID!) { node(id: $id) { ... on Order { status } } }",
        json!({ "id": order }),
    )
    .await;
    (
        payment["provider"].clone(),
        d["data"]["node"]["status"].clone(),
    )
}

#[tokio::test]
async fn the_demo_brands_are_paid_by_card_into_their_own_accounts() {
    let app = TestApp::new().await;
    let (child, port) = start_server_with(&app, &["--demo"], &[]).await;
    // Rouble brands pay by YooKassa: the root brand into the platform's shop, Acme into
    // its own; the euro brand by Stripe into its own account. Clients pay for themselves,
    // partners for their clients.
    for (host, email, as_client, provider) in [
        (
            format!("localhost:{port}"),
            "partner@demo.example",
            false,
            "YOOKASSA",
        ),
        (
            format!("acme.localhost:{port}"),
            "anna@client.example",
            true,
            "YOOKASSA",
        ),
        (
            format!("acme.localhost:{port}"),
            "partner@acme.example",
            false,
            "YOOKASSA",
        ),
        (
            format!("eu.localhost:{port}"),
            "anna@client.example",
            true,
            "STRIPE",
        ),
    ] {
        let (took, status) = demo_card_renewal(port, &host, email, as_client).await;
        assert_eq!(took, provider, "{host}");
        assert_eq!(status, "PAID", "{host}");
    }
    // A partner of each brand withdraws on its rail and follows it to paid: the rouble
    // brand's with the paperwork calendar shown, the euro brand's (SEPA) without.
    for (host, partner, staff, amount, paperwork) in [
        (
            format!("localhost:{port}"),
            "partner@demo.example",
            ("boot@platform.example", PASSWORD),
            "5000.00",
            true,
        ),
        (
            format!("acme.localhost:{port}"),
            "partner@acme.example",
            ("owner@acme.example", "demo-password-1"),
            "5000.00",
            true,
        ),
        (
            format!("eu.localhost:{port}"),
            "partner@eu.example",
            ("owner@eu.example", "demo-password-1"),
            "50.00",
            false,
        ),
    ] {
        demo_withdrawal(port, &host, partner, staff, amount, paperwork).await;
    }
    let accounts: Vec<(i64, String)> = {
        use sea_orm::{EntityTrait, QuerySelect};
        entities::payment_account::Entity::find()
            .select_only()
            .columns([
                entities::payment_account::Column::TenantId,
                entities::payment_account::Column::Provider,
            ])
            .into_tuple()
            .all(app.db())
            .await
            .unwrap()
    };
    assert_eq!(accounts.len(), 2, "{accounts:?}");
    let (status, log) = stop_server(child).await;
    assert!(status.success(), "{status:?} {log}");
}

/// The demo partner on `host` requests a withdrawal of `amount` and its brand's staff
/// take it to paid; with `paperwork` the calendar's deadlines are shown at each step.
async fn demo_withdrawal(
    port: u16,
    host: &str,
    partner_email: &str,
    (staff_email, staff_password): (&str, &str),
    amount: &str,
    paperwork: bool,
) {
    let (token, partner) = demo_partner(port, host, partner_email).await;
    let staff = demo_log_in(port, host, staff_email, staff_password).await;
    let w = "withdrawal { id status currency documentsDueAt actSignBy payBy dueAt requisites { __typename } }";
    let d = graphql_on(
        port,
        host,
        Some(&token),
        &format!(
            "mutation($i: RequestWithdrawalInput!) {{ requestWithdrawal(input: $i) {{ {w} }} }}"
        ),
        json!({ "i": { "partnerId": partner, "amount": amount } }),
    )
    .await;
    let req = &d["data"]["requestWithdrawal"]["withdrawal"];
    assert_eq!(req["status"], "REQUESTED", "{d}");
    assert_eq!(req["documentsDueAt"].is_string(), paperwork, "{d}");
    assert_eq!(req["dueAt"], req["documentsDueAt"], "{d}");
    let one = json!({ "i": { "withdrawalId": req["id"] } });
    let step = |name: &'static str, who: &str| {
        let who = who.to_string();
        let one = one.clone();
        let host = host.to_string();
        async move {
            let d = graphql_on(
                port,
                &host,
                Some(&who),
                &format!("mutation($i: WithdrawalInput!) {{ {name}(input: $i) {{ {w} }} }}"),
                one,
            )
            .await;
            assert!(d.get("errors").is_none(), "{name}: {d}");
            d["data"][name]["withdrawal"].clone()
        }
    };
    let sent = step("markWithdrawalDocumentsSent", &token).await;
    assert_eq!(sent["actSignBy"].is_string(), paperwork, "{sent}");
    if paperwork {
        let signed = step("markWithdrawalActSigned", &staff).await;
        assert!(signed["payBy"].is_string(), "{signed}");
        assert_eq!(signed["dueAt"], signed["payBy"]);
    }
    step("approveWithdrawal", &staff).await;
    let paid = step("payWithdrawal", &staff).await;
    assert_eq!(paid["status"], "PAID");
    assert!(paid["dueAt"].is_null(), "{paid}");
    assert_eq!(
        paid["requisites"]["__typename"],
        if paperwork {
            "RuBankRequisites"
        } else {
            "SepaRequisites"
        }
    );
}

#[tokio::test]
async fn gen_data_leaves_the_planner_statistics_of_what_it_wrote() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::new().await;
    let out = run(&app, &["gen-data"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("(analysed)"), "{stdout}");
    // The statistics exist right away, not when autovacuum (or nobody, on SQLite) gets
    // round to them.
    let sql = if app.is_postgres() {
        "SELECT COUNT(*) AS n FROM pg_stat_user_tables WHERE relname IN ('lines', 'line_channels', 'partner_clients') AND last_analyze IS NOT NULL"
    } else {
        "SELECT COUNT(DISTINCT tbl) AS n FROM sqlite_stat1 WHERE tbl IN ('lines', 'line_channels', 'partner_clients')"
    };
    let row = app
        .db()
        .query_one_raw(sea_orm::Statement::from_string(
            app.db().get_database_backend(),
            sql,
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), 3);
}

/// SIGTERM behind a load balancer (src/lifecycle.rs): `/readyz` answers 503 `draining`
/// while requests are still served, then open WebSockets are closed with 1001 (going away)
/// and the process exits cleanly.
#[tokio::test]
async fn a_graceful_stop_drains_then_closes_websockets_with_1001() {
    let app = TestApp::new().await;
    let (child, port) = start_server(&app, &[("SHUTDOWN_DRAIN_MS", "3000")]).await;
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut ws = crate::websocket::open_as(addr, "localhost", None).await;
    crate::websocket::send(&mut ws, json!({ "type": "connection_init" })).await;
    assert_eq!(
        crate::websocket::next(&mut ws).await["type"],
        "connection_ack"
    );

    let pid = child.id().unwrap();
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    // Draining: not ready, still serving.
    let mut draining = None;
    for _ in 0..100 {
        let r = http_get(port, "localhost", "/readyz")
            .await
            .unwrap_or_default();
        if r.starts_with("HTTP/1.1 503") {
            draining = Some(r);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let draining = draining.expect("/readyz answers 503 once SIGTERM arrives");
    assert!(draining.contains("\"draining\""), "{draining}");
    let d = graphql_on(port, "localhost", None, "{ __typename }", json!({})).await;
    assert_eq!(d["data"]["__typename"], "QueryRoot", "{d}");
    // Then closing: the socket is told the server is going away.
    let closed = crate::websocket::next(&mut ws).await;
    assert_eq!(closed["close"], 1001, "{closed}");
    let (status, log) = stop_server(child).await;
    assert!(status.success(), "{status:?} {log}");
}
