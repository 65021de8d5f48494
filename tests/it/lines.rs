//! Lines: who sees a line (client, the organization's owners and the members of its
//! space, the client's partner, staff; everyone else NOT_FOUND), renaming and spaces, the
//! partner's private comment, and status by the injectable clock.
//!
//! Lines are bought through orders (next increment); until then the fixtures insert them.

use chrono::Duration;
use entities::{channel_kind, line, line_channel};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::{Value, json};

use crate::partners::partner;
use crate::support::*;

const NODE: &str = "query($id: ID!) { node(id: $id) { ... on Line { id lineNumber name status daysLeft channelCount comment channels { status paid kind { code monthlyPrice } } client { email } space { name } } } }";
const RENAME: &str = "mutation($i: RenameLineInput!) { renameLine(input: $i) { line { name } } }";
const COMMENT: &str =
    "mutation($i: SetLineCommentInput!) { setLineComment(input: $i) { line { comment } } }";
const TO_SPACE: &str = "mutation($i: AttachLineToSpaceInput!) { attachLineToSpace(input: $i) { line { space { name } } } }";

/// Inserts a line of `client` in `org` (optionally in `space`) with one WhatsApp channel.
pub(crate) async fn insert_line(
    app: &TestApp,
    tenant_id: i64,
    client: i64,
    org: i64,
    space: Option<i64>,
    number: i64,
    expires_in: Duration,
) -> String {
    let now = app.state.services.clock.now();
    let kind = channel_kind::ActiveModel {
        tenant_id: Set(tenant_id),
        code: Set(format!("WA{number}")),
        name: Set("WhatsApp".into()),
        personal: Set(true),
        monthly_price_minor: Set(150_000),
        active: Set(true),
        position: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(app.db())
    .await
    .unwrap();
    let l = line::ActiveModel {
        tenant_id: Set(tenant_id),
        line_number: Set(number),
        name: Set(format!("Line {number}")),
        client_user_id: Set(client),
        organization_id: Set(org),
        space_id: Set(space),
        starts_at: Set(now - Duration::days(30)),
        expires_at: Set(now + expires_in),
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
        tenant_id: Set(tenant_id),
        line_id: Set(l.id),
        channel_kind_id: Set(kind.id),
        status: Set(line_channel::ChannelStatus::Connected),
        paid: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(app.db())
    .await
    .unwrap();
    resolvers::ids::encode(resolvers::ids::Kind::Line, l.id).0
}

async fn node(app: &TestApp, host: &str, token: &str, id: &str) -> Value {
    app.ok(host, Some(token), NODE, json!({ "id": id })).await["node"].clone()
}

async fn tenant_id_of(app: &TestApp, host: &str) -> i64 {
    let d = app.ok(host, None, "{ tenant { id } }", json!({})).await;
    raw(d["tenant"]["id"].as_str().unwrap())
}

#[tokio::test]
async fn a_line_is_seen_by_its_client_owners_space_members_partner_and_staff_only() {
    let app = TestApp::new().await;
    let (_, host) = app.tenant("acme").await;
    let tenant = tenant_id_of(&app, &host).await;
    let p = partner(&app, &host, "a", "GOLD").await;
    let other = partner(&app, &host, "b", "OFFICIAL").await;
    // The client signs up with the partner's referral code and owns an organization with
    // a space.
    let d = app
        .ok(
            &host,
            None,
            "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken viewer { id } } }",
            json!({ "i": { "email": "client@acme.example", "password": PASSWORD, "displayName": "Cleo Client", "referralCode": p.referral } }),
        )
        .await;
    let client = d["signUp"]["accessToken"].as_str().unwrap().to_string();
    let client_id = raw(d["signUp"]["viewer"]["id"].as_str().unwrap());
    app.verify_email(&host, "client@acme.example").await;
    let org = app.create_org(&host, &client, "Cleo Shop").await;
    let space = app.create_space(&host, &client, &org, "Sales").await;
    let line = insert_line(
        &app,
        tenant,
        client_id,
        raw(&org),
        Some(raw(&space)),
        1001,
        Duration::days(20),
    )
    .await;

    // The client sees it, with its channel, and no partner comment.
    let n = node(&app, &host, &client, &line).await;
    assert_eq!(n["lineNumber"], 1001);
    assert_eq!(n["client"]["email"], "client@acme.example");
    assert_eq!(n["space"]["name"], "Sales");
    assert_eq!(n["channelCount"], 1);
    assert_eq!(
        n["channels"],
        json!([{ "status": "CONNECTED", "paid": true, "kind": { "code": "WA1001", "monthlyPrice": "1500.00" } }])
    );
    let d = app
        .ok(&host, Some(&client), "{ viewer { lines { totalCount edges { node { lineNumber } } } organizations { lines { totalCount } } } }", json!({}))
        .await;
    assert_eq!(d["viewer"]["lines"]["totalCount"], 1);
    assert_eq!(d["viewer"]["organizations"][0]["lines"]["totalCount"], 1);

    // A member with a role in the line's space sees it; a member without one does not.
    let (agent, _) = app.sign_up_verified(&host, "agent@acme.example").await;
    let (plain, _) = app.sign_up_verified(&host, "plain@acme.example").await;
    for (email, with_space) in [("agent@acme.example", true), ("plain@acme.example", false)] {
        let space_roles = if with_space {
            json!([{ "spaceId": space, "role": "AGENT" }])
        } else {
            json!([])
        };
        app.ok(
            &host,
            Some(&client),
            "mutation($i: InviteMemberInput!) { inviteMember(input: $i) { invitation { id } } }",
            json!({ "i": { "organizationId": org, "email": email, "role": "MEMBER", "spaceRoles": space_roles } }),
        )
        .await;
        let token = if with_space { &agent } else { &plain };
        let id = app
            .ok(
                &host,
                Some(token),
                "{ viewer { pendingInvitations { id } } }",
                json!({}),
            )
            .await["viewer"]["pendingInvitations"][0]["id"]
            .clone();
        app.ok(
            &host,
            Some(token),
            "mutation($i: RespondToInvitationInput!) { acceptInvitation(input: $i) { member { role } } }",
            json!({ "i": { "invitationId": id } }),
        )
        .await;
    }
    assert_eq!(node(&app, &host, &agent, &line).await["lineNumber"], 1001);
    assert_eq!(node(&app, &host, &plain, &line).await, Value::Null);
    let d = app
        .ok(
            &host,
            Some(&plain),
            "{ viewer { organizations { lines { totalCount } } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["viewer"]["organizations"][0]["lines"]["totalCount"], 0);

    // The client's partner sees it without logging in as the client, and writes a note
    // only it reads.
    assert_eq!(
        node(&app, &host, &p.owner, &line).await["comment"],
        Value::Null
    );
    let d = app
        .ok(
            &host,
            Some(&p.owner),
            COMMENT,
            json!({ "i": { "lineId": line, "comment": "renew in March" } }),
        )
        .await;
    assert_eq!(d["setLineComment"]["line"]["comment"], "renew in March");
    assert_eq!(
        node(&app, &host, &p.owner, &line).await["comment"],
        "renew in March"
    );
    assert_eq!(
        node(&app, &host, &client, &line).await["comment"],
        Value::Null
    );
    assert_eq!(
        node(&app, &host, &agent, &line).await["comment"],
        Value::Null
    );
    // The client cannot write a partner note.
    assert_eq!(
        app.err_code(
            &host,
            Some(&client),
            COMMENT,
            json!({ "i": { "lineId": line, "comment": "x" } })
        )
        .await,
        "FORBIDDEN"
    );

    // Another partner, a stranger and another tenant's user get nothing, and change
    // nothing.
    let (stranger, _) = app.sign_up_verified(&host, "stranger@acme.example").await;
    let (_, beta) = app.tenant("beta").await;
    let (beta_user, _) = app.sign_up_verified(&beta, "user@beta.example").await;
    for (h, token) in [
        (&host, &other.owner),
        (&host, &stranger),
        (&beta, &beta_user),
    ] {
        assert_eq!(node(&app, h, token, &line).await, Value::Null);
        assert_eq!(
            app.err_code(
                h,
                Some(token),
                RENAME,
                json!({ "i": { "lineId": line, "name": "mine" } })
            )
            .await,
            "NOT_FOUND"
        );
        assert_eq!(
            app.err_code(
                h,
                Some(token),
                COMMENT,
                json!({ "i": { "lineId": line, "comment": "mine" } })
            )
            .await,
            "NOT_FOUND"
        );
    }
    // `User.lines` is the account's own list (and staff's): a partner reads its clients'
    // lines through the lines themselves, not through the client's account.
    assert_eq!(
        app.err_code(
            &host,
            Some(&p.owner),
            "query($l: ID!) { node(id: $l) { ... on Line { client { lines { totalCount } } } } }",
            json!({ "l": line })
        )
        .await,
        "FORBIDDEN"
    );
    let n = node(&app, &host, &client, &line).await;
    assert_eq!(n["name"], "Line 1001");
    assert_eq!(
        node(&app, &host, &p.owner, &line).await["comment"],
        "renew in March"
    );

    // Tenant admins see it.
    let admin = app.log_in(&host, "admin@acme.example", PASSWORD).await;
    assert_eq!(node(&app, &host, &admin, &line).await["lineNumber"], 1001);
}

#[tokio::test]
async fn renaming_and_moving_a_line_between_spaces() {
    let app = TestApp::new().await;
    let (_, host) = app.tenant("acme").await;
    let tenant = tenant_id_of(&app, &host).await;
    let (client, client_id) = app.sign_up_verified(&host, "client@acme.example").await;
    let org = app.create_org(&host, &client, "Cleo Shop").await;
    let sales = app.create_space(&host, &client, &org, "Sales").await;
    let other_org = app.create_org(&host, &client, "Other").await;
    let foreign = app
        .create_space(&host, &client, &other_org, "Foreign")
        .await;
    let line = insert_line(
        &app,
        tenant,
        raw(&client_id),
        raw(&org),
        None,
        7,
        Duration::days(9),
    )
    .await;

    let d = app
        .ok(
            &host,
            Some(&client),
            RENAME,
            json!({ "i": { "lineId": line, "name": "Support desk" } }),
        )
        .await;
    assert_eq!(d["renameLine"]["line"]["name"], "Support desk");
    let d = app
        .ok(
            &host,
            Some(&client),
            TO_SPACE,
            json!({ "i": { "lineId": line, "spaceId": sales } }),
        )
        .await;
    assert_eq!(d["attachLineToSpace"]["line"]["space"]["name"], "Sales");
    // A space of another organization is refused, and nothing moves.
    let r = app
        .post(
            &host,
            Some(&client),
            TO_SPACE,
            json!({ "i": { "lineId": line, "spaceId": foreign } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "BAD_USER_INPUT");
    assert_eq!(first_field(&r.body), "spaceId");
    assert_eq!(
        node(&app, &host, &client, &line).await["space"]["name"],
        "Sales"
    );
    let d = app
        .ok(
            &host,
            Some(&client),
            TO_SPACE,
            json!({ "i": { "lineId": line, "spaceId": null } }),
        )
        .await;
    assert_eq!(d["attachLineToSpace"]["line"]["space"], Value::Null);
    // Both changes are in the organization's audit log.
    let d = app
        .ok(
            &host,
            Some(&client),
            "query($o: ID!) { auditLog(organizationId: $o) { edges { node { action } } } }",
            json!({ "o": org }),
        )
        .await;
    let actions: Vec<&str> = d["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .filter(|a| a.starts_with("line."))
        .collect();
    assert_eq!(
        actions,
        ["line.renamed", "line.space_changed", "line.space_changed"]
    );
}

#[tokio::test]
async fn status_and_days_left_follow_the_clock() {
    let app = TestApp::new().await;
    let (_, host) = app.tenant("acme").await;
    let tenant = tenant_id_of(&app, &host).await;
    let (client, client_id) = app.sign_up_verified(&host, "client@acme.example").await;
    let org = app.create_org(&host, &client, "Cleo Shop").await;
    let clock = app.state.services.clock.clone();
    clock.set(Some(entities::time::now()));
    let line = insert_line(
        &app,
        tenant,
        raw(&client_id),
        raw(&org),
        None,
        1,
        Duration::days(3) - Duration::hours(1),
    )
    .await;
    let n = node(&app, &host, &client, &line).await;
    assert_eq!(
        (n["status"].clone(), n["daysLeft"].clone()),
        (json!("ACTIVE"), json!(3))
    );
    clock.advance(Duration::days(2));
    let n = node(&app, &host, &client, &line).await;
    assert_eq!(
        (n["status"].clone(), n["daysLeft"].clone()),
        (json!("ACTIVE"), json!(1))
    );
    clock.advance(Duration::hours(23));
    let n = node(&app, &host, &client, &line).await;
    assert_eq!(
        (n["status"].clone(), n["daysLeft"].clone()),
        (json!("EXPIRED"), json!(0))
    );
}

const CHANNELS: &str =
    "query($id: ID!) { node(id: $id) { ... on Line { channels { id status paid } } } }";
const REMOVE: &str = "mutation($i: RemoveLineChannelInput!) { removeLineChannel(input: $i) { line { channelCount } } }";
const SET_STATUS: &str = "mutation($i: SetChannelStatusInput!) { setChannelStatus(input: $i) { channel { id status } lineId } }";
const CREATE_TOKEN: &str = "mutation($i: CreateServiceTokenInput!) { createServiceToken(input: $i) { token serviceToken { id name scopes revokedAt } } }";

/// Adds an unpaid, pending channel to the line `line` (a global id).
async fn add_unpaid_channel(app: &TestApp, tenant_id: i64, line: &str) {
    let now = app.state.services.clock.now();
    let kind = app.channel_kind(tenant_id, "TRIAL", false, 0).await;
    line_channel::ActiveModel {
        tenant_id: Set(tenant_id),
        line_id: Set(raw(line)),
        channel_kind_id: Set(kind),
        status: Set(line_channel::ChannelStatus::Pending),
        paid: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(app.db())
    .await
    .unwrap();
}

async fn channels(app: &TestApp, host: &str, token: &str, line: &str) -> Vec<Value> {
    app.ok(host, Some(token), CHANNELS, json!({ "id": line }))
        .await["node"]["channels"]
        .as_array()
        .unwrap()
        .clone()
}

async fn status_events(app: &TestApp) -> Vec<Value> {
    use entities::domain_event;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    domain_event::Entity::find()
        .filter(domain_event::Column::Kind.eq("channel.status_changed"))
        .order_by_asc(domain_event::Column::Id)
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|e| serde_json::from_str(&e.payload).unwrap())
        .collect()
}

#[tokio::test]
async fn an_unpaid_channel_can_be_removed_and_a_paid_one_cannot() {
    let app = TestApp::new().await;
    let (_, host) = app.tenant("acme").await;
    let tenant = tenant_id_of(&app, &host).await;
    let (client, client_id) = app.sign_up_verified(&host, "client@acme.example").await;
    let org = app.create_org(&host, &client, "Cleo Shop").await;
    let line = insert_line(
        &app,
        tenant,
        raw(&client_id),
        raw(&org),
        None,
        5,
        Duration::days(9),
    )
    .await;
    add_unpaid_channel(&app, tenant, &line).await;
    let chans = channels(&app, &host, &client, &line).await;
    let (paid, unpaid) = (chans[0]["id"].clone(), chans[1]["id"].clone());
    assert_eq!(chans[0]["paid"], true);
    assert_eq!(chans[1]["paid"], false);

    // A paid channel stays.
    let r = app
        .post(
            &host,
            Some(&client),
            REMOVE,
            json!({ "i": { "lineId": line, "channelId": paid } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "CHANNEL_PAID");
    assert_eq!(first_field(&r.body), "channelId");
    // Someone who does not see the line, and another tenant's host: NOT_FOUND.
    let (stranger, _) = app.sign_up_verified(&host, "stranger@acme.example").await;
    let r = app
        .post(
            &host,
            Some(&stranger),
            REMOVE,
            json!({ "i": { "lineId": line, "channelId": unpaid } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
    let (_, other_host) = app.tenant("globex").await;
    let (foreigner, _) = app.sign_up_verified(&other_host, "x@globex.example").await;
    let r = app
        .post(
            &other_host,
            Some(&foreigner),
            REMOVE,
            json!({ "i": { "lineId": line, "channelId": unpaid } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
    assert_eq!(channels(&app, &host, &client, &line).await.len(), 2);

    // The client takes the unpaid one off; it is gone, and audited.
    let d = app
        .ok(
            &host,
            Some(&client),
            REMOVE,
            json!({ "i": { "lineId": line, "channelId": unpaid } }),
        )
        .await;
    assert_eq!(d["removeLineChannel"]["line"]["channelCount"], 1);
    let r = app
        .post(
            &host,
            Some(&client),
            REMOVE,
            json!({ "i": { "lineId": line, "channelId": unpaid } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
    use entities::audit_log;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    assert_eq!(
        audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("line.channel_removed"))
            .count(app.db())
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn the_messaging_side_reports_channel_states_with_a_scoped_service_token() {
    let app = TestApp::new().await;
    let (tenant_gid, host) = app.tenant("acme").await;
    let tenant = tenant_id_of(&app, &host).await;
    let admin = app.tenant_admin_token("acme", &host).await;
    let (client, client_id) = app.sign_up_verified(&host, "client@acme.example").await;
    let org = app.create_org(&host, &client, "Cleo Shop").await;
    let line = insert_line(
        &app,
        tenant,
        raw(&client_id),
        raw(&org),
        None,
        5,
        Duration::days(9),
    )
    .await;
    let channel = channels(&app, &host, &client, &line).await[0]["id"].clone();
    let set = |status: &str| json!({ "i": { "channelId": channel, "status": status } });

    // Only tenant admins and staff make tokens; the secret comes once.
    let r = app
        .post(
            &host,
            Some(&client),
            CREATE_TOKEN,
            json!({ "i": { "name": "gateway", "scopes": ["CHANNEL_STATUS"] } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    let r = app
        .post(
            &host,
            Some(&admin),
            CREATE_TOKEN,
            json!({ "i": { "name": "gateway", "scopes": [] } }),
        )
        .await;
    assert_eq!(first_field(&r.body), "scopes");
    let d = app
        .ok(
            &host,
            Some(&admin),
            CREATE_TOKEN,
            json!({ "i": { "name": "messaging gateway", "scopes": ["CHANNEL_STATUS"] } }),
        )
        .await;
    let token = d["createServiceToken"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(token.starts_with("pgs_"));
    assert_eq!(
        d["createServiceToken"]["serviceToken"]["scopes"],
        json!(["CHANNEL_STATUS"])
    );
    let token_id = d["createServiceToken"]["serviceToken"]["id"].clone();
    let listed = app
        .ok(
            &host,
            Some(&admin),
            "{ tenant { serviceTokens { id name lastUsedAt } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["tenant"]["serviceTokens"][0]["id"], token_id);
    let _ = tenant_gid;

    // The machine reports: one event per change, none for a repeat.
    let d = app
        .ok(&host, Some(&token), SET_STATUS, set("DISCONNECTED"))
        .await;
    assert_eq!(d["setChannelStatus"]["channel"]["status"], "DISCONNECTED");
    assert_eq!(d["setChannelStatus"]["lineId"], json!(line));
    app.ok(&host, Some(&token), SET_STATUS, set("DISCONNECTED"))
        .await;
    app.ok(&host, Some(&token), SET_STATUS, set("CONNECTED"))
        .await;
    let events = status_events(&app).await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["from"], "CONNECTED");
    assert_eq!(events[0]["to"], "DISCONNECTED");
    assert_eq!(events[0]["lineNumber"], 5);
    assert_eq!(events[0]["clientUserId"], raw(&client_id));
    assert_eq!(events[1]["from"], "DISCONNECTED");
    assert_eq!(events[1]["to"], "CONNECTED");
    assert_eq!(
        channels(&app, &host, &client, &line).await[0]["status"],
        "CONNECTED"
    );
    let listed = app
        .ok(
            &host,
            Some(&admin),
            "{ tenant { serviceTokens { lastUsedAt } } }",
            json!({}),
        )
        .await;
    assert!(listed["tenant"]["serviceTokens"][0]["lastUsedAt"].is_string());

    // The token does nothing else: no account, no lines, no other mutation.
    let r = app
        .post(&host, Some(&token), "{ viewer { id } }", json!({}))
        .await;
    assert!(r.body["data"]["viewer"].is_null(), "{}", r.body);
    let r = app
        .post(&host, Some(&token), CHANNELS, json!({ "id": line }))
        .await;
    assert!(r.body["data"]["node"].is_null(), "{}", r.body);
    let r = app
        .post(
            &host,
            Some(&token),
            RENAME,
            json!({ "i": { "lineId": line, "name": "x" } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    let r = app
        .post(
            &host,
            Some(&token),
            CREATE_TOKEN,
            json!({ "i": { "name": "more", "scopes": ["CHANNEL_STATUS"] } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    // Nor does it work on another brand's host.
    let (_, other_host) = app.tenant("globex").await;
    let r = app
        .post(&other_host, Some(&token), SET_STATUS, set("PENDING"))
        .await;
    assert_eq!(r.status.as_u16(), 401, "{}", r.body);

    // People: the client and the organization's owner may not report; staff may (on the
    // root tenant's own lines; here, the channel is not the root tenant's).
    let r = app
        .post(&host, Some(&client), SET_STATUS, set("PENDING"))
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    let d = app
        .ok(&host, Some(&admin), SET_STATUS, set("PENDING"))
        .await;
    assert_eq!(d["setChannelStatus"]["channel"]["status"], "PENDING");
    let staff = app.staff_token().await;
    let r = app
        .post(ROOT, Some(&staff), SET_STATUS, set("CONNECTED"))
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");

    // Revoked: refused on its next request.
    app.ok(&host, Some(&admin), "mutation($i: RevokeServiceTokenInput!) { revokeServiceToken(input: $i) { serviceToken { revokedAt } } }", json!({ "i": { "serviceTokenId": token_id } }))
        .await;
    let r = app
        .post(&host, Some(&token), SET_STATUS, set("CONNECTED"))
        .await;
    assert_eq!(r.status.as_u16(), 401, "{}", r.body);
    assert_eq!(status_events(&app).await.len(), 3);
}
