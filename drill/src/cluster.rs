//! The deployment the drill runs: two gateway processes on one PostgreSQL database behind
//! HAProxy (health checks on `/readyz`), and the faults it injects into them.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use tokio::process::{Child, Command};

/// A free loopback port (bound and released; the drill starts its processes right after).
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// One gateway process, started again after each fault.
pub struct Instance {
    pub name: &'static str,
    pub port: u16,
    bin: PathBuf,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
    /// The running process's id (shared with the memory sampler).
    pub pid: Arc<Mutex<Option<u32>>>,
    /// How many times it was started.
    pub starts: u32,
}

impl Instance {
    pub fn new(
        name: &'static str,
        bin: &Path,
        env: Vec<(String, String)>,
        dir: &Path,
    ) -> anyhow::Result<Self> {
        let port = free_port()?;
        let mut env = env;
        env.push(("BIND_ADDR".into(), format!("127.0.0.1:{port}")));
        Ok(Self {
            name,
            port,
            bin: bin.to_path_buf(),
            env,
            log: dir.join(format!("instance-{name}.log")),
            child: None,
            pid: Arc::default(),
            starts: 0,
        })
    }

    /// Starts the process (its output appended to `instance-<name>.log`).
    pub fn start(&mut self) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .with_context(|| format!("opening {}", self.log.display()))?;
        let child = Command::new(&self.bin)
            .arg("serve")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", self.bin.display()))?;
        *self.pid.lock().unwrap_or_else(|e| e.into_inner()) = child.id();
        self.child = Some(child);
        self.starts += 1;
        Ok(())
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Whether `/readyz` answers 200 now.
    pub async fn ready(&self, http: &reqwest::Client) -> bool {
        let asked = http.get(self.url("/readyz")).send().await;
        asked.is_ok_and(|r| r.status() == reqwest::StatusCode::OK)
    }

    /// Waits until `/readyz` answers 200; how long it took.
    pub async fn wait_ready(
        &mut self,
        http: &reqwest::Client,
        within: Duration,
    ) -> anyhow::Result<Duration> {
        let t = Instant::now();
        while t.elapsed() < within {
            if self.ready(http).await {
                return Ok(t.elapsed());
            }
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                bail!("instance {} exited while starting: {status}", self.name);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("instance {} not ready after {within:?}", self.name)
    }

    /// SIGKILL: the process ends at once, whatever it was doing.
    pub async fn kill(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.start_kill()?;
            child.wait().await?;
        }
        *self.pid.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(())
    }

    /// SIGTERM, then waits for the process to end on its own; how long it took and
    /// whether it exited successfully.
    pub async fn terminate(&mut self, within: Duration) -> anyhow::Result<(Duration, bool)> {
        let Some(mut child) = self.child.take() else {
            bail!("instance {} is not running", self.name);
        };
        let pid = child.id().context("no pid")?;
        let t = Instant::now();
        let sent = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await?;
        if !sent.success() {
            bail!("kill -TERM {pid} failed");
        }
        let status = match tokio::time::timeout(within, child.wait()).await {
            Ok(s) => s?,
            Err(_) => {
                child.start_kill()?;
                child.wait().await?;
                bail!(
                    "instance {} did not stop within {within:?} of SIGTERM",
                    self.name
                );
            }
        };
        *self.pid.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok((t.elapsed(), status.success()))
    }

    /// Resident memory of the running process, in KiB.
    pub fn rss_kib(pid: u32) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }
}

/// HAProxy in front of the instances, run in the foreground.
pub struct Balancer {
    pub port: u16,
    child: Child,
}

/// The balancer's answer when no instance is ready: the API's own error shape, so a
/// client sees `SERVICE_UNAVAILABLE` with `Retry-After` whoever answered.
const NO_INSTANCE: &str = "HTTP/1.1 503 Service Unavailable\r\n\
Content-Type: application/json\r\n\
Retry-After: 2\r\n\
X-Served-By: balancer\r\n\
Cache-Control: no-store\r\n\
Connection: close\r\n\
\r\n\
{\"errors\":[{\"message\":\"the service is briefly unavailable; retry shortly\",\
\"extensions\":{\"code\":\"SERVICE_UNAVAILABLE\",\"retryAfter\":2}}]}\n";

impl Balancer {
    /// HAProxy's configuration: round robin over the instances, each checked on
    /// `/readyz` every 250 ms (down after 2 failures, up after 2 successes); a request
    /// whose connection could not be made is sent to the other instance (nothing reached
    /// the first); no other retry, since a request that reached an instance may have done
    /// its work. WebSockets are tunnelled for up to an hour.
    pub fn config(port: u16, servers: &[(&str, u16)], dir: &Path) -> String {
        let mut cfg = format!(
            "global\n  maxconn 4096\n\n\
             defaults\n  mode http\n  timeout connect 1s\n  timeout client 60s\n  \
             timeout server 60s\n  timeout tunnel 1h\n  timeout http-keep-alive 10s\n  \
             retries 3\n  option redispatch 1\n  retry-on conn-failure\n\n\
             frontend api\n  bind 127.0.0.1:{port}\n  option forwardfor\n  \
             errorfile 503 {}\n  default_backend gateways\n\n\
             backend gateways\n  balance roundrobin\n  option httpchk GET /readyz\n  \
             http-check expect status 200\n  \
             default-server inter 250ms fastinter 250ms downinter 250ms fall 2 rise 2\n",
            dir.join("no-instance.http").display()
        );
        for (name, p) in servers {
            cfg.push_str(&format!("  server {name} 127.0.0.1:{p} check\n"));
        }
        cfg
    }

    pub fn start_on(port: u16, servers: &[(&str, u16)], dir: &Path) -> anyhow::Result<Self> {
        std::fs::write(dir.join("no-instance.http"), NO_INSTANCE)?;
        let cfg_path = dir.join("haproxy.cfg");
        std::fs::write(&cfg_path, Self::config(port, servers, dir))?;
        let log = std::fs::File::create(dir.join("haproxy.log"))?;
        let child = Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(&cfg_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .context("starting haproxy (scripts/drill.sh installs it)")?;
        Ok(Self { port, child })
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn ws_base(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// The Debian PostgreSQL cluster's version (the newest under `/etc/postgresql`).
fn cluster_version() -> anyhow::Result<String> {
    std::fs::read_dir("/etc/postgresql")
        .context("no /etc/postgresql: the drill restarts a Debian PostgreSQL cluster")?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .max()
        .context("no PostgreSQL cluster under /etc/postgresql")
}

async fn pg_ctl(version: &str, action: &str) -> anyhow::Result<()> {
    let mut args = vec!["--skip-systemctl-redirect", version, "main", action];
    if action == "stop" {
        args.extend(["-m", "fast"]);
    }
    let status = Command::new("pg_ctlcluster")
        .args(&args)
        .status()
        .await
        .context("running pg_ctlcluster")?;
    if !status.success() {
        bail!("pg_ctlcluster {version} main {action} failed: {status}");
    }
    Ok(())
}

/// Stops the PostgreSQL cluster the drill's database lives in (`-m fast`: sessions are
/// ended, as in a failover), keeps it down for `down`, and starts it again; how long the
/// database was away.
pub async fn restart_postgres(down: Duration) -> anyhow::Result<Duration> {
    let version = cluster_version()?;
    let t = Instant::now();
    pg_ctl(&version, "stop").await?;
    tokio::time::sleep(down).await;
    pg_ctl(&version, "start").await?;
    Ok(t.elapsed())
}
