//! The load's HTTP client: GraphQL through the balancer, every answer recorded (when, what,
//! how it ended, how long it took), and retries with the same idempotency key.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// One request's outcome.
#[derive(Debug, Clone)]
pub struct Sample {
    /// When the answer arrived (or the transport gave up), since the drill started: a
    /// request counts in the phase it ended in, so one cut off by a kill counts in the
    /// kill's.
    pub at: Duration,
    pub op: &'static str,
    /// `OK`, the API's error code, or what the transport said (`CONNECTION`, `TIMEOUT`,
    /// `HTTP_502`, ...).
    pub code: String,
    /// Who answered a `SERVICE_UNAVAILABLE`: the balancer (no instance ready) or not.
    pub by_balancer: bool,
    pub latency: Duration,
}

/// Every sample of the run, and notes of what happened when.
#[derive(Clone)]
pub struct Recorder {
    pub start: Instant,
    samples: Arc<Mutex<Vec<Sample>>>,
}

impl Recorder {
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
            samples: Arc::default(),
        }
    }

    pub fn now(&self) -> Duration {
        self.start.elapsed()
    }

    pub fn record(&self, s: Sample) {
        self.samples
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(s);
    }

    pub fn samples(&self) -> Vec<Sample> {
        self.samples
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// An answer: the code (`OK` or the first error's) and the `data`.
#[derive(Debug, Clone)]
pub struct Answer {
    pub code: String,
    pub data: Value,
    pub message: String,
}

impl Answer {
    pub fn ok(&self) -> bool {
        self.code == "OK"
    }

    /// Worth retrying with the same key: the service or the transport said "later".
    pub fn retryable(&self) -> bool {
        retryable(&self.code)
    }
}

/// Whether an answer's code says "later" (the service or the transport).
pub fn retryable(code: &str) -> bool {
    {
        matches!(
            code,
            "SERVICE_UNAVAILABLE"
                | "CONNECTION"
                | "TIMEOUT"
                | "HTTP_502"
                | "HTTP_503"
                | "HTTP_504"
                | "RATE_LIMITED"
        )
    }
}

/// The drill's client of the API, through the balancer.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
    pub rec: Recorder,
}

impl Api {
    pub fn new(base: String, rec: Recorder) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .pool_max_idle_per_host(64)
            .build()?;
        Ok(Self { base, http, rec })
    }

    /// One GraphQL request on brand `host` (recorded as `op`).
    pub async fn gql(
        &self,
        op: &'static str,
        host: &str,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Answer {
        let t = Instant::now();
        let mut req = self
            .http
            .post(format!("{}/graphql", self.base))
            .header("host", host)
            // Many people behind the balancer: each request from an address of its own
            // (the gateway trusts the balancer's `X-Forwarded-For`), so the per-address
            // limits on sign-ins and lead submissions see people, not the drill.
            .header("x-forwarded-for", random_address())
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let (answer, by_balancer) = match req.send().await {
            Err(e) => (transport(&e), false),
            Ok(r) => {
                let status = r.status().as_u16();
                let by_balancer = r.headers().contains_key("x-served-by");
                let retry_after = r.headers().contains_key("retry-after");
                let body: Value = r.json().await.unwrap_or(Value::Null);
                let mut a = read(status, body);
                // Retryable means HTTP 503 with `Retry-After`, as docs/operations.md says.
                if a.code == "SERVICE_UNAVAILABLE" && (status != 503 || !retry_after) {
                    a.code = format!("SERVICE_UNAVAILABLE_AS_HTTP_{status}");
                }
                (a, by_balancer)
            }
        };
        self.rec.record(Sample {
            at: self.rec.now(),
            op,
            code: answer.code.clone(),
            by_balancer,
            latency: t.elapsed(),
        });
        answer
    }

    /// The same request until it gets an answer that is not "later" (the same variables,
    /// so the same idempotency key), for `patience` at most; the last answer.
    pub async fn until_answered(
        &self,
        op: &'static str,
        host: &str,
        token: Option<&str>,
        query: &str,
        variables: Value,
        patience: Duration,
    ) -> Answer {
        let t = Instant::now();
        let mut wait = Duration::from_millis(100);
        loop {
            let a = self.gql(op, host, token, query, variables.clone()).await;
            if !a.retryable() || t.elapsed() > patience {
                return a;
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(2));
        }
    }
}

fn random_address() -> String {
    use rand::Rng as _;
    let mut r = rand::thread_rng();
    format!(
        "10.{}.{}.{}",
        r.gen_range(0..=255),
        r.gen_range(0..=255),
        r.gen_range(1..=254)
    )
}

fn transport(e: &reqwest::Error) -> Answer {
    let code = if e.is_timeout() {
        "TIMEOUT"
    } else {
        "CONNECTION"
    };
    Answer {
        code: code.into(),
        data: Value::Null,
        message: e.to_string(),
    }
}

fn read(status: u16, body: Value) -> Answer {
    let first = body["errors"].get(0);
    let code = match first {
        Some(e) => e["extensions"]["code"]
            .as_str()
            .unwrap_or("NO_CODE")
            .to_string(),
        None if status == 200 => "OK".into(),
        None => format!("HTTP_{status}"),
    };
    Answer {
        code,
        message: first
            .and_then(|e| e["message"].as_str())
            .unwrap_or_default()
            .to_string(),
        data: body["data"].clone(),
    }
}
