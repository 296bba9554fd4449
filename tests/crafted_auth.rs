//! A client generated from `tests/crafted_auth/` (a crafted document, no vendor's: one
//! operation per kind of security scheme) presents each credential where the spec says,
//! checked on the wire of a loopback server: http basic's encoded pair, a key in the query,
//! in a cookie, after a custom http scheme; the first alternative it holds every credential
//! for; nothing to another origin; and no credential in any rendering of an error or a
//! builder.
#![allow(clippy::unwrap_used)]
// A test binary uses a small part of a client: the rest is dead code here.
#![allow(dead_code, unused_imports)]

// The generated crate root includes `$OUT_DIR/mock.rs` and `dispatch.rs` (this package's
// default features), which are the tricky client's and name `crate::`: it sits at the root,
// as in `tests/tricky_client.rs`, and the client under test (built without those modules by
// tests/build.rs) in a module of its own.
include!(concat!(env!("OUT_DIR"), "/client.rs"));

mod crafted {
    include!(concat!(env!("OUT_DIR"), "/crafted_auth/client.rs"));
}

use loopback::{Reply, Server};
use workspace_tests::KEY;

const USER: &str = "AC-SENTINEL-user";
const PASSWORD: &str = "pw-SENTINEL-9a8b";
/// base64 of `USER:PASSWORD`.
const ENCODED: &str = "QUMtU0VOVElORUwtdXNlcjpwdy1TRU5USU5FTC05YThi";

