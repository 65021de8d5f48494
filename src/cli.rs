//! Commands: `serve` (the default), `migrate`, `export-schema`, `seed-demo`, `gen-data`,
//! `run-jobs`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::dev::demo;
use crate::lifecycle::Phase;
use crate::{Config, prepare};

/// Partner Gateway: the GraphQL API of a white-label partner platform.
#[derive(Debug, Parser)]
#[command(version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations and serve (the default).
    Serve {
        /// Also create the demo tenants and accounts (idempotent) and print how to sign in.
        #[arg(long)]
        demo: bool,
    },
    /// Apply migrations and exit.
    Migrate,
    /// Print the GraphQL SDL (or write it to a file).
    ExportSchema {
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Create the demo tenants and accounts and exit.
    SeedDemo,
    /// Create the large deterministic benchmark data set (3 tenants, 200 partners, 20,000
    /// clients, 60,000 lines, 180,000 channels, a year of paid orders) on the configured
    /// database and exit; a second run changes nothing.
    GenData,
    /// Run the scheduler's due jobs (order expiry, reward holds ending, the NFR line, card
    /// refunds): once with `--once` (cron, tests), else every `SCHEDULER_INTERVAL_SECS`
    /// without serving HTTP.
    RunJobs {
        /// Run what is due once and exit.
        #[arg(long)]
        once: bool,
    },
}

/// Parses the command line and runs the command.
pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    let telemetry = crate::telemetry::init(&cli.config.log_format);
    let code = match dispatch(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "failed");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    };
    // The spans of the last requests are exported before the process ends.
    tokio::task::spawn_blocking(move || telemetry.shutdown())
        .await
        .ok();
    code
}

async fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let cfg = cli.config;
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::ExportSchema { out } => {
            let sdl = schema::sdl();
            match out {
                Some(path) => std::fs::write(&path, sdl)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => print!("{sdl}"),
            }
            Ok(())
        }
        Command::Migrate => {
            let db = crate::db::connect(&cfg.database_url).await?;
            crate::db::migrate(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::SeedDemo => {
            let state = prepare(&cfg).await?;
            bootstrap_admin(&state, &cfg).await?;
            let info = demo::seed(&state).await?;
            demo::print(&info, &cfg);
            Ok(())
        }
        Command::GenData => {
            let state = prepare(&cfg).await?;
            println!("{}", crate::dev::gen_data::run(&state).await?);
            Ok(())
        }
        Command::RunJobs { once } => {
            let state = prepare(&cfg).await?;
            if once {
                let ran = crate::scheduler::run_once(&state).await?;
                for r in &ran {
                    println!("{}: {} item(s)", r.job, r.items);
                }
                println!("{} job(s) ran", ran.len());
                let fanned = crate::notifier::fan_out_once(&state).await?;
                println!(
                    "notifications: {} event(s) fanned out, {} bell item(s), {} message(s) queued",
                    fanned.events,
                    fanned.bell.len(),
                    fanned.messages
                );
                let sent = crate::notifier::deliver_once(&state).await?;
                println!(
                    "outbox: {} sent, {} to retry, {} failed ({})",
                    sent.sent,
                    sent.retrying,
                    sent.failed,
                    state.services.mailer.describe()
                );
                return Ok(());
            }
            crate::notifier::spawn(
                state.clone(),
                Duration::from_millis(cfg.notify_interval_ms.max(100)),
            );
            crate::scheduler::spawn(
                state.clone(),
                Duration::from_secs(cfg.scheduler_interval_secs.max(1)),
            );
            shutdown_signal().await;
            // The runs in progress finish (src/lifecycle.rs).
            finish(&state, &cfg).await;
            Ok(())
        }
        Command::Serve { demo: with_demo } => serve(cfg, with_demo).await,
    }
}

async fn bootstrap_admin(state: &crate::AppState, cfg: &Config) -> anyhow::Result<()> {
    let created = resolvers::tenancy::setup::ensure_platform_admin(
        &state.services.db,
        cfg.bootstrap_admin_email.as_deref(),
        cfg.bootstrap_admin_password.as_ref().map(|s| s.0.as_str()),
    )
    .await
    .map_err(|e| anyhow::anyhow!("could not create the platform admin: {e:?}"))?;
    if let Some((email, generated)) = created {
        match generated {
            Some(password) => println!(
                "\nPlatform admin created on the root tenant (shown once, keep it):\n  email:    {email}\n  password: {password}\n"
            ),
            None => println!("\nPlatform admin created on the root tenant: {email}\n"),
        }
    }
    Ok(())
}

