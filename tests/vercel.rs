//! Vercel: all four token operations on the wire, parsed, and every declared error status.
#![allow(clippy::unwrap_used)]

use loopback::{Reply, Server};
use serde_json::json;
use vercel::{Client, Error};
use workspace_tests::{KEY, TOKEN, assert_header_names, assert_no_secret, assert_renderings_clean, body_json};

fn client(server: &Server) -> Client {
    Client::builder().api_key(KEY).base_url(server.url()).build().unwrap()
}

fn auth_token() -> serde_json::Value {
    json!({"id": "tok_1", "name": "ci", "type": "oauth2-token", "activeAt": 1.0, "createdAt": 2.0,
           "scopes": [{"type": "user", "origin": "manual", "createdAt": 3}]})
}

fn assert_bearer(request: &loopback::Recorded) {
    assert_eq!(request.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
}

#[tokio::test]
async fn create_auth_token_on_the_wire_and_parsed() {
    let body = json!({"token": auth_token(), "bearerToken": TOKEN}).to_string();
    let server = Server::always(Reply::json(200, body)).await.unwrap();
    let response = client(&server)
        .create_auth_token()
        .team_id("team_1")
        .slug("my team")
        .body_map(|b| b.name("ci").expires_at(Some(1.7e12)))
        .send()
        .await
        .unwrap();

    let request = server.single_request();
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/v3/user/tokens"));
    assert_eq!(request.query.as_deref(), Some("slug=my+team&teamId=team_1"));
    assert_header_names(&request, &["accept", "authorization", "content-length", "content-type", "host", "user-agent"]);
    assert_bearer(&request);
    // A whole number goes out without a fraction (`api_runtime::wire`).
    assert_eq!(body_json(&request), json!({"name": "ci", "expiresAt": 1_700_000_000_000_i64}));

    assert_eq!(response.bearer_token.expose_secret(), TOKEN);
    assert_eq!(response.token.id, "tok_1");
    assert_eq!(response.token.scopes.len(), 1);
    assert_no_secret("response", &format!("{response:?}"));
}

#[tokio::test]
async fn create_without_optional_query_sends_no_query() {
    let body = json!({"token": auth_token(), "bearerToken": TOKEN}).to_string();
    let server = Server::always(Reply::json(200, body)).await.unwrap();
    client(&server).create_auth_token().body_map(|b| b.name("ci")).send().await.unwrap();
    let request = server.single_request();
    assert_eq!(request.query, None);
    assert_eq!(body_json(&request), json!({"name": "ci"}));
}

#[tokio::test]
async fn list_auth_tokens_on_the_wire_and_parsed() {
    let body = json!({"tokens": [auth_token()], "pagination": {"count": 1, "next": null, "prev": 5}}).to_string();
    let server = Server::always(Reply::json(200, body)).await.unwrap();
    let response = client(&server).list_auth_tokens().send().await.unwrap();

    let request = server.single_request();
    assert_eq!((request.method.as_str(), request.path.as_str()), ("GET", "/v5/user/tokens"));
    assert_eq!(request.query, None);
    assert_header_names(&request, &["accept", "authorization", "host", "user-agent"]);
    assert_bearer(&request);
    assert!(request.body.is_empty());

    assert_eq!(response.tokens.len(), 1);
    assert_eq!(response.tokens[0].name, "ci");
    assert_eq!(response.pagination.next, None);
    assert_eq!(response.pagination.prev, Some(5.0));
}

#[tokio::test]
async fn get_auth_token_current_on_the_wire_and_parsed() {
    let server = Server::always(Reply::json(200, json!({"token": auth_token()}).to_string())).await.unwrap();
    let response = client(&server).get_auth_token().token_id("current").send().await.unwrap();

    let request = server.single_request();
    assert_eq!((request.method.as_str(), request.path.as_str()), ("GET", "/v5/user/tokens/current"));
    assert_header_names(&request, &["accept", "authorization", "host", "user-agent"]);
    assert_bearer(&request);
    assert_eq!(response.token.id, "tok_1");
}

#[tokio::test]
async fn path_parameters_are_percent_encoded() {
    let server = Server::always(Reply::json(200, json!({"tokenId": "a/b c"}).to_string())).await.unwrap();
    client(&server).delete_auth_token().token_id("a/b c").send().await.unwrap();
    assert_eq!(server.single_request().path, "/v3/user/tokens/a%2Fb%20c");
}

#[tokio::test]
async fn delete_auth_token_on_the_wire_and_parsed() {
    let server = Server::always(Reply::json(200, json!({"tokenId": "tok_1"}).to_string())).await.unwrap();
    let response = client(&server).delete_auth_token().token_id("tok_1").send().await.unwrap();

    let request = server.single_request();
    assert_eq!((request.method.as_str(), request.path.as_str()), ("DELETE", "/v3/user/tokens/tok_1"));
    assert_eq!(request.query, None);
    assert_header_names(&request, &["accept", "authorization", "host", "user-agent"]);
    assert_bearer(&request);
    assert!(request.body.is_empty());
    assert_eq!(response.token_id, "tok_1");
}

/// Asserts a typed error carrying `status`, with clean renderings.
fn assert_declared<T: std::fmt::Debug>(result: Result<T, Error<()>>, status: u16) {
    let err = result.unwrap_err();
    assert_renderings_clean("error", &err);
    match err {
        Error::ErrorResponse { response, .. } => assert_eq!(response.status(), status),
        other => panic!("status {status}: expected a declared ErrorResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn every_declared_error_status_is_a_typed_error() {
    for status in [400, 401, 403, 404] {
        let server = Server::always(Reply::json(status, r#"{"error":{"code":"x"}}"#)).await.unwrap();
        let c = client(&server);
        assert_declared(c.get_auth_token().token_id("t").send().await, status);
        assert_declared(c.delete_auth_token().token_id("t").send().await, status);
        // Creating and listing declare no 404 (the whole upstream document).
        if status != 404 {
            assert_declared(c.create_auth_token().body_map(|b| b.name("n")).send().await, status);
            assert_declared(c.list_auth_tokens().send().await, status);
        }
    }
}

#[tokio::test]
async fn undeclared_statuses_keep_status_and_body() {
    let server = Server::always(Reply::json(404, r#"{"error":"gone"}"#)).await.unwrap();
    // listAuthTokens declares no 404.
    let err = client(&server).list_auth_tokens().send().await.unwrap_err();
    assert_renderings_clean("error", &err);
    let Error::UnexpectedStatus { response, .. } = err else { panic!("expected UnexpectedStatus, got {err:?}") };
    assert_eq!(response.status, 404);
    assert_eq!(&response.body[..], br#"{"error":"gone"}"#);

    let server = Server::always(Reply::json(501, "not implemented")).await.unwrap();
    let err = client(&server).delete_auth_token().token_id("t").send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(501));
}

/// A whole `type: number` value goes out as the vendors' SDKs write it, without a fraction: in
/// the query (`limit=5`, `since=1540095775941`) and in a JSON body (`"expiresAt":
/// 1767225600000`); any other value as it is.
#[tokio::test]
async fn whole_numbers_go_out_without_a_fraction() {
    let server = Server::always(Reply::status(500)).await.unwrap();
    let client = vercel::Client::builder().api_key(KEY).base_url(server.url()).retries(0).build().unwrap();
    let _ = client.get_deployments().limit(5.0).since(1_540_095_775_941.0).send().await;
    let _ = client.create_auth_token().body_map(|b| b.name("ci").expires_at(Some(1_767_225_600_000.0))).send().await;
    let _ = client.create_auth_token().body_map(|b| b.name("ci").expires_at(Some(0.5))).send().await;
    let requests = server.requests();
    let query = requests[0].query.clone().unwrap_or_default();
    assert!(query.contains("limit=5&") || query.ends_with("limit=5"), "{query}");
    assert!(query.contains("since=1540095775941"), "{query}");
    assert_eq!(requests[1].body_text(), r#"{"expiresAt":1767225600000,"name":"ci"}"#);
    assert_eq!(requests[2].body_text(), r#"{"expiresAt":0.5,"name":"ci"}"#);
}
