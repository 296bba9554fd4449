//! Maintainer tasks behind `cargo xtask`, as a library so they can be tested.

pub mod bench;
pub mod check_spec;
pub mod corpus;
pub mod credentials;
pub mod features;
pub mod fixtures;
pub mod measure;
pub mod refresh;
pub mod rules_table;
pub mod scratch;
pub mod snapshots;
pub mod vendor;

use std::path::PathBuf;

/// Runs a binary of another workspace package (`cargo run -p PACKAGE --bin BIN -- ARGS`) with
/// the cargo running us: what needs the client crates is built only when asked for, so xtask
/// itself never depends on them.
pub fn run_package(package: &str, bin: &str, release: bool, args: &[String]) -> std::io::Result<std::process::Output> {
    let mut command = scratch::cargo();
    command.args(["run", "--quiet", "--package", package, "--bin", bin]);
    if release {
        command.arg("--release");
    }
    command.arg("--").args(args).current_dir(workspace_root());
    command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::inherit()).output()
}

/// The vendors under `root`: every `specs/<vendor>/` holding an `openapi.yaml`, sorted. Each
/// has its client crate, named after it, in `crates/<vendor>`.
pub fn vendors(root: &std::path::Path) -> std::io::Result<Vec<String>> {
    let mut vendors = Vec::new();
    for entry in std::fs::read_dir(root.join("specs"))? {
        let entry = entry?;
        // `openapi.json` or `openapi.yaml` (vendored as served).
        if api_codegen::SpecDir::new(entry.path()).spec.is_file() {
            vendors.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    vendors.sort();
    Ok(vendors)
}

/// The workspace root (xtask lives one level down).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().map(PathBuf::from).unwrap_or_default()
}
