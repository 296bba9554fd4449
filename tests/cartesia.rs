//! Cartesia (2025-11-04): the access-token operation on the wire, parsed, and its errors.
#![allow(clippy::unwrap_used)]

use cartesia::{Client, Error, types};
use loopback::{Reply, Server};
use serde_json::json;
use workspace_tests::{KEY, TOKEN, assert_header_names, assert_no_secret, assert_renderings_clean, body_json};

fn client(server: &Server) -> Client {
    Client::builder().api_key(KEY).base_url(server.url()).build().unwrap()
}

#[tokio::test]
async fn access_token_on_the_wire_and_parsed() {
    let server = Server::always(Reply::json(200, json!({"token": TOKEN}).to_string())).await.unwrap();
    let response = client(&server)
        .auth_access_token()
        .body(types::TokenRequest {
            grants: Some(types::TokenGrant { tts: Some(true), stt: None, agent: None }),
            expires_in: Some(600),
        })
        .send()
        .await
        .unwrap();

    let request = server.single_request();
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/access-token"));
    assert_eq!(request.query, None);
    assert_header_names(
        &request,
        &["accept", "authorization", "cartesia-version", "content-length", "content-type", "host", "user-agent"],
    );
    // The operation's API-key scheme (2025-11-04): the key as a bearer token, and no
    // `X-API-Key` (the 2024-06-10 scheme) at all.
    assert_eq!(request.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    // The spec's one allowed value, without the caller spelling it.
    assert_eq!(request.header("cartesia-version"), Some("2025-11-04"));
    assert_eq!(body_json(&request), json!({"grants": {"tts": true}, "expires_in": 600}));

    assert_eq!(response.status(), 200);
    assert_eq!(response.token.expose_secret(), TOKEN);
    assert_no_secret("response", &format!("{response:?}"));
}

#[tokio::test]
async fn an_undeclared_status_keeps_status_and_the_body_shape() {
    let server = Server::always(Reply::json(401, r#"{"message":"bad key"}"#)).await.unwrap();
    let err = client(&server).auth_access_token().body(types::TokenRequest::default()).send().await.unwrap_err();
    assert_renderings_clean("error", &err);
    let Error::UnexpectedStatus { response, .. } = err else { panic!("expected UnexpectedStatus, got {err:?}") };
    assert_eq!(response.status, 401);
    // The operation returns a secret: only the body's shape is kept.
    assert_eq!(&response.body[..], br#"{"message": string}"#);
}

#[tokio::test]
async fn a_response_that_is_not_json_is_withheld_from_errors() {
    let server = Server::always(Reply::json(200, format!("token={TOKEN}"))).await.unwrap();
    let err = client(&server).auth_access_token().body(types::TokenRequest::default()).send().await.unwrap_err();
    assert!(matches!(err, Error::InvalidBody { .. }), "{err:?}");
    assert_renderings_clean("payload error", &err);
}
