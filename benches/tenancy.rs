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
use resolvers::tenancy::ops::TenantFields;
use resolvers::tenancy::ops::{NewTenant, insert_tenant};
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

    let router = app(state);
    let body = r#"{"query":"{ tenant { slug displayName primaryDomain branding { primaryColor accentColor logoUrl } } }"}"#;
    let mut g = c.benchmark_group("router");
    g.bench_function("tenant_query", |b| {
        b.to_async(&rt).iter(|| {
            let router = router.clone();
            async move {
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
        })
    });
    g.finish();
    let _ = std::fs::remove_dir_all(dir);
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
