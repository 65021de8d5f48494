//! A local authoritative DNS server (hickory-server over UDP and TCP on 127.0.0.1), so
//! custom domains can be verified where the real DNS cannot be changed: `serve --demo`
//! answers from a records file the user edits (docs/domains.md has the walkthrough), and
//! the tests set records, names that answer SERVFAIL and names that never answer, so "the
//! resolver could not be asked" is exercised for real.
//!
//! Only TXT records are served (the verification checks nothing else); every other
//! question about a known name gets an empty answer, an unknown name NXDOMAIN.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use hickory_proto::op::{Header, ResponseCode};
use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::{RData, Record, RecordType};
use hickory_server::ServerFuture;
use hickory_server::authority::MessageResponseBuilder;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};

/// How the server answers one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Txt(Vec<String>),
    ServFail,
    /// Never answers (the resolver times out).
    Silent,
}

type Records = HashMap<String, Answer>;

/// The demo's records file, in the data directory.
pub const DEMO_RECORDS_FILE: &str = "dns-records.txt";

/// What the demo's records file starts with.
pub const DEMO_RECORDS_HEADER: &str = "\
# The records of the demo's local DNS server (`serve --demo`), read at every question.
# One per line: <name> TXT \"<value>\". To prove a custom domain, add the record that
# addTenantDomain answered (verificationRecord), then run verifyTenantDomain, e.g.
# _gateway-verify.partners.acme.test TXT \"<the brand's verification token>\"
";

#[derive(Clone, Default)]
struct Zone {
    set: Arc<Mutex<Records>>,
    /// A records file read at every question (the demo's), under what `set` says.
    file: Option<PathBuf>,
}

impl Zone {
    fn answer(&self, name: &str) -> Option<Answer> {
        let set = self
            .set
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .cloned();
        set.or_else(|| {
            let file = self.file.as_ref()?;
            let text = std::fs::read_to_string(file).ok()?;
            parse_records(&text).remove(name)
        })
    }
}

/// The records of a records file: one per line, `<name> TXT <value>`, the value in double
/// quotes or as one word; `#` starts a comment. Several lines for one name are several
/// values. Lines in any other form are skipped.
pub fn parse_records(text: &str) -> HashMap<String, Answer> {
    let mut out: Records = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, rest)) = line.split_once(char::is_whitespace) else {
            continue;
        };
        let Some((kind, value)) = rest.trim_start().split_once(char::is_whitespace) else {
            continue;
        };
        if !kind.eq_ignore_ascii_case("TXT") {
            continue;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        let name = name.trim_end_matches('.').to_lowercase();
        if let Answer::Txt(values) = out.entry(name).or_insert_with(|| Answer::Txt(Vec::new())) {
            values.push(value.to_string());
        }
    }
    out
}

/// The running server; its records can change while it runs.
pub struct LocalDns {
    pub addr: SocketAddr,
    zone: Zone,
}

impl LocalDns {
    /// Starts a server answering what [`LocalDns::set`] says.
    pub async fn start() -> anyhow::Result<Self> {
        Self::serve(Zone::default()).await
    }

    /// Starts a server that also answers from `file`, read at every question (it may be
    /// edited, created or removed while the server runs).
    pub async fn with_records_file(file: &Path) -> anyhow::Result<Self> {
        Self::serve(Zone {
            file: Some(file.to_path_buf()),
            ..Zone::default()
        })
        .await
    }

    /// A UDP socket on a free port and a TCP listener on the same port number. The UDP
    /// port is free for UDP only: a TCP socket (another test's connection) may hold the
    /// same number, so a taken one is retried on another port.
    async fn sockets() -> anyhow::Result<(
        tokio::net::UdpSocket,
        tokio::net::TcpListener,
        std::net::SocketAddr,
    )> {
        let mut attempts = 0;
        loop {
            let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
            let addr = udp.local_addr()?;
            match tokio::net::TcpListener::bind(addr).await {
                Ok(tcp) => return Ok((udp, tcp, addr)),
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && attempts < 50 => {
                    attempts += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    async fn serve(zone: Zone) -> anyhow::Result<Self> {
        let (udp, tcp, addr) = Self::sockets().await?;
        let mut server = ServerFuture::new(Handler(zone.clone()));
        server.register_socket(udp);
        server.register_listener(tcp, std::time::Duration::from_secs(5));
        tokio::spawn(async move {
            let _ = server.block_until_done().await;
        });
        Ok(Self { addr, zone })
    }

    /// Sets how `name` answers (no trailing dot).
    pub fn set(&self, name: &str, answer: Answer) {
        self.zone
            .set
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_lowercase(), answer);
    }

    /// Forgets what was set for `name` (NXDOMAIN, unless the records file has it).
    pub fn remove(&self, name: &str) {
        self.zone
            .set
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&name.to_lowercase());
    }
}

struct Handler(Zone);

#[async_trait::async_trait]
impl RequestHandler for Handler {
    async fn handle_request<R: ResponseHandler>(
        &self,
        request: &Request,
        mut response: R,
    ) -> ResponseInfo {
        let builder = MessageResponseBuilder::from_message_request(request);
        let mut header = Header::response_from_request(request.header());
        header.set_authoritative(true);
        let Ok(info) = request.request_info() else {
            header.set_response_code(ResponseCode::FormErr);
            return header.into();
        };
        let name = info.query.original().name().clone();
        let key = name.to_ascii().trim_end_matches('.').to_lowercase();
        let answer = self.0.answer(&key);
        let records: Vec<Record> = match (&answer, info.query.query_type()) {
            (Some(Answer::Txt(values)), RecordType::TXT) => values
                .iter()
                .map(|v| Record::from_rdata(name.clone(), 0, RData::TXT(TXT::new(vec![v.clone()]))))
                .collect(),
            _ => Vec::new(),
        };
        match answer {
            Some(Answer::Silent) => return header.into(),
            Some(Answer::ServFail) => header.set_response_code(ResponseCode::ServFail),
            None => header.set_response_code(ResponseCode::NXDomain),
            Some(Answer::Txt(_)) => &mut header,
        };
        let msg = builder.build(header, records.iter(), &[], &[], &[]);
        match response.send_response(msg).await {
            Ok(info) => info,
            Err(_) => header.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_files_read_like_zone_lines() {
        let records = parse_records(
            "# the demo's records\n\
             _gateway-verify.shop.example.  TXT  \"tok en\"\n\
             _gateway-verify.shop.example txt second\n\
             shop.example CNAME demo.localhost\n\
             broken line\n",
        );
        assert_eq!(
            records.get("_gateway-verify.shop.example"),
            Some(&Answer::Txt(vec!["tok en".into(), "second".into()]))
        );
        assert_eq!(records.len(), 1);
    }
}
