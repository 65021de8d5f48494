//! The API's errors. Every error that leaves a resolver carries `extensions.code`, and
//! `extensions.field` where one input field is at fault. Internal errors are logged here,
//! once, and reach the client only as "internal error".
//!
//! `ApiError` deliberately does not implement `Display`: async-graphql converts anything
//! that does into an error *without* a code, so a stray `?` would silently lose it. The
//! GraphQL layer converts it (`resolvers::error`), keeping the code and the field.

use sea_orm::{DbErr, SqlErr};
use tenants::Denied;

/// The domain error codes (`extensions.code`), one constant each; the generic codes
/// (`BAD_USER_INPUT`, `CONFLICT`, ...) come from the variants of [`ApiError`].
pub mod code {
    pub const ALREADY_ANSWERED: &str = "ALREADY_ANSWERED";
    pub const TELEGRAM_NOT_CONFIGURED: &str = "TELEGRAM_NOT_CONFIGURED";
    pub const TELEGRAM_UNAVAILABLE: &str = "TELEGRAM_UNAVAILABLE";
    pub const ALREADY_MEMBER: &str = "ALREADY_MEMBER";
    pub const ALREADY_REVIEWED: &str = "ALREADY_REVIEWED";
    pub const CHANNEL_PAID: &str = "CHANNEL_PAID";
    pub const CONSENT_REQUIRED: &str = "CONSENT_REQUIRED";
    pub const EMAIL_ALREADY_VERIFIED: &str = "EMAIL_ALREADY_VERIFIED";
    pub const EMAIL_NOT_VERIFIED: &str = "EMAIL_NOT_VERIFIED";
    pub const IDEMPOTENCY_KEY_REUSED: &str = "IDEMPOTENCY_KEY_REUSED";
    pub const IMPERSONATION_FORBIDDEN: &str = "IMPERSONATION_FORBIDDEN";
    pub const INVALID_PARTNER_CODE: &str = "INVALID_PARTNER_CODE";
    pub const INVALID_TOKEN: &str = "INVALID_TOKEN";
    pub const INVITATION_ALREADY_ACCEPTED: &str = "INVITATION_ALREADY_ACCEPTED";
    pub const INVITATION_DECLINED: &str = "INVITATION_DECLINED";
    pub const INVITATION_EMAIL_MISMATCH: &str = "INVITATION_EMAIL_MISMATCH";
    pub const INVITATION_EXPIRED: &str = "INVITATION_EXPIRED";
    pub const INVITATION_REVOKED: &str = "INVITATION_REVOKED";
    pub const LAST_OWNER: &str = "LAST_OWNER";
    pub const LINE_EXPIRES_TOO_SOON: &str = "LINE_EXPIRES_TOO_SOON";
    pub const NOT_IMPERSONATING: &str = "NOT_IMPERSONATING";
    pub const ORDER_NOT_PENDING: &str = "ORDER_NOT_PENDING";
    pub const PAYMENT_PROVIDER_UNAVAILABLE: &str = "PAYMENT_PROVIDER_UNAVAILABLE";
    pub const NO_PARTNER: &str = "NO_PARTNER";
    pub const PARTNER_NOT_APPROVED: &str = "PARTNER_NOT_APPROVED";
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    pub const SPACE_ARCHIVED: &str = "SPACE_ARCHIVED";
    pub const INSUFFICIENT_BALANCE: &str = "INSUFFICIENT_BALANCE";
    pub const ORDER_NOT_PAID: &str = "ORDER_NOT_PAID";
    pub const REQUISITES_MISSING: &str = "REQUISITES_MISSING";
    pub const CURRENCY_NOT_SUPPORTED: &str = "CURRENCY_NOT_SUPPORTED";
    pub const WRONG_WITHDRAWAL_STATE: &str = "WRONG_WITHDRAWAL_STATE";
    pub const LEAD_TAKEN: &str = "LEAD_TAKEN";
    pub const WRONG_LEAD_STATE: &str = "WRONG_LEAD_STATE";
    pub const CERTIFICATION_COOLDOWN: &str = "CERTIFICATION_COOLDOWN";
    pub const CURRENCY_LOCKED: &str = "CURRENCY_LOCKED";
    pub const SERVICE_UNAVAILABLE: &str = "SERVICE_UNAVAILABLE";
    pub const LEAD_LIMIT_REACHED: &str = "LEAD_LIMIT_REACHED";
    pub const LEAD_RECENTLY_RELEASED: &str = "LEAD_RECENTLY_RELEASED";
    pub const NOT_WHITE_LABEL: &str = "NOT_WHITE_LABEL";
    pub const BRAND_EXISTS: &str = "BRAND_EXISTS";
    pub const ORGANIZATION_OWNS_BRAND: &str = "ORGANIZATION_OWNS_BRAND";
    pub const PAYMENT_CREDENTIALS_REFUSED: &str = "PAYMENT_CREDENTIALS_REFUSED";
    pub const CREDENTIALS_KEY_MISSING: &str = "CREDENTIALS_KEY_MISSING";

