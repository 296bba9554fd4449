//! `cargo xtask demo` (the `demo` binary): every vendor client, end to end.
//!
//! Offline (the default) each client talks to a loopback server that answers every operation
//! with an example synthesised from the vendor's own spec, and each request is printed exactly
//! as the server received it. With `--live` the clients talk to the real APIs.

use std::io::Write;

use anyhow::Context as _;
use api_codegen::{SpecDir, examples};
use api_runtime::ApiDescription;
use loopback::{Reply, Server};

use crate::scenario::{Outcome, Scenario};
use crate::{Caller, VENDORS, Vendor, wire, workspace_root};

/// A fake key for the mock servers: it is printed redacted like a real one.
const DEMO_KEY: &str = "demo-key-not-a-real-credential";

/// Runs the demo for every vendor of `specs/`, writing to `out` as each call completes.
pub async fn run(live: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut failures = 0;
    for vendor in VENDORS {
        failures += run_vendor(vendor, live, out).await?;
    }
    anyhow::ensure!(failures == 0, "{failures} call(s) failed");
    Ok(())
}

/// One vendor's scenario against a mock server answering from its spec (or the real API),
/// printing each request as it arrived; the number of failed calls.
async fn run_vendor(vendor: &Vendor, live: bool, out: &mut dyn Write) -> anyhow::Result<usize> {
    let dir = workspace_root().join("specs").join(vendor.name);
    let scenario = Scenario::read(&dir, vendor.api)?;
    let Some((mut session, client)) = Session::start(vendor, live, out).await? else { return Ok(0) };
    scenario.run(client.as_ref(), vendor.api, |call, outcome| session.show(&call.label(), outcome)).await?;
    Ok(session.failures)
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
    async fn start(
        vendor: &Vendor,
        live: bool,
        out: &'o mut dyn Write,
    ) -> anyhow::Result<Option<(Self, Box<dyn Caller>)>> {
        let api = vendor.api;
        if live {
            writeln!(out, "\n== {} (live) ==", api.title)?;
            return match (vendor.from_env)() {
                Ok(client) => Ok(Some((Session { out, api, server: None, printed: 0, failures: 0 }, client))),
                Err(e) => {
                    writeln!(out, "   skipped: {e}")?;
                    Ok(None)
                }
            };
        }
        let name = vendor.name;
        let prepared = api_codegen::load(&SpecDir::new(workspace_root().join("specs").join(name)))
            .with_context(|| format!("loading the {name} spec"))?;
        let doc = prepared.doc;
        let server = Server::start(move |request| match examples::answer(&doc, &request.method, &request.path) {
            Some((_, status, Some(body))) => Reply::json(status, body.to_string()),
            Some((_, status, None)) => Reply::status(status),
            None => Reply::json(404, r#"{"error":"no such operation in the spec"}"#),
        })
        .await?;
        writeln!(out, "\n== {} (mock server at {}, answering from specs/{name}) ==", api.title, server.url())?;
        let client = (vendor.connect)(&server.url(), DEMO_KEY)?;
        Ok(Some((Session { out, api, server: Some(server), printed: 0, failures: 0 }, client)))
    }

    /// Prints the requests made since the last call, then the outcome.
    fn show(&mut self, label: &str, outcome: &Outcome) -> std::io::Result<()> {
        writeln!(self.out, "\n-- {label}")?;
        if let Some(server) = &self.server {
            for request in server.requests().iter().skip(self.printed) {
                write!(self.out, "{}", wire::describe(request, self.api))?;
                self.printed += 1;
            }
        }
        match outcome {
            Outcome::Done(Ok(answer)) => writeln!(self.out, "← {}", answer.shown),
            Outcome::Done(Err(e)) => {
                self.failures += 1;
                writeln!(self.out, "← error: {e}")
            }
            Outcome::Skipped(why) => writeln!(self.out, "   skipped: {why}"),
        }
    }
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

    /// Every vendor of `specs/` is in the demo, each call of its scenario made and answered:
    /// nothing about the vendors is written here.
    #[tokio::test]
    async fn every_vendor_in_specs_runs_its_whole_scenario() {
        let specs = workspace_root().join("specs");
        let mut in_specs: Vec<String> = std::fs::read_dir(&specs)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.path().join("openapi.json").is_file() || e.path().join("openapi.yaml").is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        in_specs.sort();
        let found: Vec<&str> = VENDORS.iter().map(|v| v.name).collect();
        assert_eq!(found, in_specs);

        let mut out = Vec::new();
        run(false, &mut out).await.unwrap();
        let out = String::from_utf8(out).unwrap();
        for vendor in VENDORS {
            assert!(out.contains(&format!("answering from specs/{}", vendor.name)), "{} missing:\n{out}", vendor.name);
            let scenario = Scenario::read(&specs.join(vendor.name), vendor.api).unwrap();
            for call in &scenario.calls {
                let shown =
                    out.split(&format!("\n-- {}\n", call.label())).nth(1).unwrap_or_else(|| panic!("{}", call.label()));
                let first_line_after_wire =
                    shown.lines().find(|l| !l.starts_with("→") && !l.starts_with("    ")).unwrap();
                assert!(
                    first_line_after_wire.starts_with("← ") && !first_line_after_wire.starts_with("← error"),
                    "{shown}"
                );
            }
        }
        assert!(!out.contains("skipped"), "{out}");
    }
}
