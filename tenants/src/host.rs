//! Which host a request is for. The `Host` header (or the HTTP/2 authority) is normalised:
//! lower-cased, port and one trailing dot stripped, internationalised names converted to
//! punycode. `X-Forwarded-Host` counts only when the peer is a trusted proxy.

use std::net::IpAddr;

use http::HeaderMap;
use ipnet::IpNet;

/// Why no host could be read from a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    #[error("the request has no host header")]
    Missing,
    #[error("the request has more than one host header")]
    Duplicate,
    #[error("the host header is not a valid host name")]
    Invalid,
}

/// Normalises a host as sent by a client: `Shop.Example.COM.:8443` -> `shop.example.com`,
/// `bücher.example` -> `xn--bcher-kva.example`, `[::1]:8080` -> `[::1]`.
pub fn normalize_host(raw: &str) -> Result<String, HostError> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 300 {
        return Err(HostError::Invalid);
    }
    // An IPv6 literal keeps its brackets; anything after `]` must be a port.
    if let Some(rest) = raw.strip_prefix('[') {
        let (addr, after) = rest.split_once(']').ok_or(HostError::Invalid)?;
        if !(after.is_empty() || is_port_suffix(after)) {
            return Err(HostError::Invalid);
        }
        let ip: std::net::Ipv6Addr = addr.parse().map_err(|_| HostError::Invalid)?;
        return Ok(format!("[{ip}]"));
    }
    let name = match raw.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) && !port.is_empty() => name,
        Some(_) => return Err(HostError::Invalid),
        None => raw,
    };
    if name.contains(':') {
        return Err(HostError::Invalid);
    }
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.ends_with('.') {
        return Err(HostError::Invalid);
    }
    let ascii = idna::domain_to_ascii_strict(name)
        .or_else(|_| idna::domain_to_ascii(name))
        .map_err(|_| HostError::Invalid)?;
    let valid = !ascii.is_empty()
        && ascii.len() <= 253
        && ascii
            .split('.')
            .all(|label| !label.is_empty() && label.len() <= 63)
        && ascii.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.' || b == b'_'
        });
    if valid {
        Ok(ascii)
    } else {
        Err(HostError::Invalid)
    }
}

fn is_port_suffix(s: &str) -> bool {
    s.strip_prefix(':')
        .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// Networks whose `X-Forwarded-Host` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and networks (`10.0.0.0/8, 127.0.0.1`).
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let net = item
                .parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("not an address or network: {item}"))?;
            nets.push(net);
        }
        Ok(Self(nets))
    }

    /// Whether a peer address is one of the trusted proxies.
    pub fn contains(&self, peer: IpAddr) -> bool {
        let peer = match peer {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(peer),
            v4 => v4,
        };
        self.0.iter().any(|n| n.contains(&peer))
    }
}

/// The client's address: the peer, or, when the peer is a trusted proxy, the nearest
/// address in `X-Forwarded-For` that is not one of the trusted proxies (read from the
/// right, since a client can write anything on the left).
pub fn client_address(
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    trusted: &TrustedProxies,
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(peer) {
        return Some(peer);
    }
    let mut hops: Vec<IpAddr> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let Ok(v) = value.to_str() else {
            return Some(peer);
        };
        for item in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match item.parse::<IpAddr>() {
                Ok(ip) => hops.push(ip),
                Err(_) => return Some(peer),
            }
        }
    }
    let mut client = peer;
    for ip in hops.into_iter().rev() {
        client = ip;
        if !trusted.contains(ip) {
            break;
        }
    }
    Some(client)
}

/// The normalised host a request is for.
///
/// `authority` is the request URI's authority, which HTTP/2 clients send instead of `Host`.
pub fn requested_host(
    headers: &HeaderMap,
    authority: Option<&str>,
    peer: Option<IpAddr>,
    trusted: &TrustedProxies,
) -> Result<String, HostError> {
    if peer.is_some_and(|p| trusted.contains(p)) {
        let mut forwarded = headers.get_all("x-forwarded-host").iter();
        if let Some(value) = forwarded.next() {
            if forwarded.next().is_some() {
                return Err(HostError::Duplicate);
            }
            let value = value.to_str().map_err(|_| HostError::Invalid)?;
            // A chain of proxies appends; the first entry is what the client asked for.
            let first = value.split(',').next().unwrap_or_default();
            return normalize_host(first);
        }
    }
    let mut hosts = headers.get_all(http::header::HOST).iter();
    match (hosts.next(), hosts.next()) {
        (Some(_), Some(_)) => Err(HostError::Duplicate),
        (Some(value), None) => {
            let value = std::str::from_utf8(value.as_bytes()).map_err(|_| HostError::Invalid)?;
            normalize_host(value)
        }
        (None, _) => match authority {
            Some(a) => normalize_host(a),
            None => Err(HostError::Missing),
        },
    }
}

