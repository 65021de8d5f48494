//! The demo data of `seed-demo` and `serve --demo`: the root tenant on `localhost` and a
//! white-label tenant, Acme, on `acme.<platform domain>` with its own branding. Each brand
//! has an approved demo partner with clients, lines in every state and a money history
//! (rewards, a bonus, requisites, one withdrawal in each state), two free leads and a
//! certification test. Idempotent.

use entities::{tenant, user};
use resolvers::tenancy::setup::TenantFields;
use resolvers::tenancy::setup::{NewTenant, insert_tenant};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use crate::{AppState, Config};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo-password-1";
/// The demo partner on the root tenant.
pub const ROOT_DEMO_EMAIL: &str = "partner@demo.example";
/// The white-label tenant's admin.
pub const ACME_ADMIN_EMAIL: &str = "owner@acme.example";

/// The demo partner on Acme.
pub const ACME_PARTNER_EMAIL: &str = "partner@acme.example";
/// The euro brand's admin and partner (SEPA payouts, its own price ladders).
pub const EU_ADMIN_EMAIL: &str = "owner@eu.example";
pub const EU_PARTNER_EMAIL: &str = "partner@eu.example";

/// What was seeded.
pub struct DemoInfo {
    pub acme_host: String,
    pub eu_host: String,
    /// The Acme partner's codes.
    pub referral_code: String,
    pub service_manager_code: String,
    /// The root tenant's demo partner's codes.
    pub root_referral_code: String,
    pub root_service_manager_code: String,
}

/// A brand's demo partner: its owner's account and its public profile.
struct DemoPartner {
    email: &'static str,
    contact: &'static str,
    name: &'static str,
    tier: &'static str,
    city: &'static str,
    phone: &'static str,
    work_email: &'static str,
    website: &'static str,
}

const ROOT_PARTNER: DemoPartner = DemoPartner {
    email: ROOT_DEMO_EMAIL,
    contact: "Demo Partner",
    name: "Demo Integrations",
    tier: "OFFICIAL",
    city: "Moscow",
    phone: "+79990003344",
    work_email: "hello@demo-integrations.example",
    website: "https://demo-integrations.example",
};

const EU_PARTNER: DemoPartner = DemoPartner {
    email: EU_PARTNER_EMAIL,
    contact: "Eva Partner",
    name: "Eva's Integrations",
    tier: "GOLD",
    city: "Berlin",
    phone: "+4915112345678",
    work_email: "hello@eva.example",
    website: "https://eva.example",
};

/// The euro brand's own ladders: volume from 5 personal channels, longer periods.
const EU_LADDERS: &str = r#"{"volume":[{"min_channels":5,"percent":"5"},{"min_channels":25,"percent":"12"}],"period":[{"min_months":12,"percent":"15"},{"min_months":24,"percent":"25"}],"periods":[1,6,12,24]}"#;

const ACME_PARTNER: DemoPartner = DemoPartner {
    email: ACME_PARTNER_EMAIL,
    contact: "Pat Partner",
    name: "Pat's Integrations",
    tier: "GOLD",
    city: "Kazan",
    phone: "+79990001122",
    work_email: "hello@pat.example",
    website: "https://pat.example/chat",
};

async fn ensure_user(
    db: &impl sea_orm::ConnectionTrait,
    tenant_id: i64,
    email: &str,
    name: &str,
    tenant_admin: bool,
) -> anyhow::Result<()> {
    let exists = user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant_id))
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(());
    }
    let hash = resolvers::password::hash(DEMO_PASSWORD.into())
        .await
        .map_err(|e| anyhow::anyhow!("hashing: {e:?}"))?;
    // Demo accounts are the operator's: their addresses count as verified.
    resolvers::identity::accounts::insert_user(
        db,
        resolvers::identity::accounts::NewUser {
            tenant_id,
            email: email.into(),
            display_name: name.into(),
            password_hash: Some(hash),
            is_tenant_admin: tenant_admin,
            email_verified: true,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("creating {email}: {e:?}"))?;
    Ok(())
}

