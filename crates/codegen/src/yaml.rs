//! YAML (and therefore JSON) loading with input limits.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, ErrorKind};

/// Reads a YAML or JSON file into a JSON value.
pub fn read(path: &Path) -> Result<Value, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::new(path, "", ErrorKind::Io(e)))?;
    parse(path, &text)
}

/// Parses YAML (or JSON, which is YAML) text. `origin` only names the source in errors.
///
/// serde-saphyr's default budget bounds alias expansion, nesting depth and document size,
/// so a hostile document (an alias bomb, say) is an error rather than an exhausted machine.
pub fn parse(origin: &Path, text: &str) -> Result<Value, Error> {
    serde_saphyr::from_str::<Value>(text).map_err(|e| Error::new(origin, "", ErrorKind::Yaml(e.to_string())))
}
