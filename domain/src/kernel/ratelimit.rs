//! Rate limits (docs/api-limits.md):
//! - the operations worth guessing at (`logIn`, `signUp`, `requestPasswordReset`,
//!   `verifyEmail`, `submitLead`, partner-code and certificate look-ups) per client
//!   address and per account, each operation its own budget. These guard accounts, so they
//!   hold across instances: counted in the database (`rate_limit_buckets`, one row per
//!   key holding its GCRA "theoretical arrival time", moved by one atomic upsert), never in
//!   one instance's memory, so N instances allow no more password guesses than one. IPv6
//!   clients are keyed by their /64 (one host owns a whole /64 and can change address at
//!   will within it);
//! - every GraphQL request per tenant and per user (per client address when anonymous),
//!   answered by the HTTP layer with 429: per instance, in memory (`governor`'s keyed
//!   GCRA), since a database round trip per request would cost more than it guards.
//!   Behind a load balancer spreading requests over N instances a client gets up to N
//!   times these budgets, so size them as "what one instance should let through"
//!   (docs/api-limits.md).
//!
//! Time is the services' clock, so tests move it instead of sleeping.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::Clock as GovernorClock;
use governor::nanos::Nanos;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use tenants::RequestCtx;

use super::clock::Clock;
use super::error::{ApiError, ApiResult};

/// The operations guarded per client address and per account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Guarded {
    LogIn,
    SignUp,
    PasswordReset,
    VerifyEmail,
    SubmitLead,
    /// Referral and service-manager codes (`joinPartner`, `acceptServiceManager`,
    /// `signUp` with a code) and certificate codes (`verifyCertificate`).
    CodeLookUp,
}

impl Guarded {
    /// The metric label.
    pub fn name(self) -> &'static str {
        match self {
            Self::LogIn => "logIn",
            Self::SignUp => "signUp",
            Self::PasswordReset => "requestPasswordReset",
            Self::VerifyEmail => "verifyEmail",
            Self::SubmitLead => "submitLead",
            Self::CodeLookUp => "codeLookUp",
        }
    }
}

/// The budgets (0 turns one off).
#[derive(Debug, Clone)]
pub struct RateLimitSettings {
    /// Attempts of one guarded operation per client address per minute (the burst too).
    pub guarded_per_address_per_minute: u32,
    /// Attempts of one guarded operation per account (email, or signed-in user) per minute.
    pub guarded_per_account_per_minute: u32,
    /// GraphQL requests per tenant per second, with a burst of twice that.
    pub tenant_per_second: u32,
    /// GraphQL requests per user (or anonymous client address) per second, burst twice.
    pub user_per_second: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            guarded_per_address_per_minute: 20,
            guarded_per_account_per_minute: 5,
            tenant_per_second: 500,
            user_per_second: 25,
        }
    }
}

/// The services' clock as `governor` reads it (nanoseconds since the epoch).
#[derive(Clone, Debug)]
struct AppClock(Clock);

impl GovernorClock for AppClock {
    type Instant = Nanos;
    fn now(&self) -> Nanos {
        let now = self.0.now();
        let nanos = now.timestamp_micros().max(0) as u64 * 1000;
        Nanos::from(nanos)
    }
}

type Keyed<K> = RateLimiter<
    K,
    DefaultKeyedStateStore<K>,
    AppClock,
    governor::middleware::NoOpMiddleware<Nanos>,
>;

/// Who a request counts against, per user.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Requester {
    User(i64),
    Address(IpAddr),
    Unknown,
}

struct Limiters {
    clock: AppClock,
    services_clock: Clock,
    db: DatabaseConnection,
    by_address: Option<Shared>,
    by_account: Option<Shared>,
    per_tenant: Option<Keyed<i64>>,
    per_user: Option<Keyed<(i64, Requester)>>,
}

/// A budget counted in the database: `per_minute` attempts a minute, all of them at once
/// at most (GCRA with a burst of the whole minute's budget).
#[derive(Debug, Clone, Copy)]
struct Shared {
    per_minute: u32,
}

impl Shared {
    fn new(per_minute: u32) -> Option<Self> {
        (per_minute > 0).then_some(Self { per_minute })
    }

