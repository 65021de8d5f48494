//! The price list: public reads, edits by the tenant's admins and platform staff only,
//! exact money, deactivation instead of deletion.

use serde_json::{Value, json};

use crate::support::*;

const READ: &str = "query($all: Boolean) { catalogue(includeInactive: $all) { currency periods channelKinds { id code name personal monthlyPrice active } coinPackages { code coins price active } } }";
const UPSERT_KIND: &str = "mutation($i: UpsertChannelKindInput!) { upsertChannelKind(input: $i) { channelKind { code name personal monthlyPrice active } } }";
const UPSERT_COINS: &str = "mutation($i: UpsertCoinPackageInput!) { upsertCoinPackage(input: $i) { coinPackage { code coins price active } } }";

fn kind(code: &str, price: &str, personal: bool) -> Value {
    json!({ "code": code, "name": code.to_lowercase(), "personal": personal, "monthlyPrice": price })
}

async fn codes(app: &TestApp, host: &str, token: Option<&str>, all: bool) -> Vec<String> {
    let d = app.ok(host, token, READ, json!({ "all": all })).await;
    d["catalogue"]["channelKinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_price_list_is_public_and_shows_only_what_is_sold() {
    let app = TestApp::new().await;
    let (_, host) = app.tenant("acme").await;
    let admin = app.tenant_admin_token("acme", &host).await;
    let d = app
        .ok(
            &host,
            Some(&admin),
            UPSERT_KIND,
            json!({ "i": kind("whatsapp", "1500.00", true) }),
        )
        .await;
    assert_eq!(
        d["upsertChannelKind"]["channelKind"],
        json!({ "code": "WHATSAPP", "name": "whatsapp", "personal": true, "monthlyPrice": "1500.00", "active": true })
    );
    app.ok(
        &host,
        Some(&admin),
        UPSERT_KIND,
        json!({ "i": kind("WABA", "1000", false) }),
    )
    .await;
    app.ok(
        &host,
        Some(&admin),
        UPSERT_COINS,
        json!({ "i": { "code": "COINS_1000", "coins": 1000, "price": "990.00" } }),
    )
    .await;

    // Anyone on the host reads it, exactly.
    let d = app.ok(&host, None, READ, json!({ "all": false })).await;
    let c = &d["catalogue"];
    assert_eq!(c["currency"], "RUB");
    assert_eq!(c["periods"], json!([1, 3, 6, 12]));
    assert_eq!(c["channelKinds"][1]["monthlyPrice"], "1000.00");
    assert_eq!(
        c["coinPackages"],
        json!([{ "code": "COINS_1000", "coins": 1000, "price": "990.00", "active": true }])
    );

    // Saving by code changes the kind in place; deactivating hides it from the public
    // list but not from the admins'.
    let mut waba = kind("WABA", "1100.50", false);
    waba["active"] = json!(false);
    waba["name"] = json!("WhatsApp Business API");
    app.ok(&host, Some(&admin), UPSERT_KIND, json!({ "i": waba }))
        .await;
    assert_eq!(codes(&app, &host, None, false).await, ["WHATSAPP"]);
    assert_eq!(
        codes(&app, &host, Some(&admin), true).await,
        ["WHATSAPP", "WABA"]
    );
    let d = app
        .ok(&host, Some(&admin), READ, json!({ "all": true }))
        .await;
    assert_eq!(d["catalogue"]["channelKinds"][1]["monthlyPrice"], "1100.50");
    assert_eq!(
        d["catalogue"]["channelKinds"][1]["name"],
        "WhatsApp Business API"
    );
    // The inactive list is the editors' only.
    assert_eq!(
        app.err_code(&host, None, READ, json!({ "all": true }))
            .await,
        "UNAUTHENTICATED"
    );
    let (user, _) = app.sign_up_verified(&host, "someone@acme.example").await;
    assert_eq!(
        app.err_code(&host, Some(&user), READ, json!({ "all": true }))
            .await,
        "FORBIDDEN"
    );
    // Another tenant's list is its own.
    let (_, beta) = app.tenant("beta").await;
    assert!(codes(&app, &beta, None, false).await.is_empty());
}

#[tokio::test]
async fn only_the_tenants_admins_and_staff_edit_the_price_list() {
    let app = TestApp::new().await;
    let (acme_id, acme) = app.tenant("acme").await;
    let (_, beta) = app.tenant("beta").await;
    let acme_admin = app.tenant_admin_token("acme", &acme).await;
    let beta_admin = app.tenant_admin_token("beta", &beta).await;
    app.ok(
        &acme,
        Some(&acme_admin),
        UPSERT_KIND,
        json!({ "i": kind("WHATSAPP", "1500.00", true) }),
    )
    .await;

    // A user of the tenant: refused, nothing changes.
    let (user, _) = app.sign_up_verified(&acme, "user@acme.example").await;
    assert_eq!(
        app.err_code(
            &acme,
            Some(&user),
            UPSERT_KIND,
            json!({ "i": kind("WHATSAPP", "1.00", true) })
        )
        .await,
        "FORBIDDEN"
    );
    // Another tenant's admin naming this tenant: not found, nothing changes.
    let mut other = kind("WHATSAPP", "2.00", true);
    other["tenantId"] = json!(acme_id);
    assert_eq!(
        app.err_code(
            &beta,
            Some(&beta_admin),
            UPSERT_KIND,
            json!({ "i": other.clone() })
        )
        .await,
        "NOT_FOUND"
    );
    // ... and their own edit lands on their own tenant only.
    app.ok(
        &beta,
        Some(&beta_admin),
        UPSERT_KIND,
        json!({ "i": kind("WHATSAPP", "3.00", true) }),
    )
    .await;
    // Anonymous: refused.
    assert_eq!(
        app.err_code(
            &acme,
            None,
            UPSERT_KIND,
            json!({ "i": kind("VK", "1.00", false) })
        )
        .await,
        "UNAUTHENTICATED"
    );
    let d = app.ok(&acme, None, READ, json!({ "all": false })).await;
    assert_eq!(
        d["catalogue"]["channelKinds"],
        json!([{ "id": d["catalogue"]["channelKinds"][0]["id"], "code": "WHATSAPP", "name": "whatsapp", "personal": true, "monthlyPrice": "1500.00", "active": true }])
    );

    // Platform staff edit any tenant's list from the root host.
    let staff = app.staff_token().await;
    let mut vk = kind("VK", "700.00", false);
    vk["tenantId"] = json!(acme_id);
    app.ok(ROOT, Some(&staff), UPSERT_KIND, json!({ "i": vk }))
        .await;
    assert_eq!(codes(&app, &acme, None, false).await, ["WHATSAPP", "VK"]);
    assert!(codes(&app, ROOT, None, false).await.is_empty());

    // Each save is in the audit log with who made it.
    let d = app
        .ok(
            ROOT,
            Some(&staff),
            "{ auditLog(action: \"catalogue.channel_kind_saved\") { totalCount edges { node { actorId actor { email } details } } } }",
            json!({}),
        )
        .await;
    let log = &d["auditLog"];
    assert_eq!(log["totalCount"], 3);
    let entry = |i: usize| log["edges"][i]["node"].clone();
    // The acme admin's save, beta's admin's own, then staff's on acme.
    assert!(entry(0)["actorId"].is_string());
    assert_ne!(entry(0)["actorId"], entry(1)["actorId"]);
    assert_eq!(entry(0)["details"]["monthlyPrice"], "1500.00");
    assert_eq!(entry(2)["actor"]["email"], "staff@platform.example");
    assert_eq!(entry(2)["details"]["code"], "VK");
    assert_eq!(
        entry(0)["details"]["tenantId"],
        entry(2)["details"]["tenantId"]
    );
}

#[tokio::test]
async fn bad_entries_are_refused_with_their_field_and_nothing_is_saved() {
    let app = TestApp::new().await;
    let (_, host) = app.tenant("acme").await;
    let admin = app.tenant_admin_token("acme", &host).await;
    for (input, field) in [
        (kind("WHATSAPP", "1500.005", true), "monthlyPrice"),
        (kind("WHATSAPP", "-1.00", true), "monthlyPrice"),
        (kind("whats app", "1.00", true), "code"),
        (kind("W", "1.00", true), "code"),
        (
            json!({ "code": "OK", "name": "", "personal": true, "monthlyPrice": "1.00" }),
            "name",
        ),
        (
            json!({ "code": "OK", "name": "a\u{7}b", "personal": true, "monthlyPrice": "1.00" }),
            "name",
        ),
    ] {
        let r = app
            .post(&host, Some(&admin), UPSERT_KIND, json!({ "i": input }))
            .await;
        assert_eq!(first_code(&r.body), "BAD_USER_INPUT", "{input}");
        assert_eq!(first_field(&r.body), field, "{input}");
    }
    for (input, field) in [
        (json!({ "code": "C", "coins": 10, "price": "1.00" }), "code"),
        (
            json!({ "code": "COINS", "coins": 0, "price": "1.00" }),
            "coins",
        ),
        (
            json!({ "code": "COINS", "coins": 10, "price": "0.001" }),
            "price",
        ),
    ] {
        let r = app
            .post(&host, Some(&admin), UPSERT_COINS, json!({ "i": input }))
            .await;
        assert_eq!(first_code(&r.body), "BAD_USER_INPUT", "{input}");
        assert_eq!(first_field(&r.body), field, "{input}");
    }
    // A float never reaches the price: it is refused before any rounding.
    let r = app
        .post(&host, Some(&admin), UPSERT_KIND, json!({ "i": { "code": "OK", "name": "ok", "personal": true, "monthlyPrice": 1500.1 } }))
        .await;
    assert_eq!(first_code(&r.body), "BAD_USER_INPUT", "{}", r.body);
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("strings"),
        "{}",
        r.body
    );
    let d = app
        .ok(&host, Some(&admin), READ, json!({ "all": true }))
        .await;
    assert_eq!(d["catalogue"]["channelKinds"], json!([]));
    assert_eq!(d["catalogue"]["coinPackages"], json!([]));
}
