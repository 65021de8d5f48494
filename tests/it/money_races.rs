//! Races on the money path, with real concurrent requests (meant for PostgreSQL, where
//! they run in parallel; SQLite serialises writers and passes them trivially): each would
//! apply, pay or refund twice, or overdraw, without the lock or condition it names.

use entities::{line, payment_provider_event};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::ledger::{BALANCE, REFUND, REQUEST, SAVE_REQ, requisites, withdrawable_reward};
use crate::orders::{
    CONFIRM, CREATE, ORDER_PAYMENTS, PAY, card_app, card_order, events, shop, webhook,
    webhook_request,
};
use crate::support::*;

/// The same signed notification delivered 20 times at once is applied once: the provider
/// event's unique key (`payment_provider_events`) and the payment's claim
/// (`PENDING -> SUCCEEDED`) let one delivery through.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_notification_delivered_twenty_times_at_once_pays_once() {
    let (stripe, app) = card_app().await;
    let s = shop(&app, "n20", &[]).await;
    for round in 0..3 {
        let (o, session) = card_order(&app, &stripe, &s).await;
        let now = app.state.services.clock.now().timestamp();
        let (body, sig) = stripe.pay_without_notifying(&session.id, now).unwrap();
        let calls: Vec<_> = (0..20)
            .map(|_| app.spawn_send(webhook_request(&body, Some(&sig))))
            .collect();
        for c in calls {
            let r = c.await.unwrap();
            assert_eq!(r.status, 200, "round {round}: {}", r.body);
        }
        let d = app
            .ok(ROOT, Some(&s.p.owner), ORDER_PAYMENTS, json!({ "id": o }))
            .await;
        assert_eq!(d["node"]["status"], "PAID", "round {round}");
        assert_eq!(events(&app, "order.paid").await, round + 1, "round {round}");
        assert_eq!(
            line::Entity::find().count(app.db()).await.unwrap(),
            10 * (round + 1),
            "round {round}: the lines once"
        );
    }
    assert_eq!(
        payment_provider_event::Entity::find()
            .count(app.db())
            .await
            .unwrap(),
        3
    );
    assert!(stripe.refunds().is_empty());
}

/// A card completion racing `confirmInvoicePayment` of the same order: one pays it, and
/// a card that lost is refunded (an invoice that lost is refused and rolls back).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_card_completion_racing_an_invoice_confirmation_pays_once_and_refunds_the_loser() {
    let (stripe, app) = card_app().await;
    let s = shop(&app, "ci", &[]).await;
    let staff = app.staff_token().await;
    let rounds = 6;
    let mut card_lost = 0;
    for round in 0..rounds {
        let o = s.partner_order(&app).await;
        let invoice = app
            .ok(
                ROOT,
                Some(&s.p.owner),
                PAY,
                json!({ "i": { "orderId": o, "method": "INVOICE" } }),
            )
            .await["payOrder"]["payment"]["id"]
            .clone();
        let card = app
            .ok(
                ROOT,
                Some(&s.p.owner),
                PAY,
                json!({ "i": { "orderId": o, "method": "CARD" } }),
            )
            .await["payOrder"]["payment"]["checkoutUrl"]
            .clone();
        let session = stripe.session_of_url(card.as_str().unwrap()).unwrap();
        let now = app.state.services.clock.now().timestamp();
        let (body, sig) = stripe.pay_without_notifying(&session.id, now).unwrap();
        let confirm = app.spawn_post(
            ROOT,
            Some(&staff),
            CONFIRM,
            json!({ "i": { "paymentId": invoice } }),
        );
        let notified = app.spawn_send(webhook_request(&body, Some(&sig)));
        let confirmed = confirm.await.unwrap();
        assert_eq!(notified.await.unwrap().status, 200);
        let d = app
            .ok(ROOT, Some(&s.p.owner), ORDER_PAYMENTS, json!({ "id": o }))
            .await;
        assert_eq!(d["node"]["status"], "PAID", "round {round}: {d}");
        assert_eq!(events(&app, "order.paid").await, round + 1, "round {round}");
        let card_payment = d["node"]["payments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["method"] == "CARD")
            .unwrap()
            .clone();
        assert_eq!(card_payment["status"], "SUCCEEDED", "{d}");
        if confirmed.body["errors"].is_null() {
            // The invoice won: the card is refunded.
            assert!(card_payment["refundedAt"].is_string(), "round {round}: {d}");
            card_lost += 1;
        } else {
            assert_eq!(first_code(&confirmed.body), "ORDER_NOT_PENDING");
            assert!(
                card_payment["refundRequestedAt"].is_null(),
                "round {round}: {d}"
            );
        }
        assert_eq!(stripe.refunds().len(), card_lost, "round {round}");
    }
    assert_eq!(
        line::Entity::find().count(app.db()).await.unwrap(),
        10 * rounds
    );
}

