//! One error type for everything that can be wrong with a spec or overlay.
//!
//! Every error names the file it comes from and a JSON pointer into the document, so a
//! broken spec reads like a compiler diagnostic rather than a backtrace. Like a compiler,
//! validation reports every problem it finds: the first is the error, the rest are `more`,
//! and `Display` prints one line each.

use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong, where.
#[derive(Debug, thiserror::Error)]
pub struct Error {
    /// The spec or overlay file the problem is in.
    pub file: PathBuf,
    /// A JSON pointer (RFC 6901) into that document; empty for the whole document.
    pub pointer: String,
    /// What is wrong, in words.
    pub kind: ErrorKind,
    /// Further problems found in the same run, in the order they were found.
    pub more: Vec<Error>,
}

/// The kinds of problem, so callers and tests can match on them.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    #[error("not valid YAML: {0}")]
    Yaml(String),
    #[error("not a valid overlay: {0}")]
    Overlay(String),
    #[error("overlay target `{target}` matches nothing in the spec")]
    TargetMatchesNothing { target: String },
    #[error("cannot convert from OpenAPI 3.1: {0}")]
    Unconvertible(String),
    /// The document breaks a rule of OpenAPI or of what the generator accepts.
    #[error("{0}")]
    Invalid(String),
    /// The enabled features do not select a consistent part of the document.
    #[error("cannot select the enabled features' operations: {0}")]
    Selection(String),
    /// progenitor (or typify inside it) refused the document or panicked on it.
    #[error("progenitor cannot generate a client: {0}")]
    Progenitor(String),
    /// One of our rewrites of progenitor's output did not find what it expects: a bug of this
    /// generator (or a progenitor upgrade it does not know), never of the document.
    #[error("the generator's rewrite of progenitor's output failed (a bug of api-codegen, not of the spec): {0}")]
    Rewrite(String),
}

impl Error {
    pub(crate) fn new(file: &Path, pointer: impl Into<String>, kind: ErrorKind) -> Self {
        Error { file: file.to_path_buf(), pointer: pointer.into(), kind, more: Vec::new() }
    }

    /// This problem and every further one.
    pub fn all(&self) -> impl Iterator<Item = &Error> {
        std::iter::once(self).chain(self.more.iter().flat_map(|e| e.all().collect::<Vec<_>>()))
    }

    /// One error carrying all of `errors` (`Ok` when there are none).
    pub(crate) fn collect(errors: impl IntoIterator<Item = Error>) -> Result<(), Error> {
        let mut errors = errors.into_iter().flat_map(Error::flatten);
        match errors.next() {
            None => Ok(()),
            Some(mut first) => {
                first.more.extend(errors);
                Err(first)
            }
        }
    }

    fn flatten(mut self) -> Vec<Error> {
        let more = std::mem::take(&mut self.more);
        std::iter::once(self).chain(more.into_iter().flat_map(Error::flatten)).collect()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() { "(document root)" } else { &self.pointer };
        write!(f, "{}: at {}: {}", self.file.display(), at, self.kind)?;
        for more in &self.more {
            write!(f, "\n{more}")?;
        }
        Ok(())
    }
}

/// Escapes one JSON pointer reference token (RFC 6901 section 3).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends a reference token to a JSON pointer.
pub fn join(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_token(token))
}