/// Seeds the demo (safe to run again).
pub async fn seed(state: &AppState) -> anyhow::Result<DemoInfo> {
    let svc = &state.services;
    let db = &svc.db;
    let root = tenant::Entity::find()
        .filter(tenant::Column::IsRoot.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no root tenant"))?;
    ensure_user(db, root.id, ROOT_DEMO_EMAIL, ROOT_PARTNER.contact, false).await?;
    let root_partner = ensure_partner(db, root.id, &ROOT_PARTNER).await?;
    ensure_catalogue(db, &root).await?;
    ensure_client_lines(db, &root, &root_partner).await?;
    ensure_money(db, &root, &root_partner).await?;
    ensure_leads_and_tests(db, &root).await?;

    let acme = ensure_brand(
        state,
        "acme",
        TenantFields {
            legal_name: Some("Acme Messaging LLC".into()),
            logo_url: Some(demo_asset(state, "acme", "brand-acme.svg")),
            favicon_url: Some(demo_asset(state, "acme", "brand-acme-icon.svg")),
            primary_color: Some("#E4572E".into()),
            accent_color: Some("#17BEBB".into()),
            support_email: Some("support@acme.example".into()),
            support_phone: Some("+74951234567".into()),
            support_url: Some("https://acme.example/help".into()),
            email_sender_name: Some("Acme Messaging".into()),
            email_sender_address: Some("hello@acme.example".into()),
            default_language: Some("en".into()),
            currency: Some("RUB".into()),
            timezone: Some("Europe/Moscow".into()),
            ..TenantFields::new("acme", "Acme Messaging")
        },
    )
    .await?;
    ensure_user(db, acme.id, ACME_ADMIN_EMAIL, "Acme Owner", true).await?;
    ensure_user(db, acme.id, ACME_PARTNER_EMAIL, ACME_PARTNER.contact, false).await?;
    let partner = ensure_partner(db, acme.id, &ACME_PARTNER).await?;
    ensure_catalogue(db, &acme).await?;
    ensure_client_lines(db, &acme, &partner).await?;
    ensure_money(db, &acme, &partner).await?;
    ensure_leads_and_tests(db, &acme).await?;

    // A euro brand: SEPA payouts, its own price ladders, German by default.
    let mut eu = ensure_brand(
        state,
        "eu",
        TenantFields {
            legal_name: Some("EuroChat GmbH".into()),
            logo_url: Some(demo_asset(state, "eu", "brand-eu.svg")),
            favicon_url: Some(demo_asset(state, "eu", "brand-eu-icon.svg")),
            primary_color: Some("#003399".into()),
            accent_color: Some("#FFCC00".into()),
            support_email: Some("support@eu.example".into()),
            default_language: Some("de".into()),
            currency: Some("EUR".into()),
            timezone: Some("Europe/Berlin".into()),
            ..TenantFields::new("eu", "EuroChat")
        },
    )
    .await?;
    if eu.price_ladders.is_none() {
        let mut m = sea_orm::IntoActiveModel::into_active_model(eu.clone());
        m.price_ladders = Set(Some(EU_LADDERS.into()));
        eu = m.update(db).await?;
    }
    ensure_user(db, eu.id, EU_ADMIN_EMAIL, "Euro Owner", true).await?;
    ensure_user(db, eu.id, EU_PARTNER_EMAIL, EU_PARTNER.contact, false).await?;
    let eu_partner = ensure_partner(db, eu.id, &EU_PARTNER).await?;
    ensure_catalogue(db, &eu).await?;
    ensure_client_lines(db, &eu, &eu_partner).await?;
    ensure_money(db, &eu, &eu_partner).await?;
    ensure_leads_and_tests(db, &eu).await?;

    super::demo_payments::seed_accounts(state).await?;
    svc.registry.changed(db).await?;
    let host_of = |t: &tenant::Model| {
        svc.registry
            .by_id(t.id)
            .and_then(|t| t.primary_host.clone())
            .unwrap_or_else(|| format!("{}.{}", t.slug, svc.settings.platform_base_domain))
    };
    Ok(DemoInfo {
        acme_host: host_of(&acme),
        eu_host: host_of(&eu),
        referral_code: partner.referral_code,
        service_manager_code: partner.service_manager_code,
        root_referral_code: root_partner.referral_code,
        root_service_manager_code: root_partner.service_manager_code,
    })
}

/// A demo brand's logo or icon, served by the gateway itself on the brand's own host
/// (`web/static`), so the cabinet shows it without reaching any other site. The URL carries
/// the port of the first start (a brand is made once); start the demo on the same port.
fn demo_asset(state: &AppState, slug: &str, file: &str) -> String {
    let port = state.services.settings.local_link_port.unwrap_or(8080);
    format!("http://{slug}.localhost:{port}/assets/{file}")
}

/// The demo brand `slug`, made with `fields` the first time.
async fn ensure_brand(
    state: &AppState,
    slug: &str,
    fields: TenantFields,
) -> anyhow::Result<tenant::Model> {
    let svc = &state.services;
    if let Some(t) = tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(slug))
        .one(&svc.db)
        .await?
    {
        return Ok(t);
    }
    let txn = resolvers::txn::begin(&svc.db).await?;
    let display_name = fields.display_name.clone();
    let (t, _) = insert_tenant(
        &txn,
        &svc.settings,
        NewTenant {
            slug: slug.into(),
            display_name,
            is_root: false,
            owner_organization_id: None,
            input: fields,
        },
        &[],
    )
    .await
    .map_err(|e| anyhow::anyhow!("creating the demo brand {slug}: {e:?}"))?;
    txn.commit().await?;
    Ok(t)
}

