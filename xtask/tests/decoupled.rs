//! The maintainer's tools and the clients stay apart, both ways: `cargo xtask refresh` and
//! `check-spec` never depend on a client building (they must run exactly when an overlay no
//! longer applies and a client crate fails), and no client's build compiles the maintainer's
//! tools (`spec-tools`: surface, drift, examples), which a downstream crate would pay for.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;

/// `cargo metadata` of this workspace for this machine's target (no build, no network: the
/// packages of other platforms, never downloaded here, are left out).
fn metadata() -> Value {
    let rustc = std::process::Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .arg("-vV")
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&rustc.stdout).into_owned();
    let host = info.lines().find_map(|l| l.strip_prefix("host: ")).expect("rustc -vV names the host").to_string();
    let out = xtask::scratch::cargo()
        .args(["metadata", "--format-version", "1", "--offline", "--filter-platform", &host])
        .current_dir(xtask::workspace_root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The client crates: workspace members in `crates/<vendor>` for each `specs/<vendor>/`.
fn client_crates(metadata: &Value) -> BTreeMap<String, String> {
    let root = xtask::workspace_root().canonicalize().unwrap();
    let members: BTreeSet<&str> =
        metadata["workspace_members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    let mut clients = BTreeMap::new();
    for package in metadata["packages"].as_array().unwrap() {
        let id = package["id"].as_str().unwrap();
        let manifest = PathBuf::from(package["manifest_path"].as_str().unwrap()).canonicalize().unwrap();
        let dir = manifest.parent().unwrap();
        let folder = dir.file_name().unwrap().to_string_lossy().into_owned();
        if members.contains(id) && dir == root.join("crates").join(&folder) && root.join("specs").join(&folder).is_dir()
        {
            clients.insert(id.to_string(), package["name"].as_str().unwrap().to_string());
        }
    }
    clients
}

/// Every package `from` needs to build (normal and build dependencies, transitively).
fn build_closure(metadata: &Value, from: &str) -> BTreeSet<String> {
    let nodes: BTreeMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| (node["id"].as_str().unwrap(), node))
        .collect();
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_string()];
    while let Some(id) = stack.pop() {
        for dep in nodes[id.as_str()]["deps"].as_array().unwrap() {
            let builds = dep["dep_kinds"].as_array().unwrap().iter().any(|k| k["kind"].as_str() != Some("dev"));
            let dep_id = dep["pkg"].as_str().unwrap().to_string();
            if builds && seen.insert(dep_id.clone()) {
                stack.push(dep_id);
            }
        }
    }
    seen
}

fn package_id(metadata: &Value, name: &str) -> String {
    let packages = metadata["packages"].as_array().unwrap();
    packages.iter().find(|p| p["name"] == name).map(|p| p["id"].as_str().unwrap().to_string()).unwrap()
}

#[test]
fn xtask_builds_without_any_client_crate() {
    let metadata = metadata();
    let clients = client_crates(&metadata);
    assert!(clients.len() >= 3, "no client crates found: {clients:?}");
    let needed = build_closure(&metadata, &package_id(&metadata, "xtask"));
    let linked: Vec<&String> = clients.iter().filter(|(id, _)| needed.contains(*id)).map(|(_, name)| name).collect();
    assert!(linked.is_empty(), "xtask needs {linked:?} to build: a broken client would stop `cargo xtask refresh`");
}

/// What only the maintainer's tools need: their crate and the example synthesis it carries.
const MAINTAINER_ONLY: &[&str] = &["spec-tools", "rand_regex", "rand_xorshift"];

#[test]
fn no_client_build_compiles_maintainer_tools() {
    let metadata = metadata();
    let clients = client_crates(&metadata);
    assert!(clients.len() >= 3, "no client crates found: {clients:?}");
    let names: BTreeMap<&str, &str> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    assert!(names.values().any(|n| *n == "spec-tools"), "the spec-tools crate is missing from the workspace");
    for (id, client) in &clients {
        let needed: BTreeSet<&str> = build_closure(&metadata, id).iter().map(|dep| names[dep.as_str()]).collect();
        let tools: Vec<&&str> = MAINTAINER_ONLY.iter().filter(|tool| needed.contains(**tool)).collect();
        assert!(tools.is_empty(), "building `{client}` compiles {tools:?}, which only the maintainer's tools need");
    }
}

/// The real thing: in a copy of the workspace where every client crate fails to compile,
/// `cargo xtask refresh --check` still builds, fetches (from a mirror of the real upstream
/// copies) and reports. The copy sits at a fixed place in the target directory, so later runs
/// rebuild only what changed.
#[test]
fn refresh_check_runs_with_every_client_broken() {
    let target = xtask::scratch::target_dir();
    // A target directory of its own: cargo holds the workspace's while this test runs. The
    // copy's path is shared with `vendor_add.rs` (see there).
    let scratch = target.join("decoupling-check");
    let copy = scratch.join("workspace");
    let _ = std::fs::remove_dir_all(&copy);
    xtask::scratch::copy_workspace(&copy).unwrap();
    let vendors = xtask::vendors(&copy).unwrap();
    for vendor in &vendors {
        let lib = copy.join("crates").join(vendor).join("src/lib.rs");
        let mut text = std::fs::read_to_string(&lib).unwrap();
        text.push_str("\ncompile_error!(\"this client is deliberately broken\");\n");
        std::fs::write(&lib, text).unwrap();
    }
    let mirror = tempfile::tempdir().unwrap();
    xtask::fixtures::write_mirror(mirror.path()).unwrap();

    let out = xtask::scratch::cargo()
        .args(["run", "--offline", "--locked", "--quiet", "--package", "xtask", "--", "refresh", "--check", "--mirror"])
        .arg(mirror.path())
        .current_dir(&copy)
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "refresh --check did not run to a verdict ({}):\n{stdout}\n{stderr}",
        out.status
    );
    for vendor in &vendors {
        assert!(stderr.contains(&format!("  {vendor} ")), "no line for {vendor}:\n{stderr}");
    }
    assert!(!stderr.contains("FAILED"), "{stderr}");

    // And the broken clients really are broken: the demo package, which needs them, fails.
    let demo = xtask::scratch::cargo()
        .args(["check", "--offline", "--locked", "--quiet", "--package", "demo"])
        .current_dir(&copy)
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .output()
        .unwrap();
    assert!(!demo.status.success(), "the clients were not broken");
    assert!(String::from_utf8_lossy(&demo.stderr).contains("deliberately broken"));
}
