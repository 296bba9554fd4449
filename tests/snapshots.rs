//! Schema drift as a reviewable diff: for each vendor (every `specs/*/openapi.yaml`, found by
//! insta's `glob!`), a snapshot of the normalised API surface and one of the generated client
//! code.
//!
//! Run with `INSTA_UPDATE=no` in CI (`.ci/run`): a stale snapshot fails and nothing is written.
//! Maintainers accept changes with `cargo insta review`.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use api_codegen::SpecDir;
use workspace_tests::vendors;

fn prepared(spec: &Path) -> api_codegen::Prepared {
    api_codegen::load(&SpecDir::new(spec.parent().unwrap())).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn surface() {
    insta::glob!("../specs", "*/openapi.yaml", |spec| {
        insta::assert_yaml_snapshot!(api_codegen::surface::surface(&prepared(spec).doc));
    });
}

#[test]
fn generated_client() {
    insta::glob!("../specs", "*/openapi.yaml", |spec| {
        insta::assert_snapshot!(api_codegen::generate(&prepared(spec)).unwrap().client);
    });
}

/// `cargo insta test --unreferenced=reject`, without needing cargo-insta: every file in
/// `snapshots/` belongs to a test above, and none is pending review.
#[test]
fn no_unreferenced_or_pending_snapshots() {
    let expected: Vec<String> = vendors()
        .iter()
        .flat_map(|v| ["surface", "generated_client"].map(|test| format!("snapshots__{test}@{v}__openapi.yaml.snap")))
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".snap.new") && !name.ends_with(".pending-snap"), "{name} awaits `cargo insta review`");
        assert!(expected.contains(&name), "{name} is not referenced by any test: delete it");
    }
    for name in expected {
        assert!(dir.join(&name).is_file(), "{name} is missing: a vendor without snapshots");
    }
}
