//! The whole of a client crate's `build.rs`.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::SpecDir;

/// Generates `$OUT_DIR/client.rs` and `$OUT_DIR/mock.rs` from `specs/<vendor>/`, a path
/// relative to the client crate's manifest directory.
///
/// Cargo reruns the build script only when the spec or the overlay changes. On failure it
/// prints one readable error (file, JSON pointer, problem) and fails the build: no panic.
pub fn build_client(spec_dir: &str) -> ExitCode {
    match run(spec_dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            // Also shown by cargo as a warning, so the reason is visible without -vv.
            println!("cargo::warning={}", message.replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

fn run(spec_dir: &str) -> Result<(), String> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?;
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let dir = SpecDir::new(PathBuf::from(manifest_dir).join(spec_dir));
    println!("cargo::rerun-if-changed={}", dir.spec.display());
    println!("cargo::rerun-if-changed={}", dir.overlay.display());

    let prepared = crate::load(&dir).map_err(|e| e.to_string())?;
    let generated = crate::generate(&prepared).map_err(|e| e.to_string())?;
    write_if_changed(&out_dir.join("client.rs"), &generated.client)?;
    write_if_changed(&out_dir.join("mock.rs"), &generated.mock)?;
    Ok(())
}

/// Leaves the file (and its mtime) alone when the content is the same.
fn write_if_changed(path: &std::path::Path, content: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    std::fs::write(path, content).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
