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

    // Unless replaced, the client names itself: its crate and version.
    let server = Server::always(Reply::json(200, json!({"tokenId": "t"}).to_string())).await.unwrap();
    let client = vercel::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap();
    client.delete_auth_token().token_id("t").send().await.unwrap();
    let expected = <vercel::Client as api_runtime::GeneratedClient>::USER_AGENT;
    assert!(expected.starts_with("vercel/0."), "{expected}");
    assert_eq!(server.single_request().header("user-agent"), Some(expected));

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

#[test]
fn plain_http_is_refused_off_loopback() {
    for url in ["http://api.example.com", "http://10.0.0.1:8080/v1", "http://localhost.example.com", "http://[::2]/"] {
        let err = vercel::Client::builder().api_key(KEY).base_url(url).build().unwrap_err();
        assert!(matches!(err, ConfigError::InsecureBaseUrl { .. }), "{url}: {err:?}");
        let shown = err.to_string();
        assert!(shown.contains("clear text") && shown.contains(url.trim_end_matches('/')), "{shown}");
        assert_renderings_clean("config error", &err);
        vercel::Client::builder().api_key(KEY).base_url(url).allow_insecure_http().build().unwrap();
    }
    for url in
        ["http://127.0.0.1:1", "http://127.8.9.10", "http://localhost:8080/", "http://LocalHost", "http://[::1]:1"]
    {
        vercel::Client::builder().api_key(KEY).base_url(url).build().unwrap();
    }
    vercel::Client::builder().api_key(KEY).base_url("https://api.example.com").build().unwrap();
    // The environment's base URL goes through the same check.
    let err = vercel::Client::builder()
        .from_lookup(lookup(&[("VERCEL_TOKEN", KEY), ("VERCEL_BASE_URL", "http://api.example.com")]))
        .unwrap()
        .build()
        .unwrap_err();
    assert!(matches!(err, ConfigError::InsecureBaseUrl { .. }), "{err:?}");
}

#[test]
fn base_urls_are_never_echoed_with_credentials() {
    for url in [
        format!("https://user:{KEY}@[bad"),
        format!("https://user:pa@{KEY}@host"),
        format!("https://user:{KEY}/x@[bad"),
        format!("https://user:{KEY}#x@host"),
        format!("user:{KEY}@host"),
        format!("{KEY}@host"),
        format!("{KEY}:x@host:99999"),
        format!("https:/user:{KEY}@host"),
        format!("http://api.example.com/?key={KEY}"),
        format!("https://api.example.com/#{KEY}"),
        format!("http://user:{KEY}@127.0.0.1:1"),
    ] {
        let builder = perplexity::Client::builder().api_key("k").base_url(url.as_str());
        assert_no_secret("builder", &format!("{builder:?}"));
        let err = builder.build().unwrap_err();
        assert!(matches!(err, ConfigError::InvalidBaseUrl { .. } | ConfigError::InsecureBaseUrl { .. }), "{err:?}");
        assert_renderings_clean("config error", &err);
    }
}

/// Extreme durations and counts: every client builds and every call ends (or is still
/// waiting, as configured, when the test stops looking) without a panic.
#[tokio::test]
async fn no_limit_value_panics() {
    const EXTREMES: [Duration; 5] = [
        Duration::from_nanos(1),
        Duration::from_micros(1),
        Duration::from_millis(50),
        Duration::from_secs(u64::MAX),
        Duration::MAX,
    ];
    let ok = Server::always(Reply::json(200, json!({"tokenId": "t"}).to_string())).await.unwrap();
    let busy = Server::always(Reply::status(503)).await.unwrap();
    let busy_forever =
        Server::always(Reply::status(503).with_header("retry-after", u64::MAX.to_string())).await.unwrap();

    // Every pair of extremes for the two values of a loop, the others cycling through them
    // (each build loads the platform's TLS roots: ~50 ms in a debug build).
    let pick = |n: usize| EXTREMES[n % EXTREMES.len()];
    let mut calls = tokio::task::JoinSet::new();
    for (i, timeout) in EXTREMES.into_iter().enumerate() {
        for (j, deadline) in EXTREMES.into_iter().enumerate() {
            let url = ok.url();
            calls.spawn(async move {
                let client = vercel::Client::builder()
                    .api_key(KEY)
                    .base_url(url)
                    .timeout(timeout)
                    .deadline(deadline)
                    .connect_timeout(pick(i + j))
                    .build()
                    .unwrap();
                let call = client.delete_auth_token().token_id("t").send();
                let _ = tokio::time::timeout(Duration::from_secs(2), call).await;
            });
        }
    }
    for (i, base_backoff) in EXTREMES.into_iter().enumerate() {
        for (j, max_backoff) in EXTREMES.into_iter().enumerate() {
            let url = if i % 2 == 0 { busy.url() } else { busy_forever.url() };
            calls.spawn(async move {
                let client = vercel::Client::builder()
                    .api_key(KEY)
                    .base_url(url)
                    .retry_policy(api_runtime::RetryPolicy {
                        max_retries: if (i + j) % 4 == 0 { 1 } else { u32::MAX },
                        base_backoff,
                        max_backoff,
                        max_retry_after: pick(2 * i + j),
                    })
                    .deadline(if j % 2 == 0 { Duration::from_millis(50) } else { Duration::MAX })
                    .build()
                    .unwrap();
                let _ = tokio::time::timeout(Duration::from_millis(300), client.list_auth_tokens().send()).await;
            });
        }
    }
    // Every call is bounded by its own timeout; this bound only turns a hang into a failure.
    let all = async {
        while let Some(done) = calls.join_next().await {
            if let Err(e) = done {
                assert!(!e.is_panic(), "a configuration value panicked the client: {e:?}");
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(120), all).await.expect("a call with extreme limits hung");
    // Zero is refused at build: reqwest would race it against the request.
    let zero = || vercel::Client::builder().api_key(KEY).base_url(ok.url());
    for (what, builder) in [
        ("timeout", zero().timeout(Duration::ZERO)),
        ("deadline", zero().deadline(Duration::ZERO)),
        ("connect timeout", zero().connect_timeout(Duration::ZERO)),
    ] {
        let err = builder.build().unwrap_err();
        assert!(matches!(err, ConfigError::ZeroLimit { what: w } if w == what), "{err:?}");
    }
}
