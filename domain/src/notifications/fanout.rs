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
//! custom-domain notices go to the brand's admins (`receives_tenant_notice`).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use entities::{
    domain_event, line, notification, organization, organization_member, partner, partner_client,
    space, user,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TryInsertResult,
};
use serde_json::Value;
use tenants::policy::{Action, Standing, allows_member, receives_tenant_notice};
use tenants::scope::scoped;
use tenants::{TenantInfo, TenantRegistry};

use super::kinds::{Channel, NotificationKind};
use super::messages::{Message, write_message};
use super::settings;
use crate::kernel::emails;
use crate::kernel::error::ApiResult;
use crate::kernel::links::tenant_url;
use crate::kernel::services::{Services, Settings};
use crate::kernel::sql::statement;

/// Events claimed per transaction.
const BATCH: u64 = 200;

/// A bell item written by a fan-out: whom to push it to.
pub use crate::kernel::live::Rang;

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

/// What an event is about, loaded once.
#[derive(Default)]
struct Facts {
    client: Option<user::Model>,
    line: Option<line::Model>,
    organization: Option<organization::Model>,
    space: Option<space::Model>,
    partner: Option<partner::Model>,
}

fn id(payload: &Value, keys: &[&str]) -> Option<i64> {
    keys.iter()
        .find_map(|k| payload.get(*k).and_then(Value::as_i64))
}

async fn facts(db: &impl ConnectionTrait, tenant_id: i64, p: &Value) -> ApiResult<Facts> {
    let mut f = Facts::default();
    if let Some(lid) = id(p, &["lineId"]) {
        f.line = scoped::<line::Entity>(tenant_id)
            .filter(line::Column::Id.eq(lid))
            .one(db)
            .await?;
    }
    let client = id(p, &["clientId", "clientUserId"]).or(f.line.as_ref().map(|l| l.client_user_id));
    if let Some(cid) = client {
        f.client = scoped::<user::Entity>(tenant_id)
            .filter(user::Column::Id.eq(cid))
            .one(db)
            .await?;
    }
    let org = id(p, &["organizationId"]).or(f.line.as_ref().map(|l| l.organization_id));
    if let Some(oid) = org {
        f.organization = scoped::<organization::Entity>(tenant_id)
            .filter(organization::Column::Id.eq(oid))
            .one(db)
            .await?;
    }
    if let Some(sid) = id(p, &["spaceId"]).or(f.line.as_ref().and_then(|l| l.space_id)) {
        f.space = scoped::<space::Entity>(tenant_id)
            .filter(space::Column::Id.eq(sid))
            .one(db)
            .await?;
    }
    let partner_id = match id(p, &["partnerId"]) {
        Some(pid) => Some(pid),
        // A line's partner: the one its owner is attached to now.
        None => match (&f.line, &f.client) {
            (Some(_), Some(c)) => scoped::<partner_client::Entity>(tenant_id)
                .filter(partner_client::Column::ClientUserId.eq(c.id))
                .one(db)
                .await?
                .map(|link| link.partner_id),
            _ => None,
        },
    };
    if let Some(pid) = partner_id {
        f.partner = scoped::<partner::Entity>(tenant_id)
            .filter(partner::Column::Id.eq(pid))
            .one(db)
            .await?;
    }
    Ok(f)
}

/// Members of the partner's organization the policy lets be told of `kind`.
async fn partner_recipients(
    db: &impl ConnectionTrait,
    p: &partner::Model,
    kind: NotificationKind,
) -> ApiResult<Vec<i64>> {
    members_told(db, p.tenant_id, vec![p.organization_id], kind).await
}

/// Members of these organizations the policy lets be told of `kind`.
async fn members_told(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    orgs: Vec<i64>,
    kind: NotificationKind,
) -> ApiResult<Vec<i64>> {
    Ok(scoped::<organization_member::Entity>(tenant_id)
        .filter(organization_member::Column::OrganizationId.is_in(orgs))
        .all(db)
        .await?
        .into_iter()
        .filter(|m| {
            allows_member(Action::ReceivePartnerNotice {
                me: Standing {
                    org: Some(m.role),
                    space: None,
                },
                money: kind.money(),
            })
        })
        .map(|m| m.user_id)
        .collect())
}

