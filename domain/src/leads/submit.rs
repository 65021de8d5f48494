//! `submitLead`: the public integrators page's form.
//!
//! - No sign-in; the lead belongs to the tenant of the request's host.
//! - Validated field by field (E.164 phone, email, lengths).
//! - A honeypot: the form hides one field from people; a submission that fills it is
//!   answered exactly like a real one and stored nowhere.
//! - Rate-limited per client address: at most `Settings::lead_submissions_per_hour` stored
//!   leads per address and tenant in the last hour, counted in the database so every
//!   instance agrees (`RATE_LIMITED`).
//! - `partner_id` addresses the lead to a partner listed in the public directory; any
//!   other id (unknown, unlisted, not approved, another tenant's) gets the same answer, so
//!   nothing beyond the directory is revealed.
//! - Writes a `lead.addressed` or `lead.free` event in the same transaction.

use chrono::Duration;
use entities::lead::{self, LeadStatus};
use entities::partner;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use tenants::RequestCtx;
use tenants::scope::scoped;

use super::features::feature_list;
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::services::Services;
use crate::kernel::{counters, txn, validate};

/// What the form sends.
#[derive(Debug, Clone, Default)]
pub struct NewLead {
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    pub company: Option<String>,
    pub task: String,
    pub features: Vec<String>,
    pub country: Option<String>,
    pub language: Option<String>,
    /// The partner chosen in the directory.
    pub partner_id: Option<i64>,
    /// The hidden field: people leave it empty.
    pub honeypot: Option<String>,
}

/// `submitLead`: `true` once the lead is stored (or silently dropped as spam).
pub async fn submit(svc: &Services, req: &RequestCtx, input: NewLead) -> ApiResult<()> {
    svc.limits
        .guard(crate::kernel::ratelimit::Guarded::SubmitLead, req, None)
        .await?;
    let contact_name = validate::text("contactName", &input.contact_name, 120)?;
    let phone = validate::phone("phone", &input.phone)?;
    let email = validate::email("email", &input.email)?;
    let company = validate::opt_text("company", input.company.as_deref(), 200)?;
    let task = validate::opt_paragraphs("task", Some(&input.task), 2000)?
        .ok_or_else(|| ApiError::bad_input("task", "must not be empty"))?;
    let features = feature_list("features", &input.features)?;
    let country = validate::optional("country", input.country.as_deref(), validate::country)?;
    let language = validate::optional("language", input.language.as_deref(), validate::language)?;
    if input
        .honeypot
        .as_deref()
        .is_some_and(|h| !h.trim().is_empty())
    {
        tracing::info!(request_id = %req.request_id, "lead dropped by the honeypot");
        return Ok(());
    }
    let now = svc.clock.now();
    let ip = req.client_ip.map(|ip| ip.to_string());
    let txn = txn::begin(&svc.db).await?;
    if let Some(ip) = &ip {
        rate_limit(&txn, svc, req.tenant_id(), ip, now).await?;
    }
    let addressed = match input.partner_id {
        None => None,
        Some(id) => Some(
            scoped::<partner::Entity>(req.tenant_id())
                .filter(partner::Column::Id.eq(id))
                .filter(partner::Column::Status.eq(partner::STATUS_APPROVED))
                .filter(partner::Column::Listed.eq(true))
                .one(&txn)
                .await?
                .ok_or_else(|| {
                    ApiError::bad_input(
                        "partnerId",
                        "choose a partner from the integrators directory, or leave it empty",
                    )
                })?,
        ),
    };
    let number = counters::next(&txn, req.tenant_id(), counters::LEAD).await?;
    let l = lead::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        lead_number: Set(number),
        contact_name: Set(contact_name),
        phone: Set(phone),
        email: Set(email),
        company: Set(company),
        task: Set(task),
        features: Set(json!(features).to_string()),
        country: Set(country),
        language: Set(language),
        addressed_partner_id: Set(addressed.as_ref().map(|p| p.id)),
        partner_id: Set(addressed.as_ref().map(|p| p.id)),
        status: Set(LeadStatus::New),
        taken_by: Set(None),
        taken_at: Set(None),
        closed_at: Set(None),
        client_ip: Set(ip),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    super::market::announce(&txn, &l, None, now).await?;
    txn::commit(txn, req).await?;
    Ok(())
}

/// Refuses a submission when `ip` already stored the hour's allowance on the tenant.
async fn rate_limit(
    db: &impl ConnectionTrait,
    svc: &Services,
    tenant_id: i64,
    ip: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    let limit = u64::from(svc.settings.lead_submissions_per_hour);
    let since = now - Duration::hours(1);
    let recent = scoped::<lead::Entity>(tenant_id)
        .filter(lead::Column::ClientIp.eq(ip))
        .filter(lead::Column::CreatedAt.gt(since));
    if recent.clone().count(db).await? < limit {
        return Ok(());
    }
    let oldest = recent
        .order_by_asc(lead::Column::CreatedAt)
        .one(db)
        .await?
        .map(|l| l.created_at)
        .unwrap_or(now);
    let wait = (oldest + Duration::hours(1) - now).num_minutes().max(0) + 1;
    Err(ApiError::domain(
        code::RATE_LIMITED,
        None,
        format!("too many requests from your address; try again in {wait} minutes"),
    ))
}
