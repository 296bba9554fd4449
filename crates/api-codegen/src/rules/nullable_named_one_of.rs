//! `nullable-named-one-of`: a component schema that is both `nullable` and a `oneOf` (or
//! `anyOf`, or an `allOf` merging several schemas) makes progenitor wrap it as
//! `oneOf: [null, <the schema>]`, and typify then emits two types with the component's name
//! (`struct X(Option<X>)` and `enum X`), which rustc rejects. progenitor's long-open bug.
//! The repair moves `nullable` to where the schema is used: the component loses it, and each
//! `$ref` to it becomes `allOf: [$ref]` with `nullable: true` (typify's `Option<X>`); a `$ref`
//! that is the only member of an `allOf` makes that `allOf` nullable instead. A `$ref` among
//! several `allOf` members stays: null satisfies the merge only if every member allows it.
//! A nullable component with a `title` is the same trouble: typify names the type inside the
//! `Option` after the title, so GitHub's `auto_merge` (title "Auto merge") was
//! `struct AutoMerge(Option<AutoMerge>)` beside `struct AutoMerge`, and
//! `nullable-license-simple` (title "License Simple") a second `LicenseSimple`.
//! A component listing `null` among its `enum` values is nullable too, and typify made it
//! `struct X(Option<X>)`, a type containing itself (Together's `FinetuneEventLevels`): the
//! value leaves the list and each use is nullable instead.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::Places;
use crate::error::join;

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    let Some(Value::Object(components)) = doc.pointer_mut("/components/schemas") else { return };
    let mut moved = BTreeSet::new();
    for (name, schema) in components.iter_mut() {
        let Some(schema) = schema.as_object_mut() else { continue };
        let at = join("/components/schemas", name);
        if schema.get("nullable") == Some(&Value::Bool(true)) && two_types(schema) {
            schema.remove("nullable");
            places.record(join(&at, "nullable"), format!("removed from `{name}`: each use of it is nullable instead"));
            moved.insert(format!("#/components/schemas/{}", crate::error::escape_token(name)));
        } else if let Some(Value::Array(values)) = schema.get_mut("enum")
            && values.contains(&Value::Null)
        {
            values.retain(|v| !v.is_null());
            schema.remove("nullable");
            places.record(
                join(&at, "enum"),
                format!("`null` removed from `{name}`'s values: each use of it is nullable instead"),
            );
            moved.insert(format!("#/components/schemas/{}", crate::error::escape_token(name)));
        }
    }
    if !moved.is_empty() {
        make_uses_nullable(doc, "", &moved, places);
    }
}

/// Whether progenitor's nullable wrapper around this schema gives typify a second named type.
/// An `allOf` of one `$ref` is an alias typify names once (`struct X(Option<Target>)`); a
/// title names the type inside the `Option`, whatever else has that name.
fn two_types(schema: &Map<String, Value>) -> bool {
    schema.contains_key("title")
        || schema.contains_key("oneOf")
        || schema.contains_key("anyOf")
        || match schema.get("allOf") {
            Some(Value::Array(members)) => !(members.len() == 1 && is_ref(&members[0])),
            _ => false,
        }
}

fn is_ref(schema: &Value) -> bool {
    schema.get("$ref").is_some()
}

fn refers_to<'a>(node: &Value, targets: &'a BTreeSet<String>) -> Option<&'a String> {
    node.get("$ref").and_then(Value::as_str).and_then(|r| targets.get(r))
}

