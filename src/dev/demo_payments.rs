//! The demo's card payments, on local servers speaking the providers' protocols (no card is
//! charged anywhere): the platform's YooKassa shop and Stripe account, Acme's own YooKassa
//! shop and EuroChat's own Stripe account. Rouble brands pay by YooKassa (the root brand
//! into the platform's shop, Acme into its own), the euro brand by Stripe into its own
//! account; each provider delivers its notifications to the brand's own webhook path.

use entities::tenant;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::local_stripe::LocalStripe;
use super::local_yookassa::LocalYooKassa;
use crate::AppState;
use crate::config::{Config, Secret};
use domain::payments::accounts::{self, Credentials};

/// The platform's YooKassa shop in the demo.
pub const PLATFORM_SHOP: (&str, &str) = ("500100", "test_platform_demo_secret");
/// Acme's own YooKassa shop.
pub const ACME_SHOP: (&str, &str) = ("500200", "test_acme_demo_secret");
/// EuroChat's own Stripe account: secret key and webhook signing secret.
pub const EU_STRIPE: (&str, &str) = ("sk_test_eurochat_demo", "whsec_eurochat_demo");

/// The local providers the demo runs (kept alive while it serves).
pub struct LocalProviders {
    pub stripe: Option<LocalStripe>,
    pub yookassa: Option<LocalYooKassa>,
}

/// Starts the local providers the configuration does not name real ones for, and points
/// the configuration at them.
pub async fn start(cfg: &mut Config) -> anyhow::Result<LocalProviders> {
    let gateway = format!("http://127.0.0.1:{}", cfg.bind_addr.port());
    let hook = |path: &str| Some(format!("{gateway}/webhooks/payments/{path}"));
    let stripe = if cfg.stripe_secret_key.is_none() {
        let local =
            LocalStripe::start("sk_test_local_demo", "whsec_local_demo", hook("stripe")).await?;
        local.add_account(EU_STRIPE.0, EU_STRIPE.1, hook("stripe/eu"));
        println!(
            "Card payments by Stripe go to a local Stripe-protocol server at {} (no card is charged).",
            local.base
        );
        cfg.stripe_api_base = local.base.clone();
        cfg.stripe_secret_key = Some(Secret(local.secret_key.clone()));
        cfg.stripe_webhook_secret = Some(Secret(local.webhook_secret.clone()));
        Some(local)
    } else {
        None
    };
    let yookassa = if cfg.yookassa_shop_id.is_none() {
        let local = LocalYooKassa::start().await?;
        local.add_shop(PLATFORM_SHOP.0, PLATFORM_SHOP.1, hook("yookassa"));
        local.add_shop(ACME_SHOP.0, ACME_SHOP.1, hook("yookassa/acme"));
        println!(
            "Card payments by YooKassa go to a local YooKassa-protocol server at {} (no card is charged).",
            local.base
        );
        cfg.yookassa_api_base = local.base.clone();
        cfg.yookassa_shop_id = Some(PLATFORM_SHOP.0.into());
        cfg.yookassa_secret_key = Some(Secret(PLATFORM_SHOP.1.into()));
        Some(local)
    } else {
        None
    };
    Ok(LocalProviders { stripe, yookassa })
}

/// Gives Acme its own YooKassa shop and EuroChat its own Stripe account on the local
/// servers (safe to run again; nothing without a credentials key, and nothing for a
/// provider configured for real: the demo's credentials exist only locally).
pub async fn seed_accounts(state: &AppState) -> anyhow::Result<()> {
    let svc = &state.services;
    let local = |base: &str| base.starts_with("http://127.0.0.1:");
    let settings = &svc.card_providers.accounts;
    let (yookassa_local, stripe_local) = (
        local(&settings.yookassa_api_base),
        local(&settings.stripe_api_base),
    );
    let brand = |slug: &'static str| async move {
        tenant::Entity::find()
            .filter(tenant::Column::Slug.eq(slug))
            .one(&svc.db)
            .await
    };
    let seeded = |r: Result<bool, domain::kernel::error::ApiError>| {
        r.map_err(|e| anyhow::anyhow!("seeding a payment account: {e:?}"))
    };
    if yookassa_local && let Some(acme) = brand("acme").await? {
        let c = Credentials::YooKassa {
            shop_id: ACME_SHOP.0.into(),
            secret_key: ACME_SHOP.1.into(),
        };
        seeded(accounts::seed(svc, acme.id, c).await)?;
    }
    if stripe_local && let Some(eu) = brand("eu").await? {
        let c = Credentials::Stripe {
            secret_key: EU_STRIPE.0.into(),
            webhook_secret: EU_STRIPE.1.into(),
        };
        seeded(accounts::seed(svc, eu.id, c).await)?;
    }
    Ok(())
}
