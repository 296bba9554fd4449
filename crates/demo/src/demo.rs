//! `cargo xtask demo` (the `demo` binary): every vendor client, end to end.
//!
//! Offline (the default) each client talks to a loopback server that answers every operation
//! with an example synthesised from the vendor's own spec. The tour prints, request as the
//! server received it and answer: the token flows of `specs/<vendor>/scenario.toml`, then one
//! call per tag, each stream or download, each multipart upload; then every operation is called once without printing, and a summary line
//! says how many were answered. With `--live` the clients make only the scenario's calls,
//! against the real APIs.

use std::io::Write;
use std::sync::Arc;

use anyhow::Context as _;
use api_codegen::doc::media::SuccessBody;
use api_codegen::{SpecDir, names as naming};
use api_runtime::ApiDescription;
use loopback::Server;
use serde_json::{Map, Value};
use spec_tools::examples;

use crate::scenario::{Outcome, Scenario};
use crate::{Answer, CallError, Caller, Failure, VENDORS, Vendor, wire, workspace_root};
use api_codegen::Prepared;
use api_codegen::doc::Spec;

/// A fake key for the mock servers: it is printed redacted like a real one.
const DEMO_KEY: &str = "demo-key-not-a-real-credential";
/// Answers longer than this are cut when shown: the tour stays readable.
const SHOWN_CHARS: usize = 400;

/// Runs the demo for every vendor of `specs/`, writing to `out` as each call completes.
pub async fn run(live: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut failures = 0;
    let mut tally = Tally::default();
    for vendor in VENDORS {
        failures += run_vendor(vendor, live, out, &mut tally).await?;
    }
    if !live {
        writeln!(out, "\n{}", tally.summary())?;
    }
    anyhow::ensure!(failures == 0 && tally.failed.is_empty(), "{} call(s) failed", failures + tally.failed.len());
    Ok(())
}

/// Every operation called against the mocks.
#[derive(Debug, Default)]
struct Tally {
    answered: usize,
    /// `vendor operationId: why`.
    failed: Vec<String>,
    /// Operations the clients lack (left out by a normalisation rule).
    not_callable: Vec<String>,
}

impl Tally {
    fn summary(&self) -> String {
        let total = self.answered + self.failed.len();
        let mut line = if self.failed.is_empty() {
            format!("{total} operations, all answered")
        } else {
            format!("{total} operations, {} answered; failed:\n  {}", self.answered, self.failed.join("\n  "))
        };
        if !self.not_callable.is_empty() {
            line.push_str(&format!(
                "\n{} operations not in the clients yet (see `cargo xtask check-spec`): {}",
                self.not_callable.len(),
                self.not_callable.join(", ")
            ));
        }
        line
    }
}

