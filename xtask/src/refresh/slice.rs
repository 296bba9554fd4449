//! Cutting a full OpenAPI document down to named operations and the transitive closure of
//! every `$ref` they use, and nothing else.

use std::collections::{BTreeSet, VecDeque};

use serde_json::{Map, Value};

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

pub fn slice(doc: &Value, operation_ids: &[String]) -> Result<Value, String> {
    let root = doc.as_object().ok_or("not an OpenAPI document: the content is not a mapping (an HTML page?)")?;
    if !root.get("openapi").is_some_and(Value::is_string) {
        return Err("not an OpenAPI document (no `openapi` version field)".into());
    }
    let wanted: BTreeSet<&str> = operation_ids.iter().map(String::as_str).collect();
    let mut found = BTreeSet::new();
    let mut paths = Map::new();
    let mut tags = BTreeSet::new();
    let mut schemes = BTreeSet::new();
    for (path, item) in root.get("paths").and_then(Value::as_object).into_iter().flatten() {
        let Some(item) = item.as_object() else { continue };
        let mut kept = Map::new();
        for (key, value) in item {
            if METHODS.contains(&key.as_str()) {
                let id = value.get("operationId").and_then(Value::as_str).unwrap_or_default();
                if wanted.contains(id) {
                    found.insert(id.to_string());
                    tags.extend(
                        value.get("tags").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str),
                    );
                    schemes.extend(security_names(value.get("security")));
                    kept.insert(key.clone(), value.clone());
                }
            }
        }
        if !kept.is_empty() {
            // Path-level fields (parameters, summary, servers) apply to the kept operations.
            for (key, value) in item.iter().filter(|(k, _)| !METHODS.contains(&k.as_str())) {
                kept.insert(key.clone(), value.clone());
            }
            paths.insert(path.clone(), Value::Object(kept));
        }
    }
    let missing: Vec<&str> = wanted.iter().filter(|id| !found.contains(**id)).copied().collect();
    if !missing.is_empty() {
        return Err(format!("operationId(s) not in the document: {}", missing.join(", ")));
    }
    schemes.extend(security_names(root.get("security")));

    // The transitive closure of `$ref`s, starting from the kept paths.
    let mut needed: BTreeSet<(String, String)> = BTreeSet::new();
    let mut queue: VecDeque<Value> = VecDeque::from([Value::Object(paths.clone())]);
    while let Some(node) = queue.pop_front() {
        for reference in refs(&node) {
            let (kind, name) = component_of(&reference)?;
            if needed.insert((kind.clone(), name.clone())) {
                let target = root
                    .get("components")
                    .and_then(|c| c.get(&kind))
                    .and_then(|c| c.get(&name))
                    .ok_or_else(|| format!("`$ref: {reference}` does not resolve"))?;
                queue.push_back(target.clone());
            }
        }
    }
    for scheme in schemes {
        needed.insert(("securitySchemes".into(), scheme));
    }

    let mut out = Map::new();
    for key in ["openapi", "info", "servers", "security"] {
        if let Some(value) = root.get(key) {
            out.insert(key.into(), value.clone());
        }
    }
    if let Some(all_tags) = root.get("tags").and_then(Value::as_array) {
        let used: Vec<Value> = all_tags
            .iter()
            .filter(|t| t.get("name").and_then(Value::as_str).is_some_and(|n| tags.contains(n)))
            .cloned()
            .collect();
        if !used.is_empty() {
            out.insert("tags".into(), Value::Array(used));
        }
    }
    out.insert("paths".into(), Value::Object(paths));
    // Components in the document's own order, so a re-slice is a stable diff.
    let mut components = Map::new();
    for (kind, entries) in root.get("components").and_then(Value::as_object).into_iter().flatten() {
        let kept: Map<String, Value> = entries
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(name, _)| needed.contains(&(kind.clone(), (*name).clone())))
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect();
        if !kept.is_empty() {
            components.insert(kind.clone(), Value::Object(kept));
        }
    }
    if !components.is_empty() {
        out.insert("components".into(), Value::Object(components));
    }
    Ok(Value::Object(out))
}

fn security_names(security: Option<&Value>) -> Vec<String> {
    security
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|req| req.keys().cloned())
        .collect()
}

fn refs(node: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match node {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r.clone());
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}

/// `#/components/schemas/Foo` → ("schemas", "Foo").
fn component_of(reference: &str) -> Result<(String, String), String> {
    let unescape = |s: &str| s.replace("~1", "/").replace("~0", "~");
    let parts: Vec<&str> = reference.trim_start_matches("#/").split('/').collect();
    match parts.as_slice() {
        ["components", kind, name] => Ok((unescape(kind), unescape(name))),
        _ => Err(format!("`$ref: {reference}` points outside `components`, which slicing does not follow")),
    }
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