fn make_uses_nullable(node: &mut Value, ptr: &str, targets: &BTreeSet<String>, places: &mut Places) {
    match node {
        Value::Object(map) => {
            // `allOf: [$ref]`: the allOf is the use.
            let sole_member = match map.get("allOf") {
                Some(Value::Array(members)) if members.len() == 1 => refers_to(&members[0], targets).cloned(),
                _ => None,
            };
            if let Some(target) = sole_member {
                if map.get("nullable") != Some(&Value::Bool(true)) {
                    map.insert("nullable".into(), Value::Bool(true));
                    places.record(ptr, format!("nullable: its only `allOf` member is `{target}`"));
                }
            } else if let Some(target) = map.get("$ref").and_then(Value::as_str).and_then(|r| targets.get(r)).cloned() {
                let reference = map.remove("$ref").unwrap_or(Value::Null);
                map.insert("allOf".into(), Value::Array(vec![serde_json::json!({ "$ref": reference })]));
                map.insert("nullable".into(), Value::Bool(true));
                places.record(ptr, format!("`$ref: {target}` became a nullable `allOf: [$ref]`"));
                return;
            }
            for (key, value) in map.iter_mut() {
                match (key.as_str(), value) {
                    // A `$ref` member of an `allOf` is not a use of its own: a sole one made the
                    // `allOf` nullable above, one of several stays (see the module doc).
                    ("allOf", Value::Array(members)) => {
                        for (index, member) in members.iter_mut().enumerate() {
                            if refers_to(member, targets).is_none() {
                                let member_ptr = join(&join(ptr, key), &index.to_string());
                                make_uses_nullable(member, &member_ptr, targets, places);
                            }
                        }
                    }
                    (_, value) => make_uses_nullable(value, &join(ptr, key), targets, places),
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                make_uses_nullable(item, &join(ptr, &index.to_string()), targets, places);
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
    fn nullable_moves_from_the_schema_to_each_use() {
        let mut doc = json!({
            "paths": {"/a": {"get": {"parameters": [{"name": "v", "in": "query",
                "schema": {"$ref": "#/components/schemas/Value"}}]}}},
            "components": {"schemas": {
                "Value": {"nullable": true, "oneOf": [
                    {"type": "string"},
                    {"type": "array", "items": {"$ref": "#/components/schemas/Value"}}]},
                "Holder": {"type": "object", "properties": {
                    "plain": {"$ref": "#/components/schemas/Value", "description": "kept"},
                    "alias": {"allOf": [{"$ref": "#/components/schemas/Value"}]},
                    "already": {"allOf": [{"$ref": "#/components/schemas/Value"}], "nullable": true},
                    "merged": {"allOf": [{"$ref": "#/components/schemas/Value"}, {"type": "string"}]}}},
                "Alias": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/Holder"}]},
                "Plain": {"nullable": true, "type": "string"}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        let nullable_ref = |r: &str| json!({"allOf": [{"$ref": r}], "nullable": true});
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["Value"].get("nullable"), None);
        assert_eq!(schemas["Value"]["oneOf"][1]["items"], nullable_ref("#/components/schemas/Value"));
        assert_eq!(doc["paths"]["/a"]["get"]["parameters"][0]["schema"], nullable_ref("#/components/schemas/Value"));
        let holder = &schemas["Holder"]["properties"];
        assert_eq!(
            holder["plain"],
            json!({"allOf": [{"$ref": "#/components/schemas/Value"}], "nullable": true, "description": "kept"})
        );
        assert_eq!(holder["alias"], nullable_ref("#/components/schemas/Value"));
        assert_eq!(holder["already"], nullable_ref("#/components/schemas/Value"));
        assert_eq!(holder["merged"]["allOf"][0], json!({"$ref": "#/components/schemas/Value"}));
        assert_eq!(holder["merged"].get("nullable"), None);
        // An alias of one `$ref` and a nullable plain type are no problem for typify.
        assert_eq!(schemas["Alias"]["nullable"], json!(true));
        assert_eq!(schemas["Plain"]["nullable"], json!(true));

        let mut changes: Vec<&str> = places.changes().iter().map(|c| c.pointer.as_str()).collect();
        changes.sort_unstable();
        assert_eq!(
            changes,
            [
                "/components/schemas/Holder/properties/alias",
                "/components/schemas/Holder/properties/plain",
                "/components/schemas/Value/nullable",
                "/components/schemas/Value/oneOf/1/items",
                "/paths/~1a/get/parameters/0/schema",
            ]
        );
    }

    /// GitHub's `auto_merge`: typify named the type in the `Option` after the title, the
    /// component's own name (`struct AutoMerge(Option<AutoMerge>)`).
    #[test]
    fn a_titled_nullable_component_is_nullable_where_used() {
        let mut doc = json!({"components": {"schemas": {
            "auto_merge": {"title": "Auto merge", "nullable": true, "type": "object", "properties": {"m": {"type": "string"}}},
            "Pull": {"type": "object", "properties": {"auto_merge": {"$ref": "#/components/schemas/auto_merge"}}}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["auto_merge"].get("nullable"), None);
        assert_eq!(
            schemas["Pull"]["properties"]["auto_merge"],
            json!({"allOf": [{"$ref": "#/components/schemas/auto_merge"}], "nullable": true})
        );
    }

    /// Together's `FinetuneEventLevels`: `null` among the values of a named enum made typify
    /// emit `struct FinetuneEventLevels(Option<FinetuneEventLevels>)` beside the enum.
    #[test]
    fn a_null_enum_value_of_a_component_is_nullable_where_used() {
        let mut doc = json!({"components": {"schemas": {
            "Levels": {"type": "string", "enum": [null, "info", "error"]},
            "Event": {"type": "object", "properties": {"level": {"$ref": "#/components/schemas/Levels"}}}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["Levels"], json!({"type": "string", "enum": ["info", "error"]}));
        assert_eq!(
            schemas["Event"]["properties"]["level"],
            json!({"allOf": [{"$ref": "#/components/schemas/Levels"}], "nullable": true})
        );
    }
}
