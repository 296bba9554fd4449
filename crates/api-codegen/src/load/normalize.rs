//! Rewrites a spec into the OpenAPI 3.0.x dialect progenitor reads.
//!
//! OpenAPI 3.1 schemas are JSON Schema 2020-12; 3.0 schemas are a dialect of draft 4/5.
//! What has an exact 3.0 spelling is rewritten; what has none is an error naming the keyword,
//! because silently dropping a constraint would make the client disagree with the server.

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::doc::schemas;
use crate::error::{Error, ErrorKind, join};

/// The OpenAPI version progenitor is given.
pub const TARGET_VERSION: &str = "3.0.3";

/// JSON Schema 2020-12 keywords with no OpenAPI 3.0 equivalent.
const UNCONVERTIBLE: &[&str] = &[
    "prefixItems",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "minContains",
    "maxContains",
    "patternProperties",
    "propertyNames",
    "$defs",
    "$dynamicRef",
    "$dynamicAnchor",
    "$anchor",
    "contentSchema",
];

/// Converts `doc` in place when it is OpenAPI 3.1; leaves 3.0.x documents as they are
/// (but for the YAML scalars of [`accept_yaml_scalars`]).
pub fn to_openapi_30(doc: &mut Value, file: &Path) -> Result<(), Error> {
    let version = match doc.get("openapi") {
        Some(Value::String(v)) => v.clone(),
        Some(other) => {
            return Err(Error::new(
                file,
                "/openapi",
                ErrorKind::Invalid(format!("`openapi: {other}` must be a version string such as `3.0.3`")),
            ));
        }
        None => {
            return Err(Error::new(file, "/openapi", ErrorKind::Invalid("missing the `openapi` version field".into())));
        }
    };
    accept_yaml_scalars(doc);
    if version.starts_with("3.0.") {
        return Ok(());
    }
    if !version.starts_with("3.1.") {
        return Err(Error::new(
            file,
            "/openapi",
            ErrorKind::Unconvertible(format!("unsupported OpenAPI version `{version}`, expected 3.0.x or 3.1.x")),
        ));
    }

    let root = doc
        .as_object_mut()
        .ok_or_else(|| Error::new(file, "", ErrorKind::Invalid("the document is not a mapping".into())))?;
    root.insert("openapi".into(), json!(TARGET_VERSION));
    // Parts of 3.1 that a client does not use and 3.0 cannot hold.
    root.shift_remove("webhooks");
    root.shift_remove("jsonSchemaDialect");
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        info.shift_remove("summary");
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
            license.shift_remove("identifier");
        }
    }
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
        components.shift_remove("pathItems");
    }
    root.entry("paths").or_insert_with(|| json!({}));

    // Every schema is converted and every failure kept, so all are reported at once.
    let mut errors = Vec::new();
    let _ = schemas::visit_all(doc, |schema, ptr| {
        if let Err((at, msg)) = convert_schema(schema, ptr) {
            errors.push(Error::new(file, at, ErrorKind::Unconvertible(msg)));
        }
        Ok::<(), ()>(())
    });
    if errors.is_empty() {
        let _ = schemas::visit_all(doc, |schema, ptr| {
            if schema.get("type").is_some_and(|t| t == "null") {
                errors.push(Error::new(
                    file,
                    join(ptr, "type"),
                    ErrorKind::Unconvertible("`type: null` outside an `anyOf`/`oneOf` alternative".into()),
                ));
            }
            Ok::<(), ()>(())
        });
    }
    Error::collect(errors)
}

