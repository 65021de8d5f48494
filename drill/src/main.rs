//! The failure drill (docs/reliability.md): two gateway instances on one PostgreSQL
//! database with the demo brands, behind HAProxy, under a mixed load, while PostgreSQL is
//! restarted, one instance is killed (SIGKILL) and the other stopped (SIGTERM), each started
//! again; then the books are checked in SQL and through the API, and a report is written.
//!
//! `scripts/drill.sh` builds it and installs what it needs; `drill --help` lists the
//! options.

mod bell;
mod books;
mod client;
mod cluster;
mod report;
mod scenario;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Parser;
use partner_gateway::dev::local_smtp::MailSink;
use partner_gateway::dev::local_yookassa::LocalYooKassa;
use sea_orm::ConnectionTrait;

use crate::client::{Api, Recorder};
use crate::cluster::{Balancer, Instance};
use crate::report::{Event, Report};

#[derive(Debug, Parser)]
#[command(about = "Failure drill: two instances behind HAProxy, faults under load, books checked")]
struct Args {
    /// How long the load runs, in minutes (the short mode in CI: 2).
    #[arg(long, default_value_t = 2.0)]
    minutes: f64,
    /// Soak: the same load without faults, to see each instance's memory stay flat.
    #[arg(long)]
    soak: bool,
    /// The gateway binary.
    #[arg(long, default_value = "target/release/partner-gateway")]
    bin: PathBuf,
    /// A PostgreSQL database the drill may create its own database from.
    #[arg(
        long,
        env = "DRILL_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    database_url: String,
    /// Where logs, the HAProxy configuration and the report go.
    #[arg(long, default_value = "target/drill")]
    out: PathBuf,
    /// Keep the drill's database afterwards (dropped by default).
    #[arg(long)]
    keep_database: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "drill=info,sqlx=error,warn".into()),
        )
        .init();
    let args = Args::parse();
    match run(args).await {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("drill FAILED: see the report");
            std::process::ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("drill error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A database of the drill's own on the server `admin_url` points at.
fn database_url(admin_url: &str, name: &str) -> String {
    match admin_url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => format!("{admin_url}/{name}"),
    }
}

async fn run(args: Args) -> anyhow::Result<bool> {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string();
    let dir = args.out.join(&stamp);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let bin = std::fs::canonicalize(&args.bin)
        .with_context(|| format!("no gateway binary at {}", args.bin.display()))?;

    // A fresh database.
    let db_name = format!("pgw_drill_{}", stamp.replace('-', "_"));
    let admin = sea_orm::Database::connect(&args.database_url).await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE {db_name}"))
        .await?;
    let db_url = database_url(&args.database_url, &db_name);
    println!("drill: database {db_name}, output in {}", dir.display());

    let result = drill(&args, &dir, &bin, &db_url).await;

    if !args.keep_database {
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {db_name} WITH (FORCE)"))
            .await
            .ok();
    }
    result
}

async fn drill(
    args: &Args,
    dir: &std::path::Path,
    bin: &std::path::Path,
    db_url: &str,
) -> anyhow::Result<bool> {
    // The third parties, local and speaking their real protocols: mail and the card
    // provider (which delivers its notifications through the balancer, and again until
    // one is accepted, as YooKassa does).
    let mail = MailSink::start()?;
    mail.set_delay(Duration::from_millis(80));
    let yookassa = LocalYooKassa::start().await?;
    yookassa.redeliver_until_accepted();

    let balancer_port = cluster::free_port()?;
    let env = scenario::instance_env(db_url, dir, &mail, &yookassa);
    scenario::seed(bin, &env, dir).await?;
    let mut a = Instance::new("a", bin, env.clone(), dir)?;
    let mut b = Instance::new("b", bin, env.clone(), dir)?;
    scenario::add_shops(&yookassa, balancer_port);
    let rec = Recorder::new();
    let probe = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()?;
    a.start()?;
    b.start()?;
    a.wait_ready(&probe, Duration::from_secs(60)).await?;
    b.wait_ready(&probe, Duration::from_secs(60)).await?;
    let balancer = Balancer::start_on(balancer_port, &[("a", a.port), ("b", b.port)], dir)?;
    let api = Api::new(balancer.base(), rec.clone())?;
    scenario::wait_balanced(&api).await?;

    let started = chrono::Utc::now();
    let world = Arc::new(scenario::World::prepare(&api, db_url, args.soak).await?);
    let mut report = Report::new(args.minutes, args.soak);
    let (memory, sampler) =
        report::Memory::start([("a", a.pid.clone()), ("b", b.pid.clone())], rec.clone());
    let (readiness, watcher) =
        report::Readiness::start([("a", a.port), ("b", b.port)], rec.clone(), probe.clone());
    let stop = Arc::new(AtomicBool::new(false));
    let load = scenario::start_load(&world, &api, &balancer.ws_base(), stop.clone());

    let total = Duration::from_secs_f64(args.minutes * 60.0);
    let at = |f: f64| total.mul_f64(f);
    let start = Instant::now();
    let until = |t: Duration| async move {
        if let Some(left) = t.checked_sub(start.elapsed()) {
            tokio::time::sleep(left).await;
        }
    };
    report.event(Event::phase(&rec, "warm-up"));
    until(at(0.15)).await;
    report.event(Event::phase(&rec, "steady"));
    if !args.soak {
        until(at(0.2)).await;
        report.event(Event::phase(&rec, "PostgreSQL restart"));
        let took = cluster::restart_postgres(Duration::from_secs(5)).await?;
        report.note(format!(
            "PostgreSQL stopped, kept down 5 s and started: away {:.1} s",
            took.as_secs_f64()
        ));
        report
            .recovery("PostgreSQL restart", &rec, &probe, &[&a, &b])
            .await;

        until(at(0.4)).await;
        report.event(Event::phase(&rec, "SIGKILL a"));
        // The mail relay slows down, so both instances hold claimed batches (more than
        // one batch is `SENDING`) when a is killed; then it is quick again, and the other
        // instance finishes its own batch.
        mail.set_delay(Duration::from_secs(1));
        for _ in 0..150 {
            let held = scenario::claimed_messages(db_url).await.unwrap_or_default();
            if held.len() > 20 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        a.kill().await?;
        mail.set_delay(Duration::from_millis(80));
        // The killed instance's claims: messages `SENDING` at the kill and still so once
        // the other instance has finished the batch it was sending.
        let at_kill = scenario::claimed_messages(db_url).await.unwrap_or_default();
        tokio::time::sleep(Duration::from_secs(3)).await;
        let still = scenario::claimed_messages(db_url).await.unwrap_or_default();
        report.held_by_killed = at_kill
            .into_iter()
            .filter(|id| still.contains(id))
            .collect();
        report.note(format!(
            "a killed holding {} claimed outbox message(s)",
            report.held_by_killed.len()
        ));
        a.start()?;
        let back = a.wait_ready(&probe, Duration::from_secs(60)).await?;
        report.note(format!(
            "a killed; started again 3 s after the kill and ready {:.1} s later",
            back.as_secs_f64()
        ));
        report.recovery("SIGKILL a", &rec, &probe, &[&a, &b]).await;

        until(at(0.6)).await;
        report.event(Event::phase(&rec, "SIGTERM b"));
        let (stopped_in, clean) = b.terminate(Duration::from_secs(30)).await?;
        report.note(format!(
            "b stopped {:.1} s after SIGTERM ({})",
            stopped_in.as_secs_f64(),
            if clean { "exit 0" } else { "exit not 0" }
        ));
        report.sigterm_clean = clean;
        b.start()?;
        let back = b.wait_ready(&probe, Duration::from_secs(60)).await?;
        report.note(format!(
            "b started again, ready in {:.1} s",
            back.as_secs_f64()
        ));
        report.recovery("SIGTERM b", &rec, &probe, &[&a, &b]).await;

        until(at(0.8)).await;
        report.event(Event::phase(&rec, "after the faults"));
    }
    until(total).await;
    report.event(Event::phase(&rec, "end"));
    stop.store(true, Ordering::Relaxed);
    let outcome = load.finish().await;
    sampler.abort();
    watcher.abort();
    report.memory = memory.samples();
    report.readiness = readiness.samples();

    // The books: wait until what is in flight settles, retry what never got an answer
    // with its key, then check.
    report.outcome = outcome;
    let books = books::check_all(&world, &api, &mail, &report, started).await;
    report.books = books;
    report.requests = rec.samples();

    // Both instances stop gracefully at the end, as in a deploy.
    for i in [&mut a, &mut b] {
        let _ = i.terminate(Duration::from_secs(30)).await;
    }
    balancer.stop().await;
    let passed = report.passed();
    let text = report.render();
    let path = dir.join("report.md");
    std::fs::write(&path, &text)?;
    println!("{text}");
    println!("drill: report written to {}", path.display());
    Ok(passed)
}
