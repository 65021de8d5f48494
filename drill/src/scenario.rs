//! The demo world the drill drives and the mixed load: sign-ins, the partner's pages and
//! quotes, orders paid by balance, invoice and card, withdrawals (some rejected by staff),
//! lead races, orders left to expire, and bell listeners. Every keyed operation is kept,
//! so the books can be checked against what the clients were told.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, bail};
use base64::Engine as _;
use partner_gateway::dev::demo_payments::{ACME_SHOP, PLATFORM_SHOP};
use partner_gateway::dev::local_smtp::MailSink;
use partner_gateway::dev::local_yookassa::LocalYooKassa;
use rand::Rng as _;
use rand::seq::SliceRandom as _;
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use serde_json::{Value, json};

use crate::bell::{self, BellLog};
use crate::client::{Answer, Api};
use crate::report::Outcome;

/// Answers that are the business's own, not failures.
pub const EXPECTED_CODES: &[&str] = &[
    "INSUFFICIENT_BALANCE",
    "LEAD_TAKEN",
    "LEAD_RECENTLY_RELEASED",
    "LEAD_LIMIT_REACHED",
    "ORDER_NOT_PENDING",
    "WRONG_WITHDRAWAL_STATE",
];

const PASSWORD: &str = "demo-password-1";
const STAFF_EMAIL: &str = "admin@drill.example";
const STAFF_PASSWORD: &str = "drill-admin-password-1";
/// How long a client keeps retrying one operation with its key.
const PATIENCE: Duration = Duration::from_secs(45);

const LOG_IN: &str = "mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }";
const SIGN_UP: &str = "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }";
const APPLY: &str =
    "mutation($i: ApplyAsPartnerInput!) { applyAsPartner(input: $i) { partner { id } } }";
const REVIEW: &str = "mutation($i: ReviewPartnerApplicationInput!) { reviewPartnerApplication(input: $i) { partner { status } } }";
const MY_PARTNER: &str = "{ viewer { organizations { partner { id } } } }";
const IDS: &str = "query($p: ID!) { partner(id: $p) { clientLines(first: 100) { edges { node { client { id } organizations { id } lines { id expiresAt } } } } } }";
const CATALOGUE: &str = "{ catalogue { channelKinds { id code } } }";
const LINES_PAGE: &str = "query($p: ID!, $n: Int) { partner(id: $p) { clientCountries clientLines(first: $n) { totalCount edges { node { client { accountNumber displayName email phone } organizations { name } lines { lineNumber name status daysLeft expiresAt comment channelCount channels { status paid kind { code name } } } } } } } }";
const CLIENTS_PAGE: &str = "query($p: ID!, $n: Int) { partner(id: $p) { clients(first: $n) { totalCount edges { node { id origin access attachedAt organizationCount openLineCount paymentCount paymentTotal lastActiveAt user { email displayName phone country } } } } } }";
const QUOTE: &str = "query($i: OrderInput!) { quote(input: $i) { currency total partnerReward discounts { kind percent amount } items { kind months total } } }";
pub const CREATE: &str = "mutation($i: CreateOrderInput!) { createOrder(input: $i) { order { id orderNumber status total } } }";
pub const PAY: &str = "mutation($i: PayOrderInput!) { payOrder(input: $i) { payment { id method status checkoutUrl } order { status } } }";
const CONFIRM: &str = "mutation($i: ConfirmInvoicePaymentInput!) { confirmInvoicePayment(input: $i) { payment { status } order { status } } }";
pub const WITHDRAW: &str = "mutation($i: RequestWithdrawalInput!) { requestWithdrawal(input: $i) { withdrawal { id status } } }";
const REJECT: &str = "mutation($i: RejectWithdrawalInput!) { rejectWithdrawal(input: $i) { withdrawal { status } } }";
const SUBMIT_LEAD: &str = "mutation($i: SubmitLeadInput!) { submitLead(input: $i) { received } }";
const FREE_LEADS: &str = "{ freeLeads(first: 20) { edges { node { id } } } }";
const TAKE: &str =
    "mutation($l: ID!, $p: ID!) { takeLead(input: { leadId: $l, partnerId: $p }) { lead { id } } }";
