//! Mail from the brand's own domain, once the brand proves it (docs/domains.md). The
//! domain of `emailSenderAddress` starts `PENDING`; it is proven like a custom domain, by
//! a TXT record `_gateway-mail.<domain>` holding the brand's token, asked of the same DNS
//! resolver, and, when the relay names an SPF include (`MAIL_SPF_INCLUDE`), by the
//! domain's SPF record containing it. Until then the brand's mail goes from the
//! platform's address under the brand's name, with a `Reply-To` of the brand's address:
//! mail from a domain the brand has not shown it controls is spoofing, and lands in spam.
//!
//! The API lists the records to create (`Tenant.mailDomain.records`: the proof, SPF and
//! the relay's DKIM records from settings). DNS is asked outside any transaction; the
//! outcome is written only if the sender address is still the one checked.

use chrono::{DateTime, Utc};
use entities::tenant;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use tenants::{Action, RequestCtx};

use super::access::{authorize_on, load_brand_facts};
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

/// Starts the proof of `sender`'s domain over (or clears it without a sender).
pub fn reset(m: &mut tenant::ActiveModel, sender: Option<&str>) {
    m.mail_domain_status = Set(sender.map(|_| PENDING.to_string()));
    m.mail_domain_verified_at = Set(None);
    m.mail_domain_checked_at = Set(None);
    m.mail_domain_error = Set(None);
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
    let wanted = format!("include:{include}");
    match svc.dns.txt(domain).await {
        TxtAnswer::Found(values)
            if values.iter().any(|v| {
                v.trim_start().starts_with("v=spf1")
                    && v.split_whitespace().any(|term| term == wanted)
            }) =>
        {
            MailCheck::Verified
        }
        TxtAnswer::Found(_) | TxtAnswer::Missing => MailCheck::Failed(format!(
            "the SPF record of {domain} does not contain {wanted}"
        )),
        TxtAnswer::Unreachable(why) => MailCheck::Unreachable(why),
    }
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
    let (status, error) = match &outcome {
        MailCheck::Verified => (VERIFIED, None),
        // An unanswered question changes nothing but what the last check said.
        MailCheck::Unreachable(why) => (
            t.mail_domain_status.as_deref().unwrap_or(PENDING),
            Some(format!("the DNS resolver could not be asked: {why}")),
        ),
        // A proven domain whose record went away is unproven again: its mail goes from
        // the platform's address until the record is back.
        MailCheck::Failed(found) => (PENDING, Some(found.clone())),
    };
    let verified_at: Option<DateTime<Utc>> = match outcome {
        MailCheck::Verified => t.mail_domain_verified_at.or(Some(now)),
        MailCheck::Unreachable(_) => t.mail_domain_verified_at,
        MailCheck::Failed(_) => None,
    };
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let written = tenant::Entity::update_many()
        .col_expr(tenant::Column::MailDomainStatus, Expr::val(status))
        .col_expr(tenant::Column::MailDomainError, Expr::val(error.clone()))
        .col_expr(tenant::Column::MailDomainCheckedAt, Expr::val(now))
        .col_expr(tenant::Column::MailDomainVerifiedAt, Expr::val(verified_at))
        .filter(tenant::Column::Id.eq(tenant_id))
        .filter(tenant::Column::EmailSenderAddress.eq(address.as_str()))
        .exec(&txn)
        .await?
        .rows_affected;
    if written == 0 {
        return Err(ApiError::conflict(
            "tenantId",
            "the sender address changed while it was checked; check again",
        ));
    }
    if status != t.mail_domain_status.as_deref().unwrap_or(PENDING) {
        audit::record(
            &txn,
            req,
            None,
            audit::action::TENANT_MAIL_DOMAIN_CHECKED,
            Target::Tenant(tenant_id),
            None,
            json!({ "domain": domain, "status": status, "error": error }),
        )
        .await?;
    }
    svc.registry.notify_in(&txn).await?;
    crate::kernel::txn::commit(txn, req).await?;
    svc.registry.refresh_after_commit(&svc.db).await;
    tenant::Entity::find_by_id(tenant_id)
        .one(&svc.db)
        .await?
        .ok_or(ApiError::NotFound { what: "tenant" })
}
