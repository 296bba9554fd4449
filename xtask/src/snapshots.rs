//! The insta snapshots of `tests/snapshots.rs` for one vendor, recorded the way insta records
//! them (its own YAML serialiser, its file layout), so a vendor added by `cargo xtask vendor
//! add` passes the snapshot tests at once, under `INSTA_UPDATE=no`, without `cargo insta
//! accept`. `xtask/tests/vendor_add.rs` checks that the test accepts what is written here.

use std::path::{Path, PathBuf};

use api_codegen::SpecDir;

/// Where `tests/snapshots.rs` keeps its snapshots, relative to the workspace root.
pub const DIR: &str = "tests/snapshots";

/// The file insta's `glob!` names for `test` (a test function of `tests/snapshots.rs`) and
/// the vendor's spec file: `snapshots__surface@acme__openapi.yaml.snap`.
pub fn file_name(test: &str, vendor: &str, spec: &Path) -> String {
    let spec = spec.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    format!("snapshots__{test}@{vendor}__{spec}.snap")
}

/// The operations `scenario.toml` beside the spec calls (`[[call]] operation = …`). Read here
/// rather than with the `demo` package's `Scenario`: xtask depends on no crate that needs the
/// clients to compile, and only the operation names matter.
fn scenario_operations(dir: &SpecDir) -> anyhow::Result<Vec<String>> {
    let path = dir.spec.with_file_name("scenario.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let scenario: toml::Table = toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(scenario
        .get("call")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|call| call.get("operation").and_then(toml::Value::as_str).map(str::to_string))
        .collect())
}

/// The two snapshots of the vendor in `dir` (the surface of the whole document, as YAML, and
/// the generated client code of the tags its scenario calls), as `(file name, file content)`:
/// what the tests of `tests/snapshots.rs` compute, in one place here.
pub fn render(vendor: &str, dir: &SpecDir) -> anyhow::Result<Vec<(String, String)>> {
    let prepared = api_codegen::load(dir)?;
    let by_operation = api_codegen::select::operation_features(&prepared.doc);
    let features: Vec<&String> =
        scenario_operations(dir)?.iter().flat_map(|op| by_operation.get(op).into_iter().flatten()).collect();
    anyhow::ensure!(!features.is_empty(), "{}: the scenario names no operation", dir.spec.display());
    let mut subset = api_codegen::load_selected(dir, &api_codegen::Selection::features(features))?;
    let client = api_codegen::generate_outputs(&mut subset, api_codegen::Outputs::CLIENT)?.client;
    let surface = spec_tools::surface::surface(&prepared);
    // insta's own serialiser, the one `assert_yaml_snapshot!` uses: its quoting is what the
    // test compares against.
    let surface = insta::_macro_support::serialize_value(&surface, insta::_macro_support::SerializationFormat::Yaml);
    let spec = prepared.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok([("surface", surface), ("generated_client", client)]
        .into_iter()
        .map(|(test, contents)| {
            // insta's header; the test compares the contents only (trailing whitespace aside).
            let header = format!("---\nsource: tests/snapshots.rs\ninput_file: specs/{vendor}/{spec}\n---\n");
            (file_name(test, vendor, &prepared.file), format!("{header}{}\n", contents.trim_end()))
        })
        .collect())
}

/// Writes the snapshots under `root` (over any left from an earlier vendor of that name),
/// returning their paths.
pub fn record(root: &Path, vendor: &str, dir: &SpecDir) -> anyhow::Result<Vec<PathBuf>> {
    let folder = root.join(DIR);
    let mut written = Vec::new();
    for (name, text) in render(vendor, dir)? {
        let path = folder.join(name);
        std::fs::create_dir_all(&folder)?;
        std::fs::write(&path, text)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What is recorded for a vendor is what `tests/snapshots.rs` holds for it: the same
    /// file name and, below insta's header, the same contents.
    #[test]
    fn recorded_snapshots_are_the_committed_ones() {
        let root = crate::workspace_root();
        let body = |text: &str| text.splitn(3, "---\n").nth(2).unwrap_or_default().trim_end().to_string();
        for vendor in crate::vendors(&root).unwrap() {
            for (name, text) in render(&vendor, &SpecDir::new(root.join("specs").join(&vendor))).unwrap() {
                let committed = std::fs::read_to_string(root.join(DIR).join(&name))
                    .unwrap_or_else(|e| panic!("{name}: {e}: the names differ from the test's"));
                assert!(body(&committed) == body(&text), "{name}: the recorded contents differ from the test's");
            }
        }
    }
}