const RELEASE: &str = "mutation($l: ID!) { releaseLead(input: { leadId: $l }) { lead { id } } }";

/// The number inside a global id (`base64url("Order:13")` → 13).
pub fn number_of(id: &str) -> Option<i64> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id)
        .ok()?;
    String::from_utf8(raw)
        .ok()?
        .rsplit_once(':')?
        .1
        .parse()
        .ok()
}

/// The instances' configuration (the same for both, and for seeding).
pub fn instance_env(
    db_url: &str,
    dir: &Path,
    mail: &MailSink,
    yookassa: &LocalYooKassa,
) -> Vec<(String, String)> {
    let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    [
        ("DATABASE_URL", db_url.to_string()),
        ("DATA_DIR", dir.join("data").display().to_string()),
        ("APP_ENV", "production".into()),
        ("LOG_FORMAT", "json".into()),
        ("RUST_LOG", "info".into()),
        ("PUBLIC_SCHEME", "http".into()),
        ("TRUSTED_PROXIES", "127.0.0.1".into()),
        ("BOOTSTRAP_ADMIN_EMAIL", STAFF_EMAIL.into()),
        ("BOOTSTRAP_ADMIN_PASSWORD", STAFF_PASSWORD.into()),
        ("SMTP_URL", mail.url()),
        ("YOOKASSA_API_BASE", yookassa.base.clone()),
        ("YOOKASSA_SHOP_ID", PLATFORM_SHOP.0.into()),
        ("YOOKASSA_SECRET_KEY", PLATFORM_SHOP.1.into()),
        ("PAYMENT_CREDENTIALS_KEYS", format!("drill:{key}")),
        // The drill's clients are many people behind one balancer: each request carries
        // its own forwarded address, and one token drives several workers.
        ("RATE_LIMIT_USER_PER_SECOND", "200".into()),
        ("LEAD_SUBMISSIONS_PER_HOUR", "100000".into()),
        // Jobs and deliveries run often, so a short run has due items and claims to take
        // over; a killed instance's claims are taken over after 10 s.
        ("SCHEDULER_INTERVAL_SECS", "1".into()),
        ("NOTIFY_INTERVAL_MS", "250".into()),
        ("OUTBOX_LEASE_SECS", "10".into()),
        // Above HAProxy's time to mark an instance down (2 checks 250 ms apart).
        ("SHUTDOWN_DRAIN_MS", "2000".into()),
        ("SHUTDOWN_GRACE_MS", "15000".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// The platform's and Acme's shops on the local YooKassa, notifying through the balancer.
pub fn add_shops(yookassa: &LocalYooKassa, balancer_port: u16) {
    let hook = |path: &str| {
        Some(format!(
            "http://127.0.0.1:{balancer_port}/webhooks/payments/{path}"
        ))
    };
    yookassa.add_shop(PLATFORM_SHOP.0, PLATFORM_SHOP.1, hook("yookassa"));
    yookassa.add_shop(ACME_SHOP.0, ACME_SHOP.1, hook("yookassa/acme"));
}

/// `seed-demo` once, before the instances start (the demo brands, and Acme's own shop).
pub async fn seed(bin: &Path, env: &[(String, String)], dir: &Path) -> anyhow::Result<()> {
    let log = std::fs::File::create(dir.join("seed.log"))?;
    let status = tokio::process::Command::new(bin)
        .arg("seed-demo")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(log.try_clone()?)
        .stderr(log)
        .status()
        .await?;
    if !status.success() {
        bail!("seed-demo failed ({status}); see seed.log");
    }
    Ok(())
}

/// Waits until the balancer answers a query.
pub async fn wait_balanced(api: &Api) -> anyhow::Result<()> {
    for _ in 0..100 {
        if api
            .gql("ping", "localhost", None, "{ __typename }", json!({}))
            .await
            .ok()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the balancer does not answer")
}

/// Outbox messages claimed (`SENDING`) right now.
pub async fn claimed_messages(db_url: &str) -> anyhow::Result<Vec<i64>> {
    let db = Database::connect(db_url).await?;
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT id FROM outbox_messages WHERE status = 'SENDING'",
        ))
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get::<i64>("", "id").ok())
        .collect())
}