/// What YAML readers make of unquoted scalars that the spec means as strings, as the
/// established tools accept them: `version: 1.0` and, in `type: string` schemas, `enum` and
/// `default` values such as `1.5` or `true`. (Response codes written `200:` are already
/// strings: mapping keys always are.)
pub fn accept_yaml_scalars(doc: &mut Value) {
    if let Some(version) = doc.pointer_mut("/info/version")
        && let Some(text) = scalar_text(version)
    {
        *version = Value::String(text);
    }
    let _ = schemas::visit_all(doc, |schema, _| {
        if schema.get("type").and_then(Value::as_str) == Some("string") {
            if let Some(Value::Array(values)) = schema.get_mut("enum") {
                for value in values.iter_mut() {
                    if let Some(text) = scalar_text(value) {
                        *value = Value::String(text);
                    }
                }
            }
            if let Some(default) = schema.get_mut("default")
                && let Some(text) = scalar_text(default)
            {
                *default = Value::String(text);
            }
        }
        Ok::<(), ()>(())
    });
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

type Failure = (String, String);

fn convert_schema(schema: &mut Map<String, Value>, ptr: &str) -> Result<(), Failure> {
    if let Some(keyword) = UNCONVERTIBLE.iter().find(|k| schema.contains_key(**k)) {
        return Err((join(ptr, keyword), format!("`{keyword}` has no OpenAPI 3.0 equivalent")));
    }
    convert_type(schema, ptr)?;
    for key in ["anyOf", "oneOf"] {
        convert_null_alternative(schema, ptr, key)?;
    }
    if let Some(value) = schema.shift_remove("const") {
        match schema.get("enum") {
            Some(Value::Array(values)) if values.len() == 1 && values[0] == value => {}
            Some(_) => return Err((join(ptr, "const"), "`const` together with a different `enum`".into())),
            None => {
                schema.insert("enum".into(), Value::Array(vec![value]));
            }
        }
    }
    for (exclusive, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(Value::Number(limit)) = schema.get(exclusive).cloned() {
            if schema.contains_key(bound) {
                return Err((join(ptr, exclusive), format!("numeric `{exclusive}` together with `{bound}`")));
            }
            schema.insert(bound.into(), Value::Number(limit));
            schema.insert(exclusive.into(), Value::Bool(true));
        }
    }
    if let Some(examples) = schema.shift_remove("examples") {
        let Value::Array(examples) = examples else {
            return Err((join(ptr, "examples"), "`examples` in a schema must be an array".into()));
        };
        if let (Some(first), false) = (examples.into_iter().next(), schema.contains_key("example")) {
            schema.insert("example".into(), first);
        }
    }
    match schema.shift_remove("contentEncoding").as_ref().and_then(Value::as_str) {
        Some("base64") => {
            schema.insert("format".into(), json!("byte"));
        }
        Some(other) => return Err((join(ptr, "contentEncoding"), format!("`contentEncoding: {other}`"))),
        None => {}
    }
    if let Some(media) = schema.shift_remove("contentMediaType")
        && media == json!("application/octet-stream")
    {
        schema.insert("format".into(), json!("binary"));
    }
    for annotation in ["$schema", "$id", "$comment"] {
        schema.shift_remove(annotation);
    }
    Ok(())
}

/// `type: [T, "null"]` becomes `type: T, nullable: true`.
///
/// A lone `type: null` is left for the enclosing `anyOf`/`oneOf` (visited after its children)
/// to absorb; any left over is reported by [`to_openapi_30`].
fn convert_type(schema: &mut Map<String, Value>, ptr: &str) -> Result<(), Failure> {
    let Some(Value::Array(types)) = schema.get("type") else { return Ok(()) };
    let at = || join(ptr, "type");
    let nullable = types.iter().any(|t| t == "null");
    let others: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
    match others.as_slice() {
        [one] => {
            schema.insert("type".into(), one.clone());
        }
        [] => return Err((at(), "a schema whose only type is `null`".into())),
        _ => return Err((at(), format!("several types {} (3.0 needs `oneOf` for that)", Value::Array(others)))),
    }
    if nullable {
        schema.insert("nullable".into(), Value::Bool(true));
    }
    Ok(())
}

/// `anyOf: [X, {type: null}]` becomes X with `nullable: true`.
fn convert_null_alternative(schema: &mut Map<String, Value>, ptr: &str, key: &str) -> Result<(), Failure> {
    let Some(Value::Array(alternatives)) = schema.get(key) else { return Ok(()) };
    let is_null = |v: &Value| v.get("type").is_some_and(|t| t == "null");
    if !alternatives.iter().any(is_null) {
        return Ok(());
    }
    let rest: Vec<Value> = alternatives.iter().filter(|v| !is_null(v)).cloned().collect();
    schema.shift_remove(key);
    schema.insert("nullable".into(), Value::Bool(true));
    match <[Value; 1]>::try_from(rest) {
        Ok([Value::Object(only)]) if only.contains_key("$ref") => {
            schema.insert("allOf".into(), json!([only]));
        }
        Ok([Value::Object(only)]) => {
            for (k, v) in only {
                if schema.contains_key(&k) {
                    return Err((join(ptr, key), format!("cannot merge `{k}` of the non-null alternative")));
                }
                schema.insert(k, v);
            }
        }
        Ok(_) => return Err((join(ptr, key), "a non-schema alternative".into())),
        Err(rest) if rest.is_empty() => return Err((join(ptr, key), "only `null` alternatives".into())),
        Err(rest) => {
            schema.insert(key.into(), Value::Array(rest));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(schema: Value) -> Result<Value, Error> {
        let mut doc = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {"schemas": {"S": schema}}});
        to_openapi_30(&mut doc, Path::new("spec.yaml"))?;
        assert_eq!(doc["openapi"], "3.0.3");
        Ok(doc["components"]["schemas"]["S"].clone())
    }

    #[test]
    fn type_arrays_with_null_become_nullable() {
        let s = convert(json!({"type": "object", "properties": {"a": {"type": ["string", "null"]}}})).unwrap();
        assert_eq!(s["properties"]["a"], json!({"type": "string", "nullable": true}));
    }

    #[test]
    fn any_of_with_null_becomes_nullable() {
        let s = convert(json!({"anyOf": [{"$ref": "#/components/schemas/T"}, {"type": "null"}], "description": "d"}))
            .unwrap();
        assert_eq!(s, json!({"description": "d", "nullable": true, "allOf": [{"$ref": "#/components/schemas/T"}]}));
        let s = convert(json!({"oneOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]})).unwrap();
        assert_eq!(s, json!({"nullable": true, "type": "integer", "minimum": 1}));
    }

    #[test]
    fn const_exclusive_bounds_and_examples() {
        let s = convert(json!({"type": "number", "const": 3, "exclusiveMinimum": 0, "examples": [3, 4]})).unwrap();
        assert_eq!(s, json!({"type": "number", "exclusiveMinimum": true, "enum": [3], "minimum": 0, "example": 3}));
    }

    #[test]
    fn unconvertible_constructs_are_errors_naming_the_keyword_and_place() {
        let err =
            convert(json!({"type": "object", "properties": {"p": {"type": "array", "prefixItems": []}}})).unwrap_err();
        assert_eq!(err.pointer, "/components/schemas/S/properties/p/prefixItems");
        assert!(err.to_string().contains("`prefixItems` has no OpenAPI 3.0 equivalent"), "{err}");
        let err = convert(json!({"type": ["string", "integer"]})).unwrap_err();
        assert!(err.to_string().contains("several types"), "{err}");
        let err = convert(json!({"type": "object", "properties": {"n": {"type": "null"}}})).unwrap_err();
        assert_eq!(err.pointer, "/components/schemas/S/properties/n/type");
    }

    #[test]
    fn yaml_scalars_meant_as_strings_are_strings() {
        let mut doc = json!({"openapi": "3.0.3", "info": {"version": 1.0}, "components": {"schemas": {
            "S": {"type": "string", "enum": [1.5, true, "x"], "default": 2}, "N": {"type": "integer", "enum": [1]}}}});
        to_openapi_30(&mut doc, Path::new("s")).unwrap();
        assert_eq!(doc["info"]["version"], "1.0");
        assert_eq!(
            doc["components"]["schemas"]["S"],
            json!({"type": "string", "enum": ["1.5", "true", "x"], "default": "2"})
        );
        assert_eq!(doc["components"]["schemas"]["N"]["enum"], json!([1]));
        let err = to_openapi_30(&mut json!({"openapi": 3.1}), Path::new("s")).unwrap_err();
        assert!(err.to_string().contains("`openapi: 3.1` must be a version string"), "{err}");
    }

    #[test]
    fn every_unconvertible_construct_is_reported() {
        let mut doc = json!({"openapi": "3.1.0", "components": {"schemas": {
            "A": {"prefixItems": []}, "B": {"type": ["string", "integer"]}}}});
        let err = to_openapi_30(&mut doc, Path::new("s")).unwrap_err();
        assert_eq!(err.all().count(), 2, "{err}");
    }

    #[test]
    fn version_3_0_is_left_alone() {
        let mut doc = json!({"openapi": "3.0.1", "components": {"schemas": {"S": {"examples": 1}}}});
        let before = doc.clone();
        to_openapi_30(&mut doc, Path::new("s")).unwrap();
        assert_eq!(doc, before);
    }
}
