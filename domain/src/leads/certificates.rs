//! Certificates issued by passed attempts: their codes, public verification, the
//! holder's list, revoking, and attaching them to a partner's profile.

use std::collections::HashMap;

use entities::{certificate, partner};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use tenants::RequestCtx;
use tenants::scope::scoped;

use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::services::Services;
use crate::kernel::{txn, validate};
use crate::leads::certification::manage;

/// A verification code: 16 characters without look-alikes (80 bits), in groups of four.
pub fn new_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let raw: Vec<char> = (0..16)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    raw.chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed (any case, with or without dashes and spaces), in its stored form.
pub fn normalize_code(raw: &str) -> Option<String> {
    let chars: Vec<char> = raw
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (chars.len() == 16).then(|| {
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    })
}

/// Whether a certificate is valid now.
pub fn valid(c: &certificate::Model) -> bool {
    c.revoked_at.is_none()
}

/// `verifyCertificate(code)`: public; the tenant's certificate with this code, if any.
pub async fn verify(
    svc: &Services,
    req: &RequestCtx,
    code: &str,
) -> ApiResult<Option<certificate::Model>> {
    svc.limits
        .guard(crate::kernel::ratelimit::Guarded::CodeLookUp, req, None)
        .await?;
    let Some(code) = normalize_code(code) else {
        return Ok(None);
    };
    Ok(scoped::<certificate::Entity>(req.tenant_id())
        .filter(certificate::Column::Code.eq(code))
        .one(&svc.db)
        .await?)
}

/// `myCertificates`: the viewer's certificates, newest first.
pub async fn mine(svc: &Services, req: &RequestCtx) -> ApiResult<Vec<certificate::Model>> {
    let user = me(req)?;
    Ok(scoped::<certificate::Entity>(req.tenant_id())
        .filter(certificate::Column::UserId.eq(user))
        .order_by_desc(certificate::Column::Id)
        .all(&svc.db)
        .await?)
}

/// `revokeCertificate` (tenant staff): it stays verifiable, as not valid, and leaves any
/// profile it was attached to.
pub async fn revoke(
    svc: &Services,
    req: &RequestCtx,
    id: i64,
    reason: Option<String>,
) -> ApiResult<certificate::Model> {
    manage(req)?;
    let reason = validate::opt_text("reason", reason.as_deref(), 500)?;
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let c = find_certificate(&txn, req.tenant_id(), id).await?;
    if c.revoked_at.is_some() {
        return Err(ApiError::conflict("certificateId", "already revoked"));
    }
    let mut m = c.into_active_model();
    m.revoked_at = Set(Some(now));
    m.partner_id = Set(None);
    let c = m.update(&txn).await?;
    audit::record(
        &txn,
        req,
        None,
        audit::action::CERTIFICATE_REVOKED,
        Target::Certificate(c.id),
        None,
        json!({ "code": c.code, "reason": reason }),
    )
    .await?;
    txn::commit(txn, req).await?;
    Ok(c)
}

async fn find_certificate(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> ApiResult<certificate::Model> {
    scoped::<certificate::Entity>(tenant_id)
        .filter(certificate::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound {
            what: "certificate",
        })
}

/// `attachCertificate` / `detachCertificate`: the partner's owners and user admins show
/// (or stop showing) a valid certificate of one of the organization's members on the
/// partner's public profile.
pub async fn attach(
    svc: &Services,
    req: &RequestCtx,
    partner_id: i64,
    certificate_id: i64,
    on: bool,
) -> ApiResult<partner::Model> {
    let txn = txn::begin(&svc.db).await?;
    let (p, _) = crate::partners::ops::for_member(&txn, req, partner_id).await?;
    let c = find_certificate(&txn, req.tenant_id(), certificate_id).await?;
    let holder =
        crate::orgs::access::access(&txn, req.tenant_id(), p.organization_id, c.user_id).await?;
    // A certificate of someone outside the organization reads as absent.
    if holder.org.is_none() && c.partner_id != Some(p.id) {
        return Err(ApiError::NotFound {
            what: "certificate",
        });
    }
    if on {
        if !valid(&c) {
            return Err(ApiError::conflict(
                "certificateId",
                "the certificate was revoked",
            ));
        }
        if c.partner_id.is_some_and(|other| other != p.id) {
            return Err(ApiError::conflict(
                "certificateId",
                "the certificate is shown on another partner's profile",
            ));
        }
    } else if c.partner_id != Some(p.id) {
        return Err(ApiError::NotFound {
            what: "certificate",
        });
    }
    let mut m = c.into_active_model();
    m.partner_id = Set(on.then_some(p.id));
    let c = m.update(&txn).await?;
    audit::record(
        &txn,
        req,
        Some(p.organization_id),
        if on {
            audit::action::CERTIFICATE_ATTACHED
        } else {
            audit::action::CERTIFICATE_DETACHED
        },
        Target::Certificate(c.id),
        None,
        json!({ "partnerId": p.id, "code": c.code }),
    )
    .await?;
    txn::commit(txn, req).await?;
    Ok(p)
}

/// The valid certificates shown on each partner's profile, oldest first.
pub async fn of_partners(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    partner_ids: &[i64],
) -> Result<HashMap<i64, Vec<certificate::Model>>, sea_orm::DbErr> {
    let mut out: HashMap<i64, Vec<certificate::Model>> = HashMap::new();
    for c in scoped::<certificate::Entity>(tenant_id)
        .filter(certificate::Column::PartnerId.is_in(partner_ids.iter().copied()))
        .filter(certificate::Column::RevokedAt.is_null())
        .order_by_asc(certificate::Column::Id)
        .all(db)
        .await?
    {
        if let Some(p) = c.partner_id {
            out.entry(p).or_default().push(c);
        }
    }
    Ok(out)
}
