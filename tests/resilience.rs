//! The runtime against a server that injects faults: retries that never duplicate a token,
//! timeouts, a deadline over all attempts, errors that keep what happened, and traces that
//! never show a secret.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use api_runtime::RetryPolicy;
use loopback::{Reply, Server};
use serde_json::json;
use workspace_tests::{KEY, TOKEN, assert_renderings_clean};

/// Quick retries, so tests spend their time on what they test.
fn fast_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        base_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

fn vercel(server: &Server) -> vercel::Client {
    vercel::Client::builder().api_key(KEY).base_url(server.url()).retry_policy(fast_retries(2)).build().unwrap()
}

fn list_body() -> String {
    json!({"tokens": [], "pagination": {"count": 0, "next": null, "prev": null}}).to_string()
}

fn created_body() -> String {
    json!({"bearerToken": TOKEN, "token": {"id": "t", "name": "n", "type": "oauth2-token", "activeAt": 1, "createdAt": 1}})
        .to_string()
}

/// Answers the n-th request (0-based) with `script[n]`, and the last entry ever after.
async fn scripted(script: Vec<Reply>) -> Server {
    let seen = AtomicUsize::new(0);
    Server::start(move |_| script[seen.fetch_add(1, Ordering::SeqCst).min(script.len() - 1)].clone()).await.unwrap()
}

#[tokio::test]
async fn a_503_twice_then_200_takes_three_requests_and_succeeds() {
    let server = scripted(vec![Reply::status(503), Reply::status(503), Reply::json(200, list_body())]).await;
    let response = vercel(&server).list_auth_tokens().send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn retries_stop_at_the_configured_count() {
    let server = scripted(vec![Reply::status(503)]).await;
    let err = vercel(&server).list_auth_tokens().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.requests().len(), 3, "1 attempt + 2 retries");
}

#[tokio::test]
async fn a_429_with_retry_after_waits_then_succeeds_even_for_a_post() {
    let server =
        scripted(vec![Reply::status(429).with_header("retry-after", "1"), Reply::json(200, created_body())]).await;
    let created = vercel(&server).create_auth_token().body_map(|b| b.name("ci")).send().await.unwrap();
    assert_eq!(created.bearer_token.expose_secret(), TOKEN);
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "429 means the server did not act, so even a POST is retried");
    let waited = requests[1].arrived - requests[0].arrived;
    assert!(waited >= Duration::from_millis(950), "Retry-After: 1 was not honoured (retried after {waited:?})");
}

