//! OpenAPI Overlay 1.0: an ordered list of actions, each selecting nodes with a JSONPath
//! (RFC 9535) `target` and either merging an `update` into them or removing them.
//!
//! An action whose target selects nothing is an error: after an upstream change it means the
//! fix it carried silently stopped applying.

use std::path::Path;

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::error::{Error, ErrorKind, join};

/// Applies every action of `overlay` (read from `overlay_file`) to `doc`, in order.
pub fn apply(doc: &mut Value, overlay: &Value, overlay_file: &Path) -> Result<(), Error> {
    let err = |pointer: &str, msg: String| Error::new(overlay_file, pointer, ErrorKind::Overlay(msg));

    match overlay.get("overlay").and_then(Value::as_str) {
        Some(v) if v.starts_with("1.") => {}
        Some(v) => return Err(err("/overlay", format!("unsupported overlay version `{v}`, expected 1.x"))),
        None => return Err(err("/overlay", "missing the `overlay: 1.0.0` version field".into())),
    }
    let actions = overlay
        .get("actions")
        .and_then(Value::as_array)
        .ok_or_else(|| err("/actions", "missing the `actions` list".into()))?;

    // Actions apply in order; one that fails is reported and the rest still run, so every
    // broken action shows up in one run.
    let errors: Vec<Error> = actions
        .iter()
        .enumerate()
        .filter_map(|(index, action)| apply_action(doc, index, action, overlay_file).err())
        .collect();
    Error::collect(errors)
}

fn apply_action(doc: &mut Value, index: usize, action: &Value, overlay_file: &Path) -> Result<(), Error> {
    let err = |pointer: &str, msg: String| Error::new(overlay_file, pointer, ErrorKind::Overlay(msg));
    let at = format!("/actions/{index}");
    let target =
        action.get("target").and_then(Value::as_str).ok_or_else(|| err(&at, "action has no string `target`".into()))?;
    let path =
        JsonPath::parse(target).map_err(|e| err(&join(&at, "target"), format!("invalid JSONPath `{target}`: {e}")))?;
    let remove = match action.get("remove") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(err(&join(&at, "remove"), "`remove` must be a boolean".into())),
    };
    let update = action.get("update");
    if !remove && update.is_none() {
        return Err(err(&at, "action has neither `update` nor `remove: true`".into()));
    }

    // Resolve the selection to JSON pointers first, then mutate: the selection borrows `doc`.
    let mut pointers: Vec<String> =
        path.query_located(doc).into_iter().map(|node| node.location().to_json_pointer()).collect();
    if pointers.is_empty() {
        return Err(Error::new(
            overlay_file,
            join(&at, "target"),
            ErrorKind::TargetMatchesNothing { target: target.to_string() },
        ));
    }

    if remove {
        // Remove from the deepest and last node first so earlier pointers stay valid:
        // array indices compare as numbers (`/9` before `/10`), not as strings.
        pointers.sort_by_key(|p| std::cmp::Reverse(pointer_key(p)));
        pointers.dedup();
        for pointer in &pointers {
            remove_at(doc, pointer).map_err(|msg| err(&at, msg))?;
        }
    } else if let Some(update) = update {
        for pointer in &pointers {
            let node = doc.pointer_mut(pointer).ok_or_else(|| err(&at, format!("selected node {pointer} vanished")))?;
            merge_into(node, update).map_err(|msg| err(&join(&at, "update"), msg))?;
        }
    }
    Ok(())
}

/// Overlay 1.0 merge: objects merge key by key (recursively), arrays get the update appended,
/// anything else is replaced.
fn merge_into(target: &mut Value, update: &Value) -> Result<(), String> {
    match target {
        Value::Object(object) => {
            let Value::Object(update) = update else {
                return Err("the target is an object, so `update` must be an object".into());
            };
            for (key, value) in update {
                match object.get_mut(key) {
                    Some(existing @ (Value::Object(_) | Value::Array(_)))
                        if value.is_object() || existing.is_array() =>
                    {
                        merge_into(existing, value)?
                    }
                    _ => {
                        object.insert(key.clone(), value.clone());
                    }
                }
            }
            Ok(())
        }
        Value::Array(items) => {
            match update {
                Value::Array(more) => items.extend(more.iter().cloned()),
                other => items.push(other.clone()),
            }
            Ok(())
        }
        _ => Err("the target is a scalar; select its parent object to change it".into()),
    }
}

/// A pointer's tokens, numbers as numbers, for ordering.
fn pointer_key(pointer: &str) -> Vec<(u64, String)> {
    pointer
        .split('/')
        .skip(1)
        .map(|t| t.parse::<u64>().map_or((u64::MAX, t.to_string()), |n| (n, String::new())))
        .collect()
}