async fn serve(mut cfg: Config, with_demo: bool) -> anyhow::Result<()> {
    if with_demo {
        // The demo is a development deployment: GraphiQL and introspection on (unless
        // `GRAPHIQL` / `GRAPHQL_INTROSPECTION` say otherwise).
        cfg.app_env = "development".into();
    }
    // The demo pays by card through local servers speaking Stripe's and YooKassa's
    // protocols.
    let _local_providers = if with_demo {
        Some(crate::dev::demo_payments::start(&mut cfg).await?)
    } else {
        None
    };
    // The demo's bots talk to a local server speaking the Bot API.
    let local_telegram = if with_demo && cfg.telegram_api_base == "https://api.telegram.org" {
        let local = crate::dev::local_telegram::LocalTelegram::start().await?;
        cfg.telegram_api_base = local.base.clone();
        Some(local)
    } else {
        None
    };
    // The demo proves custom domains against a local DNS server answering from a file.
    let _local_dns = if with_demo && cfg.dns_resolver.is_none() {
        let file = cfg.data_dir.join(crate::dev::local_dns::DEMO_RECORDS_FILE);
        if !file.exists() {
            std::fs::create_dir_all(&cfg.data_dir)
                .with_context(|| format!("creating {}", cfg.data_dir.display()))?;
            std::fs::write(&file, crate::dev::local_dns::DEMO_RECORDS_HEADER)
                .with_context(|| format!("writing {}", file.display()))?;
        }
        let local = crate::dev::local_dns::LocalDns::with_records_file(&file).await?;
        println!(
            "Custom domains are checked against a local DNS server at {} answering from {} \
             (docs/domains.md walks through it).",
            local.addr,
            file.display()
        );
        cfg.dns_resolver = Some(local.addr);
        Some(local)
    } else {
        None
    };
    let state = prepare(&cfg).await?;
    bootstrap_admin(&state, &cfg).await?;
    if with_demo {
        let info = demo::seed(&state).await?;
        demo::print(&info, &cfg);
        if let Some(local) = &local_telegram {
            demo::telegram_bots(&state, local).await?;
            println!(
                "Telegram goes to a local Bot API server at {base}; each brand has a bot (polling).\n\
                 \x20 connect: run connectTelegram, then open {base}/open?link=<its url>&chat=1001\n\
                 \x20 what the bots sent: {base}/messages\n",
                base = local.base
            );
        }
    }
    state
        .services
        .registry
        .spawn_refresher(state.services.db.clone(), Duration::from_secs(60));
    state
        .services
        .live
        .spawn_listener(state.services.db.clone());
    crate::scheduler::spawn(
        state.clone(),
        Duration::from_secs(cfg.scheduler_interval_secs),
    );
    crate::notifier::spawn(state.clone(), Duration::from_millis(cfg.notify_interval_ms));
    // Rate-limit keys whose budget is full again are forgotten every minute.
    let limits = state.services.limits.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            limits.prune().await;
        }
    });
    let listener = tokio::net::TcpListener::bind(cfg.bind_addr)
        .await
        .with_context(|| format!("binding {}", cfg.bind_addr))?;
    tracing::info!(addr = %cfg.bind_addr, "listening");
    let app = crate::app(state.clone());
    let life = state.lifecycle.clone();
    let drain = Duration::from_millis(cfg.shutdown_drain_ms);
    let stopping = async move {
        shutdown_signal().await;
        life.enter(Phase::Draining);
        if !drain.is_zero() {
            tracing::info!(
                drain_ms = drain.as_millis() as u64,
                "draining: /readyz answers 503 while requests are still served"
            );
            tokio::time::sleep(drain).await;
        }
        life.enter(Phase::Closing);
        tracing::info!(
            "closing: no new connections, requests in flight finish, WebSockets close with 1001"
        );
    };
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(stopping)
    .await
    .context("serving")?;
    finish(&state, &cfg).await;
    state.services.db.clone().close().await.ok();
    tracing::info!("stopped");
    Ok(())
}

/// Waits for open WebSockets and the workers' runs in progress, `SHUTDOWN_GRACE_MS` at
/// most.
async fn finish(state: &crate::AppState, cfg: &Config) {
    let grace = Duration::from_millis(cfg.shutdown_grace_ms);
    if !state.lifecycle.finish(grace).await {
        tracing::warn!(
            running = state.lifecycle.running(),
            grace_ms = cfg.shutdown_grace_ms,
            "stopping with tasks still running after SHUTDOWN_GRACE_MS"
        );
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("stop asked");
}
