//! `cargo xtask features`: each client crate's tag features follow its spec; a stale table
//! fails the check here (so in CI) and the client's build script with one clear message.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use api_codegen::{Selection, SpecDir, generate_features};
use xtask::workspace_root;

/// A root with one vendor's spec folder and client manifest, copied from the workspace.
fn root_with(vendor: &str) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let from = workspace_root();
    let specs = root.path().join("specs").join(vendor);
    std::fs::create_dir_all(&specs).unwrap();
    for entry in std::fs::read_dir(from.join("specs").join(vendor)).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), specs.join(entry.file_name())).unwrap();
    }
    let crate_dir = root.path().join("crates").join(vendor);
    std::fs::create_dir_all(&crate_dir).unwrap();
    std::fs::copy(from.join("crates").join(vendor).join("Cargo.toml"), crate_dir.join("Cargo.toml")).unwrap();
    root
}

fn manifest(root: &Path, vendor: &str) -> String {
    std::fs::read_to_string(root.join("crates").join(vendor).join("Cargo.toml")).unwrap()
}

#[test]
fn the_workspace_tables_are_current() {
    let stale = xtask::features::run(&workspace_root(), true).unwrap();
    assert!(stale.is_empty(), "stale tag features in {stale:?}: run `cargo xtask features`");
}

#[test]
fn a_stale_table_fails_the_check_and_is_rewritten_keeping_other_features() {
    let root = root_with("vercel");
    let path = root.path().join("crates/vercel/Cargo.toml");
    let current = manifest(root.path(), "vercel");
    let stale = current.replace("authentication", "auth-tokens");
    std::fs::write(&path, &stale).unwrap();

    assert_eq!(xtask::features::run(root.path(), true).unwrap(), std::slice::from_ref(&path));
    assert_eq!(manifest(root.path(), "vercel"), stale, "--check writes nothing");

    assert_eq!(xtask::features::run(root.path(), false).unwrap(), [path]);
    let written = manifest(root.path(), "vercel");
    assert_eq!(written, current);
    assert!(written.contains("mock = [") && written.contains("default = [\"full\"]"), "{written}");
    assert!(xtask::features::run(root.path(), true).unwrap().is_empty());
}

#[test]
fn the_build_script_refuses_a_stale_table_with_one_clear_message() {
    let root = root_with("vercel");
    let path = root.path().join("crates/vercel/Cargo.toml");
    std::fs::write(&path, manifest(root.path(), "vercel").replace("authentication = []", "")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let dir = SpecDir::new(root.path().join("specs/vercel"));
    let err = generate_features(&dir, &path, &Selection::features(["full"]), out.path()).unwrap_err();
    assert!(matches!(err, api_codegen::BuildError::Features { .. }), "{err:?}");
    let err = err.to_string();
    assert!(err.contains("no feature for authentication"), "{err}");
    assert!(err.contains("run `cargo xtask features`"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!out.path().join("client.rs").exists(), "nothing generated");

    // With the table current, the selected tag's operations are generated.
    std::fs::write(&path, manifest(&workspace_root(), "vercel")).unwrap();
    let prepared = generate_features(&dir, &path, &Selection::features(["authentication"]), out.path()).unwrap();
    assert!(!prepared.model.operations.is_empty());
    assert!(out.path().join("client.rs").exists());
}
