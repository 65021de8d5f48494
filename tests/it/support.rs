//! `TestApp`: a fresh database (SQLite file, or a PostgreSQL database copied from a
//! migrated template), the real `app(state)` router, and helpers to drive it.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::net::SocketAddr;
use std::path::PathBuf;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use partner_gateway::{AppState, Config, app, prepare};
use sea_orm::sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};
use serde_json::{Value, json};
use tower::ServiceExt;

/// The root tenant's host.
pub const ROOT: &str = "localhost";
/// A password that passes the policy.
pub const PASSWORD: &str = "correct horse battery";

/// One test's application.
pub struct TestApp {
    pub state: AppState,
    pub router: axum::Router,
    dir: PathBuf,
    pg: Option<(String, String)>,
    cfg: Config,
}

/// A response, decoded.
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let prefix = base.rsplit_once('/').map(|(p, _)| p).unwrap_or(base);
    format!("{prefix}/{db}{query}")
}

async fn pg_fresh_database(admin_url: &str) -> String {
    let mut admin = PgConnection::connect(admin_url)
        .await
        .expect("connect TEST_DATABASE_URL");
    let mut h = DefaultHasher::new();
    migrations::fingerprint().hash(&mut h);
    let template = format!("pgw_tpl_{:016x}", h.finish());
    // One process creates the template; the others wait for it.
    admin
        .execute("SELECT pg_advisory_lock(724301)")
        .await
        .unwrap();
    let exists: Option<(i32,)> =
        sea_orm::sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
            .bind(&template)
            .fetch_optional(&mut admin)
            .await
            .unwrap();
    if exists.is_none() {
        admin
            .execute(AssertSqlSafe(format!("CREATE DATABASE {template}")))
            .await
            .unwrap();
        let db = partner_gateway::db::connect(&with_database(admin_url, &template))
            .await
            .unwrap();
        partner_gateway::db::migrate(&db).await.unwrap();
        db.close().await.unwrap();
    }
    admin
        .execute("SELECT pg_advisory_unlock(724301)")
        .await
        .unwrap();
    let name = format!("pgw_test_{}", uuid::Uuid::new_v4().simple());
    let mut tries = 0;
    loop {
        let sql = format!("CREATE DATABASE {name} TEMPLATE {template}");
        match admin.execute(AssertSqlSafe(sql)).await {
            Ok(_) => break,
            // Two copies of one template at the same instant: try again.
            Err(e) if tries < 50 && e.to_string().contains("being accessed") => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(e) => panic!("creating the test database: {e}"),
        }
    }
    admin.close().await.ok();
    name
}

