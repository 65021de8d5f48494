//! A brand's own card payment account (`configurePaymentProvider`): a reseller bills its
//! own clients, so its card payments go to its own Stripe or YooKassa account and its name
//! is on the payer's statement. Without one a brand uses the platform's account.
//!
//! The credentials are checked against the provider before they are kept (an
//! authenticated read that changes nothing), sealed with the configured key
//! (`kernel::sealed`; a server without a key refuses to store them), and never returned:
//! only hints (YooKassa's shop id, the start of Stripe's key, the secret's last four
//! characters). Saving another account deactivates the previous one, which is kept: its
//! payments are still refunded and its notifications still checked through it. Which
//! account serves a payment or a notification is decided in `routing`.

use entities::payment_account;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tenants::{Action, RequestCtx};

use std::sync::Arc;

use super::provider::{AccountSettings, CardProvider, CredentialsError, Providers};
use super::stripe::Stripe;
use super::yookassa::YooKassa;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::sealed::SealError;
use crate::kernel::services::Services;
use crate::kernel::txn;
use crate::tenancy::access::{authorize_on, load_brand_facts};

/// A brand's credentials at its provider, as sealed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "camelCase")]
pub enum Credentials {
    #[serde(rename = "stripe", rename_all = "camelCase")]
    Stripe {
        secret_key: String,
        webhook_secret: String,
    },
    #[serde(rename = "yookassa", rename_all = "camelCase")]
    YooKassa { shop_id: String, secret_key: String },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.provider())
    }
}

impl Credentials {
    /// The provider's name, as payments and webhook paths name it.
    pub fn provider(&self) -> &'static str {
        match self {
            Credentials::Stripe { .. } => "stripe",
            Credentials::YooKassa { .. } => "yookassa",
        }
    }

    /// Checked and trimmed; each refusal names its field.
    pub fn checked(self) -> ApiResult<Self> {
        let t = |s: String| s.trim().to_string();
        match self {
            Credentials::Stripe {
                secret_key,
                webhook_secret,
            } => {
                let (secret_key, webhook_secret) = (t(secret_key), t(webhook_secret));
                token(
                    "stripe.secretKey",
                    &secret_key,
                    &["sk_", "rk_"],
                    "a Stripe secret or restricted key (sk_… or rk_…)",
                )?;
                token(
                    "stripe.webhookSecret",
                    &webhook_secret,
                    &["whsec_"],
                    "the signing secret of the webhook endpoint (whsec_…)",
                )?;
                Ok(Credentials::Stripe {
                    secret_key,
                    webhook_secret,
                })
            }
            Credentials::YooKassa {
                shop_id,
                secret_key,
            } => {
                let (shop_id, secret_key) = (t(shop_id), t(secret_key));
                if shop_id.is_empty()
                    || shop_id.len() > 12
                    || !shop_id.chars().all(|c| c.is_ascii_digit())
                {
                    return Err(ApiError::bad_input(
                        "yookassa.shopId",
                        "the shop id is the number YooKassa shows in the shop's settings",
                    ));
                }
                token(
                    "yookassa.secretKey",
                    &secret_key,
                    &["live_", "test_"],
                    "a YooKassa secret key (live_… or test_…)",
                )?;
                Ok(Credentials::YooKassa {
                    shop_id,
                    secret_key,
                })
            }
        }
    }

    /// What identifies the account without being secret, and the secret's last
    /// characters.
    fn hints(&self) -> (String, String) {
        let tail = |s: &str| {
            let chars: Vec<char> = s.chars().collect();
            let n = chars.len().min(4);
            format!("…{}", chars[chars.len() - n..].iter().collect::<String>())
        };
        match self {
            Credentials::Stripe { secret_key, .. } => {
                let mode = if secret_key.contains("_live_") {
                    "live"
                } else {
                    "test"
                };
                (format!("Stripe ({mode})"), tail(secret_key))
            }
            Credentials::YooKassa {
                shop_id,
                secret_key,
            } => (format!("shop {shop_id}"), tail(secret_key)),
        }
    }
}

fn token(field: &str, v: &str, prefixes: &[&str], what: &str) -> ApiResult<()> {
    let ok = v.len() <= 255
        && prefixes
            .iter()
            .any(|p| v.starts_with(p) && v.len() > p.len())
        && v.chars().all(|c| c.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_input(field, format!("expected {what}")))
    }
}