    /// Microseconds between two attempts at the steady rate.
    fn interval_us(self) -> i64 {
        60_000_000 / i64::from(self.per_minute)
    }
}

/// Longest key stored as given; a longer one (an account typed as 100 kB of text) is stored
/// by its digest, so no input can overflow the column.
const LONGEST_KEY: usize = 200;

fn bounded_key(key: String) -> String {
    if key.len() <= LONGEST_KEY {
        return key;
    }
    use sha2::Digest;
    let prefix: String = key.chars().take(60).collect();
    format!(
        "{prefix}~{}",
        hex::encode(sha2::Sha256::digest(key.as_bytes()))
    )
}

/// The key of an address: the address itself for IPv4, its /64 for IPv6.
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let net = Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1));
                format!("{net}/64")
            }
        },
    }
}

/// A refusal: which limit, and when to try again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// `address`, `account`, `tenant` or `user`.
    pub scope: &'static str,
    pub retry_after: Duration,
}

impl Refused {
    /// Whole seconds to wait (at least 1), for `Retry-After`.
    pub fn retry_after_secs(&self) -> u64 {
        self.retry_after.as_secs_f64().ceil().max(1.0) as u64
    }

    /// What a refused request is told (HTTP and WebSocket alike).
    pub fn message(&self) -> String {
        format!(
            "too many requests for this {}: try again in {} s",
            self.scope,
            self.retry_after_secs()
        )
    }
}

/// The limiters of one instance; cheap to clone.
#[derive(Clone)]
pub struct RateLimits(Arc<Limiters>);

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RateLimits")
    }
}

fn keyed<K: std::hash::Hash + Eq + Clone>(
    quota: Option<Quota>,
    clock: &AppClock,
) -> Option<Keyed<K>> {
    quota.map(|q| RateLimiter::new(q, DefaultKeyedStateStore::default(), clock.clone()))
}

fn per_second_burst_double(n: u32) -> Option<Quota> {
    let rate = NonZeroU32::new(n)?;
    let burst = NonZeroU32::new(n.saturating_mul(2)).unwrap_or(rate);
    Some(Quota::per_second(rate).allow_burst(burst))
}

impl RateLimits {
    pub fn new(settings: &RateLimitSettings, clock: Clock, db: DatabaseConnection) -> Self {
        let clock = AppClock(clock);
        Self(Arc::new(Limiters {
            services_clock: clock.0.clone(),
            db,
            by_address: Shared::new(settings.guarded_per_address_per_minute),
            by_account: Shared::new(settings.guarded_per_account_per_minute),
            per_tenant: keyed(per_second_burst_double(settings.tenant_per_second), &clock),
            per_user: keyed(per_second_burst_double(settings.user_per_second), &clock),
            clock,
        }))
    }

    fn check<K: std::hash::Hash + Eq + Clone>(
        &self,
        limiter: &Option<Keyed<K>>,
        key: &K,
        scope: &'static str,
    ) -> Result<(), Refused> {
        let Some(l) = limiter else { return Ok(()) };
        l.check_key(key).map_err(|not_until| Refused {
            scope,
            retry_after: not_until.wait_time_from(self.0.clock.now()),
        })
    }

    /// One attempt at a guarded operation: counted against the client address and, when
    /// known, the account (a normalised email, or the signed-in user), in the database
    /// shared by every instance. Counted on the pool, outside the request's transaction,
    /// so a failed attempt (whose transaction rolls back) still counts. A refusal is
    /// `RATE_LIMITED` with `retryAfter`.
    pub async fn guard(
        &self,
        what: Guarded,
        req: &RequestCtx,
        account: Option<&str>,
    ) -> ApiResult<()> {
        let tenant = req.tenant.model.id;
        let mut checks = Vec::with_capacity(2);
        if let (Some(budget), Some(ip)) = (self.0.by_address, req.client_ip) {
            let key = format!("{}:{tenant}:address:{}", what.name(), address_key(ip));
            checks.push((budget, key, "address"));
        }
        let user = req.viewer.user().map(|u| format!("user:{}", u.user_id));
        let account = account
            .map(|a| format!("email:{}", a.trim().to_lowercase()))
            .or(user);
        if let (Some(budget), Some(account)) = (self.0.by_account, account) {
            checks.push((
                budget,
                format!("{}:{tenant}:account:{account}", what.name()),
                "account",
            ));
        }
        for (budget, key, scope) in checks {
            if let Err(r) = self.spend_shared(budget, &bounded_key(key), scope).await? {
                metrics::counter!("rate_limit_refusals_total", "limit" => what.name(), "scope" => r.scope)
                    .increment(1);
                return Err(ApiError::rate_limited(r.retry_after_secs()));
            }
        }
        Ok(())
    }