fn remove_at(doc: &mut Value, pointer: &str) -> Result<(), String> {
    let (parent, last) = pointer.rsplit_once('/').ok_or_else(|| "cannot remove the document root".to_string())?;
    let token = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => match map.shift_remove(&token) {
            Some(_) => Ok(()),
            None => Err(format!("cannot remove {pointer}: no such member")),
        },
        Some(Value::Array(items)) => {
            let index: usize = token.parse().map_err(|_| format!("bad array index in {pointer}"))?;
            if index >= items.len() {
                return Err(format!("cannot remove {pointer}: index {index} is out of range (length {})", items.len()));
            }
            items.remove(index);
            Ok(())
        }
        _ => Err(format!("cannot remove {pointer}: its parent is not a container")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(doc: &mut Value, overlay: Value) -> Result<(), Error> {
        apply(doc, &overlay, Path::new("overlay.yaml"))
    }

    #[test]
    fn update_merges_objects_and_appends_to_arrays() {
        let mut doc = json!({"info": {"title": "t", "x": {"a": 1}}, "tags": ["a"]});
        run(
            &mut doc,
            json!({"overlay": "1.0.0", "actions": [
                {"target": "$.info", "update": {"x": {"b": 2}, "version": "1"}},
                {"target": "$.tags", "update": "b"}
            ]}),
        )
        .unwrap();
        assert_eq!(doc, json!({"info": {"title": "t", "x": {"a": 1, "b": 2}, "version": "1"}, "tags": ["a", "b"]}));
    }

    #[test]
    fn remove_deletes_every_selected_node() {
        let mut doc = json!({"paths": {"/a": {"get": {}, "post": {}}, "/b": {"get": {}}}});
        run(&mut doc, json!({"overlay": "1.0.0", "actions": [{"target": "$.paths.*.get", "remove": true}]})).unwrap();
        assert_eq!(doc, json!({"paths": {"/a": {"post": {}}, "/b": {}}}));
    }

    #[test]
    fn remove_takes_out_exactly_the_selected_array_elements() {
        let mut doc =
            json!({"tags": (0..12).map(|i| json!({"n": i, "drop": i == 2 || i == 9 || i == 10})).collect::<Vec<_>>()});
        run(&mut doc, json!({"overlay": "1.0.0", "actions": [{"target": "$.tags[?@.drop == true]", "remove": true}]}))
            .unwrap();
        let left: Vec<i64> = doc["tags"].as_array().unwrap().iter().map(|t| t["n"].as_i64().unwrap()).collect();
        assert_eq!(left, [0, 1, 3, 4, 5, 6, 7, 8, 11]);
    }

    #[test]
    fn removing_an_index_out_of_range_is_an_error() {
        let mut doc = json!({"a": [1, 2]});
        assert!(remove_at(&mut doc, "/a/5").unwrap_err().contains("out of range"));
        assert!(remove_at(&mut doc, "/b").unwrap_err().contains("no such member"));
        assert_eq!(doc, json!({"a": [1, 2]}));
    }

    #[test]
    fn a_target_matching_nothing_is_an_error_naming_the_action() {
        let mut doc = json!({"info": {}});
        let err = run(
            &mut doc,
            json!({"overlay": "1.0.0", "actions": [
                {"target": "$.info", "update": {}},
                {"target": "$.nope", "update": {}}
            ]}),
        )
        .unwrap_err();
        assert!(matches!(err.kind, ErrorKind::TargetMatchesNothing { .. }));
        assert_eq!(err.pointer, "/actions/1/target");
        assert!(err.to_string().contains("overlay.yaml: at /actions/1/target"), "{err}");
    }

    #[test]
    fn every_failing_action_is_reported_and_the_others_apply() {
        let mut doc = json!({"info": {}});
        let err = run(
            &mut doc,
            json!({"overlay": "1.0.0", "actions": [
                {"target": "$.nope", "update": {}},
                {"target": "$.info", "update": {"x": 1}},
                {"target": "$.info"}
            ]}),
        )
        .unwrap_err();
        let at: Vec<&str> = err.all().map(|e| e.pointer.as_str()).collect();
        assert_eq!(at, ["/actions/0/target", "/actions/2"]);
        assert_eq!(err.to_string().lines().count(), 2, "{err}");
        assert_eq!(doc, json!({"info": {"x": 1}}));
    }

    #[test]
    fn invalid_jsonpath_is_reported() {
        let mut doc = json!({});
        let err = run(&mut doc, json!({"overlay": "1.0.0", "actions": [{"target": "$[", "update": {}}]})).unwrap_err();
        assert!(err.to_string().contains("invalid JSONPath"), "{err}");
    }
}