/// One vendor's scenario against a mock server answering from its spec (or the real API),
/// printing each request as it arrived, then (offline) one call per tag and every operation
/// once; the number of failed scenario and tour calls.
async fn run_vendor(vendor: &Vendor, live: bool, out: &mut dyn Write, tally: &mut Tally) -> anyhow::Result<usize> {
    let dir = workspace_root().join("specs").join(vendor.name);
    let scenario = Scenario::read(&dir, vendor.api)?;
    let Some((mut session, client)) = Session::start(vendor, live, out).await? else { return Ok(0) };
    scenario.run(client.as_ref(), vendor.api, |call, outcome| session.show(&call.label(), outcome)).await?;
    let Some(doc) = session.doc.clone() else { return Ok(session.failures) };

    let calls = calls(&doc, vendor.api);
    for call in one_per_tag(&calls) {
        let outcome = Outcome::Done(client.call(&call.method, call.args.as_ref().unwrap_or(&Map::new())).await);
        session.show(&format!("{} (tag `{}`)", call.id, call.tag), &outcome)?;
    }

    // A paginated list walked with `pages()`: the mock serves three pages, the last empty.
    let paged = calls.iter().filter(|c| c.args.is_some()).find(|c| {
        let paginated =
            |(_, op): &(&str, &api_codegen::plan::OperationPlan)| op.rust_name == c.method && op.pagination.is_some();
        !live && doc.plan.operations().any(|entry| paginated(&entry))
    });
    if let Some(call) = paged {
        let method = format!("{}{}", call.method, api_codegen::PAGES_SUFFIX);
        let outcome = Outcome::Done(client.call(&method, call.args.as_ref().unwrap_or(&Map::new())).await);
        session.show(&format!("{} (paginated: every page, `pages()`)", call.id), &outcome)?;
    }

    // Streams and files: each operation answering a stream or bytes, its items as they
    // arrived, a download saved to a file.
    let streamed = |body: &SuccessBody| matches!(body, SuccessBody::Events { .. } | SuccessBody::Download { .. });
    for call in calls.iter().filter(|c| c.args.is_some() && streamed(&c.body)) {
        let streaming = matches!(call.body, SuccessBody::Events { json: Some(_), .. });
        let method =
            if streaming { format!("{}{}", call.method, api_codegen::STREAM_SUFFIX) } else { call.method.clone() };
        let result = client.call(&method, call.args.as_ref().unwrap_or(&Map::new())).await;
        session.show_stream(vendor.name, call, result)?;
    }

    // Uploads: each operation sending a multipart form (and answering JSON: the others were
    // shown with the streams), its parts as the server read them.
    for call in calls.iter().filter(|c| c.args.is_some() && c.form && !streamed(&c.body)) {
        let outcome = Outcome::Done(client.call(&call.method, call.args.as_ref().unwrap_or(&Map::new())).await);
        session.show(&format!("{} (multipart upload)", call.id), &outcome)?;
    }

    let mut answered = 0;
    for call in &calls {
        let Some(args) = &call.args else {
            tally.not_callable.push(format!("{} {}", vendor.name, call.id));
            continue;
        };
        match client.call(&call.method, args).await {
            Ok(_) => answered += 1,
            // An operation declaring no success status (a raw download) is answered with
            // one of the errors it declares, decoded as declared.
            Err(e) if !call.declares_success && e.failure() == Some(Failure::ErrorResponse) => answered += 1,
            Err(e) => tally.failed.push(format!("{} {}: {e}", vendor.name, call.id)),
        }
    }
    tally.answered += answered;
    let called = calls.iter().filter(|c| c.args.is_some()).count();
    writeln!(session.out, "\n{}: {answered} of {called} operations answered by the mock", vendor.name)?;
    Ok(session.failures)
}

/// One operation of a spec, ready to call.
pub(crate) struct Call {
    pub(crate) id: String,
    /// progenitor's method name.
    pub(crate) method: String,
    /// Its first tag (empty: none).
    pub(crate) tag: String,
    pub(crate) http_method: &'static str,
    /// Whether it declares a 2xx answer.
    pub(crate) declares_success: bool,
    /// What its success answer is: JSON, a stream of items, bytes.
    pub(crate) body: SuccessBody,
    /// It sends a multipart form.
    pub(crate) form: bool,
    /// Setter name → value, synthesised from the spec; `None` if the client lacks the
    /// operation (a normalisation rule left it out, e.g. a body of a media type progenitor cannot send).
    pub(crate) args: Option<Map<String, Value>>,
}

/// For each tag, in order of first appearance, its first callable `GET` (a read shows best),
/// else its first callable operation.
fn one_per_tag(calls: &[Call]) -> Vec<&Call> {
    let mut tags: Vec<&str> = Vec::new();
    for call in calls {
        if !call.tag.is_empty() && !tags.contains(&call.tag.as_str()) {
            tags.push(&call.tag);
        }
    }
    tags.iter()
        .filter_map(|tag| {
            let mut of_tag = calls.iter().filter(|c| c.tag == *tag && c.args.is_some() && c.declares_success);
            of_tag.clone().find(|c| c.http_method == "get").or_else(|| of_tag.next())
        })
        .collect()
}

/// Every operation of `doc`, in document order.
pub(crate) fn calls(prepared: &Prepared, api: &ApiDescription) -> Vec<Call> {
    let doc = &prepared.doc;
    Spec::new(doc)
        .operations()
        .into_iter()
        .map(|operation| {
            let (http_method, op) = (operation.method, operation.node);
            let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
            let tag = op.pointer("/tags/0").and_then(Value::as_str).unwrap_or_default().to_string();
            let arguments = examples::arguments(&operation, &prepared.plan);
            let in_client = api.operations.iter().find(|o| o.id == id);
            let args = in_client.map(|_| {
                let mut args: Map<String, Value> =
                    arguments.parameters.iter().map(|p| (naming::field_name(&p.name), p.value.clone())).collect();
                if let Some(body) = arguments.body {
                    args.insert("body".into(), body);
                }
                args
            });
            let method = in_client.map_or_else(|| naming::method_name(&id), |o| o.rust_name.to_string());
            let declares_success = examples::responses(doc, op).iter().any(|r| (200..300).contains(&r.status));
            let body = api_codegen::doc::media::success_body(doc, op);
            let form = prepared.plan.form(&operation.pointer).is_some();
            Call { method, id, tag, http_method, declares_success, args, body, form }
        })
        .collect()
}

