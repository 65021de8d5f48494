//! Custom domains proven by DNS (docs/domains.md).
//!
//! A custom domain starts `PENDING` with the record to create: TXT
//! `_gateway-verify.<host>` = the tenant's verification token (and a CNAME to the
//! platform for the traffic). `verifyTenantDomain` checks at once; the scheduler's
//! `domains.check` job re-checks pending domains with backoff (1 minute doubling to 6
//! hours) for 7 days, then the domain is `FAILED`. Only `VERIFIED` hosts route.
//!
//! A check that could not ask the resolver (timeout, SERVFAIL) is `UNREACHABLE`: it says
//! nothing about the record, so it never fails a domain. Verified custom domains are
//! re-checked daily; a record found wrong or missing is reported (audit entry,
//! `lastCheck`, `lastError`, the `tenant_domains` metric) and the domain keeps routing for
//! now: a TXT record deleted by mistake must not take a brand offline at once. When every
//! re-check for 7 days in a row found it wrong or missing (unreachable checks never count),
//! the domain is `EXPIRED` and stops routing: a host that changed hands can then be added
//! and proven by its new owner. Every transition (verified, failed, record lost, expired)
//! is also a domain event, so the brand's admins are told by bell, email and Telegram
//! (`CUSTOM_DOMAIN` notices).
//!
//! Claims of several brands on one host coexist (`PENDING`): an unproven claim neither
//! pushes out nor blocks another. The first to prove the host wins (a unique index on
//! verified hosts decides a race); the other claims end `FAILED`, "proved by another
//! brand", without naming it.
//!
//! DNS is asked outside any transaction; the outcome is written with a conditional update
//! (on the status and attempt count read), so a manual check and the job, or two
//! instances, never apply a transition twice.

use chrono::{DateTime, Duration, Utc};
use entities::{tenant, tenant_domain};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use tenants::{Action, RequestCtx};

use crate::kernel::audit::{self, Target};
use crate::kernel::dns::TxtAnswer;
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::services::Services;

/// The label under the host that holds the TXT record.
pub const VERIFY_LABEL: &str = "_gateway-verify";
/// How long a pending domain is re-checked before it is `FAILED`.
pub const PENDING_FOR: Duration = Duration::days(7);
/// How often a verified custom domain is re-checked.
pub const RECHECK_EVERY: Duration = Duration::days(1);
/// The first retry of a pending domain; each next one waits twice as long ...
pub const FIRST_RETRY: Duration = Duration::minutes(1);
/// ... up to this.
pub const LONGEST_RETRY: Duration = Duration::hours(6);
/// How long a verified domain's record may stay wrong or missing before it stops routing.
pub const EXPIRE_AFTER: Duration = Duration::days(7);
/// What a claim another brand proved first is told.
pub const PROVED_ELSEWHERE: &str = "proved by another brand";
/// Domains one run of the job checks at most (the rest are due on the next run).
pub const CHECKS_PER_RUN: u64 = 50;

/// The name of the TXT record proving `host`.
pub fn verification_name(host: &str) -> String {
    format!("{VERIFY_LABEL}.{host}")
}

/// The wait before the check after `attempts` unsuccessful ones.
pub fn backoff(attempts: i32) -> Duration {
    let doublings = attempts.clamp(0, 30) as u32;
    let secs = FIRST_RETRY
        .num_seconds()
        .saturating_mul(2_i64.saturating_pow(doublings));
    Duration::seconds(secs.min(LONGEST_RETRY.num_seconds()))
}

/// What one check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Verified,
    /// No record, or not the token: what was found.
    Failed(String),
    /// The resolver could not be asked: why.
    Unreachable(String),
}

