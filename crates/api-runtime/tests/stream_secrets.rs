//! A streamed call of an operation that sends a secret (a token to revoke): when the server's
//! stream echoes it in an error item, the stream's error shows it neither in `Display` nor in
//! `Debug`. The call runs as a generated client runs it: `Context::call_events` around a
//! request future that calls the `pre` hook (`prepare`) and the `exec` hook (`execute`),
//! against a loopback server that echoes whatever token the request body carried.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::pin::Pin;

use api_runtime::{
    ApiDescription, Context, Credentials, EventStream, Framing, Limits, OperationDescription, StreamError, StreamFormat,
};
use progenitor_client::{ByteStream, ResponseValue};
use serde_json::Value;

/// The secret the request sends (short enough to be shown whole as an object key).
const SENTINEL: &str = "tok-SENTINEL-7f3a9c";

static API: ApiDescription = ApiDescription {
    title: "test",
    version: "1",
    default_base_url: None,
    api_key_env: "",
    username_env: "",
    password_env: "",
    base_url_env: "",
    schemes: &[],
    operations: &[OperationDescription {
        id: "revokeToken",
        rust_name: "revoke_token",
        method: "POST",
        path: "/tokens/revoke",
        security: &[],
        constant_headers: &[],
        returns_secrets: false,
        sends_secrets: true,
    }],
    secret_fields: &["token"],
};

static SSE: StreamFormat = StreamFormat {
    framing: Framing::ServerSentEvents,
    media_type: "text/event-stream",
    error_property: None,
    error_values: &[],
};

static JSON_LINES: StreamFormat = StreamFormat {
    framing: Framing::JsonLines,
    media_type: "application/x-ndjson",
    error_property: Some("type"),
    error_values: &["error"],
};

/// A one-request server: reads the request, finds the token its JSON body sent, and answers
/// `200` with `body(token)` in `content_type`. Returns the base URL and the request as read.
fn echo_server(
    content_type: &'static str,
    body: fn(&str) -> String,
) -> std::io::Result<(String, std::thread::JoinHandle<String>)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    let handle = std::thread::spawn(move || {
        let Ok((mut socket, _)) = listener.accept() else { return String::new() };
        let mut request = Vec::new();
        let mut buffer = [0u8; 4096];
        // Headers, then as many body bytes as `content-length` says.
        loop {
            let text = String::from_utf8_lossy(&request).into_owned();
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|line| {
                        let (name, value) = line.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if request.len() >= end + 4 + length {
                    break;
                }
            }
            match socket.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => request.extend_from_slice(&buffer[..n]),
            }
        }
        let request = String::from_utf8_lossy(&request).into_owned();
        let sent: Option<Value> = request.split_once("\r\n\r\n").and_then(|(_, body)| serde_json::from_str(body).ok());
        let token = sent.as_ref().and_then(|v| v["token"].as_str()).unwrap_or("no token sent").to_string();
        let body = body(&token);
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        let _ = socket.write_all(head.as_bytes()).and_then(|()| socket.write_all(body.as_bytes()));
        request
    });
    Ok((url, handle))
}

/// `revoke_token` sending `{"token": SENTINEL}` as a streamed call, as generated code makes it.
async fn revoke(base: &str, format: &'static StreamFormat) -> EventStream<Value> {
    let url = reqwest::Url::parse(base).unwrap();
    let context = Context::new(&API, &Credentials::default(), Limits::default(), &url).unwrap();
    let http = reqwest::Client::new();
    let mut request = http
        .post(format!("{base}/tokens/revoke"))
        .json(&serde_json::json!({ "token": SENTINEL, "reason": "rotated" }))
        .build()
        .unwrap();
    let send = async {
        context
            .prepare(&mut request, "revoke_token")
            .map_err(|e| progenitor_client::Error::<()>::InvalidRequest(e.to_string()))?;
        let response = context.execute(&http, request).await.map_err(progenitor_client::Error::CommunicationError)?;
        Ok::<ResponseValue<ByteStream>, _>(ResponseValue::stream(response))
    };
    let decode: api_runtime::Decode<Value> = |text| serde_json::from_str(text);
    let response =
        context.call_events("revoke_token", api_runtime::CallOptions::new(), format, decode, send).await.unwrap();
    assert_eq!(response.status(), 200);
    response.into_inner()
}

async fn next<S: futures_core::Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    std::future::poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)).await
}

fn assert_hidden(error: &StreamError<Value>) {
    for shown in [error.to_string(), format!("{error:?}"), format!("{error:#?}")] {
        assert!(!shown.to_lowercase().contains(&SENTINEL.to_lowercase()), "{shown}");
    }
}

#[tokio::test]
async fn an_sse_error_event_echoing_the_sent_token_does_not_show_it() {
    let (base, server) = echo_server("text/event-stream", |token| {
        format!(
            "data: {{\"ok\":true}}\n\nevent: error\ndata: {{\"error\":{{\"{token}\":\"unknown token\",\"message\":\"{token} was not found\"}}}}\n\n"
        )
    })
    .unwrap();
    let mut events = revoke(&base, &SSE).await;
    assert_eq!(next(&mut events).await.unwrap().unwrap(), serde_json::json!({"ok": true}));
    let error = next(&mut events).await.unwrap().unwrap_err();
    assert!(matches!(error, StreamError::ErrorEvent { .. }), "{error:?}");
    assert_hidden(&error);
    // The echo was real: the server saw the token in the body.
    assert!(server.join().unwrap().contains(SENTINEL));
}

#[tokio::test]
async fn a_json_lines_error_item_echoing_the_sent_token_does_not_show_it() {
    let (base, server) = echo_server("application/x-ndjson", |token| {
        format!(
            "{{\"type\":\"progress\"}}\n{{\"type\":\"error\",\"{token}\":{{\"detail\":\"{token} revoked twice\"}}}}\n"
        )
    })
    .unwrap();
    let mut items = revoke(&base, &JSON_LINES).await;
    assert_eq!(next(&mut items).await.unwrap().unwrap(), serde_json::json!({"type": "progress"}));
    let error = next(&mut items).await.unwrap().unwrap_err();
    assert!(matches!(error, StreamError::ErrorEvent { .. }), "{error:?}");
    assert_hidden(&error);
    assert!(server.join().unwrap().contains(SENTINEL));
}