impl TestApp {
    /// A fresh application with default configuration.
    pub async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    /// A fresh application, configuration adjusted by `f`.
    pub async fn with_config(f: impl FnOnce(&mut Config)) -> Self {
        let dir = std::env::temp_dir().join(format!("pgw-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut cfg = Config::defaults();
        cfg.data_dir = dir.clone();
        cfg.jwt_private_key = None;
        cfg.jwt_private_key_file = None;
        cfg.trusted_proxies = String::new();
        cfg.platform_base_domain = "localhost".into();
        // Every in-process request comes from 127.0.0.1 and many tests freeze the clock:
        // rate limits are off unless a test is about them (tests/it/ratelimits.rs).
        cfg.rate_limit_guarded_per_address = 0;
        cfg.rate_limit_guarded_per_account = 0;
        cfg.rate_limit_tenant_per_second = 0;
        cfg.rate_limit_user_per_second = 0;
        let pg = match std::env::var("TEST_DATABASE_URL") {
            Ok(admin) if !admin.is_empty() => {
                let name = pg_fresh_database(&admin).await;
                cfg.database_url = with_database(&admin, &name);
                Some((admin, name))
            }
            _ => {
                cfg.database_url = format!("sqlite://{}/test.db?mode=rwc", dir.display());
                None
            }
        };
        f(&mut cfg);
        let state = prepare(&cfg).await.expect("prepare");
        listen_for_bells(&state).await;
        let router = app(state.clone());
        Self {
            state,
            router,
            dir,
            pg,
            cfg,
        }
    }

    /// Another instance of the same deployment: same configuration, database and keys,
    /// its own memory.
    pub async fn second_instance(&self) -> AppState {
        let state = prepare(&self.cfg).await.expect("prepare second instance");
        listen_for_bells(&state).await;
        state
    }

    /// Another instance of the same deployment, its configuration adjusted by `f`.
    pub async fn instance_with(&self, f: impl FnOnce(&mut Config)) -> AppState {
        let mut cfg = self.cfg.clone();
        f(&mut cfg);
        prepare(&cfg).await.expect("prepare another instance")
    }

    /// Another instance whose tenant registry follows changes made elsewhere: on PostgreSQL
    /// by NOTIFY (the periodic reload made too slow to matter, and subscribed and caught up
    /// before this returns, so a later change can only arrive by NOTIFY); on SQLite, which
    /// has no notifications, by a reload every 100 ms.
    pub async fn second_instance_following_tenants(&self) -> AppState {
        let other = self.second_instance().await;
        let every = if self.is_postgres() {
            std::time::Duration::from_secs(3600)
        } else {
            std::time::Duration::from_millis(100)
        };
        other
            .services
            .registry
            .spawn_refresher(other.services.db.clone(), every);
        if self.is_postgres() {
            other.services.registry.subscribed().await;
        }
        other
    }

    /// Serves the router on a loopback port (what a WebSocket needs: a real connection to
    /// upgrade); returns its address.
    pub async fn serve(&self) -> SocketAddr {
        serve_state(self.state.clone()).await
    }

    /// The database URL this app uses.
    pub fn database_url(&self) -> String {
        match &self.pg {
            Some((admin, name)) => with_database(admin, name),
            None => format!("sqlite://{}/test.db?mode=rwc", self.dir.display()),
        }
    }

    /// This app's data directory (its signing key lives there).
    pub fn data_dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// The PostgreSQL server's administrative URL (its `postgres` database, or whatever
    /// `TEST_DATABASE_URL` named), and this app's database name; `None` on SQLite.
    pub fn postgres_admin(&self) -> Option<(String, String)> {
        self.pg.clone()
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    pub fn db(&self) -> &sea_orm::DatabaseConnection {
        &self.state.services.db
    }

    /// Sends a raw request through the router.
    pub async fn send(&self, req: Request<Body>) -> Resp {
        send_to(&self.router, req).await
    }

    /// POSTs a GraphQL operation on `host`, optionally with a bearer token.
    pub async fn post(&self, host: &str, token: Option<&str>, query: &str, vars: Value) -> Resp {
        let body = json!({ "query": query, "variables": vars });
        self.send(graphql_request(host, token, &body)).await
    }

    /// The `/metrics` exposition text.
    pub async fn scrape_metrics(&self) -> String {
        let req = Request::get("/metrics")
            .header("host", "anything.example")
            .body(Body::empty())
            .unwrap();
        let r = self.send(req).await;
        assert_eq!(r.status, StatusCode::OK);
        r.body.as_str().unwrap().to_string()
    }

    /// Runs an operation and returns its `data`, failing the test on any error.
    pub async fn ok(&self, host: &str, token: Option<&str>, query: &str, vars: Value) -> Value {
        let r = self.post(host, token, query, vars).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body.get("errors").is_none(),
            "unexpected errors: {}",
            r.body
        );
        r.body["data"].clone()
    }

    /// Runs an operation that must fail and returns its first error's code.
    pub async fn err_code(
        &self,
        host: &str,
        token: Option<&str>,
        query: &str,
        vars: Value,
    ) -> String {
        let r = self.post(host, token, query, vars).await;
        first_code(&r.body)
    }

    /// Signs up on `host` and returns (access token, refresh token, user id).
    pub async fn sign_up(&self, host: &str, email: &str) -> (String, String, String) {
        let d = self
            .ok(
                host,
                None,
                "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken refreshToken viewer { id } } }",
                json!({ "i": { "email": email, "password": PASSWORD, "displayName": "Test User" } }),
            )
            .await;
        let p = &d["signUp"];
        (
            p["accessToken"].as_str().unwrap().into(),
            p["refreshToken"].as_str().unwrap().into(),
            p["viewer"]["id"].as_str().unwrap().into(),
        )
    }

    /// Logs in on `host` and returns the access token.
    pub async fn log_in(&self, host: &str, email: &str, password: &str) -> String {
        let d = self
            .ok(
                host,
                None,
                "mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }",
                json!({ "i": { "email": email, "password": password } }),
            )
            .await;
        d["logIn"]["accessToken"].as_str().unwrap().into()
    }

    /// A signed-in platform admin of the root tenant.
    pub async fn staff_token(&self) -> String {
        resolvers::tenancy::setup::ensure_platform_admin(
            self.db(),
            Some("staff@platform.example"),
            Some(PASSWORD),
        )
        .await
        .unwrap();
        self.log_in(ROOT, "staff@platform.example", PASSWORD).await
    }

    /// Creates a tenant (as staff) with an admin; returns (tenant id, host).
    pub async fn tenant(&self, slug: &str) -> (String, String) {
        let staff = self.staff_token().await;
        let d = self
            .ok(
                ROOT,
                Some(&staff),
                "mutation($i: CreateTenantInput!) { createTenant(input: $i) { tenant { id primaryDomain } } }",
                json!({ "i": { "slug": slug, "displayName": format!("{slug} brand"), "adminEmail": format!("admin@{slug}.example") } }),
            )
            .await;
        let t = &d["createTenant"]["tenant"];
        (
            t["id"].as_str().unwrap().into(),
            t["primaryDomain"].as_str().unwrap().into(),
        )
    }

    /// A signed-in admin of the tenant on `host` (created by [`TestApp::tenant`]), who
    /// sets their password through the set-password link from the outbox.
    pub async fn tenant_admin_token(&self, slug: &str, host: &str) -> String {
        self.set_password_via_link(host, &format!("admin@{slug}.example"))
            .await
    }

    /// Uses the set-password link emailed to `email`, then logs in on `host`.
    pub async fn set_password_via_link(&self, host: &str, email: &str) -> String {
        let token = self.link_token(email, "SET_PASSWORD").await;
        self.ok(
            host,
            None,
            "mutation($i: ResetPasswordInput!) { resetPassword(input: $i) { user { email } } }",
            json!({ "i": { "token": token, "newPassword": PASSWORD } }),
        )
        .await;
        self.log_in(host, email, PASSWORD).await
    }

    /// Follows the newest verification link emailed to `email`.
    pub async fn verify_email(&self, host: &str, email: &str) {
        let token = self.link_token(email, "VERIFY_EMAIL").await;
        let d = self
            .ok(
                host,
                None,
                "mutation($i: VerifyEmailInput!) { verifyEmail(input: $i) { user { email emailVerified } } }",
                json!({ "i": { "token": token } }),
            )
            .await;
        assert_eq!(d["verifyEmail"]["user"]["emailVerified"], true);
    }

    /// Signs up on `host` and verifies the address; returns (access token, user id).
    pub async fn sign_up_verified(&self, host: &str, email: &str) -> (String, String) {
        let (token, _, id) = self.sign_up(host, email).await;
        self.verify_email(host, email).await;
        (token, id)
    }

    /// POSTs an operation on its own task, for requests that must run concurrently.
    pub fn spawn_post(
        &self,
        host: &str,
        token: Option<&str>,
        query: &str,
        vars: Value,
    ) -> tokio::task::JoinHandle<Resp> {
        let router = self.router.clone();
        let mut b = Request::post("/graphql")
            .header("host", host)
            .header("content-type", "application/json");
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        let req = b
            .body(Body::from(
                json!({ "query": query, "variables": vars }).to_string(),
            ))
            .unwrap();
        tokio::spawn(async move { send_to(&router, req).await })
    }

    /// Sends a request on its own task, for requests that must run concurrently.
    pub fn spawn_send(&self, req: Request<Body>) -> tokio::task::JoinHandle<Resp> {
        let router = self.router.clone();
        tokio::spawn(async move { send_to(&router, req).await })
    }

    /// Makes inserts into `table` fail on both backends (a trigger), when `when` (SQL over
    /// `NEW`) holds: for tests that something is all-or-nothing.
    pub async fn fail_inserts_into(&self, table: &str, when: &str) {
        if self.is_postgres() {
            self.sql(&format!(
                "CREATE FUNCTION fail_{table}() RETURNS trigger AS $$ BEGIN \
                   IF {when} THEN RAISE EXCEPTION 'inserts into {table} fail'; END IF; \
                   RETURN NEW; END $$ LANGUAGE plpgsql"
            ))
            .await;
            self.sql(&format!(
                "CREATE TRIGGER fail_{table} BEFORE INSERT ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION fail_{table}()"
            ))
            .await;
        } else {
            self.sql(&format!(
                "CREATE TRIGGER fail_{table} BEFORE INSERT ON {table} WHEN {when} \
                 BEGIN SELECT RAISE(ABORT, 'inserts into {table} fail'); END"
            ))
            .await;
        }
    }

    /// Runs raw SQL on this app's database (test set-up only).
    pub async fn sql(&self, sql: &str) {
        use sea_orm::ConnectionTrait;
        self.db().execute_unprepared(sql).await.unwrap();
    }

    /// Fans out the pending domain events, as the notification worker does.
    pub async fn fan_out(&self) -> domain::notifications::fanout::FannedOut {
        domain::notifications::fanout::run(&self.state.services)
            .await
            .unwrap()
    }

    /// The newest outbox email of `kind` to `to`.
    pub async fn outbox_email(
        &self,
        to: &str,
        kind: &str,
    ) -> Option<entities::outbox_message::Model> {
        use entities::outbox_message as o;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        o::Entity::find()
            .filter(o::Column::Recipient.eq(to))
            .filter(o::Column::Kind.eq(kind))
            .order_by_desc(o::Column::Id)
            .one(self.db())
            .await
            .unwrap()
    }

    /// The token of the link in the newest outbox email of `kind` to `to`.
    pub async fn link_token(&self, to: &str, kind: &str) -> String {
        let email = self
            .outbox_email(to, kind)
            .await
            .expect("an email in the outbox");
        let at = email.body_text.find("token=").expect("a link with a token") + "token=".len();
        email.body_text[at..]
            .split(|c: char| c.is_whitespace())
            .next()
            .unwrap()
            .to_string()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((admin, name)) = self.pg.take() {
            // Dropped on a plain thread: the test's runtime may be shutting down.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(mut c) = PgConnection::connect(&admin).await {
                        let _ = c
                            .execute(AssertSqlSafe(format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            )))
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// As `serve` does: the bell listener of an instance (PostgreSQL), subscribed before
/// the test goes on.
async fn listen_for_bells(state: &AppState) {
    let db = state.services.db.clone();
    let backend = db.get_database_backend();
    state.services.live.spawn_listener(db);
    state.services.live.subscribed(backend).await;
}

/// Serves an instance's router on a loopback port.
pub async fn serve_state(state: AppState) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app(state);
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

/// A GraphQL POST of `body` on `host`, optionally with a bearer token.
pub fn graphql_request(host: &str, token: Option<&str>, body: &Value) -> Request<Body> {
    let mut b = Request::post("/graphql")
        .header("host", host)
        .header("content-type", "application/json");
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(Body::from(body.to_string())).unwrap()
}

/// Sends a request to a router and decodes the JSON body (or `Value::Null`).
pub async fn send_to(router: &axum::Router, mut req: Request<Body>) -> Resp {
    if req.extensions().get::<ConnectInfo<SocketAddr>>().is_none() {
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
    }
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), 16 << 20)
        .await
        .unwrap();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    let r = Resp {
        status,
        headers,
        body,
    };
    assert_every_error_has_a_code(&r.body);
    r
}

/// Every error that leaves the API carries `extensions.code` and `extensions.requestId`.
pub fn assert_every_error_has_a_code(body: &Value) {
    if let Some(errors) = body.get("errors").and_then(Value::as_array) {
        for e in errors {
            let code = e["extensions"]["code"].as_str().unwrap_or_default();
            assert!(!code.is_empty(), "error without a code: {e}");
            let rid = e["extensions"]["requestId"].as_str().unwrap_or_default();
            assert!(!rid.is_empty(), "error without a request id: {e}");
            let msg = e["message"].as_str().unwrap_or_default().to_lowercase();
            for leak in ["sql", "sqlx", "panicked", "constraint", "relation \""] {
                assert!(!msg.contains(leak), "internal detail leaked: {e}");
            }
        }
    }
}

/// The first error's code.
pub fn first_code(body: &Value) -> String {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error, got {body}"))
        .to_string()
}

/// The first error's field.
pub fn first_field(body: &Value) -> String {
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error with a field, got {body}"))
        .to_string()
}

/// The roles of an organization fixture, in the order of `docs/permissions.md`'s columns.
pub const ROLES: [&str; 6] = [
    "owner",
    "user_admin",
    "manager",
    "agent",
    "member",
    "outsider",
];

/// An organization on the root tenant with one user of each standing: an owner, a user
/// admin, a manager and an agent of space A, a member with no space role, and a user of
/// the same tenant who is not a member. Built through the API: invitations accepted by
/// signing up through their links.
pub struct OrgFixture {
    pub org: String,
    pub space_a: String,
    pub space_b: String,
    /// Access tokens by role name.
    pub tokens: std::collections::HashMap<&'static str, String>,
    /// User ids by role name.
    pub users: std::collections::HashMap<&'static str, String>,
}

impl OrgFixture {
    pub fn token(&self, role: &str) -> &str {
        &self.tokens[role]
    }
}

/// The row id behind a global id.
pub fn raw(id: &str) -> i64 {
    resolvers::ids::parse(id).expect("a global id").1
}

impl TestApp {
    /// Signs up through an invitation link sent to `email`; returns (token, user id).
    pub async fn sign_up_invited(&self, host: &str, email: &str) -> (String, String) {
        let token = self.link_token(email, "INVITATION").await;
        let d = self
            .ok(
                host,
                None,
                "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken viewer { id } } }",
                json!({ "i": { "email": email, "password": PASSWORD, "displayName": email, "invitationToken": token } }),
            )
            .await;
        (
            d["signUp"]["accessToken"].as_str().unwrap().into(),
            d["signUp"]["viewer"]["id"].as_str().unwrap().into(),
        )
    }

    /// Invites `email` into `org` as `owner_token`'s user; returns the invitation id.
    pub async fn invite(
        &self,
        host: &str,
        token: &str,
        org: &str,
        email: &str,
        role: &str,
        spaces: Value,
    ) -> String {
        let d = self
            .ok(
                host,
                Some(token),
                "mutation($i: InviteMemberInput!) { inviteMember(input: $i) { invitation { id } } }",
                json!({ "i": { "organizationId": org, "email": email, "role": role, "spaceRoles": spaces } }),
            )
            .await;
        d["inviteMember"]["invitation"]["id"]
            .as_str()
            .unwrap()
            .into()
    }

    /// Creates an organization as `token`'s user; returns its id.
    pub async fn create_org(&self, host: &str, token: &str, name: &str) -> String {
        let d = self
            .ok(
                host,
                Some(token),
                "mutation($n: String!) { createOrganization(input: { name: $n, country: \"ru\" }) { organization { id viewerRole } } }",
                json!({ "n": name }),
            )
            .await;
        assert_eq!(
            d["createOrganization"]["organization"]["viewerRole"],
            "OWNER"
        );
        d["createOrganization"]["organization"]["id"]
            .as_str()
            .unwrap()
            .into()
    }

    /// Creates a space as `token`'s user; returns its id.
    pub async fn create_space(&self, host: &str, token: &str, org: &str, name: &str) -> String {
        let d = self
            .ok(
                host,
                Some(token),
                "mutation($o: ID!, $n: String!) { createSpace(input: { organizationId: $o, name: $n }) { space { id } } }",
                json!({ "o": org, "n": name }),
            )
            .await;
        d["createSpace"]["space"]["id"].as_str().unwrap().into()
    }

    /// The fixture on `host`; emails are made unique with `tag`.
    pub async fn org_fixture_on(&self, host: &str, tag: &str) -> OrgFixture {
        let (owner, _, owner_id) = self
            .sign_up(host, &format!("owner-{tag}@example.com"))
            .await;
        let org = self.create_org(host, &owner, &format!("Org {tag}")).await;
        let space_a = self.create_space(host, &owner, &org, "Space A").await;
        let space_b = self.create_space(host, &owner, &org, "Space B").await;
        let mut tokens = std::collections::HashMap::new();
        let mut users = std::collections::HashMap::new();
        tokens.insert("owner", owner.clone());
        users.insert("owner", owner_id);
        let invites: [(&'static str, &str, Value); 4] = [
            ("user_admin", "USER_ADMIN", json!([])),
            (
                "manager",
                "MEMBER",
                json!([{ "spaceId": space_a, "role": "MANAGER" }]),
            ),
            (
                "agent",
                "MEMBER",
                json!([{ "spaceId": space_a, "role": "AGENT" }]),
            ),
            ("member", "MEMBER", json!([])),
        ];
        for (name, role, spaces) in invites {
            let email = format!("{name}-{tag}@example.com");
            self.invite(host, &owner, &org, &email, role, spaces).await;
            let (t, id) = self.sign_up_invited(host, &email).await;
            tokens.insert(name, t);
            users.insert(name, id);
        }
        let (outsider, _, outsider_id) = self
            .sign_up(host, &format!("outsider-{tag}@example.com"))
            .await;
        tokens.insert("outsider", outsider);
        users.insert("outsider", outsider_id);
        OrgFixture {
            org,
            space_a,
            space_b,
            tokens,
            users,
        }
    }

    /// The fixture on the root tenant.
    pub async fn org_fixture(&self) -> OrgFixture {
        self.org_fixture_on(ROOT, "t").await
    }

    /// Adds a member straight into storage (for targets of permission checks); returns the
    /// user id.
    pub async fn add_member(&self, org: &str, role: &str, space: Option<(&str, &str)>) -> String {
        use entities::{organization_member, space_member};
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
        let org_row = entities::organization::Entity::find_by_id(raw(org))
            .one(self.db())
            .await
            .unwrap()
            .unwrap();
        let now = entities::time::now();
        let u = resolvers::identity::accounts::insert_user(
            self.db(),
            resolvers::identity::accounts::NewUser {
                tenant_id: org_row.tenant_id,
                email: format!("{}@members.example", uuid::Uuid::new_v4().simple()),
                display_name: "Target".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        organization_member::ActiveModel {
            tenant_id: Set(org_row.tenant_id),
            organization_id: Set(org_row.id),
            user_id: Set(u.id),
            role: Set(entities::OrgRole::parse(role).expect("a role")),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(self.db())
        .await
        .unwrap();
        if let Some((space, space_role)) = space {
            space_member::ActiveModel {
                tenant_id: Set(org_row.tenant_id),
                organization_id: Set(org_row.id),
                space_id: Set(raw(space)),
                user_id: Set(u.id),
                role: Set(entities::SpaceRole::parse(space_role).expect("a space role")),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(self.db())
            .await
            .unwrap();
        }
        resolvers::ids::encode(resolvers::ids::Kind::User, u.id).0
    }

    /// Adds a space straight into storage; returns its id.
    pub async fn add_space(&self, org: &str) -> String {
        use entities::space;
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
        let org_row = entities::organization::Entity::find_by_id(raw(org))
            .one(self.db())
            .await
            .unwrap()
            .unwrap();
        let now = entities::time::now();
        let s = space::ActiveModel {
            tenant_id: Set(org_row.tenant_id),
            organization_id: Set(org_row.id),
            name: Set("Extra".into()),
            description: Set(None),
            archived_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(self.db())
        .await
        .unwrap();
        resolvers::ids::encode(resolvers::ids::Kind::Space, s.id).0
    }
}
