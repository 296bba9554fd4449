//! Build cost: a clean build of a generated client as a downstream dependency against a
//! hand-written client crate on the same runtime dependencies; and whether cargo reruns build
//! scripts only when a spec changed.

use std::path::Path;
use std::time::{Duration, Instant};

use super::{Row, millis};
use crate::scratch::{self, cargo};

/// Builds a throwaway crate from nothing (its own target directory) and times it.
fn clean_build(name: &str, extra_dependency: &str, lib: &str) -> anyhow::Result<Duration> {
    let dir = tempfile::tempdir()?;
    scratch::write_crate(dir.path(), name, extra_dependency, lib)?;
    let started = Instant::now();
    let status = cargo()
        .args(["build", "--offline", "--quiet"])
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", dir.path().join("target"))
        .status()?;
    anyhow::ensure!(status.success(), "building {name} failed");
    Ok(started.elapsed())
}

/// Build scripts cargo ran, from `cargo build -v` output.
fn build_scripts_run(root: &Path, vendors: &[String]) -> anyhow::Result<Vec<String>> {
    let out = cargo()
        .args(["build", "-v"])
        .args(vendors.iter().flat_map(|v| ["-p", v.as_str()]))
        .current_dir(root)
        .output()?;
    anyhow::ensure!(out.status.success(), "cargo build failed: {}", String::from_utf8_lossy(&out.stderr));
    let log = String::from_utf8_lossy(&out.stderr);
    Ok(log
        .lines()
        .filter(|l| l.contains("Running") && l.contains("build-script-build"))
        .filter_map(|l| l.split("/build/").nth(1).and_then(|rest| rest.split('-').next()).map(str::to_string))
        .collect())
}

pub fn run() -> anyhow::Result<Vec<Row>> {
    let root = crate::workspace_root();
    let vendors = crate::vendors(&root)?;
    // The largest spec makes the most code: the downstream build that costs most.
    let spec_size = |v: &String| {
        std::fs::metadata(api_codegen::SpecDir::new(root.join("specs").join(v)).spec).map_or(0, |m| m.len())
    };
    let largest = vendors.iter().max_by_key(|v| spec_size(v)).ok_or_else(|| anyhow::anyhow!("no vendor in specs/"))?;
    let handwritten = std::fs::read_to_string(root.join("xtask/bench-fixtures/handwritten/src/lib.rs"))?;
    let baseline = clean_build("handwritten-client", "", &handwritten)?;
    let generated = clean_build(
        "generated-client-user",
        &format!("{largest} = {{ path = \"{}\" }}\n", root.join("crates").join(largest).display()),
        &format!("pub use {largest}::Client;\n"),
    )?;
    let ratio = generated.as_secs_f64() / baseline.as_secs_f64();
    let mut rows = vec![Row {
        benchmark: format!("clean build: crate using `{largest}` vs hand-written client (same runtime deps)"),
        measured: millis(generated),
        baseline: millis(baseline),
        ratio: Some(ratio),
        target: "≤ 1.4".into(),
        met: Some(ratio <= 1.4),
    }];

    build_scripts_run(&root, &vendors)?;
    let noop = build_scripts_run(&root, &vendors)?;
    rows.push(Row {
        benchmark: "no-op rebuild: build scripts rerun".into(),
        measured: if noop.is_empty() { "none".into() } else { noop.join(", ") },
        baseline: String::new(),
        ratio: None,
        target: "none".into(),
        met: Some(noop.is_empty()),
    });

    let touched_vendor = &vendors[0];
    let spec = api_codegen::SpecDir::new(root.join("specs").join(touched_vendor)).spec;
    std::fs::File::options().append(true).open(&spec)?.set_modified(std::time::SystemTime::now())?;
    let touched = build_scripts_run(&root, &vendors)?;
    rows.push(Row {
        benchmark: format!("touch specs/{touched_vendor}/openapi.yaml: build scripts rerun"),
        measured: touched.join(", "),
        baseline: String::new(),
        ratio: None,
        target: format!("{touched_vendor} only"),
        met: Some(touched == [touched_vendor.as_str()]),
    });
    Ok(rows)
}
