//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes), run off the
//! async executor because each hash takes tens of milliseconds by design.
//!
//! Each hash holds 19 MiB while it runs, so the number running at once is bounded by a
//! process-wide semaphore sized to the cores (more would not finish sooner anyway): the
//! memory hashing can take is `permits x 19 MiB` whatever the load. Requests beyond that
//! queue for a permit and give up with `RATE_LIMITED` after [`QUEUE_TIMEOUT`]. The bound is
//! per process because memory is: two `Services` in one process share it.
//!
//! Hashes run on a fixed set of `permits` threads of their own, not on tokio's blocking
//! pool: an allocator keeps a freed 19 MiB block in the arena of the thread that used it,
//! and the blocking pool spreads work over many threads, so a burst on that pool left a
//! 19 MiB block in each of up to 16 arenas. Each hashing thread also keeps one working
//! buffer and hashes into it (argon2's `hash_password_into_with_memory`), so a hash
//! allocates nothing large and the memory hashing holds is exactly `permits x 19 MiB`
//! whatever the allocator does. The PHC strings are the argon2 crate's own (a test checks
//! both ways).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use std::cell::RefCell;

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::kernel::error::{ApiError, ApiResult};

/// How long a request waits for a hashing slot before it is refused.
pub const QUEUE_TIMEOUT: Duration = Duration::from_secs(10);

/// Memory one argon2 hash holds while it runs (the crate's default `m_cost`, in KiB).
pub const MEMORY_PER_HASH_KIB: u32 = argon2::Params::DEFAULT_M_COST;

/// Hashes allowed to run at once: one per core, at least one.
pub fn permits() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads, fed through one channel.
fn workers() -> &'static std::sync::Mutex<std::sync::mpsc::Sender<Job>> {
    static WORKERS: OnceLock<std::sync::Mutex<std::sync::mpsc::Sender<Job>>> = OnceLock::new();
    WORKERS.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for i in 0..permits() {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while taking the next job.
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password-hashing thread");
            }
        }
        std::sync::Mutex::new(tx)
    })
}

/// Runs `work` on a hashing thread and waits for its result.
async fn on_worker<T: Send + 'static>(
    work: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(work());
    });
    workers()
        .lock()
        .map_err(|_| ApiError::internal("password hashing threads poisoned"))?
        .send(job)
        .map_err(|_| ApiError::internal("password hashing threads are gone"))?;
    rx.await
        .map_err(|_| ApiError::internal("a password hash was dropped"))?
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

/// Runs `work` on a hashing thread once a hashing slot is free.
async fn bounded<T: Send + 'static>(
    work: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    let permit = tokio::time::timeout(QUEUE_TIMEOUT, slots().acquire())
        .await
        .map_err(|_| {
            ApiError::domain(
                crate::kernel::error::code::RATE_LIMITED,
                None,
                "the server is busy signing people in: try again in a moment",
            )
        })?
        .map_err(ApiError::internal)?;
    let out = on_worker(move || {
        RUN.fetch_add(1, Ordering::Relaxed);
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK.fetch_max(now, Ordering::SeqCst);
        let out = work();
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        out
    })
    .await;
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

thread_local! {
    /// This hashing thread's argon2 working memory, allocated on first use and reused.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// argon2 into `out`, in this thread's reused working memory.
fn argon2_into(
    argon: &Argon2<'_>,
    params: &Params,
    pwd: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> argon2::Result<()> {
    BLOCKS.with(|blocks| {
        let mut blocks = blocks.borrow_mut();
        let n = params.block_count();
        if blocks.len() < n {
            blocks.resize(n, Block::default());
        }
        // Every block is overwritten before it is read: no need to clear between uses.
        argon.hash_password_into_with_memory(pwd, salt, out, &mut blocks[..n])
    })
}

/// The PHC string of `password` under the default parameters (argon2id, 19 MiB, 2 passes).
fn hash_now(password: &[u8]) -> Result<String, argon2::password_hash::Error> {
    let params = Params::default();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buf)?;
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        Ok(argon2_into(&argon, &params, password, salt_bytes, out)?)
    })?;
    Ok(PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    }
    .to_string())
}

/// Whether `password` matches the PHC string `stored`, under the parameters it names. The
/// comparison is constant-time (`Output`'s equality).
fn verify_now(password: &[u8], stored: &str) -> Result<bool, argon2::password_hash::Error> {
    use argon2::password_hash::Error;
    let parsed = PasswordHash::new(stored)?;
    let expected = parsed.hash.ok_or(Error::Password)?;
    let algorithm = Algorithm::try_from(parsed.algorithm)?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()?
        .unwrap_or_default();
    let params = Params::try_from(&parsed)?;
    let argon = Argon2::new(algorithm, version, params.clone());
    let salt = parsed.salt.ok_or(Error::SaltInvalid(
        argon2::password_hash::errors::InvalidValue::Malformed,
    ))?;
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buf)?;
    let computed = Output::init_with(expected.len(), |out| {
        Ok(argon2_into(&argon, &params, password, salt_bytes, out)?)
    })?;
    Ok(computed == expected)
}

/// Hashes a password into a PHC string.
pub async fn hash(password: String) -> ApiResult<String> {
    bounded(move || hash_now(password.as_bytes()).map_err(ApiError::internal)).await
}

/// Whether `password` matches `phc`. With no hash, a dummy hash is still checked so a
/// missing account takes as long to refuse as a wrong password.
pub async fn verify(password: String, phc: Option<String>) -> ApiResult<bool> {
    bounded(move || {
        let (stored, real) = match phc {
            Some(p) => (p, true),
            None => (dummy_hash().to_string(), false),
        };
        let ok = verify_now(password.as_bytes(), &stored).map_err(ApiError::internal)?;
        Ok(ok && real)
    })
    .await
}

fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_now(b"not a real password").unwrap_or_default())
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
    fn hashes_are_the_argon2_crates_own_both_ways() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let ours = hash_now(b"correct horse battery").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let theirs = Argon2::default()
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        assert!(verify_now(b"correct horse battery", &theirs).unwrap());
        assert!(!verify_now(b"correct horse batterz", &theirs).unwrap());
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    }

    #[test]
    fn policy() {
        assert!(check_policy("p", "short").is_err());
        assert!(check_policy("p", "long enough!").is_ok());
        assert!(check_policy("p", &"x".repeat(300)).is_err());
    }
}
