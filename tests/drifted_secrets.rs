//! A vendor's answer that no longer matches the spec must not put a secret into an error: the
//! new token under a renamed field, in another casing, of another type, nested, in a body that
//! is not JSON, or an error page echoing the key and the token being revoked. Every rendering
//! is checked: `Display`, `Debug`, `{:#?}` and the whole `source()` chain (tracing is checked
//! in tests/tracing.rs, which owns the global subscriber).
#![allow(clippy::unwrap_used)]

use std::error::Error as _;

use loopback::{Reply, Server};
use serde_json::{Value, json};
use workspace_tests::{KEY, TOKEN};

/// Every rendering of `err` and of each error in its `source()` chain.
fn renderings(err: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        out.extend([e.to_string(), format!("{e:?}"), format!("{e:#?}")]);
        next = e.source();
    }
    out
}

/// No sentinel, in any casing, not even its distinctive tail; returns `Display`.
fn assert_clean(err: &(dyn std::error::Error + 'static)) -> String {
    for text in renderings(err) {
        let lower = text.to_lowercase();
        for secret in [KEY, TOKEN, "0f9e8d", "7c6b5a"] {
            assert!(!lower.contains(&secret.to_lowercase()), "`{secret}` leaks into an error rendering: {text}");
        }
    }
    err.to_string()
}

/// `reply` with another status (loopback's `bytes` answers 200).
fn with_status(reply: Reply, status: u16) -> Reply {
    Reply { status, ..reply }
}

fn vercel(server: &Server) -> vercel::Client {
    vercel::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap()
}

fn perplexity(server: &Server) -> perplexity::Client {
    perplexity::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap()
}

fn cartesia(server: &Server) -> cartesia::Client {
    cartesia::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap()
}

fn token_meta() -> Value {
    json!({"id": "t", "name": "n", "type": "oauth2-token", "activeAt": 1, "createdAt": 1})
}

/// Each vendor's token-returning operation answered 200 with `body`; the errors' `Display`s.
async fn every_vendor_answers(vercel_body: Value, perplexity_body: Value, cartesia_body: Value) -> [String; 3] {
    let server = Server::always(Reply::json(200, vercel_body.to_string())).await.unwrap();
    let err = vercel(&server).create_auth_token().body_map(|b| b.name("ci")).send().await.unwrap_err();
    assert!(matches!(err, vercel::Error::InvalidBody { .. }), "{err}");
    assert!(err.raw_response().unwrap().body_is_shape, "{err}");
    let v = assert_clean(&err);

    let server = Server::always(Reply::json(200, perplexity_body.to_string())).await.unwrap();
    let err = perplexity(&server).generate_auth_token().send().await.unwrap_err();
    assert!(matches!(err, perplexity::Error::InvalidBody { .. }), "{err}");
    let p = assert_clean(&err);

    let server = Server::always(Reply::json(200, cartesia_body.to_string())).await.unwrap();
    let err =
        cartesia(&server).auth_access_token().body(cartesia::types::TokenRequest::default()).send().await.unwrap_err();
    assert!(matches!(err, cartesia::Error::InvalidBody { .. }), "{err}");
    let c = assert_clean(&err);
    [v, p, c]
}

#[tokio::test]
async fn a_secret_moved_to_another_field_is_shown_as_shape() {
    let [v, p, c] = every_vendor_answers(
        json!({"bearer_token_v2": TOKEN, "token": token_meta()}),
        json!({"auth_token_v2": TOKEN, "created_at_epoch_seconds": 1}),
        json!({"token_v2": TOKEN}),
    )
    .await;
    assert_eq!(
        v,
        "createAuthToken: HTTP 200 OK body does not match the spec (data mismatch: missing field `bearerToken` at \
         line 1 column 129): body withheld (the operation carries secrets), its shape: {\"bearer_token_v2\": string, \
         \"token\": {\"id\": string, \"name\": string, \"type\": string, \"activeAt\": number, \"createdAt\": number}}"
    );
    assert!(p.starts_with("generate_auth_token: HTTP 200 OK body does not match the spec (data mismatch"), "{p}");
    assert!(p.contains(r#"{"auth_token_v2": string, "created_at_epoch_seconds": number}"#), "{p}");
    assert!(c.contains("HTTP 200 OK") && c.contains(r#"{"token_v2": string}"#), "{c}");
}

/// The secret of an answer that does not decode reaches the caller, as a `SecretString` with
/// what names it, while every rendering of the error stays clean: a created token is never
/// lost because its answer drifted.
#[tokio::test]
async fn the_secret_of_a_drifted_answer_is_recovered_for_the_caller() {
    for body in [
        json!({"bearer_token_v2": TOKEN, "token": token_meta()}),
        json!({"BearerToken": TOKEN, "token": token_meta()}),
        json!({"data": {"bearerToken": TOKEN, "token": token_meta()}, "version": 2}),
    ] {
        let server = Server::always(Reply::json(200, body.to_string())).await.unwrap();
        let err = vercel(&server).create_auth_token().body_map(|b| b.name("ci")).send().await.unwrap_err();
        let found = err.recovered_secrets();
        assert_eq!(found.len(), 1, "{body}: {err}");
        assert_eq!(found[0].secret.expose_secret(), TOKEN, "{body}");
        assert_eq!(found[0].identifier("token.id"), Some("t"), "{body}");
        assert_clean(&err);
    }
    let server = Server::always(Reply::json(200, json!({"AUTH_TOKEN": TOKEN, "v": 2}).to_string())).await.unwrap();
    let err = perplexity(&server).generate_auth_token().send().await.unwrap_err();
    assert_eq!(err.recovered_secrets().iter().map(|f| f.secret.expose_secret()).collect::<Vec<_>>(), [TOKEN]);
    assert_clean(&err);

    // An operation that returns no secret recovers nothing: its body is data, kept scrubbed.
    let server =
        Server::always(Reply::json(200, json!({"tokens": 5, "bearerToken": TOKEN}).to_string())).await.unwrap();
    let err = vercel(&server).list_auth_tokens().send().await.unwrap_err();
    assert!(err.recovered_secrets().is_empty(), "{err}");
}

#[tokio::test]
async fn a_secret_field_in_another_casing_is_shown_as_shape() {
    let [v, p, c] = every_vendor_answers(
        json!({"BearerToken": TOKEN, "token": token_meta()}),
        json!({"AUTH_TOKEN": TOKEN, "created_at_epoch_seconds": 1}),
        json!({"TOKEN": TOKEN}),
    )
    .await;
    assert!(v.contains(r#""BearerToken": string"#), "{v}");
    assert!(p.contains(r#""AUTH_TOKEN": string"#), "{p}");
    assert!(c.contains(r#"{"TOKEN": string}"#), "{c}");
}

#[tokio::test]
async fn a_secret_of_another_type_never_reaches_serdes_message() {
    // serde's own message would be `invalid type: map/sequence/string "tok-…", expected …`.
    let [v, p, c] = every_vendor_answers(
        json!({"bearerToken": {"value": TOKEN}, "token": token_meta()}),
        json!({"auth_token": [TOKEN], "created_at_epoch_seconds": 1}),
        json!({"token": 7}),
    )
    .await;
    assert!(
        v.contains("(data mismatch: invalid type at line 1 column ")
            && v.contains(r#"{"bearerToken": {"value": string}"#),
        "{v}"
    );
    assert!(
        p.contains("(data mismatch: invalid type at line 1 column ") && p.contains(r#"{"auth_token": [string]"#),
        "{p}"
    );
    assert!(c.contains(r#"{"token": number}"#), "{c}");

    // `source()` is the safe reduction, not serde's error.
    let server = Server::always(Reply::json(200, json!({"bearerToken": [TOKEN]}).to_string())).await.unwrap();
    let err = vercel(&server).create_auth_token().body_map(|b| b.name("ci")).send().await.unwrap_err();
    let source = err.source().unwrap().downcast_ref::<api_runtime::BodyMismatch>().unwrap();
    assert_eq!(source.category(), serde_json::error::Category::Data);
    assert_eq!((source.line(), source.column()), (1, 15));

    // The number-like field holding the token: serde quotes the string it did not expect.
    let [_, p, _] = every_vendor_answers(
        json!({"bearerToken": [TOKEN, TOKEN]}),
        json!({"auth_token": "x", "created_at_epoch_seconds": TOKEN}),
        json!({"token": {"value": TOKEN}}),
    )
    .await;
    assert!(p.contains(r#"{"auth_token": string, "created_at_epoch_seconds": string}"#), "{p}");
}

#[tokio::test]
async fn a_secret_nested_inside_another_object_is_shown_as_shape() {
    let nested = json!({"data": {"credentials": [{"bearerToken": TOKEN, "secret": {"raw": TOKEN}}]}});
    let mut nested = nested;
    // A key echoing the API key (in another casing) is scrubbed from the shape too.
    nested["data"][KEY.to_uppercase()] = json!(true);
    let [v, p, c] = every_vendor_answers(nested.clone(), nested.clone(), nested).await;
    for text in [v, p, c] {
        assert!(
            text.contains(
                r#"{"data": {"credentials": [{"bearerToken": string, "secret": {"raw": string}}], "[REDACTED]": bool}}"#
            ),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_non_json_body_holding_the_token_is_described_not_shown() {
    let body = format!("token: {TOKEN}\n");
    let server = Server::always(Reply::bytes("text/plain", body.clone())).await.unwrap();
    let err = vercel(&server).create_auth_token().body_map(|b| b.name("ci")).send().await.unwrap_err();
    let text = assert_clean(&err);
    assert!(text.starts_with("createAuthToken: HTTP 200 OK body does not match the spec (syntax error"), "{text}");
    assert!(text.ends_with(&format!("(non-JSON body, {} bytes, unknown type)", body.len())), "{text}");

    let server = Server::always(Reply::bytes("text/plain", body.clone())).await.unwrap();
    let err = perplexity(&server).generate_auth_token().send().await.unwrap_err();
    assert!(assert_clean(&err).contains("non-JSON body"), "{err}");

    // On a status the spec does not declare the media type is known.
    let server = Server::always(Reply::bytes("text/plain; charset=utf-8", body.clone())).await.unwrap();
    let err =
        cartesia(&server).auth_access_token().body(cartesia::types::TokenRequest::default()).send().await.unwrap_err();
    assert!(assert_clean(&err).contains("HTTP 200 OK body does not match"), "{err}");
    let server = Server::always(with_status(Reply::bytes("text/plain", body.clone()), 201)).await.unwrap();
    let err =
        cartesia(&server).auth_access_token().body(cartesia::types::TokenRequest::default()).send().await.unwrap_err();
    assert_eq!(
        assert_clean(&err),
        format!(
            "auth_access-token: unexpected HTTP 201 Created: body withheld (the operation carries secrets), its \
             shape: (non-JSON body, {} bytes, text/plain)",
            body.len()
        )
    );
}

/// An HTML error page echoing the request: the key (in another casing, too) and the token.
fn echo_page() -> String {
    format!(
        "<html><body><h1>Bad gateway</h1><pre>POST /revoke_auth_token\nAuthorization: Bearer {KEY}\n\
         authorization: bearer {}\n{{\"auth_token\":\"{TOKEN}\"}} {}</pre></body></html>",
        KEY.to_lowercase(),
        TOKEN.to_uppercase()
    )
}

#[tokio::test]
async fn an_error_page_echoing_key_and_revoked_token_on_an_undeclared_status() {
    for status in [502, 418] {
        let page = echo_page();
        let reply = with_status(Reply::bytes("text/html", page.clone()), status)
            .with_header("x-echo", TOKEN.to_lowercase())
            .with_header("x-request-id", "req-7");
        let server = Server::always(reply).await.unwrap();
        let err = perplexity(&server)
            .revoke_auth_token()
            .body(perplexity::types::RevokeAuthTokenRequest { auth_token: TOKEN.into() })
            .send()
            .await
            .unwrap_err();
        let text = assert_clean(&err);
        assert!(text.starts_with(&format!("revoke_auth_token: unexpected HTTP {status} ")), "{text}");
        assert!(text.ends_with(&format!("its shape: (non-JSON body, {} bytes, text/html)", page.len())), "{text}");
        let response = err.raw_response().unwrap();
        assert_eq!(response.headers["x-request-id"], "req-7");
        assert_eq!(response.headers["x-echo"], "[REDACTED]");
        assert_eq!(server.requests().len(), 1);

        // The same page for the token-creating operation.
        let server = Server::always(with_status(Reply::bytes("text/html", page), status)).await.unwrap();
        let err = perplexity(&server).generate_auth_token().send().await.unwrap_err();
        assert!(assert_clean(&err).contains(&format!("unexpected HTTP {status}")), "{err}");
    }
}

#[tokio::test]
async fn an_error_page_echoing_the_key_on_a_declared_status() {
    // 200 is the only status generate_auth_token declares: the page fails to parse.
    let server = Server::always(Reply::bytes("text/html", echo_page())).await.unwrap();
    let err = perplexity(&server).generate_auth_token().send().await.unwrap_err();
    let text = assert_clean(&err);
    assert!(text.contains("HTTP 200 OK body does not match the spec (syntax error"), "{text}");
    assert!(text.contains("looks like HTML or XML"), "{text}");

    // Vercel declares 400 for createAuthToken (with no body to keep).
    let server = Server::always(with_status(Reply::bytes("text/html", echo_page()), 400)).await.unwrap();
    let err = vercel(&server).create_auth_token().body_map(|b| b.name("ci")).send().await.unwrap_err();
    assert!(matches!(err, vercel::Error::ErrorResponse { .. }), "{err:?}");
    assert_eq!(assert_clean(&err), "createAuthToken: HTTP 400 Bad Request (an error response the spec declares)");
    // The transport kept the body (for `Debug`), shape only: the operation returns a token.
    let shown = err.raw_response().expect("a declared error shows its response");
    assert!(shown.body_is_shape && shown.body.ends_with(b"253 bytes, text/html)"), "{shown:?}");
}

#[tokio::test]
async fn a_drifted_body_of_an_operation_without_secrets_keeps_a_scrubbed_excerpt() {
    let body = json!({
        "tokens": "gone",
        "echo": {"Authorization": format!("bearer {}", KEY.to_uppercase())},
        "API_KEY": KEY.to_lowercase(),
        "BEARER-TOKEN": TOKEN,
        "bearer_token_v2": {"value": TOKEN},
    });
    let server = Server::always(Reply::json(200, body.to_string())).await.unwrap();
    let err = vercel(&server).list_auth_tokens().send().await.unwrap_err();
    let text = assert_clean(&err);
    // `tokens` is a secret field elsewhere in the whole API (Edge Config read tokens): a
    // secret name is scrubbed wherever it appears.
    assert_eq!(
        text,
        r#"listAuthTokens: HTTP 200 OK body does not match the spec (data mismatch: invalid type at line 1 column 16): {"tokens":"[REDACTED]","echo":{"Authorization":"bearer [REDACTED]"},"API_KEY":"[REDACTED]","BEARER-TOKEN":"[REDACTED]","bearer_token_v2":"[REDACTED]"}"#
    );
    let response = err.raw_response().unwrap();
    assert!(!response.body_is_shape);
    assert!(String::from_utf8_lossy(&response.body).starts_with(r#"{"tokens":"[REDACTED]","#));

    // Not JSON at all, on an undeclared status: the excerpt stays, the key does not.
    let page = format!("<h1>Teapot</h1> key={} ", KEY.to_lowercase());
    let server = Server::always(with_status(Reply::bytes("text/html", page), 418)).await.unwrap();
    let err = vercel(&server).list_auth_tokens().send().await.unwrap_err();
    assert_eq!(assert_clean(&err), "listAuthTokens: unexpected HTTP 418 I'm a teapot: <h1>Teapot</h1> key=[REDACTED]");
}

#[tokio::test]
async fn an_undeclared_success_status_carrying_the_token_shows_neither_body_nor_header() {
    // The vendor now answers 201 (the spec says 200), the token in the body and in a header.
    let reply = Reply::json(201, json!({"bearerToken": TOKEN, "token": token_meta()}).to_string())
        .with_header("x-new-token", TOKEN)
        .with_header("x-request-id", "req-9");
    let server = Server::always(reply).await.unwrap();
    let err = vercel(&server).create_auth_token().body_map(|b| b.name("ci")).send().await.unwrap_err();
    let text = assert_clean(&err);
    assert!(text.starts_with("createAuthToken: unexpected HTTP 201 Created: body withheld"), "{text}");
    assert!(text.ends_with(r#"its shape: {"bearerToken": string, "token": {"id": string, "name": string, "type": string, "activeAt": number, "createdAt": number}}"#), "{text}");
    let response = err.raw_response().unwrap();
    assert_eq!(response.headers["x-new-token"], "[REDACTED]");
    assert_eq!(response.headers["x-request-id"], "req-9");
    assert_eq!(response.headers["content-type"], "application/json");
}
