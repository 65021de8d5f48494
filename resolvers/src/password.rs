//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes), run off the
//! async executor because each hash takes tens of milliseconds by design.
//!
//! Each hash holds 19 MiB while it runs, so the number running at once is bounded by a
//! process-wide semaphore sized to the cores (more would not finish sooner anyway): the
//! memory hashing can take is `permits x 19 MiB` whatever the load. Requests beyond that
//! queue for a permit and give up with `RATE_LIMITED` after [`QUEUE_TIMEOUT`]. The bound is
//! per process because memory is: two `Services` in one process share it.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use tokio::sync::Semaphore;

use crate::error::{ApiError, ApiResult};

/// How long a request waits for a hashing slot before it is refused.
pub const QUEUE_TIMEOUT: Duration = Duration::from_secs(10);

/// Memory one argon2 hash holds while it runs (the crate's default `m_cost`, in KiB).
pub const MEMORY_PER_HASH_KIB: u32 = argon2::Params::DEFAULT_M_COST;

/// Hashes allowed to run at once: one per core, at least one.
pub fn permits() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| Semaphore::new(permits()))
}

static RUNNING: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static RUN: AtomicUsize = AtomicUsize::new(0);

/// Hashes (and verifications) run by this process so far.
pub fn hashes_run() -> usize {
    RUN.load(Ordering::Relaxed)
}

/// The most hashes that have run at once in this process.
pub fn peak_concurrency() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// Runs `work` on the blocking pool once a hashing slot is free.
async fn bounded<T: Send + 'static>(
    work: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    let permit = tokio::time::timeout(QUEUE_TIMEOUT, slots().acquire())
        .await
        .map_err(|_| {
            ApiError::domain(
                "RATE_LIMITED",
                None,
                "the server is busy signing people in: try again in a moment",
            )
        })?
        .map_err(ApiError::internal)?;
    let out = tokio::task::spawn_blocking(move || {
        RUN.fetch_add(1, Ordering::Relaxed);
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK.fetch_max(now, Ordering::SeqCst);
        let out = work();
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        out
    })
    .await
    .map_err(ApiError::internal)?;
    drop(permit);
    out
}

/// Shortest password accepted.
pub const MIN_LEN: usize = 10;
/// Longest password accepted (bounds the hashing work an attacker can ask for).
pub const MAX_LEN: usize = 256;

/// Checks the password policy.
pub fn check_policy(field: &str, password: &str) -> ApiResult<()> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(ApiError::bad_input(
            field,
            format!("must be at least {MIN_LEN} characters"),
        ));
    }
    if n > MAX_LEN {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {MAX_LEN} characters"),
        ));
    }
    Ok(())
}

/// Hashes a password into a PHC string.
pub async fn hash(password: String) -> ApiResult<String> {
    bounded(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(ApiError::internal)
    })
    .await
}

/// Whether `password` matches `phc`. With no hash, a dummy hash is still checked so a
/// missing account takes as long to refuse as a wrong password.
pub async fn verify(password: String, phc: Option<String>) -> ApiResult<bool> {
    bounded(move || {
        let (stored, real) = match phc {
            Some(p) => (p, true),
            None => (dummy_hash().to_string(), false),
        };
        let parsed = PasswordHash::new(&stored).map_err(ApiError::internal)?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && real)
    })
    .await
}

fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(b"not a real password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_are_argon2id() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify("correct horse battery".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("wrong".into(), Some(h)).await.unwrap());
        assert!(!verify("anything".into(), None).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_hashes_run_at_once_than_there_are_permits() {
        let h = hash("correct horse battery".into()).await.unwrap();
        let runs =
            (0..permits() * 4 + 2).map(|_| verify("correct horse battery".into(), Some(h.clone())));
        for ok in futures_util::future::join_all(runs).await {
            assert!(ok.unwrap());
        }
        assert!(peak_concurrency() >= 1);
        assert!(
            peak_concurrency() <= permits(),
            "{} hashes ran at once with {} permits",
            peak_concurrency(),
            permits()
        );
    }

    #[test]
    fn policy() {
        assert!(check_policy("p", "short").is_err());
        assert!(check_policy("p", "long enough!").is_ok());
        assert!(check_policy("p", &"x".repeat(300)).is_err());
    }
}
