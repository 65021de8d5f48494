//! The partner cabinet's heavy pages on the `gen-data` set, through the real router on
//! PostgreSQL: the client lines page and "my clients" (a partner with about 100 clients,
//! first 50 rows with organizations and channels) at 16 concurrent requests, and `quote`
//! of a renewal of about 1,000 lines. Prints requests per second, p50/p99 latency, SQL
//! statements per request and the gateway's CPU time per request (user + system time of
//! this process, which holds the router but not PostgreSQL).
//!
//! Run: `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gendata cargo bench --bench
//! client_lines` (the data set is generated first if the database does not have it).
//! `REQUESTS=n` changes the number of measured requests. Results are in
//! docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use entities::{partner, partner_client, tenant};
use partner_gateway::dev::gen_data::{self, GEN_PASSWORD, partner_email};
use partner_gateway::{Config, app, prepare};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use tower::ServiceExt;

const CONCURRENCY: usize = 16;
const LINES: &str = "query($p: ID!) { partner(id: $p) { clientCountries clientLines(first: 50) { totalCount edges { node { client { accountNumber displayName email phone } organizations { name } lines { lineNumber name status daysLeft expiresAt comment channelCount channels { status paid kind { code name } } } } } } } }";
const CLIENTS: &str = "query($p: ID!) { partner(id: $p) { clients(first: 50) { totalCount edges { node { id origin access attachedAt organizationCount openLineCount paymentCount paymentTotal lastActiveAt user { email displayName phone country } } } } } }";
const QUOTE: &str =
    "query($i: OrderInput!) { quote(input: $i) { total base partnerReward items { total } } }";

/// This process's CPU time (user + system).
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after ')'.
    let hz = 100; // USER_HZ on Linux
    Duration::from_millis((ticks(11) + ticks(12)) * 1000 / hz)
}

fn post(host: &str, token: &str, query: &str, vars: Value) -> Request<Body> {
    Request::post("/graphql")
        .header("host", host)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(
            json!({ "query": query, "variables": vars }).to_string(),
        ))
        .unwrap()
}

async fn send(router: &axum::Router, req: Request<Body>) -> Value {
    let r = router.clone().oneshot(req).await.unwrap();
    let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(v.get("errors").is_none(), "{v}");
    v
}

struct Figures {
    rps: f64,
    p50: Duration,
    p99: Duration,
    statements: f64,
    cpu_per_request: Duration,
}