/// A provider client for these credentials, at the configured API.
pub fn build(settings: &AccountSettings, c: &Credentials) -> Arc<dyn CardProvider> {
    match c {
        Credentials::Stripe {
            secret_key,
            webhook_secret,
        } => {
            let mut stripe = Stripe::new(&settings.stripe_api_base, secret_key, webhook_secret);
            // Its admins hold the signing secret: a completion is read back.
            stripe.confirm_paid = true;
            Arc::new(stripe)
        }
        Credentials::YooKassa {
            shop_id,
            secret_key,
        } => Arc::new(YooKassa::new(
            &settings.yookassa_api_base,
            shop_id,
            secret_key,
        )),
    }
}

/// The associated data a brand's sealed credentials are bound to: they open only on
/// their own brand's row of that provider.
pub(super) fn binding(tenant_id: i64, provider: &str) -> Vec<u8> {
    format!("payment_account:{tenant_id}:{provider}").into_bytes()
}

/// The brand's active account, for its admins and staff.
pub async fn view(
    svc: &Services,
    req: &RequestCtx,
    tenant_id: i64,
) -> ApiResult<Option<payment_account::Model>> {
    load_brand_facts(&svc.db, req, tenant_id).await?;
    authorize_on(req, Action::ManagePaymentAccount { tenant_id }, tenant_id)?;
    active(&svc.db, tenant_id).await
}

/// The brand's active account.
pub async fn active(
    db: &impl ConnectionTrait,
    tenant_id: i64,
) -> ApiResult<Option<payment_account::Model>> {
    Ok(payment_account::Entity::find()
        .filter(payment_account::Column::TenantId.eq(tenant_id))
        .filter(payment_account::Column::Active.eq(true))
        .order_by_desc(payment_account::Column::Id)
        .one(db)
        .await?)
}

/// `configurePaymentProvider`: checks the credentials at the provider, seals them and
/// makes them the brand's active account (the previous one is deactivated and kept).
pub async fn configure(
    svc: &Services,
    req: &RequestCtx,
    tenant_id: i64,
    credentials: Credentials,
) -> ApiResult<payment_account::Model> {
    load_brand_facts(&svc.db, req, tenant_id).await?;
    authorize_on(req, Action::ManagePaymentAccount { tenant_id }, tenant_id)?;
    let tenant = entities::tenant::Entity::find_by_id(tenant_id)
        .one(&svc.db)
        .await?
        .ok_or(ApiError::NotFound { what: "tenant" })?;
    let credentials = credentials.checked()?;
    if matches!(credentials, Credentials::YooKassa { .. }) && tenant.currency != "RUB" {
        return Err(ApiError::domain(
            code::CURRENCY_NOT_SUPPORTED,
            Some("provider"),
            format!(
                "YooKassa takes roubles; this brand sells in {}",
                tenant.currency
            ),
        ));
    }
    let settings = &svc.card_providers.accounts;
    let sealed = settings
        .keyring
        .seal(
            &serde_json::to_vec(&credentials).map_err(ApiError::internal)?,
            &binding(tenant_id, credentials.provider()),
        )
        .map_err(|e| match e {
            SealError::NoKey => ApiError::domain(
                code::CREDENTIALS_KEY_MISSING,
                None,
                "this installation has no key to encrypt payment credentials with (PAYMENT_CREDENTIALS_KEYS); nothing was stored",
            ),
            e => ApiError::internal(e),
        })?;
    build(settings, &credentials)
        .check_credentials()
        .await
        .map_err(|e| refused(&credentials, e))?;
    let (account_hint, secret_hint) = credentials.hints();
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    // The brand's row is locked so two saves at once leave one active account.
    entities::tenant::Entity::find_by_id(tenant_id)
        .lock_exclusive()
        .one(&txn)
        .await?;
    deactivate(&txn, tenant_id, now).await?;
    let m = payment_account::ActiveModel {
        tenant_id: Set(tenant_id),
        provider: Set(credentials.provider().into()),
        account_hint: Set(account_hint.clone()),
        secret_hint: Set(secret_hint.clone()),
        key_id: Set(sealed.key_id),
        sealed: Set(sealed.blob),
        active: Set(true),
        created_by: Set(req.viewer.user().map(|u| u.user_id)),
        created_at: Set(now),
        verified_at: Set(now),
        deactivated_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        req,
        None,
        audit::action::TENANT_PAYMENT_ACCOUNT_CONFIGURED,
        Target::Tenant(tenant_id),
        None,
        json!({ "provider": m.provider, "account": account_hint, "secret": secret_hint }),
    )
    .await?;
    txn::commit(txn, req).await?;
    Ok(m)
}

