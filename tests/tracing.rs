//! What the runtime traces: one span per call with what an operator needs, and never a
//! credential or a returned secret. A test binary of its own, because it installs the global
//! subscriber (a thread-scoped one misses events when other tests race to register callsites).
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use api_runtime::RetryPolicy;
use loopback::{Recorded, Reply, Server};
use serde_json::json;
use workspace_tests::{KEY, TOKEN};

fn created_body() -> String {
    json!({"bearerToken": TOKEN, "token": {"id": "t", "name": "n", "type": "oauth2-token", "activeAt": 1, "createdAt": 1}})
        .to_string()
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// The global subscriber, installed once for every test of this binary; what all of them
/// traced so far.
fn captured() -> Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED
        .get_or_init(|| {
            let captured = Captured::default();
            let writer = captured.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_writer(move || writer.clone())
                .with_ansi(false)
                .finish();
            tracing::subscriber::set_global_default(subscriber).unwrap();
            captured
        })
        .clone()
}

#[tokio::test]
async fn traces_show_each_call_and_never_a_secret() {
    let captured = captured();

    let calls = AtomicUsize::new(0);
    let server = Server::start(move |r: &Recorded| match (r.path.as_str(), calls.fetch_add(1, Ordering::SeqCst)) {
        ("/v3/user/tokens", 0) => Reply::status(503).with_header("retry-after", "0"),
        ("/v3/user/tokens", 1) => Reply::json(200, created_body()),
        ("/v3/user/tokens", _) => Reply::json(200, json!({"bearerToken": TOKEN, "token": "drifted"}).to_string()),
        _ => Reply::json(500, format!(r#"{{"echo":"Bearer {KEY}"}}"#)),
    })
    .await
    .unwrap();
    let client = vercel::Client::builder()
        .api_key(KEY)
        .base_url(server.url())
        .retry_policy(RetryPolicy { base_backoff: Duration::from_millis(10), ..RetryPolicy::default() })
        .build()
        .unwrap();
    client.create_auth_token().body_map(|b| b.name("ci")).send().await.unwrap();
    client.create_auth_token().body_map(|b| b.name("ci")).send().await.unwrap_err();
    client.get_auth_token().token_id("t").send().await.unwrap_err();

    let text = captured.text();
    assert!(text.contains("api_call{") && text.contains("operation=\"createAuthToken\""), "{text}");
    assert!(text.contains("method=\"POST\"") && text.contains("path=\"/v3/user/tokens\""), "{text}");
    assert!(text.contains("retrying") && text.contains("status=200") && text.contains("attempts=2"), "{text}");
    assert!(text.contains("call failed") && text.contains("getAuthToken: unexpected HTTP 500"), "{text}");
    assert!(text.contains("Bearer [REDACTED]"), "the echoed key is scrubbed, the rest kept: {text}");
    assert!(!text.contains(KEY), "the API key is traced:\n{text}");
    assert!(!text.contains(TOKEN), "a returned token is traced:\n{text}");
}

#[tokio::test]
async fn drifted_bodies_of_secret_operations_are_traced_without_their_secrets() {
    let captured = captured();
    let created = json!({"bearer_token_v2": TOKEN, "bearerToken": {"value": TOKEN}}).to_string();
    let server = Server::start(move |r: &Recorded| match r.path.as_str() {
        "/v3/user/tokens" if r.method == "POST" => Reply::json(200, created.clone()),
        "/v5/user/tokens" => Reply::json(200, json!({"tokens": 1, "echo": KEY.to_lowercase()}).to_string()),
        "/generate_auth_token" => {
            Reply::json(200, json!({"auth_token": "x", "created_at_epoch_seconds": TOKEN}).to_string())
        }
        _ => Reply {
            status: 418,
            ..Reply::bytes("text/html", format!("<p>Bearer {KEY} revoking {}</p>", TOKEN.to_uppercase()))
        },
    })
    .await
    .unwrap();
    let url = server.url();
    let vercel = vercel::Client::builder().api_key(KEY).base_url(&url).build().unwrap();
    vercel.create_auth_token().body_map(|b| b.name("ci")).send().await.unwrap_err();
    vercel.list_auth_tokens().send().await.unwrap_err();
    let perplexity = perplexity::Client::builder().api_key(KEY).base_url(&url).build().unwrap();
    perplexity.generate_auth_token().send().await.unwrap_err();
    perplexity
        .revoke_auth_token()
        .body(perplexity::types::RevokeAuthTokenRequest { auth_token: TOKEN.into() })
        .send()
        .await
        .unwrap_err();

    let text = captured.text();
    for expected in [
        r#"createAuthToken: HTTP 200 OK body does not match the spec (data mismatch"#,
        r#"its shape: {"bearer_token_v2": string, "bearerToken": {"value": string}}"#,
        r#"listAuthTokens: HTTP 200 OK body does not match the spec (data mismatch: invalid type at line 1 column 11): {"tokens":"[REDACTED]","echo":"[REDACTED]"}"#,
        r#"generate_auth_token: HTTP 200 OK body does not match the spec (data mismatch: invalid type"#,
        "revoke_auth_token: unexpected HTTP 418 I'm a teapot: body withheld",
    ] {
        assert!(text.contains(expected), "{expected} not in\n{text}");
    }
    let lower = text.to_lowercase();
    for secret in [KEY, TOKEN] {
        assert!(!lower.contains(&secret.to_lowercase()), "`{secret}` is traced, in some casing:\n{text}");
    }
}

/// The opt-in wire log (`api_runtime::wire` at DEBUG, which this binary's subscriber takes):
/// each request and answer, line, headers and bodies, with a secret in every place one can be
/// (the key in `Authorization`, a token in a request body and in an answer body, a cookie and
/// an echoed key in answer headers, an extra header of the call's options) and none shown.
#[tokio::test]
async fn the_debug_wire_log_shows_requests_and_answers_and_never_a_secret() {
    let captured = captured();
    let server = Server::start(move |r: &Recorded| match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/v3/user/tokens") => Reply::json(200, created_body())
            .with_header("set-cookie", "session=cookie-SENTINEL-9")
            .with_header("x-echo", format!("Bearer {KEY}")),
        ("GET", "/v5/user/tokens") => {
            Reply::json(200, r#"{"tokens":[],"pagination":{"count":0,"next":null,"prev":null}}"#)
        }
        _ => Reply::json(200, "{}"),
    })
    .await
    .unwrap();
    let url = server.url();
    let vercel = vercel::Client::builder().api_key(KEY).base_url(&url).build().unwrap();
    let options = api_runtime::CallOptions::new().header("x-trace", "trace-SENTINEL-LOG");
    vercel.create_auth_token().body_map(|b| b.name("wire-log")).with_options(options).send().await.unwrap();
    vercel.list_auth_tokens().send().await.unwrap();
    let perplexity = perplexity::Client::builder().api_key(KEY).base_url(&url).build().unwrap();
    let revoke = perplexity::types::RevokeAuthTokenRequest { auth_token: TOKEN.into() };
    let _ = perplexity.revoke_auth_token().body(revoke).send().await;

    let text = captured.text();
    for expected in [
        "-> POST http://127.0.0.1",
        "/v3/user/tokens (attempt 1)",
        "<- 200 OK",
        "authorization: [REDACTED]",
        "x-trace: [REDACTED]",
        r#""pagination":{"count":0,"next":null,"prev":null}}"#,
        "set-cookie: [REDACTED]",
        "/revoke_auth_token (attempt 1)",
    ] {
        assert!(text.contains(expected), "{expected} not in the wire log:\n{text}");
    }
    let lower = text.to_lowercase();
    for secret in [KEY, TOKEN, "cookie-SENTINEL-9", "trace-SENTINEL-LOG"] {
        assert!(!lower.contains(&secret.to_lowercase()), "`{secret}` is in the wire log:\n{text}");
    }
}

/// A stream keeps its call's span open until it ends, and the end records how many items it
/// delivered and how long it took.
#[tokio::test]
async fn a_stream_records_its_items_and_duration_in_the_call_s_span() {
    use api_codegen::SpecDir;
    use futures_core::Stream as _;
    use spec_tools::examples;
    let captured = captured();
    let prepared = api_codegen::load(&SpecDir::new(workspace_tests::spec_dir("cartesia"))).unwrap();
    let chunk = examples::valid(&prepared.doc, &json!({"$ref": "#/components/schemas/TTSSSEChunkEvent"}));
    let request = examples::valid(&prepared.doc, &json!({"$ref": "#/components/schemas/TTSSSERequest"}));
    let server =
        Server::always(Reply::bytes("text/event-stream", format!("data: {chunk}\n\n")).repeated(3)).await.unwrap();
    let client = cartesia::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap();
    let body: cartesia::types::TtssseRequest = serde_json::from_value(request).unwrap();
    let mut events = client.tts_sse().body(body).send().await.unwrap().into_inner();
    while let Some(event) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut events).poll_next(cx)).await {
        event.unwrap();
    }
    let text = captured.text();
    let ended = text
        .lines()
        .find(|l| l.contains("stream ended") && l.contains("operation=\"tts_sse\""))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(ended.contains("items=3") && ended.contains("stream_ms=") && ended.contains("completed"), "{ended}");
}
