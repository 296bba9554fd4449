//! `deduplicate-enum-values`: an `enum` listing the same value twice keeps its first
//! occurrence. typify would name both variants alike and panic; the set of allowed values
//! is unchanged.

use serde_json::Value;

use super::Places;
use crate::doc::schemas;
use crate::error::join;

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    let _ = schemas::visit_all(doc, |schema, ptr| {
        let Some(Value::Array(values)) = schema.get_mut("enum") else { return Ok::<(), ()>(()) };
        let mut kept: Vec<Value> = Vec::with_capacity(values.len());
        for (index, value) in values.drain(..).enumerate() {
            match kept.iter().position(|k| *k == value) {
                Some(first) => places.record(
                    join(&join(ptr, "enum"), &index.to_string()),
                    format!("dropped the repeated value {value} (the same as enum/{first})"),
                ),
                None => kept.push(value),
            }
        }
        *values = kept;
        Ok(())
    });
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keeps_the_first_of_each_value_and_names_every_repeat() {
        let mut doc = json!({"components": {"schemas": {
            "Target": {"type": "array", "items": {"type": "string",
                "enum": ["production", "preview", "development", "preview", "development"]}},
            "Fine": {"type": "string", "enum": ["a", "b"]}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        assert_eq!(
            doc.pointer("/components/schemas/Target/items/enum"),
            Some(&json!(["production", "preview", "development"]))
        );
        assert_eq!(doc.pointer("/components/schemas/Fine/enum"), Some(&json!(["a", "b"])));
        let changes: Vec<String> = places.changes().iter().map(|c| format!("{}: {}", c.pointer, c.what)).collect();
        assert_eq!(
            changes,
            [
                "/components/schemas/Target/items/enum/3: dropped the repeated value \"preview\" (the same as enum/1)",
                "/components/schemas/Target/items/enum/4: dropped the repeated value \"development\" (the same as enum/2)",
            ]
        );
    }
}
