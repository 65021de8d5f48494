//! DNS look-ups for domain verification, with `hickory-resolver`. The resolver is the
//! system's (`/etc/resolv.conf`) or the one `DNS_RESOLVER` names (tests start a local
//! authoritative server and point here). Nothing is cached: a check must see the record
//! as it is now.
//!
//! An answer is one of three things, kept apart on purpose: records found, no record
//! (NXDOMAIN, or the name exists without TXT), or the resolver could not be asked
//! (timeout, SERVFAIL, refused, network): the last says nothing about the record.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::ProtoErrorKind;
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::xfer::Protocol;
use hickory_resolver::{ResolveError, TokioResolver};

/// What a TXT look-up found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxtAnswer {
    /// The TXT strings at the name (each record's strings joined).
    Found(Vec<String>),
    /// The name has no TXT record (or does not exist).
    Missing,
    /// The resolver could not be asked; why.
    Unreachable(String),
}

/// The resolver of domain checks; cheap to clone.
#[derive(Clone)]
pub struct Dns(Option<TokioResolver>);

impl std::fmt::Debug for Dns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dns")
    }
}

fn options(timeout: Duration) -> ResolverOpts {
    let mut opts = ResolverOpts::default();
    opts.timeout = timeout;
    opts.attempts = 1;
    opts.cache_size = 0;
    opts.positive_max_ttl = Some(Duration::ZERO);
    opts.negative_max_ttl = Some(Duration::ZERO);
    opts
}

impl Dns {
    /// The resolver at `server` (UDP, then TCP for long answers), or the system's.
    pub fn new(server: Option<SocketAddr>, timeout: Duration) -> Self {
        let builder = match server {
            Some(addr) => {
                let mut cfg = ResolverConfig::new();
                cfg.add_name_server(NameServerConfig::new(addr, Protocol::Udp));
                cfg.add_name_server(NameServerConfig::new(addr, Protocol::Tcp));
                Some(TokioResolver::builder_with_config(
                    cfg,
                    TokioConnectionProvider::default(),
                ))
            }
            None => match TokioResolver::builder_tokio() {
                Ok(b) => Some(b),
                Err(e) => {
                    tracing::warn!(error = %e, "no system DNS configuration: domain checks will report the resolver unreachable");
                    None
                }
            },
        };
        Self(builder.map(|b| b.with_options(options(timeout)).build()))
    }

    /// The TXT records at `name`.
    pub async fn txt(&self, name: &str) -> TxtAnswer {
        let Some(resolver) = &self.0 else {
            return TxtAnswer::Unreachable("no resolver is configured".into());
        };
        // Fully qualified, so no search domain is appended.
        let fqdn = format!("{}.", name.trim_end_matches('.'));
        match resolver.txt_lookup(fqdn).await {
            Ok(found) => TxtAnswer::Found(
                found
                    .iter()
                    .map(|txt| {
                        txt.txt_data()
                            .iter()
                            .map(|part| String::from_utf8_lossy(part).into_owned())
                            .collect::<String>()
                    })
                    .collect(),
            ),
            Err(e) => classify(&e),
        }
    }
}

fn classify(e: &ResolveError) -> TxtAnswer {
    if let Some(proto) = e.proto() {
        match proto.kind() {
            ProtoErrorKind::NoRecordsFound { response_code, .. }
                if matches!(
                    *response_code,
                    ResponseCode::NXDomain | ResponseCode::NoError
                ) =>
            {
                return TxtAnswer::Missing;
            }
            ProtoErrorKind::NoRecordsFound { response_code, .. } => {
                return TxtAnswer::Unreachable(format!("the resolver answered {response_code}"));
            }
            ProtoErrorKind::Timeout => {
                return TxtAnswer::Unreachable("the resolver did not answer in time".into());
            }
            _ => {}
        }
    }
    TxtAnswer::Unreachable(format!("the resolver could not be asked: {e}"))
}
