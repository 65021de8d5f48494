//! The partner cabinet's heavy pages on the `gen-data` set, through the real router on
//! PostgreSQL: the client lines page and "my clients" (a partner with about 100 clients,
//! first 50 rows with organizations and channels) at 16 concurrent requests, and `quote`
//! of a renewal of about 1,000 lines. Prints requests per second, p50/p99 latency, SQL
//! statements per request and the gateway's CPU time per request (user + system time of
//! this process, which holds the router but not PostgreSQL).
//!
//! The measuring stick: the same client lines page built by **one SQL statement** that
//! returns the page's JSON (PostgreSQL's `json_build_object`/`json_agg`), served by a
//! bench-only axum handler behind the same middleware (request id, panic guard), the same
//! tenant resolution and the same bearer-token authentication as `/graphql`, without
//! GraphQL. It is measured in the same run at the same concurrency, and the ratio of the
//! gateway's rate to it is printed. It is not a product route.
//!
//! Run: `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gendata cargo bench --bench
//! client_lines` (the data set is generated first if the database does not have it).
//! `REQUESTS=n` changes the number of measured requests ("show all" takes a tenth of
//! them); `ONLY=lines,clients,show-all,quote` measures only those parts; `ARMORED_ONLY=1`
//! runs documents with variables on the armored schema, as before issue 29. Results are in
//! docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use entities::{partner, partner_client, tenant};
use partner_gateway::dev::gen_data::{self, GEN_PASSWORD, partner_email};
use partner_gateway::{AppState, Config, app, prepare};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};
use serde_json::{Value, json};
use tower::ServiceExt;

const CONCURRENCY: usize = 16;
const LINES: &str = "query($p: ID!, $n: Int) { partner(id: $p) { clientCountries clientLines(first: $n) { totalCount edges { node { client { accountNumber displayName email phone } organizations { name } lines { lineNumber name status daysLeft expiresAt comment channelCount channels { status paid kind { code name } } } } } } } }";
const CLIENTS: &str = "query($p: ID!, $n: Int) { partner(id: $p) { clients(first: $n) { totalCount edges { node { id origin access attachedAt organizationCount openLineCount paymentCount paymentTotal lastActiveAt user { email displayName phone country } } } } } }";
const QUOTE: &str =
    "query($i: OrderInput!) { quote(input: $i) { total base partnerReward items { total } } }";

/// The client lines page of [`LINES`] as one statement: `$1` tenant, `$2` partner, `$3`
/// now, `$4` page size. Same rows, same order (clients as attached, lines by number,
/// channels oldest first) and same fields as the GraphQL answer.
const BASELINE_LINES: &str = r#"
SELECT json_build_object('data', json_build_object('partner', json_build_object(
  'clientCountries', (
    SELECT coalesce(json_agg(x.country ORDER BY x.country), '[]')
    FROM (SELECT DISTINCT u.country FROM users u
          WHERE u.tenant_id = $1 AND u.country IS NOT NULL AND u.id IN (
            SELECT client_user_id FROM partner_clients WHERE tenant_id = $1 AND partner_id = $2)) x),
  'clientLines', json_build_object(
    'totalCount', (SELECT count(*) FROM partner_clients WHERE tenant_id = $1 AND partner_id = $2),
    'edges', (
      SELECT coalesce(json_agg(json_build_object('node', json_build_object(
        'client', json_build_object('accountNumber', u.account_number, 'displayName', u.display_name,
                                    'email', u.email, 'phone', u.phone),
        'organizations', (
          SELECT coalesce(json_agg(json_build_object('name', o.name) ORDER BY o.id), '[]')
          FROM organization_members m JOIN organizations o ON o.id = m.organization_id
          WHERE m.tenant_id = $1 AND m.user_id = u.id),
        'lines', (
          SELECT coalesce(json_agg(json_build_object(
            'lineNumber', l.line_number, 'name', l.name,
            'status', CASE WHEN l.expires_at > $3 THEN 'ACTIVE' ELSE 'EXPIRED' END,
            'daysLeft', greatest(0, ceil(extract(epoch FROM l.expires_at - $3) / 86400))::bigint,
            'expiresAt', l.expires_at, 'comment', lc.body,
            'channelCount', (SELECT count(*) FROM line_channels c WHERE c.tenant_id = $1 AND c.line_id = l.id),
            'channels', (
              SELECT coalesce(json_agg(json_build_object('status', c.status, 'paid', c.paid,
                       'kind', json_build_object('code', k.code, 'name', k.name)) ORDER BY c.id), '[]')
              FROM line_channels c JOIN channel_kinds k ON k.id = c.channel_kind_id
              WHERE c.tenant_id = $1 AND c.line_id = l.id)
          ) ORDER BY l.line_number), '[]')
          FROM lines l LEFT JOIN line_comments lc
            ON lc.line_id = l.id AND lc.partner_id = $2 AND lc.tenant_id = $1
          WHERE l.tenant_id = $1 AND l.client_user_id = u.id)
      )) ORDER BY pc.id), '[]')
      FROM (SELECT id, client_user_id FROM partner_clients
            WHERE tenant_id = $1 AND partner_id = $2 ORDER BY id LIMIT $4) pc
      JOIN users u ON u.id = pc.client_user_id AND u.tenant_id = $1)
  ))))::text
