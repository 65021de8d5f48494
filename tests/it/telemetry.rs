//! Traces over OTLP: the binary, started with `OTEL_EXPORTER_OTLP_ENDPOINT`, exports a
//! server span per request (with the request id and the caller's trace) and a span per
//! GraphQL operation to a local OTLP/HTTP collector, and flushes them on a graceful stop.

use serde_json::{Value, json};

use crate::cli::{start_server, stop_server};
use crate::local_otlp::{LocalCollector, Received};
use crate::support::*;

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN: &str = "00f067aa0ba902b7";

async fn post(port: u16, headers: &[(&str, &str)], body: Value) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/graphql"))
        .header("host", ROOT)
        .json(&body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

/// The binary, exporting to a local collector with batches held for an hour: what the
/// collector gets was flushed by the graceful stop.
async fn traced_server(app: &TestApp) -> (LocalCollector, tokio::process::Child, u16) {
    let collector = LocalCollector::start().await;
    let (child, port) = start_server(
        app,
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &collector.endpoint),
            ("OTEL_BSP_SCHEDULE_DELAY", "3600000"),
        ],
    )
    .await;
    (collector, child, port)
}

fn by_request_id<'a>(spans: &'a [Received], id: &str) -> &'a Received {
    spans
        .iter()
        .find(|s| s.attr("request_id").as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no span with request id {id} in {spans:#?}"))
}

fn child_of<'a>(spans: &'a [Received], parent: &Received) -> &'a Received {
    spans
        .iter()
        .find(|s| s.span.parent_span_id == parent.span.span_id)
        .unwrap_or_else(|| panic!("no child of {}", parent.span.name))
}

