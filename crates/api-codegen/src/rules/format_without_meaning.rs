//! `format-without-meaning`: a `format` on a schema whose type has no formats (`type: object,
//! format: uri-map`). JSON Schema lets a validator ignore an unknown format; typify panics
//! ("invalid (or unexpected) schema") and costs every operation reaching the schema. The
//! format goes; the shape is unchanged.

use serde_json::Value;

use super::Places;
use crate::doc::schemas;
use crate::error::join;

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    let _ = schemas::visit_all(doc, |schema, ptr| {
        let Some(kind @ ("object" | "array" | "boolean")) = schema.get("type").and_then(Value::as_str) else {
            return Ok::<(), ()>(());
        };
        let what = format!("which type `{kind}` does not have");
        if let Some(format) = schema.shift_remove("format") {
            places.record(join(ptr, "format"), format!("dropped the format {format}, {what}"));
        }
        Ok(())
    });
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn drops_formats_of_types_without_formats() {
        let mut doc = json!({"components": {"schemas": {"Account": {"type": "object", "properties": {
            "uris": {"type": "object", "format": "uri-map"},
            "when": {"type": "string", "format": "date-time"},
            "flags": {"type": "array", "format": "csv", "items": {"type": "integer", "format": "int64"}}
        }}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        let props = doc.pointer("/components/schemas/Account/properties").unwrap();
        assert_eq!(props["uris"], json!({"type": "object"}));
        assert_eq!(props["when"]["format"], json!("date-time"));
        assert_eq!(props["flags"], json!({"type": "array", "items": {"type": "integer", "format": "int64"}}));
        assert_eq!(places.changes().len(), 2);
    }
}