    /// Spends one attempt of `key`'s budget in the database, atomically: one upsert moves
    /// the key's theoretical arrival time (TAT) on by one interval when the result stays
    /// within the burst, and changes nothing otherwise. Of any number of instances racing
    /// on one key, the database lets exactly the budget through.
    async fn spend_shared(
        &self,
        budget: Shared,
        key: &str,
        scope: &'static str,
    ) -> ApiResult<Result<(), Refused>> {
        let db = &self.0.db;
        let now = self.0.services_clock.now().timestamp_micros();
        let t = budget.interval_us();
        let burst = t * i64::from(budget.per_minute);
        let greatest = match db.get_database_backend() {
            DbBackend::Postgres => "GREATEST",
            _ => "MAX",
        };
        // Allowed when the new TAT is at most a burst ahead of now.
        let sql = format!(
            "INSERT INTO rate_limit_buckets (key, tat_us) VALUES (?, ?) \
             ON CONFLICT (key) DO UPDATE SET tat_us = {greatest}(rate_limit_buckets.tat_us, ?) + ? \
             WHERE {greatest}(rate_limit_buckets.tat_us, ?) + ? - ? <= ? \
             RETURNING tat_us"
        );
        let spent = db
            .query_one_raw(super::sql::statement(
                db,
                &sql,
                vec![
                    key.into(),
                    (now + t).into(),
                    now.into(),
                    t.into(),
                    now.into(),
                    t.into(),
                    burst.into(),
                    now.into(),
                ],
            ))
            .await?;
        if spent.is_some() {
            return Ok(Ok(()));
        }
        let row = db
            .query_one_raw(super::sql::statement(
                db,
                "SELECT tat_us FROM rate_limit_buckets WHERE key = ?",
                vec![key.into()],
            ))
            .await?;
        let tat: i64 = match row {
            Some(r) => r.try_get("", "tat_us")?,
            None => now,
        };
        // The next attempt fits once now has caught up to TAT + interval - burst.
        let wait_us = (tat.max(now) + t - burst - now).max(0);
        Ok(Err(Refused {
            scope,
            retry_after: Duration::from_micros(wait_us as u64),
        }))
    }

    /// One GraphQL request of `requester` on `tenant` (the HTTP layer answers a refusal
    /// with 429 and `Retry-After`). The requester's own budget is checked first and the
    /// brand's is spent only for a request the requester may make, so one client's flood,
    /// refused as `user`, leaves the brand's budget to everyone else.
    pub fn request(&self, tenant: i64, requester: Requester) -> Result<(), Refused> {
        let outcome = match requester {
            Requester::Unknown => Ok(()),
            r => self.check(&self.0.per_user, &(tenant, r), "user"),
        }
        .and_then(|()| self.check(&self.0.per_tenant, &tenant, "tenant"));
        if let Err(r) = &outcome {
            metrics::counter!("rate_limit_refusals_total", "limit" => "request", "scope" => r.scope)
                .increment(1);
        }
        outcome
    }

    /// Forgets keys whose budget is full again (run every minute or so, so memory and the
    /// shared table follow the clients of the last minutes, not every client ever seen).
    /// Several instances pruning at once delete the same rows: harmless.
    pub async fn prune(&self) {
        self.prune_memory();
        let now = self.0.services_clock.now().timestamp_micros();
        let deleted = self
            .0
            .db
            .execute_raw(super::sql::statement(
                &self.0.db,
                "DELETE FROM rate_limit_buckets WHERE tat_us < ?",
                vec![now.into()],
            ))
            .await;
        if let Err(e) = deleted {
            tracing::warn!(error = %e, "pruning the shared rate-limit buckets failed");
        }
    }

    fn prune_memory(&self) {
        if let Some(l) = &self.0.per_tenant {
            l.retain_recent();
        }
        if let Some(l) = &self.0.per_user {
            l.retain_recent();
        }
    }

