//! What the drill measured and found, as Markdown: errors by code, recovery after each
//! fault, throughput and p99 by phase, memory per instance, and the books.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::bell::BellLog;
use crate::client::{Recorder, Sample};
use crate::cluster::Instance;

/// A moment of the run.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: Duration,
    pub name: String,
}

impl Event {
    pub fn phase(rec: &Recorder, name: &str) -> Self {
        Self {
            at: rec.now(),
            name: name.into(),
        }
    }
}

/// One check of the books.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    pub passed: bool,
    pub detail: String,
}

/// A fault: its phase's name and when it began.
#[derive(Debug, Clone)]
pub struct Fault {
    pub name: String,
    pub at: Duration,
}

/// What the load did, for the report.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    /// Logical operations (each with its retries) by kind → how they ended.
    pub operations: BTreeMap<String, BTreeMap<String, u64>>,
    pub bell: BellLog,
}

/// Samples per instance: (since start, instance, value).
pub type Series<T> = Vec<(Duration, &'static str, T)>;

/// Each instance's `/readyz` every 100 ms: (since start, instance, ready).
#[derive(Clone, Default)]
pub struct Readiness(Arc<Mutex<Series<bool>>>);

impl Readiness {
    pub fn start(
        instances: [(&'static str, u16); 2],
        rec: Recorder,
        probe: reqwest::Client,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let me = Self::default();
        let keep = me.clone();
        let task = tokio::spawn(async move {
            loop {
                for (name, port) in instances {
                    let url = format!("http://127.0.0.1:{port}/readyz");
                    let asked = probe.get(url).send().await;
                    let ready = asked.is_ok_and(|r| r.status() == reqwest::StatusCode::OK);
                    let mut v = keep.0.lock().unwrap_or_else(|e| e.into_inner());
                    v.push((rec.now(), name, ready));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        (me, task)
    }

    pub fn samples(&self) -> Series<bool> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Resident memory samples: (since start, instance, KiB).
#[derive(Clone, Default)]
pub struct Memory(Arc<Mutex<Series<u64>>>);

impl Memory {
    /// Samples each running instance's resident memory every 500 ms.
    pub fn start(
        instances: [(&'static str, Arc<Mutex<Option<u32>>>); 2],
        rec: Recorder,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let me = Self::default();
        let keep = me.clone();
        let task = tokio::spawn(async move {
            loop {
                for (name, pid) in &instances {
                    let pid = *pid.lock().unwrap_or_else(|e| e.into_inner());
                    if let Some(kib) = pid.and_then(Instance::rss_kib) {
                        let mut v = keep.0.lock().unwrap_or_else(|e| e.into_inner());
                        v.push((rec.now(), name, kib));
                    }
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        });
        (me, task)
    }

    pub fn samples(&self) -> Series<u64> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

pub struct Report {
    pub minutes: f64,
    pub soak: bool,
    pub events: Vec<Event>,
    pub notes: Vec<String>,
    pub faults: Vec<Fault>,
    pub sigterm_clean: bool,
    /// Outbox messages `SENDING` when an instance was killed.
    pub held_by_killed: Vec<i64>,
    pub memory: Series<u64>,
    pub readiness: Series<bool>,
    pub requests: Vec<Sample>,
    pub books: Vec<Check>,
    pub outcome: Outcome,
}

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1000.0)
}

fn secs(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

impl Report {
    pub fn new(minutes: f64, soak: bool) -> Self {
        Self {
            minutes,
            soak,
            events: Vec::new(),
            notes: Vec::new(),
            faults: Vec::new(),
            sigterm_clean: true,
            held_by_killed: Vec::new(),
            memory: Vec::new(),
            readiness: Vec::new(),
            requests: Vec::new(),
            books: Vec::new(),
            outcome: Outcome::default(),
        }
    }

    pub fn event(&mut self, e: Event) {
        println!("drill: {:>6.1} s  {}", e.at.as_secs_f64(), e.name);
        self.events.push(e);
    }

    pub fn note(&mut self, n: String) {
        println!("drill:           {n}");
        self.notes.push(n);
    }

    /// Waits (60 s at most) until every instance answers `/readyz`, and notes the fault
    /// (its recovery is read from the readiness samples and the requests).
    pub async fn recovery(
        &mut self,
        name: &str,
        rec: &Recorder,
        probe: &reqwest::Client,
        instances: &[&Instance],
    ) {
        let at = self.events.last().map(|e| e.at).unwrap_or_default();
        while rec.now() < at + Duration::from_secs(60) {
            let mut all = true;
            for i in instances {
                all &= i.ready(probe).await;
            }
            if all {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.faults.push(Fault {
            name: name.into(),
            at,
        });
    }

    /// After a fault that began at `from`: when each instance was out of the balancer
    /// (not ready) and when the last request failed.
    fn recovered(&self, from: Duration, to: Duration) -> String {
        let mut parts = Vec::new();
        for name in ["a", "b"] {
            let of: Vec<_> = self
                .readiness
                .iter()
                .filter(|r| r.1 == name && r.0 >= from && r.0 < to)
                .collect();
            let down = of.iter().find(|r| !r.2).map(|r| r.0);
            let back = down.and_then(|d| of.iter().find(|r| r.0 > d && r.2).map(|r| r.0));
            parts.push(match (down, back) {
                (None, _) => format!("{name} ready throughout"),
                (Some(d), Some(b)) => format!(
                    "{name} not ready from +{} s, ready again at +{} s",
                    secs(d - from),
                    secs(b - from)
                ),
                (Some(d), None) => format!(
                    "{name} not ready from +{} s, not ready again",
                    secs(d - from)
                ),
            });
        }
        let last = self
            .requests
            .iter()
            .filter(|s| s.at >= from && s.at < to && !expected(s))
            .map(|s| s.at)
            .max();
        parts.push(match last {
            Some(t) => format!("last failed request at +{} s", secs(t - from)),
            None => "no request failed".into(),
        });
        parts.join("; ")
    }

    /// The windows between events: (name, from, to).
    fn phases(&self) -> Vec<(String, Duration, Duration)> {
        self.events
            .windows(2)
            .map(|w| (w[0].name.clone(), w[0].at, w[1].at))
            .collect()
    }

    /// Requests in `[from, to)` that failed, by code.
    fn errors_in(&self, from: Duration, to: Duration) -> BTreeMap<String, u64> {
        let mut by_code = BTreeMap::new();
        for s in self.requests.iter().filter(|s| s.at >= from && s.at < to) {
            if !expected(s) {
                let who = if s.by_balancer {
                    ", by the balancer"
                } else {
                    ""
                };
                *by_code
                    .entry(format!("{} ({}{who})", s.code, s.op))
                    .or_insert(0) += 1;
            }
        }
        by_code
    }

    /// The faults' failed requests: none may be `INTERNAL`, and a graceful stop may fail
    /// none.
    fn fault_checks(&self) -> Vec<Check> {
        let mut checks = Vec::new();
        let internal = self
            .requests
            .iter()
            .filter(|s| s.code == "INTERNAL")
            .count();
        checks.push(Check {
            name: "no request answered INTERNAL".into(),
            passed: internal == 0,
            detail: format!("{internal} INTERNAL of {}", self.requests.len()),
        });
        if !self.soak {
            let phases = self.phases();
            if let Some((_, from, to)) = phases.iter().find(|p| p.0 == "SIGTERM b") {
                let errors = self.errors_in(*from, *to);
                let n: u64 = errors.values().sum();
                checks.push(Check {
                    name: "no request failed because of the graceful stop (SIGTERM)".into(),
                    passed: n == 0 && self.sigterm_clean,
                    detail: format!("{n} failed {errors:?}; exit 0: {}", self.sigterm_clean),
                });
            }
            if let Some((_, from, to)) = phases.iter().find(|p| p.0 == "PostgreSQL restart") {
                let errors = self.errors_in(*from, *to);
                let unavailable = errors
                    .iter()
                    .filter(|(k, _)| k.starts_with("SERVICE_UNAVAILABLE"))
                    .map(|(_, n)| n)
                    .sum::<u64>();
                let other: u64 = errors.values().sum::<u64>() - unavailable;
                checks.push(Check {
                    name: "a database restart answers SERVICE_UNAVAILABLE, nothing else".into(),
                    passed: other == 0,
                    detail: format!("{errors:?}"),
                });
            }
            let after: Vec<_> = phases
                .iter()
                .filter(|p| p.0 == "after the faults")
                .collect();
            if let Some((_, from, to)) = after.first() {
                let errors = self.errors_in(*from, *to);
                checks.push(Check {
                    name: "recovered without a restart: no failure after the faults".into(),
                    passed: errors.is_empty(),
                    detail: format!("{errors:?}"),
                });
            }
            let closes_1001 = self.outcome.bell.closes.get("1001").copied().unwrap_or(0);
            let reconnected = self.outcome.bell.reconnect_after_1001.len() as u64;
            checks.push(Check {
                name: "WebSockets closed with 1001 on SIGTERM and reconnected".into(),
                passed: closes_1001 > 0 && reconnected >= closes_1001,
                detail: format!(
                    "{closes_1001} closed with 1001, {reconnected} subscribed again; all ends: {:?}",
                    self.outcome.bell.closes
                ),
            });
        }
        checks
    }

    /// Memory per instance incarnation is not tracked apart: a restarted instance starts
    /// low again, so flatness is judged in soak mode, where nothing restarts.
    fn memory_check(&self) -> Option<Check> {
        if !self.soak {
            return None;
        }
        let end = self.memory.last().map(|m| m.0)?;
        let warm = end.mul_f64(0.25).max(Duration::from_secs(60).min(end / 2));
        let mut detail = String::new();
        let mut passed = true;
        for name in ["a", "b"] {
            let minutes = per_minute(&self.memory, name, warm);
            let (lo, hi) = minutes
                .iter()
                .fold((f64::MAX, 0f64), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
            let spread = if lo > 0.0 { hi / lo - 1.0 } else { 0.0 };
            passed &= minutes.len() >= 2 && spread <= 0.10;
            let _ = write!(
                detail,
                "{name}: per-minute means after warm-up {:?} MiB, spread {:.1} %; ",
                minutes
                    .iter()
                    .map(|v| (v / 1024.0).round())
                    .collect::<Vec<_>>(),
                spread * 100.0
            );
        }
        Some(Check {
            name: "memory flat within 10 % after warm-up".into(),
            passed,
            detail,
        })
    }

    pub fn checks(&self) -> Vec<Check> {
        let mut all = self.fault_checks();
        all.extend(self.memory_check());
        all.extend(self.books.iter().cloned());
        all
    }

    pub fn passed(&self) -> bool {
        self.checks().iter().all(|c| c.passed)
    }

    pub fn render(&self) -> String {
        let mut o = String::new();
        let kind = if self.soak { "soak" } else { "faults" };
        let _ = writeln!(o, "# Drill report ({kind}, {} min of load)\n", self.minutes);
        let _ = writeln!(o, "## Checks\n");
        for c in self.checks() {
            let mark = if c.passed { "pass" } else { "**FAIL**" };
            let _ = writeln!(o, "- {mark}: {} ({})", c.name, c.detail);
        }
        let _ = writeln!(o, "\n## What happened\n");
        for n in &self.notes {
            let _ = writeln!(o, "- {n}");
        }
        let phases = self.phases();
        for f in &self.faults {
            let to = phases
                .iter()
                .find(|p| p.1 == f.at)
                .map(|p| p.2)
                .unwrap_or(f.at);
            let _ = writeln!(
                o,
                "- {} at {} s: {}",
                f.name,
                secs(f.at),
                self.recovered(f.at, to)
            );
        }
        let _ = writeln!(
            o,
            "\n## By phase\n\n| phase | from (s) | requests | per second | p50 (ms) | p99 (ms) | failed, by code | last failure (s after start of phase) |\n|---|---|---|---|---|---|---|---|"
        );
        for (name, from, to) in self.phases() {
            let mut lat: Vec<Duration> = self
                .requests
                .iter()
                .filter(|s| s.at >= from && s.at < to)
                .map(|s| s.latency)
                .collect();
            lat.sort();
            let span = (to - from).as_secs_f64().max(0.001);
            let errors = self.errors_in(from, to);
            let last = self
                .requests
                .iter()
                .filter(|s| s.at >= from && s.at < to && !expected(s))
                .map(|s| s.at)
                .max()
                .map(|t| secs(t - from))
                .unwrap_or_else(|| "-".into());
            let _ = writeln!(
                o,
                "| {name} | {} | {} | {:.0} | {} | {} | {} | {last} |",
                secs(from),
                lat.len(),
                lat.len() as f64 / span,
                ms(percentile(&lat, 0.5)),
                ms(percentile(&lat, 0.99)),
                if errors.is_empty() {
                    "none".into()
                } else {
                    format!("{errors:?}")
                }
            );
        }
        let _ = writeln!(o, "\n## Operations (each with its retries)\n");
        for (op, ends) in &self.outcome.operations {
            let _ = writeln!(o, "- {op}: {ends:?}");
        }
        let _ = writeln!(o, "\n## Memory (resident, MiB)\n");
        for name in ["a", "b"] {
            let of: Vec<u64> = self
                .memory
                .iter()
                .filter(|m| m.1 == name)
                .map(|m| m.2)
                .collect();
            let peak = of.iter().max().copied().unwrap_or(0);
            let last = of.last().copied().unwrap_or(0);
            let _ = writeln!(
                o,
                "- {name}: peak {:.1}, at the end {:.1} ({} samples)",
                peak as f64 / 1024.0,
                last as f64 / 1024.0,
                of.len()
            );
        }
        let b = &self.outcome.bell;
        let _ = writeln!(
            o,
            "\n## Bell\n\n- {} subscriptions acknowledged, {} failed connects, ends {:?}\n- notifications received per listener: {:?}\n- re-subscribed after 1001 within (ms): {:?}",
            b.connected,
            b.failed_connects,
            b.closes,
            b.received.iter().map(Vec::len).collect::<Vec<_>>(),
            b.reconnect_after_1001
                .iter()
                .map(|d| ms(*d))
                .collect::<Vec<_>>()
        );
        o
    }
}

/// Answers that are the business's own and not failures: a lead someone else took, a
/// balance too small, ...
fn expected(s: &Sample) -> bool {
    s.code == "OK" || crate::scenario::EXPECTED_CODES.contains(&s.code.as_str())
}

/// Mean resident memory per whole minute after `warm`, for one instance.
fn per_minute(samples: &[(Duration, &'static str, u64)], name: &str, warm: Duration) -> Vec<f64> {
    let mut buckets: BTreeMap<u64, (f64, u64)> = BTreeMap::new();
    for (at, n, kib) in samples {
        if *n == name && *at >= warm {
            let m = (*at - warm).as_secs() / 60;
            let e = buckets.entry(m).or_insert((0.0, 0));
            e.0 += *kib as f64;
            e.1 += 1;
        }
    }
    // The last minute is usually partial; it counts when it has a fair share of samples.
    buckets
        .values()
        .filter(|(_, n)| *n >= 30)
        .map(|(sum, n)| sum / *n as f64)
        .collect()
}
