//! `header-and-path-values`: progenitor writes a header or path parameter's value with
//! `Display` (`value.to_string()`), which typify's types have only for scalars, string enums
//! and the newtypes of those. The client did not compile for any other type: OpenAI's
//! `openai-beta` header (an array of values, `style: simple`), Mistral's `last-event-id` (a
//! nullable string, so an `Option`).
//!
//! Null has no spelling in a header or a path (an optional header is absent instead), so a
//! nullable scalar becomes the scalar. Anything else becomes a string holding the value as the
//! parameter's style spells it, written by the caller (for an array, the items joined with
//! commas): the wire stays the spec's, the typing of the value is what is lost (reported).

use serde_json::{Map, Value, json};

use super::Places;
use super::parameter_content::param_location;
use crate::doc::Spec;
use crate::error::join;

/// How far `$ref` and single-`allOf` hops are followed to a parameter's type.
const MAX_HOPS: usize = 16;

/// What typify's type for a schema offers progenitor's `to_string()`.
#[derive(Debug, PartialEq)]
enum Shown {
    /// It displays: a scalar, a string enum, a named one of those.
    Yes,
    /// It would, but the schema is nullable somewhere along its references: an `Option`.
    IfNotNull,
    /// It cannot (what it is, for the report).
    No(&'static str),
}

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    let mut found: Vec<(String, Value, String)> = Vec::new();
    let spec = Spec::new(doc);
    for op in spec.operations() {
        for param in op.parameters() {
            let Some(location @ ("header" | "path")) = param.location() else { continue };
            let Some(schema) = param.node.get("schema") else { continue };
            let (fixed, what) = match shown(&spec, schema, 0) {
                Shown::Yes => continue,
                Shown::IfNotNull => (
                    not_null(&spec, schema),
                    format!(
                        "null has no spelling in a {location}: the value is the non-null type (an optional one is absent instead)"
                    ),
                ),
                Shown::No(kind) => (
                    as_string(schema),
                    format!(
                        "{kind}: a {location} value is written with `Display`, which its type lacks; a string holding the value as the parameter's style spells it (an array's items joined with commas), written by the caller"
                    ),
                ),
            };
            // The parameter as written: a shared component is changed once, where it is.
            let at = param_location(doc, &param.pointer);
            if !found.iter().any(|(pointer, ..)| *pointer == at) {
                found.push((at, fixed, what));
            }
        }
    }
    for (pointer, fixed, what) in found {
        let Some(Value::Object(param)) = doc.pointer_mut(&pointer) else { continue };
        param.insert("schema".into(), fixed);
        places.record(join(&pointer, "schema"), what);
    }
}

/// What typify's type for `schema` offers `Display`, following references.
fn shown(spec: &Spec, schema: &Value, hops: usize) -> Shown {
    if hops > MAX_HOPS {
        return Shown::No("a chain of references");
    }
    if let Some(reference) = schema.get("$ref") {
        // A broken reference is validation's to report.
        return spec.target(reference).map_or(Shown::Yes, |target| shown(spec, target, hops + 1));
    }
    let inner = shown_here(spec, schema, hops);
    let nullable = schema.get("nullable") == Some(&Value::Bool(true))
        || schema.get("enum").and_then(Value::as_array).is_some_and(|values| values.contains(&Value::Null));
    match inner {
        Shown::Yes if nullable => Shown::IfNotNull,
        other => other,
    }
}

/// [`shown`] of the schema itself, nullability aside.
fn shown_here(spec: &Spec, schema: &Value, hops: usize) -> Shown {
    if let Some(Value::Array(values)) = schema.get("enum") {
        return if values.iter().all(|v| v.is_string() || v.is_null()) {
            Shown::Yes
        } else {
            Shown::No("an enum of values other than strings")
        };
    }
    if let Some(Value::Array(all)) = schema.get("allOf") {
        return match all.as_slice() {
            [one] => shown(spec, one, hops + 1),
            _ => Shown::No("an `allOf`"),
        };
    }
    // An untagged union displays when every alternative does (Vercel's `idOrName`: a string
    // or a number): typify's `UntaggedDisplay`.
    for combinator in ["oneOf", "anyOf"] {
        if let Some(members) = schema.get(combinator) {
            let all_shown = members
                .as_array()
                .is_some_and(|m| !m.is_empty() && m.iter().all(|m| shown(spec, m, hops + 1) == Shown::Yes));
            return if all_shown { Shown::Yes } else { Shown::No("a union of values some of which lack `Display`") };
        }
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string" | "integer" | "number" | "boolean") => Shown::Yes,
        Some("array") => Shown::No("an array"),
        Some("object") => Shown::No("an object"),
        _ => Shown::No("a value of any type"),
    }
}

/// The schema's type without its nullability: the node its references lead to, copied
/// without `nullable` (or a `null` enum value) and without a `title` (the copy is not the named
/// type; typify names it from its place), the use's description kept.
fn not_null(spec: &Spec, schema: &Value) -> Value {
    let mut node = schema;
    for _ in 0..MAX_HOPS {
        let next = match (node.get("$ref"), node.get("allOf").and_then(Value::as_array).map(Vec::as_slice)) {
            (Some(reference), _) => spec.target(reference).ok(),
            (None, Some([one])) => Some(one),
            _ => None,
        };
        match next {
            Some(next) => node = next,
            None => break,
        }
    }
    let mut copy: Map<String, Value> = node.as_object().cloned().unwrap_or_default();
    copy.shift_remove("nullable");
    copy.shift_remove("title");
    if let Some(Value::Array(values)) = copy.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    keep_use_annotations(schema, &mut copy);
    Value::Object(copy)
}

