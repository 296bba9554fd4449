//! `Client::request(method, "/path")`: a request the document does not describe, sent with the
//! client's credential, retries and redaction, to the base URL's origin only.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use api_runtime::{CallOptions, RetryPolicy};
use loopback::{Reply, Server};
use reqwest::Method;
use serde_json::{Value, json};
use workspace_tests::{KEY, assert_renderings_clean};

fn vercel(url: &str) -> vercel::Client {
    let fast = RetryPolicy {
        base_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        ..RetryPolicy::default()
    };
    vercel::Client::builder().api_key(KEY).base_url(url).retry_policy(fast).build().unwrap()
}

#[derive(Debug, serde::Deserialize)]
struct Flags {
    flags: Vec<String>,
}

#[tokio::test]
async fn a_raw_request_carries_the_credential_and_is_typed_by_the_caller() {
    let server = Server::always(Reply::json(200, json!({"flags": ["a", "b"], "extra": 1}).to_string())).await.unwrap();
    let client = vercel(&server.url());
    let answer = client
        .request(Method::GET, "/v1/flags?team=t1")
        .query("limit", 5)
        .header("x-trace-id", "t-1")
        .send::<Flags>()
        .await
        .unwrap();
    assert_eq!(answer.into_inner().flags, ["a", "b"]);
    let sent = server.single_request();
    assert_eq!((sent.method.as_str(), sent.path.as_str()), ("GET", "/v1/flags"));
    assert_eq!(sent.query.as_deref(), Some("team=t1&limit=5"));
    assert_eq!(sent.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert_eq!(sent.header("x-trace-id"), Some("t-1"));
    assert_eq!(sent.header("accept"), Some("application/json"));
    assert!(sent.header("user-agent").is_some_and(|ua| ua.starts_with("vercel/")));
}

#[tokio::test]
async fn a_raw_post_sends_its_json_and_reads_bytes() {
    let server = Server::always(Reply::bytes("application/octet-stream", &b"\x00\x01raw"[..])).await.unwrap();
    let client = vercel(&server.url());
    let answer = client.request(Method::POST, "/v1/things").json(&json!({"name": "x"})).send_bytes().await.unwrap();
    assert_eq!(&answer.into_inner()[..], b"\x00\x01raw");
    let sent = server.single_request();
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(serde_json::from_slice::<Value>(&sent.body).unwrap(), json!({"name": "x"}));
}

#[tokio::test]
async fn a_raw_request_is_retried_like_an_operation() {
    let count = AtomicUsize::new(0);
    let server = Server::start(move |_| match count.fetch_add(1, Ordering::SeqCst) {
        0 | 1 => Reply::status(503),
        _ => Reply::json(200, r#"{"flags": []}"#),
    })
    .await
    .unwrap();
    let client = vercel(&server.url());
    client.request(Method::GET, "/v1/flags").send::<Flags>().await.unwrap();
    assert_eq!(server.requests().len(), 3);
    let once = client.request(Method::GET, "/v1/flags").with_options(CallOptions::new().retries(0));
    once.send::<Flags>().await.unwrap();
}

#[tokio::test]
async fn nothing_leaves_the_base_url_origin() {
    let other = Server::always(Reply::status(200)).await.unwrap();
    let server = Server::always(Reply::redirect(302, format!("{}/stolen", other.url()))).await.unwrap();
    let client = vercel(&server.url());
    let port = other.url().rsplit(':').next().unwrap().to_string();
    for path in [other.url() + "/x", format!("//127.0.0.1:{port}/x"), "v1/x".into(), "/v1/../admin".into()] {
        let error = client.request(Method::GET, &path).send::<Value>().await.unwrap_err();
        assert!(error.to_string().contains("nothing was sent"), "{path}: {error}");
    }
    assert!(server.requests().is_empty());
    // A redirect to another origin is not followed with the credential.
    let error = client.request(Method::GET, "/v1/flags").send::<Value>().await.unwrap_err();
    assert_renderings_clean("redirect error", &error);
    assert!(other.requests().is_empty(), "the other origin was reached");
}

#[tokio::test]
async fn a_raw_error_shows_the_shape_of_its_body_never_its_text() {
    let body = json!({"error": {"message": "token tok-RAW-SENTINEL is invalid", "echo": KEY}});
    let server = Server::always(Reply::json(400, body.to_string())).await.unwrap();
    let client = vercel(&server.url());
    let error = client.request(Method::GET, "/v1/flags").send::<Value>().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400), "{error}");
    assert_renderings_clean("raw error", &error);
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains("RAW-SENTINEL"), "{shown}");
    }
}
