//! Bell listeners: WebSockets (`graphql-transport-ws`) subscribed to `notificationAdded`
//! through the balancer, reconnecting whenever a socket closes, and recording how each one
//! ended and what arrived.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// What the listeners saw.
#[derive(Debug, Default, Clone)]
pub struct BellLog {
    /// How sockets ended: `1001`, `4403`, `reset` (no close frame), ... → count.
    pub closes: HashMap<String, u64>,
    /// Connections opened (acknowledged).
    pub connected: u64,
    /// Attempts to connect that failed.
    pub failed_connects: u64,
    /// Notification ids received, per listener.
    pub received: Vec<Vec<String>>,
    /// After a 1001: how long until the listener was subscribed again.
    pub reconnect_after_1001: Vec<Duration>,
}

type Shared = Arc<Mutex<BellLog>>;

fn with<T>(log: &Shared, f: impl FnOnce(&mut BellLog) -> T) -> T {
    f(&mut log.lock().unwrap_or_else(|e| e.into_inner()))
}

/// Starts a listener on `host` for the viewer of `token`; it runs until `stop`.
pub fn listen(
    ws_base: String,
    host: String,
    token: String,
    index: usize,
    log: Shared,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<()> {
    with(&log, |l| {
        if l.received.len() <= index {
            l.received.resize(index + 1, Vec::new());
        }
    });
    tokio::spawn(async move {
        let mut going_away_at: Option<Instant> = None;
        while !stop.load(Ordering::Relaxed) {
            match session(
                &ws_base,
                &host,
                &token,
                index,
                &log,
                &stop,
                &mut going_away_at,
            )
            .await
            {
                Ok(end) => {
                    if end == "1001" {
                        going_away_at = Some(Instant::now());
                    }
                    with(&log, |l| *l.closes.entry(end).or_default() += 1);
                }
                Err(_) => with(&log, |l| l.failed_connects += 1),
            }
            if !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    })
}

/// One connection: open, sign in, subscribe, read until it closes; how it ended.
async fn session(
    ws_base: &str,
    host: &str,
    token: &str,
    index: usize,
    log: &Shared,
    stop: &AtomicBool,
    going_away_at: &mut Option<Instant>,
) -> anyhow::Result<String> {
    let mut req = format!("{ws_base}/graphql").into_client_request()?;
    req.headers_mut().insert("host", host.parse()?);
    req.headers_mut()
        .insert("sec-websocket-protocol", "graphql-transport-ws".parse()?);
    let (mut ws, _) = tokio::time::timeout(
        Duration::from_secs(5),
        tokio_tungstenite::connect_async(req),
    )
    .await??;
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    ws.send(Message::Text(init.to_string().into())).await?;
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription Bell { notificationAdded { id } }" } });
    let mut subscribed = false;
    loop {
        let next = tokio::time::timeout(Duration::from_millis(500), ws.next()).await;
        if stop.load(Ordering::Relaxed) {
            let _ = ws.close(None).await;
            return Ok("client".into());
        }
        let Ok(next) = next else { continue };
        let m = match next {
            None => return Ok("reset".into()),
            Some(Err(_)) => return Ok("reset".into()),
            Some(Ok(m)) => m,
        };
        match m {
            Message::Text(t) => {
                let v: Value = serde_json::from_str(t.as_str()).unwrap_or(Value::Null);
                match v["type"].as_str() {
                    Some("connection_ack") if !subscribed => {
                        ws.send(Message::Text(subscribe.to_string().into())).await?;
                        subscribed = true;
                        with(log, |l| {
                            l.connected += 1;
                            if let Some(t) = going_away_at.take() {
                                l.reconnect_after_1001.push(t.elapsed());
                            }
                        });
                    }
                    Some("next") => {
                        if let Some(id) = v["payload"]["data"]["notificationAdded"]["id"].as_str() {
                            with(log, |l| l.received[index].push(id.to_string()));
                        }
                    }
                    Some("ping") => {
                        let pong = json!({ "type": "pong" }).to_string();
                        ws.send(Message::Text(pong.into())).await?;
                    }
                    _ => {}
                }
            }
            Message::Close(Some(f)) => return Ok(u16::from(f.code).to_string()),
            Message::Close(None) => return Ok("close".into()),
            _ => {}
        }
    }
}