/// Where one vendor's calls go, and how they are shown.
struct Session<'o> {
    out: &'o mut dyn Write,
    api: &'static ApiDescription,
    server: Option<Server>,
    /// The prepared spec the mock answers from (offline only).
    doc: Option<Arc<Prepared>>,
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
                Ok(client) => {
                    Ok(Some((Session { out, api, server: None, doc: None, printed: 0, failures: 0 }, client)))
                }
                Err(e) => {
                    writeln!(out, "   skipped: {e}")?;
                    Ok(None)
                }
            };
        }
        let name = vendor.name;
        let prepared = api_codegen::load(&SpecDir::new(workspace_root().join("specs").join(name)))
            .with_context(|| format!("loading the {name} spec"))?;
        let doc = Arc::new(prepared);
        let answering = Arc::clone(&doc);
        let server = Server::start(move |request| {
            crate::answers::paged_reply(&answering, request)
                .unwrap_or_else(|| crate::answers::example_reply(&answering.doc, request))
        })
        .await?;
        writeln!(out, "\n== {} (mock server at {}, answering from specs/{name}) ==", api.title, server.url())?;
        let client = (vendor.connect)(&server.url(), DEMO_KEY)?;
        Ok(Some((Session { out, api, server: Some(server), doc: Some(doc), printed: 0, failures: 0 }, client)))
    }

    /// Prints the requests made since the last call, then the outcome.
    fn show(&mut self, label: &str, outcome: &Outcome) -> std::io::Result<()> {
        writeln!(self.out, "\n-- {label}")?;
        self.print_requests()?;
        match outcome {
            Outcome::Done(Ok(answer)) => writeln!(self.out, "← {}", cut(&answer.shown)),
            Outcome::Done(Err(e)) => {
                self.failures += 1;
                writeln!(self.out, "← error: {e}")
            }
            Outcome::Skipped(why) => writeln!(self.out, "   skipped: {why}"),
        }
    }
}

impl Session<'_> {
    /// A streamed answer: each item on a line of its own, or the bytes saved to a file.
    fn show_stream(&mut self, vendor: &str, call: &Call, result: Result<Answer, CallError>) -> anyhow::Result<()> {
        let label = format!("{} (streamed)", call.id);
        let outcome = match result {
            Ok(answer) => answer,
            Err(e) => return Ok(self.show(&label, &Outcome::Done(Err(e)))?),
        };
        writeln!(self.out, "\n-- {label}")?;
        self.print_requests()?;
        writeln!(self.out, "← HTTP {}", outcome.status)?;
        match &call.body {
            SuccessBody::Events { .. } => {
                let items = outcome.pointer("").and_then(Value::as_array).cloned().unwrap_or_default();
                for (n, item) in items.iter().enumerate() {
                    writeln!(self.out, "← item {}: {}", n + 1, cut_to(&item.to_string(), 160))?;
                }
                writeln!(self.out, "← end of stream ({} items)", items.len())?;
            }
            SuccessBody::Download { accept } => {
                let bytes = outcome.bytes().unwrap_or_default();
                let file = std::env::temp_dir().join(format!("demo-{vendor}-{}.{}", call.method, extension(accept)));
                std::fs::write(&file, bytes).with_context(|| format!("saving {}", file.display()))?;
                writeln!(self.out, "← {} bytes of {accept}, saved to {}", bytes.len(), file.display())?;
            }
            SuccessBody::Progenitor | SuccessBody::JsonOrEmpty { .. } => {}
        }
        Ok(())
    }
}

impl Session<'_> {
    /// The requests the server received since the last call shown.
    fn print_requests(&mut self) -> std::io::Result<()> {
        if let Some(server) = &self.server {
            for request in server.requests().iter().skip(self.printed) {
                write!(self.out, "{}", wire::describe(request, self.api))?;
                self.printed += 1;
            }
        }
        Ok(())
    }
}

