//! Where a `$ref` is a reference. OpenAPI defines Reference Objects (and JSON Schema `$ref`s)
//! in the document's structure, never inside data: example values (`example`, an Example
//! Object's `value`), `default`, `enum`, `const` and vendor extensions (`x-…`) are data whatever
//! keys they hold, and a `properties` map names properties (one may be called `$ref`). Every
//! reader that follows or checks references walks them through here, so a `$ref` in an
//! example (GitHub's SCIM samples) or an extension (code samples) is never followed.

use serde_json::Value;

use crate::error::join;

/// Keys whose values are data, never structure.
const DATA: &[&str] = &["example", "default", "enum", "const"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// An object of the document's structure (a schema, an operation, …).
    Structure,
    /// A map of property names to schemas.
    Properties,
    /// A map of names to Example Objects (or references to them).
    Examples,
    /// An Example Object: its `value` is data.
    Example,
    /// A Responses Object: its keys are statuses, `default` among them, never data.
    Responses,
}

/// Calls `f(value of the $ref, pointer of the object holding it)` for every reference under
/// `node` (at `pointer`), in document order.
pub fn each<'a>(node: &'a Value, pointer: &str, f: &mut impl FnMut(&'a Value, &str)) {
    walk(node, Some(pointer), Place::Structure, &mut |reference, at| f(reference, at.unwrap_or_default()));
}

/// Every reference under `node`, without building pointers: for walks that only collect
/// targets (the selection runs on every client build).
pub fn each_target<'a>(node: &'a Value, f: &mut impl FnMut(&'a Value)) {
    walk(node, None, Place::Structure, &mut |reference, _| f(reference));
}

/// [`each_target`] for a component of `kind` (`schemas`, `examples`, …), reached through a
/// reference: an Example Object's `value` is data (GitHub's SCIM samples hold `$ref` URLs).
pub fn each_target_of<'a>(kind: &str, node: &'a Value, f: &mut impl FnMut(&'a Value)) {
    let place = if kind == "examples" { Place::Example } else { Place::Structure };
    walk(node, None, place, &mut |reference, _| f(reference));
}

fn walk<'a>(node: &'a Value, pointer: Option<&str>, place: Place, f: &mut impl FnMut(&'a Value, Option<&str>)) {
    match node {
        Value::Object(map) => {
            if place != Place::Properties
                && let Some(reference) = map.get("$ref")
            {
                f(reference, pointer);
            }
            // Scalars hold no `$ref`: a pointer is built only for what can (a large document
            // has hundreds of thousands of scalars).
            for (key, value) in map.iter().filter(|(_, v)| v.is_object() || v.is_array()) {
                let child = match place {
                    // Property names are names, whatever they spell; their values are schemas.
                    // Statuses likewise: `default` is the response for any other status.
                    Place::Responses if key.starts_with("x-") => continue,
                    Place::Properties | Place::Responses => Place::Structure,
                    Place::Examples => Place::Example,
                    Place::Example if key == "value" => continue,
                    Place::Structure | Place::Example => {
                        if DATA.contains(&key.as_str()) || key.starts_with("x-") {
                            continue;
                        }
                        match key.as_str() {
                            "properties" | "patternProperties" => Place::Properties,
                            "responses" => Place::Responses,
                            // An array of examples (a 3.1 schema's) is data.
                            "examples" if value.is_array() => continue,
                            "examples" => Place::Examples,
                            _ => Place::Structure,
                        }
                    }
                };
                let child_pointer = pointer.map(|p| join(p, key));
                walk(value, child_pointer.as_deref(), child, f);
            }
        }
        Value::Array(items) => {
            for (index, value) in items.iter().enumerate().filter(|(_, v)| v.is_object() || v.is_array()) {
                let child_pointer = pointer.map(|p| join(p, &index.to_string()));
                walk(value, child_pointer.as_deref(), place, f);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn references_in_data_and_property_names_are_not_references() {
        let doc = json!({
            "paths": {"/a": {"get": {"x-codeSamples": [{"$ref": "samples/a.yaml"}],
                "responses": {"200": {"$ref": "#/components/responses/R"},
                    "default": {"$ref": "#/components/responses/E"}, "x-note": {"$ref": "#/x"}}}}},
            "components": {
                "schemas": {"Members": {"type": "object",
                    "properties": {"$ref": {"type": "string"}, "x-owner": {"$ref": "#/components/schemas/Owner"}},
                    "example": {"$ref": "https://example.com/users/1"},
                    "default": {"$ref": "#/nowhere"}}},
                "examples": {"list": {"value": {"members": [{"$ref": "https://api.example.com/Users/1"}]}},
                    "shared": {"$ref": "#/components/examples/list"}}}});
        let mut found = Vec::new();
        each(&doc, "", &mut |reference, at| found.push((at.to_string(), reference.as_str().unwrap().to_string())));
        assert_eq!(
            found,
            [
                ("/paths/~1a/get/responses/200".to_string(), "#/components/responses/R".to_string()),
                // `default` is a status here, not data.
                ("/paths/~1a/get/responses/default".to_string(), "#/components/responses/E".to_string()),
                (
                    "/components/schemas/Members/properties/x-owner".to_string(),
                    "#/components/schemas/Owner".to_string()
                ),
                ("/components/examples/shared".to_string(), "#/components/examples/list".to_string()),
            ]
        );
    }
}
