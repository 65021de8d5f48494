//! GraphQL subscriptions over WebSocket on `/graphql` (`graphql-transport-ws`, and the
//! older `graphql-ws` subprotocol for Apollo's legacy client).
//!
//! - The tenant is the upgrade request's `Host`, resolved before upgrading (an unknown
//!   host is a 404 like any request).
//! - The viewer is the token in `connection_init`'s payload (`{"Authorization": "Bearer
//!   <token>"}`; `authorization` and `token` are read too), turned into the same
//!   `RequestCtx` as an HTTP request by the same function
//!   (`context::build_with_token`). A token of another tenant, an expired or revoked
//!   one is refused: the server closes with 4403 before acknowledging. No token is an
//!   anonymous viewer, whom `notificationAdded` answers `UNAUTHENTICATED`.
//! - Every operation started on the socket counts against the same per-brand and per-user
//!   request limits as an HTTP request; a refused one gets `RATE_LIMITED` with
//!   `retryAfter` as its only answer, and the socket stays open. Each operation has its
//!   own span and is counted in the metrics (docs/operations.md), and its errors carry
//!   their code and the operation's request id, as over HTTP.
//! - While open, a watchdog closes the socket with 4403 when the token expires (by the
//!   service clock) and re-checks the session every `WS_RECHECK_MS`: signing out, a
//!   revoked session or an ended impersonation closes it with the reason.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::Data;
use async_graphql::http::{WebSocketProtocols, WsMessage};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Request};
use axum::http::{HeaderMap, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use futures_util::stream::BoxStream;
use futures_util::{SinkExt, StreamExt};
use tenants::{RequestCtx, TenantInfo};

use super::context::{
    bearer, build_with_token, request_id, requester_of, tenant_of, viewer_for_token,
};
use super::error::HttpError;
use crate::AppState;

/// The close code for "your credentials no longer hold" (as graphql-ws uses for a refused
/// `connection_init`); clients reconnect with a fresh token.
const FORBIDDEN: u16 = 4403;

/// Whether a request asks to upgrade to a WebSocket.
pub fn is_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

fn protocol(headers: &HeaderMap) -> Option<WebSocketProtocols> {
    headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .find_map(|p| p.trim().parse::<WebSocketProtocols>().ok())
        })
}

/// `GET /graphql` with `Upgrade: websocket`.
pub async fn upgrade(state: AppState, req: Request) -> Response {
    let (mut parts, _) = req.into_parts();
    let rid = request_id(&parts);
    if let Err(e) = tenant_of(&state, &parts) {
        return e.into_response();
    }
    let Some(protocol) = protocol(&parts.headers) else {
        return HttpError::new(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "ask for the graphql-transport-ws subprotocol (Sec-WebSocket-Protocol)",
            &rid,
        )
        .into_response();
    };
    let ws = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    ws.protocols([protocol.sec_websocket_protocol()])
        .on_upgrade(move |socket| serve(state, parts, protocol, socket))
}

/// The token of a `connection_init` payload.
fn token_of(payload: &serde_json::Value) -> Option<String> {
    ["Authorization", "authorization"]
        .iter()
        .find_map(|k| payload.get(*k).and_then(|v| v.as_str()).and_then(bearer))
        .or_else(|| payload.get("token").and_then(|v| v.as_str()))
        .map(str::to_string)
}

