//! A local SMTP server: a real SMTP conversation (RFC 5321: greeting, `EHLO`, `MAIL FROM`,
//! `RCPT TO`, `DATA` with dot-stuffing, `RSET`, `NOOP`, `QUIT`) on a loopback port,
//! keeping every message it accepts. The tests and the failure drill (`drill/`) send mail
//! to it. It can be told to refuse the next messages with a transient (451) or permanent
//! (550) answer after `DATA`, as a real server does when it cannot take a message.
//!
//! Written here rather than taken from a crate: `mailin-embedded`, the kept embeddable
//! server, pulls rustls with the aws-lc provider into the build next to the ring provider
//! the service uses, and two providers make rustls refuse to pick one.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A message the server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope sender (`MAIL FROM`).
    pub from: String,
    pub to: Vec<String>,
    /// The whole message as it came over the wire (headers and body).
    pub data: String,
}

impl Received {
    /// The value of header `name` (first occurrence, unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let mut out: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = out.as_mut()
                && (line.starts_with(' ') || line.starts_with('\t'))
            {
                v.push_str(line.trim_start());
                continue;
            }
            if out.is_some() {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case(name)
            {
                out = Some(v.trim().to_string());
            }
        }
        out
    }
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    /// Answers to give instead of accepting, one per message, in order.
    refusals: Vec<&'static str>,
    /// How long the server takes to answer a message's `DATA` (a slow relay).
    delay: std::time::Duration,
}

/// The running server.
#[derive(Clone)]
pub struct MailSink {
    pub addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
}

async fn session(stream: tokio::net::TcpStream, shared: Arc<Mutex<Shared>>) -> std::io::Result<()> {
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::<String>::new());
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") {
            "250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n".into()
        } else if upper.starts_with("HELO") {
            "250 sink.test\r\n".into()
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&cmd["MAIL FROM:".len()..]);
            to.clear();
            "250 OK\r\n".into()
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&cmd["RCPT TO:".len()..]));
            "250 OK\r\n".into()
        } else if upper == "DATA" {
            w.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut data = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                // Dot-stuffing: a leading dot was doubled by the client.
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            let delay = lock(&shared).delay;
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let mut s = lock(&shared);
            if s.refusals.is_empty() {
                s.received.push(Received {
                    from: from.clone(),
                    to: to.clone(),
                    data,
                });
                "250 OK queued\r\n".into()
            } else {
                format!("{}\r\n", s.refusals.remove(0))
            }
        } else if upper == "RSET" || upper == "NOOP" {
            "250 OK\r\n".into()
        } else if upper == "QUIT" {
            w.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            "502 Command not implemented\r\n".into()
        };
        w.write_all(reply.as_bytes()).await?;
    }
}

/// `<a@b> SIZE=..` -> `a@b`.
fn address(arg: &str) -> String {
    let arg = arg.trim();
    match (arg.find('<'), arg.find('>')) {
        (Some(a), Some(b)) if a < b => arg[a + 1..b].to_string(),
        _ => arg.split_whitespace().next().unwrap_or("").to_string(),
    }
}

fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl MailSink {
    /// Starts a server on a free loopback port, on its own thread and runtime; it runs
    /// until the process ends.
    pub fn start() -> std::io::Result<Self> {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let shared = Arc::new(Mutex::new(Shared::default()));
        let s = shared.clone();
        std::thread::spawn(move || {
            rt.block_on(async move {
                let listener = match TcpListener::from_std(std_listener) {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::error!(error = %e, "the local SMTP server could not listen");
                        return;
                    }
                };
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    tokio::spawn(session(stream, s.clone()));
                }
            });
        });
        Ok(Self { addr, shared })
    }

    /// `smtp://127.0.0.1:<port>` (plain SMTP, as for a local relay).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Everything accepted so far.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.shared).received.clone()
    }

    /// Messages accepted for `to`.
    pub fn to(&self, to: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == to))
            .collect()
    }

    /// Refuses the next `n` messages with a transient error.
    pub fn refuse_transiently(&self, n: usize) {
        let mut s = lock(&self.shared);
        s.refusals
            .extend(std::iter::repeat_n("451 4.3.0 Try again later", n));
    }

    /// From now on, takes `delay` to accept each message, as a busy relay does.
    pub fn set_delay(&self, delay: std::time::Duration) {
        lock(&self.shared).delay = delay;
    }

    /// Refuses the next message for good.
    pub fn refuse_permanently(&self) {
        lock(&self.shared)
            .refusals
            .push("550 5.1.1 No such mailbox");
    }
}
