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
//! - Every operation started on the socket is a request of its own (see [`Limited`]): its
//!   context is built afresh from the token when it starts (a member removed or demoted,
//!   a revoked session or consent holds on the next operation), with its own loaders, the
//!   same per-brand and per-user request limits (a refused one gets `RATE_LIMITED` with
//!   `retryAfter` as its only answer, and the socket stays open), the request timeout for
//!   queries and mutations, and the same audit of impersonated mutations. Each operation
//!   has its own span and is counted in the metrics (docs/operations.md), and its errors
//!   carry their code and the operation's request id, as over HTTP.
//! - While open, a watchdog closes the socket with 4403 when the token expires (by the
//!   service clock) and re-checks the session every `WS_RECHECK_MS`: signing out, a
//!   revoked session or an ended impersonation closes it with the reason.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::Data;
use async_graphql::http::{WebSocketProtocols, WsMessage};
use async_graphql::parser::types::OperationType;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Request};
use axum::http::{HeaderMap, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use futures_util::stream::BoxStream;
use futures_util::{FutureExt, SinkExt, StreamExt};
use tenants::{RequestCtx, TenantInfo};

use super::context::{
    bearer, build_with_token, request_id, requester_of, tenant_of, viewer_for_token,
};
use super::error::HttpError;
use crate::AppState;

/// The close code for "your credentials no longer hold" (as graphql-ws uses for a refused
/// `connection_init`); clients reconnect with a fresh token.
const FORBIDDEN: u16 = 4403;
/// The close code for "the server is going away" (RFC 6455): the instance is stopping;
/// clients reconnect, through the load balancer, to one that is up.
const GOING_AWAY: u16 = 1001;

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
    // A graceful stop waits for this socket to be closed.
    let _held = state.lifecycle.hold();
    let lifecycle = state.lifecycle.clone();
    let (mut sink, stream) = socket.split();
    let socket_request_id = request_id(&parts);
    let (signed_in, watched) = tokio::sync::oneshot::channel::<(String, Arc<TenantInfo>)>();
    let init_state = state.clone();
    // async-graphql closes a refused `connection_init` with 1002; graphql-transport-ws
    // says 4403 Forbidden, which clients know.
    let refused = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let refused_in_init = refused.clone();
    let init_parts = parts.clone();
    let on_init = move |payload: serde_json::Value| async move {
        let token = token_of(&payload);
        // Checked here, so a bad token closes the socket before it is acknowledged; each
        // operation builds its own context from the token again.
        let ctx: RequestCtx = build_with_token(&init_state, &init_parts, token.as_deref())
            .await
            .map_err(|e| {
                refused_in_init.store(true, std::sync::atomic::Ordering::SeqCst);
                async_graphql::Error::new(e.message)
            })?;
        if let Some(token) = &token {
            let _ = signed_in.send((token.clone(), ctx.tenant.clone()));
        }
        let mut data = Data::default();
        data.insert(SocketToken(token));
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
    let executor = Limited::new(state.clone(), parts, &socket_request_id);
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
            () = lifecycle.closing() => {
                let _ = sink
                    .send(Message::Close(Some(CloseFrame {
                        code: GOING_AWAY,
                        reason: "the server is restarting".into(),
                    })))
                    .await;
                return;
            }
        }
    }
}

/// What `connection_init` established for the socket: the token each operation is
/// authenticated with again (`None`: anonymous).
#[derive(Clone)]
struct SocketToken(Option<String>);

/// The schema behind a socket, where every operation is a request of its own, as over
/// HTTP: a fresh [`RequestCtx`] built from the upgrade request and the socket's token at
/// the moment the operation starts (roles, admin flags, impersonation and consent, session
/// and service-token revocation all read again, and roles cached for that operation
/// only), its own DataLoaders, the per-brand and per-user request limits, the request
/// timeout for queries and mutations, and the audit of refused impersonated mutations.
/// Every answer is finished as over HTTP (`schema::finalize`: each error gets its code and
/// a request id, an unexpected one is logged and masked). An operation's request id is the
/// upgrade request's with the operation's number on the socket (`<id>.3`), so logs tie it
/// to its socket.
#[derive(Clone)]
struct Limited {
    state: AppState,
    parts: Arc<Parts>,
    socket_request_id: Arc<str>,
    operations: Arc<std::sync::atomic::AtomicU64>,
}

