//! Payouts on the brand's rail (issue 28): a brand pays out on its currency's rail (or the
//! one it chose, which must pay in its currency); partners save an account on that rail,
//! each field checked as that rail's banks check it and named when wrong; withdrawals are
//! in the brand's currency, at least its minimum, to the account on its rail.

use serde_json::{Value, json};

use crate::ledger::{REQUEST, withdrawable_reward};
use crate::partners::{PartnerFixture, partner};
use crate::support::*;

const SAVE: &str = "mutation($i: SavePayoutRequisitesInput!) { savePayoutRequisites(input: $i) { requisites { __typename
    ... on SepaRequisites { accountHolder iban bic }
    ... on PixRequisites { keyType key holderName taxId } } } }";
const READ: &str = "query($p: ID!) { partner(id: $p) { payoutRequisites { __typename ... on SepaRequisites { iban updatedAt } ... on PixRequisites { key } } } }";
const SETTINGS: &str = "mutation($i: UpdateTenantInput!) { updateTenant(input: $i) { tenant { currency payoutRail partnerProgram { withdrawalMinimum } } } }";

/// A brand counting in `currency`, its admin's token and host, and an approved partner.
async fn brand(app: &TestApp, slug: &str, currency: &str) -> (String, String, PartnerFixture) {
    let (id, host) = app.tenant(slug).await;
    let admin = app.tenant_admin_token(slug, &host).await;
    let d = app
        .ok(
            &host,
            Some(&admin),
            SETTINGS,
            json!({ "i": { "id": id, "currency": currency } }),
        )
        .await;
    assert_eq!(d["updateTenant"]["tenant"]["currency"], currency);
    let p = partner(app, &host, slug, "GOLD").await;
    (admin, host, p)
}

async fn refused_on(app: &TestApp, host: &str, p: &PartnerFixture, input: Value) -> String {
    let mut i = input;
    i["partnerId"] = json!(p.id);
    let r = app
        .post(host, Some(&p.owner), SAVE, json!({ "i": i }))
        .await;
    assert_eq!(first_code(&r.body), "BAD_USER_INPUT", "{}", r.body);
    first_field(&r.body)
}

fn sepa(iban: &str, bic: &str, holder: &str) -> Value {
    json!({ "sepa": { "accountHolder": holder, "iban": iban, "bic": bic } })
}

fn pix(key_type: &str, key: &str, tax_id: &str) -> Value {
    json!({ "pix": { "keyType": key_type, "key": key, "holderName": "Ana Souza", "taxId": tax_id } })
}

