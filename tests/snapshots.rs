//! Schema drift as a reviewable diff: for each vendor, a snapshot of the normalised API
//! surface and one of the generated client code.
//!
//! Run with `INSTA_UPDATE=no` in CI (`.ci/run`): a stale snapshot fails and nothing is written.
//! Maintainers accept changes with `cargo insta review`.
#![allow(clippy::unwrap_used)]

use api_codegen::SpecDir;
use workspace_tests::{VENDORS, spec_dir};

fn prepared(vendor: &str) -> api_codegen::Prepared {
    api_codegen::load(&SpecDir::new(spec_dir(vendor))).unwrap_or_else(|e| panic!("{e}"))
}

macro_rules! vendor_snapshots {
    ($($vendor:ident),*) => {$(
        mod $vendor {
            #[test]
            fn surface() {
                let prepared = super::prepared(stringify!($vendor));
                insta::assert_yaml_snapshot!("surface", api_codegen::surface::surface(&prepared.doc));
            }

            #[test]
            fn generated_client() {
                let generated = api_codegen::generate(&super::prepared(stringify!($vendor))).unwrap();
                insta::assert_snapshot!("client", generated.client);
            }
        }
    )*};
}

vendor_snapshots!(perplexity, cartesia, vercel);

/// `cargo insta test --unreferenced=reject`, without needing cargo-insta: every file in
/// `snapshots/` belongs to a test above, and none is pending review.
#[test]
fn no_unreferenced_or_pending_snapshots() {
    let expected: Vec<String> = VENDORS
        .iter()
        .flat_map(|v| [format!("snapshots__{v}__surface.snap"), format!("snapshots__{v}__client.snap")])
        .collect();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".snap.new") && !name.ends_with(".pending-snap"), "{name} awaits `cargo insta review`");
        assert!(expected.contains(&name), "{name} is not referenced by any test: delete it");
    }
}
