//! Quotes, orders and payments end to end: the SPEC example through the API, who pays
//! decides discount or reward, idempotency keys, invoices confirmed by staff, renewals
//! (an expired line starts now), prorated additions, isolation, and paying exactly once
//! under concurrency.

use chrono::{Duration, Months};
use entities::{domain_event, line, partner_ledger_entry};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::client_lines::client_with_lines;
use crate::partners::{PartnerFixture, partner};
use crate::support::*;

pub const QUOTE: &str = "query($i: OrderInput!) { quote(input: $i) { currency base total partnerReward personalChannels payer discounts { kind percent amount } items { kind quantity months remainingDays expiresAt base total discounts { kind percent amount } line { lineNumber } channelKinds { code } } } }";
pub const CREATE: &str = "mutation($i: CreateOrderInput!) { createOrder(input: $i) { order { id orderNumber status payer total partnerReward items { kind quantity months base total discounts { kind percent amount } } } } }";
pub const PAY: &str = "mutation($i: PayOrderInput!) { payOrder(input: $i) { payment { id method status amount invoiceNumber checkoutUrl payerRequisites } order { status } } }";
pub const CONFIRM: &str = "mutation($i: ConfirmInvoicePaymentInput!) { confirmInvoicePayment(input: $i) { payment { status } order { status paidAt } } }";
const LINES: &str = "query($p: ID!) { partner(id: $p) { clientLines(first: 100) { edges { node { client { id } organizations { id } lines { id lineNumber startsAt expiresAt channels { status paid kind { code } } } } } } } }";

pub struct Shop {
    pub p: PartnerFixture,
    pub client: String,
    pub org: String,
    pub whatsapp: String,
    pub waba: String,
}

fn gid(kind: resolvers::ids::Kind, id: i64) -> String {
    resolvers::ids::encode(kind, id).0
}

/// A GOLD partner with one client (and its organization) on the root tenant, whose price
/// list has WhatsApp 1500.00 and WABA 1000.00; the client's lines expire in `lines` days.
pub async fn shop(app: &TestApp, tag: &str, lines: &[(i64, i64)]) -> Shop {
    shop_on(app, ROOT, tag, lines).await
}

/// [`shop`] on the brand served at `host`.
pub async fn shop_on(app: &TestApp, host: &str, tag: &str, lines: &[(i64, i64)]) -> Shop {
    // Business time stands still unless a test moves it.
    app.state.services.clock.set(Some(entities::time::now()));
    let p = partner(app, host, tag, "GOLD").await;
    let client = client_with_lines(app, host, &p, &format!("Anna {tag}"), "RU", lines).await;
    let tenant = app.tenant_of_user(client).await;
    let whatsapp = app.channel_kind(tenant, "WHATSAPP", true, 150_000).await;
    let waba = app.channel_kind(tenant, "WABA", false, 100_000).await;
    let d = app
        .ok(host, Some(&p.owner), LINES, json!({ "p": p.id }))
        .await;
    let row = &d["partner"]["clientLines"]["edges"][0]["node"];
    Shop {
        client: row["client"]["id"].as_str().unwrap().into(),
        org: row["organizations"][0]["id"].as_str().unwrap().into(),
        whatsapp: gid(resolvers::ids::Kind::ChannelKind, whatsapp),
        waba: gid(resolvers::ids::Kind::ChannelKind, waba),
        p,
    }
}

impl Shop {
    pub fn spec_example(&self, payer: &str) -> Value {
        json!({ "clientId": self.client, "payer": payer, "partnerId": self.p.id,
            "newLines": [{ "channelKinds": [self.whatsapp, self.waba], "quantity": 10, "months": 12, "organizationId": self.org }] })
    }

    /// The spec example ordered by the partner, which pays it: the order's id.
    pub async fn partner_order(&self, app: &TestApp) -> Value {
        self.partner_order_on(app, ROOT).await
    }

    /// [`Shop::partner_order`] on the brand served at `host`.
    pub async fn partner_order_on(&self, app: &TestApp, host: &str) -> Value {
        app.ok(
            host,
            Some(&self.p.owner),
            CREATE,
            json!({ "i": { "order": self.spec_example("PARTNER") } }),
        )
        .await["createOrder"]["order"]["id"]
            .clone()
    }

    pub async fn lines(&self, app: &TestApp) -> Vec<Value> {
        self.lines_on(app, ROOT).await
    }

    /// The client's lines as the partner sees them on the brand served at `host`.
    pub async fn lines_on(&self, app: &TestApp, host: &str) -> Vec<Value> {
        let d = app
            .ok(host, Some(&self.p.owner), LINES, json!({ "p": self.p.id }))
            .await;
        d["partner"]["clientLines"]["edges"][0]["node"]["lines"]
            .as_array()
            .unwrap()
            .clone()
    }
}

impl TestApp {
    /// Moves business time on.
    pub fn clock_advance(&self, by: Duration) {
        self.state.services.clock.advance(by);
    }
}

