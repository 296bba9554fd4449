//! Rewrites a spec into the OpenAPI 3.0.x dialect progenitor reads.
//!
//! OpenAPI 3.1 schemas are JSON Schema 2020-12; 3.0 schemas are a dialect of draft 4/5.
//! What has an exact 3.0 spelling is rewritten silently. What has none is mapped to the
//! nearest form typify takes, and each such loss is reported ([`Loss`], in the rules report
//! as `openapi-3.1`), never refused: a tuple (`prefixItems`) becomes an array of any of its
//! item schemas, `patternProperties` a map of their values, `$defs` components, a lone
//! `type: null` any value, `contentEncoding: binary` bytes; assertions 3.0 cannot spell
//! (`propertyNames`, `if`/`then`/`else`, `contains`, …) are dropped, so the server checks them
//! and the client does not. Only a document that is not OpenAPI 3.0 or 3.1 is an error.

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::doc::schemas;
use crate::error::{Error, ErrorKind, join};

/// The OpenAPI version progenitor is given.
pub const TARGET_VERSION: &str = "3.0.3";

/// JSON Schema 2020-12 assertions with no OpenAPI 3.0 spelling: dropped (reported), so the
/// server checks them and the client does not.
const DROPPED: &[&str] = &[
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
    "propertyNames",
    "$dynamicAnchor",
    "$anchor",
    "contentSchema",
];

/// One place where the 3.0 document says less than the 3.1 one did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loss {
    /// JSON pointer of the construct, in the document as read.
    pub pointer: String,
    pub what: String,
}

/// Converts `doc` in place when it is OpenAPI 3.1 and returns what the conversion could not
/// keep; leaves 3.0.x documents as they are (but for the YAML scalars of
/// [`accept_yaml_scalars`]).
pub fn to_openapi_30(doc: &mut Value, file: &Path) -> Result<Vec<Loss>, Error> {
    // Swagger 2.0 becomes OpenAPI 3.0.3 first, what it could not keep reported with the rest.
    let from_swagger =
        if doc.get("swagger").is_some() { super::swagger2::to_openapi_30(doc, file)? } else { Vec::new() };
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
        return Ok(from_swagger);
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

    let mut losses = Vec::new();
    hoist_defs(doc, &mut losses);
    // Every schema is converted and every loss kept, so all are reported at once.
    let _ = schemas::visit_all(doc, |schema, ptr| {
        convert_schema(schema, ptr, &mut losses);
        Ok::<(), ()>(())
    });
    let _ = schemas::visit_all(doc, |schema, ptr| {
        if schema.get("type").is_some_and(|t| t == "null") {
            // Not absorbed by an enclosing `anyOf`/`oneOf`: a value that is always null.
            schema.shift_remove("type");
            schema.insert("nullable".into(), Value::Bool(true));
            losses
                .push(Loss { pointer: join(ptr, "type"), what: "`type: null` alone: any value (always null)".into() });
        }
        Ok::<(), ()>(())
    });
    Ok(losses)
}

/// Each schema's `$defs` become components (`<Schema><Def>`, or `<Def>` when free), and
/// every `$ref` to them (`#/$defs/X` inside the schema, `#/components/schemas/S/$defs/X`
/// anywhere) names the component.
fn hoist_defs(doc: &mut Value, losses: &mut Vec<Loss>) {
    let Some(Value::Object(components)) = doc.pointer_mut("/components/schemas") else { return };
    let owners: Vec<String> =
        components.iter().filter(|(_, s)| s.get("$defs").is_some()).map(|(name, _)| name.clone()).collect();
    let mut renamed: Vec<(String, String)> = Vec::new();
    for owner in owners {
        let Some(Value::Object(defs)) =
            components.get_mut(&owner).and_then(|s| s.as_object_mut()?.shift_remove("$defs"))
        else {
            continue;
        };
        let mut local: Vec<(String, String)> = Vec::new();
        for (def, schema) in defs {
            let name = if components.contains_key(&def) { format!("{owner}{def}") } else { def.clone() };
            let name = (1..)
                .map(|n| if n == 1 { name.clone() } else { format!("{name}{n}") })
                .find(|n| !components.contains_key(n))
                .unwrap_or(name);
            let target = format!("#/components/schemas/{name}");
            local.push((format!("#/$defs/{def}"), target.clone()));
            renamed.push((format!("#/components/schemas/{owner}/$defs/{def}"), target));
            losses.push(Loss {
                pointer: join(&join(&join("/components/schemas", &owner), "$defs"), &def),
                what: format!("`$defs` entry moved to the component `{name}`"),
            });
            components.insert(name, schema);
        }
        if let Some(schema) = components.get_mut(&owner) {
            retarget(schema, &local);
        }
    }
    if !renamed.is_empty() {
        retarget(doc, &renamed);
    }
}

