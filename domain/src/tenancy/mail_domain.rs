//! Mail from the brand's own domain, once the brand proves it (docs/domains.md). The
//! domain of `emailSenderAddress` starts `PENDING`; it is proven like a custom domain, by
//! a TXT record `_gateway-mail.<domain>` holding the brand's token, asked of the same DNS
//! resolver, and, when the relay names an SPF include (`MAIL_SPF_INCLUDE`), by the
//! domain's SPF record containing it. Until then the brand's mail goes from the
//! platform's address under the brand's name, with a `Reply-To` of the brand's address:
//! mail from a domain the brand has not shown it controls is spoofing, and lands in spam.
//!
//! The statuses and the schedule are the custom domains' (`domains`): the scheduler's
//! `domains.check` job re-checks a `PENDING` domain with backoff for 7 days, then it is
//! `FAILED`; a `VERIFIED` domain is re-checked daily, and one whose record stays missing
//! for 7 days is `EXPIRED` (its mail goes from the platform's address again). The admin
//! may check at once (`verifyTenantMailDomain`), also to bring back a failed or expired
//! one. The API lists the records to create (`Tenant.mailDomain.records`: the proof, SPF
//! and the relay's DKIM records from settings). DNS is asked outside any transaction; the
//! outcome is written only if the address and status are still the ones checked.

use chrono::{DateTime, Utc};
use entities::tenant;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use tenants::{Action, RequestCtx};

use super::access::{authorize_on, load_brand_facts};
use super::domains::{CHECKS_PER_RUN, EXPIRE_AFTER, PENDING_FOR, RECHECK_EVERY, backoff};
use crate::kernel::audit::{self, Target};
use crate::kernel::dns::TxtAnswer;
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::services::{Services, Settings};

/// The label under the sender domain that holds the proof.
pub const MAIL_LABEL: &str = "_gateway-mail";
/// Not proven yet: mail goes from the platform's address.
pub const PENDING: &str = "PENDING";
/// Proven: mail goes from the brand's address.
pub const VERIFIED: &str = "VERIFIED";
/// Not proven within 7 days of being set; checked again only on request.
pub const FAILED: &str = "FAILED";
/// Proven once, then its record stayed missing for 7 days; checked again only on request.
pub const EXPIRED: &str = "EXPIRED";

/// The domain of an address, lower-cased.
pub fn domain_of(address: &str) -> Option<String> {
    address
        .rsplit_once('@')
        .map(|(_, d)| d.trim().trim_end_matches('.').to_ascii_lowercase())
        .filter(|d| !d.is_empty())
}

/// Whether two sender addresses are on the same domain (or both absent).
pub fn same_domain(a: Option<&str>, b: Option<&str>) -> bool {
    a.and_then(domain_of) == b.and_then(domain_of)
}

/// Starts the proof of `sender`'s domain over at `now` (or clears it without a sender).
pub fn reset(m: &mut tenant::ActiveModel, sender: Option<&str>, now: DateTime<Utc>) {
    let pending = sender.is_some();
    m.mail_domain_status = Set(pending.then(|| PENDING.to_string()));
    m.mail_domain_verified_at = Set(None);
    m.mail_domain_checked_at = Set(None);
    m.mail_domain_error = Set(None);
    m.mail_domain_since = Set(pending.then_some(now));
    m.mail_domain_lost_at = Set(None);
    m.mail_domain_next_check_at = Set(pending.then(|| now + backoff(0)));
    m.mail_domain_attempts = Set(0);
}

/// Whether the brand's mail may go from its own address.
pub fn proven(t: &tenant::Model) -> bool {
    t.email_sender_address.is_some() && t.mail_domain_status.as_deref() == Some(VERIFIED)
}

/// A DNS record the brand creates for its sender domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailRecord {
    /// `VERIFY` (the proof), `SPF` or `DKIM`.
    pub purpose: &'static str,
    /// `TXT`, `CNAME`, ...
    pub kind: String,
    pub name: String,
    pub value: String,
}