    /// All of them.
    pub const ALL: &[&str] = &[
        ALREADY_ANSWERED,
        TELEGRAM_NOT_CONFIGURED,
        TELEGRAM_UNAVAILABLE,
        ALREADY_MEMBER,
        ALREADY_REVIEWED,
        CHANNEL_PAID,
        CONSENT_REQUIRED,
        EMAIL_ALREADY_VERIFIED,
        EMAIL_NOT_VERIFIED,
        IDEMPOTENCY_KEY_REUSED,
        IMPERSONATION_FORBIDDEN,
        INVALID_PARTNER_CODE,
        INVALID_TOKEN,
        INVITATION_ALREADY_ACCEPTED,
        INVITATION_DECLINED,
        INVITATION_EMAIL_MISMATCH,
        INVITATION_EXPIRED,
        INVITATION_REVOKED,
        LAST_OWNER,
        LINE_EXPIRES_TOO_SOON,
        NOT_IMPERSONATING,
        ORDER_NOT_PENDING,
        PAYMENT_PROVIDER_UNAVAILABLE,
        NO_PARTNER,
        PARTNER_NOT_APPROVED,
        RATE_LIMITED,
        SPACE_ARCHIVED,
        INSUFFICIENT_BALANCE,
        ORDER_NOT_PAID,
        REQUISITES_MISSING,
        CURRENCY_NOT_SUPPORTED,
        WRONG_WITHDRAWAL_STATE,
        LEAD_TAKEN,
        WRONG_LEAD_STATE,
        CERTIFICATION_COOLDOWN,
        CURRENCY_LOCKED,
        SERVICE_UNAVAILABLE,
        LEAD_LIMIT_REACHED,
        LEAD_RECENTLY_RELEASED,
        NOT_WHITE_LABEL,
        BRAND_EXISTS,
        ORGANIZATION_OWNS_BRAND,
        PAYMENT_CREDENTIALS_REFUSED,
        CREDENTIALS_KEY_MISSING,
    ];
}

/// Result of a business operation.
pub type ApiResult<T> = Result<T, ApiError>;

/// An error as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    Unauthenticated(String),
    Forbidden,
    NotFound {
        what: &'static str,
    },
    BadInput {
        field: String,
        message: String,
    },
    Conflict {
        field: String,
        message: String,
    },
    /// A domain rule, with its own code (e.g. `INVALID_TOKEN`).
    Domain {
        code: &'static str,
        field: Option<String>,
        message: String,
    },
    /// Too many attempts (`RATE_LIMITED`), with the seconds to wait (`retryAfter`).
    RateLimited {
        retry_after_secs: u64,
    },
    /// The database cannot be reached (a lost connection, a restart): retryable
    /// (`SERVICE_UNAVAILABLE`, HTTP 503 with `Retry-After`), never `INTERNAL`.
    Unavailable,
    Internal,
}

/// Seconds a client waits before retrying a request the database could not serve.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 2;

