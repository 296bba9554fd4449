//! The part of a client crate's `[features]` table derived from its spec: `full` and one
//! feature per tag, between two marker comments. `cargo xtask features` writes it; the build
//! script checks it, so a spec whose tags changed fails the build with one clear message.
//! Everything outside the markers (`default`, `mock`, …) is the crate's own and never touched.

use std::fmt::Write as _;

use crate::subset::Features;

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
fn find(manifest: &str) -> Option<std::ops::Range<usize>> {
    let start = manifest.find(BEGIN)?;
    let end = start + manifest[start..].find(END)? + END.len();
    let end = if manifest[end..].starts_with('\n') { end + 1 } else { end };
    Some(start..end)
}

/// `manifest` with its block replaced by the one for `features`; without a block, the block is
/// added at the end of the `[features]` table (which is created if missing).
pub fn write(manifest: &str, features: &Features) -> String {
    let block = block(features);
    if let Some(range) = find(manifest) {
        return format!("{}{block}{}", &manifest[..range.start], &manifest[range.end..]);
    }
    let Some(table) =
        manifest.find("\n[features]\n").map(|i| i + 1).or(manifest.starts_with("[features]\n").then_some(0))
    else {
        return format!("{}\n[features]\n{block}", manifest.trim_end_matches('\n').to_string() + "\n");
    };
    // The table ends where the next one starts (blank lines before it stay after the block).
    let body = table + "[features]\n".len();
    let end = manifest[body..].find("\n[").map_or(manifest.len(), |i| body + i + 1);
    let insert_at = body + manifest[body..end].trim_end_matches('\n').len();
    let insert_at = if insert_at > body { insert_at + 1 } else { insert_at };
    format!("{}{block}{}", &manifest[..insert_at], &manifest[insert_at..])
}

/// Whether `manifest`'s block is the one for `features`; the error says what differs and what
/// to run.
pub fn check(manifest: &str, features: &Features) -> Result<(), String> {
    let expected = block(features);
    let Some(range) = find(manifest) else {
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

    fn features(names: &[(&str, &str)]) -> Features {
        names.iter().map(|(f, t)| (f.to_string(), BTreeSet::from([t.to_string()]))).collect()
    }

    const MANIFEST: &str = "[package]\nname = \"x\"\n\n[features]\ndefault = [\"full\"]\nmock = [\"dep:httpmock\"]\n\n[dependencies]\nserde = \"1\"\n";

    #[test]
    fn written_table_keeps_fixed_features_and_checks() {
        let f = features(&[("authentication", "authentication"), ("log-drains", "logDrains")]);
        let written = write(MANIFEST, &f);
        assert!(written.contains("default = [\"full\"]\nmock = [\"dep:httpmock\"]\n# BEGIN"), "{written}");
        assert!(
            written.contains("# tag logDrains\nlog-drains = []\n# END tag features\n\n[dependencies]"),
            "{written}"
        );
        assert!(written.contains("full = [\n    \"authentication\",\n    \"log-drains\",\n]"), "{written}");
        check(&written, &f).unwrap();
        assert_eq!(write(&written, &f), written, "rewriting is stable");
    }

    #[test]
    fn a_stale_table_fails_with_what_to_run() {
        let old = write(MANIFEST, &features(&[("authentication", "authentication"), ("gone", "gone")]));
        let new = features(&[("authentication", "authentication"), ("log-drains", "logDrains")]);
        let err = check(&old, &new).unwrap_err();
        assert!(err.contains("no feature for log-drains"), "{err}");
        assert!(err.contains("no longer has: gone"), "{err}");
        assert!(err.contains("run `cargo xtask features`"), "{err}");
        check(&write(&old, &new), &new).unwrap();
    }

    #[test]
    fn a_manifest_without_block_fails() {
        let err = check(MANIFEST, &features(&[("a", "a")])).unwrap_err();
        assert!(err.contains("cargo xtask features"), "{err}");
    }

    #[test]
    fn a_manifest_without_features_table_gets_one() {
        let written = write("[package]\nname = \"x\"\n", &features(&[("a", "a")]));
        assert!(written.ends_with("[features]\n# BEGIN tag features: one per tag of the spec, written by `cargo xtask features`.\nfull = [\n    \"a\",\n]\na = []\n# END tag features\n"), "{written}");
    }
}
