//! `enum-beside-all-of`: a schema listing its own values beside an `allOf` of other schemas
//! (`{type: string, enum: [gc], allOf: [{$ref: ActivityKind}]}`, how 3.1 documents narrow a
//! named enum to one of its values). typify panics merging the two. The listed values are the
//! narrower constraint, so the schema keeps them and drops the `allOf`: the same values are
//! allowed, the link to the named type is what is lost (reported).

use serde_json::Value;

use super::Places;
use crate::doc::schemas;
use crate::error::join;

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    let _ = schemas::visit_all(doc, |schema, ptr| {
        if !matches!(schema.get("enum"), Some(Value::Array(_))) || !schema.contains_key("allOf") {
            return Ok::<(), ()>(());
        }
        let named: Vec<&str> = schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|s| s.get("$ref").and_then(Value::as_str))
            .map(|r| r.rsplit('/').next().unwrap_or(r))
            .collect();
        let what =
            if named.is_empty() { "its `allOf`".to_string() } else { format!("`allOf` of `{}`", named.join("`, `")) };
        places.record(join(ptr, "allOf"), format!("kept the listed values, dropped {what}"));
        schema.shift_remove("allOf");
        Ok(())
    });
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keeps_the_values_and_drops_the_all_of() {
        let mut doc = json!({"components": {"schemas": {
        "Kind": {"type": "string", "enum": ["gc", "pc"]},
        "Location": {"type": "object", "properties": {
            "kind": {"type": "string", "enum": ["gc"], "allOf": [{"$ref": "#/components/schemas/Kind"}]},
            "plain": {"allOf": [{"$ref": "#/components/schemas/Kind"}]}
        }}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        let props = doc.pointer("/components/schemas/Location/properties").unwrap();
        assert_eq!(props["kind"], json!({"type": "string", "enum": ["gc"]}));
        assert!(props["plain"].get("allOf").is_some(), "an allOf without values beside it stays");
        assert_eq!(places.changes().len(), 1);
        assert_eq!(places.changes()[0].what, "kept the listed values, dropped `allOf` of `Kind`");
    }
}
