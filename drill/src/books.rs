//! After the load: let what is in flight settle, retry every operation that never got an
//! answer with its own key, then check the books in SQL and through the API.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use partner_gateway::dev::local_smtp::MailSink;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use serde_json::json;

use crate::client::Api;
use crate::report::{Check, Report};
use crate::scenario::{CREATE, WITHDRAW, World, number_of};

async fn rows(db: &DatabaseConnection, sql: &str) -> anyhow::Result<Vec<sea_orm::QueryResult>> {
    Ok(db
        .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await?)
}

async fn count(db: &DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    let r = rows(db, sql).await?;
    Ok(r.first()
        .and_then(|r| r.try_get_by_index::<i64>(0).ok())
        .unwrap_or(0))
}

/// The first column of every row, as text.
async fn list(db: &DatabaseConnection, sql: &str) -> anyhow::Result<Vec<String>> {
    Ok(rows(db, sql)
        .await?
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect())
}

fn check(name: &str, passed: bool, detail: impl Into<String>) -> Check {
    Check {
        name: name.into(),
        passed,
        detail: detail.into(),
    }
}

/// A check that some rows must not exist: passes when the query finds none.
async fn none(db: &DatabaseConnection, name: &str, sql: &str) -> Check {
    match list(db, sql).await {
        Ok(found) if found.is_empty() => check(name, true, "none found"),
        Ok(found) => check(
            name,
            false,
            format!("{} found: {:?}", found.len(), first(&found)),
        ),
        Err(e) => check(name, false, format!("query failed: {e:#}")),
    }
}

fn first(v: &[String]) -> Vec<&String> {
    v.iter().take(10).collect()
}

