//! `gen-data`: a deterministic large data set on the configured database (SPEC §12), for
//! benchmarks: 3 tenants (`gen-a`, `gen-b`, `gen-c`, each with the demo price list), 200
//! approved partners, 20,000 clients with an organization each, 60,000 lines, 180,000 line
//! channels, and a year of paid orders (one renewal per line, paid by invoice or card,
//! with the partner's reward when the client paid).
//!
//! The same rows every time: names, countries, dates and amounts come from the row's
//! index through a fixed mixing function, dates relative to today (midnight UTC) so the
//! line states stay meaningful. Everything is written in one transaction with explicit
//! ids in batches of multi-row inserts; a second run finds `gen-a` and changes nothing.
//!
//! The first partner of `gen-a` (`owner0@partners.gen.example`) has 400 clients (1,200
//! lines) for large quotes; the others have about 100 each. Every generated account's
//! password is [`GEN_PASSWORD`]. No domain events are written (a year of them would be
//! replayed as notifications).

use std::time::Instant;

use chrono::{DateTime, Duration, Months, Utc};
use entities::{
    channel_kind, consent, line, line_channel, order, order_item, organization,
    organization_member, partner, partner_client, partner_ledger_entry, payment, tenant, user,
};
use resolvers::tenancy::setup::{NewTenant, TenantFields, insert_tenant};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};

use crate::AppState;

/// The password of every generated account.
pub const GEN_PASSWORD: &str = "gen-data-password";
/// Tenants, partners, clients, lines per client, channels per line.
pub const TENANTS: [&str; 3] = ["gen-a", "gen-b", "gen-c"];
pub const PARTNERS: usize = 200;
pub const CLIENTS: usize = 20_000;
pub const LINES_PER_CLIENT: usize = 3;
pub const CHANNELS_PER_LINE: usize = 3;
/// The clients of the first partner (the large one).
pub const BIG_PARTNER_CLIENTS: usize = 400;

const BATCH: usize = 1000;
const COUNTRIES: [&str; 5] = ["RU", "KZ", "BY", "UZ", "AM"];
const FIRST: [&str; 8] = [
    "Anna", "Boris", "Clara", "Dmitry", "Elena", "Fedor", "Galina", "Ivan",
];
const LAST: [&str; 8] = [
    "Ivanova",
    "Petrov",
    "Sidorova",
    "Smirnov",
    "Kuznetsova",
    "Popov",
    "Volkova",
    "Orlov",
];
const TIERS: [&str; 3] = ["OFFICIAL", "GOLD", "TECHNOLOGY"];

/// A fixed mixing of `n` (splitmix64): the same input, the same "random" number.
fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Which partner client `c` belongs to.
pub fn partner_of(c: usize) -> usize {
    if c < BIG_PARTNER_CLIENTS {
        0
    } else {
        1 + (c - BIG_PARTNER_CLIENTS) % (PARTNERS - 1)
    }
}

/// Which tenant (index into [`TENANTS`]) partner `p` is on.
pub fn tenant_of(p: usize) -> usize {
    p % TENANTS.len()
}

/// The email of partner `p`'s owner.
pub fn partner_email(p: usize) -> String {
    format!("owner{p}@partners.gen.example")
}

/// The next free id of `table` (explicit ids let one batch reference another).
async fn next_id(db: &impl ConnectionTrait, table: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COALESCE(MAX(id), 0) FROM {table}"),
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no answer from {table}"))?;
    Ok(row.try_get_by_index::<i64>(0)? + 1)
}

