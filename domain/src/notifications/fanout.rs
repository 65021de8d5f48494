//! Fan-out: each domain event becomes one bell item per recipient and one outbox message
//! per recipient and channel, as the recipients' settings say.
//!
//! Events are claimed in id order with `FOR UPDATE SKIP LOCKED` on PostgreSQL (several
//! instances fan out different events, never the same one twice; on SQLite the write
//! transaction serialises the one instance). The items and messages are written and the
//! event marked processed in one transaction; the unique keys (`event_id, user_id` on
//! bell items, `<event>:<user>:<channel>` on messages) make a second attempt write
//! nothing again.
//!
//! Recipients (SPEC §8): partner events go to the members of the partner's organization
//! whom the policy lets be told (`ReceivePartnerNotice`: money events to owners and user
//! admins, the rest to every member); client events to the client. A line's events go to
//! its owner and to the members of the partner the owner is attached to. A free lead goes
//! to the members of every approved partner but the one that released it; a lead
//! addressed to a partner to that partner's members (both lists are opt-in). A brand's
//! custom-domain notices go to the brand's admins (`receives_tenant_notice`) and, for a
//! reseller's brand, to the owners of its organization on the brand they live on, with
//! that brand's mail and links (`?brand=<slug>` names the brand the page administers).

use super::kinds::{Channel, NotificationKind};
use super::messages::{Message, write_message};
use super::settings;
use std::collections::HashMap;

use crate::kernel::emails;
use crate::kernel::error::ApiResult;
use crate::kernel::i18n;
use crate::kernel::links::tenant_url;
pub use crate::kernel::live::Rang;
use crate::kernel::services::{Services, Settings};
use crate::kernel::sql::statement;
use crate::notifications::recipients::{Facts, brand_owners, facts, recipients};
use crate::notifications::texts::{Words, words};
use chrono::{DateTime, Utc};
use entities::{domain_event, notification, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TryInsertResult,
};
use serde_json::Value;
use tenants::scope::scoped;
use tenants::{TenantInfo, TenantRegistry};

/// Events claimed per transaction.
const BATCH: u64 = 200;

/// What one fan-out did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FannedOut {
    pub events: u64,
    pub bell: Vec<Rang>,
    pub messages: u64,
}

/// Fans out every pending event, a batch per transaction; what was written.
pub async fn run(svc: &Services) -> ApiResult<FannedOut> {
    let mut total = FannedOut::default();
    loop {
        let batch = run_batch(svc).await?;
        let done = batch.events < BATCH;
        total.events += batch.events;
        total.messages += batch.messages;
        total.bell.extend(batch.bell);
        if done {
            return Ok(total);
        }
    }
}

async fn run_batch(svc: &Services) -> ApiResult<FannedOut> {
    let now = svc.clock.now();
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let skip_locked = crate::kernel::sql::skip_locked(&txn);
    let ids: Vec<i64> = txn
        .query_all_raw(statement(
            &txn,
            &format!(
                "SELECT id FROM domain_events WHERE processed_at IS NULL ORDER BY id LIMIT {BATCH}{skip_locked}"
            ),
            vec![],
        ))
        .await?
        .iter()
        .map(|r| r.try_get::<i64>("", "id"))
        .collect::<Result<_, _>>()?;
    let mut out = FannedOut::default();
    if ids.is_empty() {
        return Ok(out);
    }
    let events = domain_event::Entity::find()
        .filter(domain_event::Column::Id.is_in(ids.clone()))
        .all(&txn)
        .await?;
    for ev in &events {
        fan_out_one(&txn, &svc.registry, &svc.settings, ev, now, &mut out).await?;
    }
    domain_event::Entity::update_many()
        .col_expr(domain_event::Column::ProcessedAt, Expr::value(now))
        .filter(domain_event::Column::Id.is_in(ids))
        .exec(&txn)
        .await?;
    // Open sockets hear of the new items when, and only if, this commits.
    svc.live.notify_in(&txn, &out.bell).await?;
    let backend = txn.get_database_backend();
    txn.commit().await?;
    svc.live.after_commit(backend, &out.bell);
    out.events = events.len() as u64;
    Ok(out)
}