/// The records for the brand's sender domain: the proof, and what the relay asks for.
pub fn records(settings: &Settings, t: &tenant::Model) -> Vec<MailRecord> {
    let Some(domain) = t.email_sender_address.as_deref().and_then(domain_of) else {
        return Vec::new();
    };
    let mut out = vec![MailRecord {
        purpose: "VERIFY",
        kind: "TXT".into(),
        name: format!("{MAIL_LABEL}.{domain}"),
        value: t.verification_token.clone(),
    }];
    if let Some(include) = &settings.mail_spf_include {
        out.push(MailRecord {
            purpose: "SPF",
            kind: "TXT".into(),
            name: domain.clone(),
            value: format!("v=spf1 include:{include} ~all"),
        });
    }
    for (name, kind, value) in &settings.mail_dkim_records {
        out.push(MailRecord {
            purpose: "DKIM",
            kind: kind.clone(),
            name: format!("{name}.{domain}"),
            value: value.clone(),
        });
    }
    out
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailCheck {
    Verified,
    /// The proof or the SPF include is missing: what was found.
    Failed(String),
    /// The resolver could not be asked: says nothing about the records.
    Unreachable(String),
}

/// Asks DNS for the proof and, when the relay names one, the SPF include.
pub async fn check(svc: &Services, domain: &str, token: &str) -> MailCheck {
    let name = format!("{MAIL_LABEL}.{domain}");
    match svc.dns.txt(&name).await {
        TxtAnswer::Found(values) if values.iter().any(|v| v.trim() == token) => {}
        TxtAnswer::Found(_) => {
            return MailCheck::Failed(format!("TXT {name} does not hold this brand's token"));
        }
        TxtAnswer::Missing => return MailCheck::Failed(format!("no TXT record at {name}")),
        TxtAnswer::Unreachable(why) => return MailCheck::Unreachable(why),
    }
    let Some(include) = &svc.settings.mail_spf_include else {
        return MailCheck::Verified;
    };
    let wanted = format!("include:{}", include.to_ascii_lowercase());
    // SPF terms are case-insensitive and may carry the `+` qualifier.
    let includes = |v: &str| {
        let v = v.trim().to_ascii_lowercase();
        v.starts_with("v=spf1")
            && v.split_whitespace()
                .any(|term| term.trim_start_matches('+') == wanted)
    };
    match svc.dns.txt(domain).await {
        TxtAnswer::Found(values) if values.iter().any(|v| includes(v)) => MailCheck::Verified,
        TxtAnswer::Found(_) | TxtAnswer::Missing => MailCheck::Failed(format!(
            "the SPF record of {domain} does not contain {wanted}"
        )),
        TxtAnswer::Unreachable(why) => MailCheck::Unreachable(why),
    }
}

/// What to write after a check of `t`'s sender domain at `now`.
#[derive(Debug, PartialEq, Eq)]
struct Next {
    status: &'static str,
    error: Option<String>,
    verified_at: Option<DateTime<Utc>>,
    lost_at: Option<DateTime<Utc>>,
    next_check_at: Option<DateTime<Utc>>,
    attempts: i32,
}

fn next(t: &tenant::Model, outcome: &MailCheck, now: DateTime<Utc>) -> Next {
    let status = match t.mail_domain_status.as_deref() {
        Some(VERIFIED) => VERIFIED,
        Some(FAILED) => FAILED,
        Some(EXPIRED) => EXPIRED,
        _ => PENDING,
    };
    let same = |error: Option<String>, next_check_at| Next {
        status,
        error,
        verified_at: t.mail_domain_verified_at,
        lost_at: t.mail_domain_lost_at,
        next_check_at,
        attempts: t.mail_domain_attempts,
    };
    let daily = Some(now + RECHECK_EVERY);
    match outcome {
        MailCheck::Verified => Next {
            status: VERIFIED,
            error: None,
            verified_at: t.mail_domain_verified_at.or(Some(now)),
            lost_at: None,
            next_check_at: daily,
            attempts: 0,
        },
        // An unanswered question says nothing about the records.
        MailCheck::Unreachable(why) => {
            let error = Some(format!("the DNS resolver could not be asked: {why}"));
            let retry = match status {
                VERIFIED => daily,
                PENDING => Some(now + backoff(t.mail_domain_attempts)),
                _ => None,
            };
            same(error, retry)
        }
        MailCheck::Failed(found) => match status {
            // A record deleted by mistake must not move the brand's mail at once.
            VERIFIED => {
                let lost = t.mail_domain_lost_at.unwrap_or(now);
                if now - lost >= EXPIRE_AFTER {
                    Next {
                        status: EXPIRED,
                        lost_at: Some(lost),
                        ..same(Some(found.clone()), None)
                    }
                } else {
                    Next {
                        lost_at: Some(lost),
                        ..same(Some(found.clone()), daily)
                    }
                }
            }
            PENDING => {
                let since = t.mail_domain_since.unwrap_or(now);
                if now - since >= PENDING_FOR {
                    Next {
                        status: FAILED,
                        ..same(Some(found.clone()), None)
                    }
                } else {
                    let attempts = t.mail_domain_attempts + 1;
                    Next {
                        attempts,
                        ..same(Some(found.clone()), Some(now + backoff(attempts)))
                    }
                }
            }
            _ => same(Some(found.clone()), None),
        },
    }
}

/// Writes what a check of `t` (its sender `address`) found, if the address and status are
/// still the ones checked; whether it was written. Tells the registry, so every instance
/// sends from the right address at once; a change of status is audited (for `req`'s
/// viewer, or the scheduler's).
async fn apply(
    svc: &Services,
    req: Option<&RequestCtx>,
    t: &tenant::Model,
    address: &str,
    domain: &str,
    outcome: &MailCheck,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    let n = next(t, outcome, now);
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let mut update = tenant::Entity::update_many()
        .col_expr(tenant::Column::MailDomainStatus, Expr::val(n.status))
        .col_expr(tenant::Column::MailDomainError, Expr::val(n.error.clone()))
        .col_expr(tenant::Column::MailDomainCheckedAt, Expr::val(now))
        .col_expr(
            tenant::Column::MailDomainVerifiedAt,
            Expr::val(n.verified_at),
        )
        .col_expr(tenant::Column::MailDomainLostAt, Expr::val(n.lost_at))
        .col_expr(
            tenant::Column::MailDomainNextCheckAt,
            Expr::val(n.next_check_at),
        )
        .col_expr(tenant::Column::MailDomainAttempts, Expr::val(n.attempts))
        .filter(tenant::Column::Id.eq(t.id))
        .filter(tenant::Column::EmailSenderAddress.eq(address));
    update = match &t.mail_domain_status {
        Some(s) => update.filter(tenant::Column::MailDomainStatus.eq(s.as_str())),
        None => update.filter(tenant::Column::MailDomainStatus.is_null()),
    };
    if update.exec(&txn).await?.rows_affected == 0 {
        return Ok(false);
    }
    let was = t.mail_domain_status.as_deref().unwrap_or(PENDING);
    if n.status != was {
        let details = json!({ "domain": domain, "from": was, "to": n.status, "error": n.error });
        audit::record_by(
            &txn,
            req,
            t.id,
            audit::action::TENANT_MAIL_DOMAIN_CHECKED,
            Target::Tenant(t.id),
            details,
        )
        .await?;
    }
    svc.registry.notify_in(&txn).await?;
    match req {
        Some(req) => crate::kernel::txn::commit(txn, req).await?,
        None => txn.commit().await?,
    }
    svc.registry.refresh_after_commit(&svc.db).await;
    Ok(true)
}

/// `verifyTenantMailDomain`: checks the brand's sender domain now (its admins, staff).
pub async fn verify(svc: &Services, req: &RequestCtx, tenant_id: i64) -> ApiResult<tenant::Model> {
    load_brand_facts(&svc.db, req, tenant_id).await?;
    authorize_on(req, Action::ManageTenantDomains { tenant_id }, tenant_id)?;
    let t = tenant::Entity::find_by_id(tenant_id)
        .one(&svc.db)
        .await?
        .ok_or(ApiError::NotFound { what: "tenant" })?;
    let (Some(address), Some(domain)) = (
        t.email_sender_address.clone(),
        t.email_sender_address.as_deref().and_then(domain_of),
    ) else {
        return Err(ApiError::bad_input(
            "tenantId",
            "the brand has no sender address (emailSenderAddress) to prove",
        ));
    };
    let outcome = check(svc, &domain, &t.verification_token).await;
    let now = svc.clock.now();
    if !apply(svc, Some(req), &t, &address, &domain, &outcome, now).await? {
        return Err(ApiError::conflict(
            "tenantId",
            "the sender address changed while it was checked; check again",
        ));
    }
    tenant::Entity::find_by_id(tenant_id)
        .one(&svc.db)
        .await?
        .ok_or(ApiError::NotFound { what: "tenant" })
}

/// The scheduler's share (`domains.check`): checks the sender domains that are due;
/// how many were checked.
pub async fn check_due(svc: &Services) -> ApiResult<u64> {
    let now = svc.clock.now();
    let due = tenant::Entity::find()
        .filter(tenant::Column::MailDomainNextCheckAt.lte(now))
        .order_by_asc(tenant::Column::MailDomainNextCheckAt)
        .limit(CHECKS_PER_RUN)
        .all(&svc.db)
        .await?;
    let mut checked = 0;
    for t in &due {
        let Some(address) = t.email_sender_address.clone() else {
            continue;
        };
        let Some(domain) = domain_of(&address) else {
            continue;
        };
        let outcome = check(svc, &domain, &t.verification_token).await;
        if apply(svc, None, t, &address, &domain, &outcome, now).await? {
            checked += 1;
        }
    }
    Ok(checked)
}
