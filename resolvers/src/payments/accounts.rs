//! A brand's own card payment account in GraphQL: `paymentAccount(tenantId)`,
//! `configurePaymentProvider` and `removePaymentProvider`, for the brand's admins and
//! staff. Credentials go in and never come out: the account answers hints only.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::payments::accounts::{self, Credentials};

use crate::ids::{self, Kind};
use crate::orders::PaymentProvider;
use crate::{request, services};

/// Stripe's credentials of the brand's own account.
#[derive(InputObject)]
pub struct StripeCredentialsInput {
    /// The secret key (`sk_…`) or a restricted key (`rk_…`).
    pub secret_key: String,
    /// The signing secret of the webhook endpoint set up at Stripe for the brand's
    /// `webhookUrl` (`whsec_…`).
    pub webhook_secret: String,
}

/// YooKassa's credentials of the brand's own shop.
#[derive(InputObject)]
pub struct YooKassaCredentialsInput {
    /// The shop id.
    pub shop_id: String,
    /// The secret key (`live_…` or `test_…`).
    pub secret_key: String,
}

/// Input of `configurePaymentProvider`: the provider and its credentials (`stripe` for
/// `STRIPE`, `yookassa` for `YOOKASSA`).
#[derive(InputObject)]
pub struct ConfigurePaymentProviderInput {
    /// The brand.
    pub tenant_id: ID,
    pub provider: PaymentProvider,
    pub stripe: Option<StripeCredentialsInput>,
    pub yookassa: Option<YooKassaCredentialsInput>,
}

/// A brand's own card payment account, without its secrets.
#[derive(SimpleObject)]
pub struct PaymentAccount {
    pub provider: PaymentProvider,
    /// What identifies the account (YooKassa's shop, Stripe's mode).
    pub account: String,
    /// The secret key's last characters.
    pub secret_key_hint: String,
    /// Where the provider must send the brand's notifications.
    pub webhook_url: String,
    pub configured_at: DateTime<Utc>,
    /// When the provider last accepted the credentials.
    pub verified_at: DateTime<Utc>,
}

fn account(ctx: &Context<'_>, m: entities::payment_account::Model) -> PaymentAccount {
    let webhook_url = services(ctx)
        .ok()
        .and_then(|svc| {
            svc.registry.by_id(m.tenant_id).map(|t| {
                domain::kernel::links::tenant_url(
                    &svc.settings,
                    &t,
                    &format!("/webhooks/payments/{}/{}", m.provider, t.model.slug),
                )
            })
        })
        .unwrap_or_default();
    PaymentAccount {
        provider: PaymentProvider::of(&m.provider).unwrap_or(PaymentProvider::Stripe),
        account: m.account_hint,
        secret_key_hint: m.secret_hint,
        webhook_url,
        configured_at: m.created_at,
        verified_at: m.verified_at,
    }
}

/// The brand's payment account, read.
#[derive(Default)]
pub struct PaymentAccountQuery;

#[Object]
impl PaymentAccountQuery {
    /// The brand's own card payment account (its admins and staff); empty when its card
    /// payments go to the platform's account.
    async fn payment_account(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
    ) -> crate::GqlResult<Option<PaymentAccount>> {
        let id = ids::decode(&tenant_id, Kind::Tenant, "tenantId")?;
        let (svc, req) = (services(ctx)?, request(ctx)?);
        Ok(accounts::view(svc, req, id).await?.map(|m| account(ctx, m)))
    }
}

/// The brand's payment account, changed.
#[derive(Default)]
pub struct PaymentAccountMutation;

#[Object]
impl PaymentAccountMutation {
    /// The brand's card payments go to its own account from now on. The credentials are
    /// checked at the provider (`PAYMENT_CREDENTIALS_REFUSED` naming the field when
    /// refused), encrypted at rest and never returned; the previous account is kept for
    /// its payments' refunds. Refused with `CREDENTIALS_KEY_MISSING` on a server without
    /// an encryption key. Audited.
    async fn configure_payment_provider(
        &self,
        ctx: &Context<'_>,
        input: ConfigurePaymentProviderInput,
    ) -> crate::GqlResult<PaymentAccount> {
        let id = ids::decode(&input.tenant_id, Kind::Tenant, "tenantId")?;
        let credentials = match (input.provider, input.stripe, input.yookassa) {
            (PaymentProvider::Stripe, Some(s), None) => Credentials::Stripe {
                secret_key: s.secret_key,
                webhook_secret: s.webhook_secret,
            },
            (PaymentProvider::Yookassa, None, Some(y)) => Credentials::YooKassa {
                shop_id: y.shop_id,
                secret_key: y.secret_key,
            },
            (p, _, _) => {
                let field = match p {
                    PaymentProvider::Stripe => "stripe",
                    PaymentProvider::Yookassa => "yookassa",
                };
                return Err(crate::ApiError::bad_input(
                    field,
                    format!(
                        "give the credentials of {} in `{field}`, and no other",
                        p.name()
                    ),
                )
                .into());
            }
        };
        let (svc, req) = (services(ctx)?, request(ctx)?);
        let m = accounts::configure(svc, req, id, credentials).await?;
        Ok(account(ctx, m))
    }

    /// The brand's card payments go to the platform's account again; whether it had its
    /// own. Audited.
    async fn remove_payment_provider(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
    ) -> crate::GqlResult<bool> {
        let id = ids::decode(&tenant_id, Kind::Tenant, "tenantId")?;
        let (svc, req) = (services(ctx)?, request(ctx)?);
        Ok(accounts::remove(svc, req, id).await?)
    }
}