/// A free lead: the members of every approved partner of the tenant, except the one that
/// just released it (who opted in: the lead lists are opt-in). One statement for every
/// partner's members.
async fn free_lead_recipients(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    payload: &Value,
) -> ApiResult<BTreeSet<i64>> {
    let except = id(payload, &["exceptPartnerId"]);
    let orgs: Vec<i64> = scoped::<partner::Entity>(tenant_id)
        .filter(partner::Column::Status.eq(partner::STATUS_APPROVED))
        .all(db)
        .await?
        .into_iter()
        .filter(|p| Some(p.id) != except)
        .map(|p| p.organization_id)
        .collect();
    Ok(
        members_told(db, tenant_id, orgs, NotificationKind::FreeLead)
            .await?
            .into_iter()
            .collect(),
    )
}

/// The brand's own notices: its admins, as the policy says.
async fn tenant_admins(db: &impl ConnectionTrait, tenant_id: i64) -> ApiResult<BTreeSet<i64>> {
    Ok(scoped::<user::Entity>(tenant_id)
        .filter(user::Column::IsTenantAdmin.eq(true))
        .all(db)
        .await?
        .into_iter()
        .filter(|u| receives_tenant_notice(u, tenant_id))
        .map(|u| u.id)
        .collect())
}

async fn recipients(
    db: &impl ConnectionTrait,
    kind: NotificationKind,
    f: &Facts,
    tenant_id: i64,
    payload: &Value,
) -> ApiResult<BTreeSet<i64>> {
    use NotificationKind::*;
    match kind {
        FreeLead => return free_lead_recipients(db, tenant_id, payload).await,
        CustomDomain => return tenant_admins(db, tenant_id).await,
        _ => {}
    }
    let mut out = BTreeSet::new();
    let to_client = matches!(
        kind,
        LineExpiring
            | LineExpired
            | ChannelStatusChanged
            | ConsentGranted
            | ConsentRevoked
            | ImpersonationStarted
            | OrderPaid
            | PaymentRefunded
    );
    let to_partner = !matches!(kind, ImpersonationStarted);
    if to_client && let Some(c) = &f.client {
        out.insert(c.id);
    }
    if to_partner && let Some(p) = &f.partner {
        out.extend(partner_recipients(db, p, kind).await?);
    }
    Ok(out)
}

/// The words of a notification: title, body lines and where to look.
struct Words {
    title: String,
    lines: Vec<String>,
    path: String,
}

fn money(minor: Option<i64>, currency: &str) -> String {
    let Some(minor) = minor else {
        return String::new();
    };
    format!(
        "{} {currency}",
        entities::money::from_minor(minor, currency)
    )
}

/// Whole days from `at` to `until`, a started day counting as one.
fn days_left(at: DateTime<Utc>, until: DateTime<Utc>) -> i64 {
    ((until - at).num_minutes().max(0) + 1439) / 1440
}

/// A custom domain's notice: what happened to it and what to do.
fn domain_words(event: &str, p: &Value) -> (String, Vec<String>) {
    use crate::kernel::events::kind as ev;
    let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or_default();
    let host = s("host");
    let record = format!("TXT {} = \"{}\"", s("recordName"), s("recordValue"));
    let found = format!("Last check: {}", s("lastError"));
    match event {
        ev::DOMAIN_VERIFIED => (
            format!("Domain {host} is verified"),
            vec![format!(
                "{host} now serves your brand; make it primary to use it in links and emails."
            )],
        ),
        ev::DOMAIN_VERIFICATION_FAILED => (
            format!("Domain {host} could not be verified"),
            vec![
                found,
                format!("Create the record {record}, then check the domain again."),
            ],
        ),
        ev::DOMAIN_EXPIRED => (
            format!("Domain {host} no longer serves your brand"),
            vec![
                found,
                format!(
                    "Its verification record was wrong or missing for {} days in a row. \
                     Restore the record {record}, then check the domain again.",
                    crate::tenancy::domains::EXPIRE_AFTER.num_days()
                ),
            ],
        ),
        _ => (
            format!("The verification record of {host} is missing"),
            vec![
                found,
                format!(
                    "The domain still serves your brand. Restore the record {record} within {} \
                     days, or it stops serving it.",
                    crate::tenancy::domains::EXPIRE_AFTER.num_days()
                ),
            ],
        ),
    }
}

