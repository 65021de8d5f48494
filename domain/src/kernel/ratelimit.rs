//! Rate limits, with `governor`'s keyed GCRA limiters (docs/api-limits.md):
//! - the operations worth guessing at (`logIn`, `signUp`, `requestPasswordReset`,
//!   `verifyEmail`, `submitLead`, partner-code and certificate look-ups) per client
//!   address and per account, each operation its own budget;
//! - every GraphQL request per tenant and per user (per client address when anonymous),
//!   answered by the HTTP layer with 429.
//!
//! Limits are per instance (the state is in memory): behind a load balancer that spreads
//! requests over N instances, a client gets up to N times each budget, so size them as
//! "what one instance should let through" (docs/api-limits.md). Time is the services'
//! clock, so tests move it instead of sleeping.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::Clock as GovernorClock;
use governor::nanos::Nanos;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
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
    by_address: Option<Keyed<(Guarded, i64, IpAddr)>>,
    by_account: Option<Keyed<(Guarded, i64, String)>>,
    per_tenant: Option<Keyed<i64>>,
    per_user: Option<Keyed<(i64, Requester)>>,
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

fn per_minute(n: u32) -> Option<Quota> {
    NonZeroU32::new(n).map(Quota::per_minute)
}

fn per_second_burst_double(n: u32) -> Option<Quota> {
    let rate = NonZeroU32::new(n)?;
    let burst = NonZeroU32::new(n.saturating_mul(2)).unwrap_or(rate);
    Some(Quota::per_second(rate).allow_burst(burst))
}

impl RateLimits {
    pub fn new(settings: &RateLimitSettings, clock: Clock) -> Self {
        let clock = AppClock(clock);
        Self(Arc::new(Limiters {
            by_address: keyed(per_minute(settings.guarded_per_address_per_minute), &clock),
            by_account: keyed(per_minute(settings.guarded_per_account_per_minute), &clock),
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
    /// known, the account (a normalised email, or the signed-in user). A refusal is
    /// `RATE_LIMITED` with `retryAfter`.
    pub fn guard(&self, what: Guarded, req: &RequestCtx, account: Option<&str>) -> ApiResult<()> {
        let tenant = req.tenant.model.id;
        let outcome = (|| {
            if let Some(ip) = req.client_ip {
                self.check(&self.0.by_address, &(what, tenant, ip), "address")?;
            }
            let user = req.viewer.user().map(|u| format!("user:{}", u.user_id));
            let account = account
                .map(|a| format!("email:{}", a.trim().to_lowercase()))
                .or(user);
            if let Some(account) = account {
                self.check(&self.0.by_account, &(what, tenant, account), "account")?;
            }
            Ok(())
        })();
        outcome.map_err(|r: Refused| {
            metrics::counter!("rate_limit_refusals_total", "limit" => what.name(), "scope" => r.scope)
                .increment(1);
            ApiError::rate_limited(r.retry_after_secs())
        })
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

    /// Forgets keys whose budget is full again (run every minute or so, so memory follows
    /// the clients of the last minutes, not every client ever seen).
    pub fn prune(&self) {
        if let Some(l) = &self.0.by_address {
            l.retain_recent();
        }
        if let Some(l) = &self.0.by_account {
            l.retain_recent();
        }
        if let Some(l) = &self.0.per_tenant {
            l.retain_recent();
        }
        if let Some(l) = &self.0.per_user {
            l.retain_recent();
        }
    }

    /// Keys held (for the metrics and the pruning test).
    pub fn keys(&self) -> usize {
        self.0.by_address.as_ref().map_or(0, |l| l.len())
            + self.0.by_account.as_ref().map_or(0, |l| l.len())
            + self.0.per_tenant.as_ref().map_or(0, |l| l.len())
            + self.0.per_user.as_ref().map_or(0, |l| l.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_refused_per_user_leaves_the_brands_budget_to_others() {
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

    #[test]
    fn budgets_refill_with_the_clock_and_keys_are_separate() {
        let clock = Clock::system();
        clock.set(Some(chrono::Utc::now()));
        let limits = RateLimits::new(
            &RateLimitSettings {
                tenant_per_second: 0,
                user_per_second: 1,
                ..RateLimitSettings::default()
            },
            clock.clone(),
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
        limits.prune();
        assert_eq!(limits.keys(), 0);
    }
}
