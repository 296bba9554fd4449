//! Throwaway crates outside the workspace, built by the refresh tests (does the refreshed
//! client compile?) and by the build-cost benchmark (what does a downstream build cost?).

use std::path::Path;
use std::process::Command;

/// What a generated client needs at run time, as the vendor crates declare it.
pub fn client_dependencies() -> String {
    format!(
        r#"api-runtime = {{ path = "{}" }}
progenitor-client = "=0.15.1"
reqwest = {{ version = "0.13", default-features = false, features = ["json", "query", "rustls", "http2", "charset"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
"#,
        crate::workspace_root().join("crates/runtime").display()
    )
}

/// Writes a crate `name` in `dir` with the client dependencies, `extra` more, and `lib` as
/// its `src/lib.rs`; this workspace's lockfile pins the same versions (so `--offline` works).
pub fn write_crate(dir: &Path, name: &str, extra: &str, lib: &str) -> std::io::Result<()> {
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\n{}{extra}\n[workspace]\n",
        client_dependencies()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest)?;
    std::fs::copy(crate::workspace_root().join("Cargo.lock"), dir.join("Cargo.lock"))?;
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(dir.join("src/lib.rs"), lib)
}

/// The cargo running us (or the one on `PATH`).
pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}
