//! Where a new secret goes before anything else happens: a secret that exists only in
//! memory is lost if the process dies, and a live credential nobody holds is a liability.
//!
//! Storing is two-phase, so that a credential that has not been verified never replaces the
//! one that works: [`SecretStore::stage`] keeps the new secret durably *beside* the live one,
//! [`SecretStore::commit`] makes it the live one, [`SecretStore::discard`] drops it.

use std::fs::{File, OpenOptions, TryLockError};
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
/// (`FnMut(&NewToken) -> Result<(), StoreError>`, for a secret manager: the closure is the
/// stage step, and commit and discard do nothing).
pub trait SecretStore {
    /// Before a token is created: checks that a secret can be kept, and reserves what that
    /// needs, so that a token is never created only to find it has nowhere to go.
    fn prepare(&mut self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Keeps the new secret durably, without replacing the live credential.
    fn stage(&mut self, token: &NewToken) -> Result<(), StoreError>;

    /// The staged secret replaces the live credential.
    fn commit(&mut self) -> Result<(), StoreError> {
        Ok(())
    }

    /// The staged secret is not wanted (it failed verification and was revoked).
    fn discard(&mut self) {}

    /// Where a staged secret is, for messages ("in /run/ci.token.new").
    fn staged_at(&self) -> String {
        "in the caller's store".into()
    }

    /// Where a committed secret is, for messages.
    fn stored_at(&self) -> String {
        "in the caller's store".into()
    }

    /// Both phases at once, for a secret that needs no verification.
    fn store(&mut self, token: &NewToken) -> Result<(), StoreError> {
        self.stage(token)?;
        self.commit()
    }
}

impl<F: FnMut(&NewToken) -> Result<(), StoreError>> SecretStore for F {
    fn stage(&mut self, token: &NewToken) -> Result<(), StoreError> {
        self(token)
    }
}

/// Keeps the secret (and a newline) in a file, readable by its owner only (0600) from the
/// first byte, written to a unique temporary file beside it and renamed into place.
///
/// - [`prepare`](SecretStore::prepare) takes an exclusive lock on `.FILE.lock` (a second
///   rotation of the same file fails at once), checks that `FILE` is not a directory and that
///   no `FILE.new` is left over, and creates the temporary file;
/// - [`stage`](SecretStore::stage) writes the secret there and renames it to `FILE.new`;
/// - [`commit`](SecretStore::commit) renames `FILE.new` over `FILE`;
/// - [`discard`](SecretStore::discard) removes `FILE.new`.
///
/// Every rename is followed by an fsync of the directory. A symlinked `FILE` stays a link:
/// its target is what gets replaced (and the lock and staging file sit beside the target).
#[derive(Debug)]
pub struct FileStore {
    path: PathBuf,
    prepared: Option<Prepared>,
}

#[derive(Debug)]
struct Prepared {
    /// `path`, symlinks resolved: the file actually replaced.
    target: PathBuf,
    staged: PathBuf,
    temp: Option<tempfile::NamedTempFile>,
    is_staged: bool,
    /// Held open for the lock; released when the store is dropped.
    _lock: File,
}

impl FileStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileStore { path: path.into(), prepared: None }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where a staged secret goes: `FILE.new` beside the (resolved) file.
    pub fn staged_path(&self) -> PathBuf {
        match &self.prepared {
            Some(p) => p.staged.clone(),
            None => with_suffix(&resolve(&self.path).unwrap_or_else(|_| self.path.clone()), ".new"),
        }
    }

    fn error(&self, target: &Path, reason: impl ToString) -> StoreError {
        StoreError { target: target.display().to_string(), reason: reason.to_string() }
    }

    fn prepared(&mut self) -> Result<&mut Prepared, StoreError> {
        if self.prepared.is_none() {
            self.prepare()?;
        }
        match &mut self.prepared {
            Some(p) => Ok(p),
            None => Err(StoreError { target: self.path.display().to_string(), reason: "not prepared".into() }),
        }
    }
}

