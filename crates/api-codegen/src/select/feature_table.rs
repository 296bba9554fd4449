//! The part of a client crate's `[features]` table derived from its spec: `full` and one
//! feature per tag, between two marker comments. `cargo xtask features` writes it (with
//! `spec_tools::feature_table::write`); the build script checks it, so a spec whose tags changed fails the build with one clear message.
//! Everything outside the markers (`default`, `mock`, …) is the crate's own and never touched.

use std::fmt::Write as _;

use crate::select::Features;

pub const BEGIN: &str = "# BEGIN tag features: one per tag of the spec, written by `cargo xtask features`.";
pub const END: &str = "# END tag features";
/// The feature enabling every tag feature.
pub const FULL: &str = "full";

/// The block, markers included, for `features`.
pub fn block(features: &Features) -> String {
    let mut out = format!("{BEGIN}\n{FULL} = [");
    if !features.is_empty() {
        out.push('\n');
        for name in features.keys() {
            let _ = writeln!(out, "    \"{name}\",");
        }
    }
    out.push_str("]\n");
    for (name, tags) in features {
        let tags: Vec<&str> = tags.iter().map(String::as_str).filter(|t| t != name).collect();
        if !tags.is_empty() {
            let _ = writeln!(out, "# tag {}", tags.join(", "));
        }
        let _ = writeln!(out, "{name} = []");
    }
    out.push_str(END);
    out.push('\n');
    out
}

/// The byte range of the block (markers and the end marker's newline included), if present.
pub fn block_range(manifest: &str) -> Option<std::ops::Range<usize>> {
    let start = manifest.find(BEGIN)?;
    let end = start + manifest[start..].find(END)? + END.len();
    let end = if manifest[end..].starts_with('\n') { end + 1 } else { end };
    Some(start..end)
}

/// Whether `manifest`'s block is the one for `features`; the error says what differs and what
/// to run.
pub fn check(manifest: &str, features: &Features) -> Result<(), String> {
    let expected = block(features);
    let Some(range) = block_range(manifest) else {
        return Err(format!(
            "the [features] table has no tag features (no `{BEGIN}` block): run `cargo xtask features`"
        ));
    };
    if manifest[range.clone()] == expected {
        return Ok(());
    }
    let declared = declared(&manifest[range]);
    let missing: Vec<&str> = features.keys().map(String::as_str).filter(|f| !declared.contains(f)).collect();
    let stale: Vec<&str> = declared.iter().copied().filter(|f| *f != FULL && !features.contains_key(*f)).collect();
    let mut problems = Vec::new();
    if !missing.is_empty() {
        problems.push(format!("no feature for {}", missing.join(", ")));
    }
    if !stale.is_empty() {
        problems.push(format!("features for tags the spec no longer has: {}", stale.join(", ")));
    }
    if problems.is_empty() {
        problems.push("the tag features block differs from the one the spec gives (edited by hand?)".into());
    }
    Err(format!(
        "the [features] table does not match the spec's tags ({}): run `cargo xtask features`",
        problems.join("; ")
    ))
}

/// Feature names defined in a block (`name = …` lines).
fn declared(block: &str) -> Vec<&str> {
    block
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && l.contains(" = "))
        .filter_map(|l| l.split(" = ").next())
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn a_manifest_without_block_fails() {
        let features: Features = [("a".to_string(), BTreeSet::from(["a".to_string()]))].into_iter().collect();
        let err = check("[package]\nname = \"x\"\n[features]\n", &features).unwrap_err();
        assert!(err.contains("cargo xtask features"), "{err}");
    }
}
