//! Notifications: the time-based line notices emitted once per line and expiry, fanned
//! out to the client and the partner's members as their settings say (bell and email),
//! money notices only to those who see the money, the bell read and marked read by its
//! owner only, and another tenant seeing nothing. Time moves by the injectable clock.

use chrono::Duration;
use entities::{line, notification, outbox_message};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::ledger::{client_paid_order, member};
use crate::orders::shop;
use crate::support::*;

const BELL: &str = "query($f: Int, $a: String, $u: Boolean) { notifications(first: $f, after: $a, unreadOnly: $u) { totalCount pageInfo { hasNextPage endCursor } edges { node { id kind title body link read } } } unreadNotificationCount }";
const MARK: &str = "mutation($i: MarkNotificationsReadInput!) { markNotificationsRead(input: $i) { marked unreadCount } }";
const SETTINGS: &str = "{ notificationSettings { kinds { kind bell email telegram optIn } } }";
const UPDATE: &str = "mutation($i: UpdateNotificationSettingsInput!) { updateNotificationSettings(input: $i) { kinds { kind bell email telegram optIn } } }";

async fn jobs(app: &TestApp) -> u64 {
    let ran = domain::jobs::run_due(&app.state.services).await.unwrap();
    ran.iter()
        .find(|r| r.job == "lines.notices")
        .map(|r| r.items)
        .unwrap_or(0)
}

async fn bell_of(app: &TestApp, user: i64, kind: &str) -> Vec<notification::Model> {
    notification::Entity::find()
        .filter(notification::Column::UserId.eq(user))
        .filter(notification::Column::Kind.eq(kind))
        .all(app.db())
        .await
        .unwrap()
}

async fn mails(app: &TestApp, kind: &str) -> Vec<outbox_message::Model> {
    outbox_message::Entity::find()
        .filter(outbox_message::Column::Kind.eq(kind))
        .all(app.db())
        .await
        .unwrap()
}

async fn user_id(app: &TestApp, host: &str, token: &str) -> i64 {
    let d = app
        .ok(host, Some(token), "{ viewer { id } }", json!({}))
        .await;
    raw(d["viewer"]["id"].as_str().unwrap())
}

