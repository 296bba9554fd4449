//! Finds every vendor in `specs/*/` and writes the index of their clients' dispatchers
//! (`dispatch::VENDOR` of each client crate, feature `dispatch`): the demo, the contract check
//! and the every-operation tests reach each client only through it. A vendor folder without
//! its client in this package's dependencies is an error saying which line to add.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            println!("cargo::warning={}", message.replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?);
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let specs = manifest_dir.join("../../specs");
    let specs = specs.canonicalize().map_err(|e| format!("{}: {e}", specs.display()))?;
    // The folder itself: cargo reruns this script when a vendor folder appears or goes.
    println!("cargo::rerun-if-changed={}", specs.display());
    println!("cargo::rerun-if-changed=Cargo.toml");

    let manifest = std::fs::read_to_string(manifest_dir.join("Cargo.toml")).map_err(|e| format!("Cargo.toml: {e}"))?;
    let manifest: toml::Table = toml::from_str(&manifest).map_err(|e| format!("Cargo.toml: {e}"))?;
    let dependencies = manifest.get("dependencies").and_then(toml::Value::as_table);

    let mut vendors: Vec<String> = std::fs::read_dir(&specs)
        .map_err(|e| format!("{}: {e}", specs.display()))?
        .filter_map(Result::ok)
        .filter(|e| is_vendor(&e.path()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    vendors.sort();

    let mut index =
        String::from("/// Every vendor of `specs/`, in name order.\npub static VENDORS: &[crate::Vendor] = &[\n");
    for vendor in &vendors {
        let with_dispatch = dependencies
            .and_then(|d| d.get(vendor))
            .and_then(|d| d.get("features"))
            .and_then(toml::Value::as_array)
            .is_some_and(|f| f.iter().any(|f| f.as_str() == Some("dispatch")));
        if !with_dispatch {
            return Err(format!(
                "specs/{vendor}/ has no client in crates/demo/Cargo.toml: add \
                 `{vendor} = {{ path = \"../{vendor}\", features = [\"dispatch\"] }}` \
                 under its block of clients (`cargo xtask vendor add` does)"
            ));
        }
        let module = vendor.replace('-', "_");
        let _ = writeln!(
            index,
            "    crate::Vendor {{ name: {vendor:?}, api: &::{module}::API, connect: ::{module}::dispatch::connect, \
             connect_once: ::{module}::dispatch::connect_once, from_env: ::{module}::dispatch::from_env }},"
        );
    }
    index.push_str("];\n");
    write(&out.join("vendors.rs"), &index)
}

/// A vendor folder holds the document as served, JSON or YAML.
fn is_vendor(dir: &Path) -> bool {
    dir.join("openapi.json").is_file() || dir.join("openapi.yaml").is_file()
}

fn write(path: &Path, content: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    std::fs::write(path, content).map_err(|e| format!("{}: {e}", path.display()))
}