#[tokio::test]
async fn a_euro_brand_pays_by_sepa_and_checks_iban_and_bic() {
    let app = TestApp::new().await;
    let (_, host, p) = brand(&app, "euro", "EUR").await;
    let d = app
        .ok(&host, None, "{ tenant { payoutRail } }", json!({}))
        .await;
    assert_eq!(d["tenant"]["payoutRail"], "SEPA");

    let good = (
        "DE89 3704 0044 0532 0130 00",
        "COBADEFFXXX",
        "Euro Agency GmbH",
    );
    for (input, field) in [
        // Another rail than the brand's.
        (crate::ledger::requisites(&p.id), "ruBank"),
        (
            sepa("DE89 3704 0044 0532 0130 01", good.1, good.2),
            "sepa.iban",
        ),
        (
            sepa("DE89 3704 0044 0532 0130", good.1, good.2),
            "sepa.iban",
        ),
        // A valid IBAN outside the SEPA area.
        (
            sepa("BR18 0036 0305 0000 1000 9795 493C 1", good.1, good.2),
            "sepa.iban",
        ),
        (sepa(good.0, "COBA1EFF", good.2), "sepa.bic"),
        (sepa(good.0, "COBADEF", good.2), "sepa.bic"),
        (sepa(good.0, good.1, " "), "sepa.accountHolder"),
    ] {
        assert_eq!(
            refused_on(&app, &host, &p, input.clone()).await,
            field,
            "{input}"
        );
    }
    let r = app
        .post(
            &host,
            Some(&p.owner),
            SAVE,
            json!({ "i": { "partnerId": p.id } }),
        )
        .await;
    assert_eq!(first_field(&r.body), "requisites");

    let mut i = sepa(good.0, "cobadeffxxx", good.2);
    i["partnerId"] = json!(p.id);
    let d = app.ok(&host, Some(&p.owner), SAVE, json!({ "i": i })).await;
    assert_eq!(
        d["savePayoutRequisites"]["requisites"],
        json!({ "__typename": "SepaRequisites", "accountHolder": "Euro Agency GmbH",
            "iban": "DE89370400440532013000", "bic": "COBADEFFXXX" })
    );
    let d = app
        .ok(&host, Some(&p.owner), READ, json!({ "p": p.id }))
        .await;
    assert_eq!(
        d["partner"]["payoutRequisites"]["iban"],
        "DE89370400440532013000"
    );
    assert!(d["partner"]["payoutRequisites"]["updatedAt"].is_string());
    // A Serbian account: in the SEPA area since 2025.
    let mut rs = sepa("RS35 2600 0560 1001 6113 79", "AIKBRS22", good.2);
    rs["partnerId"] = json!(p.id);
    let d = app
        .ok(&host, Some(&p.owner), SAVE, json!({ "i": rs }))
        .await;
    assert_eq!(
        d["savePayoutRequisites"]["requisites"]["iban"],
        "RS35260005601001611379"
    );
    app.ok(&host, Some(&p.owner), SAVE, json!({ "i": i })).await;

    // Withdrawals in euros, at least the brand's minimum (50.00 by default).
    withdrawable_reward(&app, &p.id, 12_000).await;
    let ask = |amount: &str| json!({ "i": { "partnerId": p.id, "amount": amount } });
    let r = app.post(&host, Some(&p.owner), REQUEST, ask("40.00")).await;
    assert_eq!(first_field(&r.body), "amount");
    assert!(
        r.body.to_string().contains("at least 50.00 EUR"),
        "{}",
        r.body
    );
    let request = "mutation($i: RequestWithdrawalInput!) { requestWithdrawal(input: $i) { withdrawal { amount currency documentsDueAt dueAt requisites { __typename ... on SepaRequisites { iban } } } } }";
    let d = app.ok(&host, Some(&p.owner), request, ask("100.00")).await;
    assert_eq!(
        d["requestWithdrawal"]["withdrawal"],
        json!({ "amount": "100.00", "currency": "EUR", "documentsDueAt": null, "dueAt": null,
            "requisites": { "__typename": "SepaRequisites", "iban": "DE89370400440532013000" } })
    );
}

#[tokio::test]
async fn a_real_brand_pays_by_pix_and_checks_keys_and_tax_ids() {
    let app = TestApp::new().await;
    let (_, host, p) = brand(&app, "brasil", "BRL").await;
    let cpf = "529.982.247-25";
    let cnpj = "11.222.333/0001-81";
    for (input, field) in [
        (sepa("DE89370400440532013000", "COBADEFF", "X"), "sepa"),
        (pix("CPF", "529.982.247-26", cnpj), "pix.key"),
        (pix("CPF", "111.111.111-11", cnpj), "pix.key"),
        (pix("CNPJ", "11.222.333/0001-82", cnpj), "pix.key"),
        (pix("EMAIL", "not-an-email", cnpj), "pix.key"),
        (pix("PHONE", "+55 11 8765-4321", cnpj), "pix.key"),
        (pix("PHONE", "+1 415 555 0100", cnpj), "pix.key"),
        (pix("RANDOM", "1234", cnpj), "pix.key"),
        (pix("CPF", cpf, "11.222.333/0001-80"), "pix.taxId"),
    ] {
        assert_eq!(
            refused_on(&app, &host, &p, input.clone()).await,
            field,
            "{input}"
        );
    }
    // Every kind of key, normalised; the 2026 alphanumeric CNPJ is a valid tax id.
    for (input, key) in [
        (pix("CPF", cpf, cnpj), "52998224725"),
        (pix("CNPJ", cnpj, cpf), "11222333000181"),
        (pix("EMAIL", "Ana@Example.com", cpf), "ana@example.com"),
        (pix("PHONE", "+55 (11) 98765-4321", cpf), "+5511987654321"),
        (
            pix(
                "RANDOM",
                "123E4567-E89B-12D3-A456-426614174000",
                "12.ABC.345/01DE-35",
            ),
            "123e4567-e89b-12d3-a456-426614174000",
        ),
    ] {
        let mut i = input;
        i["partnerId"] = json!(p.id);
        let d = app.ok(&host, Some(&p.owner), SAVE, json!({ "i": i })).await;
        assert_eq!(d["savePayoutRequisites"]["requisites"]["key"], key);
    }
    let d = app
        .ok(&host, Some(&p.owner), READ, json!({ "p": p.id }))
        .await;
    assert_eq!(
        d["partner"]["payoutRequisites"]["__typename"],
        "PixRequisites"
    );
}

