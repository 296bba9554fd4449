//! Generates `tricky/`, a spec built to trip the generator, so that its client is compiled
//! and called by `tests/tricky_client.rs` like any vendor's; and the crafted specs
//! `deep_objects/`, `crafted_auth/` and `webhooks/`, whose clients `tests/deep_objects.rs`,
//! `tests/crafted_auth.rs` and `tests/webhooks.rs` call (`$OUT_DIR/<name>/client.rs`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    // A test crate, not a vendor client: every operation, no tag features.
    let tricky = api_codegen::build_whole_client("tricky");
    if tricky != ExitCode::SUCCESS {
        return tricky;
    }
    let (Some(manifest), Some(out)) = (std::env::var_os("CARGO_MANIFEST_DIR"), std::env::var_os("OUT_DIR")) else {
        eprintln!("error: cargo sets CARGO_MANIFEST_DIR and OUT_DIR");
        return ExitCode::FAILURE;
    };
    // Crafted specs, each with the test of the same name calling its client.
    for name in ["deep_objects", "crafted_auth", "webhooks"] {
        let dir = PathBuf::from(&manifest).join(name);
        println!("cargo::rerun-if-changed={}", dir.display());
        if let Err(error) = client_only(&dir, &PathBuf::from(&out).join(name)) {
            eprintln!("error: {name}: {error}");
            for line in error.lines() {
                println!("cargo::warning={name}: {line}");
            }
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// The client of the spec in `dir`, as `out/client.rs`, without the `mock` and `dispatch`
/// modules of its crate root: they include `$OUT_DIR/mock.rs` and `dispatch.rs`, which are
/// the tricky client's (this package's features turn them on).
fn client_only(dir: &Path, out: &Path) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
    api_codegen::generate_into(&api_codegen::SpecDir::new(dir), out).map_err(|e| e.to_string())?;
    let path = out.join("client.rs");
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let mut file: syn::File = syn::parse_str(&text).map_err(|e| e.to_string())?;
    file.items.retain(|item| !matches!(item, syn::Item::Mod(m) if m.ident == "mock" || m.ident == "dispatch"));
    let text = quote::ToTokens::to_token_stream(&file).to_string();
    std::fs::write(&path, text).map_err(|e| e.to_string())
}