/// A `BONUS_BALANCE` payment racing a withdrawal of the same partner never overdraws:
/// both lock the partner's row before reading the balance.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn paying_from_the_balance_racing_a_withdrawal_never_overdraws() {
    let app = TestApp::new().await;
    for round in 0..4 {
        let s = shop(&app, &format!("bw{round}"), &[(810 + round, 10)]).await;
        app.ok(
            ROOT,
            Some(&s.p.owner),
            SAVE_REQ,
            json!({ "i": requisites(&s.p.id) }),
        )
        .await;
        // 5500.00 withdrawable: a 5000.00 withdrawal or a 750.00 renewal, not both.
        withdrawable_reward(&app, &s.p.id, 550_000).await;
        let line = s.lines(&app).await[0].clone();
        let renew = json!({ "payer": "PARTNER", "partnerId": s.p.id, "renewals": { "lineIds": [line["id"]], "months": 1 } });
        let o = app
            .ok(
                ROOT,
                Some(&s.p.owner),
                CREATE,
                json!({ "i": { "order": renew } }),
            )
            .await["createOrder"]["order"]["id"]
            .clone();
        let pay = app.spawn_post(
            ROOT,
            Some(&s.p.owner),
            PAY,
            json!({ "i": { "orderId": o, "method": "BONUS_BALANCE" } }),
        );
        let withdraw = app.spawn_post(
            ROOT,
            Some(&s.p.owner),
            REQUEST,
            json!({ "i": { "partnerId": s.p.id, "amount": "5000.00" } }),
        );
        let (pay, withdraw) = (pay.await.unwrap(), withdraw.await.unwrap());
        let won = [&pay, &withdraw]
            .iter()
            .filter(|r| r.body["errors"].is_null())
            .count();
        assert_eq!(won, 1, "round {round}: {} / {}", pay.body, withdraw.body);
        for r in [&pay, &withdraw] {
            if !r.body["errors"].is_null() {
                assert_eq!(first_code(&r.body), "INSUFFICIENT_BALANCE", "{}", r.body);
            }
        }
        let b = app
            .ok(ROOT, Some(&s.p.owner), BALANCE, json!({ "p": s.p.id }))
            .await;
        let rewards = b["partner"]["balance"]["rewards"].as_str().unwrap();
        let withdrawable = b["partner"]["balance"]["withdrawable"].as_str().unwrap();
        assert!(!rewards.starts_with('-'), "round {round}: {b}");
        assert!(!withdrawable.starts_with('-'), "round {round}: {b}");
    }
}

/// Two `refundOrder` of one order at once: one refund (the order's row lock and its
/// `PAID -> REFUNDED` move), one card refund at the provider.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_refunds_of_one_order_at_once_refund_once() {
    let (stripe, app) = card_app().await;
    let s = shop(&app, "rr", &[]).await;
    let staff = app.staff_token().await;
    for round in 0..4 {
        let (o, session) = card_order(&app, &stripe, &s).await;
        let now = app.state.services.clock.now().timestamp();
        let (body, sig) = stripe.pay_without_notifying(&session.id, now).unwrap();
        assert_eq!(webhook(&app, &body, Some(&sig)).await.status, 200);
        let calls: Vec<_> = (0..2)
            .map(|i| {
                app.spawn_post(
                    ROOT,
                    Some(&staff),
                    REFUND,
                    json!({ "i": { "orderId": o, "reason": format!("round {round} call {i}") } }),
                )
            })
            .collect();
        let mut refunded = 0;
        for c in calls {
            let r = c.await.unwrap();
            if r.body["errors"].is_null() {
                refunded += 1;
            } else {
                assert_eq!(first_code(&r.body), "ORDER_NOT_PAID", "{}", r.body);
            }
        }
        assert_eq!(refunded, 1, "round {round}");
        assert_eq!(events(&app, "order.refunded").await, round + 1);
        assert_eq!(stripe.refunds().len() as u64, round + 1, "round {round}");
    }
}

/// A completion that arrives after the order was cancelled, delivered 20 times at once:
/// refunded once (the event's unique key, and the payment's claim of its refund).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_late_completion_delivered_twenty_times_at_once_is_refunded_once() {
    let (stripe, app) = card_app().await;
    let s = shop(&app, "lr", &[]).await;
    for round in 0..3 {
        let (o, session) = card_order(&app, &stripe, &s).await;
        let now = app.state.services.clock.now().timestamp();
        let (body, sig) = stripe.pay_without_notifying(&session.id, now).unwrap();
        app.ok(
            ROOT,
            Some(&s.p.owner),
            crate::orders::CANCEL,
            json!({ "i": { "orderId": o } }),
        )
        .await;
        let calls: Vec<_> = (0..20)
            .map(|_| app.spawn_send(webhook_request(&body, Some(&sig))))
            .collect();
        for c in calls {
            assert_eq!(c.await.unwrap().status, 200, "round {round}");
        }
        let d = app
            .ok(ROOT, Some(&s.p.owner), ORDER_PAYMENTS, json!({ "id": o }))
            .await;
        assert_eq!(d["node"]["status"], "CANCELLED", "round {round}");
        assert!(d["node"]["payments"][0]["refundedAt"].is_string(), "{d}");
        assert_eq!(
            stripe.refunds().len(),
            round + 1,
            "round {round}: one refund"
        );
    }
    assert_eq!(events(&app, "payment.refund_due").await, 3);
    assert_eq!(line::Entity::find().count(app.db()).await.unwrap(), 0);
}