async fn insert_all<A>(db: &impl ConnectionTrait, rows: Vec<A>) -> anyhow::Result<()>
where
    A: ActiveModelTrait + Clone + Send,
{
    for chunk in rows.chunks(BATCH) {
        A::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Generates the data set unless it is there. Returns what it did, for the log.
pub async fn run(state: &AppState) -> anyhow::Result<String> {
    let svc = &state.services;
    let db = &svc.db;
    if tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(TENANTS[0]))
        .one(db)
        .await?
        .is_some()
    {
        return Ok(format!(
            "the generated data set is already here (tenant {}); nothing to do",
            TENANTS[0]
        ));
    }
    let started = Instant::now();
    let today = entities::time::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc())
        .unwrap_or_else(entities::time::now);
    let hash = resolvers::password::hash(GEN_PASSWORD.into())
        .await
        .map_err(|e| anyhow::anyhow!("hashing: {e:?}"))?;
    let txn = db.begin().await?;

    // Tenants with the demo price list.
    let mut tenants: Vec<tenant::Model> = Vec::new();
    for slug in TENANTS {
        let (t, _) = insert_tenant(
            &txn,
            &svc.settings,
            NewTenant {
                slug: slug.into(),
                display_name: format!("Generated {slug}"),
                is_root: false,
                owner_organization_id: None,
                input: TenantFields {
                    currency: Some("RUB".into()),
                    ..TenantFields::new(slug, &format!("Generated {slug}"))
                },
            },
            &[],
        )
        .await
        .map_err(|e| anyhow::anyhow!("creating tenant {slug}: {e:?}"))?;
        crate::dev::demo::ensure_catalogue(&txn, &t).await?;
        tenants.push(t);
    }
    let mut kinds: Vec<Vec<channel_kind::Model>> = Vec::new();
    for t in &tenants {
        kinds.push(
            channel_kind::Entity::find()
                .filter(channel_kind::Column::TenantId.eq(t.id))
                .order_by_asc(channel_kind::Column::Position)
                .all(&txn)
                .await?,
        );
    }

    let (user0, org0, member0, partner0, link0, consent0) = (
        next_id(&txn, "users").await?,
        next_id(&txn, "organizations").await?,
        next_id(&txn, "organization_members").await?,
        next_id(&txn, "partners").await?,
        next_id(&txn, "partner_clients").await?,
        next_id(&txn, "consents").await?,
    );
    let (line0, channel0, order0, item0, payment0, ledger0) = (
        next_id(&txn, "lines").await?,
        next_id(&txn, "line_channels").await?,
        next_id(&txn, "orders").await?,
        next_id(&txn, "order_items").await?,
        next_id(&txn, "payments").await?,
        next_id(&txn, "partner_ledger_entries").await?,
    );
    let mut account = [100_000i64; 3];
    let mut line_no = [10_000i64; 3];
    let mut order_no = [1_000i64; 3];
    let mut invoice_no = [0i64; 3];

    let mut users = Vec::new();
    let mut orgs = Vec::new();
    let mut members = Vec::new();
    let user_row = |id: i64,
                    t: usize,
                    acc: i64,
                    email: String,
                    name: String,
                    phone: Option<String>,
                    country: &str,
                    at: DateTime<Utc>| user::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenants[t].id),
        account_number: Set(acc),
        email: Set(email),
        phone: Set(phone),
        password_hash: Set(Some(hash.clone())),
        display_name: Set(name),
        is_platform_admin: Set(false),
        is_tenant_admin: Set(false),
        // The generated people speak their brand's language.
        language: Set(tenants[t].default_language.clone()),
        country: Set(Some(country.into())),
        email_verified_at: Set(Some(at)),
        created_at: Set(at),
        updated_at: Set(at),
    };
    let org_row =
        |id: i64, t: usize, name: String, country: &str, by: i64, at| organization::ActiveModel {
            id: Set(id),
            tenant_id: Set(tenants[t].id),
            name: Set(name),
            country: Set(Some(country.into())),
            timezone: Set("Europe/Moscow".into()),
            language: Set("ru".into()),
            created_by: Set(Some(by)),
            created_at: Set(at),
            updated_at: Set(at),
        };
    let member_row =
        |id: i64, t: usize, org: i64, user: i64, at| organization_member::ActiveModel {
            id: Set(id),
            tenant_id: Set(tenants[t].id),
            organization_id: Set(org),
            user_id: Set(user),
            role: Set(entities::OrgRole::Owner),
            created_at: Set(at),
            updated_at: Set(at),
        };

    // Partners: an owner account, the partner's organization, the partner.
    let joined = today - Duration::days(400);
    let mut partners = Vec::new();
    for p in 0..PARTNERS {
        let t = tenant_of(p);
        let (uid, oid) = (user0 + p as i64, org0 + p as i64);
        account[t] += 1;
        let name = format!("Integrator {p}");
        users.push(user_row(
            uid,
            t,
            account[t],
            partner_email(p),
            format!("Owner of {name}"),
            Some(format!("+7900{p:07}")),
            "RU",
            joined,
        ));
        orgs.push(org_row(oid, t, name.clone(), "RU", uid, joined));
        members.push(member_row(member0 + p as i64, t, oid, uid, joined));
        // Unique by the partner's number; the rest looks like a real code (the same
        // alphabet, 8 characters of 5 bits each from one mixed number).
        let code = |salt: u64| -> String {
            const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
            let x = mix(p as u64 * 2 + salt);
            (0..8)
                .map(|i| ALPHABET[((x >> (5 * i)) & 31) as usize] as char)
                .collect()
        };
        partners.push(partner::ActiveModel {
            id: Set(partner0 + p as i64),
            tenant_id: Set(tenants[t].id),
            organization_id: Set(oid),
            status: Set(partner::STATUS_APPROVED),
            tier: Set(Some(TIERS[p % TIERS.len()].into())),
            rejection_reason: Set(None),
            applied_by: Set(Some(uid)),
            reviewed_by: Set(None),
            reviewed_at: Set(Some(joined)),
            contact_name: Set(format!("Owner of {name}")),
            contact_email: Set(partner_email(p)),
            contact_phone: Set(None),
            crm_certificate_url: Set(None),
            referral_code: Set(format!("G{p:03}{}", code(1))),
            service_manager_code: Set(format!("S{p:03}{}", code(2))),
            white_label_reseller: Set(false),
            listed: Set(p % 2 == 0),
            name: Set(name),
            description: Set(None),
            languages: Set(r#"["ru"]"#.into()),
            logo_url: Set(None),
            phone: Set(None),
            work_email: Set(None),
            city: Set(None),
            country: Set(Some("RU".into())),
            working_hours: Set(None),
            certificates: Set("[]".into()),
            website_url: Set(None),
            nfr_line_id: Set(None),
            created_at: Set(joined),
            updated_at: Set(joined),
        });
    }

    // Clients: an account, an organization, the link to the partner, consent.
    let mut links = Vec::new();
    let mut consents = Vec::new();
    for c in 0..CLIENTS {
        let p = partner_of(c);
        let t = tenant_of(p);
        let r = mix(c as u64 + 1_000_000);
        let (uid, oid) = (user0 + (PARTNERS + c) as i64, org0 + (PARTNERS + c) as i64);
        let name = format!(
            "{} {} {c}",
            FIRST[(r % 8) as usize],
            LAST[((r >> 8) % 8) as usize]
        );
        let country = COUNTRIES[((r >> 16) % COUNTRIES.len() as u64) as usize];
        let at = joined + Duration::days(((r >> 24) % 30) as i64);
        account[t] += 1;
        users.push(user_row(
            uid,
            t,
            account[t],
            format!("client{c}@clients.gen.example"),
            name.clone(),
            Some(format!("+7999{c:07}")),
            country,
            at,
        ));
        orgs.push(org_row(oid, t, format!("{name} LLC"), country, uid, at));
        members.push(member_row(member0 + (PARTNERS + c) as i64, t, oid, uid, at));
        links.push(partner_client::ActiveModel {
            id: Set(link0 + c as i64),
            tenant_id: Set(tenants[t].id),
            partner_id: Set(partner0 + p as i64),
            client_user_id: Set(uid),
            origin: Set(partner_client::ClientOrigin::Created),
            attached_by: Set(Some(user0 + p as i64)),
            attached_at: Set(at),
        });
        consents.push(consent::ActiveModel {
            id: Set(consent0 + c as i64),
            tenant_id: Set(tenants[t].id),
            partner_id: Set(Some(partner0 + p as i64)),
            client_user_id: Set(Some(uid)),
            granted_at: Set(at),
            granted_by: Set(Some(user0 + p as i64)),
            revoked_at: Set(None),
            revoked_by: Set(None),
            partner_name: Set(Some(format!("Integrator {p}"))),
        });
    }
    let counts_people = (users.len(), orgs.len());
    insert_all(&txn, users).await?;
    insert_all(&txn, orgs).await?;
    insert_all(&txn, members).await?;
    insert_all(&txn, partners).await?;
    insert_all(&txn, links).await?;
    insert_all(&txn, consents).await?;

    // Lines, their channels, and one paid renewal per line within the last year.
    let mut lines = Vec::new();
    let mut channels = Vec::new();
    let mut orders = Vec::new();
    let mut items = Vec::new();
    let mut payments = Vec::new();
    let mut ledger = Vec::new();
    for c in 0..CLIENTS {
        let p = partner_of(c);
        let t = tenant_of(p);
        let tn = &tenants[t];
        let uid = user0 + (PARTNERS + c) as i64;
        let oid = org0 + (PARTNERS + c) as i64;
        for k in 0..LINES_PER_CLIENT {
            let n = c * LINES_PER_CLIENT + k;
            let r = mix(n as u64 + 7_000_000);
            let lid = line0 + n as i64;
            // From 60 days ago to 300 days ahead: every filter of the page has rows.
            let expires = today + Duration::days((r % 361) as i64 - 60) + Duration::hours(12);
            let months = [1u32, 3, 6, 12][((r >> 12) % 4) as usize];
            let paid_at = expires
                .checked_sub_months(Months::new(months))
                .unwrap_or(expires);
            let paid_at = paid_at.min(today - Duration::days(1));
            line_no[t] += 1;
            lines.push(line::ActiveModel {
                id: Set(lid),
                tenant_id: Set(tn.id),
                line_number: Set(line_no[t]),
                name: Set(format!("Line {}", line_no[t])),
                client_user_id: Set(uid),
                organization_id: Set(oid),
                space_id: Set(None),
                starts_at: Set(paid_at),
                expires_at: Set(expires),
                coin_balance: Set(((r >> 20) % 5000) as i64),
                waba_balance_minor: Set(0),
                nfr: Set(false),
                ended_at: Set(None),
                // Generated history: its notices count as sent, so a server started on
                // it does not mail thousands of made-up clients.
                expiring_notice_for: Set(Some(expires)),
                expired_notice_for: Set(Some(expires)),
                created_at: Set(paid_at),
                updated_at: Set(paid_at),
            });
            let mut kind_ids = Vec::new();
            let mut base = 0i64;
            for j in 0..CHANNELS_PER_LINE {
                let kind = &kinds[t][((r >> (24 + j * 3)) as usize + j) % kinds[t].len()];
                kind_ids.push(kind.id);
                base += kind.monthly_price_minor * months as i64;
                let status = match (r >> (40 + j)) % 10 {
                    0 => line_channel::ChannelStatus::Disconnected,
                    1 => line_channel::ChannelStatus::Pending,
                    _ => line_channel::ChannelStatus::Connected,
                };
                channels.push(line_channel::ActiveModel {
                    id: Set(channel0 + (n * CHANNELS_PER_LINE + j) as i64),
                    tenant_id: Set(tn.id),
                    line_id: Set(lid),
                    channel_kind_id: Set(kind.id),
                    status: Set(status),
                    paid: Set(true),
                    created_at: Set(paid_at),
                    updated_at: Set(paid_at),
                });
            }
            // The client pays list price (the partner earns its rate), or the partner pays
            // with its tier's discount.
            let by_partner = (r >> 50).is_multiple_of(3);
            let tier_bp = match p % TIERS.len() {
                0 => tn.partner_discount_official_bp,
                1 => tn.partner_discount_gold_bp,
                _ => tn.partner_discount_technology_bp,
            } as i64;
            let discount = if by_partner {
                base * tier_bp / 10_000
            } else {
                0
            };
            let total = base - discount;
            let reward = if by_partner {
                0
            } else {
                total * tn.reward_rate_created_bp as i64 / 10_000
            };
            let oid_ = order0 + n as i64;
            order_no[t] += 1;
            orders.push(order::ActiveModel {
                id: Set(oid_),
                tenant_id: Set(tn.id),
                order_number: Set(order_no[t]),
                client_user_id: Set(Some(uid)),
                partner_id: Set(Some(partner0 + p as i64)),
                payer: Set(if by_partner {
                    order::Payer::Partner
                } else {
                    order::Payer::Client
                }),
                status: Set(order::OrderStatus::Paid),
                currency: Set(tn.currency.clone()),
                base_minor: Set(base),
                discount_minor: Set(discount),
                total_minor: Set(total),
                partner_reward_minor: Set(reward),
                partner_rate_bp: Set(if by_partner {
                    0
                } else {
                    tn.reward_rate_created_bp
                }),
                created_by: Set(Some(if by_partner { user0 + p as i64 } else { uid })),
                created_while_impersonating: Set(false),
                expires_at: Set(paid_at + Duration::hours(72)),
                paid_at: Set(Some(paid_at)),
                cancelled_at: Set(None),
                refunded_at: Set(None),
                refunded_by: Set(None),
                refund_reason: Set(None),
                created_at: Set(paid_at),
                updated_at: Set(paid_at),
            });
            let discounts = if by_partner {
                serde_json::json!([{
                    "kind": "PARTNER",
                    "percent": rust_decimal::Decimal::new(tier_bp, 2).normalize().to_string(),
                    "amountMinor": discount,
                }])
                .to_string()
            } else {
                "[]".into()
            };
            items.push(order_item::ActiveModel {
                id: Set(item0 + n as i64),
                tenant_id: Set(tn.id),
                order_id: Set(oid_),
                position: Set(0),
                kind: Set(order_item::ItemKind::Renewal),
                line_id: Set(Some(lid)),
                quantity: Set(1),
                months: Set(Some(months as i32)),
                remaining_days: Set(None),
                channel_kind_ids: Set(serde_json::json!(kind_ids).to_string()),
                coin_package_id: Set(None),
                coins: Set(0),
                organization_id: Set(Some(oid)),
                space_id: Set(None),
                base_minor: Set(base),
                total_minor: Set(total),
                discounts: Set(discounts),
                applied: Set(None),
            });
            let card = (r >> 54).is_multiple_of(2);
            if !card {
                invoice_no[t] += 1;
            }
            payments.push(payment::ActiveModel {
                id: Set(payment0 + n as i64),
                tenant_id: Set(tn.id),
                order_id: Set(oid_),
                method: Set(if card {
                    payment::PaymentMethod::Card
                } else {
                    payment::PaymentMethod::Invoice
                }),
                status: Set(payment::PaymentStatus::Succeeded),
                amount_minor: Set(total),
                currency: Set(tn.currency.clone()),
                provider: Set(card.then(|| "stripe".to_string())),
                provider_ref: Set(card.then(|| format!("cs_gen_{}_{n}", tn.id))),
                checkout_url: Set(None),
                invoice_number: Set((!card).then_some(invoice_no[t])),
                payer_requisites: Set(None),
                created_by: Set(Some(if by_partner { user0 + p as i64 } else { uid })),
                confirmed_by: Set(None),
                failure_reason: Set(None),
                created_at: Set(paid_at),
                updated_at: Set(paid_at),
                completed_at: Set(Some(paid_at)),
                refund_requested_at: Set(None),
                refunded_at: Set(None),
                refund_ref: Set(None),
                checkout_closed_at: Set(None),
                payment_account_id: Set(None),
            });
            if reward > 0 {
                ledger.push(partner_ledger_entry::ActiveModel {
                    id: Set(ledger0 + ledger.len() as i64),
                    tenant_id: Set(tn.id),
                    partner_id: Set(partner0 + p as i64),
                    kind: Set(partner_ledger_entry::LedgerKind::Reward),
                    amount_minor: Set(reward),
                    currency: Set(tn.currency.clone()),
                    order_id: Set(Some(oid_)),
                    pot: Set(partner_ledger_entry::POT_REWARDS.into()),
                    withdrawal_id: Set(None),
                    reason: Set(None),
                    created_by: Set(None),
                    available_at: Set(paid_at + chrono::Duration::days(tn.reward_hold_days as i64)),
                    created_at: Set(paid_at),
                });
            }
        }
    }
    let counts = (
        lines.len(),
        channels.len(),
        orders.len(),
        payments.len(),
        ledger.len(),
    );
    insert_all(&txn, lines).await?;
    insert_all(&txn, channels).await?;
    insert_all(&txn, orders).await?;
    insert_all(&txn, items).await?;
    insert_all(&txn, payments).await?;
    insert_all(&txn, ledger).await?;

    // The tenants' counters continue after the generated numbers.
    for (t, tn) in tenants.iter().enumerate() {
        for (name, value) in [
            ("account", account[t]),
            ("line", line_no[t]),
            ("order", order_no[t]),
            ("invoice", invoice_no[t]),
        ] {
            txn.execute_raw(resolvers::sql::statement(
                &txn,
                "INSERT INTO tenant_counters (tenant_id, name, value) VALUES (?, ?, ?) \
                 ON CONFLICT (tenant_id, name) DO UPDATE SET value = excluded.value",
                vec![tn.id.into(), name.into(), value.into()],
            ))
            .await?;
        }
    }
    // PostgreSQL's sequences continue after the explicit ids.
    if txn.get_database_backend() == DbBackend::Postgres {
        for table in [
            "users",
            "organizations",
            "organization_members",
            "partners",
            "partner_clients",
            "consents",
            "lines",
            "line_channels",
            "orders",
            "order_items",
            "payments",
            "partner_ledger_entries",
        ] {
            txn.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .await?;
        }
    }
    txn.commit().await?;
    // The planner's statistics of what was just written: without them the first queries
    // plan lookups as sequential scans until autovacuum gets round to the tables, and a
    // benchmark run right after generating measures that instead of the product.
    db.execute_unprepared("ANALYZE").await?;
    svc.registry.changed(db).await?;
    Ok(format!(
        "generated {} tenants, {PARTNERS} partners, {CLIENTS} clients ({} accounts, {} organizations), \
         {} lines, {} channels, {} paid orders with {} payments and {} rewards in {:.1} s (analysed)",
        TENANTS.len(),
        counts_people.0,
        counts_people.1,
        counts.0,
        counts.1,
        counts.2,
        counts.3,
        counts.4,
        started.elapsed().as_secs_f64()
    ))
}
