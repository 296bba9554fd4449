//! `annotation-all-of-members`: `allOf: [{$ref: X}, {description: …}]`, how documents give a
//! use of a named schema its own description (Box writes it at most properties). A member
//! holding only annotations constrains nothing, but typify merges every member into a new
//! type: a copy of `X` for each such use, named after `X`'s title, so Box's
//! `Collaboration.item` was a second `CollaborationItem` beside the component and the client
//! did not compile. The member goes; its annotations and extensions (`x-secret` among them)
//! move onto the schema holding the `allOf` where it has none of its own, and an `allOf` of
//! one `$ref` is `X` itself to typify.

use serde_json::{Map, Value};

use super::Places;
use crate::doc::schemas;
use crate::error::join;

/// Keywords that describe a schema without constraining its values. A `title` is not among
/// them: typify names types after titles.
const ANNOTATIONS: [&str; 7] =
    ["description", "example", "examples", "deprecated", "readOnly", "writeOnly", "externalDocs"];

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    let _ = schemas::visit_all(doc, |schema, ptr| {
        let Some(Value::Array(members)) = schema.get("allOf") else { return Ok::<(), ()>(()) };
        let annotation: Vec<bool> = members.iter().map(annotations_only).collect();
        // Only beside a member that constrains: an `allOf` of annotations alone is any value.
        if !annotation.contains(&true) || !annotation.contains(&false) {
            return Ok(());
        }
        let mut moved: Vec<(String, Value)> = Vec::new();
        if let Some(Value::Array(members)) = schema.get_mut("allOf") {
            let mut index = 0;
            members.retain(|member| {
                let keep = !annotation[index];
                if !keep {
                    places.record(
                        join(&join(ptr, "allOf"), &index.to_string()),
                        "annotations only: moved onto the schema",
                    );
                    moved.extend(member.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v.clone())));
                }
                index += 1;
                keep
            });
        }
        // The schema's own annotations win; an extension such as `x-secret` is never lost.
        for (key, value) in moved {
            schema.entry(key).or_insert(value);
        }
        Ok(())
    });
}

fn annotations_only(member: &Value) -> bool {
    let Some(map): Option<&Map<String, Value>> = member.as_object() else { return false };
    map.keys().all(|key| ANNOTATIONS.contains(&key.as_str()) || key.starts_with("x-"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Box's `Collaboration.item`.
    #[test]
    fn annotation_members_go_and_their_description_moves_up() {
        let mut doc = json!({"components": {"schemas": {
            "Item": {"title": "Collaboration item", "oneOf": [{"type": "string"}, {"type": "integer"}]},
            "Collaboration": {"type": "object", "properties": {
                "item": {"allOf": [{"$ref": "#/components/schemas/Item"}, {"description": "the item"}], "nullable": true},
                "own": {"allOf": [{"$ref": "#/components/schemas/Item"}, {"description": "inner"}], "description": "outer"},
                "merged": {"allOf": [{"$ref": "#/components/schemas/Item"}, {"required": ["a"]}]},
                "nothing": {"allOf": [{"description": "a"}, {"description": "b"}]},
                "titled": {"allOf": [{"$ref": "#/components/schemas/Item"}, {"title": "Named"}]},
                "token": {"allOf": [{"$ref": "#/components/schemas/Item"}, {"x-secret": true, "readOnly": true}]}}}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        let props = &doc["components"]["schemas"]["Collaboration"]["properties"];
        let item = json!([{"$ref": "#/components/schemas/Item"}]);
        assert_eq!(props["item"], json!({"allOf": item, "nullable": true, "description": "the item"}));
        assert_eq!(props["own"], json!({"allOf": item, "description": "outer"}));
        assert_eq!(props["merged"]["allOf"].as_array().map(Vec::len), Some(2));
        assert_eq!(props["nothing"]["allOf"].as_array().map(Vec::len), Some(2));
        assert_eq!(props["titled"]["allOf"].as_array().map(Vec::len), Some(2));
        assert_eq!(props["token"], json!({"allOf": item, "x-secret": true, "readOnly": true}));
        let at: Vec<&str> = places.changes().iter().map(|c| c.pointer.as_str()).collect();
        assert_eq!(
            at,
            [
                "/components/schemas/Collaboration/properties/item/allOf/1",
                "/components/schemas/Collaboration/properties/own/allOf/1",
                "/components/schemas/Collaboration/properties/token/allOf/1"
            ]
        );
    }
}
