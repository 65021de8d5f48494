//! A brand's own card payment account (issue 28): the brand's admins configure YooKassa or
//! Stripe credentials, which are checked at the provider, sealed at rest and never
//! returned; the brand's card payments then go to that account, and its notifications
//! (`/webhooks/payments/<provider>/<brand>`) are checked with that account only. YooKassa
//! does not sign notifications: each is read back from its API with the brand's
//! credentials, so one meant for another brand changes nothing.

use axum::body::Body;
use axum::http::Request;
use partner_gateway::dev::local_yookassa::LocalYooKassa;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::orders::{CREATE, PAY, Shop, shop_on};
use crate::support::*;

const CONFIGURE: &str = "mutation($i: ConfigurePaymentProviderInput!) { configurePaymentProvider(input: $i) { provider account secretKeyHint webhookUrl } }";
const ACCOUNT: &str =
    "query($t: ID!) { paymentAccount(tenantId: $t) { provider account secretKeyHint } }";
const KEYS: &str = "k1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";

/// A brand with a partner shop, its admin, its id and host.
struct Brand {
    id: String,
    host: String,
    slug: String,
    admin: String,
    shop: Shop,
}

async fn brand(app: &TestApp, slug: &str) -> Brand {
    brand_in(app, slug, "RUB").await
}

/// A brand counting in `currency`, with a partner shop.
async fn brand_in(app: &TestApp, slug: &str, currency: &str) -> Brand {
    let (id, host) = app.tenant(slug).await;
    let admin = app.tenant_admin_token(slug, &host).await;
    if currency != "RUB" {
        app.ok(
            &host,
            Some(&admin),
            "mutation($i: UpdateTenantInput!) { updateTenant(input: $i) { tenant { currency } } }",
            json!({ "i": { "id": id, "currency": currency } }),
        )
        .await;
    }
    let shop = shop_on(app, &host, slug, &[(701, 10)]).await;
    Brand {
        id,
        host,
        slug: slug.into(),
        admin,
        shop,
    }
}

async fn yookassa_app(keys: Option<&str>) -> (LocalYooKassa, TestApp) {
    let fake = LocalYooKassa::start().await.unwrap();
    let base = fake.base.clone();
    let keys = keys.map(str::to_string);
    let app = TestApp::with_config(|c| {
        c.yookassa_api_base = base;
        c.payment_credentials_keys = keys.map(partner_gateway::config::Secret);
    })
    .await;
    (fake, app)
}

fn yookassa(b: &Brand, shop: &str, key: &str) -> Value {
    json!({ "i": { "tenantId": b.id, "provider": "YOOKASSA", "yookassa": { "shopId": shop, "secretKey": key } } })
}