/// One brand as the load sees it.
pub struct Brand {
    pub host: &'static str,
    pub partner_token: String,
    pub partner_id: String,
    pub staff_token: String,
    /// Line ids of the partner's clients (renewed).
    pub lines: Vec<String>,
    /// (client id, organization id) pairs (new lines bought for them).
    pub clients: Vec<(String, String)>,
    pub whatsapp: String,
    /// More approved partners (token, partner id), who race for leads.
    pub racers: Vec<(String, String)>,
    /// Clients who sign in.
    pub sign_ins: Vec<String>,
}

/// What the clients did and were told, for the books.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Every createOrder key: (brand host, key, method or "EXPIRE", the order id if
    /// answered, the last answer's code).
    pub orders: Vec<OrderOp>,
    /// Every requestWithdrawal key: (brand host, key, id if answered, last code).
    pub withdrawals: Vec<KeyedOp>,
    /// Lead races: the lead and each racer's final answer.
    pub races: Vec<(String, Vec<String>)>,
    /// Logical operations by kind → final code → count.
    pub operations: BTreeMap<String, BTreeMap<String, u64>>,
}

#[derive(Debug, Clone)]
pub struct OrderOp {
    pub host: &'static str,
    pub method: &'static str,
    pub id: Option<String>,
    pub code: String,
    /// The variables of its createOrder (for a retry with the same key).
    pub variables: Value,
}

#[derive(Debug, Clone)]
pub struct KeyedOp {
    pub host: &'static str,
    pub id: Option<String>,
    pub code: String,
    pub variables: Value,
}

pub struct World {
    pub brands: Vec<Brand>,
    pub db_url: String,
    pub ledger: Mutex<Ledger>,
    pub http: reqwest::Client,
    serial: AtomicU64,
    /// Soak: the working set stays the same size (cards renew lines rather than buy new
    /// ones, which would grow the pages the load reads), so memory can be judged.
    pub soak: bool,
}

async fn token(api: &Api, host: &str, email: &str, password: &str) -> anyhow::Result<String> {
    let a = api
        .until_answered(
            "logIn",
            host,
            None,
            LOG_IN,
            json!({ "i": { "email": email, "password": password } }),
            PATIENCE,
        )
        .await;
    a.data["logIn"]["accessToken"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("signing in {email} on {host}: {} {}", a.code, a.message))
}

async fn must(
    api: &Api,
    op: &'static str,
    host: &str,
    t: Option<&str>,
    q: &str,
    v: Value,
) -> anyhow::Result<Value> {
    let a = api.until_answered(op, host, t, q, v, PATIENCE).await;
    if !a.ok() {
        bail!("{op} on {host}: {} {}", a.code, a.message);
    }
    Ok(a.data)
}