/// Asks DNS for the domain's TXT record and compares it with the tenant's token.
pub async fn check(svc: &Services, host: &str, token: &str) -> Check {
    let name = verification_name(host);
    match svc.dns.txt(&name).await {
        TxtAnswer::Found(values) if values.iter().any(|v| v.trim() == token) => Check::Verified,
        TxtAnswer::Found(values) => {
            let shown: Vec<String> = values
                .iter()
                .take(5)
                .map(|v| format!("\"{}\"", v.chars().take(80).collect::<String>()))
                .collect();
            Check::Failed(format!(
                "TXT {name} holds {} but not this brand's token",
                shown.join(", ")
            ))
        }
        TxtAnswer::Missing => Check::Failed(format!("no TXT record at {name}")),
        TxtAnswer::Unreachable(why) => Check::Unreachable(why),
    }
}

/// What to write after a check of `d` at `now`.
struct Next {
    status: tenant_domain::DomainStatus,
    last_check: &'static str,
    last_error: Option<String>,
    next_check_at: Option<DateTime<Utc>>,
    attempts: i32,
    verified_at: Option<DateTime<Utc>>,
    record_lost_at: Option<DateTime<Utc>>,
    /// The audit action of the transition, if it is one.
    transition: Option<&'static str>,
}

fn next(d: &tenant_domain::Model, outcome: &Check, now: DateTime<Utc>) -> Next {
    use tenant_domain::DomainStatus::{Expired, Failed, Pending, Verified};
    let retry = |attempts: i32| Some(now + backoff(attempts));
    match (d.status, outcome) {
        (_, Check::Verified) => Next {
            status: Verified,
            last_check: tenant_domain::CHECK_VERIFIED,
            last_error: None,
            next_check_at: Some(now + RECHECK_EVERY),
            attempts: 0,
            verified_at: d.verified_at.filter(|_| d.status == Verified).or(Some(now)),
            record_lost_at: None,
            transition: (d.status != Verified).then_some(audit::action::TENANT_DOMAIN_VERIFIED),
        },
        // Wrong or missing at every re-check since the first such one, 7 days ago: the
        // host may have changed hands, so it stops routing.
        (Verified, Check::Failed(why))
            if d.record_lost_at.is_some_and(|t| now - t >= EXPIRE_AFTER) =>
        {
            Next {
                status: Expired,
                last_check: tenant_domain::CHECK_FAILED,
                last_error: Some(why.clone()),
                next_check_at: None,
                attempts: d.check_attempts.saturating_add(1),
                verified_at: d.verified_at,
                record_lost_at: d.record_lost_at,
                transition: Some(audit::action::TENANT_DOMAIN_EXPIRED),
            }
        }
        (Verified, Check::Failed(why)) => Next {
            status: Verified,
            last_check: tenant_domain::CHECK_FAILED,
            last_error: Some(why.clone()),
            next_check_at: Some(now + RECHECK_EVERY),
            attempts: d.check_attempts.saturating_add(1),
            verified_at: d.verified_at,
            record_lost_at: d.record_lost_at.or(Some(now)),
            transition: d
                .record_lost_at
                .is_none()
                .then_some(audit::action::TENANT_DOMAIN_RECORD_LOST),
        },
        (Verified, Check::Unreachable(why)) => Next {
            status: Verified,
            last_check: tenant_domain::CHECK_UNREACHABLE,
            last_error: Some(why.clone()),
            next_check_at: Some(now + Duration::hours(1)),
            attempts: d.check_attempts,
            verified_at: d.verified_at,
            record_lost_at: d.record_lost_at,
            transition: None,
        },
        (Pending, Check::Failed(why)) if now - d.created_at >= PENDING_FOR => Next {
            status: Failed,
            last_check: tenant_domain::CHECK_FAILED,
            last_error: Some(why.clone()),
            next_check_at: None,
            attempts: d.check_attempts.saturating_add(1),
            verified_at: None,
            record_lost_at: None,
            transition: Some(audit::action::TENANT_DOMAIN_VERIFICATION_FAILED),
        },
        (Pending, Check::Failed(why)) => Next {
            status: Pending,
            last_check: tenant_domain::CHECK_FAILED,
            last_error: Some(why.clone()),
            next_check_at: retry(d.check_attempts.saturating_add(1)),
            attempts: d.check_attempts.saturating_add(1),
            verified_at: None,
            record_lost_at: None,
            transition: None,
        },
        // The resolver could not be asked: the record may well be there. Keep trying,
        // whatever the time, at the backoff's pace.
        (Pending, Check::Unreachable(why)) => Next {
            status: Pending,
            last_check: tenant_domain::CHECK_UNREACHABLE,
            last_error: Some(why.clone()),
            next_check_at: retry(d.check_attempts.saturating_add(1)),
            attempts: d.check_attempts.saturating_add(1),
            verified_at: None,
            record_lost_at: None,
            transition: None,
        },
        // A failed or expired domain is only checked on request; it stays as it is until
        // one succeeds.
        (Failed | Expired, Check::Failed(why)) => Next {
            status: d.status,
            last_check: tenant_domain::CHECK_FAILED,
            last_error: Some(why.clone()),
            next_check_at: None,
            attempts: d.check_attempts,
            verified_at: None,
            record_lost_at: None,
            transition: None,
        },
        (Failed | Expired, Check::Unreachable(why)) => Next {
            status: d.status,
            last_check: tenant_domain::CHECK_UNREACHABLE,
            last_error: Some(why.clone()),
            next_check_at: None,
            attempts: d.check_attempts,
            verified_at: None,
            record_lost_at: None,
            transition: None,
        },
    }
}