#[tokio::test]
async fn a_brands_rail_pays_in_its_currency_and_its_minimum_is_its_own() {
    let app = TestApp::new().await;
    let (admin, host, p) = brand(&app, "usd", "USD").await;
    let id = app
        .ok(&host, None, "{ tenant { id payoutRail } }", json!({}))
        .await;
    // No rail pays in dollars: no payouts, said plainly.
    assert_eq!(id["tenant"]["payoutRail"], Value::Null);
    let tenant = id["tenant"]["id"].clone();
    let r = app
        .post(
            &host,
            Some(&p.owner),
            REQUEST,
            json!({ "i": { "partnerId": p.id, "amount": "100.00" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "CURRENCY_NOT_SUPPORTED");
    // A rail that pays in another currency is refused; with the currency it is taken.
    let set = |i: Value| json!({ "i": i });
    let r = app
        .post(
            &host,
            Some(&admin),
            SETTINGS,
            set(json!({ "id": tenant, "payoutRail": "SEPA" })),
        )
        .await;
    assert_eq!(first_code(&r.body), "BAD_USER_INPUT");
    assert_eq!(first_field(&r.body), "payoutRail");
    let d = app
        .ok(
            &host,
            Some(&admin),
            SETTINGS,
            set(
                json!({ "id": tenant, "currency": "EUR", "payoutRail": "SEPA",
                "partnerProgram": { "withdrawalMinimum": "20.00" } }),
            ),
        )
        .await;
    assert_eq!(
        d["updateTenant"]["tenant"],
        json!({ "currency": "EUR", "payoutRail": "SEPA", "partnerProgram": { "withdrawalMinimum": "20.00" } })
    );
    // The chosen rail holds the currency: changing it alone is refused by name.
    let r = app
        .post(
            &host,
            Some(&admin),
            SETTINGS,
            set(json!({ "id": tenant, "currency": "BRL" })),
        )
        .await;
    assert_eq!(first_field(&r.body), "currency");
    for bad in ["0", "-5", "100000001"] {
        let r = app
            .post(
                &host,
                Some(&admin),
                SETTINGS,
                set(json!({ "id": tenant, "partnerProgram": { "withdrawalMinimum": bad } })),
            )
            .await;
        assert_eq!(
            first_field(&r.body),
            "partnerProgram.withdrawalMinimum",
            "{bad}"
        );
    }
    // Cleared, the rail is the currency's again; then the currency may change, and the
    // minimum (set in euros) goes back to the default of the new currency.
    app.ok(
        &host,
        Some(&admin),
        SETTINGS,
        set(json!({ "id": tenant, "payoutRail": null })),
    )
    .await;
    let d = app
        .ok(
            &host,
            Some(&admin),
            SETTINGS,
            set(json!({ "id": tenant, "currency": "BRL" })),
        )
        .await;
    assert_eq!(
        d["updateTenant"]["tenant"],
        json!({ "currency": "BRL", "payoutRail": "PIX", "partnerProgram": { "withdrawalMinimum": "50.00" } })
    );
    // The partner's owner may not set them.
    let r = app
        .post(
            &host,
            Some(&p.owner),
            SETTINGS,
            set(json!({ "id": tenant, "payoutRail": "SEPA" })),
        )
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
}