async fn serve(state: AppState, parts: Parts, protocol: WebSocketProtocols, socket: WebSocket) {
    let (mut sink, stream) = socket.split();
    let socket_request_id = request_id(&parts);
    let (signed_in, watched) = tokio::sync::oneshot::channel::<(String, Arc<TenantInfo>)>();
    let init_state = state.clone();
    // async-graphql closes a refused `connection_init` with 1002; graphql-transport-ws
    // says 4403 Forbidden, which clients know.
    let refused = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let refused_in_init = refused.clone();
    let on_init = move |payload: serde_json::Value| async move {
        let token = token_of(&payload);
        let ctx: RequestCtx = build_with_token(&init_state, &parts, token.as_deref())
            .await
            .map_err(|e| {
                refused_in_init.store(true, std::sync::atomic::Ordering::SeqCst);
                async_graphql::Error::new(e.message)
            })?;
        if let Some(token) = token {
            let _ = signed_in.send((token, ctx.tenant.clone()));
        }
        let mut data = Data::default();
        data.insert(ctx);
        Ok(data)
    };
    let input = stream
        .take_while(|m| futures_util::future::ready(m.is_ok()))
        .filter_map(|m| {
            futures_util::future::ready(match m {
                Ok(Message::Text(t)) => Some(t.as_str().as_bytes().to_vec()),
                Ok(Message::Binary(b)) => Some(b.to_vec()),
                _ => None,
            })
        });
    let executor = Limited::new(state.clone(), &socket_request_id);
    let output = async_graphql::http::WebSocket::new(executor, input, protocol)
        .on_connection_init(on_init)
        .map(move |m| match m {
            WsMessage::Text(t) => Message::Text(t.into()),
            WsMessage::Close(code, reason) => Message::Close(Some(CloseFrame {
                code: if code == 1002 && refused.load(std::sync::atomic::Ordering::SeqCst) {
                    FORBIDDEN
                } else {
                    code
                },
                reason: reason.into(),
            })),
        });
    futures_util::pin_mut!(output);
    let watchdog = async {
        match watched.await {
            Ok((token, tenant)) => watch(&state, &tenant, &token).await,
            // Anonymous, or the connection ended before `connection_init`.
            Err(_) => std::future::pending().await,
        }
    };
    futures_util::pin_mut!(watchdog);
    loop {
        tokio::select! {
            m = output.next() => match m {
                Some(m) => {
                    if sink.send(m).await.is_err() {
                        return;
                    }
                }
                None => return,
            },
            reason = &mut watchdog => {
                let _ = sink
                    .send(Message::Close(Some(CloseFrame {
                        code: FORBIDDEN,
                        reason: reason.into(),
                    })))
                    .await;
                return;
            }
        }
    }
}

/// The schema, with every operation started on a socket counted against the request rate
/// limits of its brand and viewer (the `RequestCtx` of `connection_init`), and every answer
/// finished as over HTTP (`schema::finalize`: each error gets its code and a request id,
/// an unexpected one is logged and masked). An operation's request id is the upgrade
/// request's with the operation's number on the socket (`<id>.3`), so logs tie it to its
/// socket.
#[derive(Clone)]
struct Limited {
    state: AppState,
    socket_request_id: Arc<str>,
    operations: Arc<std::sync::atomic::AtomicU64>,
}

impl Limited {
    fn new(state: AppState, socket_request_id: &str) -> Self {
        Self {
            state,
            socket_request_id: socket_request_id.into(),
            operations: Default::default(),
        }
    }

    fn next_request_id(&self) -> String {
        let n = 1 + self
            .operations
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{}.{n}", self.socket_request_id)
    }
}

impl async_graphql::Executor for Limited {
    async fn execute(&self, request: async_graphql::Request) -> async_graphql::Response {
        let rid = self.next_request_id();
        schema::finalize(self.state.schema.execute(request).await, &rid)
    }