    /// Keys the guarded budgets hold in the database (every instance's), for the metrics.
    pub async fn shared_keys(&self) -> ApiResult<u64> {
        let row = self
            .0
            .db
            .query_one_raw(super::sql::statement(
                &self.0.db,
                "SELECT COUNT(*) AS n FROM rate_limit_buckets",
                vec![],
            ))
            .await?;
        let n: i64 = match row {
            Some(r) => r.try_get("", "n")?,
            None => 0,
        };
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Keys this instance holds in memory (for the metrics and the pruning test; the
    /// guarded budgets live in the database).
    pub fn keys(&self) -> usize {
        self.0.per_tenant.as_ref().map_or(0, |l| l.len())
            + self.0.per_user.as_ref().map_or(0, |l| l.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn memory_db() -> DatabaseConnection {
        sea_orm::Database::connect("sqlite::memory:").await.unwrap()
    }

    #[test]
    fn long_keys_are_stored_by_their_digest() {
        let short = "logIn:1:account:email:ann@example.com".to_string();
        assert_eq!(bounded_key(short.clone()), short);
        let long = format!("logIn:1:account:email:{}", "a".repeat(100_000));
        let other = format!("logIn:1:account:email:{}b", "a".repeat(100_000));
        assert!(bounded_key(long.clone()).len() <= LONGEST_KEY);
        assert_ne!(bounded_key(long), bounded_key(other));
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:ffff:ffff:ffff".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), "2001:db8:1:2::/64");
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        assert_eq!(address_key("203.0.113.7".parse().unwrap()), "203.0.113.7");
        assert_eq!(
            address_key("::ffff:203.0.113.7".parse().unwrap()),
            "203.0.113.7"
        );
    }

    #[tokio::test]
    async fn a_flood_refused_per_user_leaves_the_brands_budget_to_others() {
        let clock = Clock::system();
        clock.set(Some(chrono::Utc::now()));
        // The brand lets 4 requests through at once, each user 2.
        let limits = RateLimits::new(
            &RateLimitSettings {
                tenant_per_second: 2,
                user_per_second: 1,
                ..RateLimitSettings::default()
            },
            clock.clone(),
            memory_db().await,
        );
        let flood = Requester::User(1);
        assert!(limits.request(7, flood.clone()).is_ok());
        assert!(limits.request(7, flood.clone()).is_ok());
        for _ in 0..20 {
            assert_eq!(limits.request(7, flood.clone()).unwrap_err().scope, "user");
        }
        // The brand's budget paid for the two requests the flooder was allowed, no more.
        assert!(limits.request(7, Requester::User(2)).is_ok());
        assert!(limits.request(7, Requester::User(3)).is_ok());
        assert_eq!(
            limits.request(7, Requester::User(4)).unwrap_err().scope,
            "tenant"
        );
    }

    #[tokio::test]
    async fn budgets_refill_with_the_clock_and_keys_are_separate() {
        let clock = Clock::system();
        clock.set(Some(chrono::Utc::now()));
        let limits = RateLimits::new(
            &RateLimitSettings {
                tenant_per_second: 0,
                user_per_second: 1,
                ..RateLimitSettings::default()
            },
            clock.clone(),
            memory_db().await,
        );
        let alice = Requester::User(1);
        // A burst of twice the rate, then refused until the clock moves.
        assert!(limits.request(7, alice.clone()).is_ok());
        assert!(limits.request(7, alice.clone()).is_ok());
        let refused = limits.request(7, alice.clone()).unwrap_err();
        assert_eq!(refused.scope, "user");
        assert_eq!(refused.retry_after_secs(), 1);
        // Someone else, or the same user on another tenant, has their own budget.
        assert!(limits.request(7, Requester::User(2)).is_ok());
        assert!(limits.request(8, alice.clone()).is_ok());
        clock.advance(chrono::Duration::seconds(1));
        assert!(limits.request(7, alice.clone()).is_ok());
        // Pruning forgets full budgets only.
        clock.advance(chrono::Duration::seconds(10));
        assert!(limits.keys() >= 3);
        limits.prune().await;
        assert_eq!(limits.keys(), 0);
    }
}