"#;

/// The "my clients" page of [`CLIENTS`] as one statement: `$1` tenant, `$2` partner, `$3`
/// now, `$4` page size, `$5` the brand's currency (two minor digits, as the generated
/// brands' currencies have).
const BASELINE_CLIENTS: &str = r#"
SELECT json_build_object('data', json_build_object('partner', json_build_object('clients', json_build_object(
  'totalCount', (SELECT count(*) FROM partner_clients WHERE tenant_id = $1 AND partner_id = $2),
  'edges', (
    SELECT coalesce(json_agg(json_build_object('node', json_build_object(
      'id', rtrim(translate(encode(convert_to('User:' || pc.client_user_id, 'UTF8'), 'base64'), '+/', '-_'), '='),
      'origin', pc.origin,
      'access', CASE WHEN EXISTS (
          SELECT 1 FROM consents c WHERE c.tenant_id = $1 AND c.partner_id = $2
            AND c.client_user_id = pc.client_user_id AND c.revoked_at IS NULL)
        THEN 'GRANTED' ELSE 'NOT_GRANTED' END,
      'attachedAt', pc.attached_at,
      'organizationCount', (SELECT count(*) FROM organization_members m
                            WHERE m.tenant_id = $1 AND m.user_id = pc.client_user_id),
      'openLineCount', (SELECT count(*) FROM lines l WHERE l.tenant_id = $1
                        AND l.client_user_id = pc.client_user_id AND l.expires_at > $3),
      'paymentCount', o.n,
      'paymentTotal', round(o.total / 100.0, 2)::text,
      'lastActiveAt', (SELECT max(s.last_used_at) FROM sessions s
                       WHERE s.tenant_id = $1 AND s.user_id = pc.client_user_id),
      'user', json_build_object('email', u.email, 'displayName', u.display_name,
                                'phone', u.phone, 'country', u.country)
    )) ORDER BY pc.id), '[]')
    FROM (SELECT id, client_user_id, origin, attached_at FROM partner_clients
          WHERE tenant_id = $1 AND partner_id = $2 ORDER BY id LIMIT $4) pc
    JOIN users u ON u.id = pc.client_user_id AND u.tenant_id = $1
    CROSS JOIN LATERAL (
      SELECT count(*) AS n, coalesce(sum(total_minor), 0) AS total FROM orders o
      WHERE o.tenant_id = $1 AND o.client_user_id = pc.client_user_id AND o.partner_id = $2
        AND o.status = 'PAID' AND o.currency = $5) o)
))))::text
"#;

