//! The partner's client lines page: a page of clients with their matching lines, every
//! filter (country, status by the injectable clock, search over client, organization and
//! line number), "show all", isolation, and a statement count that does not grow with the
//! page size.

use chrono::Duration;
use entities::{channel_kind, line, line_channel, organization, organization_member};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::partners::{PartnerFixture, partner};
use crate::support::*;

const PAGE: &str = "query($p: ID!, $n: Int, $country: String, $status: LineStatusFilter, $search: String) { partner(id: $p) { clientCountries clientLines(first: $n, country: $country, status: $status, search: $search) { totalCount pageInfo { hasNextPage } edges { node { client { accountNumber displayName email } organizations { name } lines { lineNumber name status daysLeft comment organization { name } channelCount channels { status paid kind { code } } } } } } } }";

/// A client of `p` with an organization and lines expiring in the given days.
pub async fn client_with_lines(
    app: &TestApp,
    host: &str,
    p: &PartnerFixture,
    name: &str,
    country: &str,
    lines: &[(i64, i64)],
) -> i64 {
    client_with_lines_in(app, host, p, name, country, None, lines).await
}

/// [`client_with_lines`], the client created in `language` (the brand's when `None`).
pub async fn client_with_lines_in(
    app: &TestApp,
    host: &str,
    p: &PartnerFixture,
    name: &str,
    country: &str,
    language: Option<&str>,
    lines: &[(i64, i64)],
) -> i64 {
    let mut input = json!({ "partnerId": p.id, "fullName": name, "email": format!("{}@client.example", name.to_lowercase().replace(' ', ".")), "country": country });
    if let Some(l) = language {
        input["language"] = json!(l);
    }
    let d = app
        .ok(host, Some(&p.owner), "mutation($i: CreateClientInput!) { createClient(input: $i) { client { user { id } } } }", json!({ "i": input }))
        .await;
    let user = raw(d["createClient"]["client"]["user"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{d}")));
    let tenant = app.tenant_of_user(user).await;
    let now = app.state.services.clock.now();
    let org = organization::ActiveModel {
        tenant_id: Set(tenant),
        name: Set(format!("{name} LLC")),
        country: Set(Some(country.into())),
        timezone: Set("UTC".into()),
        language: Set("en".into()),
        created_by: Set(Some(user)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(app.db())
    .await
    .unwrap();
    organization_member::ActiveModel {
        tenant_id: Set(tenant),
        organization_id: Set(org.id),
        user_id: Set(user),
        role: Set(entities::OrgRole::Owner),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(app.db())
    .await
    .unwrap();
    let kind = app.channel_kind(tenant, "WHATSAPP", true, 150_000).await;
    for (number, days) in lines {
        let l = line::ActiveModel {
            tenant_id: Set(tenant),
            line_number: Set(*number),
            name: Set(format!("Line {number}")),
            client_user_id: Set(user),
            organization_id: Set(org.id),
            space_id: Set(None),
            starts_at: Set(now - Duration::days(30)),
            expires_at: Set(now + Duration::days(*days)),
            coin_balance: Set(0),
            waba_balance_minor: Set(0),
            nfr: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(app.db())
        .await
        .unwrap();
        line_channel::ActiveModel {
            tenant_id: Set(tenant),
            line_id: Set(l.id),
            channel_kind_id: Set(kind),
            status: Set(line_channel::ChannelStatus::Connected),
            paid: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(app.db())
        .await
        .unwrap();
    }
    user
}

impl TestApp {
    /// The tenant of a user.
    pub async fn tenant_of_user(&self, user: i64) -> i64 {
        use sea_orm::EntityTrait;
        entities::user::Entity::find_by_id(user)
            .one(self.db())
            .await
            .unwrap()
            .unwrap()
            .tenant_id
    }

    /// The id of the tenant's channel kind `code`, created if missing.
    pub async fn channel_kind(&self, tenant: i64, code: &str, personal: bool, minor: i64) -> i64 {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        if let Some(k) = channel_kind::Entity::find()
            .filter(channel_kind::Column::TenantId.eq(tenant))
            .filter(channel_kind::Column::Code.eq(code))
            .one(self.db())
            .await
            .unwrap()
        {
            return k.id;
        }
        let now = self.state.services.clock.now();
        channel_kind::ActiveModel {
            tenant_id: Set(tenant),
            code: Set(code.into()),
            name: Set(code.to_lowercase()),
            personal: Set(personal),
            monthly_price_minor: Set(minor),
            active: Set(true),
            position: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(self.db())
        .await
        .unwrap()
        .id
    }
}

async fn page(app: &TestApp, token: &str, p: &str, vars: Value) -> Value {
    let mut v = vars;
    v["p"] = json!(p);
    app.ok(ROOT, Some(token), PAGE, v).await["partner"].clone()
}

fn numbers(page: &Value) -> Vec<Vec<i64>> {
    page["clientLines"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["node"]["lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["lineNumber"].as_i64().unwrap())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn the_client_lines_page_filters_by_country_status_and_search() {
    // "Show all" (1000 clients) of the full page is within the default limits
    // (docs/api-limits.md "Cost").
    let app = TestApp::new().await;
    let p = partner(&app, ROOT, "a", "GOLD").await;
    // Anna (RU): active 100 days, expiring in 3 days, expired 10 days ago.
    client_with_lines(
        &app,
        ROOT,
        &p,
        "Anna Ivanova",
        "RU",
        &[(501, 100), (502, 3), (503, -10)],
    )
    .await;
    // Boris (KZ): expiring in 20 days.
    client_with_lines(&app, ROOT, &p, "Boris Kim", "KZ", &[(601, 20)]).await;
    // Clara (RU): no lines.
    client_with_lines(&app, ROOT, &p, "Clara Lee", "RU", &[]).await;

    let all = page(&app, &p.owner, &p.id, json!({})).await;
    assert_eq!(all["clientCountries"], json!(["KZ", "RU"]));
    assert_eq!(all["clientLines"]["totalCount"], 3);
    assert_eq!(numbers(&all), vec![vec![501, 502, 503], vec![601], vec![]]);
    let first = &all["clientLines"]["edges"][0]["node"];
    assert!(first["client"]["accountNumber"].as_i64().unwrap() > 100_000);
    assert_eq!(
        first["organizations"],
        json!([{ "name": "Anna Ivanova LLC" }])
    );
    let l = &first["lines"][1];
    assert_eq!(l["status"], "ACTIVE");
    assert_eq!(l["daysLeft"], 3);
    assert_eq!(l["organization"]["name"], "Anna Ivanova LLC");
    assert_eq!(
        l["channels"],
        json!([{ "status": "CONNECTED", "paid": true, "kind": { "code": "WHATSAPP" } }])
    );
    assert_eq!(first["lines"][2]["status"], "EXPIRED");
    assert!(
        first["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["comment"].is_null())
    );

    // The partner's note shows on its own line only (the page joins the notes).
    let noted = line::Entity::find()
        .filter(line::Column::LineNumber.eq(502))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    app.ok(
        ROOT,
        Some(&p.owner),
        "mutation($i: SetLineCommentInput!) { setLineComment(input: $i) { line { comment } } }",
        json!({ "i": { "lineId": resolvers::ids::encode(resolvers::ids::Kind::Line, noted.id).0, "comment": "call in March" } }),
    )
    .await;
    let again = page(&app, &p.owner, &p.id, json!({})).await;
    let comments: Vec<Value> = again["clientLines"]["edges"][0]["node"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["comment"].clone())
        .collect();
    assert_eq!(
        comments,
        vec![Value::Null, json!("call in March"), Value::Null]
    );

    let cases: Vec<(Value, Vec<Vec<i64>>)> = vec![
        (json!({ "country": "kz" }), vec![vec![601]]),
        (
            json!({ "country": "RU" }),
            vec![vec![501, 502, 503], vec![]],
        ),
        (
            json!({ "status": "ACTIVE" }),
            vec![vec![501, 502], vec![601]],
        ),
        (json!({ "status": "EXPIRES_IN_7_DAYS" }), vec![vec![502]]),
        (
            json!({ "status": "EXPIRES_IN_30_DAYS" }),
            vec![vec![502], vec![601]],
        ),
        (json!({ "status": "EXPIRED" }), vec![vec![503]]),
        (
            json!({ "status": "ACTIVE", "country": "RU" }),
            vec![vec![501, 502]],
        ),
        // The client's name, email, an organization's name, a line number.
        (json!({ "search": "ivanova" }), vec![vec![501, 502, 503]]),
        (json!({ "search": "boris.kim@" }), vec![vec![601]]),
        (json!({ "search": "clara lee llc" }), vec![]),
        (json!({ "search": "Lee LLC" }), vec![]),
        (json!({ "search": "Clara" }), vec![vec![]]),
        (json!({ "search": "502" }), vec![vec![502]]),
        (json!({ "search": "502", "status": "EXPIRED" }), vec![]),
        (
            json!({ "search": "ivanova", "status": "EXPIRED" }),
            vec![vec![503]],
        ),
    ];
    for (vars, want) in cases {
        let got = page(&app, &p.owner, &p.id, vars.clone()).await;
        assert_eq!(numbers(&got), want, "{vars}");
        assert_eq!(
            got["clientLines"]["totalCount"].as_u64().unwrap() as usize,
            want.len(),
            "{vars}"
        );
    }

    // Search by account number finds the client.
    let acc = all["clientLines"]["edges"][1]["node"]["client"]["accountNumber"]
        .as_i64()
        .unwrap();
    let got = page(&app, &p.owner, &p.id, json!({ "search": acc.to_string() })).await;
    assert_eq!(numbers(&got), vec![vec![601]]);

    // Page size counts clients; "show all" goes up to 1000, not beyond.
    let got = page(&app, &p.owner, &p.id, json!({ "n": 2 })).await;
    assert_eq!(numbers(&got).len(), 2);
    assert_eq!(got["clientLines"]["pageInfo"]["hasNextPage"], true);
    let got = page(&app, &p.owner, &p.id, json!({ "n": 1000 })).await;
    assert_eq!(numbers(&got).len(), 3);
    // "Show all" is within the default limits: the rows' clients, organizations, lines,
    // channels and kinds come in batches and cost per batch (docs/api-limits.md "Cost").
    let r = app
        .post(ROOT, Some(&p.owner), PAGE, json!({ "p": p.id, "n": 1000 }))
        .await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    // partner, its countries, the page of 1000, six batches.
    assert_eq!(r.body["extensions"]["cost"]["requested"], 1 + 1 + 1001 + 6);
    // A page that would run once per client under "show all" is still refused.
    let nested = "query($p: ID!) { partner(id: $p) { clientLines(first: 1000) { edges { node { client { lines(first: 10) { edges { node { id } } } } } } } } }";
    let r = app
        .post(ROOT, Some(&p.owner), nested, json!({ "p": p.id }))
        .await;
    assert_eq!(first_code(&r.body), "MAX_COST_EXCEEDED", "{}", r.body);
    assert_eq!(
        r.body["errors"][0]["extensions"]["cost"]["requested"],
        1 + 1001 + 1 + 1000 * 11
    );
    let r = app
        .post(ROOT, Some(&p.owner), PAGE, json!({ "p": p.id, "n": 1001 }))
        .await;
    assert_eq!(first_code(&r.body), "BAD_USER_INPUT");
    assert_eq!(first_field(&r.body), "first");
    let r = app
        .post(
            ROOT,
            Some(&p.owner),
            PAGE,
            json!({ "p": p.id, "country": "Russia" }),
        )
        .await;
    assert_eq!(first_field(&r.body), "country");
}

#[tokio::test]
async fn another_partner_a_client_and_another_tenant_get_nothing() {
    let app = TestApp::new().await;
    let p = partner(&app, ROOT, "a", "GOLD").await;
    let other = partner(&app, ROOT, "b", "GOLD").await;
    client_with_lines(&app, ROOT, &p, "Anna Ivanova", "RU", &[(501, 100)]).await;
    client_with_lines(&app, ROOT, &other, "Olga Other", "RU", &[(701, 100)]).await;
    // Each partner sees its own clients only.
    assert_eq!(
        numbers(&page(&app, &other.owner, &other.id, json!({})).await),
        vec![vec![701]]
    );
    // Another partner asking for this partner's page: refused.
    let r = app
        .post(ROOT, Some(&other.owner), PAGE, json!({ "p": p.id }))
        .await;
    assert!(r.body["data"]["partner"].is_null(), "{}", r.body);
    assert!(["FORBIDDEN", "NOT_FOUND"].contains(&first_code(&r.body).as_str()));
    // A plain user: refused.
    let (token, _, _) = app.sign_up(ROOT, "nobody@example.com").await;
    let r = app
        .post(ROOT, Some(&token), PAGE, json!({ "p": p.id }))
        .await;
    assert!(r.body["data"]["partner"].is_null());
    // Another tenant's host does not know the partner.
    let (_, host) = app.tenant("acme").await;
    let (t2, _, _) = app.sign_up(&host, "x@acme.example").await;
    let r = app.post(&host, Some(&t2), PAGE, json!({ "p": p.id })).await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
}

#[tokio::test]
async fn the_client_lines_page_runs_the_same_statements_at_5_and_50_clients() {
    let app = TestApp::new().await;
    let mut counts = Vec::new();
    for (tag, n) in [("small", 5i64), ("large", 50)] {
        let p = partner(&app, ROOT, tag, "GOLD").await;
        for i in 0..n {
            let base = if tag == "small" { 1000 } else { 2000 };
            client_with_lines(
                &app,
                ROOT,
                &p,
                &format!("{tag} Client {i}"),
                if i % 2 == 0 { "RU" } else { "KZ" },
                &[(base + i * 2, 40), (base + i * 2 + 1, 5)],
            )
            .await;
        }
        let before = app.state.statements.get();
        let d = page(&app, &p.owner, &p.id, json!({ "n": 50 })).await;
        let used = app.state.statements.get() - before;
        assert_eq!(numbers(&d).len(), n as usize);
        assert!(numbers(&d).iter().all(|l| l.len() == 2));
        counts.push(used);
    }
    eprintln!("client lines statements: {counts:?}");
    assert_eq!(
        counts[0], counts[1],
        "statements at 5 and 50 clients: {counts:?}"
    );
    // The budget of the issue: at most 8 at 50 rows, authentication and the
    // `clientCountries` filter list included.
    assert!(counts[1] <= 8, "statements at 50 clients: {counts:?}");
}
