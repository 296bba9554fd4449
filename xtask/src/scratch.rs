//! Throwaway crates outside the workspace, built by the refresh tests (does the refreshed
//! client compile?) and by the build-cost benchmark (what does a downstream build cost?).

use std::path::Path;
use std::process::Command;

/// What a generated client needs at run time: the `[dependencies]` of the client template,
/// each with its version and features from the workspace's `[workspace.dependencies]` (the
/// one place they are pinned), `api-runtime` by path.
pub fn client_dependencies() -> std::io::Result<String> {
    let invalid = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
    let root = crate::workspace_root();
    let workspace: toml::Table = toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml"))?)
        .map_err(|e| invalid(format!("Cargo.toml: {e}")))?;
    let pinned = workspace.get("workspace").and_then(|w| w.get("dependencies")).and_then(toml::Value::as_table);
    let template = crate::vendor::render_crate("scratch")
        .into_iter()
        .find(|(path, _)| *path == "Cargo.toml")
        .map(|(_, text)| text)
        .unwrap_or_default();
    let template: toml::Table = toml::from_str(&template).map_err(|e| invalid(format!("client template: {e}")))?;
    let mut out = String::new();
    for (name, spec) in template.get("dependencies").and_then(toml::Value::as_table).into_iter().flatten() {
        if spec.get("optional").and_then(toml::Value::as_bool) == Some(true) {
            continue;
        }
        if name == "api-runtime" {
            let path = toml::Value::String(root.join("crates/api-runtime").display().to_string());
            out.push_str(&format!("api-runtime = {{ path = {path} }}\n"));
            continue;
        }
        let value = pinned
            .and_then(|p| p.get(name))
            .ok_or_else(|| invalid(format!("{name} is not pinned in the workspace")))?;
        out.push_str(&format!("{name} = {value}\n"));
    }
    Ok(out)
}

/// Writes a crate `name` in `dir` with the client dependencies, `extra` more, and `lib` as
/// its `src/lib.rs`; this workspace's lockfile pins the same versions (so `--offline` works).
pub fn write_crate(dir: &Path, name: &str, extra: &str, lib: &str) -> std::io::Result<()> {
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\n{}{extra}\n[workspace]\n",
        client_dependencies()?
    );
    std::fs::write(dir.join("Cargo.toml"), manifest)?;
    std::fs::copy(crate::workspace_root().join("Cargo.lock"), dir.join("Cargo.lock"))?;
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(dir.join("src/lib.rs"), lib)
}

/// The workspace's target directory (`CARGO_TARGET_DIR` when the caller moved it, as
/// `.ci/run` does), where scratch builds keep their own target directories between runs.
pub fn target_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| crate::workspace_root().join("target"))
}

/// The cargo running us (or the one on `PATH`).
///
/// Without debug info or incremental state: scratch builds are compiled to be run or checked,
/// never debugged or edited, and both are gigabytes of the generated clients (a CI machine's
/// disk holds several such target directories at once).
pub fn cargo() -> Command {
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.env("CARGO_PROFILE_DEV_DEBUG", "false").env("CARGO_INCREMENTAL", "0");
    cargo
}

/// Copies this workspace's files (tracked and untracked, not ignored: no `target/`) to `to`,
/// for tests that change or break it.
pub fn copy_workspace(to: &Path) -> std::io::Result<()> {
    let root = crate::workspace_root();
    let out = Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(&root)
        .output()?;
    if !out.status.success() {
        return Err(std::io::Error::other(String::from_utf8_lossy(&out.stderr).into_owned()));
    }
    for file in out.stdout.split(|b| *b == 0).filter(|f| !f.is_empty()) {
        let file = Path::new(std::str::from_utf8(file).map_err(std::io::Error::other)?);
        // A symlink stays a link (a client crate's `spec` → `specs/<vendor>`), so the copy
        // reads its own specs.
        if root.join(file).symlink_metadata().is_ok_and(|m| m.is_symlink()) {
            let target = std::fs::read_link(root.join(file))?;
            if let Some(parent) = to.join(file).parent() {
                std::fs::create_dir_all(parent)?;
            }
            let _ = std::fs::remove_file(to.join(file));
            #[cfg(unix)]
            std::os::unix::fs::symlink(&target, to.join(file))?;
            #[cfg(not(unix))]
            return Err(std::io::Error::other(format!("{}: cannot copy a symlink here", file.display())));
            continue;
        }
        // Listed but deleted in the work tree: not part of it.
        if root.join(file).is_file() {
            if let Some(parent) = to.join(file).parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::copy(root.join(file), to.join(file))?;
            // The original's mtime: cargo then rebuilds in a copy at a fixed place only what
            // changed since the last run. Keep every copy sharing a target directory at one
            // path: cargo's artefact hashes leave out a workspace's absolute path, so a copy
            // elsewhere with old mtimes would reuse artefacts that name the other place.
            let modified = std::fs::metadata(root.join(file))?.modified()?;
            std::fs::File::options().write(true).open(to.join(file))?.set_modified(modified)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// The pins come from the workspace, so a scratch crate builds against what the clients
    /// build against (`--offline` with the copied lockfile).
    #[test]
    fn client_dependencies_are_the_workspace_pins() {
        let deps = super::client_dependencies().unwrap();
        let parsed: toml::Table = toml::from_str(&deps).unwrap();
        assert_eq!(parsed["progenitor-client"].as_str(), Some("=0.15.1"), "{deps}");
        assert!(parsed["reqwest"]["features"].as_array().unwrap().iter().any(|f| f.as_str() == Some("rustls")));
        assert!(parsed["api-runtime"]["path"].as_str().unwrap().ends_with("crates/api-runtime"));
        assert!(!parsed.contains_key("httpmock"), "optional dependencies are left out: {deps}");
    }
}
