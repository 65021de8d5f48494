//! A brand's own price ladders (issue 28): its admins set the volume and period ladders
//! and the periods offered; quotes and orders price with them, an order keeps what it was
//! priced with, bad ladders are refused naming the field, and nobody else may set them.

use serde_json::{Value, json};

use crate::orders::{CREATE, QUOTE, shop};
use crate::support::*;

const PRICING: &str = "{ tenant { pricing { volumeTiers { minChannels percent } periodTiers { minMonths percent } periods } } }";
const SET: &str = "mutation($i: UpdateTenantInput!) { updateTenant(input: $i) { tenant { pricing { volumeTiers { minChannels percent } periodTiers { minMonths percent } periods } } } }";

fn ladders() -> Value {
    json!({ "pricing": {
        "volumeTiers": [{ "minChannels": 5, "percent": "7.5" }],
        "periodTiers": [{ "minMonths": 12, "percent": "15.000" }],
        "periods": [1, 12, 24],
    } })
}

#[tokio::test]
async fn a_brands_ladders_price_its_quotes_and_orders() {
    let app = TestApp::new().await;
    let s = shop(&app, "lad", &[]).await;
    let staff = app.staff_token().await;

    // Seed 001's ladders until the brand sets its own: public, like the price list.
    let d = app.ok(ROOT, None, PRICING, json!({})).await;
    assert_eq!(
        d["tenant"]["pricing"],
        json!({
            "volumeTiers": [
                { "minChannels": 10, "percent": "5" }, { "minChannels": 20, "percent": "10" },
                { "minChannels": 40, "percent": "20" }, { "minChannels": 75, "percent": "25" },
                { "minChannels": 100, "percent": "30" }
            ],
            "periodTiers": [{ "minMonths": 6, "percent": "10" }, { "minMonths": 12, "percent": "20" }],
            "periods": [1, 3, 6, 12]
        })
    );
    // An order placed now is priced with them: the SPEC example paid by the client.
    let before = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            CREATE,
            json!({ "i": { "order": s.spec_example("CLIENT") } }),
        )
        .await["createOrder"]["order"]
        .clone();
    assert_eq!(before["total"], "232800.00");

    let d = app
        .ok(ROOT, Some(&staff), SET, json!({ "i": ladders() }))
        .await;
    assert_eq!(
        d["updateTenant"]["tenant"]["pricing"]["volumeTiers"],
        json!([{ "minChannels": 5, "percent": "7.5" }])
    );
    // The same order now: 10 WhatsApp lines reach the 5-channel tier (7.5 %), 12 months
    // the only period tier (15 %). WhatsApp 180,000.00 -> 166,500.00 -> 141,525.00, WABA
    // (not personal) 120,000.00 -> 102,000.00: 243,525.00; the partner earns 20 %.
    let q = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            QUOTE,
            json!({ "i": s.spec_example("CLIENT") }),
        )
        .await["quote"]
        .clone();
    assert_eq!(q["base"], "300000.00");
    assert_eq!(q["total"], "243525.00");
    assert_eq!(q["partnerReward"], "48705.00");
    assert_eq!(
        q["discounts"],
        json!([
            { "kind": "VOLUME", "percent": "7.5", "amount": "13500.00" },
            { "kind": "PERIOD", "percent": "15", "amount": "42975.00" }
        ])
    );
    // The order placed before keeps the price it was made with.
    let node = "query($id: ID!) { node(id: $id) { ... on Order { total items { discounts { kind percent } } } } }";
    let o = app
        .ok(ROOT, Some(&s.p.owner), node, json!({ "id": before["id"] }))
        .await;
    assert_eq!(o["node"]["total"], "232800.00");
    assert_eq!(o["node"]["items"][0]["discounts"][0]["percent"], "5");

    // The periods offered are the brand's: the price list shows them, 6 months is refused.
    let c = app
        .ok(ROOT, None, "{ catalogue { periods } }", json!({}))
        .await;
    assert_eq!(c["catalogue"]["periods"], json!([1, 12, 24]));
    let mut six = s.spec_example("CLIENT");
    six["newLines"][0]["months"] = json!(6);
    let r = app
        .post(ROOT, Some(&s.p.owner), QUOTE, json!({ "i": six }))
        .await;
    assert_eq!(first_code(&r.body), "BAD_USER_INPUT");
    assert_eq!(first_field(&r.body), "months");
    assert!(
        r.body.to_string().contains("choose 1, 12 or 24 months"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn bad_ladders_are_refused_by_field_and_change_nothing() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let cases = [
        (
            json!({ "volumeTiers": [{ "minChannels": 10, "percent": 5 }, { "minChannels": 10, "percent": 6 }] }),
            "pricing.volumeTiers[1].minChannels",
        ),
        (
            json!({ "volumeTiers": [{ "minChannels": 10, "percent": 5 }, { "minChannels": 20, "percent": 4 }] }),
            "pricing.volumeTiers[1].percent",
        ),
        (
            json!({ "volumeTiers": [{ "minChannels": -3, "percent": 5 }] }),
            "pricing.volumeTiers[0].minChannels",
        ),
        (
            json!({ "periodTiers": [{ "minMonths": 6, "percent": "100.5" }] }),
            "pricing.periodTiers[0].percent",
        ),
        (json!({ "periods": [] }), "pricing.periods"),
        (json!({ "periods": [1, 40] }), "pricing.periods[1]"),
        (json!({ "periods": [6, 3] }), "pricing.periods[1]"),
    ];
    for (pricing, field) in cases {
        let r = app
            .post(
                ROOT,
                Some(&staff),
                SET,
                json!({ "i": { "pricing": pricing, "displayName": "Changed" } }),
            )
            .await;
        assert_eq!(first_code(&r.body), "BAD_USER_INPUT", "{pricing}");
        assert_eq!(first_field(&r.body), field, "{pricing}");
    }
    // Nothing was written, the display name with it.
    let d = app
        .ok(
            ROOT,
            None,
            "{ tenant { displayName pricing { periods } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["tenant"]["pricing"]["periods"], json!([1, 3, 6, 12]));
    assert_ne!(d["tenant"]["displayName"], "Changed");
}

#[tokio::test]
async fn only_the_brands_admins_set_its_ladders() {
    let app = TestApp::new().await;
    let s = shop(&app, "who", &[]).await;
    let (acme_id, acme_host) = app.tenant("acme").await;
    let acme_admin = app.tenant_admin_token("acme", &acme_host).await;
    let (plain, _, _) = app.sign_up(ROOT, "plain@ladders.example").await;

    // A partner's owner and a plain user of the brand may not.
    for token in [&s.p.owner, &plain] {
        assert_eq!(
            app.err_code(ROOT, Some(token), SET, json!({ "i": ladders() }))
                .await,
            "FORBIDDEN"
        );
    }
    // Another brand's admin does not find the root brand.
    let root = app.ok(ROOT, None, "{ tenant { id } }", json!({})).await["tenant"]["id"].clone();
    let mut theirs = ladders();
    theirs["id"] = root;
    assert_eq!(
        app.err_code(&acme_host, Some(&acme_admin), SET, json!({ "i": theirs }))
            .await,
        "NOT_FOUND"
    );
    let d = app.ok(ROOT, None, PRICING, json!({})).await;
    assert_eq!(d["tenant"]["pricing"]["periods"], json!([1, 3, 6, 12]));
    // Their own brand they may, and it is theirs alone.
    let mut own = ladders();
    own["id"] = json!(acme_id);
    app.ok(&acme_host, Some(&acme_admin), SET, json!({ "i": own }))
        .await;
    let d = app.ok(&acme_host, None, PRICING, json!({})).await;
    assert_eq!(d["tenant"]["pricing"]["periods"], json!([1, 12, 24]));
    let d = app.ok(ROOT, None, PRICING, json!({})).await;
    assert_eq!(d["tenant"]["pricing"]["periods"], json!([1, 3, 6, 12]));
}