/// Writes the outcome of a check, if `d` is still as it was read; the domain as it now is
/// (`None` when another check got there first). `req` names who asked (none: the job).
/// The domain event a transition (an audit action) is told as.
fn event_of(action: &str) -> Option<&'static str> {
    use crate::kernel::events::kind;
    match action {
        audit::action::TENANT_DOMAIN_VERIFIED => Some(kind::DOMAIN_VERIFIED),
        audit::action::TENANT_DOMAIN_VERIFICATION_FAILED => Some(kind::DOMAIN_VERIFICATION_FAILED),
        audit::action::TENANT_DOMAIN_RECORD_LOST => Some(kind::DOMAIN_RECORD_LOST),
        audit::action::TENANT_DOMAIN_EXPIRED => Some(kind::DOMAIN_EXPIRED),
        _ => None,
    }
}

async fn apply(
    svc: &Services,
    req: Option<&RequestCtx>,
    d: &tenant_domain::Model,
    token: &str,
    outcome: &Check,
    now: DateTime<Utc>,
) -> ApiResult<Option<tenant_domain::Model>> {
    use tenant_domain::Column as C;
    let mut n = next(d, outcome, now);
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let proving = n.status == tenant_domain::STATUS_VERIFIED && d.status != n.status;
    if proving {
        // Every claim on the host, locked in one order: two brands proving it at once take
        // turns (the second then finds it proven) instead of deadlocking.
        tenant_domain::Entity::find()
            .filter(C::Host.eq(d.host.as_str()))
            .order_by_asc(C::Id)
            .lock_exclusive()
            .all(&txn)
            .await?;
    }
    if proving && verified_elsewhere(&txn, d).await? {
        n = proved_elsewhere(d);
    }
    let updated = tenant_domain::Entity::update_many()
        .col_expr(C::Status, Expr::value(n.status.as_str()))
        .col_expr(C::LastCheckedAt, Expr::value(now))
        .col_expr(C::LastCheck, Expr::value(n.last_check))
        .col_expr(C::LastError, Expr::value(n.last_error.clone()))
        .col_expr(C::NextCheckAt, Expr::value(n.next_check_at))
        .col_expr(C::CheckAttempts, Expr::value(n.attempts))
        .col_expr(C::VerifiedAt, Expr::value(n.verified_at))
        .col_expr(C::RecordLostAt, Expr::value(n.record_lost_at))
        .filter(C::Id.eq(d.id))
        .filter(C::Status.eq(d.status.as_str()))
        .filter(C::CheckAttempts.eq(d.check_attempts))
        .exec(&txn)
        .await;
    let updated = match updated {
        Ok(u) => u,
        // Another brand proved the host between our look and our write (the unique index
        // on verified hosts): this claim ends as if we had seen it.
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            drop(txn);
            return apply_proved_elsewhere(svc, req, d, now).await;
        }
        Err(e) => return Err(e.into()),
    };
    if updated.rows_affected == 0 {
        return Ok(None);
    }
    if n.status == tenant_domain::DomainStatus::Expired && d.is_primary {
        // Its links move back to the brand's platform subdomain.
        demote_primary(&txn, d).await?;
    }
    if proving && n.status == tenant_domain::STATUS_VERIFIED {
        // The other brands' claims on this host end here.
        end_other_claims(&txn, d, now).await?;
    }
    if let Some(action) = n.transition {
        let details = json!({
            "tenantId": d.tenant_id, "host": d.host, "lastError": n.last_error,
        });
        audit::record_by(
            &txn,
            req,
            d.tenant_id,
            action,
            Target::TenantDomain(d.id),
            details,
        )
        .await?;
        if let Some(kind) = event_of(action) {
            let payload = json!({
                "domainId": d.id, "host": d.host, "lastError": n.last_error,
                "recordName": verification_name(&d.host), "recordValue": token,
            });
            crate::kernel::events::record(&txn, d.tenant_id, kind, payload, now).await?;
        }
        if action == audit::action::TENANT_DOMAIN_RECORD_LOST {
            tracing::warn!(host = %d.host, tenant = d.tenant_id, "a verified domain's TXT record is missing");
        }
    }
    let routing_changed = (n.status == tenant_domain::STATUS_VERIFIED)
        != (d.status == tenant_domain::STATUS_VERIFIED);
    if routing_changed {
        svc.registry.notify_in(&txn).await?;
    }
    match req {
        Some(req) => crate::kernel::txn::commit(txn, req).await?,
        None => txn.commit().await?,
    }
    if routing_changed {
        svc.registry.refresh_after_commit(&svc.db).await;
    }
    Ok(tenant_domain::Entity::find_by_id(d.id).one(&svc.db).await?)
}