#[tokio::test]
async fn a_503_with_retry_after_is_retried_for_a_post_but_not_without() {
    let server =
        scripted(vec![Reply::status(503).with_header("retry-after", "0"), Reply::json(200, created_body())]).await;
    vercel(&server).create_auth_token().body_map(|b| b.name("ci")).send().await.unwrap();
    assert_eq!(server.requests().len(), 2);

    let server = scripted(vec![Reply::status(503), Reply::json(200, created_body())]).await;
    let err = vercel(&server).create_auth_token().body_map(|b| b.name("ci")).send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_token_creating_post_answered_500_is_sent_exactly_once() {
    for status in [500, 502, 504, 408] {
        let server = scripted(vec![Reply::json(status, "{}"), Reply::json(200, created_body())]).await;
        let err = vercel(&server).create_auth_token().body_map(|b| b.name("ci")).send().await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(server.requests().len(), 1, "a POST answered {status} may have created a token");
    }
}

#[tokio::test]
async fn a_connection_reset_is_retried_for_a_get_but_not_for_a_post() {
    let server = scripted(vec![Reply::reset(), Reply::json(200, list_body())]).await;
    vercel(&server).list_auth_tokens().send().await.unwrap();
    assert_eq!(server.requests().len(), 2);

    let server = scripted(vec![Reply::reset(), Reply::json(200, created_body())]).await;
    let err = vercel(&server).create_auth_token().body_map(|b| b.name("ci")).send().await.unwrap_err();
    assert_eq!(server.requests().len(), 1, "the reset came after the request was sent");
    assert!(matches!(err, vercel::Error::Transport { .. }), "{err:?}");
    assert!(err.to_string().starts_with("createAuthToken: connection failed:"), "{err}");
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_a_post() {
    // Nothing listens: the request never left, so the POST is safe to retry.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = vercel::Client::builder()
        .api_key(KEY)
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_policy(fast_retries(2))
        .build()
        .unwrap();
    let err = client.create_auth_token().body_map(|b| b.name("ci")).send().await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert!(err.to_string().contains("could not connect after 3 attempts"), "{err}");
}

#[tokio::test]
async fn a_response_slower_than_the_timeout_fails_each_attempt() {
    let server = scripted(vec![Reply::json(200, list_body()).with_delay(Duration::from_secs(3))]).await;
    let client = vercel::Client::builder()
        .api_key(KEY)
        .base_url(server.url())
        .timeout(Duration::from_millis(150))
        .retry_policy(fast_retries(1))
        .build()
        .unwrap();
    let err = client.list_auth_tokens().send().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.to_string().starts_with("listAuthTokens: timed out after 2 attempts"), "{err}");
    assert_eq!(server.requests().len(), 2);

    // A POST that timed out may have been acted on: never retried.
    let server = scripted(vec![Reply::json(200, created_body()).with_delay(Duration::from_secs(3))]).await;
    let client = vercel::Client::builder()
        .api_key(KEY)
        .base_url(server.url())
        .timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let err = client.create_auth_token().body_map(|b| b.name("ci")).send().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn the_deadline_stops_retries() {
    // Without a deadline this would take 1 + 20 attempts.
    let server = scripted(vec![Reply::status(503).with_delay(Duration::from_millis(100))]).await;
    let client = vercel::Client::builder()
        .api_key(KEY)
        .base_url(server.url())
        .retry_policy(RetryPolicy {
            max_retries: 20,
            base_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(100),
            ..RetryPolicy::default()
        })
        .deadline(Duration::from_millis(600))
        .build()
        .unwrap();
    let err = client.list_auth_tokens().send().await.unwrap_err();
    // The last attempt either got its 503 or ran out of the remaining time.
    assert!(err.status().map(|s| s.as_u16()) == Some(503) || err.is_timeout(), "{err}");
    let attempts = server.requests().len();
    assert!((1..=6).contains(&attempts), "{attempts} attempts within a 600 ms deadline");
}

#[tokio::test]
async fn a_malformed_body_is_an_error_with_status_and_excerpt() {
    let server = scripted(vec![Reply::json(200, r#"{"tokens": [{"id": "#)]).await;
    let err = vercel(&server).list_auth_tokens().send().await.unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("listAuthTokens: HTTP 200 OK body does not match the spec ("), "{text}");
    assert!(text.ends_with(r#": {"tokens": [{"id":"#), "{text}");
    let vercel::Error::InvalidBody { response, .. } = &err else { panic!("{err:?}") };
    assert_eq!(response.status, 200);
    assert_eq!(server.requests().len(), 1, "a bad body is not a transient failure");
}

#[tokio::test]
async fn unexpected_statuses_keep_headers_with_credentials_redacted() {
    let server = scripted(vec![
        Reply::json(500, format!(r#"{{"error":"bad key {KEY}"}}"#))
            .with_header("set-cookie", "session=s3cr3t")
            .with_header("x-request-id", "req-1"),
    ])
    .await;
    let err = vercel(&server).get_auth_token().token_id("t").send().await.unwrap_err();
    assert_renderings_clean("error", &err);
    assert!(!format!("{err:?}").contains("s3cr3t"), "{err:?}");
    let response = err.raw_response().unwrap();
    assert_eq!(response.headers["x-request-id"], "req-1");
    assert_eq!(response.status, 500);
    assert_eq!(String::from_utf8_lossy(&response.body), r#"{"error":"bad key [REDACTED]"}"#);
}
