//! Every operation of every vendor of `specs/` through Stoplight Prism running the vendor's
//! upstream document as vendored, with request validation on: each call, with arguments
//! synthesised from the spec, must reach Prism and pass its request validation (read from
//! Prism's log, one verdict per request). Prism answers from the document's own examples,
//! and some of Vercel's contradict its schemas (`"softDeletedByRetention": "true"` for a
//! boolean): such answers are listed, not failed; the typed decoding of every declared answer
//! is proven on loopback (`every_operation.rs`). One Prism per vendor, calls in sequence.
#![allow(clippy::unwrap_used)]

// Shared with tests/every_operation.rs, which uses all of it.
#[allow(dead_code)]
mod operations;
mod prism;

use api_codegen::SpecDir;
use demo::{CallError, Failure};
use prism::Prism;
use serde_json::Value;
use workspace_tests::{KEY, spec_dir, vendors};

/// Prism's problem type for an example it cannot serialise as the response's media type.
const PRISM_CANNOT_MOCK: &str = "prism/errors#NO_COMPLEX_OBJECT_TEXT";

#[tokio::test(flavor = "multi_thread")]
async fn every_operation_of_every_vendor_passes_prism() {
    let found: Vec<&str> = demo::VENDORS.iter().map(|v| v.name).collect();
    assert_eq!(found, vendors(), "the demo package and specs/ disagree on the vendors");
    let mut report = Vec::new();
    let mut failed = 0;
    for vendor in demo::VENDORS {
        let plan = operations::plan(vendor);
        let spec = SpecDir::new(spec_dir(vendor.name)).spec;
        let prism = Prism::start(&spec);
        let upstream = api_codegen::load::yaml::read(&spec).unwrap();
        let mut corrected = Vec::new();
        let client = (vendor.connect_once)(&prism.url(), KEY).unwrap();
        let mut failures = plan.failures.clone();
        let mut unmockable = Vec::new();
        let mut bad_answers = Vec::new();
        let mut repeated_parts = Vec::new();
        let mut logged = 0;
        // Each operation, and the streaming variant of one that offers JSON and a stream.
        let methods = plan.calls.iter().flat_map(|op| {
            std::iter::once((op, op.description.rust_name.to_string())).chain(op.stream_method().map(|m| (op, m)))
        });
        for (op, method) in methods {
            let result = client.call(&method, &op.dispatch_args()).await;
            let id = method.replacen(op.description.rust_name, op.description.id, 1);
            if let Err(e @ (CallError::Argument(_) | CallError::UnknownArgument(..) | CallError::UnknownOperation(_))) =
                &result
            {
                failures.push(format!("{}: not sent: {e}", op.label()));
                continue;
            }
            let verdict = prism.verdict_after(logged);
            logged = verdict.logged;
            // Prism reads a multipart field's repeated parts as one value, the last (its open
            // pull request stoplightio/prism#2654): an array field is "not an array" to it.
            if !verdict.invalid.is_empty() && verdict.invalid.iter().all(|e| is_repeated_part(op, e)) {
                repeated_parts.push(id);
                continue;
            }
            if !verdict.request_violations.is_empty() || !verdict.invalid.is_empty() {
                failures.push(format!(
                    "{}: the request breaks the document: {:?} {:?}",
                    op.label(),
                    verdict.request_violations,
                    verdict.invalid
                ));
                continue;
            }
            if !verdict.seen {
                failures.push(format!("{}: Prism logged no verdict on the request: {result:?}", op.label()));
                continue;
            }
            match result {
                Ok(_) => {}
                // Prism validated the request, then could not write an example of this media
                // type (an event stream of objects): its own limit, named by its problem type.
                Err(e) if e.to_string().contains(PRISM_CANNOT_MOCK) => unmockable.push(id),
                // The request passed; the answer Prism made from the document's own examples
                // contradicts the document's schemas: Prism flags it with a 500 of its own
                // (a secret-bearing operation's error shows only its shape), or it does not
                // decode.
                Err(e)
                    if matches!(e, CallError::Failed { status: Some(500), .. })
                        || e.failure() == Some(Failure::InvalidBody) =>
                {
                    bad_answers.push(id)
                }
                // The overlay corrected the media type the operation answers in (Vercel's
                // artifact download, bytes the document declares as JSON): the client asks
                // for the corrected one, which Prism, serving the upstream document, refuses.
                Err(CallError::Failed { status: Some(406), .. })
                    if success_media(&upstream, op) != success_media(&plan.prepared.doc, op) =>
                {
                    corrected.push(id)
                }
                // An operation declaring no success (a raw file download): Prism answers with
                // the first status it declares.
                Err(e)
                    if e.failure() == Some(Failure::ErrorResponse)
                        && !op.responses.iter().any(|r| (200..300).contains(&r.status)) => {}
                Err(e) => failures.push(format!("{}: {e}", op.label())),
            }
        }
        report.push(format!(
            "{}: {} operations through Prism, {} skipped by rules; requests validated, answers Prism cannot write: {unmockable:?}; answers contradicting the document ({}): {bad_answers:?}; media types the overlay corrected: {corrected:?}; multipart arrays Prism reads as one part: {repeated_parts:?}",
            vendor.name,
            plan.calls.len(),
            plan.skipped.len(),
            bad_answers.len()
        ));
        if !failures.is_empty() {
            failed += failures.len();
            report.extend(failures.iter().map(|f| format!("  {}: {f}", vendor.name)));
            report.push(format!("  Prism's log:\n{}", tail(&prism.log(), 40)));
        }
    }
    eprintln!("{}", report.join("\n"));
    assert_eq!(failed, 0, "{failed} failures:\n{}", report.join("\n"));
}

/// The media types `op`'s success responses declare in `doc`.
fn success_media(doc: &serde_json::Value, op: &operations::Operation) -> Vec<String> {
    let pointer = format!(
        "/paths/{}/{}/responses",
        op.path.replace('~', "~0").replace('/', "~1"),
        op.description.method.to_lowercase()
    );
    let responses = doc.pointer(&pointer).and_then(serde_json::Value::as_object);
    responses
        .into_iter()
        .flatten()
        .filter(|(status, _)| status.starts_with('2'))
        .flat_map(|(_, r)| r.get("content").and_then(serde_json::Value::as_object).into_iter().flatten())
        .map(|(media, _)| media.clone())
        .collect()
}

/// Prism's complaint that an array field of `op`'s multipart body is not an array.
fn is_repeated_part(op: &operations::Operation, error: &str) -> bool {
    let Some(Value::Object(body)) = op.arguments.body.as_ref().filter(|_| op.form.is_some()) else { return false };
    body.iter().any(|(name, value)| value.is_array() && error == format!("Request body property {name} must be array"))
}

/// The last `lines` lines of a log.
fn tail(log: &str, lines: usize) -> String {
    let all: Vec<&str> = log.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