/// Whether another tenant holds `d`'s host verified.
async fn verified_elsewhere(
    db: &impl sea_orm::ConnectionTrait,
    d: &tenant_domain::Model,
) -> ApiResult<bool> {
    Ok(tenant_domain::Entity::find()
        .filter(tenant_domain::Column::Host.eq(d.host.as_str()))
        .filter(tenant_domain::Column::Status.eq(tenant_domain::STATUS_VERIFIED.as_str()))
        .filter(tenant_domain::Column::Id.ne(d.id))
        .one(db)
        .await?
        .is_some())
}

/// The end of a claim another brand proved first: `FAILED`, not checked again.
fn proved_elsewhere(d: &tenant_domain::Model) -> Next {
    Next {
        status: tenant_domain::DomainStatus::Failed,
        last_check: tenant_domain::CHECK_FAILED,
        last_error: Some(PROVED_ELSEWHERE.into()),
        next_check_at: None,
        attempts: d.check_attempts.saturating_add(1),
        verified_at: None,
        record_lost_at: None,
        transition: Some(audit::action::TENANT_DOMAIN_VERIFICATION_FAILED),
    }
}

/// [`apply`] of a check that lost the race for the host.
async fn apply_proved_elsewhere(
    svc: &Services,
    req: Option<&RequestCtx>,
    d: &tenant_domain::Model,
    now: DateTime<Utc>,
) -> ApiResult<Option<tenant_domain::Model>> {
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let ended = end_claim(&txn, d, &proved_elsewhere(d), now).await?;
    match req {
        Some(req) => crate::kernel::txn::commit(txn, req).await?,
        None => txn.commit().await?,
    }
    if !ended {
        return Ok(None);
    }
    Ok(tenant_domain::Entity::find_by_id(d.id).one(&svc.db).await?)
}

