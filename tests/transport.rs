//! Transport safety: redirects never carry a credential or a body to another origin, response
//! bodies are capped, and path parameters cannot change which resource a request addresses.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use loopback::{Reply, Server};
use serde_json::json;
use workspace_tests::{KEY, TOKEN, assert_renderings_clean};

const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];

fn list_body() -> String {
    json!({"tokens": [], "pagination": {"count": 0, "next": null, "prev": null}}).to_string()
}

fn vercel(url: &str) -> vercel::Client {
    vercel::Client::builder().api_key(KEY).base_url(url).build().unwrap()
}

fn cartesia(url: &str) -> cartesia::Client {
    cartesia::Client::builder().api_key(KEY).base_url(url).build().unwrap()
}

fn perplexity(url: &str) -> perplexity::Client {
    perplexity::Client::builder().api_key(KEY).base_url(url).build().unwrap()
}

/// Calls one operation of each vendor (API-key header, bearer, a token in a POST body) against
/// `url`; returns each error's `Display`, after checking that no rendering holds a secret.
async fn call_each_vendor(url: &str) -> Vec<String> {
    let mut shown = Vec::new();
    let err =
        cartesia(url).auth_access_token().body(cartesia::types::TokenRequest::default()).send().await.unwrap_err();
    assert_renderings_clean("cartesia error", &err);
    assert_eq!(err.attempts(), 1, "{err}");
    shown.push(err.to_string());
    let err = vercel(url).list_auth_tokens().send().await.unwrap_err();
    assert_renderings_clean("vercel error", &err);
    assert_eq!(err.attempts(), 1, "{err}");
    shown.push(err.to_string());
    let revoke = perplexity::types::RevokeAuthTokenRequest { auth_token: TOKEN.into() };
    let err = perplexity(url).revoke_auth_token().body(revoke).send().await.unwrap_err();
    assert_renderings_clean("perplexity error", &err);
    assert_eq!(err.attempts(), 1, "{err}");
    shown.push(err.to_string());
    shown
}

#[tokio::test]
async fn a_redirect_to_another_origin_sends_it_nothing() {
    let other = Server::always(Reply::status(200)).await.unwrap();
    // Another port, and the same server by another name: both other origins.
    let port = other.url().rsplit(':').next().unwrap().to_string();
    for target_base in [other.url(), format!("http://localhost:{port}")] {
        for status in REDIRECTS {
            let target = format!("{target_base}/elsewhere?token={TOKEN}");
            let first = Server::always(Reply::redirect(status, target)).await.unwrap();
            for shown in call_each_vendor(&first.url()).await {
                assert!(shown.contains(&format!("HTTP {status}")), "{shown}");
                assert!(shown.contains(&format!("{target_base}/elsewhere?[REDACTED]")), "{shown}");
                assert!(shown.contains("another origin"), "{shown}");
            }
            assert_eq!(first.requests().len(), 3, "one request per vendor, none retried");
            assert!(other.requests().is_empty(), "the other origin received {:#?}", other.requests());
        }
    }
}

#[tokio::test]
async fn a_redirect_target_with_credentials_is_masked() {
    let other = Server::always(Reply::status(200)).await.unwrap();
    let target = other.url().replace("http://", &format!("http://user:{KEY}@"));
    let first = Server::always(Reply::redirect(307, format!("{target}/x"))).await.unwrap();
    for shown in call_each_vendor(&first.url()).await {
        let masked = other.url().replace("http://", "http://[REDACTED]@");
        assert!(shown.contains(&format!("HTTP 307 Temporary Redirect) to {masked}/x:")), "{shown}");
        assert!(!shown.contains("user:"), "{shown}");
    }
    assert!(other.requests().is_empty());
}

