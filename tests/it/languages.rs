//! Every person has a language (issue 27): the one chosen at sign-up (the referral
//! landing's choice), otherwise the one their invitation names, otherwise the brand's
//! default; changed with `updateAccount`; a client a partner creates gets the one the
//! partner gives.

use serde_json::{Value, json};

use crate::partners::{CREATE_CLIENT, partner};
use crate::support::*;

const SIGN_UP: &str =
    "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken viewer { language } } }";
const VIEWER: &str = "{ viewer { language } }";
const UPDATE: &str =
    "mutation($i: UpdateAccountInput!) { updateAccount(input: $i) { user { language } } }";

async fn sign_up(app: &TestApp, host: &str, email: &str, extra: Value) -> (String, Value) {
    let mut i = json!({ "email": email, "password": PASSWORD, "displayName": email });
    for (k, v) in extra.as_object().unwrap() {
        i[k] = v.clone();
    }
    let d = app.ok(host, None, SIGN_UP, json!({ "i": i })).await;
    (
        d["signUp"]["accessToken"].as_str().unwrap().to_string(),
        d["signUp"]["viewer"]["language"].clone(),
    )
}

/// The stored language of `email`'s account.
async fn stored(app: &TestApp, email: &str) -> String {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    entities::user::Entity::find()
        .filter(entities::user::Column::Email.eq(email))
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .language
}

#[tokio::test]
async fn the_language_chosen_at_sign_up_or_else_the_brands_and_the_person_changes_it() {
    let app = TestApp::new().await;
    let (id, host) = app.tenant("acme").await;
    let admin = app.tenant_admin_token("acme", &host).await;
    app.ok(
        &host,
        Some(&admin),
        "mutation($i: UpdateTenantInput!) { updateTenant(input: $i) { tenant { defaultLanguage } } }",
        json!({ "i": { "id": id, "defaultLanguage": "PT" } }),
    )
    .await;
    // No choice: the brand's default.
    let (_, lang) = sign_up(&app, &host, "ana@example.com", json!({})).await;
    assert_eq!(lang, "PT");
    // The referral landing's choice wins.
    let (token, lang) = sign_up(&app, &host, "ivan@example.com", json!({ "language": "RU" })).await;
    assert_eq!(lang, "RU");
    assert_eq!(stored(&app, "ivan@example.com").await, "ru");
    // Changed later, by the person.
    let d = app
        .ok(
            &host,
            Some(&token),
            UPDATE,
            json!({ "i": { "language": "ES" } }),
        )
        .await;
    assert_eq!(d["updateAccount"]["user"]["language"], "ES");
    let d = app.ok(&host, Some(&token), VIEWER, json!({})).await;
    assert_eq!(d["viewer"]["language"], "ES");
    // Another change leaves it alone.
    app.ok(
        &host,
        Some(&token),
        UPDATE,
        json!({ "i": { "displayName": "Ivan" } }),
    )
    .await;
    assert_eq!(stored(&app, "ivan@example.com").await, "es");
    // Not a language of the API: refused by the schema, nothing changes.
    let r = app
        .post(
            &host,
            Some(&token),
            UPDATE,
            json!({ "i": { "language": "XX" } }),
        )
        .await;
    assert!(r.body["errors"].is_array(), "{}", r.body);
    assert_eq!(stored(&app, "ivan@example.com").await, "es");
    // A brand's first admin takes the brand's default when the brand was made (Russian,
    // unless `createTenant` says otherwise).
    assert_eq!(stored(&app, "admin@acme.example").await, "ru");
}

#[tokio::test]
async fn invitations_and_created_clients_carry_the_persons_language() {
    let app = TestApp::new().await;
    // A client the partner creates, in the language the partner gives.
    let p = partner(&app, ROOT, "a", "GOLD").await;
    app.ok(ROOT, Some(&p.owner), CREATE_CLIENT, json!({ "i": { "partnerId": p.id, "fullName": "Italo", "email": "italo@client.example", "language": "IT" } }))
        .await;
    assert_eq!(stored(&app, "italo@client.example").await, "it");
    app.ok(
        ROOT,
        Some(&p.owner),
        CREATE_CLIENT,
        json!({ "i": { "partnerId": p.id, "fullName": "Eve", "email": "eve@client.example" } }),
    )
    .await;
    assert_eq!(stored(&app, "eve@client.example").await, "en");

    // An invitation names the invitee's language; signing up through it keeps it unless
    // the person chooses another.
    let f = app.org_fixture().await;
    let owner = &f.tokens["owner"];
    for (email, language) in [("sofia@example.com", "ES"), ("rita@example.com", "PT")] {
        app.ok(
            ROOT,
            Some(owner),
            "mutation($i: InviteMemberInput!) { inviteMember(input: $i) { invitation { id } } }",
            json!({ "i": { "organizationId": f.org, "email": email, "role": "MEMBER", "language": language } }),
        )
        .await;
    }
    app.sign_up_invited(ROOT, "sofia@example.com").await;
    assert_eq!(stored(&app, "sofia@example.com").await, "es");
    let token = app.link_token("rita@example.com", "INVITATION").await;
    let (_, lang) = sign_up(
        &app,
        ROOT,
        "rita@example.com",
        json!({ "invitationToken": token, "language": "RU" }),
    )
    .await;
    assert_eq!(lang, "RU");
}

/// The reset email is written before the account is looked up (the request does the same
/// work whether the address has an account); the statement that queues it still picks the
/// account's language.
#[tokio::test]
async fn the_password_reset_email_is_in_the_accounts_language() {
    use domain::kernel::i18n::tr;
    let app = TestApp::new().await;
    sign_up(&app, ROOT, "olga@example.com", json!({ "language": "RU" })).await;
    sign_up(&app, ROOT, "joao@example.com", json!({ "language": "PT" })).await;
    sign_up(&app, ROOT, "emma@example.com", json!({})).await;
    let reset = "mutation($e: String!) { requestPasswordReset(input: { email: $e }) { accepted } }";
    for email in [
        "olga@example.com",
        "joao@example.com",
        "emma@example.com",
        "nobody@example.com",
    ] {
        app.ok(ROOT, None, reset, json!({ "e": email })).await;
    }
    let brand = || ("brand", "Partner Gateway".into());
    for (email, lang) in [
        ("olga@example.com", "ru"),
        ("joao@example.com", "pt"),
        ("emma@example.com", "en"),
    ] {
        let m = app.outbox_email(email, "PASSWORD_RESET").await.unwrap();
        assert_eq!(m.subject, tr(lang, "reset-subject", &[brand()]), "{email}");
        assert!(m.body_html.contains(&format!("lang=\"{lang}\"")), "{email}");
    }
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let none = entities::outbox_message::Entity::find()
        .filter(entities::outbox_message::Column::Recipient.eq("nobody@example.com"))
        .count(app.db())
        .await
        .unwrap();
    assert_eq!(none, 0);
}
