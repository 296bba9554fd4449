//! `cargo xtask features`: writes each client crate's tag features (`full` and one feature per
//! tag of its spec) into `crates/<vendor>/Cargo.toml`, between the markers of
//! [`spec_tools::feature_table`]; `--check` writes nothing and lists the stale manifests (the
//! client's build script fails on a stale table too, saying to run this).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use api_codegen::SpecDir;
use spec_tools::feature_table;

/// Each vendor's manifest that is (with `check`) or was (without) not up to date.
pub fn run(root: &Path, check: bool) -> anyhow::Result<Vec<PathBuf>> {
    let mut stale = Vec::new();
    for vendor in crate::vendors(root)? {
        let prepared = api_codegen::load(&SpecDir::new(root.join("specs").join(&vendor)))?;
        let manifest = root.join("crates").join(&vendor).join("Cargo.toml");
        let old = std::fs::read_to_string(&manifest).with_context(|| format!("reading {}", manifest.display()))?;
        let new = feature_table::write(&old, &prepared.features);
        if new != old {
            if !check {
                std::fs::write(&manifest, new).with_context(|| format!("writing {}", manifest.display()))?;
            }
            stale.push(manifest);
        }
    }
    Ok(stale)
}