fn kinds(settings: &Value) -> Vec<Value> {
    settings["kinds"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_line_seven_days_before_expiry_rings_the_client_and_the_partner_once_per_expiry() {
    let app = TestApp::new().await;
    let s = shop(&app, "ntf", &[(1, 30)]).await;
    let client = app
        .set_password_via_link(ROOT, "anna.ntf@client.example")
        .await;
    let agent = member(&app, &s.p.org, "agent.ntf@example.com", "MEMBER").await;
    let (owner_id, client_id, agent_id) = (
        user_id(&app, ROOT, &s.p.owner).await,
        user_id(&app, ROOT, &client).await,
        user_id(&app, ROOT, &agent).await,
    );
    app.fan_out().await;

    // 23 days on the line has 7 left: one notice, whatever runs again.
    app.clock_advance(Duration::days(23) + Duration::minutes(1));
    assert_eq!(jobs(&app).await, 1);
    app.fan_out().await;
    app.clock_advance(Duration::minutes(2));
    assert_eq!(jobs(&app).await, 0);
    app.fan_out().await;
    for u in [owner_id, client_id, agent_id] {
        assert_eq!(bell_of(&app, u, "LINE_EXPIRING").await.len(), 1, "user {u}");
    }
    // What the partner reads: the client's account number and email, the line, the
    // organization, a link on the tenant's host.
    let d = app
        .ok(ROOT, Some(&s.p.owner), BELL, json!({ "u": true }))
        .await;
    let item = d["notifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .find(|n| n["kind"] == "LINE_EXPIRING")
        .expect("a LINE_EXPIRING item");
    let number = s.lines(&app).await[0]["lineNumber"].as_i64().unwrap();
    assert_eq!(item["title"], format!("Line {number} expires in 7 days"));
    let account = app
        .ok(
            ROOT,
            Some(&client),
            "{ viewer { accountNumber } }",
            json!({}),
        )
        .await["viewer"]["accountNumber"]
        .clone();
    let body = item["body"].as_str().unwrap();
    assert!(
        body.contains(&format!("account {account}, anna.ntf@client.example")),
        "{body}"
    );
    assert!(body.contains("Organization: Anna ntf LLC"), "{body}");
    assert!(
        item["link"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/lines/{number}")),
        "{item}"
    );
    assert_eq!(item["read"], false);
    // Email is on by default for line notices: one per recipient, in the brand.
    let sent = mails(&app, "LINE_EXPIRING").await;
    let mut to: Vec<&str> = sent.iter().map(|m| m.recipient.as_str()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "agent.ntf@example.com",
            "anna.ntf@client.example",
            "partner-ntf@example.com"
        ]
    );
    assert!(sent[0].body_text.contains(&format!("Line {number}")));
    assert_eq!(sent[0].status, "PENDING");

    // It runs out: one expiry notice.
    app.clock_advance(Duration::days(7));
    assert_eq!(jobs(&app).await, 1);
    app.fan_out().await;
    assert_eq!(bell_of(&app, owner_id, "LINE_EXPIRED").await.len(), 1);
    // A renewal moves the expiry, which re-arms both notices.
    let l = line::Entity::find()
        .filter(line::Column::ClientUserId.eq(client_id))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    let mut m: line::ActiveModel = l.clone().into();
    m.expires_at = Set(l.expires_at + Duration::days(30));
    m.update(app.db()).await.unwrap();
    app.clock_advance(Duration::days(23) + Duration::minutes(2));
    assert_eq!(jobs(&app).await, 1);
    app.fan_out().await;
    assert_eq!(bell_of(&app, owner_id, "LINE_EXPIRING").await.len(), 2);
    assert_eq!(mails(&app, "LINE_EXPIRING").await.len(), 6);
}

#[tokio::test]
async fn settings_turn_each_channel_off_and_lead_lists_are_opt_in() {
    let app = TestApp::new().await;
    let s = shop(&app, "nset", &[(1, 30)]).await;
    let agent = member(&app, &s.p.org, "agent.nset@example.com", "MEMBER").await;
    let owner_id = user_id(&app, ROOT, &s.p.owner).await;
    let agent_id = user_id(&app, ROOT, &agent).await;

    let d = app.ok(ROOT, Some(&s.p.owner), SETTINGS, json!({})).await;
    let all = kinds(&d["notificationSettings"]);
    let of = |k: &str| all.iter().find(|x| x["kind"] == k).unwrap().clone();
    assert_eq!(
        of("LINE_EXPIRING"),
        json!({ "kind": "LINE_EXPIRING", "bell": true, "email": true, "telegram": true, "optIn": false })
    );
    assert_eq!(of("CLIENT_ATTACHED")["email"], false);
    assert_eq!(
        of("FREE_LEAD"),
        json!({ "kind": "FREE_LEAD", "bell": false, "email": false, "telegram": false, "optIn": true })
    );

    // The owner turns line notices off in the bell and by email, and the free-leads list
    // on with one switch.
    let d = app
        .ok(
            ROOT,
            Some(&s.p.owner),
            UPDATE,
            json!({ "i": { "settings": [
                { "kind": "LINE_EXPIRING", "channel": "BELL", "enabled": false },
                { "kind": "LINE_EXPIRING", "channel": "EMAIL", "enabled": false },
                { "kind": "FREE_LEAD", "enabled": true }
            ] } }),
        )
        .await;
    let all = kinds(&d["updateNotificationSettings"]);
    let of = |k: &str| all.iter().find(|x| x["kind"] == k).unwrap().clone();
    assert_eq!(
        (
            of("LINE_EXPIRING")["bell"].clone(),
            of("LINE_EXPIRING")["email"].clone(),
            of("LINE_EXPIRING")["telegram"].clone()
        ),
        (json!(false), json!(false), json!(true))
    );
    assert_eq!(
        (
            of("FREE_LEAD")["bell"].clone(),
            of("FREE_LEAD")["email"].clone(),
            of("FREE_LEAD")["telegram"].clone()
        ),
        (json!(true), json!(true), json!(true))
    );
    // Nothing to change is a clear error.
    let r = app
        .post(
            ROOT,
            Some(&s.p.owner),
            UPDATE,
            json!({ "i": { "settings": [] } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "BAD_USER_INPUT");
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "settings");
    // Anonymous: no settings.
    let r = app.post(ROOT, None, SETTINGS, json!({})).await;
    assert_eq!(first_code(&r.body), "UNAUTHENTICATED");

    app.fan_out().await;
    app.clock_advance(Duration::days(23) + Duration::minutes(1));
    assert_eq!(jobs(&app).await, 1);
    app.fan_out().await;
    // The owner is told nothing; the agent, who changed nothing, is.
    assert!(bell_of(&app, owner_id, "LINE_EXPIRING").await.is_empty());
    assert_eq!(bell_of(&app, agent_id, "LINE_EXPIRING").await.len(), 1);
    let to: Vec<String> = mails(&app, "LINE_EXPIRING")
        .await
        .into_iter()
        .map(|m| m.recipient)
        .collect();
    assert!(
        !to.contains(&"partner-nset@example.com".to_string()),
        "{to:?}"
    );
    assert!(to.contains(&"agent.nset@example.com".to_string()), "{to:?}");
}

#[tokio::test]
async fn money_notices_reach_owners_and_user_admins_and_the_client_only() {
    let app = TestApp::new().await;
    let s = shop(&app, "nmon", &[]).await;
    let client = app
        .set_password_via_link(ROOT, "anna.nmon@client.example")
        .await;
    let admin = member(&app, &s.p.org, "admin.nmon@example.com", "USER_ADMIN").await;
    let agent = member(&app, &s.p.org, "agent.nmon@example.com", "MEMBER").await;
    let staff = app.staff_token().await;
    client_paid_order(&app, &s, &client, &staff).await;
    app.fan_out().await;
    for (token, told) in [(&s.p.owner, 1), (&admin, 1), (&client, 1), (&agent, 0)] {
        let id = user_id(&app, ROOT, token).await;
        assert_eq!(
            bell_of(&app, id, "ORDER_PAID").await.len(),
            told,
            "user {id}"
        );
    }
    // The agent is still told of the partner's other events (the client it attached).
    let agent_id = user_id(&app, ROOT, &agent).await;
    assert_eq!(bell_of(&app, agent_id, "CLIENT_ATTACHED").await.len(), 1);
}

#[tokio::test]
async fn the_bell_pages_newest_first_and_only_its_owner_marks_it_read() {
    let app = TestApp::new().await;
    let p = crate::partners::partner(&app, ROOT, "nbell", "GOLD").await;
    // Three clients created by the partner: each is attached (and grants access).
    for n in 0..3 {
        app.ok(
            ROOT,
            Some(&p.owner),
            "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id } } }",
            json!({ "i": { "partnerId": p.id, "fullName": format!("Client {n}"), "email": format!("c{n}.nbell@client.example") } }),
        )
        .await;
    }
    let done = app.fan_out().await;
    assert!(done.events >= 6, "{done:?}");
    let d = app.ok(ROOT, Some(&p.owner), BELL, json!({ "f": 4 })).await;
    let n = &d["notifications"];
    assert_eq!(n["totalCount"], 6);
    assert_eq!(d["unreadNotificationCount"], 6);
    assert_eq!(n["pageInfo"]["hasNextPage"], true);
    let ids: Vec<i64> = n["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| raw(e["node"]["id"].as_str().unwrap()))
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    let rest = app
        .ok(
            ROOT,
            Some(&p.owner),
            BELL,
            json!({ "f": 4, "a": n["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(rest["notifications"]["edges"].as_array().unwrap().len(), 2);
    assert_eq!(rest["notifications"]["pageInfo"]["hasNextPage"], false);

    // Someone else's ids change nothing, and they read nothing of it.
    let newest = n["edges"][0]["node"]["id"].clone();
    let (other, _, _) = app.sign_up(ROOT, "other.nbell@example.com").await;
    let d = app
        .ok(
            ROOT,
            Some(&other),
            MARK,
            json!({ "i": { "ids": [newest] } }),
        )
        .await;
    assert_eq!(d["markNotificationsRead"]["marked"], 0);
    let d = app.ok(ROOT, Some(&other), BELL, json!({})).await;
    assert_eq!(d["notifications"]["totalCount"], 0);
    // Another tenant's user, and a stranger, get nothing either.
    let (_, acme) = app.tenant("nbell-acme").await;
    let (foreign, _, _) = app.sign_up(&acme, "x.nbell@example.com").await;
    let d = app.ok(&acme, Some(&foreign), BELL, json!({})).await;
    assert_eq!(d["notifications"]["totalCount"], 0);
    let r = app.post(ROOT, None, BELL, json!({})).await;
    assert_eq!(first_code(&r.body), "UNAUTHENTICATED");

    // The owner marks one, then all.
    let d = app
        .ok(
            ROOT,
            Some(&p.owner),
            MARK,
            json!({ "i": { "ids": [newest] } }),
        )
        .await;
    assert_eq!(
        d["markNotificationsRead"],
        json!({ "marked": 1, "unreadCount": 5 })
    );
    let d = app
        .ok(ROOT, Some(&p.owner), BELL, json!({ "u": true }))
        .await;
    assert_eq!(d["notifications"]["totalCount"], 5);
    let r = app
        .post(ROOT, Some(&p.owner), MARK, json!({ "i": {} }))
        .await;
    assert_eq!(first_code(&r.body), "BAD_USER_INPUT");
    let d = app
        .ok(ROOT, Some(&p.owner), MARK, json!({ "i": { "all": true } }))
        .await;
    assert_eq!(
        d["markNotificationsRead"],
        json!({ "marked": 5, "unreadCount": 0 })
    );
}
