//! A downstream crate can take a client from a registry: `cargo package` packs every client
//! crate and the shared crates it needs, and a packed client builds on its own, offline, from
//! its `.crate` alone (its spec and overlay inside it), with the shared crates also taken from
//! their `.crate` files, as a registry would serve them.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Output;

use serde_json::Value;

/// The crates a client needs from this workspace, besides itself.
const SHARED: [&str; 2] = ["api-runtime", "api-codegen"];

fn run(command: &mut std::process::Command) -> Output {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Each workspace package's version, by name.
fn versions() -> std::collections::BTreeMap<String, String> {
    let out = run(xtask::scratch::cargo()
        .args(["metadata", "--format-version", "1", "--offline", "--no-deps"])
        .current_dir(xtask::workspace_root()));
    let metadata: Value = serde_json::from_slice(&out.stdout).unwrap();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_string(), p["version"].as_str().unwrap().to_string()))
        .collect()
}

/// The client with the smallest spec: the cheapest to build, and enough to prove the point.
fn smallest_client(root: &Path, vendors: &[String]) -> String {
    let size = |vendor: &String| -> u64 {
        std::fs::read_dir(root.join("specs").join(vendor))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_stem().is_some_and(|s| s == "openapi"))
            .map(|p| p.metadata().unwrap().len())
            .sum()
    };
    vendors.iter().min_by_key(|v| size(v)).unwrap().clone()
}

/// Unpacks `crate_file` into `into` (`-m`: fresh mtimes, so cargo rebuilds what changed even
/// though cargo package stamps every file with one fixed time).
fn unpack(crate_file: &Path, into: &Path) {
    run(std::process::Command::new("tar").arg("-xzmf").arg(crate_file).arg("-C").arg(into));
}

/// `cargo build --offline` of `package` in the unpacked workspace.
fn build(dir: &Path, target: &Path, package: &str) -> Output {
    xtask::scratch::cargo()
        .args(["build", "--offline", "--quiet", "--package", package])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .unwrap()
}

#[test]
fn every_client_packages_and_a_packed_client_builds_offline_on_its_own() {
    let root = xtask::workspace_root();
    let vendors = xtask::vendors(&root).unwrap();
    let versions = versions();
    // The scratch target directory of the other xtask tests (cargo holds the workspace's while
    // tests run; test binaries run one after another): dependencies are built once for all.
    let scratch = xtask::scratch::target_dir().join("decoupling-check");
    let target = scratch.join("target");

    // Every client crate and the shared crates, packed together (`cargo package` resolves each
    // packed manifest against a registry overlay holding the others). Not verified here: the
    // build below is the verification, once, for the smallest client.
    let mut package = xtask::scratch::cargo();
    package.args(["package", "--offline", "--no-verify", "--allow-dirty", "--target-dir"]).arg(&target);
    for name in SHARED.iter().map(|s| s.to_string()).chain(vendors.iter().cloned()) {
        package.args(["--package", &name]);
    }
    run(package.current_dir(&root));
    let crate_file = |name: &str| target.join("package").join(format!("{name}-{}.crate", versions[name]));
    for vendor in &vendors {
        assert!(crate_file(vendor).is_file(), "{} was not packed", crate_file(vendor).display());
    }

    // The smallest client and the shared crates, unpacked side by side into a workspace of
    // their own that takes the shared crates from their packages instead of a registry
    // (`[patch]`), with this workspace's lockfile so `--offline` finds every dependency in
    // cargo's cache.
    let client = smallest_client(&root, &vendors);
    let unpacked = scratch.join("packaged");
    let _ = std::fs::remove_dir_all(&unpacked);
    std::fs::create_dir_all(&unpacked).unwrap();
    let dir = |name: &str| format!("{name}-{}", versions[name]);
    let mut manifest =
        format!("[workspace]\nresolver = \"3\"\nmembers = [\"{}\"]\n\n[patch.crates-io]\n", dir(&client));
    for name in SHARED {
        unpack(&crate_file(name), &unpacked);
        manifest.push_str(&format!("{name} = {{ path = \"{}\" }}\n", dir(name)));
    }
    manifest.push_str("\n[profile.dev.package.\"*\"]\ndebug = false\n");
    unpack(&crate_file(&client), &unpacked);
    std::fs::write(unpacked.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(root.join("Cargo.lock"), unpacked.join("Cargo.lock")).unwrap();

    // What a registry serves names no path: the packed manifest depends on the shared crates
    // by version only.
    let packed: toml::Table =
        toml::from_str(&std::fs::read_to_string(unpacked.join(dir(&client)).join("Cargo.toml")).unwrap()).unwrap();
    let runtime = &packed["dependencies"]["api-runtime"];
    assert!(runtime.get("path").is_none() && runtime.get("version").is_some(), "{runtime:?}");
    let spec = unpacked.join(dir(&client)).join("spec");
    assert!(spec.join("overlay.yaml").is_file() && !spec.is_symlink(), "the spec did not travel: {}", spec.display());

    let out = build(&unpacked, &target, &client);
    assert!(
        out.status.success(),
        "the packed {client} does not build on its own:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // And it is the packed spec that it builds from: without it the build fails.
    std::fs::remove_dir_all(&spec).unwrap();
    let out = build(&unpacked, &target, &client);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("spec"), "built without its spec:\n{stderr}");
    let _ = std::fs::remove_dir_all(&unpacked);
}