impl Limited {
    fn new(state: AppState, parts: Parts, socket_request_id: &str) -> Self {
        Self {
            state,
            parts: Arc::new(parts),
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

    /// Runs one operation as a request of its own (see [`Limited`]).
    async fn operation(
        self,
        request: async_graphql::Request,
        token: Option<String>,
        rid: String,
        read: Read,
    ) -> BoxStream<'static, async_graphql::Response> {
        let state = &self.state;
        let answer = |resp: async_graphql::Response| {
            futures_util::stream::once(futures_util::future::ready(resp)).boxed()
        };
        let mut ctx = match build_with_token(state, &self.parts, token.as_deref()).await {
            Ok(ctx) => ctx,
            Err(e) => return answer(refusal(&e)),
        };
        ctx.request_id = rid.clone();
        tracing::Span::current().record("tenant", ctx.tenant.model.slug.as_str());
        if let Err(refused) = state
            .services
            .limits
            .request(ctx.tenant_id(), requester_of(&ctx))
        {
            return answer(refusal(&HttpError::rate_limited(
                refused.retry_after_secs(),
                refused.message(),
                &rid,
            )));
        }
        ctx.operation = read.operation;
        let tenant_id = ctx.tenant_id();
        let impersonated = read.ty == Some(OperationType::Mutation)
            && ctx.viewer.user().is_some_and(|u| u.impersonator.is_some());
        let audit_ctx = impersonated.then(|| ctx.clone());
        let request = resolvers::attach_loaders(request.data(ctx), &state.services.db, tenant_id);
        if read.ty == Some(OperationType::Subscription) {
            let answers = async_graphql::Executor::execute_stream(&state.schema, request, None);
            return answers.map(move |r| schema::finalize(r, &rid)).boxed();
        }
        let run = state.schema.execute(request);
        let resp = match tokio::time::timeout(state.http.request_timeout, run).await {
            Ok(resp) => schema::finalize(resp, &rid),
            Err(_) => refusal(&super::operation::timed_out(&rid)),
        };
        if let Some(ctx) = audit_ctx {
            super::operation::audit_refused_impersonation(state, &ctx, &resp).await;
        }
        answer(resp)
    }
}

/// An HTTP-level refusal (a token that no longer holds, a rate limit, a timeout) as the
/// one answer of an operation on a socket, with its code, request id and `retryAfter`.
fn refusal(e: &HttpError) -> async_graphql::Response {
    let mut err = async_graphql::ServerError::new(e.message.clone(), None);
    let ext = err.extensions.get_or_insert_with(Default::default);
    ext.set("code", e.code);
    ext.set("requestId", e.request_id.as_str());
    if let Some(secs) = e.retry_after {
        ext.set("retryAfter", secs);
    }
    async_graphql::Response::from_errors(vec![err])
}

impl async_graphql::Executor for Limited {
    async fn execute(&self, request: async_graphql::Request) -> async_graphql::Response {
        // The protocol runs every operation as a stream; this is its first answer.
        self.execute_stream(request, None)
            .next()
            .await
            .unwrap_or_else(|| async_graphql::Response::new(async_graphql::Value::Null))
    }

    fn execute_stream(
        &self,
        request: async_graphql::Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, async_graphql::Response> {
        let rid = self.next_request_id();
        let (traced, read) =
            Traced::start(&request, &rid, self.state.http.schema_limits.max_tokens);
        let token = session_data
            .as_deref()
            .and_then(|d| d.get(&std::any::TypeId::of::<SocketToken>()))
            .and_then(|t| t.downcast_ref::<SocketToken>())
            .and_then(|t| t.0.clone());
        // A panic in an operation is its answer (`INTERNAL`), as over HTTP; the socket
        // and its other operations go on.
        let panicked = {
            let rid = rid.clone();
            move |panic: Box<dyn std::any::Any + Send>| {
                tracing::error!(request_id = %rid, panic = super::panic_message(&*panic), "an operation panicked");
                let e = HttpError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL",
                    "internal error",
                    &rid,
                );
                futures_util::stream::once(futures_util::future::ready(refusal(&e))).boxed()
            }
        };
        let run = std::panic::AssertUnwindSafe(self.clone().operation(request, token, rid, read))
            .catch_unwind()
            .map(move |r| r.unwrap_or_else(panicked));
        let answers = futures_util::stream::once(run).flatten().boxed();
        traced.over(answers).boxed()
    }
}

/// What an operation's document says of it: its name and root fields (for the audit) and
/// its kind.
#[derive(Default)]
struct Read {
    operation: tenants::Operation,
    ty: Option<OperationType>,
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
    fn start(request: &async_graphql::Request, rid: &str, max_tokens: usize) -> (Self, Read) {
        let name = request.operation_name.as_deref();
        // Read for its name and kind only within the token limit, which protects the
        // parser (the schema's armor refuses a longer document itself).
        let doc = (schema::armor::count_tokens(&request.query, max_tokens) <= max_tokens)
            .then(|| async_graphql::parser::parse_query(&request.query).ok())
            .flatten();
        let operation = doc
            .as_ref()
            .map(|d| super::operation::operation_of(d, name))
            .unwrap_or_default();
        let ty = doc
            .as_ref()
            .and_then(|d| super::operation::operation_type(d, name));
        let name = operation.name.clone();
        let span = super::operation::operation_span(name.as_deref(), ty);
        span.record("request_id", rid);
        let traced = Self {
            span,
            label: crate::metrics::operation_label(name.as_deref()),
            subscription: ty == Some(OperationType::Subscription),
            started: std::time::Instant::now(),
        };
        (traced, Read { operation, ty })
    }

    fn over(
        self,
        answers: BoxStream<'static, async_graphql::Response>,
    ) -> impl futures_util::Stream<Item = async_graphql::Response> + Send + 'static {
        let span = self.span.clone();
        let mut first = Some(self);
        let inner = answers.inspect(move |resp| {
            let Some(t) = first.take() else { return };
            let outcome = super::operation::outcome_of(resp);
            let took = (!t.subscription).then(|| t.started.elapsed());
            super::operation::note_outcome(
                &t.span,
                &t.label,
                &outcome,
                outcome == "INTERNAL",
                took,
            );
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
