//! `annotation-all-of-members`: `allOf: [{$ref: X}, {description: …}]`, how documents give a
//! use of a named schema its own description (Box writes it at most properties). A member
//! holding only annotations constrains nothing, but typify merges every member into a new
//! type: a copy of `X` for each such use, named after `X`'s title, so Box's
//! `Collaboration.item` was a second `CollaborationItem` beside the component and the client
//! did not compile. The member goes; its description moves onto the schema holding the
//! `allOf` when that has none, and an `allOf` of one `$ref` is `X` itself to typify.

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
        let mut described = None;
        if let Some(Value::Array(members)) = schema.get_mut("allOf") {
            let mut index = 0;
            members.retain(|member| {
                let keep = !annotation[index];
                if !keep {
                    places.record(join(&join(ptr, "allOf"), &index.to_string()), "annotations only: dropped");
                    if described.is_none() {
                        described = member.get("description").cloned();
                    }
                }
                index += 1;
                keep
            });
        }
        if let Some(description) = described
            && !schema.contains_key("description")
        {
            schema.insert("description".into(), description);
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
                "titled": {"allOf": [{"$ref": "#/components/schemas/Item"}, {"title": "Named"}]}}}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        let props = &doc["components"]["schemas"]["Collaboration"]["properties"];
        let item = json!([{"$ref": "#/components/schemas/Item"}]);
        assert_eq!(props["item"], json!({"allOf": item, "nullable": true, "description": "the item"}));
        assert_eq!(props["own"], json!({"allOf": item, "description": "outer"}));
        assert_eq!(props["merged"]["allOf"].as_array().map(Vec::len), Some(2));
        assert_eq!(props["nothing"]["allOf"].as_array().map(Vec::len), Some(2));
        assert_eq!(props["titled"]["allOf"].as_array().map(Vec::len), Some(2));
        let at: Vec<&str> = places.changes().iter().map(|c| c.pointer.as_str()).collect();
        assert_eq!(
            at,
            [
                "/components/schemas/Collaboration/properties/item/allOf/1",
                "/components/schemas/Collaboration/properties/own/allOf/1"
            ]
        );
    }
}
