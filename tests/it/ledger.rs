//! The partner's money end to end: rewards pending then withdrawable, payout requisites,
//! withdrawals through their states, review bonuses spent on lines (never withdrawn),
//! paying from the balance all or nothing, refunds that undo an order and reverse its
//! reward (a withdrawn reward is paid back by later rewards), isolation, and never
//! overdrawing under 100 concurrent requests on PostgreSQL.

use chrono::Duration;
use entities::partner_ledger_entry::{self as entry, LedgerKind};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::{Value, json};

use crate::orders::{CONFIRM, CREATE, PAY, Shop, card_app, events, shop, webhook};
use crate::support::*;

pub const BALANCE: &str = "query($p: ID!) { partner(id: $p) { balance { currency rewards bonuses held pending withdrawable spendable } } }";
pub const LEDGER: &str = "query($p: ID!, $k: [LedgerEntryKind!]) { partner(id: $p) { ledger(kinds: $k) { totalCount edges { node { kind pot amount orderNumber withdrawalId reason pending } } } } }";
pub const SAVE_REQ: &str = "mutation($i: SavePayoutRequisitesInput!) { savePayoutRequisites(input: $i) { requisites { ... on RuBankRequisites { legalName inn kpp bic settlementAccount correspondentAccount } } } }";
pub const REQUEST: &str = "mutation($i: RequestWithdrawalInput!) { requestWithdrawal(input: $i) { withdrawal { id number status amount currency requisites { ... on RuBankRequisites { inn settlementAccount } } } } }";
pub const DOCS: &str = "mutation($i: WithdrawalInput!) { markWithdrawalDocumentsSent(input: $i) { withdrawal { status documentsSentAt } } }";
pub const APPROVE: &str = "mutation($i: WithdrawalInput!) { approveWithdrawal(input: $i) { withdrawal { status approvedAt } } }";
pub const PAY_OUT: &str =
    "mutation($i: WithdrawalInput!) { payWithdrawal(input: $i) { withdrawal { status paidAt } } }";
pub const REJECT: &str = "mutation($i: RejectWithdrawalInput!) { rejectWithdrawal(input: $i) { withdrawal { status rejectionReason } } }";
pub const BONUS: &str = "mutation($i: GrantReviewBonusInput!) { grantReviewBonus(input: $i) { entry { kind pot amount reason } } }";
pub const REFUND: &str = "mutation($i: RefundOrderInput!) { refundOrder(input: $i) { order { status refundedAt refundReason payments { method refundRequestedAt refundedAt } } } }";

/// Real requisites (Sberbank's BIC and correspondent account, a valid account key).
pub fn requisites(partner: &str) -> Value {
    json!({ "partnerId": partner, "ruBank": { "legalName": "ООО Ромашка", "inn": "7707083893", "kpp": "773601001",
        "bankName": "ПАО Сбербанк", "bic": "044525225", "settlementAccount": "40702810938000012345",
        "correspondentAccount": "30101810400000000225" } })
}

async fn balance(app: &TestApp, token: &str, p: &str) -> Value {
    app.ok(ROOT, Some(token), BALANCE, json!({ "p": p })).await["partner"]["balance"].clone()
}

/// The SPEC example ordered by the partner for its client, paid by the client's invoice
/// and confirmed by staff: the partner earns 46560.00. The order's id.
pub async fn client_paid_order(app: &TestApp, s: &Shop, client: &str, staff: &str) -> String {
    let o = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            CREATE,
            json!({ "i": { "order": s.spec_example("CLIENT") } }),
        )
        .await["createOrder"]["order"]
        .clone();
    let p = app
        .ok(
            ROOT,
            Some(client),
            PAY,
            json!({ "i": { "orderId": o["id"], "method": "INVOICE" } }),
        )
        .await["payOrder"]["payment"]
        .clone();
    app.ok(
        ROOT,
        Some(staff),
        CONFIRM,
        json!({ "i": { "paymentId": p["id"] } }),
    )
    .await;
    o["id"].as_str().unwrap().to_string()
}