/// The bench-only handler of the baseline: the request's brand from its host and its
/// viewer from the bearer token exactly as `/graphql` does, then [`BASELINE_LINES`] or
/// [`BASELINE_CLIENTS`]. The body is `{"page": "lines" | "clients", "p": <partner id>,
/// "first": n}`.
async fn baseline(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (parts, body) = req.into_parts();
    let ctx = match partner_gateway::http::context::build(&state, &parts).await {
        Ok(ctx) => ctx,
        Err(e) => return e.into_response(),
    };
    if !matches!(ctx.viewer, tenants::Viewer::User(_)) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 16).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let args: Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let (Some(partner), Some(first)) = (args["p"].as_i64(), args["first"].as_i64()) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let mut values: Vec<sea_orm::Value> = vec![
        ctx.tenant_id().into(),
        partner.into(),
        state.services.clock.now().into(),
        first.into(),
    ];
    let sql = if args["page"] == "clients" {
        values.push(ctx.tenant.model.currency.clone().into());
        BASELINE_CLIENTS
    } else {
        BASELINE_LINES
    };
    let stmt = Statement::from_sql_and_values(DbBackend::Postgres, sql, values);
    match state.services.db.query_one_raw(stmt).await {
        Ok(Some(row)) => match row.try_get_by_index::<String>(0) {
            Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        },
        _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

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

/// Sends a measured request: the answer is checked for errors without being parsed, so
/// the client's own work stays out of the gateway's CPU figure.
async fn send_measured(router: &axum::Router, req: Request<Body>) {
    let r = router.clone().oneshot(req).await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(
        !bytes.windows(9).any(|w| w == b"\"errors\":"),
        "{}",
        String::from_utf8_lossy(&bytes)
    );
}

struct Figures {
    rps: f64,
    p50: Duration,
    p99: Duration,
    statements: f64,
    cpu_per_request: Duration,
}

/// Sends `requests` requests built by `make` through `router`, `concurrency` at a time,
/// after 20 warm-up ones.
async fn measure(
    router: &axum::Router,
    statements: &partner_gateway::db::StatementCounter,
    make: impl Fn() -> Request<Body> + Clone + Send + 'static,
    requests: usize,
    concurrency: usize,
) -> Figures {
    // Warm up: connections, caches, the first plans.
    for _ in 0..20 {
        send(router, make()).await;
    }
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (s0, c0, t0) = (statements.get(), cpu(), Instant::now());
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (router, next, make) = (router.clone(), next.clone(), make.clone());
            tokio::spawn(async move {
                let mut took = Vec::new();
                while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < requests {
                    let started = Instant::now();
                    send_measured(&router, make()).await;
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

/// A GraphQL request maker for [`measure`].
fn graphql(
    host: &str,
    token: &str,
    query: &'static str,
    vars: Value,
) -> impl Fn() -> Request<Body> + Clone + Send + 'static {
    let (host, token) = (host.to_string(), token.to_string());
    move || post(&host, &token, query, vars.clone())
}

/// Where two answers first differ, as a path with both values.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                let (l, r) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                first_difference(l, r, &format!("{at}.{k}"))
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (l, r))| first_difference(l, r, &format!("{at}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{at}: gateway {a}, baseline {b}")),
    }
}

/// The page without the fields whose text differs only in format between the two
/// answers (timestamps: RFC 3339 from chrono, PostgreSQL's own from `json_build_object`).
fn comparable(mut v: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for timestamp in ["expiresAt", "attachedAt", "lastActiveAt"] {
                    m.remove(timestamp);
                }
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v
}

/// A page of `partner` at `first` clients (`page`: its GraphQL document, and `lines` or
/// `clients` for the baseline) through the gateway and through the one-statement baseline,
/// checked to be the same page, then measured side by side at 1 and [`CONCURRENCY`] in
/// flight, with the ratio of their rates.
#[allow(clippy::too_many_arguments)]
async fn against_baseline(
    (router, baseline_router, statements): (
        &axum::Router,
        &axum::Router,
        &partner_gateway::db::StatementCounter,
    ),
    (host, token, partner): (&str, &str, i64),
    (query, page): (&'static str, &'static str),
    first: usize,
    requests: usize,
    name: &str,
) {
    let pid = resolvers::ids::encode(resolvers::ids::Kind::Partner, partner).0;
    let vars = json!({ "p": pid, "n": first });
    let stick = {
        let (host, token) = (host.to_string(), token.to_string());
        move || {
            Request::post("/bench/client-lines")
                .header("host", &host)
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {token}"))
                .body(Body::from(
                    json!({ "page": page, "p": partner, "first": first }).to_string(),
                ))
                .unwrap()
        }
    };
    let gateway = send(router, post(host, token, query, vars.clone())).await;
    let baseline = send(baseline_router, stick()).await;
    let (gateway, baseline) = (gateway["data"].clone(), baseline["data"].clone());
    if let Some(at) = first_difference(&comparable(gateway), &comparable(baseline), "") {
        panic!("the baseline must build the same page; they differ at {at}");
    }
    for c in [1, CONCURRENCY] {
        let f = measure(
            router,
            statements,
            graphql(host, token, query, vars.clone()),
            requests,
            c,
        )
        .await;
        print(name, &f, c);
        let b = measure(baseline_router, statements, stick.clone(), requests, c).await;
        print("  baseline: one SQL statement", &b, c);
        println!(
            "  ratio (gateway / baseline req/s): {:.2}; gateway CPU per page {:.2?} vs {:.2?}",
            f.rps / b.rps,
            f.cpu_per_request,
            b.cpu_per_request
        );
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
    // One user sends hundreds of requests a second here: the request rate limits are off
    // (the baseline handler has none either).
    cfg.rate_limit_tenant_per_second = 0;
    cfg.rate_limit_user_per_second = 0;
    cfg.data_dir = std::env::temp_dir().join("pgw-bench-lines");
    std::fs::create_dir_all(&cfg.data_dir).unwrap();
    rt.block_on(async {
        let mut state = prepare(&cfg).await.unwrap();
        if std::env::var_os("ARMORED_ONLY").is_some() {
            // As before issue 29: documents with variables always run on the armored
            // schema (its extension on every field).
            state.checked_schema = state.schema.clone();
            println!("client_lines: documents with variables run on the armored schema");
        }
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
        let baseline_router = partner_gateway::http::with_middleware(
            axum::Router::new().route("/bench/client-lines", axum::routing::post(baseline)),
        )
        .with_state(state.clone());
        let only = std::env::var("ONLY").unwrap_or_default();
        let wants = |part: &str| only.is_empty() || only.split(',').any(|o| o == part);
        let routers = (&router, &baseline_router, &state.statements);
        if wants("lines") {
            against_baseline(
                routers,
                (&host, &token, p.id),
                (LINES, "lines"),
                50,
                requests,
                "client lines page",
            )
            .await;
        }
        if wants("clients") {
            against_baseline(
                routers,
                (&host, &token, p.id),
                (CLIENTS, "clients"),
                50,
                requests,
                "my clients page",
            )
            .await;
        }

        // "Show all" for the largest partner: every client on one page.
        let (host, token, p) = sign_in(0).await;
        if wants("show-all") {
            let name = format!("client lines page, show all ({} clients)", {
                partner_client::Entity::find()
                    .filter(partner_client::Column::PartnerId.eq(p.id))
                    .count(db)
                    .await
                    .unwrap()
            });
            against_baseline(
                routers,
                (&host, &token, p.id),
                (LINES, "lines"),
                1000,
                requests / 10,
                &name,
            )
            .await;
        }
        if !wants("quote") {
            return;
        }

        // A renewal of about 1,000 lines: the large partner's first 334 clients, 12 months.
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
        let f = measure(
            &router,
            &state.statements,
            graphql(&host, &token, QUOTE, input),
            300,
            1,
        )
        .await;
        print("quote of a 1,002-line renewal", &f, 1);
    });
}
