//! Links to a tenant's frontend, always on the tenant's primary host.

use tenants::TenantInfo;

use crate::kernel::services::Settings;

/// `scheme://primary-host[:port]/path?query`. Hosts under `localhost` and loopback
/// addresses get plain `http` and, without a public port, the bind port, so the demo's
/// links work as printed; other hosts get the public port only (`PUBLIC_PORT`).
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
    let port = settings.link_port.or(if local {
        settings.local_link_port
    } else {
        None
    });
    let port = match port {
        Some(p) if !((scheme == "https" && p == 443) || (scheme == "http" && p == 80)) => {
            format!(":{p}")
        }
        _ => String::new(),
    };
    format!("{scheme}://{host}{port}{path_and_query}")
}

/// A brand for unit tests: Acme, every default.
#[cfg(test)]
pub(crate) fn tests_tenant() -> entities::tenant::Model {
    entities::tenant::Model {
        id: 1,
        slug: "acme".into(),
        is_root: false,
        display_name: "Acme".into(),
        legal_name: None,
        logo_url: None,
        favicon_url: None,
        primary_color: "#000000".into(),
        accent_color: "#000000".into(),
        support_email: None,
        support_phone: None,
        support_url: None,
        email_sender_name: None,
        email_sender_address: None,
        default_language: "en".into(),
        currency: "RUB".into(),
        timezone: "UTC".into(),
        verification_token: "t".into(),
        partner_discount_official_bp: 0,
        partner_discount_gold_bp: 0,
        partner_discount_technology_bp: 0,
        reward_rate_created_bp: 0,
        reward_rate_referral_bp: 0,
        reward_hold_days: 0,
        certification_cooldown_hours: 0,
        max_open_leads_per_partner: 10,
        owner_organization_id: None,
        mail_domain_status: None,
        mail_domain_verified_at: None,
        mail_domain_checked_at: None,
        mail_domain_error: None,
        mail_domain_since: None,
        mail_domain_lost_at: None,
        mail_domain_next_check_at: None,
        mail_domain_attempts: 0,
        price_ladders: None,
        payout_rail: None,
        withdrawal_minimum_minor: None,
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(primary_host: &str) -> TenantInfo {
        TenantInfo {
            model: std::sync::Arc::new(tests_tenant()),
            primary_host: Some(primary_host.into()),
        }
    }

    #[test]
    fn the_bind_port_is_for_local_hosts_only() {
        let bound = Settings {
            local_link_port: Some(8080),
            ..Settings::default()
        };
        let url = |s: &Settings, host: &str| tenant_url(s, &tenant(host), "/x");
        assert_eq!(
            url(&bound, "acme.localhost"),
            "http://acme.localhost:8080/x"
        );
        assert_eq!(url(&bound, "127.0.0.1"), "http://127.0.0.1:8080/x");
        // A custom domain behind a load balancer: the bind port is not its port.
        assert_eq!(
            url(&bound, "chat.acme.example"),
            "https://chat.acme.example/x"
        );
        // PUBLIC_PORT applies to every host, and the scheme's own port is left out.
        let public = Settings {
            link_port: Some(8443),
            ..bound.clone()
        };
        assert_eq!(
            url(&public, "chat.acme.example"),
            "https://chat.acme.example:8443/x"
        );
        assert_eq!(
            url(&public, "acme.localhost"),
            "http://acme.localhost:8443/x"
        );
        let default_port = Settings {
            link_port: Some(443),
            ..bound
        };
        assert_eq!(
            url(&default_port, "chat.acme.example"),
            "https://chat.acme.example/x"
        );
    }
}
