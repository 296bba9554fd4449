//! Maintainer tasks behind `cargo xtask`, as a library so they can be tested.

pub mod bench;
pub mod check_spec;
pub mod demo;
pub mod fixtures;
pub mod refresh;
pub mod scratch;
mod wire;

use std::path::PathBuf;

/// The workspace root (xtask lives one level down).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().map(PathBuf::from).unwrap_or_default()
}