async fn fan_out_one(
    db: &impl ConnectionTrait,
    registry: &TenantRegistry,
    settings: &Settings,
    ev: &domain_event::Model,
    now: DateTime<Utc>,
    out: &mut FannedOut,
) -> ApiResult<()> {
    let Some(kind) = NotificationKind::for_event(&ev.kind) else {
        return Ok(());
    };
    let Some(tenant) = registry.by_id(ev.tenant_id) else {
        return Ok(());
    };
    let payload: Value = serde_json::from_str(&ev.payload).unwrap_or_default();
    let f = facts(db, ev.tenant_id, &payload).await?;
    let to: Vec<i64> = recipients(db, kind, &f, ev.tenant_id, &payload)
        .await?
        .into_iter()
        .collect();
    let about = About {
        ev,
        kind,
        facts: &f,
        payload: &payload,
        brand: &tenant,
    };
    deliver(db, settings, &about, &tenant, &to, now, out).await?;
    // A reseller's brand is administered by its organization's owners, who live on
    // another brand: they are told there, in their own bell, mail and Telegram.
    if kind == NotificationKind::CustomDomain
        && let Some((home, owners)) = brand_owners(db, &tenant.model).await?
        && let Some(home) = registry.by_id(home)
    {
        deliver(db, settings, &about, &home, &owners, now, out).await?;
    }
    Ok(())
}

/// The event being told, and the brand it happened on.
struct About<'a> {
    ev: &'a domain_event::Model,
    kind: NotificationKind,
    facts: &'a Facts,
    payload: &'a Value,
    brand: &'a TenantInfo,
}

/// Writes the bell items and messages for the recipients `to`, accounts of the brand
/// `home` (the event's own brand, or the one a reseller's owners live on): their bell,
/// their brand's mail and links.
async fn deliver(
    db: &impl ConnectionTrait,
    settings: &Settings,
    a: &About<'_>,
    home: &TenantInfo,
    to: &[i64],
    now: DateTime<Utc>,
    out: &mut FannedOut,
) -> ApiResult<()> {
    if to.is_empty() {
        return Ok(());
    }
    let (ev, kind) = (a.ev, a.kind);
    let switches = settings::of_users(db, to).await?;
    let users = scoped::<user::Entity>(home.id())
        .filter(user::Column::Id.is_in(to.to_vec()))
        .all(db)
        .await?;
    // Each recipient reads it in their own language: worded once per language.
    let mut worded: HashMap<&str, (Words, String)> = HashMap::new();
    let chats = super::telegram::chats_of(db, home.id(), to).await?;
    for u in users {
        let Some(sw) = switches.get(&u.id) else {
            continue;
        };
        let lang = i18n::supported(&u.language);
        let (w, link) = worded.entry(lang).or_insert_with(|| {
            let mut w = words(lang, kind, &ev.kind, a.facts, a.payload, ev.created_at);
            if home.id() != a.brand.id() {
                // The page that administers that brand, on the brand they sign in to.
                w.path = format!("{}?brand={}", w.path, a.brand.model.slug);
            }
            let link = tenant_url(settings, home, &w.path);
            (w, link)
        });
        let (w, link) = (&*w, link.as_str());
        if sw.on(kind, Channel::Bell) {
            let written = notification::Entity::insert(notification::ActiveModel {
                tenant_id: Set(home.id()),
                user_id: Set(u.id),
                kind: Set(kind.as_str().into()),
                payload: Set(ev.payload.clone()),
                created_at: Set(now),
                read_at: Set(None),
                event_id: Set(Some(ev.id)),
                title: Set(w.title.clone()),
                body: Set(w.lines.join("\n")),
                link: Set(Some(link.to_string())),
                ..Default::default()
            })
            .on_conflict_do_nothing_on([
                notification::Column::EventId,
                notification::Column::UserId,
            ])
            .exec(db)
            .await?;
            if matches!(written, TryInsertResult::Inserted(_)) {
                out.bell.push(Rang {
                    tenant_id: home.id(),
                    user_id: u.id,
                });
            }
        }
        if sw.on(kind, Channel::Email)
            && email(db, settings, home, ev, kind, &u, w, link, now).await?
        {
            out.messages += 1;
        }
        if let Some(chat) = chats.get(&u.id)
            && sw.on(kind, Channel::Telegram)
            && super::telegram::enqueue(db, ev, kind, &u, chat, &w.title, &w.lines, link, now)
                .await?
        {
            out.messages += 1;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub async fn email(
    db: &impl ConnectionTrait,
    settings: &Settings,
    tenant: &TenantInfo,
    ev: &domain_event::Model,
    kind: NotificationKind,
    u: &user::Model,
    w: &Words,
    link: &str,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    let body: Vec<&str> = w.lines.iter().map(String::as_str).collect();
    let lang = i18n::supported(&u.language);
    let mail = emails::branded(
        tenant,
        lang,
        kind.as_str(),
        &u.email,
        &w.title,
        &body,
        (&i18n::t(lang, "email-open"), link),
    );
    write_message(
        db,
        ev,
        kind,
        u.id,
        Channel::Email,
        Message {
            tenant_id: u.tenant_id,
            recipient: u.email.clone(),
            sender: emails::sender(settings, tenant),
            reply_to: emails::reply_to(tenant),
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
        },
        now,
    )
    .await
}
