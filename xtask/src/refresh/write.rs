//! Writing several files so that either all change or none does (as far as a filesystem
//! allows): every file is staged beside its target first, then renamed over it.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes every `(path, content)`, then removes `removed` (files the new ones replace under
/// another name); on any error before the renames, nothing has changed.
pub fn write_all(files: &[(PathBuf, String)], removed: &[PathBuf]) -> std::io::Result<()> {
    let mut staged: Vec<(PathBuf, &Path)> = Vec::new();
    for (path, content) in files {
        match stage(path, content) {
            Ok(temp) => staged.push((temp, path)),
            Err(e) => {
                for (temp, _) in &staged {
                    let _ = std::fs::remove_file(temp);
                }
                return Err(e);
            }
        }
    }
    for (temp, path) in staged {
        std::fs::rename(&temp, path)?;
    }
    for path in removed {
        std::fs::remove_file(path)?;
    }
    Ok(())
}

fn stage(path: &Path, content: &str) -> std::io::Result<PathBuf> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.refresh-{}", std::process::id()));
    // A multi-file document's files may sit in folders of their own.
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::File::create(&temp)?;
    file.write_all(content.as_bytes())?;
    file.sync_all()?;
    Ok(temp)
}