/// A signed-up user made a member of `org` with `role`; their token.
pub async fn member(app: &TestApp, org: &str, email: &str, role: &str) -> String {
    let (token, _, id) = app.sign_up(ROOT, email).await;
    let org_row = entities::organization::Entity::find_by_id(raw(org))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    let now = entities::time::now();
    entities::organization_member::ActiveModel {
        tenant_id: Set(org_row.tenant_id),
        organization_id: Set(org_row.id),
        user_id: Set(raw(&id)),
        role: Set(entities::OrgRole::parse(role).unwrap()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(app.db())
    .await
    .unwrap();
    token
}

fn kinds(ledger: &Value) -> Vec<String> {
    ledger["partner"]["ledger"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_reward_waits_its_hold_then_is_withdrawn_through_every_state() {
    let app = TestApp::new().await;
    let s = shop(&app, "w", &[]).await;
    let client = app
        .set_password_via_link(ROOT, "anna.w@client.example")
        .await;
    let staff = app.staff_token().await;
    client_paid_order(&app, &s, &client, &staff).await;

    // Pending for the tenant's 14 days.
    let b = balance(&app, &s.p.owner, &s.p.id).await;
    assert_eq!(
        b,
        json!({ "currency": "RUB", "rewards": "46560.00", "bonuses": "0.00", "held": "0.00", "pending": "46560.00", "withdrawable": "0.00", "spendable": "0.00" })
    );
    let req = |amount: &str, key: &str| json!({ "i": { "partnerId": s.p.id, "amount": amount, "idempotencyKey": key } });
    // No requisites yet.
    let r = app
        .post(ROOT, Some(&s.p.owner), REQUEST, req("5000.00", "k0"))
        .await;
    assert_eq!(first_code(&r.body), "REQUISITES_MISSING");
    // Every wrong field is named.
    for (field, value) in [
        ("inn", "7707083894"),
        ("kpp", "12345"),
        ("bic", "04452522"),
        ("settlementAccount", "40702810038000012345"),
        ("correspondentAccount", "30101810400000000226"),
        ("legalName", " "),
    ] {
        let mut i = requisites(&s.p.id);
        i["ruBank"][field] = json!(value);
        let r = app
            .post(ROOT, Some(&s.p.owner), SAVE_REQ, json!({ "i": i }))
            .await;
        assert_eq!(first_code(&r.body), "BAD_USER_INPUT", "{field}");
        assert_eq!(first_field(&r.body), format!("ruBank.{field}"));
    }
    let saved = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            SAVE_REQ,
            json!({ "i": requisites(&s.p.id) }),
        )
        .await;
    assert_eq!(
        saved["savePayoutRequisites"]["requisites"]["inn"],
        "7707083893"
    );
    // Still pending: nothing to withdraw.
    let r = app
        .post(ROOT, Some(&s.p.owner), REQUEST, req("5000.00", "k1"))
        .await;
    assert_eq!(first_code(&r.body), "INSUFFICIENT_BALANCE");
    assert_eq!(first_field(&r.body), "amount");

    // The hold ends.
    app.clock_advance(Duration::days(14) + Duration::seconds(1));
    let b = balance(&app, &s.p.owner, &s.p.id).await;
    assert_eq!(b["pending"], "0.00");
    assert_eq!(b["withdrawable"], "46560.00");
    let r = app
        .post(ROOT, Some(&s.p.owner), REQUEST, req("4999.99", "k2"))
        .await;
    assert_eq!(first_code(&r.body), "BAD_USER_INPUT");
    assert_eq!(first_field(&r.body), "amount");
    let r = app
        .post(ROOT, Some(&s.p.owner), REQUEST, req("46560.01", "k3"))
        .await;
    assert_eq!(first_code(&r.body), "INSUFFICIENT_BALANCE");

    let w = app
        .ok(ROOT, Some(&s.p.owner), REQUEST, req("20000.00", "k4"))
        .await["requestWithdrawal"]["withdrawal"]
        .clone();
    assert_eq!(w["status"], "REQUESTED");
    assert_eq!(w["amount"], "20000.00");
    assert_eq!(w["requisites"]["settlementAccount"], "40702810938000012345");
    // The same key answers the same withdrawal; nothing more is held.
    let again = app
        .ok(ROOT, Some(&s.p.owner), REQUEST, req("20000.00", "k4"))
        .await["requestWithdrawal"]["withdrawal"]
        .clone();
    assert_eq!(again["id"], w["id"]);
    let b = balance(&app, &s.p.owner, &s.p.id).await;
    assert_eq!(
        (
            b["held"].as_str(),
            b["withdrawable"].as_str(),
            b["rewards"].as_str()
        ),
        (Some("20000.00"), Some("26560.00"), Some("46560.00"))
    );

    let one = json!({ "i": { "withdrawalId": w["id"] } });
    // Order of states: staff cannot approve before the documents; the partner cannot approve.
    let r = app.post(ROOT, Some(&staff), APPROVE, one.clone()).await;
    assert_eq!(first_code(&r.body), "WRONG_WITHDRAWAL_STATE");
    let r = app.post(ROOT, Some(&s.p.owner), APPROVE, one.clone()).await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    app.ok(ROOT, Some(&s.p.owner), DOCS, one.clone()).await;
    let r = app.post(ROOT, Some(&staff), PAY_OUT, one.clone()).await;
    assert_eq!(first_code(&r.body), "WRONG_WITHDRAWAL_STATE");
    assert_eq!(
        app.ok(ROOT, Some(&staff), APPROVE, one.clone()).await["approveWithdrawal"]["withdrawal"]["status"],
        "APPROVED"
    );
    assert_eq!(
        app.ok(ROOT, Some(&staff), PAY_OUT, one.clone()).await["payWithdrawal"]["withdrawal"]["status"],
        "PAID"
    );
    let r = app
        .post(
            ROOT,
            Some(&staff),
            REJECT,
            json!({ "i": { "withdrawalId": w["id"], "reason": "late" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "WRONG_WITHDRAWAL_STATE");
    let b = balance(&app, &s.p.owner, &s.p.id).await;
    assert_eq!(
        (
            b["held"].as_str(),
            b["withdrawable"].as_str(),
            b["rewards"].as_str()
        ),
        (Some("0.00"), Some("26560.00"), Some("26560.00"))
    );

    // A rejected one gives its hold back.
    let w2 = app
        .ok(ROOT, Some(&s.p.owner), REQUEST, req("10000.00", "k5"))
        .await["requestWithdrawal"]["withdrawal"]
        .clone();
    assert_eq!(
        balance(&app, &s.p.owner, &s.p.id).await["withdrawable"],
        "16560.00"
    );
    let r = app
        .post(
            ROOT,
            Some(&staff),
            REJECT,
            json!({ "i": { "withdrawalId": w2["id"], "reason": " " } }),
        )
        .await;
    assert_eq!(first_field(&r.body), "reason");
    let d = app
        .ok(
            ROOT,
            Some(&staff),
            REJECT,
            json!({ "i": { "withdrawalId": w2["id"], "reason": "the act is not signed" } }),
        )
        .await;
    assert_eq!(
        d["rejectWithdrawal"]["withdrawal"]["rejectionReason"],
        "the act is not signed"
    );
    assert_eq!(
        balance(&app, &s.p.owner, &s.p.id).await["withdrawable"],
        "26560.00"
    );

    // The ledger tells the story; every entry names its cause.
    let l = app
        .ok(ROOT, Some(&s.p.owner), LEDGER, json!({ "p": s.p.id }))
        .await;
    assert_eq!(
        kinds(&l),
        [
            "REWARD",
            "WITHDRAWAL_HOLD",
            "WITHDRAWAL_PAID",
            "WITHDRAWAL_HOLD",
            "WITHDRAWAL_RELEASE"
        ]
    );
    let edges = &l["partner"]["ledger"]["edges"];
    assert!(edges[0]["node"]["orderNumber"].as_i64().is_some());
    assert_eq!(edges[0]["node"]["amount"], "46560.00");
    assert_eq!(edges[0]["node"]["pending"], false, "the hold has ended");
    assert!(edges[2]["node"]["withdrawalId"].is_string());
    assert_eq!(edges[4]["node"]["reason"], "the act is not signed");
    let l = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            LEDGER,
            json!({ "p": s.p.id, "k": ["WITHDRAWAL_PAID"] }),
        )
        .await;
    assert_eq!(l["partner"]["ledger"]["totalCount"], 1);
    assert_eq!(
        l["partner"]["ledger"]["edges"][0]["node"]["amount"],
        "-20000.00"
    );
    // Staff see the queue; every change was an event for the notifications.
    let q = app
        .ok(
            ROOT,
            Some(&staff),
            "{ withdrawals(status: PAID) { totalCount edges { node { partnerName amount } } } }",
            json!({}),
        )
        .await;
    assert_eq!(q["withdrawals"]["totalCount"], 1);
    assert_eq!(
        q["withdrawals"]["edges"][0]["node"]["partnerName"],
        "Agency w"
    );
    assert_eq!(events(&app, "withdrawal.state_changed").await, 6);
}

#[tokio::test]
async fn bonuses_pay_for_lines_all_or_nothing_and_are_never_withdrawn() {
    let app = TestApp::new().await;
    let s = shop(&app, "bb", &[(801, 10)]).await;
    let staff = app.staff_token().await;
    let grant = |amount: &str| json!({ "i": { "partnerId": s.p.id, "amount": amount, "reason": "a review on the marketplace" } });
    // Only staff grant; the amount is checked.
    let r = app
        .post(ROOT, Some(&s.p.owner), BONUS, grant("1000.00"))
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    let r = app.post(ROOT, Some(&staff), BONUS, grant("0")).await;
    assert_eq!(first_field(&r.body), "amount");
    let r = app.post(ROOT, Some(&staff), BONUS, grant("1.001")).await;
    assert_eq!(first_field(&r.body), "amount");
    let e = app.ok(ROOT, Some(&staff), BONUS, grant("1000.00")).await["grantReviewBonus"]["entry"]
        .clone();
    assert_eq!(
        e,
        json!({ "kind": "REVIEW_BONUS", "pot": "BONUSES", "amount": "1000.00", "reason": "a review on the marketplace" })
    );
    let b = balance(&app, &s.p.owner, &s.p.id).await;
    assert_eq!(
        (
            b["bonuses"].as_str(),
            b["withdrawable"].as_str(),
            b["spendable"].as_str()
        ),
        (Some("1000.00"), Some("0.00"), Some("1000.00"))
    );

    // Bonuses are never withdrawn.
    app.ok(
        ROOT,
        Some(&s.p.owner),
        SAVE_REQ,
        json!({ "i": requisites(&s.p.id) }),
    )
    .await;
    let r = app
        .post(
            ROOT,
            Some(&s.p.owner),
            REQUEST,
            json!({ "i": { "partnerId": s.p.id, "amount": "5000.00" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "INSUFFICIENT_BALANCE");

    // A renewal the partner pays (750.00) is paid from the bonuses at once.
    let line = s.lines(&app).await[0].clone();
    let before: chrono::DateTime<chrono::Utc> =
        line["expiresAt"].as_str().unwrap().parse().unwrap();
    let renew = json!({ "payer": "PARTNER", "partnerId": s.p.id, "renewals": { "lineIds": [line["id"]], "months": 1 } });
    let o = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            CREATE,
            json!({ "i": { "order": renew.clone() } }),
        )
        .await["createOrder"]["order"]
        .clone();
    assert_eq!(o["total"], "750.00");
    let p = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            PAY,
            json!({ "i": { "orderId": o["id"], "method": "BONUS_BALANCE" } }),
        )
        .await["payOrder"]
        .clone();
    assert_eq!(
        (
            p["payment"]["method"].as_str(),
            p["payment"]["status"].as_str(),
            p["order"]["status"].as_str()
        ),
        (Some("BONUS_BALANCE"), Some("SUCCEEDED"), Some("PAID"))
    );
    let after: chrono::DateTime<chrono::Utc> = s.lines(&app).await[0]["expiresAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(after > before);
    assert_eq!(
        balance(&app, &s.p.owner, &s.p.id).await["bonuses"],
        "250.00"
    );

    // The next one is more than the balance: refused, nothing written, still payable.
    let o2 = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            CREATE,
            json!({ "i": { "order": renew } }),
        )
        .await["createOrder"]["order"]
        .clone();
    let entries = entry::Entity::find().count(app.db()).await.unwrap();
    let r = app
        .post(
            ROOT,
            Some(&s.p.owner),
            PAY,
            json!({ "i": { "orderId": o2["id"], "method": "BONUS_BALANCE" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "INSUFFICIENT_BALANCE");
    assert_eq!(
        entry::Entity::find().count(app.db()).await.unwrap(),
        entries
    );
    let d = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            "query($id: ID!) { node(id: $id) { ... on Order { status payments { id } } } }",
            json!({ "id": o2["id"] }),
        )
        .await;
    assert_eq!(d["node"], json!({ "status": "PENDING", "payments": [] }));
    // An order the client pays is not the partner's to pay from its balance.
    let client_order = json!({ "payer": "CLIENT", "clientId": s.client, "partnerId": s.p.id, "renewals": { "lineIds": [line["id"]], "months": 1 } });
    let o3 = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            CREATE,
            json!({ "i": { "order": client_order } }),
        )
        .await["createOrder"]["order"]
        .clone();
    let client = app
        .set_password_via_link(ROOT, "anna.bb@client.example")
        .await;
    let r = app
        .post(
            ROOT,
            Some(&client),
            PAY,
            json!({ "i": { "orderId": o3["id"], "method": "BONUS_BALANCE" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "BAD_USER_INPUT");
    assert_eq!(first_field(&r.body), "method");

    // A refund takes the renewal back and gives the bonuses back.
    let r = app
        .post(
            ROOT,
            Some(&s.p.owner),
            REFUND,
            json!({ "i": { "orderId": o["id"], "reason": "by mistake" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    let d = app
        .ok(
            ROOT,
            Some(&staff),
            REFUND,
            json!({ "i": { "orderId": o["id"], "reason": "by mistake" } }),
        )
        .await;
    assert_eq!(d["refundOrder"]["order"]["status"], "REFUNDED");
    let back: chrono::DateTime<chrono::Utc> = s.lines(&app).await[0]["expiresAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(back, before);
    assert_eq!(
        balance(&app, &s.p.owner, &s.p.id).await["bonuses"],
        "1000.00"
    );
    let l = app
        .ok(ROOT, Some(&s.p.owner), LEDGER, json!({ "p": s.p.id }))
        .await;
    assert_eq!(kinds(&l), ["REVIEW_BONUS", "SPEND", "REVERSAL"]);
    let r = app
        .post(
            ROOT,
            Some(&staff),
            REFUND,
            json!({ "i": { "orderId": o["id"], "reason": "again" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "ORDER_NOT_PAID");
}

#[tokio::test]
async fn a_refund_ends_the_lines_refunds_the_card_and_a_withdrawn_reward_is_paid_back() {
    let (stripe, app) = card_app().await;
    app.sql("UPDATE tenants SET reward_hold_days = 0").await;
    let s = shop(&app, "rf", &[]).await;
    let client = app
        .set_password_via_link(ROOT, "anna.rf@client.example")
        .await;
    let staff = app.staff_token().await;
    // The client pays the SPEC example by card: 232800.00, the partner earns 46560.00,
    // withdrawable at once (a hold of 0 days).
    let o = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            CREATE,
            json!({ "i": { "order": s.spec_example("CLIENT") } }),
        )
        .await["createOrder"]["order"]
        .clone();
    let p = app
        .ok(
            ROOT,
            Some(&client),
            PAY,
            json!({ "i": { "orderId": o["id"], "method": "CARD" } }),
        )
        .await["payOrder"]["payment"]
        .clone();
    let session = stripe
        .session_of_url(p["checkoutUrl"].as_str().unwrap())
        .unwrap();
    let now = app.state.services.clock.now().timestamp();
    let (body, sig) = stripe.signed_event(&session, "checkout.session.completed", now);
    assert_eq!(webhook(&app, &body, Some(&sig)).await.status, 200);
    assert_eq!(s.lines(&app).await.len(), 10);
    assert_eq!(
        balance(&app, &s.p.owner, &s.p.id).await["withdrawable"],
        "46560.00"
    );

    // All of it is withdrawn and paid out.
    app.ok(
        ROOT,
        Some(&s.p.owner),
        SAVE_REQ,
        json!({ "i": requisites(&s.p.id) }),
    )
    .await;
    let w = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            REQUEST,
            json!({ "i": { "partnerId": s.p.id, "amount": "46560.00" } }),
        )
        .await["requestWithdrawal"]["withdrawal"]
        .clone();
    let one = json!({ "i": { "withdrawalId": w["id"] } });
    app.ok(ROOT, Some(&s.p.owner), DOCS, one.clone()).await;
    app.ok(ROOT, Some(&staff), APPROVE, one.clone()).await;
    app.ok(ROOT, Some(&staff), PAY_OUT, one).await;

    // Staff refund the order: its lines end, the card is refunded through the provider
    // once, and the reward is reversed, leaving the partner 46560.00 in debt.
    let refund = json!({ "i": { "orderId": o["id"], "reason": "the client changed their mind", "idempotencyKey": "rf-1" } });
    let d = app.ok(ROOT, Some(&staff), REFUND, refund.clone()).await;
    let refunded = &d["refundOrder"]["order"];
    assert_eq!(refunded["status"], "REFUNDED");
    assert_eq!(refunded["refundReason"], "the client changed their mind");
    assert!(refunded["refundedAt"].is_string());
    let card = &refunded["payments"][0];
    assert_eq!(card["method"], "CARD");
    assert!(card["refundRequestedAt"].is_string() && card["refundedAt"].is_string());
    let now = app.state.services.clock.now();
    for l in s.lines(&app).await {
        let until: chrono::DateTime<chrono::Utc> =
            l["expiresAt"].as_str().unwrap().parse().unwrap();
        assert!(until <= now, "a refunded order's line ended");
    }
    let refunds = stripe.refunds();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].amount, 23_280_000);
    let pay_row = entities::payment::Entity::find()
        .filter(entities::payment::Column::Method.eq("CARD"))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert!(pay_row.refunded_at.is_some());
    assert_eq!(pay_row.refund_ref.as_deref(), Some(refunds[0].id.as_str()));
    // The same key answers the same refund; nothing is refunded twice.
    let d = app.ok(ROOT, Some(&staff), REFUND, refund).await;
    assert_eq!(d["refundOrder"]["order"]["status"], "REFUNDED");
    assert_eq!(stripe.refunds().len(), 1);
    let b = balance(&app, &s.p.owner, &s.p.id).await;
    assert_eq!(
        (b["rewards"].as_str(), b["withdrawable"].as_str()),
        (Some("-46560.00"), Some("0.00"))
    );
    assert_eq!(events(&app, "order.refunded").await, 1);

    // Later rewards pay the debt back before anything is withdrawable again.
    client_paid_order(&app, &s, &client, &staff).await;
    let b = balance(&app, &s.p.owner, &s.p.id).await;
    assert_eq!(
        (b["rewards"].as_str(), b["withdrawable"].as_str()),
        (Some("0.00"), Some("0.00"))
    );
    client_paid_order(&app, &s, &client, &staff).await;
    let b = balance(&app, &s.p.owner, &s.p.id).await;
    assert_eq!(
        (b["rewards"].as_str(), b["withdrawable"].as_str()),
        (Some("46560.00"), Some("46560.00"))
    );
}

#[tokio::test]
async fn other_tenants_strangers_agents_and_impersonators_get_nothing() {
    let app = TestApp::new().await;
    let s = shop(&app, "iso", &[]).await;
    app.ok(
        ROOT,
        Some(&s.p.owner),
        SAVE_REQ,
        json!({ "i": requisites(&s.p.id) }),
    )
    .await;
    // Another partner's owner and a stranger.
    let other = crate::partners::partner(&app, ROOT, "iso2", "OFFICIAL").await;
    for token in [
        &other.owner,
        &app.sign_up(ROOT, "stranger@example.com").await.0,
    ] {
        let r = app
            .post(ROOT, Some(token), BALANCE, json!({ "p": s.p.id }))
            .await;
        assert!(!r.body["errors"].is_null(), "{}", r.body);
        assert!(
            !r.body.to_string().contains("withdrawable\":\""),
            "{}",
            r.body
        );
        let r = app
            .post(
                ROOT,
                Some(token),
                REQUEST,
                json!({ "i": { "partnerId": s.p.id, "amount": "5000.00" } }),
            )
            .await;
        assert!(
            ["NOT_FOUND", "FORBIDDEN"].contains(&first_code(&r.body).as_str()),
            "{}",
            r.body
        );
        let r = app
            .post(
                ROOT,
                Some(token),
                SAVE_REQ,
                json!({ "i": requisites(&s.p.id) }),
            )
            .await;
        assert!(
            ["NOT_FOUND", "FORBIDDEN"].contains(&first_code(&r.body).as_str()),
            "{}",
            r.body
        );
    }
    // Another tenant's host does not know the partner; its staff-like admin neither.
    let (_, host) = app.tenant("ledger-other").await;
    let admin = app.tenant_admin_token("ledger-other", &host).await;
    let r = app
        .post(&host, Some(&admin), BALANCE, json!({ "p": s.p.id }))
        .await;
    assert!(r.body["data"]["partner"].is_null(), "{}", r.body);
    let r = app
        .post(
            &host,
            Some(&admin),
            BONUS,
            json!({ "i": { "partnerId": s.p.id, "amount": "10.00", "reason": "x" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
    let r = app
        .post(
            &host,
            Some(&admin),
            "{ withdrawals { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r.body["data"]["withdrawals"]["totalCount"], 0);
    // A user admin of the partner reads the balance but not the bank account, and does
    // not withdraw; a plain member reads nothing.
    let ua = member(&app, &s.p.org, "ua@iso.example", "USER_ADMIN").await;
    let b = app
        .ok(ROOT, Some(&ua), BALANCE, json!({ "p": s.p.id }))
        .await;
    assert_eq!(b["partner"]["balance"]["currency"], "RUB");
    let r = app
        .post(
            ROOT,
            Some(&ua),
            "query($p: ID!) { partner(id: $p) { payoutRequisites { ... on RuBankRequisites { inn } } } }",
            json!({ "p": s.p.id }),
        )
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    let r = app
        .post(
            ROOT,
            Some(&ua),
            REQUEST,
            json!({ "i": { "partnerId": s.p.id, "amount": "5000.00" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    let r = app
        .post(
            ROOT,
            Some(&ua),
            SAVE_REQ,
            json!({ "i": requisites(&s.p.id) }),
        )
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    // The owner logged in as a client withdraws nothing.
    let client_id = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            "query($p: ID!) { partner(id: $p) { clients { edges { node { user { id } } } } } }",
            json!({ "p": s.p.id }),
        )
        .await["partner"]["clients"]["edges"][0]["node"]["user"]["id"]
        .clone();
    let _ = client_id;
    let staff = app.staff_token().await;
    let r = app
        .post(
            ROOT,
            Some(&staff),
            "query($p: ID!) { partner(id: $p) { payoutRequisites { ... on RuBankRequisites { inn } } balance { bonuses } } }",
            json!({ "p": s.p.id }),
        )
        .await;
    assert_eq!(
        r.body["data"]["partner"]["payoutRequisites"]["inn"], "7707083893",
        "{}",
        r.body
    );
}

/// A reward of `minor` (RUB) earned a month ago and out of its hold: withdrawable now.
pub async fn withdrawable_reward(app: &TestApp, partner: &str, minor: i64) {
    let partner_id = raw(partner);
    let tenant_id = entities::partner::Entity::find_by_id(partner_id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .tenant_id;
    let currency = entities::tenant::Entity::find_by_id(tenant_id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .currency;
    let past = app.state.services.clock.now() - Duration::days(30);
    entry::ActiveModel {
        tenant_id: Set(tenant_id),
        partner_id: Set(partner_id),
        kind: Set(LedgerKind::Reward),
        pot: Set(entry::POT_REWARDS.into()),
        amount_minor: Set(minor),
        currency: Set(currency),
        available_at: Set(past),
        created_at: Set(past),
        ..Default::default()
    }
    .insert(app.db())
    .await
    .unwrap();
}

/// 100 concurrent requests of 5000.00 against 15000.00 withdrawable: exactly 3 holds.
/// Without the partner's row lock in `requestWithdrawal` this fails on PostgreSQL.
#[tokio::test]
async fn a_hundred_concurrent_withdrawals_never_overdraw() {
    let app = TestApp::new().await;
    let s = shop(&app, "race", &[]).await;
    app.ok(
        ROOT,
        Some(&s.p.owner),
        SAVE_REQ,
        json!({ "i": requisites(&s.p.id) }),
    )
    .await;
    // A reward earned and out of its hold.
    withdrawable_reward(&app, &s.p.id, 1_500_000).await;
    let rounds = if app.is_postgres() { 100 } else { 20 };
    let calls: Vec<_> = (0..rounds)
        .map(|_| {
            app.spawn_post(
                ROOT,
                Some(&s.p.owner),
                REQUEST,
                json!({ "i": { "partnerId": s.p.id, "amount": "5000.00" } }),
            )
        })
        .collect();
    let mut ok = 0;
    for c in calls {
        let r = c.await.unwrap();
        if r.body["errors"].is_null() {
            ok += 1;
        } else {
            assert_eq!(first_code(&r.body), "INSUFFICIENT_BALANCE", "{}", r.body);
        }
    }
    assert_eq!(ok, 3);
    let holds = entry::Entity::find()
        .filter(entry::Column::Kind.eq(LedgerKind::WithdrawalHold.as_str()))
        .count(app.db())
        .await
        .unwrap();
    assert_eq!(holds, 3);
    let b = balance(&app, &s.p.owner, &s.p.id).await;
    assert_eq!(
        (b["held"].as_str(), b["withdrawable"].as_str()),
        (Some("15000.00"), Some("0.00"))
    );
}

#[tokio::test]
async fn only_owners_spend_the_partners_balance_as_only_owners_withdraw() {
    let app = TestApp::new().await;
    let s = shop(&app, "bo", &[(801, 10)]).await;
    let staff = app.staff_token().await;
    app.ok(
        ROOT,
        Some(&staff),
        BONUS,
        json!({ "i": { "partnerId": s.p.id, "amount": "1000.00", "reason": "a review" } }),
    )
    .await;
    let admin = member(&app, &s.p.org, "admin.bo@example.com", "USER_ADMIN").await;
    let line = s.lines(&app).await[0].clone();
    let renew = json!({ "payer": "PARTNER", "partnerId": s.p.id, "renewals": { "lineIds": [line["id"]], "months": 1 } });
    // A user admin may order for the partner's clients, but not pay from its balance.
    let o = app
        .ok(
            ROOT,
            Some(&admin),
            CREATE,
            json!({ "i": { "order": renew } }),
        )
        .await["createOrder"]["order"]
        .clone();
    let r = app
        .post(
            ROOT,
            Some(&admin),
            PAY,
            json!({ "i": { "orderId": o["id"], "method": "BONUS_BALANCE" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN", "{}", r.body);
    assert_eq!(
        balance(&app, &s.p.owner, &s.p.id).await["spendable"],
        "1000.00"
    );
    // The owner may.
    let p = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            PAY,
            json!({ "i": { "orderId": o["id"], "method": "BONUS_BALANCE" } }),
        )
        .await["payOrder"]
        .clone();
    assert_eq!(p["order"]["status"], "PAID");
}