impl World {
    /// Signs everyone in, reads the ids the load needs, and adds three approved partners
    /// on Acme to race for its leads.
    pub async fn prepare(api: &Api, db_url: &str, soak: bool) -> anyhow::Result<Self> {
        let mut brands = Vec::new();
        for (host, partner, staff, staff_password) in [
            (
                "localhost",
                "partner@demo.example",
                STAFF_EMAIL,
                STAFF_PASSWORD,
            ),
            (
                "acme.localhost",
                "partner@acme.example",
                "owner@acme.example",
                PASSWORD,
            ),
        ] {
            let partner_token = token(api, host, partner, PASSWORD).await?;
            let staff_token = token(api, host, staff, staff_password).await?;
            let me = must(
                api,
                "setup",
                host,
                Some(&partner_token),
                MY_PARTNER,
                json!({}),
            )
            .await?;
            let partner_id = me["viewer"]["organizations"][0]["partner"]["id"]
                .as_str()
                .context("the demo partner's id")?
                .to_string();
            let ids = must(
                api,
                "setup",
                host,
                Some(&partner_token),
                IDS,
                json!({ "p": partner_id }),
            )
            .await?;
            let (mut lines, mut clients) = (Vec::new(), Vec::new());
            for e in ids["partner"]["clientLines"]["edges"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let n = &e["node"];
                if let (Some(c), Some(o)) = (
                    n["client"]["id"].as_str(),
                    n["organizations"][0]["id"].as_str(),
                ) {
                    clients.push((c.to_string(), o.to_string()));
                }
                for l in n["lines"].as_array().into_iter().flatten() {
                    lines.extend(l["id"].as_str().map(str::to_string));
                }
            }
            let cat = must(
                api,
                "setup",
                host,
                Some(&partner_token),
                CATALOGUE,
                json!({}),
            )
            .await?;
            let whatsapp = cat["catalogue"]["channelKinds"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|k| k["code"] == "WHATSAPP")
                .and_then(|k| k["id"].as_str())
                .context("WHATSAPP in the catalogue")?
                .to_string();
            let mut racers = Vec::new();
            if host == "acme.localhost" {
                for n in 1..=3 {
                    let email = format!("racer{n}@drill.example");
                    let password = "racer-password-1";
                    let up = must(api, "setup", host, None, SIGN_UP, json!({ "i": { "displayName": format!("Racer {n}"), "email": email, "password": password } })).await?;
                    let t = up["signUp"]["accessToken"]
                        .as_str()
                        .context("sign-up token")?
                        .to_string();
                    let applied = must(api, "setup", host, Some(&t), APPLY, json!({ "i": { "organizationName": format!("Racer {n} Agency"), "contactName": format!("Racer {n}"), "contactEmail": email } })).await?;
                    let pid = applied["applyAsPartner"]["partner"]["id"]
                        .as_str()
                        .context("racer partner")?
                        .to_string();
                    must(api, "setup", host, Some(&staff_token), REVIEW, json!({ "i": { "partnerId": pid, "decision": "APPROVE", "tier": "OFFICIAL" } })).await?;
                    racers.push((t, pid));
                }
                racers.push((partner_token.clone(), partner_id.clone()));
            }
            brands.push(Brand {
                host,
                partner_token,
                partner_id,
                staff_token,
                lines,
                clients,
                whatsapp,
                racers,
                sign_ins: ["anna", "boris", "clara"]
                    .iter()
                    .map(|c| format!("{c}@client.example"))
                    .collect(),
            });
        }
        for b in &brands {
            if b.lines.is_empty() || b.clients.is_empty() {
                bail!("the demo partner on {} has no client lines", b.host);
            }
        }
        Ok(Self {
            brands,
            db_url: db_url.to_string(),
            ledger: Mutex::default(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(10))
                .build()?,
            serial: AtomicU64::new(0),
            soak,
        })
    }

    fn key(&self, what: &str) -> String {
        format!(
            "drill-{what}-{}",
            self.serial.fetch_add(1, Ordering::Relaxed)
        )
    }