    fn execute_stream(
        &self,
        request: async_graphql::Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, async_graphql::Response> {
        let rid = self.next_request_id();
        let traced = Traced::start(&request, &rid, self.state.http.schema_limits.max_tokens);
        let ctx = session_data
            .as_deref()
            .and_then(|d| d.get(&std::any::TypeId::of::<RequestCtx>()))
            .and_then(|c| c.downcast_ref::<RequestCtx>());
        if let Some(ctx) = ctx {
            traced.span.record("tenant", ctx.tenant.model.slug.as_str());
        }
        let answers = if let Some(ctx) = ctx
            && let Err(refused) = self
                .state
                .services
                .limits
                .request(ctx.tenant_id(), requester_of(ctx))
        {
            let mut e = async_graphql::ServerError::new(refused.message(), None);
            let ext = e.extensions.get_or_insert_with(Default::default);
            ext.set("code", "RATE_LIMITED");
            ext.set("retryAfter", refused.retry_after_secs());
            let refusal = async_graphql::Response::from_errors(vec![e]);
            futures_util::stream::once(async move { refusal }).boxed()
        } else {
            async_graphql::Executor::execute_stream(&self.state.schema, request, session_data)
        };
        let answers = answers.map(move |r| schema::finalize(r, &rid)).boxed();
        traced.over(answers).boxed()
    }
}

/// An operation on a socket in its span (`query Name`, as over HTTP, with the operation's
/// request id and tenant), which lasts as long as its stream of answers. The first answer
/// gives the outcome, noted on the span and counted in `graphql_requests_total`; queries
/// and mutations also record their duration, subscriptions (which end when the client
/// stops them) do not.
struct Traced {
    span: tracing::Span,
    label: String,
    subscription: bool,
    started: std::time::Instant,
}

impl Traced {
    fn start(request: &async_graphql::Request, rid: &str, max_tokens: usize) -> Self {
        let name = request.operation_name.as_deref();
        // Read for its name and kind only within the token limit, which protects the
        // parser (the schema's armor refuses a longer document itself).
        let doc = (schema::armor::count_tokens(&request.query, max_tokens) <= max_tokens)
            .then(|| async_graphql::parser::parse_query(&request.query).ok())
            .flatten();
        let op = doc.as_ref().map(|d| super::graphql::operation_of(d, name));
        let ty = doc
            .as_ref()
            .and_then(|d| super::graphql::operation_type(d, name));
        let name = op.and_then(|o| o.name);
        let span = super::graphql::operation_span(name.as_deref(), ty);
        span.record("request_id", rid);
        Self {
            span,
            label: crate::metrics::operation_label(name.as_deref()),
            subscription: ty == Some(async_graphql::parser::types::OperationType::Subscription),
            started: std::time::Instant::now(),
        }
    }

    fn over(
        self,
        answers: BoxStream<'static, async_graphql::Response>,
    ) -> impl futures_util::Stream<Item = async_graphql::Response> + Send + 'static {
        let span = self.span.clone();
        let mut first = Some(self);
        let inner = answers.inspect(move |resp| {
            let Some(t) = first.take() else { return };
            let outcome = super::graphql::outcome_of(resp);
            let took = (!t.subscription).then(|| t.started.elapsed());
            super::graphql::note_outcome(&t.span, &t.label, &outcome, outcome == "INTERNAL", took);
        });
        InSpan { span, inner }
    }
}

/// A stream polled inside a span; the span ends when the stream is dropped.
struct InSpan<S> {
    span: tracing::Span,
    inner: S,
}

impl<S: futures_util::Stream + Unpin> futures_util::Stream for InSpan<S> {
    type Item = S::Item;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<S::Item>> {
        let this = &mut *self;
        let _entered = this.span.enter();
        this.inner.poll_next_unpin(cx)
    }
}

/// Returns when the token no longer holds, with the reason.
async fn watch(state: &AppState, tenant: &Arc<TenantInfo>, token: &str) -> String {
    let expires = state
        .services
        .keys
        .verify(token, tenant.id())
        .ok()
        .map(|c| c.exp);
    let recheck = state.http.ws_recheck;
    loop {
        let now = state.services.clock.now().timestamp();
        if let Some(exp) = expires
            && now >= exp
        {
            return "the access token has expired".into();
        }
        let wait = match expires {
            Some(exp) => recheck.min(Duration::from_secs((exp - now).max(0) as u64)),
            None => recheck,
        };
        tokio::time::sleep(wait).await;
        if let Err(e) = viewer_for_token(state, tenant, token, "").await
            && e.code != "INTERNAL"
        {
            return e.message;
        }
    }
}
