//! The independent contract check: every operation of every client goes through Stoplight
//! Prism running each vendor's *upstream* spec (so Perplexity's is read as OpenAPI 3.1, not
//! our 3.0 conversion), with request validation errors on. A request Prism finds invalid is
//! answered 4xx, which the client reports as an error: success means it passed validation and
//! the answer parsed.
#![allow(clippy::unwrap_used)]

mod prism;

use demo::scenario::{Outcome, Scenario};
use prism::Prism;
use serde_json::json;
use workspace_tests::{KEY, spec_dir, vendors};

fn upstream(vendor: &str) -> std::path::PathBuf {
    // `openapi.json` where the vendor serves JSON (Vercel), else `openapi.yaml`.
    api_codegen::SpecDir::new(spec_dir(vendor)).spec
}

/// Every vendor of `specs/`, found rather than listed: the calls of its
/// `specs/<vendor>/scenario.toml` through Prism running its upstream spec.
#[tokio::test(flavor = "multi_thread")]
async fn every_vendors_scenario_passes_prism() {
    let found: Vec<&str> = demo::VENDORS.iter().map(|v| v.name).collect();
    assert_eq!(found, vendors(), "the demo package and specs/ disagree on the vendors");
    for vendor in demo::VENDORS {
        let prism = Prism::start(&upstream(vendor.name));
        let client = (vendor.connect)(&prism.url(), KEY).unwrap();
        let scenario = Scenario::read(&spec_dir(vendor.name), vendor.api).unwrap();
        let mut failures = Vec::new();
        scenario
            .run(client.as_ref(), vendor.api, |call, outcome| {
                match outcome {
                    Outcome::Done(Ok(_)) => {}
                    Outcome::Done(Err(e)) => failures.push(format!("{}: {e}", call.label())),
                    Outcome::Skipped(why) => failures.push(format!("{}: skipped: {why}", call.label())),
                }
                Ok(())
            })
            .await
            .unwrap();
        assert!(failures.is_empty(), "{}: {failures:#?}\n{}", vendor.name, prism.log());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn perplexity_operations_pass_prism() {
    let prism = Prism::start(&upstream("perplexity"));
    let client = perplexity::Client::builder().api_key(KEY).base_url(prism.url()).build().unwrap();

    let created = client
        .generate_auth_token()
        .body(perplexity::types::GenerateAuthTokenRequest { token_name: Some("contract".into()) })
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", prism.log()));
    assert!(!created.auth_token.expose_secret().is_empty());

    client
        .revoke_auth_token()
        .body(perplexity::types::RevokeAuthTokenRequest { auth_token: created.into_inner().auth_token })
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", prism.log()));
}

#[tokio::test(flavor = "multi_thread")]
async fn cartesia_operations_pass_prism() {
    let prism = Prism::start(&upstream("cartesia"));
    let client = cartesia::Client::builder().api_key(KEY).base_url(prism.url()).build().unwrap();
    let token = client
        .auth_access_token()
        .body(cartesia::types::TokenRequest {
            grants: Some(cartesia::types::TokenGrant { tts: Some(true), stt: Some(false), agent: None }),
            expires_in: Some(600),
        })
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", prism.log()));
    assert!(!token.token.expose_secret().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn vercel_operations_pass_prism() {
    let prism = Prism::start(&upstream("vercel"));
    let client = vercel::Client::builder().api_key(KEY).base_url(prism.url()).build().unwrap();
    let fail = |e: vercel::Error<()>| -> ! { panic!("{e}\n{}", prism.log()) };

    let created = client
        .create_auth_token()
        .team_id("team_1")
        .body_map(|b| b.name("contract").expires_at(Some(1.9e12)))
        .send()
        .await
        .unwrap_or_else(|e| fail(e));
    client.get_auth_token().token_id("current").send().await.unwrap_or_else(|e| fail(e));
    client.list_auth_tokens().send().await.unwrap_or_else(|e| fail(e));
    client.delete_auth_token().token_id(created.token.id.clone()).send().await.unwrap_or_else(|e| fail(e));
}

/// The check can fail: requests that break the spec, sent without the generated clients.
#[tokio::test(flavor = "multi_thread")]
async fn prism_rejects_malformed_requests() {
    let http = reqwest::Client::new();

    let prism = Prism::start(&upstream("perplexity"));
    let response = http
        .post(format!("{}/revoke_auth_token", prism.url()))
        .bearer_auth(KEY)
        .json(&json!({"token": "missing the required auth_token"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("auth_token"));

    let prism = Prism::start(&upstream("cartesia"));
    // No `Cartesia-Version`: the header the runtime adds for the caller.
    let response = http
        .post(format!("{}/access-token", prism.url()))
        .bearer_auth(KEY)
        .json(&json!({"expires_in": 60}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());

    let prism = Prism::start(&upstream("vercel"));
    // No credential at all.
    let response = http.get(format!("{}/v5/user/tokens", prism.url())).send().await.unwrap();
    assert_eq!(response.status(), 401);
}