/// A bare server name, as a TLS client sends it (SNI) and a certificate names it:
/// normalised like a `Host`, but a port, an IPv6 literal or an IP address is `Invalid`.
pub fn normalize_server_name(raw: &str) -> Result<String, HostError> {
    if raw.contains(':') || raw.contains('[') {
        return Err(HostError::Invalid);
    }
    let name = normalize_host(raw)?;
    if name.parse::<std::net::IpAddr>().is_ok() {
        return Err(HostError::Invalid);
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_name_is_a_bare_name() {
        assert_eq!(
            normalize_server_name("Bücher.Example.").unwrap(),
            "xn--bcher-kva.example"
        );
        for bad in ["example.com:443", "127.0.0.1", "[::1]", "::1", "", "a..b"] {
            assert!(normalize_server_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn normalises_case_port_trailing_dot_and_idn() {
        let cases = [
            ("Example.COM", "example.com"),
            ("example.com:8080", "example.com"),
            ("example.com.", "example.com"),
            ("Example.com.:443", "example.com"),
            ("bücher.example", "xn--bcher-kva.example"),
            ("BÜCHER.example:80", "xn--bcher-kva.example"),
            ("xn--bcher-kva.example", "xn--bcher-kva.example"),
            ("localhost", "localhost"),
            ("127.0.0.1:8080", "127.0.0.1"),
            ("[::1]:8080", "[::1]"),
            ("[0:0::1]", "[::1]"),
            ("acme.localhost:8080", "acme.localhost"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_host(raw).as_deref(), Ok(want), "{raw}");
        }
    }

    #[test]
    fn rejects_malformed_hosts() {
        for raw in [
            "",
            " ",
            ".",
            "example..com",
            "exa mple.com",
            "example.com:port",
            "a:b:c",
            "[::1",
            "[::1]x",
            "user@example.com",
            "example.com/path",
        ] {
            assert_eq!(normalize_host(raw), Err(HostError::Invalid), "{raw:?}");
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn the_client_address_comes_from_trusted_proxies_only() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "6.6.6.6, 203.0.113.7, 10.0.0.2".parse().unwrap(),
        );
        // From a trusted proxy: the nearest untrusted hop (not what the client wrote left).
        assert_eq!(
            client_address(&h, Some(ip("10.0.0.1")), &trusted),
            Some(ip("203.0.113.7"))
        );
        // From anyone else the header is ignored.
        assert_eq!(
            client_address(&h, Some(ip("198.51.100.1")), &trusted),
            Some(ip("198.51.100.1"))
        );
        // Garbage in the header: the peer.
        h.insert("x-forwarded-for", "nonsense".parse().unwrap());
        assert_eq!(
            client_address(&h, Some(ip("10.0.0.1")), &trusted),
            Some(ip("10.0.0.1"))
        );
    }

    #[test]
    fn forwarded_host_is_honoured_only_from_trusted_proxies() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.0.2.7").unwrap();
        let h = headers(&[
            ("host", "internal.lb"),
            ("x-forwarded-host", "Brand.Example, proxy.example"),
        ]);
        let via_proxy = requested_host(&h, None, Some("10.1.2.3".parse().unwrap()), &trusted);
        assert_eq!(via_proxy.as_deref(), Ok("brand.example"));
        let single = requested_host(&h, None, Some("192.0.2.7".parse().unwrap()), &trusted);
        assert_eq!(single.as_deref(), Ok("brand.example"));
        let mapped = requested_host(&h, None, Some("::ffff:10.0.0.1".parse().unwrap()), &trusted);
        assert_eq!(mapped.as_deref(), Ok("brand.example"));
        let stranger = requested_host(&h, None, Some("203.0.113.9".parse().unwrap()), &trusted);
        assert_eq!(stranger.as_deref(), Ok("internal.lb"));
        let unknown_peer = requested_host(&h, None, None, &trusted);
        assert_eq!(unknown_peer.as_deref(), Ok("internal.lb"));
    }

    #[test]
    fn missing_and_duplicate_hosts_are_errors() {
        let none = TrustedProxies::default();
        assert_eq!(
            requested_host(&headers(&[]), None, None, &none),
            Err(HostError::Missing)
        );
        assert_eq!(
            requested_host(&headers(&[]), Some("Example.com:1"), None, &none).as_deref(),
            Ok("example.com")
        );
        let two = headers(&[("host", "a.example"), ("host", "b.example")]);
        assert_eq!(
            requested_host(&two, None, None, &none),
            Err(HostError::Duplicate)
        );
    }

    #[test]
    fn trusted_proxy_list_rejects_garbage() {
        assert!(TrustedProxies::parse("10.0.0.0/8,nonsense").is_err());
        assert!(TrustedProxies::parse("").unwrap().0.is_empty());
    }
}
