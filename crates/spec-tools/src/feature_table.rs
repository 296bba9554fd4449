//! Writes the tag-feature block of a client crate's `[features]` table (`cargo xtask
//! features`); the build script only checks it (`api_codegen::select::feature_table::check`).

use api_codegen::select::Features;
use api_codegen::select::feature_table::{block, block_range};

/// `manifest` with its block replaced by the one for `features`; without a block, the block is
/// added at the end of the `[features]` table (which is created if missing).
pub fn write(manifest: &str, features: &Features) -> String {
    let block = block(features);
    if let Some(range) = block_range(manifest) {
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use api_codegen::select::feature_table::check;

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
