//! The defects of issue 25 (hardening II) that have no better home: each test failed
//! before its fix.

use serde_json::json;

use crate::support::*;

const UPDATE_PROGRAM: &str = "mutation($i: UpdateTenantInput!) { updateTenant(input: $i) { tenant { partnerProgram { officialDiscount } } } }";

#[tokio::test]
async fn partner_program_percentages_are_checked_before_any_arithmetic() {
    let app = TestApp::new().await;
    let (_, host) = app.tenant("pct").await;
    let admin = app.tenant_admin_token("pct", &host).await;
    // The largest decimal there is: refused on its field, and the connection answers.
    for bad in [
        json!("79228162514264337593543950335"),
        json!("-79228162514264337593543950335"),
        json!("100.01"),
        json!("12.345"),
    ] {
        let r = app
            .post(
                &host,
                Some(&admin),
                UPDATE_PROGRAM,
                json!({ "i": { "partnerProgram": { "officialDiscount": bad } } }),
            )
            .await;
        assert_eq!(first_code(&r.body), "BAD_USER_INPUT", "{bad}: {}", r.body);
        assert_eq!(
            first_field(&r.body),
            "partnerProgram.officialDiscount",
            "{bad}"
        );
    }
    // A JSON float has been through binary floating point: refused like Money.
    let r = app
        .post(
            &host,
            Some(&admin),
            UPDATE_PROGRAM,
            json!({ "i": { "partnerProgram": { "officialDiscount": 12.5 } } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "BAD_USER_INPUT", "{}", r.body);
    // Nothing changed; a good value, as a string or an integer, goes through.
    let d = app
        .ok(
            &host,
            Some(&admin),
            UPDATE_PROGRAM,
            json!({ "i": { "partnerProgram": { "officialDiscount": "12.5" } } }),
        )
        .await;
    assert_eq!(
        d["updateTenant"]["tenant"]["partnerProgram"]["officialDiscount"],
        "12.50"
    );
    let d = app
        .ok(
            &host,
            Some(&admin),
            UPDATE_PROGRAM,
            json!({ "i": { "partnerProgram": { "officialDiscount": 15 } } }),
        )
        .await;
    assert_eq!(
        d["updateTenant"]["tenant"]["partnerProgram"]["officialDiscount"],
        "15.00"
    );
}

#[tokio::test]
async fn a_brands_currency_is_fixed_once_money_exists() {
    let app = TestApp::new().await;
    let currency =
        "mutation($c: String!) { updateTenant(input: { currency: $c }) { tenant { currency } } }";
    let (_, host) = app.tenant("cur").await;
    let admin = app.tenant_admin_token("cur", &host).await;
    // Before any money, the currency may change.
    let d = app
        .ok(&host, Some(&admin), currency, json!({ "c": "EUR" }))
        .await;
    assert_eq!(d["updateTenant"]["tenant"]["currency"], "EUR");
    // The root brand's shop has an order: its currency is locked, unless unchanged.
    let s = crate::orders::shop(&app, "cur", &[]).await;
    let staff = app.staff_token().await;
    app.ok(
        ROOT,
        Some(&s.p.owner),
        crate::orders::CREATE,
        json!({ "i": { "order": s.spec_example("PARTNER") } }),
    )
    .await;
    let r = app
        .post(ROOT, Some(&staff), currency, json!({ "c": "EUR" }))
        .await;
    assert_eq!(first_code(&r.body), "CURRENCY_LOCKED", "{}", r.body);
    assert_eq!(first_field(&r.body), "currency");
    let d = app
        .ok(ROOT, Some(&staff), currency, json!({ "c": "RUB" }))
        .await;
    assert_eq!(d["updateTenant"]["tenant"]["currency"], "RUB");
}