/// Waits (two minutes at most) until events are fanned out, the outbox has nothing
/// claimed or waiting, due orders are expired and every card checkout is applied.
async fn settle(db_url: &str) -> String {
    const QUIET: &str = "SELECT (SELECT count(*) FROM domain_events WHERE processed_at IS NULL) \
        + (SELECT count(*) FROM outbox_messages WHERE status IN ('PENDING', 'SENDING')) \
        + (SELECT count(*) FROM orders WHERE status = 'PENDING' AND expires_at <= now()) \
        + (SELECT count(*) FROM payments WHERE method = 'CARD' AND status = 'PENDING' AND checkout_url IS NOT NULL)";
    let t = Instant::now();
    let mut left = -1;
    while t.elapsed() < Duration::from_secs(120) {
        if let Ok(db) = Database::connect(db_url).await {
            left = count(&db, QUIET).await.unwrap_or(-1);
            let _ = db.close().await;
            if left == 0 {
                return format!(
                    "settled {:.1} s after the load stopped",
                    t.elapsed().as_secs_f64()
                );
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    format!("not settled after 120 s: {left} item(s) still in flight")
}

/// Retries, with their own keys, the operations whose last answer was "later".
async fn resolve(world: &World, api: &Api) -> (usize, usize) {
    let (orders, withdrawals) = {
        let l = world.ledger.lock().unwrap_or_else(|e| e.into_inner());
        (l.orders.clone(), l.withdrawals.clone())
    };
    let token = |host: &str| {
        world
            .brands
            .iter()
            .find(|b| b.host == host)
            .map(|b| b.partner_token.clone())
    };
    let patience = Duration::from_secs(30);
    let mut retried = (0, 0);
    let mut fixed_orders = Vec::new();
    for mut o in orders {
        if o.id.is_none() && crate::client::retryable(&o.code) {
            retried.0 += 1;
            let a = api
                .until_answered(
                    "createOrder (retry)",
                    o.host,
                    token(o.host).as_deref(),
                    CREATE,
                    o.variables.clone(),
                    patience,
                )
                .await;
            o.id = a.data["createOrder"]["order"]["id"]
                .as_str()
                .map(str::to_string);
            o.code = a.code;
        }
        fixed_orders.push(o);
    }
    let mut fixed_withdrawals = Vec::new();
    for mut w in withdrawals {
        if w.id.is_none() && crate::client::retryable(&w.code) {
            retried.1 += 1;
            let a = api
                .until_answered(
                    "requestWithdrawal (retry)",
                    w.host,
                    token(w.host).as_deref(),
                    WITHDRAW,
                    w.variables.clone(),
                    patience,
                )
                .await;
            w.id = a.data["requestWithdrawal"]["withdrawal"]["id"]
                .as_str()
                .map(str::to_string);
            w.code = a.code;
        }
        fixed_withdrawals.push(w);
    }
    let mut l = world.ledger.lock().unwrap_or_else(|e| e.into_inner());
    l.orders = fixed_orders;
    l.withdrawals = fixed_withdrawals;
    retried
}

/// The ids the clients were given, against the rows made since the drill began: each key
/// made one row, and no row was made without a key's answer.
fn applied_once(name: &str, answered: &[Option<String>], made: &[String]) -> Check {
    let given: Vec<i64> = answered
        .iter()
        .flatten()
        .filter_map(|id| number_of(id))
        .collect();
    let distinct: BTreeSet<i64> = given.iter().copied().collect();
    let in_db: BTreeSet<i64> = made.iter().filter_map(|s| s.parse().ok()).collect();
    let unanswered = answered.iter().filter(|a| a.is_none()).count();
    let passed = distinct.len() == given.len() && distinct == in_db;
    check(
        name,
        passed,
        format!(
            "{} keys answered with {} distinct ids, {} rows made, {} keys refused; rows without an answer: {:?}; answers without a row: {:?}",
            given.len(),
            distinct.len(),
            in_db.len(),
            unanswered,
            in_db.difference(&distinct).take(10).collect::<Vec<_>>(),
            distinct.difference(&in_db).take(10).collect::<Vec<_>>()
        ),
    )
}

pub async fn check_all(
    world: &World,
    api: &Api,
    mail: &MailSink,
    report: &Report,
    started: chrono::DateTime<chrono::Utc>,
) -> Vec<Check> {
    let mut out = Vec::new();
    let settled = settle(&world.db_url).await;
    out.push(check(
        "what was in flight settled",
        settled.starts_with("settled"),
        settled,
    ));
    let (o, w) = resolve(world, api).await;
    out.push(check(
        "operations left without an answer were retried with their keys",
        true,
        format!("{o} createOrder, {w} requestWithdrawal retried after the load"),
    ));
    let db = match Database::connect(&world.db_url).await {
        Ok(db) => db,
        Err(e) => {
            out.push(check(
                "the database answers after the drill",
                false,
                format!("{e:#}"),
            ));
            return out;
        }
    };
    match sql_checks(world, &db, mail, report, started).await {
        Ok(checks) => out.extend(checks),
        Err(e) => out.push(check("the SQL checks ran", false, format!("{e:#}"))),
    }
    match api_checks(world, api, &db).await {
        Ok(checks) => out.extend(checks),
        Err(e) => out.push(check("the API checks ran", false, format!("{e:#}"))),
    }
    out
}

async fn sql_checks(
    world: &World,
    db: &DatabaseConnection,
    mail: &MailSink,
    report: &Report,
    started: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Vec<Check>> {
    let since = format!("'{}'::timestamptz", started.to_rfc3339());
    let mut out = Vec::new();
    let (orders, withdrawals, races) = {
        let l = world.ledger.lock().unwrap_or_else(|e| e.into_inner());
        (l.orders.clone(), l.withdrawals.clone(), l.races.clone())
    };

    // Idempotent retries: one row per key.
    let made = list(
        db,
        &format!("SELECT id::text FROM orders WHERE created_at >= {since}"),
    )
    .await?;
    let answered: Vec<_> = orders.iter().map(|o| o.id.clone()).collect();
    out.push(applied_once(
        "every createOrder key made exactly one order",
        &answered,
        &made,
    ));
    let made = list(
        db,
        &format!("SELECT id::text FROM withdrawals WHERE created_at >= {since}"),
    )
    .await?;
    let answered: Vec<_> = withdrawals.iter().map(|w| w.id.clone()).collect();
    out.push(applied_once(
        "every requestWithdrawal key made exactly one withdrawal",
        &answered,
        &made,
    ));

    // Paid orders applied exactly once.
    out.push(none(db, "every paid order has exactly one succeeded payment",
        "SELECT o.id::text FROM orders o WHERE o.status = 'PAID' AND (SELECT count(*) FROM payments p WHERE p.order_id = o.id AND p.status = 'SUCCEEDED') <> 1").await);
    out.push(none(db, "every paid order has exactly one order.paid event",
        &format!("SELECT o.id::text FROM orders o WHERE o.status = 'PAID' AND o.created_at >= {since} AND (SELECT count(*) FROM domain_events e WHERE e.kind = 'order.paid' AND (e.payload::jsonb->>'orderId')::bigint = o.id) <> 1")).await);
    out.push(none(db, "a paid order's items are all applied, an unpaid order's none",
        "SELECT i.id::text FROM order_items i JOIN orders o ON o.id = i.order_id WHERE (o.status = 'PAID') <> (i.applied IS NOT NULL)").await);
    out.push(none(db, "each renewed line ends where its last renewal ends (no renewal applied twice)",
        "SELECT l.id::text FROM lines l JOIN (SELECT i.line_id, max((i.applied::jsonb->>'to')::timestamptz) AS last_to FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.status = 'PAID' AND i.kind = 'RENEWAL' GROUP BY i.line_id) r ON r.line_id = l.id WHERE l.expires_at <> r.last_to").await);
    out.push(none(db, "renewals of a line follow each other without overlap",
        "SELECT a.id::text FROM order_items a JOIN orders oa ON oa.id = a.order_id AND oa.status = 'PAID' JOIN order_items b ON b.line_id = a.line_id AND b.id <> a.id AND b.kind = 'RENEWAL' JOIN orders ob ON ob.id = b.order_id AND ob.status = 'PAID' WHERE a.kind = 'RENEWAL' AND (a.applied::jsonb->>'from')::timestamptz < (b.applied::jsonb->>'to')::timestamptz AND (b.applied::jsonb->>'from')::timestamptz < (a.applied::jsonb->>'to')::timestamptz").await);
    out.push(none(db, "each paid new-lines item made its lines, each with its channels",
        "SELECT i.id::text FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.status = 'PAID' AND i.kind = 'NEW_LINES' AND (jsonb_array_length(i.applied::jsonb->'lineIds') <> i.quantity OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(i.applied::jsonb->'lineIds') AS made(id) WHERE (SELECT count(*) FROM line_channels c WHERE c.line_id = made.id::bigint) <> jsonb_array_length(i.channel_kind_ids::jsonb)))").await);
    out.push(none(db, "no line made outside a paid order",
        &format!("SELECT l.id::text FROM lines l WHERE l.created_at >= {since} AND NOT l.nfr AND NOT EXISTS (SELECT 1 FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.status = 'PAID' AND i.kind = 'NEW_LINES' AND i.applied::jsonb->'lineIds' @> to_jsonb(l.id))")).await);
    out.push(none(db, "an order paid from the balance spent its total once",
        "SELECT o.id::text FROM orders o JOIN payments p ON p.order_id = o.id AND p.status = 'SUCCEEDED' AND p.method = 'BONUS_BALANCE' WHERE COALESCE((SELECT sum(e.amount_minor) FROM partner_ledger_entries e WHERE e.order_id = o.id AND e.kind = 'SPEND'), 0) <> -o.total_minor").await);
    out.push(none(db, "nothing spent from the balance for an order paid otherwise",
        "SELECT DISTINCT e.order_id::text FROM partner_ledger_entries e WHERE e.kind = 'SPEND' AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = e.order_id AND p.status = 'SUCCEEDED' AND p.method = 'BONUS_BALANCE')").await);
    out.push(none(db, "at most one reward per order",
        "SELECT order_id::text FROM partner_ledger_entries WHERE kind = 'REWARD' AND order_id IS NOT NULL GROUP BY order_id HAVING count(*) > 1").await);
    out.push(none(db, "each withdrawal held its amount once, and a rejected one released it once",
        "SELECT w.id::text FROM withdrawals w WHERE (SELECT count(*) FROM partner_ledger_entries e WHERE e.withdrawal_id = w.id AND e.kind = 'WITHDRAWAL_HOLD') <> 1 OR (SELECT count(*) FROM partner_ledger_entries e WHERE e.withdrawal_id = w.id AND e.kind = 'WITHDRAWAL_RELEASE') <> (CASE WHEN w.status = 'REJECTED' THEN 1 ELSE 0 END)").await);

    // Never overdrawn: the balance's formula without its floor, per partner.
    out.push(
        none(
            db,
            "no partner balance below zero",
            &format!(
                "SELECT partner_id::text FROM ({BALANCES}) b WHERE b.free < 0 OR b.bonuses < 0"
            ),
        )
        .await,
    );

    // Half-written: nothing.
    out.push(
        none(
            db,
            "no idempotency key left claimed without its result",
            "SELECT id::text FROM idempotency_keys WHERE result IS NULL",
        )
        .await,
    );
    out.push(none(db, "no succeeded payment whose order was not paid (unless refunded)",
        "SELECT p.id::text FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.status = 'SUCCEEDED' AND o.status NOT IN ('PAID', 'REFUNDED') AND p.refund_requested_at IS NULL").await);

    // Jobs: each due order expired once.
    let to_expire: Vec<i64> = orders
        .iter()
        .filter(|o| o.method == "EXPIRE")
        .filter_map(|o| o.id.as_deref().and_then(number_of))
        .collect();
    let expired = if to_expire.is_empty() {
        0
    } else {
        let ids = to_expire
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        count(db, &format!("SELECT count(*) FROM orders o WHERE o.id IN ({ids}) AND o.status = 'EXPIRED' AND (SELECT count(*) FROM domain_events e WHERE e.kind = 'order.expired' AND (e.payload::jsonb->>'orderId')::bigint = o.id) = 1")).await?
    };
    out.push(check(
        "every order made due was expired by the job exactly once",
        !to_expire.is_empty() && expired == to_expire.len() as i64,
        format!(
            "{expired} of {} made due expired with one order.expired event",
            to_expire.len()
        ),
    ));
    out.push(none(db, "no order expired twice",
        "SELECT payload::jsonb->>'orderId' FROM domain_events WHERE kind = 'order.expired' GROUP BY 1 HAVING count(*) > 1").await);
    out.push(none(db, "no notification made twice for one event and person",
        "SELECT event_id::text FROM notifications WHERE event_id IS NOT NULL GROUP BY event_id, user_id HAVING count(*) > 1").await);

    // Leads: one winner per race, and takes and releases alternate per lead.
    let doubled: Vec<_> = races
        .iter()
        .filter(|(_, codes)| codes.iter().filter(|c| *c == "OK").count() > 1)
        .collect();
    out.push(check(
        "exactly one winner per lead race",
        doubled.is_empty() && !races.is_empty(),
        format!(
            "{} races, {} with more than one winner; answers: {:?}",
            races.len(),
            doubled.len(),
            tally_races(&races)
        ),
    ));
    let histories = rows(db, "SELECT target_id::text, string_agg(action, ',' ORDER BY id) FROM audit_log WHERE action IN ('lead.taken', 'lead.released') GROUP BY target_id").await?;
    let mut broken = Vec::new();
    for r in &histories {
        let lead: String = r.try_get_by_index(0).unwrap_or_default();
        let h: String = r.try_get_by_index(1).unwrap_or_default();
        let steps: Vec<&str> = h.split(',').collect();
        let alternates = steps.iter().enumerate().all(|(i, s)| {
            *s == if i % 2 == 0 {
                "lead.taken"
            } else {
                "lead.released"
            }
        });
        if !alternates {
            broken.push(lead);
        }
    }
    out.push(check(
        "each lead was taken only while free (takes and releases alternate)",
        broken.is_empty(),
        format!(
            "{} leads with history, {} broken: {:?}",
            histories.len(),
            broken.len(),
            first(&broken)
        ),
    ));

    // The outbox: every message sent, once (or, for a killed worker's claim, once more
    // under the same Message-ID), none stuck.
    out.push(outbox(db, mail, &report.held_by_killed, report.soak).await?);
    Ok(out)
}

/// The unfloored balance per partner (`ledger::balance`'s formula).
const BALANCES: &str = "SELECT partner_id, \
    CAST(sum(CASE WHEN pot = 'BONUSES' THEN amount_minor ELSE 0 END) AS BIGINT) AS bonuses, \
    CAST(sum(CASE WHEN pot = 'REWARDS' AND kind NOT IN ('WITHDRAWAL_HOLD', 'WITHDRAWAL_RELEASE') THEN amount_minor ELSE 0 END) \
    - sum(CASE WHEN pot = 'REWARDS' AND kind IN ('REWARD', 'REVERSAL') AND available_at > now() THEN amount_minor ELSE 0 END) \
    - (-sum(CASE WHEN kind IN ('WITHDRAWAL_HOLD', 'WITHDRAWAL_RELEASE') THEN amount_minor ELSE 0 END) \
       + sum(CASE WHEN kind = 'WITHDRAWAL_PAID' THEN amount_minor ELSE 0 END)) AS BIGINT) AS free \
    FROM partner_ledger_entries GROUP BY partner_id";

fn tally_races(races: &[(String, Vec<String>)]) -> BTreeMap<String, u64> {
    let mut t = BTreeMap::new();
    for (_, codes) in races {
        let oks = codes.iter().filter(|c| *c == "OK").count();
        *t.entry(format!("{oks} winner(s)")).or_insert(0) += 1;
    }
    t
}

async fn outbox(
    db: &DatabaseConnection,
    mail: &MailSink,
    held: &[i64],
    report_soak: bool,
) -> anyhow::Result<Check> {
    let by_status = rows(
        db,
        "SELECT status, count(*) FROM outbox_messages GROUP BY status",
    )
    .await?;
    let statuses: BTreeMap<String, i64> = by_status
        .iter()
        .filter_map(|r| {
            Some((
                r.try_get_by_index::<String>(0).ok()?,
                r.try_get_by_index::<i64>(1).ok()?,
            ))
        })
        .collect();
    let sent_rows = rows(
        db,
        "SELECT id, tenant_id FROM outbox_messages WHERE status = 'SENT' AND channel = 'EMAIL'",
    )
    .await?;
    let mut received: HashMap<(i64, i64), usize> = HashMap::new();
    for m in mail.received() {
        if let Some(id) = m.header("Message-ID")
            && let Some(rest) = id.trim_start_matches('<').strip_prefix("outbox-")
            && let Some((ids, _)) = rest.split_once('@')
            && let Some((t, i)) = ids.split_once('-')
            && let (Ok(t), Ok(i)) = (t.parse(), i.parse())
        {
            *received.entry((t, i)).or_default() += 1;
        }
    }
    let (mut lost, mut twice, mut more) = (Vec::new(), Vec::new(), Vec::new());
    for r in &sent_rows {
        let (id, tenant): (i64, i64) = (r.try_get_by_index(0)?, r.try_get_by_index(1)?);
        match received.get(&(tenant, id)).copied().unwrap_or(0) {
            0 => lost.push(id),
            1 => {}
            2 if held.contains(&id) => twice.push(id),
            _ => more.push(id),
        }
    }
    let stuck = statuses.get("SENDING").copied().unwrap_or(0)
        + statuses.get("PENDING").copied().unwrap_or(0)
        + statuses.get("FAILED").copied().unwrap_or(0);
    let held_sent = count(
        db,
        &format!(
            "SELECT count(*) FROM outbox_messages WHERE status = 'SENT' AND id IN ({})",
            if held.is_empty() {
                "0".into()
            } else {
                held.iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            }
        ),
    )
    .await?;
    Ok(check(
        "every outbox message sent once; a killed instance's claims taken over after their lease",
        stuck == 0
            && lost.is_empty()
            && more.is_empty()
            && held_sent == held.len() as i64
            && (report_soak || !held.is_empty()),
        format!(
            "statuses {statuses:?}; {} sent by email, {} received by the mail server; not received: {:?}; received twice: {} (claims of the killed instance, sent again under the same Message-ID after the lease), more than once otherwise: {:?}; claims held by the killed instance: {}, sent since: {held_sent}",
            sent_rows.len(),
            received.values().sum::<usize>(),
            lost.iter().take(10).collect::<Vec<_>>(),
            twice.len(),
            more.iter().take(10).collect::<Vec<_>>(),
            held.len()
        ),
    ))
}

/// Through the API: each brand's partner balance as the API shows it equals the ledger's
/// sum, and each order a client was given reads the status the database holds.
async fn api_checks(
    world: &World,
    api: &Api,
    db: &DatabaseConnection,
) -> anyhow::Result<Vec<Check>> {
    let mut out = Vec::new();
    let balances = rows(
        db,
        &format!("SELECT partner_id, free, bonuses FROM ({BALANCES}) b"),
    )
    .await?;
    let free: HashMap<i64, (i64, i64)> = balances
        .iter()
        .filter_map(|r| {
            Some((
                r.try_get_by_index::<i64>(0).ok()?,
                (
                    r.try_get_by_index::<i64>(1).ok()?,
                    r.try_get_by_index::<i64>(2).ok()?,
                ),
            ))
        })
        .collect();
    let mut detail = Vec::new();
    let mut passed = true;
    for b in &world.brands {
        let a = api
            .until_answered(
                "balance",
                b.host,
                Some(&b.partner_token),
                "query($p: ID!) { partner(id: $p) { balance { withdrawable spendable } } }",
                json!({ "p": b.partner_id }),
                Duration::from_secs(30),
            )
            .await;
        let shown = a.data["partner"]["balance"]["withdrawable"]
            .as_str()
            .unwrap_or("?")
            .to_string();
        let pid = number_of(&b.partner_id).unwrap_or(0);
        let (f, _) = free.get(&pid).copied().unwrap_or((0, 0));
        let expected = rust_decimal_string(f.max(0));
        passed &= a.ok() && shown == expected;
        detail.push(format!("{}: API {shown}, ledger {expected}", b.host));
    }
    out.push(check(
        "the API's withdrawable balance equals the ledger's",
        passed,
        detail.join("; "),
    ));

    let orders = world
        .ledger
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .orders
        .clone();
    let (mut same, mut differ) = (0, Vec::new());
    for o in orders.iter().filter(|o| o.id.is_some()) {
        let Some(id) = o.id.as_deref() else { continue };
        let token = world
            .brands
            .iter()
            .find(|b| b.host == o.host)
            .map(|b| b.partner_token.clone());
        let a = api
            .until_answered(
                "order",
                o.host,
                token.as_deref(),
                "query($id: ID!) { node(id: $id) { ... on Order { status } } }",
                json!({ "id": id }),
                Duration::from_secs(30),
            )
            .await;
        let shown = a.data["node"]["status"].as_str().unwrap_or("?").to_string();
        let stored = list(
            db,
            &format!(
                "SELECT status FROM orders WHERE id = {}",
                number_of(id).unwrap_or(0)
            ),
        )
        .await?;
        if stored.first() == Some(&shown) {
            same += 1;
        } else {
            differ.push(format!("{id}: API {shown}, SQL {stored:?}"));
        }
    }
    out.push(check(
        "each order reads through the API as the database holds it",
        differ.is_empty() && same > 0,
        format!(
            "{same} agree; differ: {:?}",
            differ.iter().take(10).collect::<Vec<_>>()
        ),
    ));
    Ok(out)
}

/// Minor units as the API's `Money` shows them (`5000.00`).
fn rust_decimal_string(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}
