//! `unsent-defaults`: a `default` is what the server assumes when a field is absent, not a
//! value to send. typify gives an optional property with a `default` a plain field filled with
//! it (`num_images: i64` = 5, `save: bool` = false), so every request would carry every default
//! the caller never set, and an old document's default would override the server's current
//! one. The vendors' SDKs send only what the caller set. So an optional property's `default`
//! is documented in its description (`Default: 5.`) and taken off progenitor's input (the
//! plan lists it; the document keeps it, for the surface and the drift report): the field is
//! an `Option`, `None` unless set, and left off the wire; reading, an absent field is `None`,
//! as the server sent it. A required property keeps its default (typify may fill it in a
//! builder; it is sent either way).

use serde_json::{Map, Value};

use super::Places;
use crate::doc::schemas;
use crate::error::join;
use crate::plan::Plan;

pub(super) fn apply(doc: &mut Value, plan: &mut Plan, places: &mut Places) {
    let _ = schemas::visit_all::<()>(doc, |schema, ptr| {
        let required: Vec<String> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default();
        let Some(Value::Object(properties)) = schema.get_mut("properties") else { return Ok(()) };
        for (name, property) in properties.iter_mut() {
            if required.contains(name) {
                continue;
            }
            let Value::Object(property) = property else { continue };
            if property.contains_key("$ref") {
                continue;
            }
            let Some(default) = property.get("default").cloned() else { continue };
            let property_ptr = join(&join(ptr, "properties"), name);
            if plan.unsent_defaults.contains(&property_ptr) {
                continue;
            }
            // Documented by an earlier run (the rules run twice on a repaired document): the
            // plan still takes it off progenitor's input, with nothing new to report.
            if document(property, &default) {
                places.record(
                    join(&property_ptr, "default"),
                    format!("default {default} documented, not sent: the field is set only by the caller"),
                );
            }
            plan.unsent_defaults.push(property_ptr);
        }
        Ok(())
    });
}

/// Appends `Default: <value>.` to the property's description; false when it is there already.
fn document(property: &mut Map<String, Value>, default: &Value) -> bool {
    let note = format!("Default: `{default}` (what the server assumes when it is not sent).");
    let current = property.get("description").and_then(Value::as_str).unwrap_or_default();
    if current.ends_with(&note) {
        return false;
    }
    let description = match property.get("description").and_then(Value::as_str).map(str::trim_end) {
        Some(text) if !text.is_empty() => format!("{text}\n\n{note}"),
        _ => note,
    };
    property.insert("description".into(), Value::String(description));
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn optional_defaults_are_documented_and_required_ones_kept() {
        let mut doc = json!({"components": {"schemas": {"Chat": {"type": "object", "required": ["model"],
        "properties": {
            "model": {"type": "string", "default": "sonar"},
            "num_images": {"type": "integer", "default": 5, "description": "How many images."},
            "nested": {"type": "object", "properties": {"save": {"type": "boolean", "default": false}}},
            "plain": {"type": "string"}
        }}}}});
        let (mut places, mut plan) = (Places::default(), Plan::default());
        apply(&mut doc, &mut plan, &mut places);
        let chat = &doc["components"]["schemas"]["Chat"]["properties"];
        assert_eq!(chat["model"]["default"], "sonar");
        // The document keeps the default (surface, drift); progenitor's input does not.
        assert_eq!(chat["num_images"]["default"], 5);
        assert_eq!(
            plan.unsent_defaults,
            [
                "/components/schemas/Chat/properties/nested/properties/save",
                "/components/schemas/Chat/properties/num_images"
            ]
        );
        assert_eq!(
            chat["num_images"]["description"],
            "How many images.\n\nDefault: `5` (what the server assumes when it is not sent)."
        );
        let at: Vec<&str> = places.changes().iter().map(|c| c.pointer.as_str()).collect();
        assert_eq!(at.len(), 2, "{at:?}");
        // Idempotent: a second run reports nothing and plans the same.
        let (mut again, mut replanned) = (Places::default(), Plan::default());
        let before = doc.clone();
        apply(&mut doc, &mut replanned, &mut again);
        assert!(again.changes().is_empty());
        assert_eq!((doc, replanned.unsent_defaults), (before, plan.unsent_defaults));
    }
}
