//! Client configuration: environment, builder, errors, and what `Debug` shows.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::Duration;

use api_runtime::ConfigError;
use loopback::{Reply, Server};
use serde_json::json;
use workspace_tests::{KEY, assert_no_secret, assert_renderings_clean};

fn lookup(vars: &[(&'static str, &str)]) -> impl Fn(&'static str) -> Result<Option<String>, ConfigError> {
    let vars: HashMap<&str, String> = vars.iter().map(|(k, v)| (*k, v.to_string())).collect();
    move |var| Ok(vars.get(var).cloned())
}

#[test]
fn each_client_reads_its_own_variables() {
    let server_url = "http://127.0.0.1:9";
    let p = perplexity::Client::builder()
        .from_lookup(lookup(&[("PERPLEXITY_API_KEY", KEY), ("PERPLEXITY_BASE_URL", server_url)]))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(progenitor_client::ClientInfo::baseurl(&p), server_url);
    let c = cartesia::Client::builder().from_lookup(lookup(&[("CARTESIA_API_KEY", KEY)])).unwrap().build().unwrap();
    assert_eq!(progenitor_client::ClientInfo::baseurl(&c), "https://api.cartesia.ai");
    let v = vercel::Client::builder().from_lookup(lookup(&[("VERCEL_TOKEN", KEY)])).unwrap().build().unwrap();
    assert_eq!(progenitor_client::ClientInfo::baseurl(&v), "https://api.vercel.com");
}

#[test]
fn a_missing_key_is_an_error_naming_the_variable() {
    for (err, var) in [
        (perplexity::Client::builder().from_lookup(lookup(&[])).unwrap_err(), "PERPLEXITY_API_KEY"),
        (cartesia::Client::builder().from_lookup(lookup(&[("CARTESIA_API_KEY", "")])).unwrap_err(), "CARTESIA_API_KEY"),
        (vercel::Client::builder().from_lookup(lookup(&[("VERCEL_BASE_URL", "x")])).unwrap_err(), "VERCEL_TOKEN"),
    ] {
        assert!(matches!(err, ConfigError::MissingEnv { .. }), "{err:?}");
        assert!(err.to_string().contains(var), "{err}");
    }
    let err = vercel::Client::builder().build().unwrap_err();
    assert!(err.to_string().contains("VERCEL_TOKEN"), "{err}");
}

#[test]
fn bad_configuration_is_a_clear_error_without_the_key() {
    let err = perplexity::Client::builder().api_key(KEY).base_url("not a url").build().unwrap_err();
    assert!(matches!(err, ConfigError::InvalidBaseUrl { .. }), "{err:?}");
    let err = perplexity::Client::builder().api_key(KEY).base_url("ftp://example.com").build().unwrap_err();
    assert!(err.to_string().contains("http or https"), "{err}");
    let builder = perplexity::Client::builder().api_key(KEY).base_url(format!("https://user:{KEY}@example.com"));
    assert_no_secret("builder", &format!("{builder:?}"));
    let err = builder.build().unwrap_err();
    assert!(err.to_string().contains("credentials in the URL are not supported"), "{err}");
    assert_renderings_clean("config error", &err);
    let err = perplexity::Client::builder().api_key(format!("{KEY}\n")).build().unwrap_err();
    assert!(matches!(err, ConfigError::InvalidApiKey), "{err:?}");
    assert_renderings_clean("config error", &err);
    let err = perplexity::Client::builder().api_key(KEY).user_agent("bad\nagent").build().unwrap_err();
    assert!(matches!(err, ConfigError::InvalidUserAgent), "{err:?}");
}

#[test]
fn clients_and_builders_never_print_the_key() {
    let builder = vercel::Client::builder().api_key(KEY).timeout(Duration::from_secs(5));
    assert_no_secret("builder", &format!("{builder:?}"));
    let client = builder.build().unwrap();
    assert_no_secret("client", &format!("{client:?}"));
    assert_no_secret("client", &format!("{client:#?}"));
    let client = cartesia::Client::builder().api_key(KEY).build().unwrap();
    assert_no_secret("client", &format!("{client:?}"));
    assert!(format!("{client:?}").contains("[REDACTED]"));
}

#[tokio::test]
async fn tls_works_out_of_the_box() {
    // A plain-HTTP server spoken to over https: the request must fail in the TLS handshake,
    // which shows a TLS stack is compiled in (without one, reqwest refuses the https scheme).
    let server = Server::always(Reply::status(200)).await.unwrap();
    let https = server.url().replace("http://", "https://");
    let client = vercel::Client::builder().api_key(KEY).base_url(https).build().unwrap();
    let err = client.list_auth_tokens().send().await.unwrap_err();
    let vercel::Error::Transport { source, .. } = &err else { panic!("expected a connection error, got {err:?}") };
    assert!(source.is_connect(), "{source:?}");
    assert!(!source.is_builder(), "https is not supported: {source:?}");
    assert!(server.requests().is_empty(), "no plain-text request may reach the server");
}

#[tokio::test]
async fn user_agent_timeout_and_trailing_slash() {
    let server = Server::always(Reply::json(200, json!({"tokenId": "t"}).to_string())).await.unwrap();
    let client = vercel::Client::builder()
        .api_key(KEY)
        .base_url(format!("{}/", server.url()))
        .user_agent("my-app/1.0")
        .build()
        .unwrap();
    client.delete_auth_token().token_id("t").send().await.unwrap();
    let request = server.single_request();
    assert_eq!(request.path, "/v3/user/tokens/t");
    assert_eq!(request.header("user-agent"), Some("my-app/1.0"));

    let slow = Server::always(Reply::status(200).with_delay(Duration::from_millis(600))).await.unwrap();
    let client = vercel::Client::builder()
        .api_key(KEY)
        .base_url(slow.url())
        .timeout(Duration::from_millis(100))
        .retries(0)
        .build()
        .unwrap();
    let err = client.list_auth_tokens().send().await.unwrap_err();
    assert!(err.is_timeout(), "expected a timeout, got {err:?}");
    assert_renderings_clean("timeout error", &err);
}

/// `from_env` itself, in a child process so the test never mutates its own environment.
#[test]
fn from_env_reads_the_process_environment() {
    if std::env::var_os("FROM_ENV_CHILD").is_some() {
        let client = perplexity::Client::from_env().unwrap();
        assert_eq!(progenitor_client::ClientInfo::baseurl(&client), "http://127.0.0.1:1");
        let err = vercel::Client::from_env().unwrap_err();
        assert!(err.to_string().contains("VERCEL_TOKEN"), "{err}");
        return;
    }
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "from_env_reads_the_process_environment", "--nocapture"])
        .env("FROM_ENV_CHILD", "1")
        .env("PERPLEXITY_API_KEY", KEY)
        .env("PERPLEXITY_BASE_URL", "http://127.0.0.1:1")
        .env_remove("VERCEL_TOKEN")
        .output()
        .unwrap();
    assert!(child.status.success(), "the child test failed: {}", String::from_utf8_lossy(&child.stdout));
}