impl ApiError {
    pub fn bad_input(field: &str, message: impl Into<String>) -> Self {
        Self::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn conflict(field: &str, message: impl Into<String>) -> Self {
        Self::Conflict {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::Unauthenticated(message.into())
    }

    pub fn domain(code: &'static str, field: Option<&str>, message: impl Into<String>) -> Self {
        Self::Domain {
            code,
            field: field.map(str::to_string),
            message: message.into(),
        }
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self::RateLimited { retry_after_secs }
    }

    /// Seconds to wait before trying again, for a rate-limit refusal.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            Self::Unavailable => Some(UNAVAILABLE_RETRY_AFTER_SECS),
            _ => None,
        }
    }

    /// Logs what went wrong and returns the masked error.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::Internal
    }

    /// The `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound { .. } => "NOT_FOUND",
            Self::BadInput { .. } => "BAD_USER_INPUT",
            Self::Conflict { .. } => "CONFLICT",
            Self::Domain { code, .. } => code,
            Self::RateLimited { .. } => code::RATE_LIMITED,
            Self::Unavailable => code::SERVICE_UNAVAILABLE,
            Self::Internal => "INTERNAL",
        }
    }

    /// The message the client reads.
    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated(m) => m.clone(),
            Self::Forbidden => "you are not allowed to do this".into(),
            Self::NotFound { what } => format!("{what} not found"),
            Self::BadInput { message, .. }
            | Self::Conflict { message, .. }
            | Self::Domain { message, .. } => message.clone(),
            Self::RateLimited { retry_after_secs } => {
                format!("too many attempts: try again in {retry_after_secs} s")
            }
            Self::Unavailable => "the service is briefly unavailable: try again shortly".into(),
            Self::Internal => "internal error".into(),
        }
    }

    /// The input field at fault, if one is.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::BadInput { field, .. } | Self::Conflict { field, .. } => Some(field),
            Self::Domain { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// A unique-constraint violation becomes `CONFLICT` on `field`; anything else is
    /// internal.
    pub fn from_unique(err: DbErr, field: &str, message: &str) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::conflict(field, message),
            _ => Self::from(err),
        }
    }
}

impl From<Denied> for ApiError {
    fn from(d: Denied) -> Self {
        match d {
            Denied::Unauthenticated => Self::unauthenticated("sign in first"),
            Denied::Forbidden => Self::Forbidden,
            Denied::Impersonating => Self::domain(
                code::IMPERSONATION_FORBIDDEN,
                None,
                "not allowed while logged in as a client: return to your own account",
            ),
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(e: DbErr) -> Self {
        Self::from_db(&e)
    }
}

/// A loader's error (DataLoader errors are shared behind an `Arc`).
impl From<std::sync::Arc<DbErr>> for ApiError {
    fn from(e: std::sync::Arc<DbErr>) -> Self {
        Self::from_db(&e)
    }
}

impl ApiError {
    /// A database error as the client sees it: `SERVICE_UNAVAILABLE` when the database
    /// could not be reached, else logged and masked as `INTERNAL`.
    fn from_db(e: &DbErr) -> Self {
        if unavailable(e) {
            tracing::warn!(error = %e, "the database is unavailable");
            return Self::Unavailable;
        }
        Self::internal(e)
    }
}

/// Whether a database error says the database could not be reached or the connection was
/// lost (retry later), rather than that the statement was wrong (a bug): no connection
/// from the pool or none could be opened, an I/O or TLS failure, a closed pool, or PostgreSQL's connection
/// exceptions (SQLSTATE class `08`) and shutdowns (`57P01` admin shutdown, as
/// `pg_terminate_backend` does; `57P02` crash; `57P03` cannot connect now).
pub fn unavailable(e: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as Sqlx;
    let sqlx = match e {
        // No connection from the pool, or none could be opened (refused, restarting).
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        _ => return false,
    };
    match sqlx.as_ref() {
        Sqlx::Io(_)
        | Sqlx::Tls(_)
        | Sqlx::PoolTimedOut
        | Sqlx::PoolClosed
        | Sqlx::WorkerCrashed
        | Sqlx::Protocol(_) => true,
        Sqlx::Database(d) => d
            .code()
            .is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
        _ => false,
    }
}