/// The brand's partner orders the renewal of its client's line and starts a card payment.
async fn card_payment(app: &TestApp, b: &Brand, key: &str) -> (String, Value) {
    let lines = b.shop.lines_on(app, &b.host).await;
    let renew = json!({ "payer": "PARTNER", "partnerId": b.shop.p.id, "renewals": { "lineIds": [lines[0]["id"]], "months": 1 } });
    let o = app
        .ok(
            &b.host,
            Some(&b.shop.p.owner),
            CREATE,
            json!({ "i": { "order": renew } }),
        )
        .await["createOrder"]["order"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let p = app
        .ok(
            &b.host,
            Some(&b.shop.p.owner),
            PAY,
            json!({ "i": { "orderId": o, "method": "CARD", "idempotencyKey": key } }),
        )
        .await["payOrder"]["payment"]
        .clone();
    (o, p)
}

/// `b` takes its card payments into its own shop `shop_id` at the local YooKassa.
async fn own_shop(app: &TestApp, fake: &LocalYooKassa, b: &Brand, shop_id: &str, key: &str) {
    fake.add_shop(shop_id, key, None);
    app.ok(
        &b.host,
        Some(&b.admin),
        CONFIGURE,
        yookassa(b, shop_id, key),
    )
    .await;
}

/// A card payment started on `b`: its order, and the payment as the local YooKassa holds
/// it.
async fn checkout_at(
    app: &TestApp,
    fake: &LocalYooKassa,
    b: &Brand,
    key: &str,
) -> (String, partner_gateway::dev::local_yookassa::Object) {
    let (order, p) = card_payment(app, b, key).await;
    let payment = fake
        .payment_of_url(p["checkoutUrl"].as_str().unwrap())
        .unwrap();
    (order, payment)
}

async fn notify(app: &TestApp, path: &str, body: &str) -> Resp {
    app.send(
        Request::post(path)
            .header("host", ROOT)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

async fn order_status(app: &TestApp, b: &Brand, order: &str) -> Value {
    app.ok(
        &b.host,
        Some(&b.shop.p.owner),
        "query($id: ID!) { node(id: $id) { ... on Order { status payments { status provider refundedAt } } } }",
        json!({ "id": order }),
    )
    .await["node"]
        .clone()
}

#[tokio::test]
async fn a_rouble_brand_is_paid_into_its_own_yookassa_shop_and_only_its_notifications_count() {
    let (fake, app) = yookassa_app(Some(KEYS)).await;
    let a = brand(&app, "rub-a").await;
    let b = brand(&app, "rub-b").await;
    fake.add_shop("100001", "live_secret_a", None);
    fake.add_shop("100002", "live_secret_b", None);

    // A wrong key is refused by the provider and nothing is stored.
    let r = app
        .post(
            &a.host,
            Some(&a.admin),
            CONFIGURE,
            yookassa(&a, "100001", "live_wrong"),
        )
        .await;
    assert_eq!(
        first_code(&r.body),
        "PAYMENT_CREDENTIALS_REFUSED",
        "{}",
        r.body
    );
    assert_eq!(first_field(&r.body), "yookassa.secretKey");
    let r = app
        .post(
            &a.host,
            Some(&a.admin),
            CONFIGURE,
            yookassa(&a, "1000x1", "live_secret_a"),
        )
        .await;
    assert_eq!(first_field(&r.body), "yookassa.shopId");
    let d = app
        .ok(&a.host, Some(&a.admin), ACCOUNT, json!({ "t": a.id }))
        .await;
    assert!(d["paymentAccount"].is_null());

    for (x, shop, key) in [
        (&a, "100001", "live_secret_a"),
        (&b, "100002", "live_secret_b"),
    ] {
        let d = app
            .ok(&x.host, Some(&x.admin), CONFIGURE, yookassa(x, shop, key))
            .await;
        let acc = &d["configurePaymentProvider"];
        assert_eq!(acc["provider"], "YOOKASSA");
        assert_eq!(acc["account"], format!("shop {shop}"));
        assert_eq!(acc["secretKeyHint"], format!("…{}", &key[key.len() - 4..]));
        assert!(
            acc["webhookUrl"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/webhooks/payments/yookassa/{}", x.slug)),
            "{acc}"
        );
        // The secret is nowhere in what is stored or answered.
        assert!(!d.to_string().contains(key));
    }
    let rows = entities::payment_account::Entity::find()
        .all(app.db())
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(row.key_id, "k1");
        assert!(!row.sealed.contains("live_secret"), "{}", row.sealed);
    }

    // Brand A's partner pays by card: the checkout is at A's shop.
    let (order, p) = card_payment(&app, &a, "yk-1").await;
    assert_eq!(p["status"], "PENDING");
    let url = p["checkoutUrl"].as_str().unwrap();
    let payment = fake.payment_of_url(url).unwrap();
    assert_eq!(payment.shop_id, "100001");
    assert_eq!(payment.amount_minor, 75_000);
    assert_eq!(payment.currency, "RUB");
    let body = fake.pay_without_notifying(&payment.id).unwrap();

    // Sent to brand B's address, read back with B's credentials: not B's, nothing changes.
    let r = notify(
        &app,
        &format!("/webhooks/payments/yookassa/{}", b.slug),
        &body,
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
    // The platform has no YooKassa account; an unknown brand is not found.
    assert_eq!(
        notify(&app, "/webhooks/payments/yookassa", &body)
            .await
            .status,
        404
    );
    assert_eq!(
        notify(&app, "/webhooks/payments/yookassa/nobody", &body)
            .await
            .status,
        404
    );
    // A notification claiming success for a payment the API says is pending is refused.
    let (_, pending) = checkout_at(&app, &fake, &a, "yk-2").await;
    let forged = fake.notification(&pending.id, "payment.succeeded").unwrap();
    let r = notify(
        &app,
        &format!("/webhooks/payments/yookassa/{}", a.slug),
        &forged,
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let st = order_status(&app, &a, &order).await;
    assert_eq!(st["status"], "PENDING");

    // While YooKassa's API is down the notification cannot be checked: 503, delivered again.
    fake.set_down(true);
    let r = notify(
        &app,
        &format!("/webhooks/payments/yookassa/{}", a.slug),
        &body,
    )
    .await;
    assert_eq!(r.status, 503);
    fake.set_down(false);

    // To A's address it is confirmed and pays, once: 20 copies at once, then a replay.
    let path = format!("/webhooks/payments/yookassa/{}", a.slug);
    let copies: Vec<_> = (0..20)
        .map(|_| {
            app.spawn_send(
                Request::post(path.as_str())
                    .header("host", ROOT)
                    .header("content-type", "application/json")
                    .body(Body::from(body.clone()))
                    .unwrap(),
            )
        })
        .collect();
    let mut handled = 0;
    for c in copies {
        let r = c.await.unwrap();
        assert_eq!(r.status, 200, "{}", r.body);
        if r.body["duplicate"] != true {
            handled += 1;
        }
    }
    assert_eq!(handled, 1);
    let r = notify(&app, &path, &body).await;
    assert_eq!(r.body["duplicate"], true);
    assert_eq!(crate::orders::events(&app, "line.renewed").await, 1);
    let st = order_status(&app, &a, &order).await;
    assert_eq!(st["status"], "PAID");
    assert_eq!(st["payments"][0]["provider"], "YOOKASSA");
    assert_eq!(st["payments"][0]["status"], "SUCCEEDED");
    assert!(fake.refunds().is_empty());
}

#[tokio::test]
async fn a_cancelled_orders_yookassa_payment_completed_late_is_refunded_once() {
    let (fake, app) = yookassa_app(Some(KEYS)).await;
    let a = brand(&app, "rub-c").await;
    own_shop(&app, &fake, &a, "100003", "live_secret_c").await;
    let (order, payment) = checkout_at(&app, &fake, &a, "yk-3").await;
    let d = app
        .ok(
            &a.host,
            Some(&a.shop.p.owner),
            "mutation($i: CancelOrderInput!) { cancelOrder(input: $i) { order { status } } }",
            json!({ "i": { "orderId": order } }),
        )
        .await;
    assert_eq!(d["cancelOrder"]["order"]["status"], "CANCELLED");
    // YooKassa cannot cancel a pending payment on request: it stays open until it expires
    // there, and the checkout is not marked closed.
    let row = entities::payment::Entity::find()
        .filter(entities::payment::Column::ProviderRef.eq(payment.id.as_str()))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert!(row.checkout_closed_at.is_none());
    assert!(row.payment_account_id.is_some());

    // The payer completes it anyway: the money goes back, once, through the brand's shop.
    let body = fake.pay_without_notifying(&payment.id).unwrap();
    let path = format!("/webhooks/payments/yookassa/{}", a.slug);
    assert_eq!(notify(&app, &path, &body).await.status, 200);
    assert_eq!(notify(&app, &path, &body).await.status, 200);
    let refunds = fake.refunds();
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(refunds[0].shop_id, "100003");
    assert_eq!(refunds[0].amount_minor, 75_000);
    let st = order_status(&app, &a, &order).await;
    assert_eq!(st["status"], "CANCELLED");
    assert!(st["payments"][0]["refundedAt"].is_string(), "{st}");
    // The refund's own notification is confirmed and changes nothing.
    let refund_note = fake
        .notification(&refunds[0].id, "refund.succeeded")
        .unwrap();
    assert_eq!(notify(&app, &path, &refund_note).await.status, 200);
    assert_eq!(fake.refunds().len(), 1);

    // An expired checkout: YooKassa cancels it and tells the brand; the payment fails.
    let (order2, pay2) = checkout_at(&app, &fake, &a, "yk-4").await;
    assert!(fake.expire(&pay2.id).await);
    let canceled = fake.notification(&pay2.id, "payment.canceled").unwrap();
    assert_eq!(notify(&app, &path, &canceled).await.status, 200);
    let st = order_status(&app, &a, &order2).await;
    assert_eq!(st["payments"][0]["status"], "FAILED");
}

#[tokio::test]
async fn credentials_are_refused_without_a_key_in_production_and_only_admins_manage_them() {
    let (fake, app) = yookassa_app(None).await;
    let a = brand(&app, "rub-d").await;
    fake.add_shop("100004", "live_secret_d", None);
    let r = app
        .post(
            &a.host,
            Some(&a.admin),
            CONFIGURE,
            yookassa(&a, "100004", "live_secret_d"),
        )
        .await;
    assert_eq!(first_code(&r.body), "CREDENTIALS_KEY_MISSING", "{}", r.body);
    assert!(
        entities::payment_account::Entity::find()
            .all(app.db())
            .await
            .unwrap()
            .is_empty()
    );

    let (fake, app) = yookassa_app(Some(KEYS)).await;
    let a = brand(&app, "rub-e").await;
    let other = brand(&app, "rub-f").await;
    fake.add_shop("100005", "live_secret_e", None);
    // The partner, and another brand's admin, may not.
    let r = app
        .post(
            &a.host,
            Some(&a.shop.p.owner),
            CONFIGURE,
            yookassa(&a, "100005", "live_secret_e"),
        )
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN", "{}", r.body);
    let r = app
        .post(
            &other.host,
            Some(&other.admin),
            CONFIGURE,
            yookassa(&a, "100005", "live_secret_e"),
        )
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND", "{}", r.body);
    let r = app
        .post(
            &other.host,
            Some(&other.admin),
            ACCOUNT,
            json!({ "t": a.id }),
        )
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND", "{}", r.body);
    // A euro brand cannot take YooKassa.
    let eur = brand(&app, "eur-g").await;
    app.ok(
        &eur.host,
        Some(&eur.admin),
        "mutation($i: UpdateTenantInput!) { updateTenant(input: $i) { tenant { currency } } }",
        json!({ "i": { "id": eur.id, "currency": "EUR" } }),
    )
    .await;
    let r = app
        .post(
            &eur.host,
            Some(&eur.admin),
            CONFIGURE,
            yookassa(&eur, "100005", "live_secret_e"),
        )
        .await;
    assert_eq!(first_code(&r.body), "CURRENCY_NOT_SUPPORTED", "{}", r.body);
    // Staff may; then the brand's admin removes it and the brand is back on the platform.
    // While its own YooKassa shop takes its cards, the brand cannot leave roubles.
    let staff = app.staff_token().await;
    app.ok(
        ROOT,
        Some(&staff),
        CONFIGURE,
        yookassa(&a, "100005", "live_secret_e"),
    )
    .await;
    let r = app
        .post(
            &a.host,
            Some(&a.admin),
            "mutation($i: UpdateTenantInput!) { updateTenant(input: $i) { tenant { currency } } }",
            json!({ "i": { "id": a.id, "currency": "EUR" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "CURRENCY_NOT_SUPPORTED", "{}", r.body);
    assert_eq!(first_field(&r.body), "currency");
    let d = app
        .ok(
            &a.host,
            Some(&a.admin),
            "mutation($t: ID!) { removePaymentProvider(tenantId: $t) }",
            json!({ "t": a.id }),
        )
        .await;
    assert_eq!(d["removePaymentProvider"], true);
    let d = app
        .ok(&a.host, Some(&a.admin), ACCOUNT, json!({ "t": a.id }))
        .await;
    assert!(d["paymentAccount"].is_null());
    let r = app
        .post(
            &a.host,
            Some(&a.shop.p.owner),
            PAY,
            json!({ "i": { "orderId": a.shop.partner_order_on(&app, &a.host).await, "method": "CARD" } }),
        )
        .await;
    assert_eq!(
        first_code(&r.body),
        "PAYMENT_PROVIDER_UNAVAILABLE",
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_rotated_key_reseals_credentials_and_payments_keep_working() {
    let (fake, app) = yookassa_app(Some(KEYS)).await;
    let a = brand(&app, "rub-h").await;
    own_shop(&app, &fake, &a, "100006", "live_secret_h").await;
    let before = entities::payment_account::Entity::find()
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    // A new key goes in front; the old one stays to open what it sealed.
    let rotated = app
        .instance_with(|c| {
            c.payment_credentials_keys = Some(partner_gateway::config::Secret(format!(
                "k2:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=,{KEYS}"
            )))
        })
        .await;
    assert_eq!(
        domain::payments::routing::reseal(&rotated.services)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        domain::payments::routing::reseal(&rotated.services)
            .await
            .unwrap(),
        0
    );
    let after = entities::payment_account::Entity::find()
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.key_id, "k2");
    assert_ne!(after.sealed, before.sealed);
    // The rotated instance takes a payment into the brand's shop.
    let router = partner_gateway::app(rotated.clone());
    let lines = a.shop.lines_on(&app, &a.host).await;
    let renew = json!({ "payer": "PARTNER", "partnerId": a.shop.p.id, "renewals": { "lineIds": [lines[0]["id"]], "months": 1 } });
    let body = json!({ "query": CREATE, "variables": { "i": { "order": renew } } });
    let r = send_to(
        &router,
        graphql_request(&a.host, Some(&a.shop.p.owner), &body),
    )
    .await;
    let order = r.body["data"]["createOrder"]["order"]["id"].clone();
    let body =
        json!({ "query": PAY, "variables": { "i": { "orderId": order, "method": "CARD" } } });
    let r = send_to(
        &router,
        graphql_request(&a.host, Some(&a.shop.p.owner), &body),
    )
    .await;
    let url = r.body["data"]["payOrder"]["payment"]["checkoutUrl"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.body))
        .to_string();
    assert_eq!(fake.payment_of_url(&url).unwrap().shop_id, "100006");
}

#[tokio::test]
async fn a_euro_brand_is_paid_into_its_own_stripe_account_signed_with_its_own_secret() {
    use partner_gateway::dev::local_stripe::LocalStripe;
    let stripe = LocalStripe::start("sk_test_platform", "whsec_platform", None)
        .await
        .unwrap();
    stripe.add_account("sk_test_eurochat", "whsec_eurochat", None);
    let base = stripe.base.clone();
    let app = TestApp::with_config(|c| {
        c.stripe_api_base = base;
        c.stripe_secret_key = Some(partner_gateway::config::Secret("sk_test_platform".into()));
        c.stripe_webhook_secret = Some(partner_gateway::config::Secret("whsec_platform".into()));
        c.payment_credentials_keys = Some(partner_gateway::config::Secret(KEYS.into()));
    })
    .await;
    let eu = brand_in(&app, "eurochat", "EUR").await;
    let stripe_input = |key: &str| json!({ "i": { "tenantId": eu.id, "provider": "STRIPE", "stripe": { "secretKey": key, "webhookSecret": "whsec_eurochat" } } });
    // An unknown key is refused by Stripe; credentials of the other provider are refused
    // by field.
    let r = app
        .post(
            &eu.host,
            Some(&eu.admin),
            CONFIGURE,
            stripe_input("sk_test_unknown"),
        )
        .await;
    assert_eq!(
        first_code(&r.body),
        "PAYMENT_CREDENTIALS_REFUSED",
        "{}",
        r.body
    );
    assert_eq!(first_field(&r.body), "stripe.secretKey");
    let mismatched = json!({ "i": { "tenantId": eu.id, "provider": "STRIPE", "yookassa": { "shopId": "1", "secretKey": "live_x" } } });
    let r = app
        .post(&eu.host, Some(&eu.admin), CONFIGURE, mismatched)
        .await;
    assert_eq!(first_code(&r.body), "BAD_USER_INPUT", "{}", r.body);
    assert_eq!(first_field(&r.body), "stripe");
    let d = app
        .ok(
            &eu.host,
            Some(&eu.admin),
            CONFIGURE,
            stripe_input("sk_test_eurochat"),
        )
        .await;
    assert_eq!(d["configurePaymentProvider"]["provider"], "STRIPE");
    assert_eq!(d["configurePaymentProvider"]["account"], "Stripe (test)");
    assert_eq!(d["configurePaymentProvider"]["secretKeyHint"], "…chat");

    let (order, p) = card_payment(&app, &eu, "st-1").await;
    let session = stripe
        .session_of_url(p["checkoutUrl"].as_str().unwrap())
        .unwrap();
    assert_eq!(session.account, "sk_test_eurochat");
    assert_eq!(session.currency, "eur");
    let now = app.state.services.clock.now().timestamp();
    let (body, sig) = stripe.pay_without_notifying(&session.id, now).unwrap();
    let send = |path: &str, sig: String| {
        Request::post(path.to_string())
            .header("host", ROOT)
            .header("content-type", "application/json")
            .header("stripe-signature", sig)
            .body(Body::from(body.clone()))
            .unwrap()
    };
    // The brand's event at the platform's endpoint, or signed with the platform's secret
    // at the brand's: refused, nothing changes.
    let r = app
        .send(send("/webhooks/payments/stripe", sig.clone()))
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let forged = domain::payments::stripe::sign("whsec_platform", now, body.as_bytes());
    let path = format!("/webhooks/payments/stripe/{}", eu.slug);
    let r = app.send(send(&path, forged)).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(order_status(&app, &eu, &order).await["status"], "PENDING");
    // Signed with the brand's own secret, but for a session that is not paid: the session
    // read back with the brand's key says otherwise, nothing changes.
    let (_, p2) = card_payment(&app, &eu, "st-2").await;
    let unpaid = stripe
        .session_of_url(p2["checkoutUrl"].as_str().unwrap())
        .unwrap();
    let forged_body = json!({ "id": "evt_forged", "type": "checkout.session.completed", "data": { "object": {
        "id": unpaid.id, "payment_status": "paid", "amount_total": unpaid.amount_total, "currency": "eur" } } })
    .to_string();
    let forged_sig = domain::payments::stripe::sign("whsec_eurochat", now, forged_body.as_bytes());
    let r = app
        .send(
            Request::post(path.as_str())
                .header("host", ROOT)
                .header("content-type", "application/json")
                .header("stripe-signature", forged_sig)
                .body(Body::from(forged_body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    // Signed with the brand's own secret at its own endpoint: paid, once.
    let r = app.send(send(&path, sig.clone())).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app.send(send(&path, sig.clone())).await;
    assert_eq!(r.body["duplicate"], true);
    let st = order_status(&app, &eu, &order).await;
    assert_eq!(st["status"], "PAID");
    assert_eq!(st["payments"][0]["provider"], "STRIPE");
    // The platform's own brand still pays into the platform's account.
    let root = shop_on(&app, ROOT, "stp-root", &[(701, 10)]).await;
    let lines = root.lines_on(&app, ROOT).await;
    let renew = json!({ "payer": "PARTNER", "partnerId": root.p.id, "renewals": { "lineIds": [lines[0]["id"]], "months": 1 } });
    let o = app
        .ok(
            ROOT,
            Some(&root.p.owner),
            CREATE,
            json!({ "i": { "order": renew } }),
        )
        .await["createOrder"]["order"]["id"]
        .clone();
    let p = app
        .ok(
            ROOT,
            Some(&root.p.owner),
            PAY,
            json!({ "i": { "orderId": o, "method": "CARD" } }),
        )
        .await;
    let url = p["payOrder"]["payment"]["checkoutUrl"].as_str().unwrap();
    assert_eq!(
        stripe.session_of_url(url).unwrap().account,
        "sk_test_platform"
    );
}

#[tokio::test]
async fn yookassa_notifications_can_be_taken_only_from_its_addresses() {
    let fake = LocalYooKassa::start().await.unwrap();
    let base = fake.base.clone();
    let app = TestApp::with_config(|c| {
        c.yookassa_api_base = base;
        c.payment_credentials_keys = Some(partner_gateway::config::Secret(KEYS.into()));
        c.yookassa_notification_sources = "203.0.113.0/24, 2001:db8::1".into();
        c.trusted_proxies = "127.0.0.1".into();
    })
    .await;
    let a = brand(&app, "rub-src").await;
    own_shop(&app, &fake, &a, "100007", "live_secret_src").await;
    let (order, payment) = checkout_at(&app, &fake, &a, "yk-src").await;
    let body = fake.pay_without_notifying(&payment.id).unwrap();
    let path = format!("/webhooks/payments/yookassa/{}", a.slug);
    let from = |client: Option<&str>| {
        let mut b = Request::post(path.as_str())
            .header("host", ROOT)
            .header("content-type", "application/json");
        if let Some(ip) = client {
            b = b.header("x-forwarded-for", ip);
        }
        b.body(Body::from(body.clone())).unwrap()
    };
    // The balancer itself, and a client outside the list: refused before anything is read.
    assert_eq!(app.send(from(None)).await.status, 403);
    assert_eq!(app.send(from(Some("198.51.100.9"))).await.status, 403);
    assert_eq!(order_status(&app, &a, &order).await["status"], "PENDING");
    // From YooKassa's addresses (through the trusted balancer): taken.
    let r = app.send(from(Some("203.0.113.7"))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(order_status(&app, &a, &order).await["status"], "PAID");
    // The published list parses.
    let mut cfg = partner_gateway::Config::defaults();
    cfg.yookassa_notification_sources = "published".into();
    let sources = cfg.notification_sources().unwrap();
    assert!(sources["yookassa"].contains("185.71.76.10".parse().unwrap()));
    assert!(!sources["yookassa"].contains("127.0.0.1".parse().unwrap()));
}

#[tokio::test]
async fn a_shop_saved_again_with_a_new_key_still_confirms_payments_taken_before() {
    let (fake, app) = yookassa_app(Some(KEYS)).await;
    let a = brand(&app, "rub-rot").await;
    own_shop(&app, &fake, &a, "100008", "live_secret_old").await;
    let (order, payment) = checkout_at(&app, &fake, &a, "yk-rot").await;
    // The brand rotates its secret key at YooKassa (the old one stops working) and saves
    // the new one; then the payer pays the checkout opened before.
    own_shop(&app, &fake, &a, "100008", "live_secret_new").await;
    let body = fake.pay_without_notifying(&payment.id).unwrap();
    let path = format!("/webhooks/payments/yookassa/{}", a.slug);
    let r = notify(&app, &path, &body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(order_status(&app, &a, &order).await["status"], "PAID");
    // A reference the brand has no payment of is refused without telling why.
    let unknown = body.replace(&payment.id, "2f000000-000f-5000-9000-000000000000");
    let r = notify(&app, &path, &unknown).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({ "error": "the notification was not accepted" })
    );
    // An event this gateway does not subscribe to is refused and not recorded.
    let other = body.replace("payment.succeeded", "payout.succeeded");
    assert_eq!(notify(&app, &path, &other).await.status, 400);
}
