//! Benchmarks of the hot path every request takes: reading and normalising the host,
//! resolving it to a tenant in memory, and the public `tenant` query through the full
//! router (HTTP parsing, tenant resolution, GraphQL execution, serialisation).
//!
//! Run with `cargo bench --bench tenancy`; results are recorded in docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use axum::body::Body;
use axum::http::{HeaderMap, Request};
use criterion::{Criterion, criterion_group, criterion_main};
use partner_gateway::{Config, app, prepare};
use resolvers::tenancy::setup::TenantFields;
use resolvers::tenancy::setup::{NewTenant, insert_tenant};
use sea_orm::TransactionTrait;
use tenants::host::{TrustedProxies, normalize_host, requested_host};
use tower::ServiceExt;

const TENANTS: usize = 1000;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("pgw-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cfg = Config::defaults();
    cfg.data_dir = dir.clone();
    cfg.database_url = format!("sqlite://{}/bench.db?mode=rwc", dir.display());
    // One brand gets tens of thousands of requests a second here: the request rate limits
    // would answer 429 and measure the refusal instead.
    cfg.rate_limit_tenant_per_second = 0;
    cfg.rate_limit_user_per_second = 0;
    let state = rt.block_on(async {
        let state = prepare(&cfg).await.unwrap();
        let svc = &state.services;
        let txn = svc.db.begin().await.unwrap();
        for i in 0..TENANTS {
            let slug = format!("brand-{i}");
            let new = NewTenant {
                slug: slug.clone(),
                display_name: format!("Brand {i}"),
                is_root: false,
                owner_organization_id: None,
                input: TenantFields::new(&slug, &format!("Brand {i}")),
            };
            insert_tenant(&txn, &svc.settings, new, &[]).await.unwrap();
        }
        txn.commit().await.unwrap();
        svc.registry.reload(&svc.db).await.unwrap();
        state
    });
    let registry = state.services.registry.clone();
    let trusted = TrustedProxies::default();

    let mut g = c.benchmark_group("host");
    g.bench_function("normalize_host/plain", |b| {
        b.iter(|| normalize_host(black_box("Brand-517.LOCALHOST.:8080")))
    });
    g.bench_function("normalize_host/idn", |b| {
        b.iter(|| normalize_host(black_box("bücher.example:443")))
    });
    let mut headers = HeaderMap::new();
    headers.insert("host", "brand-517.localhost:8080".parse().unwrap());
    g.bench_function(format!("resolve/{TENANTS}_tenants"), |b| {
        b.iter(|| {
            let host = requested_host(black_box(&headers), None, None, &trusted).unwrap();
            registry.resolve(&host).unwrap()
        })
    });
    g.finish();

    // The same instance without remembered public answers (docs/api-limits.md): every
    // request runs the schema.
    let mut uncached_cfg = cfg.clone();
    uncached_cfg.public_answer_cache_size = 0;
    let uncached = rt.block_on(prepare(&uncached_cfg)).unwrap();
    let tenant = r#"{"query":"{ tenant { slug displayName primaryDomain branding { primaryColor accentColor logoUrl } } }"}"#;
    let typename = r#"{"query":"{ __typename }"}"#;
    let large = serde_json::json!({ "query": large_query() }).to_string();
    for (group, router) in [("router", app(state)), ("router_uncached", app(uncached))] {
        router_group(c, &rt, group, &router, tenant, typename, &large);
        under_load(c, &rt, &format!("{group}_load"), &router, tenant, typename);
    }

    // What the limits add on a large document: counting its tokens and walking it
    // (depth, aliases, directives, introspection), against parsing it at all.
    let q = large_query();
    let limits = schema::Limits::default();
    let mut g = c.benchmark_group("limits");
    g.bench_function("large_query/parse", |b| {
        b.iter(|| async_graphql::parser::parse_query(black_box(&q)).unwrap())
    });
    g.bench_function("large_query/tokens_and_walk", |b| {
        let doc = async_graphql::parser::parse_query(&q).unwrap();
        b.iter(|| {
            let n = schema::armor::count_tokens(black_box(&q), limits.max_tokens);
            assert!(n <= limits.max_tokens);
            schema::armor::check_document(black_box(&doc), &limits).unwrap();
        })
    });
    g.finish();
    let _ = std::fs::remove_dir_all(dir);
}

/// `{ tenant }`, `{ __typename }` and a large query through `router`, as `group/...`.
fn router_group(
    c: &mut Criterion,
    rt: &tokio::runtime::Runtime,
    group: &str,
    router: &axum::Router,
    tenant: &str,
    typename: &str,
    large: &str,
) {
    let mut g = c.benchmark_group(group);
    for (name, body) in [
        ("tenant_query", tenant.to_string()),
        ("typename", typename.to_string()),
        ("large_query", large.to_string()),
    ] {
        g.bench_function(name, |b| {
            b.to_async(rt)
                .iter(|| one_request(router.clone(), body.clone().into()))
        });
    }
    g.finish();
}

/// Requests sent in the same moment: each iteration spawns [`LOAD`] requests onto the
/// two worker threads and waits for all, so the time per iteration divided by [`LOAD`]
/// is the time per request when both cores are busy (the "under load" figure).
fn under_load(
    c: &mut Criterion,
    rt: &tokio::runtime::Runtime,
    group: &str,
    router: &axum::Router,
    tenant: &str,
    typename: &str,
) {
    let mut g = c.benchmark_group(group);
    g.throughput(criterion::Throughput::Elements(LOAD as u64));
    for (name, body) in [("tenant_query", tenant), ("typename", typename)] {
        let body = axum::body::Bytes::from(body.to_string());
        g.bench_function(name, |b| {
            b.to_async(rt).iter(|| {
                let tasks: Vec<_> = (0..LOAD)
                    .map(|_| tokio::spawn(one_request(router.clone(), body.clone())))
                    .collect();
                async move {
                    for t in tasks {
                        t.await.unwrap();
                    }
                }
            })
        });
    }
    g.finish();
}

/// One `POST /graphql` of `body` on a white-label host, read to the end.
async fn one_request(router: axum::Router, body: axum::body::Bytes) -> axum::body::Bytes {
    let req = Request::post("/graphql")
        .header("host", "brand-517.localhost")
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let resp = router.oneshot(req).await.unwrap();
    assert!(resp.status().is_success());
    axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap()
}

/// Requests in flight at once in [`under_load`].
const LOAD: usize = 32;

/// A large document within every limit: 15 aliased branches through fragments, about
/// 1,000 tokens.
fn large_query() -> String {
    let mut q = String::from("query Large {");
    for i in 0..15 {
        q.push_str(&format!(" t{i}: tenant {{ ...Brand }}"));
    }
    q.push_str(" }\nfragment Brand on Tenant { slug displayName primaryDomain branding { primaryColor accentColor logoUrl faviconUrl supportEmail supportPhone supportUrl } ...Names }\nfragment Names on Tenant { id slug displayName defaultLanguage currency timezone }");
    q
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(50)
        .measurement_time(std::time::Duration::from_secs(4))
        .warm_up_time(std::time::Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
