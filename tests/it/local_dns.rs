//! A local authoritative DNS server for the domain tests (hickory-server over UDP and TCP
//! on 127.0.0.1): TXT records the test sets and changes, and names that answer SERVFAIL
//! or never answer, so "the resolver could not be asked" is exercised for real.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use hickory_proto::op::{Header, ResponseCode};
use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::{Name, RData, Record, RecordType};
use hickory_server::ServerFuture;
use hickory_server::authority::MessageResponseBuilder;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};

/// How the server answers one name.
#[derive(Debug, Clone)]
pub enum Answer {
    Txt(Vec<String>),
    ServFail,
    /// Never answers (the resolver times out).
    Silent,
}

#[derive(Clone, Default)]
struct Zone(Arc<Mutex<HashMap<String, Answer>>>);

/// The running server; its records can change while tests run.
pub struct LocalDns {
    pub addr: SocketAddr,
    zone: Zone,
}

impl LocalDns {
    pub async fn start() -> Self {
        let zone = Zone::default();
        let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = udp.local_addr().unwrap();
        let tcp = tokio::net::TcpListener::bind(addr).await.unwrap();
        let mut server = ServerFuture::new(Handler(zone.clone()));
        server.register_socket(udp);
        server.register_listener(tcp, std::time::Duration::from_secs(5));
        tokio::spawn(async move {
            let _ = server.block_until_done().await;
        });
        Self { addr, zone }
    }

    /// Sets how `name` answers (no trailing dot).
    pub fn set(&self, name: &str, answer: Answer) {
        self.zone
            .0
            .lock()
            .unwrap()
            .insert(name.to_lowercase(), answer);
    }

    /// Removes `name`: NXDOMAIN from now on.
    pub fn remove(&self, name: &str) {
        self.zone.0.lock().unwrap().remove(&name.to_lowercase());
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
        let name = info.query.original().name().to_ascii();
        let key = name.trim_end_matches('.').to_lowercase();
        let answer = self.0.0.lock().unwrap().get(&key).cloned();
        let records: Vec<Record> = match (&answer, info.query.query_type()) {
            (Some(Answer::Txt(values)), RecordType::TXT) => values
                .iter()
                .map(|v| {
                    Record::from_rdata(
                        Name::from_ascii(&name).unwrap(),
                        0,
                        RData::TXT(TXT::new(vec![v.clone()])),
                    )
                })
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