/// A file extension for a media type's bytes.
fn extension(media_type: &str) -> &str {
    let first = media_type.split([',', ';']).next().unwrap_or_default().trim();
    match first.rsplit('/').next().unwrap_or_default() {
        "wav" | "x-wav" | "wave" => "wav",
        "csv" => "csv",
        "mpeg" => "mp3",
        "plain" => "txt",
        _ => "bin",
    }
}

/// `text`, cut to [`SHOWN_CHARS`] characters.
fn cut(text: &str) -> String {
    cut_to(text, SHOWN_CHARS)
}

fn cut_to(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{} …", &text[..at]),
        None => text.to_string(),
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
            "cartesia-version: 2025-11-04",
            "POST /v3/user/tokens",
            "GET /v5/user/tokens/current",
            "GET /v5/user/tokens\n",
            "DELETE /v3/user/tokens/",
        ] {
            assert!(out.contains(call), "missing `{call}` in:\n{out}");
        }
        assert!(!out.contains(DEMO_KEY), "the API key is printed:\n{out}");
        assert!(!out.contains("demo-secret-value"), "a returned secret is printed:\n{out}");
        // One paginated list per vendor that has one, walked to its third (empty) page.
        assert_eq!(out.matches("(paginated: every page, `pages()`)").count(), 2, "{out}");
        assert_eq!(out.matches("← 3 pages").count(), 2, "{out}");
        assert!(!out.contains("api-version"), "progenitor's header went out:\n{out}");
        assert!(out.contains("authorization: Bearer [REDACTED]"), "{out}");
        assert!(!out.contains("authorization: Bearer demo"), "{out}");
    }

    /// The tour: one call per tag of each vendor, every operation answered by the mock, and
    /// the summary counting them all; no key and no returned secret anywhere.
    #[tokio::test]
    async fn the_tour_shows_one_call_per_tag_and_a_summary_of_every_operation() {
        let mut out = Vec::new();
        run(false, &mut out).await.unwrap();
        let out = String::from_utf8(out).unwrap();
        let mut total = 0;
        for vendor in VENDORS {
            let n = vendor.api.operations.len();
            total += n;
            let line = format!("\n{}: {n} of {n} operations answered by the mock\n", vendor.name);
            assert!(out.contains(&line), "missing `{line}` in:\n{out}");
            let dir = SpecDir::new(workspace_root().join("specs").join(vendor.name));
            let prepared = api_codegen::load(&dir).unwrap();
            let calls = calls(&prepared, vendor.api);
            // Every tag with an operation the client has is shown once; a tag whose only
            // operations a rule left out (a body media type progenitor cannot send) is not.
            let toured: Vec<&str> = one_per_tag(&calls).iter().map(|c| c.tag.as_str()).collect();
            // This vendor's part of the output: from its header to the next vendor's.
            let start = out.find(&format!("answering from specs/{}) ==", vendor.name)).unwrap();
            let part = &out[start..];
            let part = &part[..part[1..].find("\n== ").map_or(part.len(), |end| end + 1)];
            // Each multipart upload is shown once, part by part, its files named.
            for call in calls.iter().filter(|c| c.form) {
                let kind = if matches!(call.body, SuccessBody::Events { .. } | SuccessBody::Download { .. }) {
                    "streamed"
                } else {
                    "multipart upload"
                };
                let shown = part.split(&format!("\n-- {} ({kind})\n", call.id)).nth(1);
                let request = shown.and_then(|s| s.split("\n-- ").next()).unwrap_or_default();
                assert!(request.contains("    part `") && request.contains("`: file `"), "{}: {request}", call.id);
            }
            for call in &calls {
                let shown = part.matches(&format!("(tag `{}`)\n", call.tag)).count();
                let expected = usize::from(toured.contains(&call.tag.as_str()));
                assert!(call.tag.is_empty() || shown == expected, "tag `{}` shown {shown} times:\n{out}", call.tag);
            }
        }
        assert!(out.contains(&format!("\n{total} operations, all answered\n")), "{out}");
        assert!(!out.contains(DEMO_KEY) && !out.contains("demo-secret-value"), "a secret is printed:\n{out}");
        assert!(!out.contains("← error"), "{out}");
    }

    /// Every vendor of `specs/` is in the demo, each call of its scenario made and answered:
    /// nothing about the vendors is written here.
    #[tokio::test]
    async fn every_vendor_in_specs_runs_its_whole_scenario() {
        let specs = workspace_root().join("specs");
        let mut in_specs: Vec<String> = std::fs::read_dir(&specs)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| SpecDir::new(e.path()).spec.is_file())
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
