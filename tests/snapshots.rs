//! Schema drift as a reviewable diff: for each vendor (every `specs/*/openapi.{yaml,json}`, found by
//! insta's `glob!`), a snapshot of the normalised API surface (every operation) and one of the
//! generated client code of its scenario's tags.
//!
//! Run with `INSTA_UPDATE=no` in CI (`.ci/run`): a stale snapshot fails and nothing is written.
//! Maintainers accept changes with `cargo insta review`.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use api_codegen::{Selection, SpecDir};
use workspace_tests::vendors;

fn prepared(spec: &Path) -> api_codegen::Prepared {
    api_codegen::load(&SpecDir::new(spec.parent().unwrap())).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn surface() {
    insta::glob!("../specs", "*/openapi.{yaml,json}", |spec| {
        insta::assert_yaml_snapshot!(spec_tools::surface::surface(&prepared(spec)));
    });
}

/// The generated code of a representative subset only: the tags of the operations of the
/// vendor's `scenario.toml` (the token flows the lifecycle, the demo and the contract check
/// call), so the repository holds no multi-megabyte snapshot of a whole API (the tags of every
/// secret-bearing operation of Vercel's whole document generate 6 MB). `surface` above covers
/// every operation. The code is what a crate depending on the client with its default features
/// compiles (no mock, dispatcher or both-ways serde).
#[test]
fn generated_client() {
    insta::glob!("../specs", "*/openapi.{yaml,json}", |spec| {
        let whole = prepared(spec);
        let by_operation = api_codegen::select::operation_features(&whole.doc);
        let scenario = std::fs::read_to_string(spec.with_file_name(demo::scenario::FILE)).unwrap();
        let scenario: demo::scenario::Scenario = toml::from_str(&scenario).unwrap();
        let features: Vec<&String> =
            scenario.calls.iter().flat_map(|call| by_operation.get(&call.operation).into_iter().flatten()).collect();
        assert!(!features.is_empty(), "{}: the scenario names no operation", spec.display());
        let mut subset =
            api_codegen::load_selected(&SpecDir::new(spec.parent().unwrap()), &Selection::features(features))
                .unwrap_or_else(|e| panic!("{e}"));
        insta::assert_snapshot!(
            api_codegen::generate_outputs(&mut subset, api_codegen::Outputs::CLIENT).unwrap().client
        );
    });
}

/// `cargo insta test --unreferenced=reject`, without needing cargo-insta: every file in
/// `snapshots/` belongs to a test above, and none is pending review.
#[test]
fn no_unreferenced_or_pending_snapshots() {
    let expected: Vec<String> = vendors()
        .iter()
        .flat_map(|v| {
            // The spec's own file name: `openapi.json` where the vendor serves JSON.
            let spec = api_codegen::SpecDir::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs").join(v)).spec;
            let file = spec.file_name().unwrap().to_string_lossy().into_owned();
            ["surface", "generated_client"].map(|test| format!("snapshots__{test}@{v}__{file}.snap"))
        })
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
