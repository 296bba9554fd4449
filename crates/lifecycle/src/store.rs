//! Where a new secret goes before anything else happens: a secret that exists only in
//! memory is lost if the process dies, and a live credential nobody holds is a liability.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::token::NewToken;

#[derive(Debug, thiserror::Error)]
#[error("cannot store the new secret in {target}: {reason}")]
pub struct StoreError {
    pub target: String,
    pub reason: String,
}

/// Receives every new secret first. Implemented for files ([`FileStore`]) and for closures
/// (`FnMut(&NewToken) -> Result<(), StoreError>`), for a secret manager.
pub trait SecretStore {
    fn store(&mut self, token: &NewToken) -> Result<(), StoreError>;
}

impl<F: FnMut(&NewToken) -> Result<(), StoreError>> SecretStore for F {
    fn store(&mut self, token: &NewToken) -> Result<(), StoreError> {
        self(token)
    }
}

/// Writes the secret (and a newline) to a file: atomically (a temporary file beside it,
/// then a rename) and, on Unix, readable by its owner only (0600) from the first byte.
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileStore { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl SecretStore for FileStore {
    fn store(&mut self, token: &NewToken) -> Result<(), StoreError> {
        write_private(&self.path, token.secret.expose_secret().as_bytes())
            .map_err(|e| StoreError { target: self.path.display().to_string(), reason: e.to_string() })
    }
}

fn write_private(path: &Path, secret: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let result = (|| {
        let mut file = options.open(&temp)?;
        file.write_all(secret)?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