/// Ends one claim as [`proved_elsewhere`] says, with its audit entry and event (its
/// admins are told it could not be verified, without naming the other brand).
async fn end_claim(
    txn: &impl sea_orm::ConnectionTrait,
    d: &tenant_domain::Model,
    n: &Next,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    use tenant_domain::Column as C;
    let updated = tenant_domain::Entity::update_many()
        .col_expr(C::Status, Expr::value(n.status.as_str()))
        .col_expr(C::LastCheckedAt, Expr::value(now))
        .col_expr(C::LastCheck, Expr::value(n.last_check))
        .col_expr(C::LastError, Expr::value(n.last_error.clone()))
        .col_expr(C::NextCheckAt, Expr::value(n.next_check_at))
        .col_expr(C::CheckAttempts, Expr::value(n.attempts))
        .col_expr(C::IsPrimary, Expr::value(false))
        .filter(C::Id.eq(d.id))
        .filter(C::Status.ne(tenant_domain::STATUS_VERIFIED.as_str()))
        .exec(txn)
        .await?;
    if updated.rows_affected == 0 {
        return Ok(false);
    }
    audit::record_system(
        txn,
        d.tenant_id,
        audit::action::TENANT_DOMAIN_VERIFICATION_FAILED,
        Target::TenantDomain(d.id),
        json!({ "tenantId": d.tenant_id, "host": d.host, "lastError": PROVED_ELSEWHERE }),
    )
    .await?;
    let token = tenant::Entity::find_by_id(d.tenant_id)
        .one(txn)
        .await?
        .map(|t| t.verification_token)
        .unwrap_or_default();
    crate::kernel::events::record(
        txn,
        d.tenant_id,
        crate::kernel::events::kind::DOMAIN_VERIFICATION_FAILED,
        json!({
            "domainId": d.id, "host": d.host, "lastError": PROVED_ELSEWHERE,
            "recordName": verification_name(&d.host), "recordValue": token,
        }),
        now,
    )
    .await?;
    Ok(true)
}

/// Every other tenant's claim on `d`'s host ends: `d` was just proven.
async fn end_other_claims(
    txn: &impl sea_orm::ConnectionTrait,
    d: &tenant_domain::Model,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let others = tenant_domain::Entity::find()
        .filter(tenant_domain::Column::Host.eq(d.host.as_str()))
        .filter(tenant_domain::Column::Id.ne(d.id))
        .filter(tenant_domain::Column::Status.ne(tenant_domain::STATUS_VERIFIED.as_str()))
        .all(txn)
        .await?;
    for o in others {
        end_claim(txn, &o, &proved_elsewhere(&o), now).await?;
    }
    Ok(())
}

/// An expired primary domain stops being primary; the brand's platform subdomain takes
/// its place in links and emails.
async fn demote_primary(
    txn: &impl sea_orm::ConnectionTrait,
    d: &tenant_domain::Model,
) -> ApiResult<()> {
    tenant_domain::Entity::update_many()
        .col_expr(tenant_domain::Column::IsPrimary, Expr::value(false))
        .filter(tenant_domain::Column::Id.eq(d.id))
        .exec(txn)
        .await?;
    let platform = tenant_domain::Entity::find()
        .filter(tenant_domain::Column::TenantId.eq(d.tenant_id))
        .filter(tenant_domain::Column::Kind.eq(tenant_domain::KIND_PLATFORM_SUBDOMAIN))
        .filter(tenant_domain::Column::Status.eq(tenant_domain::STATUS_VERIFIED.as_str()))
        .order_by_asc(tenant_domain::Column::Id)
        .one(txn)
        .await?;
    if let Some(p) = platform {
        tenant_domain::Entity::update_many()
            .col_expr(tenant_domain::Column::IsPrimary, Expr::value(true))
            .filter(tenant_domain::Column::Id.eq(p.id))
            .exec(txn)
            .await?;
    }
    Ok(())
}

