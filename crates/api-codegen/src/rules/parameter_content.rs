//! `parameter-content`: a parameter described by `content` (one media type and its schema)
//! instead of `schema`, the way OpenAPI spells "this query value is a JSON document".
//! progenitor refuses the operation. The parameter becomes a string holding the value as that
//! media type spells it (for JSON, the caller's `serde_json::to_string`): what goes on the
//! wire is exactly the spec's; the typing of the inner document is what is lost (reported).

use serde_json::{Value, json};

use super::Places;
use crate::doc::Spec;
use crate::error::join;

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    let mut found: Vec<(String, String)> = Vec::new();
    for op in Spec::new(doc).operations() {
        for param in op.parameters() {
            let Some(Value::Object(content)) = param.node.get("content") else { continue };
            if param.node.get("schema").is_some() {
                continue;
            }
            let media = content.keys().next().cloned().unwrap_or_default();
            // The parameter as written: a shared component is changed once, where it is.
            let at = param_location(doc, &param.pointer);
            if !found.iter().any(|(pointer, _)| *pointer == at) {
                found.push((at, media));
            }
        }
    }
    for (pointer, media) in found {
        let Some(Value::Object(param)) = doc.pointer_mut(&pointer) else { continue };
        param.shift_remove("content");
        param.insert("schema".into(), json!({"type": "string"}));
        places.record(
            join(&pointer, "content"),
            format!("a string holding the value as `{media}` (the caller encodes it); the inner schema is not typed"),
        );
    }
}

/// Where the parameter at `pointer` is written: the component a `$ref` there names, or itself.
pub(super) fn param_location(doc: &Value, pointer: &str) -> String {
    match doc.pointer(pointer).and_then(|p| p.get("$ref")).and_then(Value::as_str) {
        Some(reference) if reference.starts_with("#/") => reference[1..].to_string(),
        _ => pointer.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_content_parameter_becomes_the_string_it_is_on_the_wire() {
        let mut doc = json!({"openapi": "3.0.3", "paths": {"/c": {"get": {"operationId": "list", "parameters": [
            {"name": "metadata", "in": "query", "content": {"application/json": {"schema": {"type": "object"}}}},
            {"$ref": "#/components/parameters/Filter"},
            {"name": "page", "in": "query", "schema": {"type": "integer"}}
        ]}}}, "components": {"parameters": {"Filter": {"name": "filter", "in": "query",
            "content": {"application/json": {"schema": {"type": "object"}}}}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        assert_eq!(
            doc.pointer("/paths/~1c/get/parameters/0"),
            Some(&json!({"name": "metadata", "in": "query", "schema": {"type": "string"}}))
        );
        assert_eq!(doc.pointer("/components/parameters/Filter/schema"), Some(&json!({"type": "string"})));
        assert_eq!(doc.pointer("/paths/~1c/get/parameters/2/schema"), Some(&json!({"type": "integer"})));
        let at: Vec<&str> = places.changes().iter().map(|c| c.pointer.as_str()).collect();
        assert_eq!(at, ["/paths/~1c/get/parameters/0/content", "/components/parameters/Filter/content"]);
    }
}
