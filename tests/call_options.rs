//! Per-call options (`with_options`): a timeout, retries and extra headers for one call, the
//! client's settings unchanged for the next; extra headers on the wire beside the request's
//! own (never replacing the credential or a constant header) and scrubbed from errors; an
//! idempotency key making a POST safe to retry; a paginated walk keeping the options on every
//! page.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use api_runtime::{CallOptions, RetryPolicy};
use loopback::{Reply, Server};
use serde_json::json;
use workspace_tests::{KEY, assert_renderings_clean};

const TRACE: &str = "trace-SENTINEL-5c1e";

fn list_body() -> String {
    json!({"tokens": [], "pagination": {"count": 0, "next": null, "prev": null}}).to_string()
}

/// A Vercel client retrying quickly.
fn vercel(url: &str) -> vercel::Client {
    let fast = RetryPolicy {
        base_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        ..RetryPolicy::default()
    };
    vercel::Client::builder().api_key(KEY).base_url(url).retry_policy(fast).build().unwrap()
}

#[tokio::test]
async fn a_timeout_bounds_one_call_only() {
    let server = Server::always(Reply::json(200, list_body()).with_delay(Duration::from_millis(400))).await.unwrap();
    let client = vercel(&server.url());
    let started = Instant::now();
    let options = CallOptions::new().timeout(Duration::from_millis(100)).retries(0);
    let error = client.list_auth_tokens().with_options(options).send().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(350), "{:?}", started.elapsed());
    assert!(error.to_string().contains("timed out") || error.to_string().contains("timeout"), "{error}");
    // The next call has the client's timeout (30 s): the slow answer arrives.
    client.list_auth_tokens().send().await.unwrap();
}

#[tokio::test]
async fn retries_are_set_for_one_call() {
    let server = Server::always(Reply::status(503)).await.unwrap();
    let client = vercel(&server.url());
    let error = client.list_auth_tokens().with_options(CallOptions::new().retries(0)).send().await.unwrap_err();
    assert_eq!((error.attempts(), server.requests().len()), (1, 1), "{error}");
    let error = client.list_auth_tokens().send().await.unwrap_err();
    assert_eq!(error.attempts(), 3, "the client's policy: {error}");
    let error = client.list_auth_tokens().with_options(CallOptions::new().retries(4)).send().await.unwrap_err();
    assert_eq!(error.attempts(), 5, "{error}");
}

#[tokio::test]
async fn extra_headers_go_out_beside_the_credential_and_are_scrubbed_from_errors() {
    // The server echoes the trace header back in an error body.
    let server =
        Server::always(Reply::json(500, json!({"error": {"message": format!("bad trace {TRACE}")}}).to_string()))
            .await
            .unwrap();
    let client = vercel(&server.url());
    let options = CallOptions::new()
        .retries(0)
        .header("x-trace-id", TRACE)
        // Never instead of the credential.
        .header("authorization", "Bearer not-the-key");
    let error = client.list_auth_tokens().with_options(options).send().await.unwrap_err();
    let request = server.single_request();
    assert_eq!(request.header("x-trace-id"), Some(TRACE));
    assert_eq!(request.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert_eq!(request.headers.iter().filter(|(n, _)| n == "authorization").count(), 1);
    assert_renderings_clean("error", &error);
    for shown in [error.to_string(), format!("{error:?}"), format!("{error:#?}")] {
        assert!(!shown.contains(TRACE), "{shown}");
    }
    // The next call sends no extra header.
    let _ = client.list_auth_tokens().with_options(CallOptions::new().retries(0)).send().await;
    assert_eq!(server.requests()[1].header("x-trace-id"), None);
}

#[tokio::test]
async fn an_invalid_extra_header_fails_before_anything_is_sent() {
    let server = Server::always(Reply::json(200, list_body())).await.unwrap();
    let client = vercel(&server.url());
    let options = CallOptions::new().header("x-ok", "line\nbreak-SENTINEL");
    let error = client.list_auth_tokens().with_options(options).send().await.unwrap_err();
    assert!(error.to_string().contains("`x-ok` is not a valid header"), "{error}");
    assert!(!format!("{error:?}").contains("SENTINEL"), "{error:?}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn an_idempotency_key_makes_a_post_safe_to_retry() {
    let server = Server::always(Reply::status(503)).await.unwrap();
    let client = vercel(&server.url());
    let error = client.create_auth_token().body_map(|b| b.name("ci")).send().await.unwrap_err();
    assert_eq!(error.attempts(), 1, "a POST without a key is not sent twice: {error}");
    let keyed = CallOptions::new().header("Idempotency-Key", "key-1");
    let error = client.create_auth_token().body_map(|b| b.name("ci")).with_options(keyed).send().await.unwrap_err();
    assert_eq!(error.attempts(), 3, "{error}");
    let sent = server.requests();
    assert!(sent[1..].iter().all(|r| r.header("idempotency-key") == Some("key-1")));
}

#[tokio::test]
async fn a_paginated_walk_keeps_the_options_on_every_page() {
    use futures_util::StreamExt;
    let page = |next: Option<u64>, n: usize| {
        let voice = json!({"id": "v", "name": "n", "description": "d", "is_owner": true, "is_public": false,
            "gender": null, "created_at": "2024-01-01T00:00:00Z", "language": "en"});
        let data: Vec<_> = std::iter::repeat_n(voice, n).collect();
        json!({"data": data, "has_more": next.is_some(), "next_page": next.map(|n| format!("p{n}"))}).to_string()
    };
    let pages = std::sync::Mutex::new(vec![page(Some(2), 2), page(None, 1)]);
    let server = Server::start(move |_| Reply::json(200, pages.lock().unwrap().remove(0))).await.unwrap();
    let client = cartesia::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap();
    let options = CallOptions::new().header("x-trace-id", TRACE);
    let voices: Vec<_> = client.voices_list().limit(2).with_options(options).stream().collect().await;
    assert_eq!(voices.len(), 3, "{voices:?}");
    assert!(voices.iter().all(Result::is_ok), "{voices:?}");
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|r| r.header("x-trace-id") == Some(TRACE)));
    assert!(sent.iter().all(|r| r.query.as_deref().unwrap_or_default().contains("limit=2")));
    assert!(sent[1].query.as_deref().unwrap_or_default().contains("starting_after=p2"), "{:?}", sent[1].query);
}