/// An approved, listed partner owned by the brand's demo partner account.
async fn ensure_partner(
    db: &impl sea_orm::ConnectionTrait,
    tenant_id: i64,
    demo: &DemoPartner,
) -> anyhow::Result<entities::partner::Model> {
    use entities::{organization, organization_member, partner};
    let owner = user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant_id))
        .filter(user::Column::Email.eq(demo.email))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo partner account {}", demo.email))?;
    if let Some(p) = partner::Entity::find()
        .filter(partner::Column::TenantId.eq(tenant_id))
        .filter(partner::Column::AppliedBy.eq(owner.id))
        .one(db)
        .await?
    {
        return Ok(p);
    }
    let now = entities::time::now();
    let org = organization::ActiveModel {
        tenant_id: Set(tenant_id),
        name: Set(demo.name.into()),
        country: Set(Some("RU".into())),
        timezone: Set("Europe/Moscow".into()),
        language: Set("ru".into()),
        created_by: Set(Some(owner.id)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    organization_member::ActiveModel {
        tenant_id: Set(tenant_id),
        organization_id: Set(org.id),
        user_id: Set(owner.id),
        role: Set(entities::OrgRole::Owner),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let p = partner::ActiveModel {
        tenant_id: Set(tenant_id),
        organization_id: Set(org.id),
        status: Set(partner::STATUS_APPROVED),
        tier: Set(Some(demo.tier.into())),
        rejection_reason: Set(None),
        applied_by: Set(Some(owner.id)),
        reviewed_by: Set(None),
        reviewed_at: Set(Some(now)),
        contact_name: Set(demo.contact.into()),
        contact_email: Set(demo.email.into()),
        contact_phone: Set(Some(demo.phone.into())),
        crm_certificate_url: Set(None),
        referral_code: Set(resolvers::partners::ops::new_code()),
        service_manager_code: Set(resolvers::partners::ops::new_code()),
        white_label_reseller: Set(false),
        listed: Set(true),
        name: Set(demo.name.into()),
        description: Set(Some(
            "We connect WhatsApp and Telegram to your CRM and train your team.".into(),
        )),
        languages: Set(r#"["ru","en"]"#.into()),
        logo_url: Set(None),
        phone: Set(Some(demo.phone.into())),
        work_email: Set(Some(demo.work_email.into())),
        city: Set(Some(demo.city.into())),
        country: Set(Some("RU".into())),
        working_hours: Set(Some("Mon-Fri 9:00-18:00 MSK".into())),
        certificates: Set("[]".into()),
        website_url: Set(Some(demo.website.into())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(p)
}

/// The demo price list: `(code, name, personal, monthly price)`.
const DEMO_CHANNELS: [(&str, &str, bool, &str); 7] = [
    ("WHATSAPP", "WhatsApp", true, "1500.00"),
    ("TELEGRAM", "Telegram", true, "1200.00"),
    ("MAX", "MAX", true, "900.00"),
    ("WABA", "WhatsApp Business API", false, "1000.00"),
    ("INSTAGRAM", "Instagram", false, "1200.00"),
    ("VK", "VK", false, "700.00"),
    ("AVITO", "Avito", false, "900.00"),
];

/// ChatCoins packages: `(code, coins, price)`.
const DEMO_COIN_PACKAGES: [(&str, i64, &str); 3] = [
    ("COINS_1000", 1_000, "990.00"),
    ("COINS_5000", 5_000, "4500.00"),
    ("COINS_20000", 20_000, "16000.00"),
];

/// A demo client's lines with their channels: connected while the line runs.
#[allow(clippy::too_many_arguments)]
async fn demo_lines(
    db: &impl sea_orm::ConnectionTrait,
    tenant_id: i64,
    client_id: i64,
    org_id: i64,
    org_name: &str,
    lines: &[(i64, &[&str])],
    kinds: &std::collections::HashMap<String, i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    use chrono::Duration;
    use domain::lines::provision;
    use entities::line_channel;
    for (days, codes) in lines {
        let l = provision::create_line(
            db,
            provision::NewLine {
                tenant_id,
                name: None,
                client_user_id: client_id,
                organization_id: org_id,
                space_id: None,
                starts_at: now + Duration::days(*days) - Duration::days(90),
                expires_at: now + Duration::days(*days),
                coins: 0,
                nfr: false,
            },
            now,
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo line: {e:?}"))?;
        let name = format!("{org_name} {}", l.line_number);
        let l = provision::rename_line(db, l, name, now)
            .await
            .map_err(|e| anyhow::anyhow!("demo line name: {e:?}"))?;
        let kind_ids: Vec<i64> = codes
            .iter()
            .filter_map(|c| kinds.get(*c).copied())
            .collect();
        provision::add_channels(db, tenant_id, l.id, &kind_ids, now)
            .await
            .map_err(|e| anyhow::anyhow!("demo channels: {e:?}"))?;
        let status = if *days > 0 {
            line_channel::ChannelStatus::Connected
        } else {
            line_channel::ChannelStatus::Disconnected
        };
        for c in line_channel::Entity::find()
            .filter(line_channel::Column::LineId.eq(l.id))
            .all(db)
            .await?
        {
            provision::set_channel_status(db, c, status, now)
                .await
                .map_err(|e| anyhow::anyhow!("demo channel status: {e:?}"))?;
        }
    }
    Ok(())
}

/// A demo partner's clients, each with an organization and lines in every state
/// (active, expiring in 3 and in 20 days, expired), once.
async fn ensure_client_lines(
    db: &impl sea_orm::ConnectionTrait,
    tenant: &tenant::Model,
    p: &entities::partner::Model,
) -> anyhow::Result<()> {
    use entities::{channel_kind, organization, organization_member, partner_client};
    let has_clients = partner_client::Entity::find()
        .filter(partner_client::Column::PartnerId.eq(p.id))
        .one(db)
        .await?
        .is_some();
    if has_clients {
        return Ok(());
    }
    let kinds: std::collections::HashMap<String, i64> = channel_kind::Entity::find()
        .filter(channel_kind::Column::TenantId.eq(tenant.id))
        .all(db)
        .await?
        .into_iter()
        .map(|k| (k.code, k.id))
        .collect();
    let now = entities::time::now();
    // (email, name, country, organization, [(days left, channel codes)])
    type DemoClient<'a> = (
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        &'a [(i64, &'a [&'a str])],
    );
    let clients: [DemoClient; 3] = [
        (
            "anna@client.example",
            "Anna Ivanova",
            "RU",
            "Ivanova Flowers",
            &[(200, &["WHATSAPP", "WABA"]), (3, &["TELEGRAM"])],
        ),
        (
            "boris@client.example",
            "Boris Kim",
            "KZ",
            "Kim Logistics",
            &[(20, &["WHATSAPP"]), (-15, &["INSTAGRAM", "VK"])],
        ),
        (
            "clara@client.example",
            "Clara Petrova",
            "RU",
            "Petrova Studio",
            &[(60, &["WHATSAPP", "TELEGRAM", "AVITO"])],
        ),
    ];
    for (email, name, country, org_name, lines) in clients {
        ensure_user(db, tenant.id, email, name, false).await?;
        let u = user::Entity::find()
            .filter(user::Column::TenantId.eq(tenant.id))
            .filter(user::Column::Email.eq(email))
            .one(db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no demo client {email}"))?;
        let mut um: user::ActiveModel = u.clone().into();
        um.country = Set(Some(country.into()));
        um.update(db).await?;
        partner_client::ActiveModel {
            tenant_id: Set(tenant.id),
            partner_id: Set(p.id),
            client_user_id: Set(u.id),
            origin: Set(partner_client::ORIGIN_CREATED),
            attached_by: Set(p.applied_by),
            attached_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let org = organization::ActiveModel {
            tenant_id: Set(tenant.id),
            name: Set(org_name.into()),
            country: Set(Some(country.into())),
            timezone: Set("Europe/Moscow".into()),
            language: Set("ru".into()),
            created_by: Set(Some(u.id)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        organization_member::ActiveModel {
            tenant_id: Set(tenant.id),
            organization_id: Set(org.id),
            user_id: Set(u.id),
            role: Set(entities::OrgRole::Owner),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        demo_lines(db, tenant.id, u.id, org.id, org_name, lines, &kinds, now).await?;
    }
    Ok(())
}

/// A demo partner's money, once: paid orders of its clients whose rewards are past
/// their hold (54,000.00), a reward still pending (4,800.00), a review bonus, saved
/// requisites, and one withdrawal in each state, so the withdrawable balance is
/// 34,000.00 (rewards 54,000.00 less 15,000.00 held and 5,000.00 paid out).
async fn ensure_money(
    db: &impl sea_orm::ConnectionTrait,
    tenant: &tenant::Model,
    p: &entities::partner::Model,
) -> anyhow::Result<()> {
    use chrono::Duration;
    use entities::partner_client;
    use entities::partner_ledger_entry::{self as entry, LedgerKind, POT_BONUSES};
    let has_money = entry::Entity::find()
        .filter(entry::Column::PartnerId.eq(p.id))
        .one(db)
        .await?
        .is_some();
    if has_money {
        return Ok(());
    }
    let now = entities::time::now();
    let clients: Vec<i64> = partner_client::Entity::find()
        .filter(partner_client::Column::PartnerId.eq(p.id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.client_user_id)
        .collect();
    let ledger = DemoLedger {
        tenant_id: tenant.id,
        partner_id: p.id,
        currency: tenant.currency.clone(),
    };
    demo_paid_orders(db, tenant, p, &clients, &ledger, now).await?;
    let at = now - Duration::days(20);
    ledger
        .write(
            db,
            LedgerKind::ReviewBonus,
            POT_BONUSES,
            150_000,
            (None, None),
            Some("A review of the platform on the marketplace"),
            (at, at),
        )
        .await?;
    demo_withdrawals(db, tenant, p, &ledger, now, at).await
}

/// Writes a demo partner's ledger entries through the ledger's one writer.
struct DemoLedger {
    tenant_id: i64,
    partner_id: i64,
    currency: String,
}

impl DemoLedger {
    /// One entry: `links` are its order and withdrawal, `times` when it was written and
    /// when it may be withdrawn.
    #[allow(clippy::too_many_arguments)]
    async fn write(
        &self,
        db: &impl sea_orm::ConnectionTrait,
        kind: entities::partner_ledger_entry::LedgerKind,
        pot: &'static str,
        amount: i64,
        links: (Option<i64>, Option<i64>),
        reason: Option<&str>,
        times: (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
    ) -> anyhow::Result<()> {
        domain::ledger::entries::write(
            db,
            domain::ledger::entries::NewEntry {
                tenant_id: self.tenant_id,
                partner_id: self.partner_id,
                kind,
                pot,
                amount_minor: amount,
                currency: &self.currency,
                order_id: links.0,
                withdrawal_id: links.1,
                reason: reason.map(str::to_string),
                created_by: None,
                available_at: times.1,
                now: times.0,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo ledger: {e:?}"))?;
        Ok(())
    }
}

/// Four orders the demo partner's clients paid, each with its invoice and the partner's
/// reward.
async fn demo_paid_orders(
    db: &impl sea_orm::ConnectionTrait,
    tenant: &tenant::Model,
    p: &entities::partner::Model,
    clients: &[i64],
    ledger: &DemoLedger,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    use chrono::Duration;
    use domain::kernel::counters;
    use entities::partner_ledger_entry::{LedgerKind, POT_REWARDS};
    use entities::{order, payment};
    let cur = tenant.currency.clone();
    // (days ago paid, total, reward): 20 % of what the client paid.
    let paid: [(i64, i64, i64); 4] = [
        (60, 12_000_000, 2_400_000),
        (45, 9_000_000, 1_800_000),
        (30, 6_000_000, 1_200_000),
        (3, 2_400_000, 480_000),
    ];
    for (n, (ago, total, reward)) in paid.into_iter().enumerate() {
        let at = now - Duration::days(ago);
        let client = clients.get(n % clients.len().max(1)).copied();
        let number = counters::next(db, tenant.id, counters::ORDER)
            .await
            .map_err(|e| anyhow::anyhow!("order number: {e:?}"))?;
        let o = order::ActiveModel {
            tenant_id: Set(tenant.id),
            order_number: Set(number),
            client_user_id: Set(client),
            partner_id: Set(Some(p.id)),
            payer: Set(order::Payer::Client),
            status: Set(order::OrderStatus::Paid),
            currency: Set(cur.clone()),
            base_minor: Set(total),
            discount_minor: Set(0),
            total_minor: Set(total),
            partner_reward_minor: Set(reward),
            partner_rate_bp: Set(2000),
            created_by: Set(client),
            created_while_impersonating: Set(false),
            expires_at: Set(at + Duration::hours(72)),
            paid_at: Set(Some(at)),
            cancelled_at: Set(None),
            refunded_at: Set(None),
            refunded_by: Set(None),
            refund_reason: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(db)
        .await?;
        payment::ActiveModel {
            tenant_id: Set(tenant.id),
            order_id: Set(o.id),
            method: Set(payment::PaymentMethod::Invoice),
            status: Set(payment::PaymentStatus::Succeeded),
            amount_minor: Set(total),
            currency: Set(cur.clone()),
            invoice_number: Set(Some(
                counters::next(db, tenant.id, counters::INVOICE)
                    .await
                    .map_err(|e| anyhow::anyhow!("invoice number: {e:?}"))?,
            )),
            created_at: Set(at),
            updated_at: Set(at),
            completed_at: Set(Some(at)),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let hold = Duration::days(tenant.reward_hold_days as i64);
        ledger
            .write(
                db,
                LedgerKind::Reward,
                POT_REWARDS,
                reward,
                (Some(o.id), None),
                None,
                (at, at + hold),
            )
            .await?;
    }
    Ok(())
}

/// The demo partner's bank requisites, as a withdrawal snapshots them.
async fn demo_requisites(
    db: &impl sea_orm::ConnectionTrait,
    tenant: &tenant::Model,
    p: &entities::partner::Model,
    at: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<String> {
    use domain::ledger::rails::{PayoutAccount, Sepa};
    let account = match domain::tenancy::payout_rail::Rail::of(tenant) {
        Some(domain::tenancy::payout_rail::Rail::Sepa) => PayoutAccount::Sepa(Sepa {
            account_holder: "Eva's Integrations GmbH".into(),
            iban: "DE89370400440532013000".into(),
            bic: "COBADEFFXXX".into(),
        }),
        _ => PayoutAccount::RuBank(domain::ledger::requisites::Requisites {
            legal_name: "ООО «Пэт Партнер»".into(),
            inn: "7707083893".into(),
            kpp: Some("773601001".into()),
            bank_name: Some("ПАО Сбербанк".into()),
            bic: "044525225".into(),
            settlement_account: "40702810938000012345".into(),
            correspondent_account: "30101810400000000225".into(),
        }),
    };
    entities::payout_account::ActiveModel {
        tenant_id: Set(tenant.id),
        partner_id: Set(p.id),
        rail: Set(account.rail().as_str().into()),
        holder_name: Set(account.holder().into()),
        details: Set(account.to_json()),
        updated_by: Set(p.applied_by),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(account.to_json())
}

/// One withdrawal of the demo partner in each state.
async fn demo_withdrawals(
    db: &impl sea_orm::ConnectionTrait,
    tenant: &tenant::Model,
    p: &entities::partner::Model,
    ledger: &DemoLedger,
    now: chrono::DateTime<chrono::Utc>,
    at: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    use chrono::Duration;
    use domain::kernel::counters;
    use entities::partner_ledger_entry::{LedgerKind, POT_REWARDS};
    use entities::withdrawal::{self, WithdrawalStatus};
    let cur = tenant.currency.clone();
    let snapshot = demo_requisites(db, tenant, p, at).await?;
    let states = [
        (WithdrawalStatus::Paid, 18),
        (WithdrawalStatus::Rejected, 12),
        (WithdrawalStatus::Approved, 6),
        (WithdrawalStatus::DocumentsSent, 4),
        (WithdrawalStatus::Requested, 1),
    ];
    for (status, ago) in states {
        let at = now - Duration::days(ago);
        let number = counters::next(db, tenant.id, counters::WITHDRAWAL)
            .await
            .map_err(|e| anyhow::anyhow!("withdrawal number: {e:?}"))?;
        let later = |d: i64| Some(at + Duration::days(d));
        let w = withdrawal::ActiveModel {
            tenant_id: Set(tenant.id),
            partner_id: Set(p.id),
            withdrawal_number: Set(number),
            amount_minor: Set(500_000),
            currency: Set(cur.clone()),
            status: Set(status),
            requisites: Set(snapshot.clone()),
            requested_by: Set(p.applied_by),
            rejection_reason: Set((status == WithdrawalStatus::Rejected)
                .then(|| "The signed act is missing".to_string())),
            documents_sent_at: Set(matches!(
                status,
                WithdrawalStatus::DocumentsSent
                    | WithdrawalStatus::Approved
                    | WithdrawalStatus::Paid
            )
            .then_some(at)
            .and(later(0))),
            approved_at: Set(
                matches!(status, WithdrawalStatus::Approved | WithdrawalStatus::Paid)
                    .then_some(at)
                    .and(later(1)),
            ),
            paid_at: Set((status == WithdrawalStatus::Paid)
                .then_some(at)
                .and(later(2))),
            rejected_at: Set((status == WithdrawalStatus::Rejected)
                .then_some(at)
                .and(later(1))),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(db)
        .await?;
        // The deadline of the step it is at, as the paperwork calendar says.
        let due = domain::ledger::calendar::next_due(
            &w,
            domain::ledger::calendar::zone(&tenant.timezone),
        );
        if due.is_some() {
            let mut m = sea_orm::IntoActiveModel::into_active_model(w.clone());
            m.due_at = Set(due);
            m.update(db).await?;
        }
        ledger
            .write(
                db,
                LedgerKind::WithdrawalHold,
                POT_REWARDS,
                -500_000,
                (None, Some(w.id)),
                None,
                (at, at),
            )
            .await?;
        match status {
            WithdrawalStatus::Paid => {
                ledger
                    .write(
                        db,
                        LedgerKind::WithdrawalPaid,
                        POT_REWARDS,
                        -500_000,
                        (None, Some(w.id)),
                        None,
                        (at + Duration::days(2), at + Duration::days(2)),
                    )
                    .await?;
            }
            WithdrawalStatus::Rejected => {
                ledger
                    .write(
                        db,
                        LedgerKind::WithdrawalRelease,
                        POT_REWARDS,
                        500_000,
                        (None, Some(w.id)),
                        Some("The signed act is missing"),
                        (at + Duration::days(1), at + Duration::days(1)),
                    )
                    .await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Adds the demo price list's kinds and packages a tenant lacks (by code); existing ones,
/// perhaps edited, stay as they are.
pub(crate) async fn ensure_catalogue(
    db: &impl sea_orm::ConnectionTrait,
    tenant: &tenant::Model,
) -> anyhow::Result<()> {
    use entities::{channel_kind, coin_package, money};
    let tenant_id = tenant.id;
    let minor = |amount: &str| -> anyhow::Result<i64> {
        let d: rust_decimal::Decimal = amount.parse()?;
        money::to_minor(d, &tenant.currency).map_err(|e| anyhow::anyhow!("{amount}: {e}"))
    };
    let now = entities::time::now();
    for (position, (code, name, personal, price)) in DEMO_CHANNELS.into_iter().enumerate() {
        let exists = channel_kind::Entity::find()
            .filter(channel_kind::Column::TenantId.eq(tenant_id))
            .filter(channel_kind::Column::Code.eq(code))
            .one(db)
            .await?
            .is_some();
        if !exists {
            channel_kind::ActiveModel {
                tenant_id: Set(tenant_id),
                code: Set(code.into()),
                name: Set(name.into()),
                personal: Set(personal),
                monthly_price_minor: Set(minor(price)?),
                active: Set(true),
                position: Set(position as i32),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    for (code, coins, price) in DEMO_COIN_PACKAGES {
        let exists = coin_package::Entity::find()
            .filter(coin_package::Column::TenantId.eq(tenant_id))
            .filter(coin_package::Column::Code.eq(code))
            .one(db)
            .await?
            .is_some();
        if !exists {
            coin_package::ActiveModel {
                tenant_id: Set(tenant_id),
                code: Set(code.into()),
                coins: Set(coins),
                price_minor: Set(minor(price)?),
                active: Set(true),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

/// The brand's certification test and two free leads, once.
async fn ensure_leads_and_tests(
    db: &sea_orm::DatabaseConnection,
    t: &tenant::Model,
) -> anyhow::Result<()> {
    use entities::{certification_test, lead};
    use sea_orm::PaginatorTrait;
    let now = entities::time::now();
    let tests = certification_test::Entity::find()
        .filter(certification_test::Column::TenantId.eq(t.id))
        .count(db)
        .await?;
    if tests == 0 {
        demo_test(db, t, now).await?;
    }
    let leads = lead::Entity::find()
        .filter(lead::Column::TenantId.eq(t.id))
        .count(db)
        .await?;
    if leads == 0 {
        demo_leads(db, t, now).await?;
    }
    Ok(())
}

/// The brand's certification test: ten questions.
async fn demo_test(
    db: &sea_orm::DatabaseConnection,
    t: &tenant::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    use entities::certification_test;
    // Ten questions; the first option is the right one, except where two are.
    let qs: &[(&str, &[(&str, bool)])] = &[
        (
            "What is a line?",
            &[
                ("A subscription that bundles messaging channels", true),
                ("A phone number", false),
                ("A chat", false),
            ],
        ),
        (
            "How long is a line bought for at least?",
            &[("One month", true), ("One day", false), ("One week", false)],
        ),
        (
            "Which channels connect by QR code?",
            &[
                ("WhatsApp", true),
                ("Email", false),
                ("Telegram personal", true),
            ],
        ),
        (
            "What does an NFR line cost the partner?",
            &[
                ("Nothing", true),
                ("Half price", false),
                ("The full price", false),
            ],
        ),
        (
            "When is an NFR line renewed?",
            &[
                ("After a paid client invoice in the last two months", true),
                ("Never", false),
                ("Every week", false),
            ],
        ),
        (
            "Who may log in as a client?",
            &[
                ("A partner the client gave access to", true),
                ("Any partner", false),
                ("Nobody", false),
            ],
        ),
        (
            "What does a referral link do?",
            &[
                ("Attaches the client who signs up to the partner", true),
                ("Gives a discount to anyone", false),
                ("Nothing", false),
            ],
        ),
        (
            "Where do partner rewards go?",
            &[
                (
                    "To the partner's balance, withdrawable after the hold",
                    true,
                ),
                ("To the client", false),
                ("Nowhere", false),
            ],
        ),
        (
            "What is the smallest withdrawal?",
            &[("5000 RUB", true), ("1 RUB", false), ("100000 RUB", false)],
        ),
        (
            "What does releasing a lead do?",
            &[
                ("Returns it to free leads for other partners", true),
                ("Deletes it", false),
                ("Closes it as a failure", false),
            ],
        ),
    ];
    let questions: Vec<serde_json::Value> = qs
        .iter()
        .enumerate()
        .map(|(i, (text, options))| {
            let id = format!("Q{}", i + 1);
            let opts: Vec<serde_json::Value> = options
                .iter()
                .enumerate()
                .map(|(j, (o, _))| serde_json::json!({ "id": format!("{id}{}", (b'A' + j as u8) as char), "text": o }))
                .collect();
            let correct: Vec<String> = options
                .iter()
                .enumerate()
                .filter(|(_, (_, right))| *right)
                .map(|(j, _)| format!("{id}{}", (b'A' + j as u8) as char))
                .collect();
            serde_json::json!({ "id": id, "text": text, "options": opts, "correct": correct })
        })
        .collect();
    certification_test::ActiveModel {
        tenant_id: Set(t.id),
        title: Set(format!("{} basics", t.display_name)),
        topic: Set("platform".into()),
        description: Set(Some(
            "Lines, channels, partner links, rewards and leads.".into(),
        )),
        questions: Set(serde_json::Value::from(questions).to_string()),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Two free leads.
async fn demo_leads(
    db: &sea_orm::DatabaseConnection,
    t: &tenant::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    use entities::lead;
    for (name, phone, company, task, features) in [
        (
            "Irina Sokolova",
            "+79161234567",
            "Flower Shop",
            "Answer WhatsApp and Instagram from amoCRM",
            r#"["whatsapp","instagram","amocrm"]"#,
        ),
        (
            "Oleg Ivanov",
            "+79267654321",
            "Auto Parts 24",
            "Telegram bot for orders and a shared inbox",
            r#"["telegram","bitrix24"]"#,
        ),
    ] {
        let txn = resolvers::txn::begin(db).await?;
        let number = domain::kernel::counters::next(&txn, t.id, domain::kernel::counters::LEAD)
            .await
            .map_err(|e| anyhow::anyhow!("lead number: {e:?}"))?;
        lead::ActiveModel {
            tenant_id: Set(t.id),
            lead_number: Set(number),
            contact_name: Set(name.into()),
            phone: Set(phone.into()),
            email: Set(format!(
                "{}@lead.example",
                name.split(' ').next().unwrap_or("lead").to_lowercase()
            )),
            company: Set(Some(company.into())),
            task: Set(task.into()),
            features: Set(features.into()),
            country: Set(Some("RU".into())),
            language: Set(Some("ru".into())),
            addressed_partner_id: Set(None),
            partner_id: Set(None),
            status: Set(entities::lead::LeadStatus::New),
            taken_by: Set(None),
            taken_at: Set(None),
            closed_at: Set(None),
            client_ip: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
    }
    Ok(())
}

/// Prints how to reach and sign in to each demo tenant.
pub fn print(info: &DemoInfo, cfg: &Config) {
    let port = cfg.bind_addr.port();
    println!(
        "\nDemo tenants (password of every demo account: {DEMO_PASSWORD})\n\
         \x20 root tenant \"Partner Gateway\": http://localhost:{port}/graphql\n\
         \x20     partner (OFFICIAL, listed): {ROOT_DEMO_EMAIL}; referral code {root_referral}, service-manager code {root_sm}\n\
         \x20     its clients: anna@, boris@, clara@client.example; staff: the platform admin (BOOTSTRAP_ADMIN_EMAIL)\n\
         \x20 white-label \"Acme Messaging\":  http://{host}:{port}/graphql\n\
         \x20     sign in as {ACME_ADMIN_EMAIL} (tenant admin)\n\
         \x20     partner (GOLD, listed): {ACME_PARTNER_EMAIL}; referral code {referral}, service-manager code {sm}\n\
         \x20     the partner's clients (lines active, expiring in 3 and 20 days, expired):\n\
         \x20       anna@client.example, boris@client.example, clara@client.example\n\
         \x20     if {host} does not resolve: curl -H 'Host: {host}' http://127.0.0.1:{port}/graphql\n\
         \x20 euro brand \"EuroChat\" (EUR, SEPA payouts, its own price ladders, German): http://{eu_host}:{port}/graphql\n\
         \x20     sign in as {EU_ADMIN_EMAIL} (tenant admin) or {EU_PARTNER_EMAIL} (GOLD partner with clients and lines)\n\
         \x20 leads: two free leads and a certification test on each brand (freeLeads, takeLead,\n\
         \x20     certificationTests, startCertificationAttempt; docs/leads.md walks through them)\n\
         \x20 card payments (local servers, no card is charged): the root brand and Acme by YooKassa\n\
         \x20     (the platform's shop, Acme's own), EuroChat by Stripe into its own account\n\
         \x20 email goes to: {mail} (set SMTP_URL for a mail server)\n\
         \x20 the bell, live: subscription {{ notificationAdded {{ title }} }} over ws://<host>:{port}/graphql (graphql-transport-ws)\n",
        mail = match &cfg.smtp_url {
            Some(url) => domain::kernel::mail::without_password(&url.0),
            None => cfg
                .mail_dir
                .clone()
                .unwrap_or_else(|| cfg.data_dir.join("mail"))
                .join("*.eml")
                .display()
                .to_string(),
        },
        host = info.acme_host,
        eu_host = info.eu_host,
        referral = info.referral_code,
        sm = info.service_manager_code,
        root_referral = info.root_referral_code,
        root_sm = info.root_service_manager_code,
    );
}

/// Gives each demo brand a Telegram bot on the local Bot API server (updates by polling,
/// as a laptop has no public webhook URL).
pub async fn telegram_bots(
    state: &AppState,
    local: &crate::dev::local_telegram::LocalTelegram,
) -> anyhow::Result<()> {
    use entities::telegram_bot;
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let tenants = entities::tenant::Entity::find()
        .all(&state.services.db)
        .await?;
    for t in tenants {
        let token = format!("{}00:demo-{}", t.id, t.slug);
        let username = format!("{}_demo_bot", t.slug.replace('-', "_"));
        local.add_bot(&token, &username);
        telegram_bot::Entity::insert(telegram_bot::ActiveModel {
            tenant_id: Set(t.id),
            bot_token: Set(token),
            username: Set(username),
            webhook_secret: Set(tenants::tokens::random_token()),
            use_webhook: Set(false),
            update_offset: Set(0),
            updated_at: Set(entities::time::now()),
            ..Default::default()
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(telegram_bot::Column::TenantId)
                .update_columns([
                    telegram_bot::Column::BotToken,
                    telegram_bot::Column::Username,
                    telegram_bot::Column::UpdateOffset,
                ])
                .to_owned(),
        )
        .exec(&state.services.db)
        .await?;
    }
    Ok(())
}
