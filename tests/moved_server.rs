//! Every operation of every vendor against a server that moved on (issue 24's tolerant
//! reader): each success answer carries a value the spec does not list in every enum the
//! client opens, a field it does not list in every object, and, in a second answer, an
//! alternative it does not list in every union ([`spec_tools::drifted_answers`]). Every stream
//! carries both, and an event of a type the spec does not list. Every call must decode, every
//! stream must reach its end with each item delivered or passed over, and no answer may show
//! a secret. Part of the `every_operation` test binary (`mod moved_server;`).

use std::sync::{Arc, Mutex, PoisonError};

use demo::{Caller, Vendor};
use loopback::{Reply, Server};
use serde_json::{Value, json};
use spec_tools::drifted_answers::{ADDED_FIELD, Drift, Drifter};
use spec_tools::examples::{self, Response};
use workspace_tests::KEY;

use crate::operations::{self, Operation};

/// The event type no stream lists.
const UNLISTED_EVENT: &str = "drift-unlisted-event";

#[tokio::test]
async fn every_operation_of_every_vendor_reads_what_a_moved_server_sends() {
    let mut report = Vec::new();
    let mut failed = 0;
    for vendor in demo::VENDORS {
        let (answers, streams, failures) = check_vendor(vendor).await;
        report.push(format!("{}: {answers} drifted answers decoded, {streams} drifted streams read", vendor.name));
        assert!(answers > 0, "{}: no answer drifted", vendor.name);
        failed += failures.len();
        report.extend(failures.into_iter().map(|f| format!("  {}: {f}", vendor.name)));
    }
    eprintln!("{}", report.join("\n"));
    assert_eq!(failed, 0, "{failed} failures:\n{}", report.join("\n"));
}

/// (answers checked, streams checked, failures).
async fn check_vendor(vendor: &Vendor) -> (usize, usize, Vec<String>) {
    let plan = operations::plan(vendor);
    let doc = &plan.prepared.doc;
    let drifter = Drifter::new(doc);
    let next: Arc<Mutex<Reply>> = Arc::new(Mutex::new(Reply::status(500)));
    let answer = Arc::clone(&next);
    let server = Server::start(move |_| answer.lock().unwrap_or_else(PoisonError::into_inner).clone()).await.unwrap();
    let client = (vendor.connect_once)(&server.url(), KEY).unwrap();
    let (mut answers, mut streams, mut failures) = (0, 0, Vec::new());
    for op in &plan.calls {
        let successes = op.responses.iter().filter(|r| (200..300).contains(&r.status));
        let sent = successes.map(|r| (op.description.rust_name.to_string(), r));
        let streamed = op.stream.as_ref().and_then(|(_, r)| Some((op.stream_method()?, r)));
        for (method, response) in sent.chain(streamed) {
            let Some(schema) = schema(doc, op, response) else { continue };
            let Some(body) = &response.body else { continue };
            let media = response.content_type.as_deref().unwrap_or_default();
            let call = |reply: Reply| call(client.as_ref(), &server, &next, op, &method, reply);
            let values = drifter.drift(schema, body, Drift::Values);
            let variants = drifter.drift(schema, body, Drift::Variants);
            if examples::framed(media, body).is_some() {
                streams += 1;
                let wire = [&values, &variants].map(|item| examples::framed(media, item).unwrap_or_default()).concat()
                    + &unlisted_event(media);
                let problem = match call(Reply::bytes(media, wire)).await {
                    Ok(answer) if delivered(&answer) + answer.passed_over == 3 => continue,
                    Ok(answer) => format!("the drifted stream lost items: {answer:?}"),
                    Err(e) => format!("the drifted stream failed: {e}"),
                };
                failures.push(format!("{}: {problem}", op.label()));
                continue;
            }
            for (drift, drifted) in [("values", &values), ("variants", &variants)] {
                if drift == "variants" && variants == values {
                    continue;
                }
                answers += 1;
                let problem = match call(Reply::json(response.status, drifted.to_string())).await {
                    Ok(answer) if answer.shown.contains(examples::SECRET_SENTINEL) || answer.shown.contains(KEY) => {
                        format!("drifted {drift}: the answer shows a secret: {}", answer.shown)
                    }
                    Ok(_) => continue,
                    Err(e) => format!("drifted {drift} do not decode: {e}\n    sent {drifted}"),
                };
                failures.push(format!("{} HTTP {}: {problem}", op.label(), response.status));
            }
        }
    }
    (answers, streams, failures)
}

/// One call answered with `reply`: exactly one request, its answer.
async fn call(
    client: &dyn Caller,
    server: &Server,
    next: &Mutex<Reply>,
    op: &Operation,
    method: &str,
    reply: Reply,
) -> Result<demo::Answer, String> {
    *next.lock().unwrap_or_else(PoisonError::into_inner) = reply;
    let before = server.requests().len();
    let result = client.call(method, &op.dispatch_args()).await;
    match server.requests().len() - before {
        1 => result.map_err(|e| e.to_string()),
        sent => Err(format!("{sent} requests sent, not one")),
    }
}

/// Items a stream delivered.
fn delivered(answer: &demo::Answer) -> u64 {
    answer.pointer("").and_then(Value::as_array).map_or(0, |items| items.len() as u64)
}

/// An event of a type the spec does not list, as `media_type` frames it (an SSE event also
/// names it).
fn unlisted_event(media_type: &str) -> String {
    let item = json!({"type": UNLISTED_EVENT, ADDED_FIELD: {"added": true}});
    match examples::framed(media_type, &item) {
        Some(framed) if framed.starts_with("data:") => format!("event: {UNLISTED_EVENT}\n{framed}"),
        Some(framed) => framed,
        None => String::new(),
    }
}

/// The schema of a success answer's media type, in the prepared document.
fn schema<'d>(doc: &'d Value, op: &Operation, response: &Response) -> Option<&'d Value> {
    let media = response.content_type.as_deref()?;
    let responses = doc.pointer(&op.pointer)?.get("responses")?;
    let declared = api_codegen::doc::Spec::new(doc).resolved(responses.get(response.status.to_string())?);
    declared.get("content")?.get(media)?.get("schema")
}