#[allow(clippy::too_many_arguments)]
async fn measure(
    router: &axum::Router,
    statements: &partner_gateway::db::StatementCounter,
    host: &str,
    token: &str,
    query: &'static str,
    vars: Value,
    requests: usize,
    concurrency: usize,
) -> Figures {
    // Warm up: connections, caches, the first plans.
    for _ in 0..20 {
        send(router, post(host, token, query, vars.clone())).await;
    }
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (s0, c0, t0) = (statements.get(), cpu(), Instant::now());
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (router, next, vars) = (router.clone(), next.clone(), vars.clone());
            let (host, token) = (host.to_string(), token.to_string());
            tokio::spawn(async move {
                let mut took = Vec::new();
                while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < requests {
                    let started = Instant::now();
                    send(&router, post(&host, &token, query, vars.clone())).await;
                    took.push(started.elapsed());
                }
                took
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let wall = t0.elapsed();
    let (s1, c1) = (statements.get(), cpu());
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    Figures {
        rps: all.len() as f64 / wall.as_secs_f64(),
        p50: pct(0.50),
        p99: pct(0.99),
        statements: (s1 - s0) as f64 / all.len() as f64,
        cpu_per_request: (c1 - c0) / all.len() as u32,
    }
}

fn print(name: &str, f: &Figures, concurrency: usize) {
    println!(
        "{name}: {concurrency} concurrent, {:.0} req/s, p50 {:.2?}, p99 {:.2?}, {:.1} statements/request, gateway CPU {:.2?}/request",
        f.rps, f.p50, f.p99, f.statements, f.cpu_per_request
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let Ok(url) = std::env::var("BENCH_DATABASE_URL") else {
        eprintln!(
            "client_lines: set BENCH_DATABASE_URL to a PostgreSQL database (gen-data runs first)"
        );
        return;
    };
    let requests: usize = std::env::var("REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut cfg = Config::defaults();
    cfg.database_url = url;
    cfg.data_dir = std::env::temp_dir().join("pgw-bench-lines");
    std::fs::create_dir_all(&cfg.data_dir).unwrap();
    rt.block_on(async {
        let state = prepare(&cfg).await.unwrap();
        println!("client_lines: {}", gen_data::run(&state).await.unwrap());
        let router = app(state.clone());
        let db = &state.services.db;
        let sign_in = |p: usize| {
            let (router, state) = (router.clone(), state.clone());
            async move {
                let email = partner_email(p);
                let t = gen_data::TENANTS[gen_data::tenant_of(p)];
                let tenant = tenant::Entity::find()
                    .filter(tenant::Column::Slug.eq(t))
                    .one(&state.services.db)
                    .await
                    .unwrap()
                    .unwrap();
                let host = state
                    .services
                    .registry
                    .by_id(tenant.id)
                    .and_then(|t| t.primary_host.clone())
                    .unwrap();
                let v = send(
                    &router,
                    Request::post("/graphql")
                        .header("host", &host)
                        .header("content-type", "application/json")
                        .body(Body::from(
                            json!({ "query": "mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }", "variables": { "i": { "email": email, "password": GEN_PASSWORD } } }).to_string(),
                        ))
                        .unwrap(),
                )
                .await;
                let token = v["data"]["logIn"]["accessToken"].as_str().unwrap().to_string();
                let p = partner::Entity::find()
                    .filter(partner::Column::TenantId.eq(tenant.id))
                    .filter(partner::Column::ContactEmail.eq(email))
                    .one(&state.services.db)
                    .await
                    .unwrap()
                    .unwrap();
                (host, token, p)
            }
        };

        // A partner with about 100 clients.
        let (host, token, p) = sign_in(1).await;
        let clients = partner_client::Entity::find()
            .filter(partner_client::Column::PartnerId.eq(p.id))
            .count(db)
            .await
            .unwrap();
        println!("client_lines: partner {} with {clients} clients", p.name);
        let pid = resolvers::ids::encode(resolvers::ids::Kind::Partner, p.id).0;
        for (name, query) in [("client lines page", LINES), ("my clients page", CLIENTS)] {
            for c in [1, CONCURRENCY] {
                let f = measure(
                    &router,
                    &state.statements,
                    &host,
                    &token,
                    query,
                    json!({ "p": pid }),
                    requests,
                    c,
                )
                .await;
                print(name, &f, c);
            }
        }

        // A renewal of about 1,000 lines: the large partner's first 334 clients, 12 months.
        let (host, token, p) = sign_in(0).await;
        let ids: Vec<i64> = partner_client::Entity::find()
            .select_only()
            .column(partner_client::Column::ClientUserId)
            .filter(partner_client::Column::PartnerId.eq(p.id))
            .order_by_asc(partner_client::Column::Id)
            .limit(334)
            .into_tuple()
            .all(db)
            .await
            .unwrap();
        let client_ids: Vec<String> = ids
            .iter()
            .map(|id| resolvers::ids::encode(resolvers::ids::Kind::User, *id).0)
            .collect();
        let input = json!({ "i": { "payer": "PARTNER", "partnerId": resolvers::ids::encode(resolvers::ids::Kind::Partner, p.id).0, "renewals": { "clientIds": client_ids, "months": 12 } } });
        let v = send(&router, post(&host, &token, QUOTE, input.clone())).await;
        println!(
            "client_lines: quote of {} renewed lines, total {}",
            v["data"]["quote"]["items"].as_array().map_or(0, |a| a.len()),
            v["data"]["quote"]["total"]
        );
        let f = measure(&router, &state.statements, &host, &token, QUOTE, input, 300, 1).await;
        print("quote of a 1,002-line renewal", &f, 1);
    });
}