fn words(kind: NotificationKind, event: &str, f: &Facts, p: &Value, at: DateTime<Utc>) -> Words {
    use NotificationKind::*;
    let s = |k: &str| {
        p.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let line_no = f
        .line
        .as_ref()
        .map(|l| l.line_number)
        .or(id(p, &["lineNumber"]))
        .unwrap_or_default();
    let partner_name = f
        .partner
        .as_ref()
        .map(|p| p.name.clone())
        .unwrap_or_else(|| s("partnerName"));
    let mut lines = Vec::new();
    if let Some(c) = &f.client {
        lines.push(format!("Client: account {}, {}", c.account_number, c.email));
    }
    if let Some(l) = &f.line {
        lines.push(format!(
            "Line {} \"{}\", until {}",
            l.line_number,
            l.name,
            l.expires_at.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    if let Some(o) = &f.organization {
        lines.push(format!("Organization: {}", o.name));
    }
    if let Some(sp) = &f.space {
        lines.push(format!("Space: {}", sp.name));
    }
    let line_path = format!("/lines/{line_no}");
    let (title, path) = match kind {
        LineExpiring => {
            let days = f
                .line
                .as_ref()
                .map(|l| days_left(at, l.expires_at))
                .unwrap_or(super::notices::WINDOW_DAYS);
            let unit = if days == 1 { "day" } else { "days" };
            (
                format!("Line {line_no} expires in {days} {unit}"),
                line_path,
            )
        }
        LineExpired => (format!("Line {line_no} has expired"), line_path),
        ChannelStatusChanged => {
            let channel = s("channelKind");
            lines.insert(0, format!("{} -> {}", s("from"), s("to")));
            (
                format!("Channel {channel} of line {line_no} is now {}", s("to")),
                line_path,
            )
        }
        ClientAttached => (
            "A client joined you".to_string(),
            "/partner/clients".to_string(),
        ),
        ClientDetached => (
            "A client left you".to_string(),
            "/partner/clients".to_string(),
        ),
        ConsentGranted => (
            format!("Access granted to {partner_name}"),
            "/partner/clients".to_string(),
        ),
        ConsentRevoked => (
            format!("Access of {partner_name} revoked"),
            "/partner/clients".to_string(),
        ),
        ImpersonationStarted => {
            let reason = s("reason");
            if !reason.is_empty() {
                lines.push(format!("Reason: {reason}"));
            }
            lines.push(format!("Until: {}", s("until")));
            (
                format!("{partner_name} logged in to your account"),
                "/settings/partner".to_string(),
            )
        }
        WithdrawalStateChanged => {
            let amount = money(id(p, &["amountMinor"]), &s("currency"));
            lines.insert(0, format!("Amount: {amount}"));
            let reason = s("reason");
            if !reason.is_empty() {
                lines.push(format!("Reason: {reason}"));
            }
            (
                format!(
                    "Withdrawal {} is {}",
                    id(p, &["withdrawalNumber"]).unwrap_or_default(),
                    s("to")
                ),
                "/partner/withdrawals".to_string(),
            )
        }
        OrderPaid => {
            let number = id(p, &["orderNumber"]).unwrap_or_default();
            lines.insert(
                0,
                format!("Total: {}", money(id(p, &["totalMinor"]), &s("currency"))),
            );
            (
                format!("Order {number} is paid"),
                format!("/orders/{number}"),
            )
        }
        PaymentRefunded => {
            let number = id(p, &["orderNumber"]).unwrap_or_default();
            lines.insert(
                0,
                format!("Amount: {}", money(id(p, &["amountMinor"]), &s("currency"))),
            );
            lines.push(format!(
                "The card payment arrived after order {number} was {}; the full amount goes back to the card.",
                match s("orderStatus").as_str() {
                    "CANCELLED" => "cancelled",
                    "EXPIRED" => "expired",
                    _ => "paid another way",
                }
            ));
            (
                format!("Your payment for order {number} is refunded"),
                format!("/orders/{number}"),
            )
        }
        FreeLead | MyLead => {
            // What partners are told of a lead: never its contacts.
            let number = id(p, &["leadNumber"]).unwrap_or_default();
            let list = |k: &str| {
                p.get(k)
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default()
            };
            let mut about = Vec::new();
            for (label, value) in [
                ("Company", s("company")),
                ("Task", s("task")),
                ("Features", list("features")),
                ("Country", s("country")),
                ("Language", s("language")),
            ] {
                if !value.is_empty() {
                    about.push(format!("{label}: {value}"));
                }
            }
            lines.splice(0..0, about);
            if kind == FreeLead {
                (
                    format!("New free lead {number}"),
                    "/partner/leads/free".to_string(),
                )
            } else {
                (
                    format!("New lead {number} for you"),
                    format!("/partner/leads/{number}"),
                )
            }
        }
        CustomDomain => {
            let (title, about) = domain_words(event, p);
            lines.splice(0..0, about);
            (title, "/settings/domains".to_string())
        }
    };
    Words { title, lines, path }
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
    if to.is_empty() {
        return Ok(());
    }
    let switches = settings::of_users(db, &to).await?;
    let users = scoped::<user::Entity>(ev.tenant_id)
        .filter(user::Column::Id.is_in(to.clone()))
        .all(db)
        .await?;
    let w = words(kind, &ev.kind, &f, &payload, ev.created_at);
    let link = tenant_url(settings, &tenant, &w.path);
    let chats = super::telegram::chats_of(db, ev.tenant_id, &to).await?;
    for u in users {
        let Some(sw) = switches.get(&u.id) else {
            continue;
        };
        if sw.on(kind, Channel::Bell) {
            let written = notification::Entity::insert(notification::ActiveModel {
                tenant_id: Set(ev.tenant_id),
                user_id: Set(u.id),
                kind: Set(kind.as_str().into()),
                payload: Set(ev.payload.clone()),
                created_at: Set(now),
                read_at: Set(None),
                event_id: Set(Some(ev.id)),
                title: Set(w.title.clone()),
                body: Set(w.lines.join("\n")),
                link: Set(Some(link.clone())),
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
                    tenant_id: ev.tenant_id,
                    user_id: u.id,
                });
            }
        }
        if sw.on(kind, Channel::Email)
            && email(db, settings, &tenant, ev, kind, &u, &w, &link, now).await?
        {
            out.messages += 1;
        }
        if let Some(chat) = chats.get(&u.id)
            && sw.on(kind, Channel::Telegram)
            && super::telegram::enqueue(db, ev, kind, u.id, chat, &w.title, &w.lines, &link, now)
                .await?
        {
            out.messages += 1;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn email(
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
    let mail = emails::branded(
        tenant,
        kind.as_str(),
        &u.email,
        &w.title,
        &body,
        ("Open", link),
    );
    write_message(
        db,
        ev,
        kind,
        u.id,
        Channel::Email,
        Message {
            recipient: u.email.clone(),
            sender: emails::sender(settings, tenant),
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
        },
        now,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::days_left;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn a_started_day_counts_as_one() {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        assert_eq!(days_left(at, at + Duration::days(7)), 7);
        assert_eq!(
            days_left(at, at + Duration::days(7) - Duration::minutes(1)),
            7
        );
        assert_eq!(
            days_left(at, at + Duration::days(2) + Duration::hours(3)),
            3
        );
        assert_eq!(days_left(at, at + Duration::minutes(5)), 1);
        assert_eq!(days_left(at, at - Duration::hours(1)), 0);
    }
}
