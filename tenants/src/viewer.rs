//! Who is asking, and everything a resolver may know about the request it serves: the
//! types of the per-request context. Built by `context` (from a token) and read by the
//! policy; this module imports neither, so the two do not import each other.

use std::net::IpAddr;
use std::sync::Arc;

use crate::registry::TenantInfo;

/// A signed-in user, as established from a verified access token and a live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthUser {
    pub user_id: i64,
    pub tenant_id: i64,
    pub session_id: i64,
    pub is_platform_admin: bool,
    pub is_tenant_admin: bool,
    /// The real user when this token acts on someone else's behalf (RFC 8693 `act`).
    pub impersonator: Option<String>,
}

/// A machine of a tenant (the messaging side), established from a live service token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAuth {
    pub token_id: i64,
    pub tenant_id: i64,
    pub scopes: Vec<String>,
}

impl ServiceAuth {
    /// Whether the token carries `scope`.
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    Anonymous,
    User(AuthUser),
    /// A service token: no user, only what its scopes allow (see the policy).
    Service(ServiceAuth),
}

impl Viewer {
    /// The signed-in user, if any.
    pub fn user(&self) -> Option<&AuthUser> {
        match self {
            Viewer::User(u) => Some(u),
            Viewer::Anonymous | Viewer::Service(_) => None,
        }
    }

    /// The service token, if a machine is asking.
    pub fn service(&self) -> Option<&ServiceAuth> {
        match self {
            Viewer::Service(s) => Some(s),
            _ => None,
        }
    }
}

/// Service tokens start with this, so they are told from access tokens without trying.
pub const SERVICE_TOKEN_PREFIX: &str = "pgs_";

/// Everything a resolver may know about the request it serves.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    pub tenant: Arc<TenantInfo>,
    pub viewer: Viewer,
    pub request_id: String,
    pub client_ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// The GraphQL operation being run, for audit entries (empty outside GraphQL).
    pub operation: Operation,
    /// The viewer's organization and space roles, loaded once per request on first use
    /// and shared by every `authorize` call; a committed write forgets them.
    pub memberships: MembershipCache,
    /// The brands the viewer's organizations own, with the viewer's role in the owning
    /// organization: loaded (`context::load_brand_roles`) only by what acts on another
    /// brand than the request's, once per request, so a removed owner loses the brand on
    /// the next one and nobody else pays a statement for it.
    pub brand_roles: BrandRoles,
}

/// The viewer's roles in the organizations that own brands: brand id and `OWNER` or
/// `USER_ADMIN`. Empty until loaded, which the policy reads as "none" (deny by default).
#[derive(Debug, Default, Clone)]
pub struct BrandRoles(Arc<tokio::sync::OnceCell<Vec<(i64, entities::OrgRole)>>>);

impl BrandRoles {
    /// What was loaded; nothing before.
    pub fn get(&self) -> &[(i64, entities::OrgRole)] {
        self.0.get().map(Vec::as_slice).unwrap_or_default()
    }

    /// Loads them with `load` unless already loaded.
    pub async fn load<F, Fut, E>(&self, load: F) -> Result<(), E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Vec<(i64, entities::OrgRole)>, E>>,
    {
        self.0.get_or_try_init(load).await.map(|_| ())
    }
}

/// The viewer's roles: organization id to role, and organization id to space roles.
#[derive(Debug, Default)]
pub struct Memberships {
    pub orgs: std::collections::HashMap<i64, entities::OrgRole>,
    pub spaces: std::collections::HashMap<i64, std::collections::HashMap<i64, entities::SpaceRole>>,
}

/// A request's [`Memberships`], loaded at most once until [`MembershipCache::forget`].
#[derive(Debug, Default, Clone)]
pub struct MembershipCache {
    value: Arc<std::sync::Mutex<Option<Arc<Memberships>>>>,
    loading: Arc<tokio::sync::Mutex<()>>,
}

impl MembershipCache {
    /// The cached memberships, or those `load` returns (one load at a time).
    pub async fn get_or_load<F, Fut, E>(&self, load: F) -> Result<Arc<Memberships>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Memberships, E>>,
    {
        if let Some(m) = self.cached() {
            return Ok(m);
        }
        let _guard = self.loading.lock().await;
        if let Some(m) = self.cached() {
            return Ok(m);
        }
        let m = Arc::new(load().await?);
        if let Ok(mut v) = self.value.lock() {
            *v = Some(m.clone());
        }
        Ok(m)
    }

    fn cached(&self) -> Option<Arc<Memberships>> {
        self.value.lock().ok().and_then(|v| v.clone())
    }

    /// Drops what was loaded: the next read loads again.
    pub fn forget(&self) {
        if let Ok(mut v) = self.value.lock() {
            *v = None;
        }
    }
}

/// The GraphQL operation a request runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Operation {
    /// The operation's name, if the document gave one.
    pub name: Option<String>,
    /// The root fields it selects (e.g. `updateAccount`).
    pub fields: Vec<String>,
}

impl RequestCtx {
    /// The current tenant's id: the scope of every read and write.
    pub fn tenant_id(&self) -> i64 {
        self.tenant.id()
    }
}
