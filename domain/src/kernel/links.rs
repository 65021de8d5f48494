//! Links to a tenant's frontend, always on the tenant's primary host.

use tenants::TenantInfo;

use crate::kernel::services::Settings;

/// `scheme://primary-host[:port]/path?query`. Hosts under `localhost` and loopback
/// addresses get plain `http`, so the demo's links work as printed.
pub fn tenant_url(settings: &Settings, tenant: &TenantInfo, path_and_query: &str) -> String {
    let host = tenant
        .primary_host
        .clone()
        .unwrap_or_else(|| format!("{}.{}", tenant.model.slug, settings.platform_base_domain));
    let local = host == "localhost"
        || host.ends_with(".localhost")
        || host == "127.0.0.1"
        || host == "[::1]";
    let scheme = if local {
        "http"
    } else {
        settings.link_scheme.as_str()
    };
    let port = match settings.link_port {
        Some(p) if !((scheme == "https" && p == 443) || (scheme == "http" && p == 80)) => {
            format!(":{p}")
        }
        _ => String::new(),
    };
    format!("{scheme}://{host}{port}{path_and_query}")
}
