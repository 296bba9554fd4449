//! The whole of a client crate's `build.rs`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::SpecDir;

/// Generates `$OUT_DIR/client.rs`, `$OUT_DIR/mock.rs` and `$OUT_DIR/dispatch.rs` from `specs/<vendor>/`, a path
/// relative to the client crate's manifest directory.
///
/// Cargo reruns the build script only when the spec or the overlay changes. On failure it
/// prints every problem found, one readable line each (file, JSON pointer, problem), and
/// fails the build: no panic.
pub fn build_client(spec_dir: &str) -> ExitCode {
    match run(spec_dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            // Also shown by cargo as warnings (one per problem), so the reasons are visible
            // without -vv.
            for line in message.lines() {
                println!("cargo::warning={line}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(spec_dir: &str) -> Result<(), String> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?;
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let dir = PathBuf::from(manifest_dir).join(spec_dir);
    // `specs/x/overlay.yaml` reads better in an error than `crates/x/../../specs/x/…`.
    let dir = SpecDir::new(std::fs::canonicalize(&dir).unwrap_or(dir));
    println!("cargo::rerun-if-changed={}", dir.spec.display());
    println!("cargo::rerun-if-changed={}", dir.overlay.display());
    generate_into(&dir, &out_dir).map_err(|e| e.to_string())
}

/// Loads, prepares and generates `dir`, writing `client.rs`, `mock.rs` and `dispatch.rs` into `out_dir`
/// (each only if its content changed, so dependants are not rebuilt for nothing).
pub fn generate_into(dir: &SpecDir, out_dir: &Path) -> Result<(), crate::Error> {
    let prepared = crate::load(dir)?;
    let generated = crate::generate(&prepared)?;
    for (name, content) in
        [("client.rs", &generated.client), ("mock.rs", &generated.mock), ("dispatch.rs", &generated.dispatch)]
    {
        let path = out_dir.join(name);
        write_if_changed(&path, content).map_err(|e| crate::Error::new(&path, "", crate::ErrorKind::Io(e)))?;
    }
    Ok(())
}

/// Leaves the file (and its mtime) alone when the content is the same.
fn write_if_changed(path: &Path, content: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    std::fs::write(path, content)
}