async fn token_of(svc: &Services, tenant_id: i64) -> ApiResult<String> {
    Ok(tenant::Entity::find_by_id(tenant_id)
        .one(&svc.db)
        .await?
        .ok_or(ApiError::NotFound { what: "tenant" })?
        .verification_token)
}

/// `verifyTenantDomain`: checks a custom domain now (tenant admins, staff).
pub async fn verify(
    svc: &Services,
    req: &RequestCtx,
    domain_id: i64,
) -> ApiResult<tenant_domain::Model> {
    let d = tenant_domain::Entity::find_by_id(domain_id)
        .one(&svc.db)
        .await?
        .ok_or(ApiError::NotFound { what: "domain" })?;
    super::access::load_brand_facts(&svc.db, req, d.tenant_id).await?;
    super::access::authorize_domain(req, &d, |tenant_id| Action::ManageTenantDomains {
        tenant_id,
    })?;
    if d.kind != tenant_domain::KIND_CUSTOM {
        return Ok(d);
    }
    let token = token_of(svc, d.tenant_id).await?;
    let outcome = check(svc, &d.host, &token).await;
    let now = svc.clock.now();
    match apply(svc, Some(req), &d, &token, &outcome, now).await? {
        Some(d) => Ok(d),
        // The job checked it meanwhile: its result stands.
        None => tenant_domain::Entity::find_by_id(domain_id)
            .one(&svc.db)
            .await?
            .ok_or(ApiError::NotFound { what: "domain" }),
    }
}

/// The job's work: checks the custom domains that are due. Returns how many were checked.
pub async fn check_due(svc: &Services) -> ApiResult<u64> {
    let now = svc.clock.now();
    let due = tenant_domain::Entity::find()
        .filter(tenant_domain::Column::Kind.eq(tenant_domain::KIND_CUSTOM))
        .filter(tenant_domain::Column::NextCheckAt.lte(now))
        .order_by_asc(tenant_domain::Column::NextCheckAt)
        .limit(CHECKS_PER_RUN)
        .all(&svc.db)
        .await?;
    let mut checked = 0;
    for d in &due {
        let token = token_of(svc, d.tenant_id).await?;
        let outcome = check(svc, &d.host, &token).await;
        if apply(svc, None, d, &token, &outcome, now).await?.is_some() {
            checked += 1;
        }
    }
    Ok(checked)
}

/// Custom domains by status and last check, for `/metrics`.
pub async fn counts(svc: &Services) -> ApiResult<Vec<(String, String, i64)>> {
    let rows: Vec<(String, Option<String>, i64)> = tenant_domain::Entity::find()
        .select_only()
        .column(tenant_domain::Column::Status)
        .column(tenant_domain::Column::LastCheck)
        .column_as(tenant_domain::Column::Id.count(), "n")
        .filter(tenant_domain::Column::Kind.eq(tenant_domain::KIND_CUSTOM))
        .group_by(tenant_domain::Column::Status)
        .group_by(tenant_domain::Column::LastCheck)
        .into_tuple()
        .all(&svc.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(s, c, n)| (s, c.unwrap_or_else(|| "NONE".into()), n))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_a_minute_to_six_hours() {
        assert_eq!(backoff(0), Duration::minutes(1));
        assert_eq!(backoff(1), Duration::minutes(2));
        assert_eq!(backoff(5), Duration::minutes(32));
        assert_eq!(backoff(8), Duration::minutes(256));
        assert_eq!(backoff(9), Duration::hours(6));
        assert_eq!(backoff(1000), Duration::hours(6));
    }
}