fn ok() -> Reply {
    Reply::json(200, r#"{"ok": true}"#)
}

fn builder(server: &Server) -> api_runtime::ClientBuilder<crafted::Client> {
    crafted::Client::builder().base_url(server.url()).retries(0)
}

/// Fails if `text` shows any credential (the key, the user, the password, their encoding).
fn assert_no_credential(what: &str, text: &str) {
    for secret in [KEY, USER, PASSWORD, ENCODED] {
        assert!(!text.contains(secret), "{what} shows `{secret}`: {text}");
    }
}

fn assert_renderings_clean(what: &str, value: &(impl std::fmt::Debug + std::fmt::Display)) {
    for text in [format!("{value:?}"), format!("{value:#?}"), value.to_string()] {
        assert_no_credential(what, &text);
    }
}

#[tokio::test]
async fn basic_sends_the_encoded_user_and_password() {
    let server = Server::always(ok()).await.unwrap();
    let client = builder(&server).basic_auth(USER, PASSWORD).build().unwrap();
    let response = client.with_basic().send().await.unwrap();
    assert_eq!(response.ok, Some(true));
    let request = server.single_request();
    assert_eq!(request.path, "/basic");
    assert_eq!(request.header("authorization"), Some(&*format!("Basic {ENCODED}")));
    assert_eq!((request.query.as_deref(), request.header("cookie")), (None, None));
    assert_no_credential("the client's Debug", &format!("{client:?}"));
}

#[tokio::test]
async fn a_query_key_is_appended_as_the_named_parameter() {
    let server = Server::always(ok()).await.unwrap();
    let client = builder(&server).api_key(KEY).build().unwrap();
    client.with_query().limit(5).send().await.unwrap();
    client.with_query().send().await.unwrap();
    let requests = server.requests();
    assert_eq!(requests[0].query.as_deref(), Some(&*format!("limit=5&api_key={KEY}")));
    assert_eq!(requests[1].query.as_deref(), Some(&*format!("api_key={KEY}")));
    for request in &requests {
        assert_eq!((request.header("authorization"), request.header("cookie")), (None, None));
    }
}

#[tokio::test]
async fn a_cookie_key_and_a_custom_http_scheme_are_sent_as_named() {
    let server = Server::always(ok()).await.unwrap();
    let client = builder(&server).api_key(KEY).build().unwrap();
    client.with_cookie().send().await.unwrap();
    client.with_custom_scheme().send().await.unwrap();
    let requests = server.requests();
    assert_eq!(requests[0].header("cookie"), Some(&*format!("session={KEY}")));
    assert_eq!((requests[0].query.as_deref(), requests[0].header("authorization")), (None, None));
    assert_eq!(requests[1].header("authorization"), Some(&*format!("Token {KEY}")));
    assert_eq!((requests[1].query.as_deref(), requests[1].header("cookie")), (None, None));
}

#[tokio::test]
async fn the_first_alternative_the_client_holds_is_presented() {
    let server = Server::always(ok()).await.unwrap();
    let basic = builder(&server).basic_auth(USER, PASSWORD).build().unwrap();
    basic.with_either().send().await.unwrap();
    let keyed = builder(&server).api_key(KEY).build().unwrap();
    keyed.with_either().send().await.unwrap();
    // An operation needing nothing gets nothing, whatever the client holds.
    let both = builder(&server).api_key(KEY).basic_auth(USER, PASSWORD).build().unwrap();
    both.with_nothing().send().await.unwrap();
    let requests = server.requests();
    assert_eq!(requests[0].header("authorization"), Some(&*format!("Basic {ENCODED}")));
    assert_eq!(requests[0].query, None);
    // The second alternative needs both of its schemes: query and cookie.
    assert_eq!(requests[1].query.as_deref(), Some(&*format!("api_key={KEY}")));
    assert_eq!(requests[1].header("cookie"), Some(&*format!("session={KEY}")));
    assert_eq!(requests[1].header("authorization"), None);
    assert_eq!((requests[2].query.as_deref(), requests[2].header("authorization")), (None, None));
    assert_eq!(requests[2].header("cookie"), None);

    // A credential the operation cannot use: nothing is sent.
    let error = keyed.with_basic().send().await.unwrap_err();
    assert!(error.to_string().contains("needs a credential (basic)"), "{error}");
    assert_eq!(server.requests().len(), 3);
    // Mutual TLS cannot be presented: its only operation is left out of the client.
    assert!(crafted::API.operation("with_mutual_tls").is_none());
    assert!(crafted::API.operation("with_basic").is_some());
}

#[tokio::test]
async fn errors_show_no_credential_even_when_the_server_echoes_them() {
    let echo = format!(r#"{{"error": "bad {KEY} for {USER}:{PASSWORD} (Basic {ENCODED})"}}"#);
    let reply = Reply::json(500, echo).with_header("x-echo", format!("{KEY} {ENCODED}"));
    let server = Server::always(reply).await.unwrap();
    let client = builder(&server).api_key(KEY).basic_auth(USER, PASSWORD).build().unwrap();
    for error in [
        client.with_basic().send().await.unwrap_err(),
        client.with_query().limit(1).send().await.unwrap_err(),
        client.with_cookie().send().await.unwrap_err(),
        client.with_custom_scheme().send().await.unwrap_err(),
    ] {
        assert_eq!(error.status().map(|s| s.as_u16()), Some(500), "{error}");
        assert_renderings_clean("an unexpected status", &error);
    }
}

#[tokio::test]
async fn a_transport_error_masks_the_query_key_in_its_url() {
    // Nothing listens on port 1: the connection is refused, and reqwest's error names the URL.
    let client = crafted::Client::builder().base_url("http://127.0.0.1:1").retries(0).api_key(KEY).build().unwrap();
    let error = client.with_query().limit(7).send().await.unwrap_err();
    assert!(error.is_connect(), "{error:?}");
    assert_renderings_clean("a transport error", &error);
    let shown = format!("{error:?}");
    assert!(shown.contains("limit=7&api_key=[REDACTED]"), "the URL is kept, the key masked: {shown}");
}

#[tokio::test]
async fn no_credential_follows_a_redirect_to_another_origin() {
    let elsewhere = Server::always(ok()).await.unwrap();
    let target = format!("{}/basic?from=redirect", elsewhere.url());
    let server = Server::always(Reply::redirect(307, target)).await.unwrap();
    let client = builder(&server).api_key(KEY).basic_auth(USER, PASSWORD).build().unwrap();
    for error in [
        client.with_basic().send().await.unwrap_err(),
        client.with_either().send().await.unwrap_err(),
        client.with_query().send().await.unwrap_err(),
        client.with_cookie().send().await.unwrap_err(),
    ] {
        assert!(error.to_string().contains("another origin"), "{error}");
        assert_renderings_clean("a refused redirect", &error);
    }
    assert_eq!(server.requests().len(), 4);
    assert!(elsewhere.requests().is_empty(), "the other origin received {:?}", elsewhere.requests());
}

#[test]
fn basic_credentials_come_from_derived_variables_and_are_never_shown() {
    assert_eq!((crafted::API.username_env, crafted::API.password_env), ("CRAFTED_USERNAME", "CRAFTED_PASSWORD"));
    let lookup = |vars: &'static [(&'static str, &'static str)]| {
        move |var: &'static str| Ok(vars.iter().find(|(name, _)| *name == var).map(|(_, v)| v.to_string()))
    };
    static BASIC: [(&str, &str); 2] = [("CRAFTED_USERNAME", USER), ("CRAFTED_PASSWORD", PASSWORD)];
    let builder = crafted::Client::builder().from_lookup(lookup(&BASIC)).unwrap();
    assert_no_credential("the builder's Debug", &format!("{builder:?} {builder:#?}"));
    let client = builder.base_url("http://127.0.0.1:9").build().unwrap();
    assert_no_credential("the client's Debug", &format!("{client:?} {client:#?}"));

    static HALF: [(&str, &str); 2] = [("CRAFTED_API_KEY", KEY), ("CRAFTED_USERNAME", USER)];
    let error = crafted::Client::builder().from_lookup(lookup(&HALF)).unwrap_err();
    assert!(matches!(error, ConfigError::MissingBasicEnv { .. }), "{error:?}");
    assert!(error.to_string().contains("CRAFTED_PASSWORD"), "{error}");
    assert_renderings_clean("a configuration error", &error);

    let error = crafted::Client::builder().from_lookup(lookup(&[])).unwrap_err();
    assert!(matches!(error, ConfigError::MissingCredentialEnv { .. }), "{error:?}");
    let error = crafted::Client::builder().base_url("http://127.0.0.1:9").build().unwrap_err();
    assert!(matches!(error, ConfigError::MissingCredential { .. }), "{error:?}");

    // A user with `:` cannot be sent; a key with `;` would smuggle another cookie.
    let error = crafted::Client::builder().base_url("http://127.0.0.1:9").basic_auth("a:b", PASSWORD).build();
    assert!(matches!(error, Err(ConfigError::InvalidBasicAuth)), "{error:?}");
    let error = crafted::Client::builder().base_url("http://127.0.0.1:9").api_key("k; admin=1").build();
    assert!(matches!(error, Err(ConfigError::InvalidCookieKey)), "{error:?}");
}
