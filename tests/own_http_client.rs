//! A client sending through the caller's own `reqwest::Client` (`http_client`): through a
//! proxy, with the credential and the builder's user agent; the attempt timeout still holds;
//! built with `api_runtime::redirect_policy()`, redirects stay same-origin.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use loopback::{Reply, Server};
use serde_json::json;
use workspace_tests::{KEY, assert_renderings_clean};

fn list_body() -> String {
    json!({"tokens": [], "pagination": {"count": 0, "next": null, "prev": null}}).to_string()
}

#[tokio::test]
async fn requests_go_through_the_callers_client_and_its_proxy() {
    // The proxy answers as the origin would: it sees the request line and headers.
    let proxy = Server::always(Reply::json(200, list_body())).await.unwrap();
    let http = reqwest::Client::builder().proxy(reqwest::Proxy::http(proxy.url()).unwrap()).build().unwrap();
    let client = vercel::Client::builder()
        .api_key(KEY)
        .base_url("http://api.vercel.test")
        .allow_insecure_http()
        .user_agent("team-app/1.0")
        .http_client(http)
        .build()
        .unwrap();
    client.list_auth_tokens().send().await.unwrap();
    let sent = proxy.single_request();
    assert_eq!(sent.header("host"), Some("api.vercel.test"));
    assert_eq!(sent.path, "/v5/user/tokens");
    assert_eq!(sent.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert_eq!(sent.header("user-agent"), Some("team-app/1.0"));
}

#[tokio::test]
async fn the_attempt_timeout_holds_on_the_callers_client() {
    let server = Server::always(Reply::json(200, list_body()).with_delay(Duration::from_millis(500))).await.unwrap();
    let client = vercel::Client::builder()
        .api_key(KEY)
        .base_url(server.url())
        .timeout(Duration::from_millis(100))
        .retries(0)
        .http_client(reqwest::Client::new())
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.list_auth_tokens().send().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(400), "{:?}: {error}", started.elapsed());
}

#[tokio::test]
async fn built_with_the_runtimes_redirect_policy_redirects_stay_same_origin() {
    let other = Server::always(Reply::json(200, list_body())).await.unwrap();
    let server = Server::always(Reply::redirect(307, format!("{}/v5/user/tokens", other.url()))).await.unwrap();
    let http = reqwest::Client::builder().redirect(api_runtime::redirect_policy()).build().unwrap();
    let client = vercel::Client::builder().api_key(KEY).base_url(server.url()).http_client(http).build().unwrap();
    let error = client.list_auth_tokens().send().await.unwrap_err();
    assert_renderings_clean("redirect error", &error);
    assert!(other.requests().is_empty(), "the other origin was reached");
}