    fn tally(&self, op: &str, code: &str) {
        let mut l = self.ledger.lock().unwrap_or_else(|e| e.into_inner());
        *l.operations
            .entry(op.into())
            .or_default()
            .entry(code.into())
            .or_default() += 1;
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The load's tasks, stopped together.
pub struct Load {
    tasks: Vec<tokio::task::JoinHandle<()>>,
    bell: Arc<Mutex<BellLog>>,
    world: Arc<World>,
}

impl Load {
    /// Waits for every task to finish its current operation; what they did.
    pub async fn finish(self) -> Outcome {
        for t in self.tasks {
            let _ = t.await;
        }
        Outcome {
            operations: self.world.ledger().operations.clone(),
            bell: self.bell.lock().unwrap_or_else(|e| e.into_inner()).clone(),
        }
    }
}

/// Starts every worker.
pub fn start_load(world: &Arc<World>, api: &Api, ws_base: &str, stop: Arc<AtomicBool>) -> Load {
    let mut tasks = Vec::new();
    let bell_log: Arc<Mutex<BellLog>> = Arc::default();
    let mut listener = 0;
    for (bi, b) in world.brands.iter().enumerate() {
        let mut tokens = vec![b.partner_token.clone()];
        tokens.extend(b.racers.iter().take(3).map(|r| r.0.clone()));
        for t in tokens {
            tasks.push(bell::listen(
                ws_base.into(),
                b.host.into(),
                t,
                listener,
                bell_log.clone(),
                stop.clone(),
            ));
            listener += 1;
        }
        for _ in 0..2 {
            tasks.push(spawn(world, api, &stop, move |w, a| {
                Box::pin(read_pages(w, a, bi))
            }));
        }
        for method in ["BONUS_BALANCE", "INVOICE", "CARD"] {
            tasks.push(spawn(world, api, &stop, move |w, a| {
                Box::pin(buy(w, a, bi, method))
            }));
        }
        tasks.push(spawn(world, api, &stop, move |w, a| {
            Box::pin(withdraw(w, a, bi))
        }));
        tasks.push(spawn(world, api, &stop, move |w, a| {
            Box::pin(sign_in(w, a, bi))
        }));
        tasks.push(spawn(world, api, &stop, move |w, a| {
            Box::pin(leave_to_expire(w, a, bi))
        }));
        if !b.racers.is_empty() {
            tasks.push(spawn(world, api, &stop, move |w, a| {
                Box::pin(race_for_leads(w, a, bi))
            }));
        }
    }
    Load {
        tasks,
        bell: bell_log,
        world: world.clone(),
    }
}

type Step = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// Runs `step` again and again until `stop`.
fn spawn(
    world: &Arc<World>,
    api: &Api,
    stop: &Arc<AtomicBool>,
    step: impl Fn(Arc<World>, Api) -> Step + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    let (world, api, stop) = (world.clone(), api.clone(), stop.clone());
    tokio::spawn(async move {
        while !stop.load(Ordering::Relaxed) {
            step(world.clone(), api.clone()).await;
        }
    })
}

async fn pause(ms: u64) {
    let jitter = rand::thread_rng().gen_range(0..=ms / 2);
    tokio::time::sleep(Duration::from_millis(ms + jitter)).await;
}

fn pick<T: Clone>(v: &[T]) -> T {
    v.choose(&mut rand::thread_rng())
        .cloned()
        .unwrap_or_else(|| v[0].clone())
}

/// The partner's two big pages and a quote.
async fn read_pages(w: Arc<World>, api: Api, bi: usize) {
    let b = &w.brands[bi];
    let t = Some(b.partner_token.as_str());
    let p = json!({ "p": b.partner_id, "n": 50 });
    api.gql("clientLines", b.host, t, LINES_PAGE, p.clone())
        .await;
    pause(40).await;
    api.gql("myClients", b.host, t, CLIENTS_PAGE, p).await;
    pause(40).await;
    let months = pick(&[1, 3, 12]);
    let order = json!({ "payer": "PARTNER", "partnerId": b.partner_id, "renewals": { "lineIds": [pick(&b.lines)], "months": months } });
    api.gql("quote", b.host, t, QUOTE, json!({ "i": order }))
        .await;
    pause(40).await;
}

/// A client signs in (every 5 s per brand, so each of three accounts stays under the
/// per-account limit of 5 a minute).
async fn sign_in(w: Arc<World>, api: Api, bi: usize) {
    let b = &w.brands[bi];
    let email = pick(&b.sign_ins);
    let a = api
        .until_answered(
            "logIn",
            b.host,
            None,
            LOG_IN,
            json!({ "i": { "email": email, "password": PASSWORD } }),
            PATIENCE,
        )
        .await;
    w.tally("logIn", &a.code);
    pause(5000).await;
}

/// createOrder with a key, retried with it until answered; the order id.
async fn create_order(
    w: &World,
    api: &Api,
    bi: usize,
    method: &'static str,
    order: Value,
) -> Option<String> {
    let b = &w.brands[bi];
    let key = w.key("order");
    let variables = json!({ "i": { "order": order, "idempotencyKey": key } });
    let a = api
        .until_answered(
            "createOrder",
            b.host,
            Some(&b.partner_token),
            CREATE,
            variables.clone(),
            PATIENCE,
        )
        .await;
    w.tally("createOrder", &a.code);
    let id = a.data["createOrder"]["order"]["id"]
        .as_str()
        .map(str::to_string);
    w.ledger().orders.push(OrderOp {
        host: b.host,
        method,
        id: id.clone(),
        code: a.code,
        variables,
    });
    id
}

/// An order paid by `method`: a renewal (balance, invoice; card in a soak) or a new line
/// (card).
async fn buy(w: Arc<World>, api: Api, bi: usize, method: &'static str) {
    let b = &w.brands[bi];
    let order = if method == "CARD" && !w.soak {
        let (client, org) = pick(&b.clients);
        json!({ "payer": "PARTNER", "partnerId": b.partner_id, "clientId": client, "newLines": [{ "channelKinds": [b.whatsapp], "months": 1, "organizationId": org, "quantity": 1 }] })
    } else {
        json!({ "payer": "PARTNER", "partnerId": b.partner_id, "renewals": { "lineIds": [pick(&b.lines)], "months": 1 } })
    };
    let Some(order_id) = create_order(&w, &api, bi, method, order).await else {
        pause(500).await;
        return;
    };
    let pay =
        json!({ "i": { "orderId": order_id, "method": method, "idempotencyKey": w.key("pay") } });
    let a = api
        .until_answered(
            "payOrder",
            b.host,
            Some(&b.partner_token),
            PAY,
            pay,
            PATIENCE,
        )
        .await;
    w.tally(&format!("payOrder {method}"), &a.code);
    let payment = &a.data["payOrder"]["payment"];
    match method {
        "INVOICE" if a.ok() => {
            let confirm = json!({ "i": { "paymentId": payment["id"] } });
            let c = api
                .until_answered(
                    "confirmInvoicePayment",
                    b.host,
                    Some(&b.staff_token),
                    CONFIRM,
                    confirm,
                    PATIENCE,
                )
                .await;
            w.tally("confirmInvoicePayment", &c.code);
        }
        "CARD" if a.ok() => {
            if let Some(url) = payment["checkoutUrl"].as_str() {
                // The payer presses Pay on the provider's page; the provider notifies the
                // gateway through the balancer (again until one is accepted).
                let paid = w.http.post(format!("{url}/pay")).send().await;
                let code = match paid {
                    Ok(r) if r.status().is_redirection() || r.status().is_success() => {
                        "OK".to_string()
                    }
                    Ok(r) => format!("HTTP_{}", r.status().as_u16()),
                    Err(_) => "CONNECTION".into(),
                };
                w.tally("card checkout paid", &code);
            }
        }
        _ => {}
    }
    pause(if a.code == "INSUFFICIENT_BALANCE" {
        3000
    } else {
        300
    })
    .await;
}

/// A withdrawal of the minimum; staff reject about half, which gives the money back.
async fn withdraw(w: Arc<World>, api: Api, bi: usize) {
    let b = &w.brands[bi];
    let key = w.key("withdrawal");
    let variables =
        json!({ "i": { "partnerId": b.partner_id, "amount": "5000.00", "idempotencyKey": key } });
    let a = api
        .until_answered(
            "requestWithdrawal",
            b.host,
            Some(&b.partner_token),
            WITHDRAW,
            variables.clone(),
            PATIENCE,
        )
        .await;
    w.tally("requestWithdrawal", &a.code);
    let id = a.data["requestWithdrawal"]["withdrawal"]["id"]
        .as_str()
        .map(str::to_string);
    w.ledger().withdrawals.push(KeyedOp {
        host: b.host,
        id: id.clone(),
        code: a.code.clone(),
        variables,
    });
    if let Some(id) = id
        && rand::thread_rng().gen_bool(0.6)
    {
        let r = api
            .until_answered(
                "rejectWithdrawal",
                b.host,
                Some(&b.staff_token),
                REJECT,
                json!({ "i": { "withdrawalId": id, "reason": "drill" } }),
                PATIENCE,
            )
            .await;
        w.tally("rejectWithdrawal", &r.code);
    }
    pause(if a.code == "INSUFFICIENT_BALANCE" {
        2000
    } else {
        400
    })
    .await;
}

/// A renewal left unpaid, then made due for expiry (its `expires_at` moved into the past),
/// so the `orders.expire` job has items to expire while instances fail.
async fn leave_to_expire(w: Arc<World>, api: Api, bi: usize) {
    let b = &w.brands[bi];
    let order = json!({ "payer": "PARTNER", "partnerId": b.partner_id, "renewals": { "lineIds": [pick(&b.lines)], "months": 1 } });
    if let Some(id) = create_order(&w, &api, bi, "EXPIRE", order).await
        && let Some(n) = number_of(&id)
    {
        // The database may be restarting: tried until it answers.
        for _ in 0..60 {
            let done = async {
                let db = Database::connect(&w.db_url).await?;
                db.execute_raw(Statement::from_string(
                    DbBackend::Postgres,
                    format!("UPDATE orders SET expires_at = now() - interval '1 second' WHERE id = {n} AND status = 'PENDING'"),
                ))
                .await?;
                db.close().await?;
                anyhow::Ok(())
            };
            if done.await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    pause(3000).await;
}

/// A new lead, then every racer takes the same free lead at once: one may win; the winner
/// lets it go again.
async fn race_for_leads(w: Arc<World>, api: Api, bi: usize) {
    let b = &w.brands[bi];
    let n = w.serial.fetch_add(1, Ordering::Relaxed);
    let lead = json!({ "i": { "contactName": format!("Drill {n}"), "phone": "+79991234567", "email": format!("lead{n}@lead.example"), "task": "Drill lead", "features": ["whatsapp"], "country": "RU", "language": "ru" } });
    let a = api
        .until_answered("submitLead", b.host, None, SUBMIT_LEAD, lead, PATIENCE)
        .await;
    w.tally("submitLead", &a.code);
    let free = api
        .until_answered(
            "freeLeads",
            b.host,
            Some(&b.racers[0].0),
            FREE_LEADS,
            json!({}),
            PATIENCE,
        )
        .await;
    let leads: Vec<String> = free.data["freeLeads"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["id"].as_str().map(str::to_string))
        .collect();
    if leads.is_empty() {
        pause(500).await;
        return;
    }
    let lead = pick(&leads);
    let takes: Vec<_> = b
        .racers
        .iter()
        .map(|(t, p)| {
            let (api, host, t, v) = (api.clone(), b.host, t.clone(), json!({ "l": lead, "p": p }));
            tokio::spawn(async move {
                api.until_answered("takeLead", host, Some(&t), TAKE, v, PATIENCE)
                    .await
            })
        })
        .collect();
    let mut answers: Vec<Answer> = Vec::new();
    for t in takes {
        if let Ok(a) = t.await {
            answers.push(a);
        }
    }
    for a in &answers {
        w.tally("takeLead", &a.code);
    }
    if let Some(i) = answers.iter().position(Answer::ok) {
        let r = api
            .until_answered(
                "releaseLead",
                b.host,
                Some(&b.racers[i].0),
                RELEASE,
                json!({ "l": lead }),
                PATIENCE,
            )
            .await;
        w.tally("releaseLead", &r.code);
    }
    w.ledger()
        .races
        .push((lead, answers.into_iter().map(|a| a.code).collect()));
    pause(300).await;
}