/// Every `$ref` string under `node` equal to a `from` becomes its `to`.
fn retarget(node: &mut Value, renamed: &[(String, String)]) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref")
                && let Some((_, to)) = renamed.iter().find(|(from, _)| from == reference)
            {
                *reference = to.clone();
            }
            map.values_mut().for_each(|v| retarget(v, renamed));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| retarget(v, renamed)),
        _ => {}
    }
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

fn convert_schema(schema: &mut Map<String, Value>, ptr: &str, losses: &mut Vec<Loss>) {
    let mut lost = |at: String, what: String| losses.push(Loss { pointer: at, what });
    for keyword in DROPPED {
        if schema.shift_remove(*keyword).is_some() {
            lost(join(ptr, keyword), format!("`{keyword}` dropped (no OpenAPI 3.0 spelling): the server checks it"));
        }
    }
    if let Some(Value::Array(tuple)) = schema.shift_remove("prefixItems") {
        if !schema.contains_key("items") && !tuple.is_empty() {
            let items = if tuple.len() == 1 { tuple[0].clone() } else { json!({"anyOf": tuple}) };
            schema.insert("items".into(), items);
        }
        lost(join(ptr, "prefixItems"), "tuple (`prefixItems`): an array of any of its item schemas".into());
    }
    if let Some(Value::Object(patterns)) = schema.shift_remove("patternProperties") {
        if !schema.contains_key("additionalProperties") {
            let values: Vec<Value> = patterns.into_iter().map(|(_, v)| v).collect();
            let value = if values.len() == 1 { values[0].clone() } else { json!({"anyOf": values}) };
            schema.insert("additionalProperties".into(), value);
        }
        lost(join(ptr, "patternProperties"), "`patternProperties`: a map whose keys are not checked".into());
    }
    if schema.shift_remove("$dynamicRef").is_some() {
        lost(join(ptr, "$dynamicRef"), "`$dynamicRef`: any value".into());
    }
    if let Err((at, what)) = convert_type(schema, ptr) {
        lost(at, what);
    }
    for key in ["anyOf", "oneOf"] {
        convert_null_alternative(schema, ptr, key, &mut lost);
    }
    if let Some(value) = schema.shift_remove("const") {
        match schema.get("enum") {
            Some(Value::Array(values)) if values.len() == 1 && values[0] == value => {}
            Some(_) => lost(join(ptr, "const"), "`const` beside a different `enum`: the `enum` is kept".into()),
            None => {
                schema.insert("enum".into(), Value::Array(vec![value]));
            }
        }
    }
    for (exclusive, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(Value::Number(limit)) = schema.get(exclusive).cloned() {
            if schema.contains_key(bound) {
                // Both bounds: the exclusive one is the tighter only if it is not below; keep
                // the inclusive bound and report.
                schema.shift_remove(exclusive);
                lost(join(ptr, exclusive), format!("numeric `{exclusive}` beside `{bound}`: `{bound}` kept"));
            } else {
                schema.insert(bound.into(), Value::Number(limit));
                schema.insert(exclusive.into(), Value::Bool(true));
            }
        }
    }
    if let Some(examples) = schema.shift_remove("examples") {
        match examples {
            Value::Array(examples) => {
                if let (Some(first), false) = (examples.into_iter().next(), schema.contains_key("example")) {
                    schema.insert("example".into(), first);
                }
            }
            _ => lost(join(ptr, "examples"), "`examples` in a schema is not an array: dropped".into()),
        }
    }
    match schema.shift_remove("contentEncoding").as_ref().and_then(Value::as_str) {
        Some("base64") => {
            schema.insert("format".into(), json!("byte"));
        }
        Some("binary") => {
            schema.insert("format".into(), json!("binary"));
        }
        Some(other) => lost(join(ptr, "contentEncoding"), format!("`contentEncoding: {other}`: a plain string")),
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
}

/// `type: [T, "null"]` becomes `type: T, nullable: true`.
///
/// A lone `type: null` is left for the enclosing `anyOf`/`oneOf` (visited after its children)
/// to absorb; any left over is reported by [`to_openapi_30`].
fn convert_type(schema: &mut Map<String, Value>, ptr: &str) -> Result<(), (String, String)> {
    let Some(Value::Array(types)) = schema.get("type") else { return Ok(()) };
    let at = || join(ptr, "type");
    let nullable = types.iter().any(|t| t == "null");
    let others: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
    if nullable {
        schema.insert("nullable".into(), Value::Bool(true));
    }
    match others.as_slice() {
        [one] => {
            schema.insert("type".into(), one.clone());
            Ok(())
        }
        [] => {
            schema.shift_remove("type");
            Err((at(), "a schema whose only type is `null`: any value (always null)".into()))
        }
        _ => {
            schema.shift_remove("type");
            let alternatives: Vec<Value> = others.iter().map(|t| json!({"type": t})).collect();
            let listed = Value::Array(others).to_string();
            schema.insert("anyOf".into(), Value::Array(alternatives));
            Err((at(), format!("several types {listed}: `anyOf` of one schema each, the other keywords beside it")))
        }
    }
}

/// `anyOf: [X, {type: null}]` becomes X with `nullable: true`. Where X and the schema both
/// carry a keyword, an annotation (`description`, `title`, …) keeps both texts and anything
/// else keeps the alternative's (reported).
fn convert_null_alternative(
    schema: &mut Map<String, Value>,
    ptr: &str,
    key: &str,
    lost: &mut impl FnMut(String, String),
) {
    let Some(Value::Array(alternatives)) = schema.get(key) else { return };
    let is_null = |v: &Value| v.get("type").is_some_and(|t| t == "null");
    if !alternatives.iter().any(is_null) {
        return;
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
                match schema.get_mut(&k) {
                    None => {
                        schema.insert(k, v);
                    }
                    Some(outer) if *outer == v => {}
                    Some(Value::String(outer)) if matches!(k.as_str(), "description" | "title") => {
                        if let Value::String(inner) = v {
                            *outer = format!("{outer}\n\n{inner}");
                        }
                    }
                    Some(outer) => {
                        *outer = v;
                        lost(
                            join(ptr, key),
                            format!("`{k}` differs beside the non-null alternative: the alternative's kept"),
                        );
                    }
                }
            }
        }
        Ok(_) => lost(join(ptr, key), "a non-schema alternative beside `null`: any value".into()),
        Err(rest) if rest.is_empty() => {
            lost(join(ptr, key), "only `null` alternatives: any value (always null)".into())
        }
        Err(rest) => {
            schema.insert(key.into(), Value::Array(rest));
        }
    }
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

    /// The 3.1 document and what converting it lost.
    fn converted(schema: Value) -> (Value, Vec<Loss>) {
        let mut doc = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {"schemas": {"S": schema}}});
        let losses = to_openapi_30(&mut doc, Path::new("spec.yaml")).unwrap();
        (doc, losses)
    }

    #[test]
    fn constructs_without_a_3_0_spelling_become_the_nearest_and_each_loss_is_reported() {
        let (doc, losses) = converted(json!({"type": "object", "properties": {
            "tuple": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
            "map": {"type": "object", "patternProperties": {"^x-": {"type": "string"}}, "propertyNames": {"pattern": "^x-"}},
            "file": {"type": "string", "contentEncoding": "binary"},
            "either": {"type": ["string", "integer"]},
            "nothing": {"type": "null"},
            "checked": {"type": "string", "if": {"minLength": 1}, "then": {"pattern": "a"}}}}));
        let p = &doc["components"]["schemas"]["S"]["properties"];
        assert_eq!(p["tuple"], json!({"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}));
        assert_eq!(p["map"], json!({"type": "object", "additionalProperties": {"type": "string"}}));
        assert_eq!(p["file"], json!({"type": "string", "format": "binary"}));
        assert_eq!(p["either"], json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}));
        assert_eq!(p["nothing"], json!({"nullable": true}));
        assert_eq!(p["checked"], json!({"type": "string"}));
        let at: Vec<&str> = losses.iter().map(|l| l.pointer.as_str()).collect();
        for place in [
            "/components/schemas/S/properties/tuple/prefixItems",
            "/components/schemas/S/properties/map/patternProperties",
            "/components/schemas/S/properties/map/propertyNames",
            "/components/schemas/S/properties/either/type",
            "/components/schemas/S/properties/nothing/type",
            "/components/schemas/S/properties/checked/if",
            "/components/schemas/S/properties/checked/then",
        ] {
            assert!(at.contains(&place), "{place} not reported in {losses:#?}");
        }
        assert!(!at.iter().any(|a| a.ends_with("/file/contentEncoding")), "binary is exact: {losses:#?}");
    }

    #[test]
    fn defs_become_components_and_references_follow() {
        let mut doc = json!({"openapi": "3.1.0", "paths": {}, "components": {"schemas": {
            "Job": {"type": "object", "properties": {"g": {"$ref": "#/$defs/Granularity"}},
                "$defs": {"Granularity": {"type": "string", "enum": ["word"]}, "Job": {"type": "integer"}}},
            "Other": {"items": {"$ref": "#/components/schemas/Job/$defs/Job"}}}}});
        let losses = to_openapi_30(&mut doc, Path::new("s")).unwrap();
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["Granularity"], json!({"type": "string", "enum": ["word"]}));
        assert_eq!(schemas["JobJob"], json!({"type": "integer"}));
        assert_eq!(schemas["Job"]["properties"]["g"]["$ref"], "#/components/schemas/Granularity");
        assert_eq!(schemas["Other"]["items"]["$ref"], "#/components/schemas/JobJob");
        assert!(schemas["Job"].get("$defs").is_none());
        assert_eq!(losses.len(), 2, "{losses:#?}");
    }

    #[test]
    fn differing_descriptions_of_a_nullable_alternative_are_both_kept() {
        let (doc, losses) = converted(json!({"description": "outer",
            "anyOf": [{"type": "string", "description": "inner"}, {"type": "null"}]}));
        assert_eq!(
            doc["components"]["schemas"]["S"],
            json!({"description": "outer\n\ninner", "nullable": true, "type": "string"})
        );
        assert!(losses.is_empty(), "{losses:#?}");
    }

    #[test]
    fn swagger_2_is_converted_and_reported() {
        let mut doc = json!({"swagger": "2.0", "info": {"title": "t", "version": 1.0}, "paths": {}});
        let losses = to_openapi_30(&mut doc, Path::new("s.json")).unwrap();
        assert_eq!(doc["openapi"], TARGET_VERSION);
        assert_eq!(doc["info"]["version"], "1.0");
        assert_eq!(losses[0].pointer, "/swagger");
        assert!(losses[0].what.contains("Swagger 2.0 converted"), "{losses:#?}");
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
    fn version_3_0_is_left_alone() {
        let mut doc = json!({"openapi": "3.0.1", "components": {"schemas": {"S": {"examples": 1}}}});
        let before = doc.clone();
        to_openapi_30(&mut doc, Path::new("s")).unwrap();
        assert_eq!(doc, before);
    }
}