/// Stores `credentials` as the brand's active account without asking the provider, when
/// it has none: the demo's seed, whose providers are local servers started beside it.
/// Whether it stored them (not when the brand has an account, nor without a key).
pub async fn seed(svc: &Services, tenant_id: i64, credentials: Credentials) -> ApiResult<bool> {
    if active(&svc.db, tenant_id).await?.is_some() {
        return Ok(false);
    }
    let credentials = credentials.checked()?;
    let plain = serde_json::to_vec(&credentials).map_err(ApiError::internal)?;
    let sealed = match svc
        .card_providers
        .accounts
        .keyring
        .seal(&plain, &binding(tenant_id, credentials.provider()))
    {
        Ok(s) => s,
        Err(SealError::NoKey) => return Ok(false),
        Err(e) => return Err(ApiError::internal(e)),
    };
    let (account_hint, secret_hint) = credentials.hints();
    let now = svc.clock.now();
    payment_account::ActiveModel {
        tenant_id: Set(tenant_id),
        provider: Set(credentials.provider().into()),
        account_hint: Set(account_hint),
        secret_hint: Set(secret_hint),
        key_id: Set(sealed.key_id),
        sealed: Set(sealed.blob),
        active: Set(true),
        created_by: Set(None),
        created_at: Set(now),
        verified_at: Set(now),
        deactivated_at: Set(None),
        ..Default::default()
    }
    .insert(&svc.db)
    .await?;
    Ok(true)
}

fn refused(credentials: &Credentials, e: CredentialsError) -> ApiError {
    match e {
        CredentialsError::Refused => ApiError::domain(
            code::PAYMENT_CREDENTIALS_REFUSED,
            Some(match credentials {
                Credentials::Stripe { .. } => "stripe.secretKey",
                Credentials::YooKassa { .. } => "yookassa.secretKey",
            }),
            "the provider refused these credentials; nothing was stored",
        ),
        CredentialsError::Unavailable(detail) => {
            tracing::warn!(detail = %detail, "checking payment credentials failed");
            ApiError::domain(
                code::PAYMENT_PROVIDER_UNAVAILABLE,
                Some("provider"),
                "the payment provider did not answer; nothing was stored, try again shortly",
            )
        }
    }
}

/// `removePaymentProvider`: the brand goes back to the platform's account; whether it had
/// one of its own.
pub async fn remove(svc: &Services, req: &RequestCtx, tenant_id: i64) -> ApiResult<bool> {
    load_brand_facts(&svc.db, req, tenant_id).await?;
    authorize_on(req, Action::ManagePaymentAccount { tenant_id }, tenant_id)?;
    let txn = txn::begin(&svc.db).await?;
    let n = deactivate(&txn, tenant_id, svc.clock.now()).await?;
    if n > 0 {
        audit::record(
            &txn,
            req,
            None,
            audit::action::TENANT_PAYMENT_ACCOUNT_REMOVED,
            Target::Tenant(tenant_id),
            None,
            json!({}),
        )
        .await?;
    }
    txn::commit(txn, req).await?;
    Ok(n > 0)
}

async fn deactivate(
    txn: &impl ConnectionTrait,
    tenant_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<u64> {
    Ok(payment_account::Entity::update_many()
        .col_expr(payment_account::Column::Active, Expr::value(false))
        .col_expr(payment_account::Column::DeactivatedAt, Expr::value(now))
        .filter(payment_account::Column::TenantId.eq(tenant_id))
        .filter(payment_account::Column::Active.eq(true))
        .exec(txn)
        .await?
        .rows_affected)
}

/// Whether card payments in `currency` can be taken at all on `tenant_id` (its own
/// account, or the platform's).
pub async fn card_payments_possible(
    db: &impl ConnectionTrait,
    providers: &Providers,
    tenant_id: i64,
    currency: &str,
) -> ApiResult<bool> {
    Ok(providers.for_currency(currency).is_some() || active(db, tenant_id).await?.is_some())
}
