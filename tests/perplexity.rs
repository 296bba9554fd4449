//! Perplexity: every operation on the wire, parsed, and its errors.
#![allow(clippy::unwrap_used)]

use loopback::{Reply, Server};
use perplexity::{Client, Error, types};
use serde_json::json;
use workspace_tests::{KEY, TOKEN, assert_header_names, assert_no_secret, assert_renderings_clean, body_json};

fn client(server: &Server) -> Client {
    Client::builder().api_key(KEY).base_url(server.url()).build().unwrap()
}

fn generated() -> Reply {
    Reply::json(
        200,
        json!({"auth_token": TOKEN, "created_at_epoch_seconds": 1735689600, "token_name": "ci"}).to_string(),
    )
}

#[tokio::test]
async fn generate_auth_token_on_the_wire_and_parsed() {
    let server = Server::always(generated()).await.unwrap();
    let response = client(&server)
        .generate_auth_token()
        .body(types::GenerateAuthTokenRequest { token_name: Some("ci".into()) })
        .send()
        .await
        .unwrap();

    let request = server.single_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/generate_auth_token");
    assert_eq!(request.query, None);
    assert_header_names(&request, &["accept", "authorization", "content-length", "content-type", "host", "user-agent"]);
    assert_eq!(request.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(body_json(&request), json!({"token_name": "ci"}));

    assert_eq!(response.status(), 200);
    assert_eq!(response.auth_token.expose_secret(), TOKEN);
    assert_eq!(response.created_at_epoch_seconds, 1735689600.0);
    assert_eq!(response.token_name.as_deref(), Some("ci"));
    assert_no_secret("response", &format!("{response:?}"));
    assert_no_secret("parsed value", &format!("{:?}", response.into_inner()));
}

#[tokio::test]
async fn generate_auth_token_without_a_name_sends_an_empty_object() {
    let server = Server::always(generated()).await.unwrap();
    client(&server).generate_auth_token().send().await.unwrap();
    assert_eq!(body_json(&server.single_request()), json!({}));
}

#[tokio::test]
async fn revoke_auth_token_on_the_wire() {
    let server = Server::always(Reply::status(200)).await.unwrap();
    let response = client(&server)
        .revoke_auth_token()
        .body(types::RevokeAuthTokenRequest { auth_token: TOKEN.into() })
        .send()
        .await
        .unwrap();

    let request = server.single_request();
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/revoke_auth_token"));
    assert_eq!(request.query, None);
    assert_header_names(&request, &["accept", "authorization", "content-length", "content-type", "host", "user-agent"]);
    // The response has no body, so progenitor asks for no media type; reqwest's default.
    assert_eq!(request.header("accept"), Some("*/*"));
    assert_eq!(request.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    // The token to revoke goes on the wire (that is the point) but nowhere else.
    assert_eq!(body_json(&request), json!({"auth_token": TOKEN}));
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn an_undeclared_status_keeps_status_and_the_body_shape() {
    let server = Server::always(Reply::json(500, r#"{"error":"boom"}"#)).await.unwrap();
    let err = client(&server).generate_auth_token().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(server.requests().len(), 1, "a token-creating POST answered 500 is not retried");
    assert_renderings_clean("error", &err);
    // The operation returns a secret, so only the body's shape is kept (a drifted success body
    // on an undeclared status could hold the new token).
    assert_eq!(
        err.to_string(),
        r#"generate_auth_token: unexpected HTTP 500 Internal Server Error: body withheld (the operation carries secrets), its shape: {"error": string}"#
    );
    let Error::UnexpectedStatus { response, .. } = err else { panic!("expected UnexpectedStatus, got {err:?}") };
    assert_eq!(response.status, 500);
    assert_eq!(response.headers["content-type"], "application/json");
    assert_eq!(&response.body[..], br#"{"error": string}"#);
    assert!(response.body_is_shape);
}

#[tokio::test]
async fn a_drifted_response_does_not_print_the_new_token() {
    // `created_at_epoch_seconds` changed type upstream: parsing fails, and progenitor's error
    // would print the raw body, token included, if the runtime did not screen it.
    let body = json!({"auth_token": TOKEN, "created_at_epoch_seconds": "yesterday"}).to_string();
    let server = Server::always(Reply::json(200, body)).await.unwrap();
    let err = client(&server).generate_auth_token().send().await.unwrap_err();
    assert_renderings_clean("payload error", &err);
    let text = err.to_string();
    assert!(text.starts_with("generate_auth_token: HTTP 200 OK body does not match the spec ("), "{text}");
    // No value of the body is kept, only its shape: the names of its fields and their types.
    assert!(text.contains(r#"{"auth_token": string, "created_at_epoch_seconds": string}"#), "{text}");
    assert!(!text.contains("yesterday"), "{text}");
    let Error::InvalidBody { response, .. } = err else { panic!("expected InvalidBody, got {err:?}") };
    assert_eq!(response.status, 200);
}

#[tokio::test]
async fn a_server_echoing_the_token_being_revoked_does_not_leak_it_into_the_error() {
    let body = json!({"error": format!("token {TOKEN} is unknown"), "hint": TOKEN}).to_string();
    let server = Server::always(Reply::json(400, body).with_header("x-echo", TOKEN)).await.unwrap();
    let err = client(&server)
        .revoke_auth_token()
        .body(types::RevokeAuthTokenRequest { auth_token: TOKEN.into() })
        .send()
        .await
        .unwrap_err();
    assert_renderings_clean("error", &err);
    let response = err.raw_response().unwrap();
    assert_eq!(response.status, 400);
    // The operation sends a secret: only the body's shape is kept.
    assert_eq!(String::from_utf8_lossy(&response.body), r#"{"error": string, "hint": string}"#);
    assert_no_secret("headers", &format!("{:?}", response.headers));
}

/// Only what the caller set goes on the wire: the spec's defaults (`num_images: 5`,
/// `_debug_pro_search: false`, search's `max_tokens: 10000`, …) are what the server assumes when
/// a field is absent, never sent for the caller (`unsent-defaults`).
#[tokio::test]
async fn only_what_the_caller_set_goes_on_the_wire() {
    let server = Server::always(Reply::status(500)).await.unwrap();
    let client = Client::builder().api_key(KEY).base_url(server.url()).retries(0).build().unwrap();
    let chat: types::ApiChatCompletionsRequest =
        serde_json::from_value(json!({"model": "sonar", "messages": [{"role": "user", "content": "hi"}]})).unwrap();
    let _ = client.chat_completions_chat_completions_post().body(chat).send().await;
    let search: types::ApiSearchRequest = serde_json::from_value(json!({"query": "rust"})).unwrap();
    let _ = client.search_search_post().body(search).send().await;
    let requests = server.requests();
    let keys = |i: usize| body_json(&requests[i]).as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(0), ["messages", "model"]);
    assert_eq!(keys(1), ["query"]);
}
