//! Peak memory of a burst of log-ins: 200 concurrent `logIn` requests through the real
//! router, each verifying an argon2id hash (19 MiB of working memory). Prints the
//! process's resident memory before, its peak during, and what remains after the burst.
//!
//! Run with `cargo bench --bench login_memory`; results are recorded in
//! docs/performance.md. Linux only (reads `/proc/self/status`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use axum::body::Body;
use axum::http::Request;
use partner_gateway::{Config, app, prepare};
use tower::ServiceExt;

fn concurrent() -> usize {
    std::env::var("LOGINS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}
const EMAIL: &str = "burst@bench.example";
const PASSWORD: &str = "correct horse battery";

/// `VmRSS` and `VmHWM` (peak) in MiB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn log_in() -> Request<Body> {
    Request::post("/graphql")
        .header("host", "localhost")
        .header("content-type", "application/json")
        .body(Body::from(format!(
            r#"{{"query":"mutation {{ logIn(input: {{email: \"{EMAIL}\", password: \"{PASSWORD}\"}}) {{ expiresIn }} }}"}}"#
        )))
        .unwrap()
}

fn main() {
    // `cargo bench` passes `--bench`; a plain `cargo test --benches` run passes nothing
    // and should not spend a minute hashing.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("pgw-bench-mem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cfg = Config::defaults();
    cfg.data_dir = dir.clone();
    cfg.database_url = format!("sqlite://{}/bench.db?mode=rwc", dir.display());
    rt.block_on(async {
        let state = prepare(&cfg).await.unwrap();
        let router = app(state.clone());
        let sign_up = format!(
            r#"{{"query":"mutation {{ signUp(input: {{email: \"{EMAIL}\", password: \"{PASSWORD}\", displayName: \"Burst\"}}) {{ expiresIn }} }}"}}"#
        );
        let r = router
            .clone()
            .oneshot(
                Request::post("/graphql")
                    .header("host", "localhost")
                    .header("content-type", "application/json")
                    .body(Body::from(sign_up))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert!(r.status().is_success());
        let (rss_before, _) = memory();
        let started = Instant::now();
        let tasks: Vec<_> = (0..concurrent())
            .map(|_| {
                let router = router.clone();
                tokio::spawn(async move { router.oneshot(log_in()).await.unwrap().status() })
            })
            .collect();
        let mut ok = 0;
        for t in tasks {
            if t.await.unwrap().is_success() {
                ok += 1;
            }
        }
        let took = started.elapsed();
        let (rss_after, peak) = memory();
        println!("login_memory: {} concurrent log-ins, {ok} succeeded in {took:.2?}", concurrent());
        println!(
            "login_memory: hashing permits {} x {} MiB",
            resolvers::password::permits(),
            resolvers::password::MEMORY_PER_HASH_KIB / 1024
        );
        println!("login_memory: RSS before {rss_before:.1} MiB, peak {peak:.1} MiB, after {rss_after:.1} MiB");
        println!(
            "login_memory: most hashes running at once: {}",
            resolvers::password::peak_concurrency()
        );
    });
    std::fs::remove_dir_all(&dir).ok();
}
