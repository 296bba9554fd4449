//! Build cost: a clean build of a downstream crate using only the token operations of the
//! largest client against a hand-written client crate on the same runtime dependencies; the
//! same crate then switched to the whole client (time and peak memory of that step); and
//! whether cargo reruns build scripts only when a spec changed.

use std::path::Path;
use std::time::{Duration, Instant};

use super::{Row, millis};
use crate::scratch::{self, cargo};

/// Issue 27's target for the token-only client's clean build against the hand-written one.
const TOKEN_ONLY_RATIO: f64 = 1.2;
/// Targets for the whole client's own build step on a 2-core machine.
const FULL_BUILD_SECONDS: u64 = 60;
const FULL_BUILD_BYTES: u64 = 3 << 30;

/// Builds the crate in `dir` (its own target directory) and times it.
fn build(dir: &Path, name: &str) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let status = cargo()
        .args(["build", "--offline", "--quiet"])
        .current_dir(dir)
        // What a downstream crate gets: cargo's default dev profile, debug info included.
        .env_remove("CARGO_PROFILE_DEV_DEBUG")
        .env_remove("CARGO_INCREMENTAL")
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .status()?;
    anyhow::ensure!(status.success(), "building {name} failed");
    Ok(started.elapsed())
}

/// Builds a throwaway crate from nothing and times it.
fn clean_build(name: &str, extra_dependency: &str, lib: &str) -> anyhow::Result<Duration> {
    let dir = tempfile::tempdir()?;
    scratch::write_crate(dir.path(), name, extra_dependency, lib)?;
    build(dir.path(), name)
}

/// The features of `vendor` the token lifecycle crate enables: the token operations.
fn token_features(root: &Path, vendor: &str) -> anyhow::Result<Vec<String>> {
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("crates/token-lifecycle/Cargo.toml"))?)?;
    let features = manifest
        .get("dependencies")
        .and_then(|d| d.get(vendor))
        .and_then(|d| d.get("features"))
        .and_then(toml::Value::as_array)
        .ok_or_else(|| anyhow::anyhow!("crates/token-lifecycle/Cargo.toml names no features of {vendor}"))?;
    Ok(features.iter().filter_map(toml::Value::as_str).map(str::to_string).collect())
}

/// A dependency line on the workspace's `vendor` crate with only `features`.
fn dependency(root: &Path, vendor: &str, features: &[String]) -> String {
    let path = toml::Value::String(root.join("crates").join(vendor).display().to_string());
    let features = toml::Value::Array(features.iter().cloned().map(toml::Value::String).collect());
    format!("{vendor} = {{ path = {path}, default-features = false, features = {features} }}\n")
}

fn gib(bytes: u64) -> String {
    format!("{:.2} GiB", bytes as f64 / f64::from(1u32 << 30))
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

    // A downstream crate using only the token operations, built from nothing.
    let tokens = token_features(&root, largest)?;
    let user = tempfile::tempdir()?;
    let lib = format!("pub use {largest}::Client;\n");
    scratch::write_crate(user.path(), "client-user", &dependency(&root, largest, &tokens), &lib)?;
    let token_only = build(user.path(), "client-user")?;
    let ratio = token_only.as_secs_f64() / baseline.as_secs_f64();
    let mut rows = vec![Row {
        benchmark: format!(
            "clean build: crate using `{largest}` with features {tokens:?} vs hand-written client (same runtime deps)"
        ),
        measured: millis(token_only),
        baseline: millis(baseline),
        ratio: Some(ratio),
        target: format!("≤ {TOKEN_ONLY_RATIO}"),
        met: Some(ratio <= TOKEN_ONLY_RATIO),
    }];

    // The same crate switched to the whole client: what that step costs on top.
    let before = crate::measure::peak_child_memory();
    scratch::write_crate(user.path(), "client-user", &dependency(&root, largest, &["full".into()]), &lib)?;
    let full = build(user.path(), "client-user")?;
    let after = crate::measure::peak_child_memory();
    let peak = match (before, after) {
        (Some(before), Some(after)) if after > before => Some(after),
        _ => None,
    };
    rows.push(Row {
        benchmark: format!(
            "whole `{largest}` client (feature `full`): its build script and compile, dependencies built"
        ),
        measured: format!(
            "{}, peak {}",
            millis(full),
            peak.map_or_else(|| format!("≤ {}", before.map_or("?".into(), gib)), gib)
        ),
        baseline: String::new(),
        ratio: None,
        target: format!("≤ {FULL_BUILD_SECONDS} s, ≤ {}", gib(FULL_BUILD_BYTES)),
        met: Some(full <= Duration::from_secs(FULL_BUILD_SECONDS) && after.is_some_and(|a| a <= FULL_BUILD_BYTES)),
    });

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
