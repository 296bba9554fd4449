//! Finding the reference cycles no value can satisfy.
//!
//! A schema may legitimately refer to itself through something that can end: an optional
//! property, an array's items, a map's values, a nullable schema. A cycle that never passes
//! through such a place (`A: {$ref: B}`, `B: {allOf: [{$ref: A}]}`, or two schemas that
//! each *require* the other) describes no finite JSON value; typify would still generate
//! types for it, which nothing can ever deserialise. Those cycles are errors naming the chain.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use crate::doc::Spec;
use crate::error::join;

/// Reports each cycle of references that no finite value satisfies, once, at its first
/// pointer in document order.
pub fn check_cycles(doc: &Value, invalid: &mut impl FnMut(&str, String)) {
    let mut starts = Vec::new();
    ref_holders(doc, "", &mut starts);
    let mut done: HashMap<String, bool> = HashMap::new(); // true: finished, false: on the stack
    let mut reported: BTreeSet<Vec<String>> = BTreeSet::new();
    for start in starts {
        if done.contains_key(&start) {
            continue;
        }
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), must_contain(doc, &start))];
        done.insert(start, false);
        while let Some((_, edges)) = stack.last_mut() {
            let Some(next) = edges.pop() else {
                if let Some((node, _)) = stack.pop() {
                    done.insert(node, true);
                }
                continue;
            };
            match done.get(&next) {
                Some(true) => {}
                Some(false) => {
                    let from = stack.iter().position(|(node, _)| *node == next).unwrap_or(0);
                    let cycle: Vec<String> = stack[from..].iter().map(|(node, _)| node.clone()).collect();
                    report(doc, cycle, &mut reported, invalid);
                }
                None => {
                    done.insert(next.clone(), false);
                    let edges = must_contain(doc, &next);
                    stack.push((next, edges));
                }
            }
        }
    }
}

fn report(
    doc: &Value,
    mut cycle: Vec<String>,
    reported: &mut BTreeSet<Vec<String>>,
    invalid: &mut impl FnMut(&str, String),
) {
    let mut key = cycle.clone();
    key.sort();
    if !reported.insert(key) {
        return;
    }
    let first = cycle.iter().enumerate().min_by_key(|(_, p)| p.as_str()).map_or(0, |(i, _)| i);
    cycle.rotate_left(first);
    let only_refs = cycle.iter().all(|p| doc.pointer(p).is_some_and(|n| n.get("$ref").is_some()));
    let chain = cycle.iter().chain(cycle.first()).map(String::as_str).collect::<Vec<_>>().join(" → ");
    let problem = if only_refs {
        format!("`$ref` chain that never reaches a definition: {chain}")
    } else {
        format!("schemas that require each other in a cycle, so no finite value matches: {chain}")
    };
    invalid(&cycle[0], problem);
}

/// Pointers of every object holding a `$ref`: each cycle passes through one.
fn ref_holders(node: &Value, ptr: &str, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if map.contains_key("$ref") {
                out.push(ptr.to_string());
            }
            for (key, value) in map {
                ref_holders(value, &join(ptr, key), out);
            }
        }
        Value::Array(items) => {
            for (index, value) in items.iter().enumerate() {
                ref_holders(value, &join(ptr, &index.to_string()), out);
            }
        }
        _ => {}
    }
}

/// What a value of the node at `ptr` must also be a value of: its `$ref` target, each
/// `allOf` part, a lone `anyOf`/`oneOf` alternative, each required property. Nothing past a
/// nullable schema (null ends the chain).
fn must_contain(doc: &Value, ptr: &str) -> Vec<String> {
    let Some(node) = doc.pointer(ptr) else { return Vec::new() };
    if let Some(reference) = node.get("$ref") {
        // One that does not resolve ends the chain (validation reports it).
        return Spec::new(doc).target_pointer(reference).into_iter().collect();
    }
    if node.get("nullable") == Some(&Value::Bool(true)) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(parts) = node.get("allOf").and_then(Value::as_array) {
        out.extend((0..parts.len()).map(|i| join(&join(ptr, "allOf"), &i.to_string())));
    }
    for key in ["anyOf", "oneOf"] {
        if node.get(key).and_then(Value::as_array).is_some_and(|alternatives| alternatives.len() == 1) {
            out.push(join(&join(ptr, key), "0"));
        }
    }
    if let (Some(Value::Array(required)), Some(Value::Object(properties))) =
        (node.get("required"), node.get("properties"))
    {
        for name in required.iter().filter_map(Value::as_str).filter(|n| properties.contains_key(*n)) {
            out.push(join(&join(ptr, "properties"), name));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cycles(schemas: Value) -> Vec<(String, String)> {
        let doc = json!({"components": {"schemas": schemas}});
        let mut found = Vec::new();
        check_cycles(&doc, &mut |at: &str, msg: String| found.push((at.to_string(), msg)));
        found
    }

    #[test]
    fn ref_chains_that_loop_are_reported_once_naming_the_chain() {
        let found = cycles(json!({
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"$ref": "#/components/schemas/C"},
            "C": {"$ref": "#/components/schemas/A"},
            "S": {"$ref": "#/components/schemas/S"}}));
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].0, "/components/schemas/A");
        assert_eq!(
            found[0].1,
            "`$ref` chain that never reaches a definition: /components/schemas/A → /components/schemas/B → /components/schemas/C → /components/schemas/A"
        );
        assert_eq!(found[1].0, "/components/schemas/S");
    }

    #[test]
    fn all_of_and_required_cycles_are_uninhabitable() {
        let found = cycles(json!({
            "A": {"allOf": [{"$ref": "#/components/schemas/B"}]},
            "B": {"allOf": [{"$ref": "#/components/schemas/A"}]},
            "P": {"type": "object", "required": ["q"], "properties": {"q": {"$ref": "#/components/schemas/Q"}}},
            "Q": {"type": "object", "required": ["p"], "properties": {"p": {"$ref": "#/components/schemas/P"}}}}));
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found.iter().all(|(_, m)| m.starts_with("schemas that require each other")), "{found:#?}");
    }

    #[test]
    fn recursion_that_can_end_is_fine() {
        let found = cycles(json!({
            "Node": {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string"},
                "parent": {"$ref": "#/components/schemas/Node"},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                "next": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/Node"}]}}},
            "Map": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Map"}}}));
        assert_eq!(found, []);
    }
}