/// A string schema in place of `schema`, its description and extensions kept.
fn as_string(schema: &Value) -> Value {
    let mut string = Map::new();
    string.insert("type".into(), json!("string"));
    keep_use_annotations(schema, &mut string);
    Value::Object(string)
}

/// The use's description and its extensions: `x-secret` above all, so a secret header stays a
/// redacted `SecretString`.
fn keep_use_annotations(schema: &Value, into: &mut Map<String, Value>) {
    for (key, value) in schema.as_object().into_iter().flatten() {
        if key == "description" || key.starts_with("x-") {
            into.insert(key.clone(), value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn applied(parameters: Value, schemas: Value) -> (Value, Vec<String>) {
        let mut doc = json!({"openapi": "3.0.3",
            "paths": {"/things/{id}": {"get": {"operationId": "get", "parameters": parameters}}},
            "components": {"schemas": schemas, "parameters": {
                "Beta": {"name": "beta", "in": "header", "schema": {"type": "array", "items": {"type": "string"}}}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        (doc, places.changes().iter().map(|c| c.pointer.clone()).collect())
    }

    #[test]
    fn displayable_values_and_query_parameters_stay() {
        let parameters = json!([
            {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}},
            {"name": "mode", "in": "header", "schema": {"$ref": "#/components/schemas/Mode"}},
            {"name": "tags", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
            {"name": "since", "in": "query", "schema": {"type": "string", "nullable": true}},
            {"name": "kind", "in": "header", "schema": {"allOf": [{"$ref": "#/components/schemas/Mode"}]}},
            // Vercel's `idOrName`.
            {"name": "name", "in": "header", "schema": {"oneOf": [{"type": "string"}, {"type": "number"}]}}
        ]);
        let (doc, changed) = applied(parameters.clone(), json!({"Mode": {"type": "string", "enum": ["a", "b"]}}));
        assert!(changed.is_empty(), "{changed:?}");
        assert_eq!(doc["paths"]["/things/{id}"]["get"]["parameters"], parameters);
    }

    #[test]
    fn a_nullable_value_becomes_its_non_null_type() {
        let (doc, changed) = applied(
            json!([
                // Mistral's `last-event-id`, as the 3.1 conversion leaves it.
                {"name": "last-event-id", "in": "header", "schema": {"type": "string", "nullable": true, "title": "Last-Event-Id"}},
                {"name": "state", "in": "header", "schema": {"$ref": "#/components/schemas/State"}, "description": "d"},
                {"name": "id", "in": "path", "required": true,
                    "schema": {"allOf": [{"$ref": "#/components/schemas/Id"}], "nullable": true, "description": "the id"}}
            ]),
            json!({"State": {"enum": ["on", "off", null], "title": "State"}, "Id": {"type": "integer"}}),
        );
        let params = &doc["paths"]["/things/{id}"]["get"]["parameters"];
        assert_eq!(params[0]["schema"], json!({"type": "string"}));
        assert_eq!(params[1]["schema"], json!({"enum": ["on", "off"]}));
        assert_eq!(params[2]["schema"], json!({"type": "integer", "description": "the id"}));
        // The named schema stays nullable where answers read it.
        assert_eq!(doc["components"]["schemas"]["State"]["enum"], json!(["on", "off", null]));
        assert_eq!(changed.len(), 3);
    }

    /// A secret header stays a secret whatever its type was.
    #[test]
    fn a_secret_stays_a_secret() {
        let (doc, _) = applied(
            json!([
                {"name": "x-tokens", "in": "header", "schema": {"type": "array", "items": {"type": "string"}, "x-secret": true}},
                {"name": "x-token", "in": "header", "schema": {"type": "string", "nullable": true, "x-secret": true}}
            ]),
            json!({}),
        );
        let params = &doc["paths"]["/things/{id}"]["get"]["parameters"];
        assert_eq!(params[0]["schema"], json!({"type": "string", "x-secret": true}));
        assert_eq!(params[1]["schema"], json!({"type": "string", "x-secret": true}));
    }

    #[test]
    fn values_without_display_become_strings_once_where_written() {
        let (doc, changed) = applied(
            json!([
                // OpenAI's `openai-beta`: an array of values, comma-joined on the wire.
                {"name": "openai-beta", "in": "header", "schema": {"type": "array", "items": {"enum": ["a=v1"]},
                    "description": "betas"}},
                {"$ref": "#/components/parameters/Beta"},
                {"name": "id", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/Pair"}},
                {"name": "x-any", "in": "header", "schema": {}},
                {"name": "x-either", "in": "header", "schema": {"oneOf": [{"type": "string"}, {"type": "object"}]}}
            ]),
            json!({"Pair": {"type": "object", "properties": {"a": {"type": "string"}}}}),
        );
        let params = &doc["paths"]["/things/{id}"]["get"]["parameters"];
        assert_eq!(params[0]["schema"], json!({"type": "string", "description": "betas"}));
        assert_eq!(params[1], json!({"$ref": "#/components/parameters/Beta"}));
        assert_eq!(doc["components"]["parameters"]["Beta"]["schema"], json!({"type": "string"}));
        for i in 2..5 {
            assert_eq!(params[i]["schema"], json!({"type": "string"}), "parameter {i}");
        }
        assert_eq!(
            changed,
            [
                "/paths/~1things~1{id}/get/parameters/0/schema",
                "/components/parameters/Beta/schema",
                "/paths/~1things~1{id}/get/parameters/2/schema",
                "/paths/~1things~1{id}/get/parameters/3/schema",
                "/paths/~1things~1{id}/get/parameters/4/schema",
            ]
        );
    }
}
