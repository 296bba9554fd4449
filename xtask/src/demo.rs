//! `cargo xtask demo`: every vendor client, end to end.
//!
//! Offline (the default) each client talks to a loopback server that answers every operation
//! with an example synthesised from the vendor's own spec, and each request is printed exactly
//! as the server received it. With `--live` the clients talk to the real APIs.

use std::fmt::Debug;
use std::io::Write;

use anyhow::Context as _;
use api_codegen::{SpecDir, examples};
use api_runtime::{ApiDescription, GeneratedClient};
use loopback::{Reply, Server};

use crate::{wire, workspace_root};

/// A fake key for the mock servers: it is printed redacted like a real one.
const DEMO_KEY: &str = "demo-key-not-a-real-credential";

/// Runs the demo, writing to `out` as each call completes.
pub async fn run(live: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut failures = 0;
    failures += perplexity(live, out).await?;
    failures += cartesia(live, out).await?;
    failures += vercel(live, out).await?;
    anyhow::ensure!(failures == 0, "{failures} call(s) failed");
    Ok(())
}

/// Where one vendor's calls go, and how they are shown.
struct Session<'o> {
    out: &'o mut dyn Write,
    api: &'static ApiDescription,
    server: Option<Server>,
    printed: usize,
    failures: usize,
}

impl<'o> Session<'o> {
    /// A mock server for `vendor` answering from its spec, or nothing when live.
    async fn start<C: GeneratedClient>(
        vendor: &str,
        live: bool,
        out: &'o mut dyn Write,
    ) -> anyhow::Result<Option<(Self, C)>> {
        let api = C::API;
        if live {
            writeln!(out, "\n== {} (live) ==", api.title)?;
            return match <C as GeneratedClient>::from_env() {
                Ok(client) => Ok(Some((Session { out, api, server: None, printed: 0, failures: 0 }, client))),
                Err(e) => {
                    writeln!(out, "   skipped: {e}")?;
                    Ok(None)
                }
            };
        }
        let prepared = api_codegen::load(&SpecDir::new(workspace_root().join("specs").join(vendor)))
            .with_context(|| format!("loading the {vendor} spec"))?;
        let doc = prepared.doc;
        let server = Server::start(move |request| match examples::answer(&doc, &request.method, &request.path) {
            Some((_, status, Some(body))) => Reply::json(status, body.to_string()),
            Some((_, status, None)) => Reply::status(status),
            None => Reply::json(404, r#"{"error":"no such operation in the spec"}"#),
        })
        .await?;
        writeln!(out, "\n== {} (mock server at {}, answering from specs/{vendor}) ==", api.title, server.url())?;
        let client = <C as GeneratedClient>::builder().api_key(DEMO_KEY).base_url(server.url()).build()?;
        Ok(Some((Session { out, api, server: Some(server), printed: 0, failures: 0 }, client)))
    }

    /// Prints the requests made since the last call, then the outcome.
    fn show<T: Debug, E: std::fmt::Display>(&mut self, operation: &str, result: &Result<T, E>) -> std::io::Result<()> {
        writeln!(self.out, "\n-- {operation}")?;
        if let Some(server) = &self.server {
            for request in server.requests().iter().skip(self.printed) {
                write!(self.out, "{}", wire::describe(request, self.api))?;
                self.printed += 1;
            }
        }
        match result {
            Ok(value) => writeln!(self.out, "← {value:?}"),
            Err(e) => {
                self.failures += 1;
                writeln!(self.out, "← error: {e}")
            }
        }
    }
}

async fn perplexity(live: bool, out: &mut dyn Write) -> anyhow::Result<usize> {
    use perplexity::{Client, types};
    let Some((mut s, client)) = Session::start::<Client>("perplexity", live, out).await? else { return Ok(0) };

    let created = client
        .generate_auth_token()
        .body(types::GenerateAuthTokenRequest { token_name: Some("xtask-demo".into()) })
        .send()
        .await
        .map(|r| r.into_inner());
    s.show("generate_auth_token", &created)?;
    if let Ok(created) = created {
        let revoked = client
            .revoke_auth_token()
            .body(types::RevokeAuthTokenRequest { auth_token: created.auth_token })
            .send()
            .await
            .map(|r| r.status());
        s.show("revoke_auth_token (the token just made)", &revoked)?;
    }
    Ok(s.failures)
}

async fn cartesia(live: bool, out: &mut dyn Write) -> anyhow::Result<usize> {
    use cartesia::{Client, types};
    let Some((mut s, client)) = Session::start::<Client>("cartesia", live, out).await? else { return Ok(0) };

    let token = client
        .auth_access_token()
        .body(types::TokenRequest {
            grants: Some(types::TokenGrant { tts: Some(true), stt: None }),
            expires_in: Some(60),
        })
        .send()
        .await
        .map(|r| r.into_inner());
    s.show("auth_access-token (tts, 60 s)", &token)?;
    Ok(s.failures)
}

async fn vercel(live: bool, out: &mut dyn Write) -> anyhow::Result<usize> {
    use vercel::Client;
    let Some((mut s, client)) = Session::start::<Client>("vercel", live, out).await? else { return Ok(0) };

    let created = client.create_auth_token().body_map(|b| b.name("xtask-demo")).send().await.map(|r| r.into_inner());
    s.show("createAuthToken", &created)?;
    let current = client.get_auth_token().token_id("current").send().await.map(|r| r.into_inner());
    s.show("getAuthToken current", &current)?;
    let list = client.list_auth_tokens().send().await.map(|r| r.into_inner());
    s.show("listAuthTokens", &list)?;
    if let Ok(created) = created {
        let deleted = client.delete_auth_token().token_id(created.token.id).send().await.map(|r| r.into_inner());
        s.show("deleteAuthToken (the token just made)", &deleted)?;
    }
    Ok(s.failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_offline_demo_runs_every_operation_and_prints_no_secret() {
        let mut out = Vec::new();
        run(false, &mut out).await.unwrap();
        let out = String::from_utf8(out).unwrap();
        for call in [
            "POST /generate_auth_token",
            "POST /revoke_auth_token",
            "POST /access-token",
            "cartesia-version: 2024-06-10",
            "POST /v3/user/tokens",
            "GET /v5/user/tokens/current",
            "GET /v5/user/tokens\n",
            "DELETE /v3/user/tokens/",
        ] {
            assert!(out.contains(call), "missing `{call}` in:\n{out}");
        }
        assert!(!out.contains(DEMO_KEY), "the API key is printed:\n{out}");
        assert!(!out.contains("demo-secret-value"), "a returned secret is printed:\n{out}");
        assert!(!out.contains("api-version"), "progenitor's header went out:\n{out}");
        assert!(out.contains("authorization: Bearer [REDACTED]") && out.contains("x-api-key: [REDACTED]"));
    }
}
