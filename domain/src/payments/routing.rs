//! Which account serves a card payment or a notification: a new checkout goes to the
//! brand's active account (`accounts`) or else the platform's; a payment's refund and the
//! closing of its checkout go to the account that took it (`payments.payment_account_id`),
//! even after the brand moved to another; a notification at
//! `/webhooks/payments/<provider>/<brand>` is checked against that brand's accounts of
//! that provider only, and one at `/webhooks/payments/<provider>` against the platform's.
//! Also the re-sealing of credentials under the current key after a key rotation.

use std::sync::Arc;

use entities::{payment, payment_account};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::accounts::{Credentials, active, binding, build};
use super::provider::{AccountSettings, CardProvider, WebhookError};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::services::Services;

/// The credentials of a stored account, opened.
fn credentials(settings: &AccountSettings, a: &payment_account::Model) -> ApiResult<Credentials> {
    let plain = settings
        .keyring
        .open(&a.key_id, &a.sealed, &binding(a.tenant_id, &a.provider))
        .map_err(|e| {
            tracing::error!(account = a.id, error = %e, "payment credentials do not open");
            ApiError::internal(e)
        })?;
    // Serde's messages may quote the value: a fixed one instead.
    serde_json::from_slice(&plain).map_err(|_| {
        tracing::error!(account = a.id, "payment credentials open but do not read");
        ApiError::internal("payment credentials do not read")
    })
}

/// A provider client for a stored account.
pub fn open(
    settings: &AccountSettings,
    a: &payment_account::Model,
) -> ApiResult<Arc<dyn CardProvider>> {
    Ok(build(settings, &credentials(settings, a)?))
}

/// Where a new card checkout of `tenant_id` in `currency` goes: the brand's own account
/// (and its id), or the platform's (`None` id); `None` when neither exists.
pub async fn for_new_payment(
    svc: &Services,
    tenant_id: i64,
    currency: &str,
) -> ApiResult<Option<(Arc<dyn CardProvider>, Option<i64>)>> {
    if let Some(a) = active(&svc.db, tenant_id).await? {
        return Ok(Some((open(&svc.card_providers.accounts, &a)?, Some(a.id))));
    }
    Ok(svc
        .card_providers
        .for_currency(currency)
        .map(|p| (p.clone(), None)))
}

/// The account that took a card payment (its refund and its checkout's closing go there).
pub async fn for_payment(
    svc: &Services,
    p: &payment::Model,
) -> ApiResult<Option<Arc<dyn CardProvider>>> {
    match p.payment_account_id {
        Some(id) => {
            let a = payment_account::Entity::find_by_id(id)
                .filter(payment_account::Column::TenantId.eq(p.tenant_id))
                .one(&svc.db)
                .await?;
            match a {
                Some(a) => Ok(Some(open(&svc.card_providers.accounts, &a)?)),
                None => Ok(None),
            }
        }
        None => Ok(p
            .provider
            .as_deref()
            .and_then(|name| svc.card_providers.get(name))
            .cloned()),
    }
}

/// Who may have sent a notification to a webhook path.
pub struct Candidates {
    /// The brand of `/webhooks/payments/<provider>/<brand>`; `None` on the platform's path.
    pub tenant_id: Option<i64>,
    /// The accounts to check it with (id `None`: the platform's), the active one first.
    pub accounts: Vec<(Option<i64>, Arc<dyn CardProvider>)>,
}

/// The accounts a notification to `provider` (and `brand`, a tenant's slug) is checked
/// against; `None` when the path names nothing configured.
pub async fn webhook_candidates(
    svc: &Services,
    provider: &str,
    brand: Option<&str>,
) -> ApiResult<Option<Candidates>> {
    let Some(slug) = brand else {
        return Ok(svc.card_providers.get(provider).map(|p| Candidates {
            tenant_id: None,
            accounts: vec![(None, p.clone())],
        }));
    };
    let Some(tenant) = entities::tenant::Entity::find()
        .filter(entities::tenant::Column::Slug.eq(slug))
        .one(&svc.db)
        .await?
    else {
        return Ok(None);
    };
    let rows = payment_account::Entity::find()
        .filter(payment_account::Column::TenantId.eq(tenant.id))
        .filter(payment_account::Column::Provider.eq(provider))
        .order_by_desc(payment_account::Column::Active)
        .order_by_desc(payment_account::Column::Id)
        .limit(10)
        .all(&svc.db)
        .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    // An account whose credentials do not open (its key left the list) is skipped, so it
    // cannot stop the brand's other accounts from being checked.
    let accounts: Vec<_> = rows
        .iter()
        .filter_map(|a| {
            open(&svc.card_providers.accounts, a)
                .ok()
                .map(|p| (Some(a.id), p))
        })
        .collect();
    Ok(Some(Candidates {
        tenant_id: Some(tenant.id),
        accounts,
    }))
}

