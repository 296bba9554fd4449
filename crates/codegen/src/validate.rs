//! Checks what progenitor needs and does not check itself (or checks with a panic).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, ErrorKind, join};
use crate::schemas;

/// Metadata keywords that may sit beside `x-secret` (typify ignores metadata when matching).
const SECRET_COMPANIONS: &[&str] =
    &["type", "x-secret", "description", "example", "title", "deprecated", "readOnly", "writeOnly", "default"];

pub fn validate(doc: &mut Value, file: &Path) -> Result<(), Error> {
    let invalid = |ptr: &str, msg: String| Error::new(file, ptr, ErrorKind::Invalid(msg));

    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (ptr, _, _, op) in schemas::operations(doc) {
        let id = match op.get("operationId") {
            Some(Value::String(id)) if !id.is_empty() => id,
            _ => {
                return Err(invalid(&ptr, "operation has no `operationId` (progenitor names methods after it)".into()));
            }
        };
        // progenitor turns ids into snake_case method names: `getToken` and `get_token` collide.
        let key: String = id.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
        if let Some(first) = seen.insert(key, ptr.clone()) {
            return Err(invalid(
                &join(&ptr, "operationId"),
                format!("operationId `{id}` is not unique (the operation at {first} has the same name)"),
            ));
        }
    }

    check_refs(doc, doc, "", file)?;

    schemas::visit_all(doc, |schema, ptr| {
        let Some(mark) = schema.get("x-secret") else { return Ok(()) };
        let at = join(ptr, "x-secret");
        if mark != &Value::Bool(true) {
            return Err(invalid(&at, "`x-secret` must be `true`".into()));
        }
        if schema.get("type") != Some(&Value::String("string".into())) {
            return Err(invalid(&at, "`x-secret` marks only `type: string` schemas".into()));
        }
        if let Some(other) = schema.keys().find(|k| !SECRET_COMPANIONS.contains(&k.as_str())) {
            return Err(invalid(
                &at,
                format!("`x-secret` marks plain strings only; `{other}` is not supported beside it"),
            ));
        }
        Ok(())
    })
}

/// Every `$ref` must be local and resolve.
fn check_refs(doc: &Value, node: &Value, ptr: &str, file: &Path) -> Result<(), Error> {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                let resolves = reference.strip_prefix('#').is_some_and(|p| doc.pointer(p).is_some());
                if !resolves {
                    return Err(Error::new(
                        file,
                        join(ptr, "$ref"),
                        ErrorKind::Invalid(format!("`$ref: {reference}` does not resolve to a place in this document")),
                    ));
                }
            }
            for (key, value) in map {
                check_refs(doc, value, &join(ptr, key), file)?;
            }
        }
        Value::Array(items) => {
            for (index, value) in items.iter().enumerate() {
                check_refs(doc, value, &join(ptr, &index.to_string()), file)?;
            }
        }
        _ => {}
    }
    Ok(())
}