pub async fn events(app: &TestApp, kind: &str) -> u64 {
    domain_event::Entity::find()
        .filter(domain_event::Column::Kind.eq(kind))
        .count(app.db())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_spec_example_is_quoted_ordered_invoiced_confirmed_and_applied_once() {
    let app = TestApp::new().await;
    let s = shop(&app, "a", &[]).await;

    // SPEC §6: a GOLD partner pays: 68400.00 + 48000.00.
    let q = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            QUOTE,
            json!({ "i": s.spec_example("PARTNER") }),
        )
        .await["quote"]
        .clone();
    assert_eq!(q["total"], "116400.00");
    assert_eq!(q["base"], "300000.00");
    assert_eq!(q["partnerReward"], "0.00");
    assert_eq!(q["personalChannels"], 10);
    assert_eq!(
        q["discounts"],
        json!([
            { "kind": "VOLUME", "percent": "5", "amount": "9000.00" },
            { "kind": "PERIOD", "percent": "20", "amount": "58200.00" },
            { "kind": "PARTNER", "percent": "50", "amount": "116400.00" }
        ])
    );
    assert_eq!(q["items"][0]["quantity"], 10);
    // The same order paid by the client: no partner discount; the partner (who created
    // the client) earns 20 % of the total.
    let q = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            QUOTE,
            json!({ "i": s.spec_example("CLIENT") }),
        )
        .await["quote"]
        .clone();
    assert_eq!(q["total"], "232800.00");
    assert_eq!(q["partnerReward"], "46560.00");

    // createOrder snapshots the quote; the same key answers the same order; the key
    // with another input is refused.
    let input = json!({ "i": { "order": s.spec_example("PARTNER"), "idempotencyKey": "order-1" } });
    let o =
        app.ok(ROOT, Some(&s.p.owner), CREATE, input.clone()).await["createOrder"]["order"].clone();
    assert_eq!(o["status"], "PENDING");
    assert_eq!(o["total"], "116400.00");
    assert_eq!(o["items"][0]["discounts"][2]["amount"], "116400.00");
    let again = app.ok(ROOT, Some(&s.p.owner), CREATE, input).await["createOrder"]["order"].clone();
    assert_eq!(again["id"], o["id"]);
    let mut other = s.spec_example("PARTNER");
    other["newLines"][0]["months"] = json!(6);
    let r = app
        .post(
            ROOT,
            Some(&s.p.owner),
            CREATE,
            json!({ "i": { "order": other, "idempotencyKey": "order-1" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(first_field(&r.body), "idempotencyKey");

    // An invoice: numbered per tenant, made out to the partner; asking again answers it.
    let pay = json!({ "i": { "orderId": o["id"], "method": "INVOICE" } });
    let p1 = app.ok(ROOT, Some(&s.p.owner), PAY, pay.clone()).await["payOrder"].clone();
    assert_eq!(p1["payment"]["status"], "PENDING");
    assert_eq!(p1["payment"]["amount"], "116400.00");
    assert_eq!(p1["payment"]["invoiceNumber"], 1);
    assert!(
        p1["payment"]["payerRequisites"]
            .as_str()
            .unwrap()
            .contains("Agency a")
    );
    let p2 = app.ok(ROOT, Some(&s.p.owner), PAY, pay).await["payOrder"].clone();
    assert_eq!(p2["payment"]["id"], p1["payment"]["id"]);
    // Nothing is applied before the money arrives.
    assert!(s.lines(&app).await.is_empty());

    // Only staff confirm; then the order is paid and applied.
    let confirm = json!({ "i": { "paymentId": p1["payment"]["id"] } });
    let r = app
        .post(ROOT, Some(&s.p.owner), CONFIRM, confirm.clone())
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    let staff = app.staff_token().await;
    let now = app.state.services.clock.now();
    let c =
        app.ok(ROOT, Some(&staff), CONFIRM, confirm.clone()).await["confirmInvoicePayment"].clone();
    assert_eq!(c["order"]["status"], "PAID");
    assert_eq!(c["payment"]["status"], "SUCCEEDED");
    let lines = s.lines(&app).await;
    assert_eq!(lines.len(), 10);
    let expires: chrono::DateTime<chrono::Utc> =
        lines[0]["expiresAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires, now.checked_add_months(Months::new(12)).unwrap());
    assert_eq!(
        lines[0]["channels"],
        json!([{ "status": "PENDING", "paid": true, "kind": { "code": "WHATSAPP" } }, { "status": "PENDING", "paid": true, "kind": { "code": "WABA" } }])
    );
    // Confirming again changes nothing.
    let r = app.post(ROOT, Some(&staff), CONFIRM, confirm).await;
    assert_eq!(first_code(&r.body), "ORDER_NOT_PENDING");
    assert_eq!(s.lines(&app).await.len(), 10);
    assert_eq!(events(&app, "order.paid").await, 1);
    assert_eq!(events(&app, "line.created").await, 10);
    // The partner paid: no reward.
    assert_eq!(
        partner_ledger_entry::Entity::find()
            .count(app.db())
            .await
            .unwrap(),
        0
    );
    // A paid order is not paid again.
    let r = app
        .post(
            ROOT,
            Some(&s.p.owner),
            PAY,
            json!({ "i": { "orderId": o["id"], "method": "INVOICE" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "ORDER_NOT_PENDING");

    // "My clients" shows the client's open lines and what it paid through the partner;
    // an unpaid order counts for nothing.
    let unpaid = json!({ "i": { "order": s.spec_example("CLIENT"), "idempotencyKey": "order-2" } });
    app.ok(ROOT, Some(&s.p.owner), CREATE, unpaid).await;
    let d = app
        .ok(ROOT, Some(&s.p.owner), "query($p: ID!) { partner(id: $p) { clients { edges { node { openLineCount paymentCount paymentTotal } } } } }", json!({ "p": s.p.id }))
        .await;
    assert_eq!(
        d["partner"]["clients"]["edges"][0]["node"],
        json!({ "openLineCount": 10, "paymentCount": 1, "paymentTotal": "116400.00" })
    );
    // Time passes: the lines expire and are no longer open; the payment stays.
    app.clock_advance(Duration::days(400));
    let d = app
        .ok(ROOT, Some(&s.p.owner), "query($p: ID!) { partner(id: $p) { clients { edges { node { openLineCount paymentCount } } } } }", json!({ "p": s.p.id }))
        .await;
    assert_eq!(
        d["partner"]["clients"]["edges"][0]["node"],
        json!({ "openLineCount": 0, "paymentCount": 1 })
    );
}

#[tokio::test]
async fn a_client_renews_an_expired_line_from_now_and_its_partner_earns_the_reward() {
    let app = TestApp::new().await;
    let s = shop(&app, "b", &[(901, -10), (902, 20)]).await;
    let client = app
        .set_password_via_link(ROOT, "anna.b@client.example")
        .await;
    let lines = s.lines(&app).await;
    let (expired, running) = (lines[0]["id"].clone(), lines[1]["id"].clone());
    let running_until: chrono::DateTime<chrono::Utc> =
        lines[1]["expiresAt"].as_str().unwrap().parse().unwrap();

    let renew = json!({ "payer": "CLIENT", "renewals": { "lineIds": [expired], "months": 1 } });
    let q = app
        .ok(ROOT, Some(&client), QUOTE, json!({ "i": renew }))
        .await["quote"]
        .clone();
    assert_eq!(q["total"], "1500.00");
    assert_eq!(q["partnerReward"], "300.00");
    assert_eq!(q["items"][0]["line"]["lineNumber"], 901);

    let o = app
        .ok(
            ROOT,
            Some(&client),
            CREATE,
            json!({ "i": { "order": renew } }),
        )
        .await["createOrder"]["order"]
        .clone();
    let p = app
        .ok(
            ROOT,
            Some(&client),
            PAY,
            json!({ "i": { "orderId": o["id"], "method": "INVOICE" } }),
        )
        .await["payOrder"]["payment"]
        .clone();
    app.clock_advance(Duration::hours(1));
    let now = app.state.services.clock.now();
    let staff = app.staff_token().await;
    app.ok(
        ROOT,
        Some(&staff),
        CONFIRM,
        json!({ "i": { "paymentId": p["id"] } }),
    )
    .await;
    let lines = s.lines(&app).await;
    let starts: chrono::DateTime<chrono::Utc> =
        lines[0]["startsAt"].as_str().unwrap().parse().unwrap();
    let until: chrono::DateTime<chrono::Utc> =
        lines[0]["expiresAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(starts, now, "an expired line starts again when paid");
    assert_eq!(until, now.checked_add_months(Months::new(1)).unwrap());
    let reward = partner_ledger_entry::Entity::find()
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reward.amount_minor, 30_000);
    assert_eq!(reward.kind, partner_ledger_entry::LedgerKind::Reward);

    // The partner renews everything of the client for 3 months: both lines, its discount.
    let all = json!({ "payer": "PARTNER", "partnerId": s.p.id, "renewals": { "clientIds": [s.client], "months": 3 } });
    let q = app
        .ok(ROOT, Some(&s.p.owner), QUOTE, json!({ "i": all }))
        .await["quote"]
        .clone();
    assert_eq!(q["total"], "4500.00");
    assert_eq!(q["items"].as_array().unwrap().len(), 2);
    let want = running_until.checked_add_months(Months::new(3)).unwrap();
    assert_eq!(
        q["items"][1]["expiresAt"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap(),
        want,
        "a running line is extended from its expiry"
    );
    let _ = running;

    // Adding a channel is prorated to the expiry; under 6 days it is refused.
    let add = json!({ "payer": "CLIENT", "channelAdditions": [{ "lineId": lines[1]["id"], "channelKinds": [s.waba] }] });
    let q = app
        .ok(ROOT, Some(&client), QUOTE, json!({ "i": add }))
        .await["quote"]
        .clone();
    assert_eq!(q["items"][0]["remainingDays"], 20);
    // 1000.00 * 12 / 365 * 20 = 657.534.. -> 657.53
    assert_eq!(q["total"], "657.53");
    app.clock_advance(Duration::days(15));
    let r = app
        .post(ROOT, Some(&client), QUOTE, json!({ "i": add }))
        .await;
    assert_eq!(first_code(&r.body), "LINE_EXPIRES_TOO_SOON");
}

#[tokio::test]
async fn another_partner_another_tenant_and_strangers_get_nothing() {
    let app = TestApp::new().await;
    let s = shop(&app, "c", &[(801, 30)]).await;
    let other = partner(&app, ROOT, "d", "GOLD").await;
    let lines = s.lines(&app).await;

    // Another partner: the client and its lines do not exist for it.
    let mut theirs = s.spec_example("PARTNER");
    theirs["partnerId"] = json!(other.id);
    let r = app
        .post(ROOT, Some(&other.owner), QUOTE, json!({ "i": theirs }))
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
    let renew = json!({ "payer": "PARTNER", "partnerId": other.id, "renewals": { "lineIds": [lines[0]["id"]], "months": 1 } });
    let r = app
        .post(ROOT, Some(&other.owner), QUOTE, json!({ "i": renew }))
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
    // Naming the right partner does not help someone who does not act for it.
    let r = app
        .post(
            ROOT,
            Some(&other.owner),
            QUOTE,
            json!({ "i": s.spec_example("PARTNER") }),
        )
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");

    // The partner's order is invisible to the other partner and to a stranger.
    let o = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            CREATE,
            json!({ "i": { "order": s.spec_example("PARTNER") } }),
        )
        .await["createOrder"]["order"]["id"]
        .clone();
    let node = "query($id: ID!) { node(id: $id) { ... on Order { id total } } }";
    let d = app
        .ok(ROOT, Some(&other.owner), node, json!({ "id": o }))
        .await;
    assert!(d["node"].is_null());
    let (stranger, _, _) = app.sign_up(ROOT, "stranger@example.com").await;
    let d = app
        .ok(ROOT, Some(&stranger), node, json!({ "id": o }))
        .await;
    assert!(d["node"].is_null());
    let d = app
        .ok(ROOT, Some(&s.p.owner), node, json!({ "id": o }))
        .await;
    assert_eq!(d["node"]["total"], "116400.00");
    for token in [&other.owner, &stranger] {
        let r = app
            .post(
                ROOT,
                Some(token),
                PAY,
                json!({ "i": { "orderId": o, "method": "INVOICE" } }),
            )
            .await;
        assert_eq!(first_code(&r.body), "NOT_FOUND");
        let r = app
            .post(
                ROOT,
                Some(token),
                "mutation($i: CancelOrderInput!) { cancelOrder(input: $i) { order { status } } }",
                json!({ "i": { "orderId": o } }),
            )
            .await;
        assert_eq!(first_code(&r.body), "NOT_FOUND");
    }
    // A stranger quoting for the client: not found.
    let r = app
        .post(
            ROOT,
            Some(&stranger),
            QUOTE,
            json!({ "i": s.spec_example("CLIENT") }),
        )
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");

    // Another tenant's host does not know the order, the client or the lines.
    let (_, host) = app.tenant("acme").await;
    let (t2, _, _) = app.sign_up(&host, "x@acme.example").await;
    let d = app.ok(&host, Some(&t2), node, json!({ "id": o })).await;
    assert!(d["node"].is_null());
    let r = app.post(&host, Some(&t2), QUOTE, json!({ "i": { "payer": "CLIENT", "renewals": { "lineIds": [lines[0]["id"]], "months": 1 } } })).await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");

    // The payer cancels; a cancelled order is not paid.
    let d = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            "mutation($i: CancelOrderInput!) { cancelOrder(input: $i) { order { status } } }",
            json!({ "i": { "orderId": o } }),
        )
        .await;
    assert_eq!(d["cancelOrder"]["order"]["status"], "CANCELLED");
    let r = app
        .post(
            ROOT,
            Some(&s.p.owner),
            PAY,
            json!({ "i": { "orderId": o, "method": "INVOICE" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "ORDER_NOT_PENDING");
}

#[tokio::test]
async fn an_unpaid_order_expires_after_72_hours() {
    let app = TestApp::new().await;
    let s = shop(&app, "e", &[]).await;
    let o = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            CREATE,
            json!({ "i": { "order": s.spec_example("PARTNER") } }),
        )
        .await["createOrder"]["order"]["id"]
        .clone();
    app.clock_advance(Duration::hours(72));
    let d = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            "query($id: ID!) { node(id: $id) { ... on Order { status } } }",
            json!({ "id": o }),
        )
        .await;
    assert_eq!(d["node"]["status"], "EXPIRED");
    let r = app
        .post(
            ROOT,
            Some(&s.p.owner),
            PAY,
            json!({ "i": { "orderId": o, "method": "INVOICE" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "ORDER_NOT_PENDING");
}

#[tokio::test]
async fn twenty_concurrent_confirmations_and_pay_calls_apply_once() {
    let app = TestApp::new().await;
    let s = shop(&app, "f", &[]).await;
    // Several rounds, each a fresh order and 20 payOrder calls at once with their own keys:
    // one invoice per order. Without the order's row lock two calls of a round both find
    // no open invoice (and the unique index on open payments refuses the second insert),
    // which one round alone does not always show.
    let mut payment = String::new();
    for round in 0..8 {
        let o = app
            .ok(
                ROOT,
                Some(&s.p.owner),
                CREATE,
                json!({ "i": { "order": s.spec_example("PARTNER") } }),
            )
            .await["createOrder"]["order"]["id"]
            .clone();
        let calls: Vec<_> = (0..20)
            .map(|i| {
                app.spawn_post(
                    ROOT,
                    Some(&s.p.owner),
                    PAY,
                    json!({ "i": { "orderId": o, "method": "INVOICE", "idempotencyKey": format!("pay-{round}-{i}") } }),
                )
            })
            .collect();
        let mut ids = std::collections::HashSet::new();
        for c in calls {
            let r = c.await.unwrap();
            ids.insert(
                r.body["data"]["payOrder"]["payment"]["id"]
                    .as_str()
                    .unwrap_or_else(|| panic!("round {round}: {}", r.body))
                    .to_string(),
            );
        }
        assert_eq!(ids.len(), 1, "round {round}: one invoice for one order");
        payment = ids.into_iter().next().unwrap();
    }
    // 20 confirmations at once: one pays.
    let staff = app.staff_token().await;
    let calls: Vec<_> = (0..20)
        .map(|_| {
            app.spawn_post(
                ROOT,
                Some(&staff),
                CONFIRM,
                json!({ "i": { "paymentId": payment } }),
            )
        })
        .collect();
    let mut paid = 0;
    for c in calls {
        let r = c.await.unwrap();
        if r.body["data"]["confirmInvoicePayment"]["order"]["status"] == "PAID" {
            paid += 1;
        } else {
            assert_eq!(first_code(&r.body), "ORDER_NOT_PENDING", "{}", r.body);
        }
    }
    assert_eq!(paid, 1);
    assert_eq!(line::Entity::find().count(app.db()).await.unwrap(), 10);
    assert_eq!(events(&app, "order.paid").await, 1);
}

pub async fn webhook(app: &TestApp, body: &str, signature: Option<&str>) -> Resp {
    app.send(webhook_request(body, signature)).await
}

/// The provider's notification as it reaches `POST /webhooks/payments/stripe`.
pub fn webhook_request(
    body: &str,
    signature: Option<&str>,
) -> axum::http::Request<axum::body::Body> {
    let mut b = axum::http::Request::post("/webhooks/payments/stripe")
        .header("host", ROOT)
        .header("content-type", "application/json");
    if let Some(s) = signature {
        b = b.header("stripe-signature", s);
    }
    b.body(axum::body::Body::from(body.to_string())).unwrap()
}

/// An app whose card payments go to a local Stripe-protocol server, and that server.
pub async fn card_app() -> (partner_gateway::dev::local_stripe::LocalStripe, TestApp) {
    use partner_gateway::config::Secret;
    use partner_gateway::dev::local_stripe::LocalStripe;
    let stripe = LocalStripe::start("sk_test_local", "whsec_local", None)
        .await
        .unwrap();
    let base = stripe.base.clone();
    let app = TestApp::with_config(|c| {
        c.stripe_api_base = base;
        c.stripe_secret_key = Some(Secret("sk_test_local".into()));
        c.stripe_webhook_secret = Some(Secret("whsec_local".into()));
    })
    .await;
    (stripe, app)
}

#[tokio::test]
async fn a_renewal_is_paid_by_card_through_the_providers_signed_webhook_once() {
    let (stripe, app) = card_app().await;
    let s = shop(&app, "g", &[(701, 10)]).await;
    let lines = s.lines(&app).await;
    let before: chrono::DateTime<chrono::Utc> =
        lines[0]["expiresAt"].as_str().unwrap().parse().unwrap();
    let renew = json!({ "payer": "PARTNER", "partnerId": s.p.id, "renewals": { "lineIds": [lines[0]["id"]], "months": 1 } });
    let o = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            CREATE,
            json!({ "i": { "order": renew } }),
        )
        .await["createOrder"]["order"]
        .clone();
    assert_eq!(o["total"], "750.00");
    let p = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            PAY,
            json!({ "i": { "orderId": o["id"], "method": "CARD", "idempotencyKey": "card-1" } }),
        )
        .await["payOrder"]
        .clone();
    assert_eq!(p["payment"]["method"], "CARD");
    assert_eq!(p["payment"]["status"], "PENDING");
    let url = p["payment"]["checkoutUrl"].as_str().unwrap();
    assert!(url.starts_with(&stripe.base), "{url}");
    let session = stripe.session_of_url(url).unwrap();
    assert_eq!(session.amount_total, 75_000);
    assert_eq!(session.currency, "rub");

    let now = app.state.services.clock.now().timestamp();
    let (body, sig) = stripe.signed_event(&session, "checkout.session.completed", now);
    // Unsigned, badly signed, tampered and stale notifications are refused.
    assert_eq!(webhook(&app, &body, None).await.status, 400);
    let wrong = domain::payments::stripe::sign("whsec_other", now, body.as_bytes());
    assert_eq!(webhook(&app, &body, Some(&wrong)).await.status, 400);
    let tampered = body.replace("75000", "100");
    assert_eq!(webhook(&app, &tampered, Some(&sig)).await.status, 400);
    let (old_body, old_sig) =
        stripe.signed_event(&session, "checkout.session.completed", now - 301);
    assert_eq!(webhook(&app, &old_body, Some(&old_sig)).await.status, 400);
    let d = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            "query($id: ID!) { node(id: $id) { ... on Order { status } } }",
            json!({ "id": o["id"] }),
        )
        .await;
    assert_eq!(d["node"]["status"], "PENDING");

    // The signed one pays; a replay, and another event of the same session, change nothing.
    let r = webhook(&app, &body, Some(&sig)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = webhook(&app, &body, Some(&sig)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["duplicate"], true);
    let (again, again_sig) = stripe.signed_event(&session, "checkout.session.completed", now);
    assert_eq!(webhook(&app, &again, Some(&again_sig)).await.status, 200);
    let after: chrono::DateTime<chrono::Utc> = s.lines(&app).await[0]["expiresAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(after, before.checked_add_months(Months::new(1)).unwrap());
    assert_eq!(events(&app, "line.renewed").await, 1);
    let d = app
        .ok(ROOT, Some(&s.p.owner), "query($id: ID!) { node(id: $id) { ... on Order { status payments { status method } } } }", json!({ "id": o["id"] }))
        .await;
    assert_eq!(d["node"]["status"], "PAID");
    assert_eq!(
        d["node"]["payments"],
        json!([{ "status": "SUCCEEDED", "method": "CARD" }])
    );
}

#[tokio::test]
async fn without_a_card_provider_card_payments_are_refused_clearly() {
    let app = TestApp::new().await;
    let s = shop(&app, "h", &[]).await;
    let o = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            CREATE,
            json!({ "i": { "order": s.spec_example("PARTNER") } }),
        )
        .await["createOrder"]["order"]["id"]
        .clone();
    let r = app
        .post(
            ROOT,
            Some(&s.p.owner),
            PAY,
            json!({ "i": { "orderId": o, "method": "CARD" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "PAYMENT_PROVIDER_UNAVAILABLE");
    // Nothing half-written: no payment stayed behind.
    let d = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            "query($id: ID!) { node(id: $id) { ... on Order { payments { id } } } }",
            json!({ "id": o }),
        )
        .await;
    assert_eq!(d["node"]["payments"], json!([]));
    assert_eq!(webhook(&app, "{}", Some("t=1,v1=00")).await.status, 404);
}

#[tokio::test]
async fn order_pages_run_the_same_statements_at_any_size() {
    let app = TestApp::new().await;
    let s = shop(&app, "g", &[]).await;
    let q = "query($p: ID!) { partner(id: $p) { orders(first: 100) { totalCount edges { node { orderNumber total items { kind total } payments { method status } } } } } }";
    let mut counts = Vec::new();
    for (n, upto) in [(0, 2), (2, 30)] {
        for i in n..upto {
            let o = app
                .ok(ROOT, Some(&s.p.owner), CREATE, json!({ "i": { "order": s.spec_example("PARTNER"), "idempotencyKey": format!("o-{i}") } }))
                .await["createOrder"]["order"]["id"]
                .clone();
            app.ok(
                ROOT,
                Some(&s.p.owner),
                PAY,
                json!({ "i": { "orderId": o, "method": "INVOICE" } }),
            )
            .await;
        }
        let before = app.state.statements.get();
        let d = app
            .ok(ROOT, Some(&s.p.owner), q, json!({ "p": s.p.id }))
            .await;
        counts.push(app.state.statements.get() - before);
        let edges = d["partner"]["orders"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), upto as usize);
        assert!(
            edges
                .iter()
                .all(|e| e["node"]["items"].as_array().unwrap().len() == 1
                    && e["node"]["payments"][0]["method"] == "INVOICE")
        );
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");

    // Somebody else's orders: only the account itself, its tenant's admins and staff.
    let client = app
        .set_password_via_link(ROOT, "anna.g@client.example")
        .await;
    let q = "query($u: ID!) { node(id: $u) { ... on User { orders { totalCount } } } }";
    let d = app
        .ok(ROOT, Some(&client), q, json!({ "u": s.client }))
        .await;
    assert_eq!(d["node"]["orders"]["totalCount"], 30);
    // Nor the client's partner, nor a stranger: neither reads the account (the partner
    // reads the orders it placed through `Partner.orders`).
    let r = app
        .post(ROOT, Some(&s.p.owner), q, json!({ "u": s.client }))
        .await;
    assert!(r.body["data"]["node"].is_null(), "{}", r.body);
    let (stranger, _, _) = app.sign_up(ROOT, "nosy@example.com").await;
    let r = app
        .post(ROOT, Some(&stranger), q, json!({ "u": s.client }))
        .await;
    assert!(r.body["data"]["node"].is_null(), "{}", r.body);
    // Staff see it.
    let staff = app.staff_token().await;
    let d = app
        .ok(ROOT, Some(&staff), q, json!({ "u": s.client }))
        .await;
    assert_eq!(d["node"]["orders"]["totalCount"], 30);
}

#[tokio::test]
async fn a_quote_runs_the_same_statements_at_any_number_of_lines() {
    let app = TestApp::new().await;
    let mut counts = Vec::new();
    for (tag, first, n) in [("qa", 700, 2), ("qb", 800, 12)] {
        let lines: Vec<(i64, i64)> = (0..n).map(|i| (first + i, 10 + i)).collect();
        let s = shop(&app, tag, &lines).await;
        let renew = json!({ "payer": "PARTNER", "partnerId": s.p.id,
            "renewals": { "clientIds": [s.client], "months": 3 } });
        let before = app.state.statements.get();
        let q = app
            .ok(ROOT, Some(&s.p.owner), QUOTE, json!({ "i": renew }))
            .await["quote"]
            .clone();
        counts.push(app.state.statements.get() - before);
        // Every line, in line-number order, read whole for `line` only when asked.
        let numbers: Vec<i64> = q["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["line"]["lineNumber"].as_i64().unwrap())
            .collect();
        assert_eq!(numbers, (0..n).map(|i| first + i).collect::<Vec<_>>());
        assert!(
            q["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["kind"] == "RENEWAL" && i["months"] == 3)
        );
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
}

#[tokio::test]
async fn a_provider_outage_leaves_one_open_card_payment_that_a_retry_completes() {
    let (stripe, app) = card_app().await;
    let s = shop(&app, "o", &[]).await;
    let o = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            CREATE,
            json!({ "i": { "order": s.spec_example("PARTNER") } }),
        )
        .await["createOrder"]["order"]["id"]
        .clone();
    let pay = json!({ "i": { "orderId": o, "method": "CARD" } });
    let payments = "query($id: ID!) { node(id: $id) { ... on Order { status payments { method status checkoutUrl } } } }";

    // The provider is down: the caller hears so; the payment stays open, without a URL,
    // and asking again does not open a second one.
    stripe.set_down(true);
    for _ in 0..2 {
        let r = app.post(ROOT, Some(&s.p.owner), PAY, pay.clone()).await;
        assert_eq!(first_code(&r.body), "PAYMENT_PROVIDER_UNAVAILABLE");
    }
    let d = app
        .ok(ROOT, Some(&s.p.owner), payments, json!({ "id": o }))
        .await;
    assert_eq!(
        d["node"]["payments"],
        json!([{ "method": "CARD", "status": "PENDING", "checkoutUrl": null }])
    );

    // It is back: the retry gets the checkout, on the same payment.
    stripe.set_down(false);
    let p = app.ok(ROOT, Some(&s.p.owner), PAY, pay).await["payOrder"]["payment"].clone();
    let url = p["checkoutUrl"].as_str().unwrap().to_string();
    assert!(stripe.session_of_url(&url).is_some(), "{url}");
    let d = app
        .ok(ROOT, Some(&s.p.owner), payments, json!({ "id": o }))
        .await;
    assert_eq!(d["node"]["payments"].as_array().unwrap().len(), 1);
    assert_eq!(d["node"]["payments"][0]["checkoutUrl"], json!(url));
    assert_eq!(d["node"]["status"], "PENDING");
}

#[tokio::test]
async fn an_expired_checkout_fails_its_payment_and_the_next_pay_opens_a_new_one() {
    let (stripe, app) = card_app().await;
    let s = shop(&app, "x", &[]).await;
    let o = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            CREATE,
            json!({ "i": { "order": s.spec_example("PARTNER") } }),
        )
        .await["createOrder"]["order"]["id"]
        .clone();
    let pay = json!({ "i": { "orderId": o, "method": "CARD" } });
    let first =
        app.ok(ROOT, Some(&s.p.owner), PAY, pay.clone()).await["payOrder"]["payment"].clone();
    let session = stripe
        .session_of_url(first["checkoutUrl"].as_str().unwrap())
        .unwrap();
    let now = app.state.services.clock.now().timestamp();

    // The provider reports the checkout expired: that payment fails, the order waits.
    let (body, sig) = stripe.signed_event(&session, "checkout.session.expired", now);
    let r = webhook(&app, &body, Some(&sig)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let q = "query($id: ID!) { node(id: $id) { ... on Order { status payments { status checkoutUrl } } } }";
    let d = app.ok(ROOT, Some(&s.p.owner), q, json!({ "id": o })).await;
    assert_eq!(d["node"]["status"], "PENDING");
    assert_eq!(d["node"]["payments"][0]["status"], "FAILED");

    // An event the gateway does not act on (a refund: issue 9) is acknowledged and
    // changes nothing.
    let (refund, refund_sig) = stripe.signed_event(&session, "charge.refunded", now);
    assert_eq!(webhook(&app, &refund, Some(&refund_sig)).await.status, 200);

    // Paying again opens a new payment with its own checkout.
    let second = app.ok(ROOT, Some(&s.p.owner), PAY, pay).await["payOrder"]["payment"].clone();
    assert_eq!(second["status"], "PENDING");
    assert_ne!(second["checkoutUrl"], first["checkoutUrl"]);
    let d = app.ok(ROOT, Some(&s.p.owner), q, json!({ "id": o })).await;
    assert_eq!(
        d["node"]["payments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["status"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["FAILED", "PENDING"]
    );
    assert!(s.lines(&app).await.is_empty(), "nothing applied");
}

pub const CANCEL: &str =
    "mutation($i: CancelOrderInput!) { cancelOrder(input: $i) { order { status } } }";
pub const ORDER_PAYMENTS: &str = "query($id: ID!) { node(id: $id) { ... on Order { status payments { method status refundRequestedAt refundedAt } } } }";

/// A spec-example order the partner pays, with a card checkout opened: (order id, the
/// checkout's session).
pub async fn card_order(
    app: &TestApp,
    stripe: &partner_gateway::dev::local_stripe::LocalStripe,
    s: &Shop,
) -> (Value, partner_gateway::dev::local_stripe::Session) {
    let o = s.partner_order(app).await;
    let p = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            PAY,
            json!({ "i": { "orderId": o, "method": "CARD" } }),
        )
        .await["payOrder"]["payment"]
        .clone();
    let session = stripe
        .session_of_url(p["checkoutUrl"].as_str().unwrap())
        .unwrap();
    (o, session)
}

#[tokio::test]
async fn cancelling_or_expiring_an_order_closes_its_checkout_at_the_provider() {
    let (stripe, app) = card_app().await;
    let s = shop(&app, "cx", &[]).await;
    let (o, session) = card_order(&app, &stripe, &s).await;
    app.ok(
        ROOT,
        Some(&s.p.owner),
        CANCEL,
        json!({ "i": { "orderId": o } }),
    )
    .await;
    assert!(
        stripe.session(&session.id).unwrap().expired,
        "expired at the provider"
    );
    // The payer can no longer be charged.
    let now = app.state.services.clock.now().timestamp();
    assert!(stripe.pay_without_notifying(&session.id, now).is_none());
    let paid = reqwest::Client::new()
        .post(format!("{}/checkout/{}/pay", stripe.base, session.id))
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 400);

    // An order left unpaid past its 72 hours: the scheduler expires it and its checkout.
    let (o, session) = card_order(&app, &stripe, &s).await;
    app.clock_advance(Duration::hours(72) + Duration::minutes(1));
    domain::jobs::run_due(&app.state.services).await.unwrap();
    let d = app
        .ok(ROOT, Some(&s.p.owner), ORDER_PAYMENTS, json!({ "id": o }))
        .await;
    assert_eq!(d["node"]["status"], "EXPIRED");
    assert_eq!(d["node"]["payments"][0]["status"], "CANCELLED");
    assert!(stripe.session(&session.id).unwrap().expired);
}

/// A card order whose payer completed the checkout while the order was being cancelled:
/// (order id, session, and the provider's completion notification still to deliver).
async fn paid_then_cancelled(
    app: &TestApp,
    stripe: &partner_gateway::dev::local_stripe::LocalStripe,
    s: &Shop,
) -> (
    Value,
    partner_gateway::dev::local_stripe::Session,
    String,
    String,
) {
    let (o, session) = card_order(app, stripe, s).await;
    let now = app.state.services.clock.now().timestamp();
    let (body, sig) = stripe.pay_without_notifying(&session.id, now).unwrap();
    app.ok(
        ROOT,
        Some(&s.p.owner),
        CANCEL,
        json!({ "i": { "orderId": o } }),
    )
    .await;
    (o, session, body, sig)
}

#[tokio::test]
async fn a_card_payment_completed_after_cancelling_is_refunded_once_and_the_payer_told() {
    let (stripe, app) = card_app().await;
    let s = shop(&app, "cr", &[]).await;
    // The payer pays; the provider's notification is still on its way when the order is
    // cancelled (too late to close the checkout: the provider says it is complete).
    let (o, session, body, sig) = paid_then_cancelled(&app, &stripe, &s).await;
    assert!(!stripe.session(&session.id).unwrap().expired);
    let r = webhook(&app, &body, Some(&sig)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Recorded as paid and refunded through the provider; nothing applied.
    let d = app
        .ok(ROOT, Some(&s.p.owner), ORDER_PAYMENTS, json!({ "id": o }))
        .await;
    assert_eq!(d["node"]["status"], "CANCELLED");
    let p = &d["node"]["payments"][0];
    assert_eq!(p["status"], "SUCCEEDED", "{d}");
    assert!(p["refundRequestedAt"].is_string(), "{d}");
    assert!(p["refundedAt"].is_string(), "{d}");
    let refunds = stripe.refunds();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].amount, session.amount_total);
    assert!(s.lines(&app).await.is_empty(), "nothing applied");
    // The same notification again, and another event for the same completion: no second
    // refund.
    let r = webhook(&app, &body, Some(&sig)).await;
    assert_eq!(r.status, 200);
    let (again, again_sig) = stripe.signed_event(
        &stripe.session(&session.id).unwrap(),
        "checkout.session.completed",
        app.state.services.clock.now().timestamp(),
    );
    assert_eq!(webhook(&app, &again, Some(&again_sig)).await.status, 200);
    domain::jobs::run_due(&app.state.services).await.unwrap();
    assert_eq!(stripe.refunds().len(), 1);
    // Audited, and the payer (the partner's owner: the partner paid) is told.
    let staff = app.staff_token().await;
    let log = app
        .ok(
            ROOT,
            Some(&staff),
            "query($a: String) { auditLog(action: $a) { totalCount } }",
            json!({ "a": "payment.refund_due" }),
        )
        .await;
    assert_eq!(log["auditLog"]["totalCount"], 1);
    app.fan_out().await;
    let n = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            "{ viewer { notifications { kind title } } }",
            json!({}),
        )
        .await;
    let refunded: Vec<_> = n["viewer"]["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "PAYMENT_REFUNDED")
        .collect();
    assert_eq!(refunded.len(), 1, "{n}");
    assert!(refunded[0]["title"].as_str().unwrap().contains("refunded"));
}

#[tokio::test]
async fn a_refund_the_provider_refuses_at_first_is_asked_again_by_the_scheduler() {
    let (stripe, app) = card_app().await;
    let s = shop(&app, "crr", &[]).await;
    let (o, _, body, sig) = paid_then_cancelled(&app, &stripe, &s).await;
    stripe.set_down(true);
    assert_eq!(webhook(&app, &body, Some(&sig)).await.status, 200);
    let d = app
        .ok(ROOT, Some(&s.p.owner), ORDER_PAYMENTS, json!({ "id": o }))
        .await;
    assert!(d["node"]["payments"][0]["refundRequestedAt"].is_string());
    assert!(d["node"]["payments"][0]["refundedAt"].is_null());
    stripe.set_down(false);
    app.clock_advance(Duration::minutes(6));
    domain::jobs::run_due(&app.state.services).await.unwrap();
    let d = app
        .ok(ROOT, Some(&s.p.owner), ORDER_PAYMENTS, json!({ "id": o }))
        .await;
    assert!(d["node"]["payments"][0]["refundedAt"].is_string(), "{d}");
    assert_eq!(stripe.refunds().len(), 1);
}
