//! Service tokens: credentials a tenant's admins (or platform staff) give a machine, such
//! as the messaging side that reports channel states. The secret is shown once, at
//! creation; only its SHA-256 is kept. A token acts only on its tenant and only within its
//! scopes (see the policy); revoking it takes effect on its next request.

use entities::service_token;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel, QueryOrder};
use serde_json::json;
use tenants::scope::scoped;
use tenants::tokens::{hash_token, random_token};
use tenants::{Action, RequestCtx, SERVICE_TOKEN_PREFIX};

use super::access::authorize_on;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::services::Services;
use crate::kernel::{txn, validate};

/// A new token and its secret (shown this once).
pub struct CreatedToken {
    pub token: service_token::Model,
    pub secret: String,
}

fn scopes(raw: &[String]) -> ApiResult<Vec<String>> {
    if raw.is_empty() {
        return Err(ApiError::bad_input("scopes", "name at least one scope"));
    }
    let mut out: Vec<String> = Vec::new();
    for s in raw {
        if !service_token::SCOPES.contains(&s.as_str()) {
            return Err(ApiError::bad_input(
                "scopes",
                format!(
                    "unknown scope {s:?}; known: {}",
                    service_token::SCOPES.join(", ")
                ),
            ));
        }
        if !out.contains(s) {
            out.push(s.clone());
        }
    }
    Ok(out)
}

/// `createServiceToken`: a token for `tenant_id` with `scopes`.
pub async fn create(
    svc: &Services,
    req: &RequestCtx,
    tenant_id: i64,
    name: &str,
    raw_scopes: &[String],
) -> ApiResult<CreatedToken> {
    super::access::load_brand_facts(&svc.db, req, tenant_id).await?;
    authorize_on(req, Action::ManageServiceTokens { tenant_id }, tenant_id)?;
    let name = validate::text("name", name, 120)?;
    let scopes = scopes(raw_scopes)?;
    let secret = format!("{SERVICE_TOKEN_PREFIX}{}", random_token());
    let txn = txn::begin(&svc.db).await?;
    let token = service_token::ActiveModel {
        tenant_id: Set(tenant_id),
        name: Set(name),
        token_hash: Set(hash_token(&secret)),
        scopes: Set(json!(scopes).to_string()),
        created_by: Set(req.viewer.user().map(|u| u.user_id)),
        created_at: Set(svc.clock.now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        req,
        None,
        audit::action::SERVICE_TOKEN_CREATED,
        Target::ServiceToken(token.id),
        None,
        json!({ "tenantId": tenant_id, "name": token.name, "scopes": scopes }),
    )
    .await?;
    txn::commit(txn, req).await?;
    Ok(CreatedToken { token, secret })
}

/// `revokeServiceToken`: the token stops working on its next request. Revoking a revoked
/// token answers it unchanged.
pub async fn revoke(
    svc: &Services,
    req: &RequestCtx,
    token_id: i64,
) -> ApiResult<service_token::Model> {
    let txn = txn::begin(&svc.db).await?;
    let t = service_token::Entity::find_by_id(token_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound {
            what: "service token",
        })?;
    super::access::load_brand_facts(&txn, req, t.tenant_id).await?;
    authorize_on(
        req,
        Action::ManageServiceTokens {
            tenant_id: t.tenant_id,
        },
        t.tenant_id,
    )
    .map_err(|e| match e {
        ApiError::NotFound { .. } => ApiError::NotFound {
            what: "service token",
        },
        e => e,
    })?;
    if t.revoked_at.is_some() {
        return Ok(t);
    }
    let mut m = t.into_active_model();
    m.revoked_at = Set(Some(svc.clock.now()));
    let t = m.update(&txn).await?;
    audit::record(
        &txn,
        req,
        None,
        audit::action::SERVICE_TOKEN_REVOKED,
        Target::ServiceToken(t.id),
        None,
        json!({ "tenantId": t.tenant_id, "name": t.name }),
    )
    .await?;
    txn::commit(txn, req).await?;
    Ok(t)
}

/// `Tenant.serviceTokens`: the tenant's tokens, newest first (never their secrets).
pub async fn list(
    svc: &Services,
    req: &RequestCtx,
    tenant_id: i64,
) -> ApiResult<Vec<service_token::Model>> {
    super::access::load_brand_facts(&svc.db, req, tenant_id).await?;
    authorize_on(req, Action::ManageServiceTokens { tenant_id }, tenant_id)?;
    Ok(scoped::<service_token::Entity>(tenant_id)
        .order_by_desc(service_token::Column::Id)
        .all(&svc.db)
        .await?)
}