#[tokio::test]
async fn a_same_origin_redirect_is_followed_with_its_credential_and_body() {
    let server = Server::start(|request| match request.path.as_str() {
        "/v5/user/tokens" | "/revoke_auth_token" => Reply::redirect(308, format!("{}/moved", request.path)),
        _ => Reply::json(200, list_body()),
    })
    .await
    .unwrap();
    vercel(&server.url()).list_auth_tokens().send().await.unwrap();
    let revoke = perplexity::types::RevokeAuthTokenRequest { auth_token: TOKEN.into() };
    perplexity(&server.url()).revoke_auth_token().body(revoke).send().await.unwrap();

    let requests = server.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/v5/user/tokens", "/v5/user/tokens/moved", "/revoke_auth_token", "/revoke_auth_token/moved"]);
    assert_eq!(requests[1].header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert_eq!(requests[3].body, requests[2].body, "a 308 resends the body to the same origin");
}

#[tokio::test]
async fn a_redirect_loop_stops() {
    let server = Server::start(|request| Reply::redirect(302, request.path.clone())).await.unwrap();
    let err = vercel(&server.url()).list_auth_tokens().send().await.unwrap_err();
    let shown = err.to_string();
    assert!(shown.starts_with("listAuthTokens: stopped after 10 redirects (the last: HTTP 302 Found to"), "{shown}");
    assert_eq!(server.requests().len(), 1 + api_runtime::MAX_REDIRECTS);
}

#[tokio::test]
async fn an_undeclared_3xx_without_location_is_not_success() {
    let server = Server::always(Reply::status(304)).await.unwrap();
    let err = vercel(&server.url()).list_auth_tokens().send().await.unwrap_err();
    assert!(matches!(err, vercel::Error::UnexpectedStatus { .. }), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(304));
}

fn capped(url: &str, max: u64) -> vercel::Client {
    vercel::Client::builder().api_key(KEY).base_url(url).max_response_bytes(max).build().unwrap()
}

#[tokio::test]
async fn a_body_over_the_cap_is_an_error_naming_it() {
    let huge = format!(r#"{{"tokens": [], "pad": "{}"}}"#, "x".repeat(1 << 20));
    for status in [200, 500] {
        let server = Server::always(Reply::json(status, huge.clone())).await.unwrap();
        let err = capped(&server.url(), 1024).list_auth_tokens().send().await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "listAuthTokens: response body exceeds 1024 bytes (the client's `max_response_bytes`)"
        );
        assert!(matches!(err, vercel::Error::Transport { .. }), "{err:?}");
        assert_eq!(server.requests().len(), 1, "a body over the cap is not retried");
    }
    // Exactly at the cap is fine.
    let body = list_body();
    let server = Server::always(Reply::json(200, body.clone())).await.unwrap();
    capped(&server.url(), body.len() as u64).list_auth_tokens().send().await.unwrap();
    let err = capped(&server.url(), body.len() as u64 - 1).list_auth_tokens().send().await.unwrap_err();
    assert!(err.to_string().contains("exceeds"), "{err}");
}

#[tokio::test]
async fn an_endless_chunked_body_stops_at_the_cap_and_the_server_stops_sending() {
    const CHUNK: usize = 64 * 1024;
    const TIMES: u64 = 1024; // 64 MiB in all
    let server = Server::always(Reply::json(200, "x".repeat(CHUNK)).repeated(TIMES)).await.unwrap();
    let err = capped(&server.url(), 1 << 20).list_auth_tokens().send().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "listAuthTokens: response body exceeds 1048576 bytes (the client's `max_response_bytes`)"
    );
    // The client hung up: the server's writes fail and it stops well short of 64 MiB. Wait
    // (bounded, generously for a loaded machine) until it has stopped, then look at how far.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut sent = server.streamed_bytes();
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = server.streamed_bytes();
        if now == sent || Instant::now() > deadline {
            break;
        }
        sent = now;
    }
    assert!(sent < CHUNK as u64 * TIMES / 2, "the server sent {sent} bytes");
}

#[tokio::test]
async fn the_default_cap_is_16_mib() {
    assert_eq!(api_runtime::DEFAULT_MAX_RESPONSE_BYTES, 16 << 20);
    assert_eq!(api_runtime::Limits::default().max_response_bytes, 16 << 20);
}

#[tokio::test]
async fn path_parameters_cannot_change_the_path() {
    let server = Server::always(Reply::json(200, json!({"tokenId": "t"}).to_string())).await.unwrap();
    for base in [server.url(), format!("{}/api/", server.url())] {
        let client = vercel(&base);
        for value in ["..", ".", "a/../b", "%2e%2e", "%2E", "", "..\\..\\x", "../../v3/user/tokens/t", "x\\..\\.."] {
            let err = client.delete_auth_token().token_id(value).send().await.unwrap_err();
            let vercel::Error::InvalidRequest { operation, message } = &err else { panic!("{value:?}: {err:?}") };
            assert_eq!(*operation, "deleteAuthToken");
            assert!(message.contains("path `/v3/user/tokens/{tokenId}`"), "{message}");
            assert!(message.contains("nothing was sent"), "{message}");
            assert_eq!(err.attempts(), 0);
            let err = client.get_auth_token().token_id(value).send().await.unwrap_err();
            assert!(matches!(err, vercel::Error::InvalidRequest { .. }), "{value:?}: {err:?}");
        }
        assert!(server.requests().is_empty(), "sent: {:#?}", server.requests());
    }
    let err = vercel(&server.url()).delete_auth_token().token_id("%2e%2e").send().await.unwrap_err();
    assert!(err.to_string().contains("path parameter `tokenId` is or holds a dot segment"), "{err}");
    // `..` itself the URL parser resolves before the check sees it.
    let err = vercel(&server.url()).delete_auth_token().token_id("..").send().await.unwrap_err();
    assert!(err.to_string().contains("path parameter `tokenId` changed the request path"), "{err}");
    let err = vercel(&server.url()).delete_auth_token().token_id("").send().await.unwrap_err();
    assert!(err.to_string().contains("path parameter `tokenId` is empty"), "{err}");

    // Ordinary values with dots, and under a base path.
    vercel(&server.url()).delete_auth_token().token_id("my.token").send().await.unwrap();
    vercel(&format!("{}/api/", server.url())).delete_auth_token().token_id("...x").send().await.unwrap();
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/v3/user/tokens/my.token", "/api/v3/user/tokens/...x"]);
}

/// The future a builder's `send` returns holds progenitor's request future (kilobytes) on the
/// heap, not inline: every move of the caller's future (into a task, a box, a join) copies it
/// whole. Before it was boxed early, Perplexity's was 10,456 bytes and moved four times a call.
#[test]
fn a_send_future_is_small_to_move() {
    const LIMIT: usize = 4096;
    let url = "http://127.0.0.1:9";
    let sizes = [
        ("perplexity", std::mem::size_of_val(&perplexity(url).generate_auth_token().send())),
        ("cartesia", std::mem::size_of_val(&cartesia(url).auth_access_token().send())),
        ("vercel", std::mem::size_of_val(&vercel(url).create_auth_token().send())),
        ("vercel list", std::mem::size_of_val(&vercel(url).list_auth_tokens().send())),
    ];
    for (name, size) in sizes {
        assert!(size < LIMIT, "{name}: a send future of {size} bytes");
    }
}
