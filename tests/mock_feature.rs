//! The `mock` feature: progenitor's typed httpmock helpers, as a downstream crate uses them.
#![allow(clippy::unwrap_used)]

use httpmock::MockServer;
use workspace_tests::{KEY, TOKEN};

#[tokio::test]
async fn perplexity_typed_mocks_drive_the_client() {
    use perplexity::mock::MockServerExt;
    use perplexity::types;

    let server = MockServer::start_async().await;
    let request = types::GenerateAuthTokenRequest { token_name: Some("ci".into()) };
    let answer = types::GenerateAuthTokenResponse {
        auth_token: TOKEN.into(),
        created_at_epoch_seconds: 1.0,
        token_name: Some("ci".into()),
    };
    let mock = server.generate_auth_token(|when, then| {
        when.body(&request);
        then.ok(&answer);
    });

    let client = perplexity::Client::builder().api_key(KEY).base_url(server.base_url()).build().unwrap();
    let response = client.generate_auth_token().body(request.clone()).send().await.unwrap();
    mock.assert_async().await;
    assert_eq!(response.into_inner(), answer);
}

#[tokio::test]
async fn vercel_typed_mocks_match_path_parameters() {
    use vercel::mock::MockServerExt;

    let server = MockServer::start_async().await;
    let mock = server.delete_auth_token(|when, then| {
        when.token_id("tok_1");
        then.ok(&vercel::types::DeleteAuthTokenResponse { token_id: "tok_1".into() });
    });
    let client = vercel::Client::builder().api_key(KEY).base_url(server.base_url()).build().unwrap();
    let response = client.delete_auth_token().token_id("tok_1").send().await.unwrap();
    mock.assert_async().await;
    assert_eq!(response.token_id, "tok_1");

    // A different id does not match the mock: httpmock answers 404, undeclared for success.
    let err = client.delete_auth_token().token_id("other").send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn cartesia_typed_mocks_answer_with_a_token() {
    use cartesia::mock::MockServerExt;

    let server = MockServer::start_async().await;
    let mock = server.auth_access_token(|when, then| {
        when.into_inner().header("cartesia-version", "2025-11-04").header("authorization", format!("Bearer {KEY}"));
        then.ok(&cartesia::types::TokenResponse { token: TOKEN.into() });
    });
    let client = cartesia::Client::builder().api_key(KEY).base_url(server.base_url()).build().unwrap();
    let response = client.auth_access_token().body(cartesia::types::TokenRequest::default()).send().await.unwrap();
    mock.assert_async().await;
    assert_eq!(response.token.expose_secret(), TOKEN);
}