#[tokio::test]
async fn spans_reach_an_otlp_collector_with_the_request_id_and_the_callers_trace() {
    let app = TestApp::new().await;
    let (collector, child, port) = traced_server(&app).await;
    let (status, body) = post(
        port,
        &[
            ("x-request-id", "trace-me-1"),
            ("traceparent", &format!("00-{TRACE_ID}-{PARENT_SPAN}-01")),
        ],
        json!({ "query": "query WhoAreWe { tenant { slug } }" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let slug = body["data"]["tenant"]["slug"].as_str().unwrap().to_string();
    // A refused mutation: its outcome is noted, but a client's mistake is no server error.
    let (_, refused) = post(
        port,
        &[("x-request-id", "trace-me-2")],
        json!({ "query": "mutation Nope { noSuchField }" }),
    )
    .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    assert_eq!(
        collector.requests(),
        0,
        "nothing is exported before the stop"
    );
    let (stopped, log) = stop_server(child).await;
    assert!(stopped.success(), "{log}");

    let spans = collector.spans();
    let server = by_request_id(&spans, "trace-me-1");
    assert_eq!(server.span.name, "POST /graphql");
    assert_eq!(server.span.kind, 2, "SPAN_KIND_SERVER");
    assert_eq!(hex::encode(&server.span.trace_id), TRACE_ID);
    assert_eq!(hex::encode(&server.span.parent_span_id), PARENT_SPAN);
    assert_eq!(server.attr("http.request.method").as_deref(), Some("POST"));
    assert_eq!(server.attr("http.route").as_deref(), Some("/graphql"));
    assert_eq!(
        server.attr("http.response.status_code").as_deref(),
        Some("200")
    );
    assert_eq!(
        server.resource_attr("service.name").as_deref(),
        Some("partner-gateway")
    );
    let op = child_of(&spans, server);
    assert_eq!(op.span.name, "query WhoAreWe");
    assert_eq!(op.span.trace_id, server.span.trace_id);
    assert_eq!(
        op.attr("graphql.operation.name").as_deref(),
        Some("WhoAreWe")
    );
    assert_eq!(op.attr("graphql.operation.type").as_deref(), Some("query"));
    assert_eq!(op.attr("graphql.outcome").as_deref(), Some("ok"));
    assert_eq!(op.attr("tenant"), Some(slug));

    // Without a `traceparent` the request starts a trace of its own.
    let other = by_request_id(&spans, "trace-me-2");
    assert_ne!(other.span.trace_id, server.span.trace_id);
    assert!(other.span.parent_span_id.is_empty());
    let op = child_of(&spans, other);
    assert_eq!(op.span.name, "mutation Nope");
    assert_eq!(
        op.attr("graphql.outcome").as_deref(),
        Some("GRAPHQL_VALIDATION_FAILED")
    );
    let status_code = op.span.status.as_ref().map_or(0, |s| s.code);
    assert_ne!(
        status_code, 2,
        "STATUS_CODE_ERROR is for the server's own failures"
    );
}

#[tokio::test]
async fn a_collector_that_cannot_be_reached_costs_no_request() {
    let app = TestApp::new().await;
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let endpoint = format!("http://{closed}");
    let (child, port) = start_server(
        &app,
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            ("OTEL_BSP_SCHEDULE_DELAY", "10"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "500"),
        ],
    )
    .await;
    for i in 0..3 {
        let (status, body) = post(
            port,
            &[("x-request-id", &format!("lost-{i}"))],
            json!({ "query": "{ tenant { slug } }" }),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert!(body["data"]["tenant"]["slug"].is_string(), "{body}");
    }
    let (stopped, log) = stop_server(child).await;
    assert!(stopped.success(), "{log}");
}

#[tokio::test]
async fn an_unsupported_otlp_protocol_is_refused_and_serving_goes_on() {
    let app = TestApp::new().await;
    let collector = LocalCollector::start().await;
    let (child, port) = start_server(
        &app,
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &collector.endpoint),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ],
    )
    .await;
    let (status, _) = post(port, &[], json!({ "query": "{ tenant { slug } }" })).await;
    assert_eq!(status, 200);
    let (stopped, log) = stop_server(child).await;
    assert!(stopped.success(), "{log}");
    assert!(
        log.contains("OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported"),
        "{log}"
    );
    assert_eq!(collector.requests(), 0);
}

#[tokio::test]
async fn an_operation_on_a_websocket_has_its_own_span_with_its_request_id() {
    use crate::websocket::{next, open_as, send};
    let app = TestApp::new().await;
    let (collector, child, port) = traced_server(&app).await;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut ws = open_as(addr, ROOT, Some("ws-trace")).await;
    send(&mut ws, json!({ "type": "connection_init", "payload": {} })).await;
    assert_eq!(next(&mut ws).await["type"], "connection_ack");
    send(
        &mut ws,
        json!({ "id": "a", "type": "subscribe", "payload": { "query": "query OverTheSocket { tenant { slug } }" } }),
    )
    .await;
    let m = next(&mut ws).await;
    let slug = m["payload"]["data"]["tenant"]["slug"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(next(&mut ws).await["type"], "complete");
    send(
        &mut ws,
        json!({ "id": "b", "type": "subscribe", "payload": { "query": "subscription Bell { notificationAdded { id } }" } }),
    )
    .await;
    let m = next(&mut ws).await;
    assert_eq!(
        m["payload"]["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
    drop(ws);
    let (stopped, log) = stop_server(child).await;
    assert!(stopped.success(), "{log}");

    let spans = collector.spans();
    let op = by_request_id(&spans, "ws-trace.1");
    assert_eq!(op.span.name, "query OverTheSocket");
    assert!(
        op.span.parent_span_id.is_empty(),
        "a socket's operation starts its own trace"
    );
    assert_eq!(op.attr("graphql.operation.type").as_deref(), Some("query"));
    assert_eq!(op.attr("graphql.outcome").as_deref(), Some("ok"));
    assert_eq!(op.attr("tenant"), Some(slug));
    let bell = by_request_id(&spans, "ws-trace.2");
    assert_eq!(bell.span.name, "subscription Bell");
    assert_eq!(
        bell.attr("graphql.outcome").as_deref(),
        Some("UNAUTHENTICATED")
    );
}
