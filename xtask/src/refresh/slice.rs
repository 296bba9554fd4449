//! Cutting a full OpenAPI document down to named operations and the transitive closure of
//! every `$ref` they use, and nothing else: the generator's own subsetting
//! ([`api_codegen::select::retain_operations`], one walk over references), plus the tags and
//! security schemes the kept operations name.

use std::collections::BTreeSet;

use api_codegen::doc::Spec;
use serde_json::Value;

/// The root fields a sliced document keeps.
const KEPT_ROOT: [&str; 7] = ["openapi", "info", "servers", "security", "tags", "paths", "components"];

pub fn slice(doc: &Value, operation_ids: &[String]) -> Result<Value, String> {
    let root = doc.as_object().ok_or("not an OpenAPI document: the content is not a mapping (an HTML page?)")?;
    if !root.get("openapi").is_some_and(Value::is_string) {
        return Err("not an OpenAPI document (no `openapi` version field)".into());
    }
    let wanted: BTreeSet<&str> = operation_ids.iter().map(String::as_str).collect();
    let found: BTreeSet<&str> = Spec::new(doc).operations().iter().filter_map(|op| op.id()).collect();
    let missing: Vec<&str> = wanted.difference(&found).copied().collect();
    if !missing.is_empty() {
        return Err(format!("operationId(s) not in the document: {}", missing.join(", ")));
    }

    let mut out = doc.clone();
    if let Some(root) = out.as_object_mut() {
        root.retain(|key, _| KEPT_ROOT.contains(&key.as_str()));
    }
    let keep = |op: &Value| op.get("operationId").and_then(Value::as_str).is_some_and(|id| wanted.contains(id));
    api_codegen::select::retain_operations(&mut out, keep, &[])?;

    let operations = Spec::new(&out).operations();
    let tags: BTreeSet<String> = operations
        .iter()
        .flat_map(|op| op.node.get("tags").and_then(Value::as_array).into_iter().flatten())
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect();
    let mut schemes: BTreeSet<String> = security_names(out.get("security"));
    for op in &operations {
        schemes.extend(security_names(op.node.get("security")));
    }
    let Some(root) = out.as_object_mut() else { return Err("not an OpenAPI document".into()) };
    if let Some(Value::Array(all_tags)) = root.get_mut("tags") {
        all_tags.retain(|t| t.get("name").and_then(Value::as_str).is_some_and(|n| tags.contains(n)));
        if all_tags.is_empty() {
            root.remove("tags");
        }
    }
    if let Some(Value::Object(components)) = root.get_mut("components") {
        if let Some(Value::Object(defined)) = components.get_mut("securitySchemes") {
            defined.retain(|name, _| schemes.contains(name));
            if defined.is_empty() {
                components.remove("securitySchemes");
            }
        }
        if components.is_empty() {
            root.remove("components");
        }
    }
    Ok(out)
}

fn security_names(security: Option<&Value>) -> BTreeSet<String> {
    security
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|req| req.keys().cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_the_operations_and_their_references_only() {
        let doc = json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "tags": [{"name": "a"}, {"name": "b"}],
            "paths": {
                "/a": {"get": {"operationId": "getA", "tags": ["a"], "security": [{"bearer": []}],
                    "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}},
                    "delete": {"operationId": "deleteA"}},
                "/b": {"get": {"operationId": "getB", "tags": ["b"]}}
            },
            "components": {
                "schemas": {"A": {"properties": {"b": {"$ref": "#/components/schemas/B"}}}, "B": {}, "Unused": {}},
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}, "other": {"type": "http"}}
            }
        });
        let sliced = slice(&doc, &["getA".into()]).unwrap();
        assert_eq!(sliced["paths"].as_object().unwrap().keys().collect::<Vec<_>>(), ["/a"]);
        assert!(sliced["paths"]["/a"].get("delete").is_none());
        assert_eq!(sliced["components"]["schemas"].as_object().unwrap().keys().collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(sliced["components"]["securitySchemes"].as_object().unwrap().len(), 1);
        assert_eq!(sliced["tags"], json!([{"name": "a"}]));

        let err = slice(&doc, &["getA".into(), "nope".into()]).unwrap_err();
        assert!(err.contains("nope"), "{err}");
        assert!(slice(&json!("<html>"), &[]).is_err());
    }
}
