//! `constant-headers`: a required header parameter whose schema allows one value
//! (`Cartesia-Version: 2025-11-04`) is no choice for a caller. It is taken out of the parameter
//! lists and recorded in the operation's plan (name → value), which the runtime sends on every
//! request of the operation and the surface lists.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Places;
use crate::doc::Spec;
use crate::error::join;
use crate::plan::Plan;

pub(super) fn apply(doc: &mut Value, plan: &mut Plan, places: &mut Places) {
    let spec = Spec::new(doc);
    let mut found: Vec<(String, String, String)> = Vec::new();
    let mut removals: BTreeMap<String, BTreeMap<usize, String>> = BTreeMap::new();
    for op in spec.operations() {
        for param in op.parameters() {
            if param.location() != Some("header") || !param.required() {
                continue;
            }
            let Some(name) = param.name() else { continue };
            let Some(Value::Array(values)) = param.schema(&spec).and_then(|s| s.get("enum")) else { continue };
            let [Value::String(value)] = values.as_slice() else { continue };
            let Some((list, index)) = param.pointer.rsplit_once('/') else { continue };
            let Ok(index) = index.parse::<usize>() else { continue };
            found.push((op.pointer.clone(), name.to_string(), value.clone()));
            // A path item's parameter is shared by its operations: removed once.
            removals.entry(list.to_string()).or_default().insert(index, format!("`{name}: {value}`"));
        }
    }

    for (list, indexes) in removals {
        for (index, header) in indexes.into_iter().rev() {
            let Some(Value::Array(params)) = doc.pointer_mut(&list) else { continue };
            if index < params.len() {
                params.remove(index);
                places.record(
                    join(&list, &index.to_string()),
                    format!("header {header} is sent by the runtime on every request, not set by callers"),
                );
            }
        }
    }
    for (op_pointer, name, value) in found {
        let constants = &mut plan.operation_mut(&op_pointer).constant_headers;
        match constants.iter_mut().find(|(n, _)| *n == name) {
            Some(constant) => constant.1 = value,
            None => constants.push((name, value)),
        }
        constants.sort();
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn one_valued_required_headers_become_the_operations_constants() {
        let mut doc = json!({
            "paths": {"/a": {
                "parameters": [{"$ref": "#/components/parameters/Version"}],
                "get": {"operationId": "g", "parameters": [
                    {"name": "X-Mode", "in": "header", "required": true, "schema": {"enum": ["fast"]}},
                    {"name": "X-Free", "in": "header", "required": true, "schema": {"type": "string"}},
                    {"name": "X-Optional", "in": "header", "schema": {"enum": ["on"]}}]},
                "post": {"operationId": "p"}}},
            "components": {"parameters": {"Version": {
                "name": "Api-Version", "in": "header", "required": true,
                "schema": {"$ref": "#/components/schemas/V"}}},
                "schemas": {"V": {"type": "string", "enum": ["2025-11-04"]}}}});
        let (mut places, mut plan) = (Places::default(), Plan::default());
        apply(&mut doc, &mut plan, &mut places);
        let get = &doc["paths"]["/a"]["get"];
        let constants = |op: &str| plan.operation(op).map(|p| p.constant_headers.clone()).unwrap_or_default();
        let pair = |n: &str, v: &str| (n.to_string(), v.to_string());
        assert_eq!(constants("/paths/~1a/get"), [pair("Api-Version", "2025-11-04"), pair("X-Mode", "fast")]);
        assert_eq!(constants("/paths/~1a/post"), [pair("Api-Version", "2025-11-04")]);
        let left: Vec<&str> =
            get["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(left, ["X-Free", "X-Optional"]);
        assert_eq!(doc["paths"]["/a"]["parameters"], json!([]));
        let at: Vec<&str> = places.changes().iter().map(|c| c.pointer.as_str()).collect();
        assert_eq!(at, ["/paths/~1a/get/parameters/0", "/paths/~1a/parameters/0"]);
    }
}
