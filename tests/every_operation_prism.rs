//! Every operation of every vendor of `specs/` through Stoplight Prism running the vendor's
//! upstream document as vendored, with request validation on: each call, with arguments
//! synthesised from the spec, must pass validation (no 422, no 401) and its answer must
//! decode into the generated types. One Prism per vendor, calls in sequence.
#![allow(clippy::unwrap_used)]

// Shared with tests/every_operation.rs, which uses all of it.
#[allow(dead_code)]
mod operations;
mod prism;

use api_codegen::SpecDir;
use prism::Prism;
use workspace_tests::{KEY, spec_dir, vendors};

#[tokio::test(flavor = "multi_thread")]
async fn every_operation_of_every_vendor_passes_prism() {
    let found: Vec<&str> = demo::VENDORS.iter().map(|v| v.name).collect();
    assert_eq!(found, vendors(), "the demo package and specs/ disagree on the vendors");
    let mut report = Vec::new();
    let mut failed = 0;
    for vendor in demo::VENDORS {
        let plan = operations::plan(vendor);
        let prism = Prism::start(&SpecDir::new(spec_dir(vendor.name)).spec);
        let client = (vendor.connect_once)(&prism.url(), KEY).unwrap();
        let mut failures = plan.failures.clone();
        for op in &plan.calls {
            if let Err(e) = client.call(op.description.rust_name, &op.dispatch_args()).await {
                failures.push(format!("{}: {e}", op.label()));
            }
        }
        report.push(format!(
            "{}: {} operations through Prism, {} skipped by rules",
            vendor.name,
            plan.calls.len(),
            plan.skipped.len()
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

/// The last `lines` lines of a log.
fn tail(log: &str, lines: usize) -> String {
    let all: Vec<&str> = log.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
