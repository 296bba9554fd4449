//! The whole of a client crate's `build.rs`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::{Error, ErrorKind, Selection, SpecDir};

/// Why a client's build script failed, kept typed until it is printed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// cargo did not set a variable every build script gets.
    #[error("{0} is not set: run from a build script")]
    Environment(&'static str),
    #[error("{}: cannot read: {source}", manifest.display())]
    Manifest { manifest: PathBuf, source: std::io::Error },
    /// The crate's `[features]` do not list the spec's tags.
    #[error("{}: {problem} (the tags of {})", manifest.display(), spec.display())]
    Features { manifest: PathBuf, spec: PathBuf, problem: String },
    /// Every problem of the spec, located.
    #[error(transparent)]
    Spec(#[from] Error),
}

/// Generates `$OUT_DIR/client.rs`, `$OUT_DIR/mock.rs` and `$OUT_DIR/dispatch.rs` from `specs/<vendor>/`, a path
/// relative to the client crate's manifest directory.
///
/// Only the operations of the enabled tag features (`CARGO_FEATURE_*`) are generated, with
/// the types they reach; `mock.rs` (progenitor's second run, for httpmock) and `dispatch.rs`
/// only with the `mock` and `dispatch` features; serde both ways on every type only with
/// `serialize` and `deserialize` (see `type_uses`). The crate's `[features]` table must match the spec's tags (see
/// [`crate::select::feature_table`]); if it does not, the build fails saying to run
/// `cargo xtask features`.
///
/// Cargo reruns the build script only when the spec (with every file it references), the
/// overlay or the manifest changes (and when the enabled features change). On failure it prints every problem found, one readable
/// line each (file, JSON pointer, problem), and fails the build: no panic.
pub fn build_client(spec_dir: &str) -> ExitCode {
    report(run(spec_dir, true))
}

/// [`build_client`] generating every operation, whatever the features: for a crate that is not
/// a vendor client (a test crate compiling a spec of its own) and has no tag features.
pub fn build_whole_client(spec_dir: &str) -> ExitCode {
    report(run(spec_dir, false))
}

fn report(result: Result<(), BuildError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let message = error.to_string();
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

fn run(spec_dir: &str, per_feature: bool) -> Result<(), BuildError> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").ok_or(BuildError::Environment("CARGO_MANIFEST_DIR"))?;
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or(BuildError::Environment("OUT_DIR"))?);
    let manifest_dir = PathBuf::from(manifest_dir);
    let dir = manifest_dir.join(spec_dir);
    // `specs/x/overlay.yaml` reads better in an error than `crates/x/../../specs/x/…`.
    let dir = SpecDir::new(std::fs::canonicalize(&dir).unwrap_or(dir));
    println!("cargo::rerun-if-changed={}", dir.spec.display());
    println!("cargo::rerun-if-changed={}", dir.overlay.display());
    if !per_feature {
        let mut prepared = crate::load(&dir)?;
        rerun_if_sources_change(&prepared);
        return Ok(write_generated(&mut prepared, crate::emit::Outputs::ALL, &out_dir)?);
    }
    let manifest = manifest_path(&manifest_dir);
    println!("cargo::rerun-if-changed={}", manifest.display());
    let enabled =
        std::env::vars().filter_map(|(key, _)| key.strip_prefix("CARGO_FEATURE_").map(str::to_string)).collect();
    let feature = |name: &str| std::env::var_os(format!("CARGO_FEATURE_{name}")).is_some();
    let outputs = crate::emit::Outputs {
        mock: feature("MOCK"),
        dispatch: feature("DISPATCH"),
        serialize: feature("SERIALIZE"),
        deserialize: feature("DESERIALIZE"),
    };
    let prepared = generate_selected(&dir, &manifest, &Selection::Features(enabled), outputs, &out_dir)?;
    rerun_if_sources_change(&prepared);
    if prepared.model.operations.is_empty() {
        println!(
            "cargo::warning=no tag feature is enabled: the client has no operations (features: `full` or one per tag)"
        );
    }
    Ok(())
}

/// A multi-file document's other files count as the spec (cargo is told after generating,
/// which is when they are known; a failed build reruns anyway).
fn rerun_if_sources_change(prepared: &crate::Prepared) {
    for file in &prepared.sources {
        println!("cargo::rerun-if-changed={}", file.display());
    }
}

/// What [`build_client`] does once it has read cargo's environment: checks that `manifest`'s
/// tag features are the spec's, then generates the selected operations into `out_dir`.
pub fn generate_features(
    dir: &SpecDir,
    manifest: &Path,
    selection: &Selection,
    out_dir: &Path,
) -> Result<crate::Prepared, BuildError> {
    generate_selected(dir, manifest, selection, crate::emit::Outputs::ALL, out_dir)
}

/// [`generate_features`], with only the chosen optional outputs.
fn generate_selected(
    dir: &SpecDir,
    manifest: &Path,
    selection: &Selection,
    outputs: crate::emit::Outputs,
    out_dir: &Path,
) -> Result<crate::Prepared, BuildError> {
    let manifest_text = std::fs::read_to_string(manifest)
        .map_err(|source| BuildError::Manifest { manifest: manifest.to_path_buf(), source })?;
    let mut prepared = crate::load_selected(dir, selection)?;
    crate::select::feature_table::check(&manifest_text, &prepared.features).map_err(|problem| {
        BuildError::Features { manifest: manifest.to_path_buf(), spec: dir.spec.clone(), problem }
    })?;
    write_generated(&mut prepared, outputs, out_dir)?;
    Ok(prepared)
}

/// The manifest as written in the workspace: in a packaged crate cargo rewrites `Cargo.toml`
/// without comments (so without the markers) and keeps the original as `Cargo.toml.orig`.
fn manifest_path(manifest_dir: &Path) -> PathBuf {
    let original = manifest_dir.join("Cargo.toml.orig");
    if original.is_file() { original } else { manifest_dir.join("Cargo.toml") }
}

/// Loads, prepares and generates all of `dir`, writing `client.rs`, `mock.rs` and `dispatch.rs`
/// into `out_dir` (each only if its content changed, so dependants are not rebuilt for nothing).
pub fn generate_into(dir: &SpecDir, out_dir: &Path) -> Result<(), Error> {
    write_generated(&mut crate::load(dir)?, crate::emit::Outputs::ALL, out_dir)
}

fn write_generated(prepared: &mut crate::Prepared, outputs: crate::emit::Outputs, out_dir: &Path) -> Result<(), Error> {
    let generated = crate::generate_outputs(prepared, outputs)?;
    for (name, content) in
        [("client.rs", &generated.client), ("mock.rs", &generated.mock), ("dispatch.rs", &generated.dispatch)]
    {
        let path = out_dir.join(name);
        write_if_changed(&path, content).map_err(|e| Error::new(&path, "", ErrorKind::Io(e)))?;
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