impl SecretStore for FileStore {
    fn prepare(&mut self) -> Result<(), StoreError> {
        if self.prepared.is_some() {
            return Ok(());
        }
        let target = resolve(&self.path).map_err(|e| self.error(&self.path, e))?;
        if target.is_dir() {
            return Err(self.error(&target, "it is a directory"));
        }
        let dir = parent(&target);
        if !dir.is_dir() {
            return Err(self.error(&self.path, format!("the directory {} does not exist", dir.display())));
        }
        let lock_path = dir.join(format!(".{}.lock", file_name(&target)));
        let lock = lock(&lock_path).map_err(|reason| self.error(&self.path, reason))?;
        let staged = with_suffix(&target, ".new");
        if std::fs::symlink_metadata(&staged).is_ok() {
            return Err(self.error(
                &staged,
                "it already exists (left by an interrupted rotation?): it may hold a live credential; \
                 use or revoke it, then remove the file",
            ));
        }
        let temp = temp_file(dir, &target).map_err(|e| self.error(dir, format!("cannot create a file there: {e}")))?;
        self.prepared = Some(Prepared { target, staged, temp: Some(temp), is_staged: false, _lock: lock });
        Ok(())
    }

    fn stage(&mut self, token: &NewToken) -> Result<(), StoreError> {
        let prepared = self.prepared()?;
        let staged = prepared.staged.clone();
        let fail =
            |reason: std::io::Error| StoreError { target: staged.display().to_string(), reason: reason.to_string() };
        let mut temp = match prepared.temp.take() {
            Some(temp) => temp,
            None => temp_file(parent(&prepared.target), &prepared.target).map_err(fail)?,
        };
        let secret = token.secret.expose_secret().as_bytes();
        (|| {
            temp.write_all(secret)?;
            temp.write_all(b"\n")?;
            temp.as_file().sync_all()
        })()
        .map_err(fail)?;
        // No clobbering: a `FILE.new` that appeared since `prepare` may hold a live secret.
        temp.persist_noclobber(&staged).map_err(|e| fail(e.error))?;
        prepared.is_staged = true;
        sync_dir(parent(&staged)).map_err(fail)
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        let prepared = self.prepared()?;
        let target = prepared.target.clone();
        let fail =
            |reason: std::io::Error| StoreError { target: target.display().to_string(), reason: reason.to_string() };
        if !prepared.is_staged {
            return Err(fail(std::io::Error::other("nothing was staged")));
        }
        std::fs::rename(&prepared.staged, &prepared.target).map_err(fail)?;
        prepared.is_staged = false;
        sync_dir(parent(&prepared.target)).map_err(fail)
    }

    fn discard(&mut self) {
        if let Some(prepared) = &mut self.prepared {
            prepared.temp = None;
            if prepared.is_staged {
                let _ = std::fs::remove_file(&prepared.staged);
                prepared.is_staged = false;
            }
        }
    }

    fn staged_at(&self) -> String {
        format!("in {}", self.staged_path().display())
    }

    fn stored_at(&self) -> String {
        match &self.prepared {
            Some(p) if p.target != self.path => format!("in {} (-> {})", self.path.display(), p.target.display()),
            _ => format!("in {}", self.path.display()),
        }
    }
}

/// `path` with symlinks followed (even to a target that does not exist yet).
fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)?;
                current = parent(&current).join(link);
            }
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(ToOwned::to_owned).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// A uniquely named file beside `target`, mode 0600 from its creation.
fn temp_file(dir: &Path, target: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let prefix = format!(".{}.", file_name(target));
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600));
    builder.tempfile_in(dir)
}

/// An exclusive lock on `path`, or why not.
fn lock(path: &Path) -> Result<File, String> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path).map_err(|e| format!("cannot open the lock file {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(format!(
            "another rotation or create of this file is running (it holds {}); try again when it has finished",
            path.display()
        )),
        Err(TryLockError::Error(e)) => Err(format!("cannot lock {}: {e}", path.display())),
    }
}

/// Makes a rename durable: the directory entry, not just the file's bytes.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