/// Re-seals under the current key the credentials sealed under an older one (after a
/// key rotation); how many. Each row is written only if no one re-sealed it meanwhile.
pub async fn reseal(svc: &Services) -> ApiResult<usize> {
    let settings = &svc.card_providers.accounts;
    let Some(current) = settings.keyring.current_id() else {
        return Ok(0);
    };
    // Only rows this instance can open (sealed under another configured key), so rows it
    // cannot read never fill the batch.
    let stale = payment_account::Entity::find()
        .filter(payment_account::Column::KeyId.ne(current))
        .filter(payment_account::Column::KeyId.is_in(settings.keyring.ids()))
        .order_by_asc(payment_account::Column::Id)
        .limit(100)
        .all(&svc.db)
        .await?;
    let mut done = 0;
    for a in stale {
        let Ok(c) = credentials(settings, &a) else {
            continue;
        };
        let plain = serde_json::to_vec(&c).map_err(ApiError::internal)?;
        let sealed = settings
            .keyring
            .seal(&plain, &binding(a.tenant_id, &a.provider))
            .map_err(ApiError::internal)?;
        let r = payment_account::Entity::update_many()
            .col_expr(payment_account::Column::KeyId, Expr::value(sealed.key_id))
            .col_expr(payment_account::Column::Sealed, Expr::value(sealed.blob))
            .filter(payment_account::Column::Id.eq(a.id))
            .filter(payment_account::Column::KeyId.eq(a.key_id.as_str()))
            .exec(&svc.db)
            .await?;
        done += r.rows_affected as usize;
    }
    Ok(done)
}

/// A notification one of the candidate accounts vouched for.
pub struct Verified {
    /// The account that vouched (`None`: the platform's).
    pub account_id: Option<i64>,
    /// The brand of the path (`None`: the platform's path).
    pub tenant_id: Option<i64>,
    pub provider: Arc<dyn CardProvider>,
    pub event: super::provider::ProviderEvent,
}

/// Checks a notification against the accounts its path names, the active one first
/// (`header` reads a request header: the signature, where the protocol signs):
/// `None` when the path names nothing configured; the first refusal when none vouches
/// for it, or `Unavailable` when one could not be asked (the provider delivers again).
///
/// A protocol that does not sign (YooKassa) is asked nothing about a reference this path
/// has no payment (or refund) of: the payment is found first, then the provider is asked
/// with the account that took it and, if that one does not confirm (a rotated key), the
/// brand's active account of the provider.
pub async fn verify(
    svc: &Services,
    provider: &str,
    brand: Option<&str>,
    header: &(dyn Fn(&'static str) -> Option<String> + Send + Sync),
    body: &[u8],
) -> ApiResult<Option<Result<Verified, WebhookError>>> {
    let Some(c) = webhook_candidates(svc, provider, brand).await? else {
        return Ok(None);
    };
    let claim = c.accounts.first().and_then(|(_, p)| p.claim(body));
    let accounts = match claim {
        None => c.accounts,
        Some(Err(e)) => return Ok(Some(Err(e))),
        Some(Ok(claim)) => match claimed_payment(svc, provider, c.tenant_id, &claim).await? {
            Some(p) => {
                let mut list: Vec<(Option<i64>, Arc<dyn CardProvider>)> = Vec::new();
                if let Some(own) = for_payment(svc, &p).await? {
                    list.push((p.payment_account_id, own));
                }
                // The brand's active account, if another row (the same shop saved again).
                if let Some(active) = c
                    .accounts
                    .into_iter()
                    .find(|(id, _)| id.is_some() && *id != p.payment_account_id)
                    .filter(|_| c.tenant_id.is_some())
                {
                    list.push(active);
                }
                list
            }
            None => {
                return Ok(Some(Err(WebhookError::Unconfirmed(
                    "no payment of this account has that reference".into(),
                ))));
            }
        },
    };
    let now = svc.clock.now();
    let mut refusal: Option<WebhookError> = None;
    for (account_id, p) in accounts {
        let signature = p.signature_header().and_then(header);
        match p.verify(signature.as_deref(), body, now).await {
            Ok(event) => {
                return Ok(Some(Ok(Verified {
                    account_id,
                    tenant_id: c.tenant_id,
                    provider: p,
                    event,
                })));
            }
            Err(e @ WebhookError::Unavailable(_)) => refusal = Some(e),
            Err(e) => {
                if !matches!(refusal, Some(WebhookError::Unavailable(_))) {
                    refusal.get_or_insert(e);
                }
            }
        }
    }
    Ok(Some(Err(refusal.unwrap_or(WebhookError::Unsigned))))
}

/// The payment a claim names among the path's payments: a brand's (taken by any of its
/// own accounts) or the platform's.
async fn claimed_payment(
    svc: &Services,
    provider: &str,
    tenant_id: Option<i64>,
    claim: &super::provider::Claim,
) -> ApiResult<Option<payment::Model>> {
    use super::provider::Claim;
    let mut q = payment::Entity::find().filter(payment::Column::Provider.eq(provider));
    q = match claim {
        Claim::Payment(r) => q.filter(payment::Column::ProviderRef.eq(r.as_str())),
        Claim::Refund(r) => q.filter(payment::Column::RefundRef.eq(r.as_str())),
    };
    q = match tenant_id {
        Some(t) => q
            .filter(payment::Column::TenantId.eq(t))
            .filter(payment::Column::PaymentAccountId.is_not_null()),
        None => q.filter(payment::Column::PaymentAccountId.is_null()),
    };
    Ok(q.one(&svc.db).await?)
}
