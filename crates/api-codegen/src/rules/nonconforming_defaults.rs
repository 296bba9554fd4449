//! `nonconforming-defaults`: a `default` its own schema does not allow (`type: integer` with
//! `default: "100"`, a value outside the `enum`), or one of a `oneOf`/`anyOf` that not exactly
//! one alternative takes (a string default of `anyOf: [string, enum of strings]`). typify
//! refuses such a schema ("value does not conform to the given schema"), and with it every
//! operation reaching it. A string that reads as the declared scalar is that scalar (`"100"` →
//! `100`: what the author meant); any other such default is dropped. A default is what the
//! server assumes when a field is absent: the client never sends it, and reads the field as
//! optional without it.

use serde_json::{Map, Number, Value};

use super::Places;
use crate::doc::{Spec, schemas};
use crate::error::join;

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    // Decided on the whole document first: a union's alternatives may be references.
    let mut decisions: Vec<(String, Option<Value>)> = Vec::new();
    let spec = Spec::new(doc);
    schemas::for_each(doc, |schema, ptr| {
        let Some(default) = schema.get("default") else { return };
        if conforms(&spec, schema, default) {
            return;
        }
        let at = join(ptr, "default");
        match coerced(schema, default) {
            Some(value) if conforms(&spec, schema, &value) => {
                places.record(&at, format!("the default {default} read as {value}, the type the schema declares"));
                decisions.push((ptr.to_string(), Some(value)));
            }
            _ => {
                let why = if is_union(schema) {
                    "not exactly one of its alternatives takes"
                } else {
                    "the schema does not allow"
                };
                places.record(&at, format!("dropped the default {default}, which {why}"));
                decisions.push((ptr.to_string(), None));
            }
        }
    });
    for (pointer, value) in decisions {
        let Some(Value::Object(schema)) = doc.pointer_mut(&pointer) else { continue };
        match value {
            Some(value) => schema.insert("default".into(), value),
            None => schema.shift_remove("default"),
        };
    }
}

fn is_union(schema: &Map<String, Value>) -> bool {
    schema.contains_key("oneOf") || schema.contains_key("anyOf")
}

/// Whether `value` passes the checks typify makes of a default: the declared `type` (with
/// `nullable`), the `enum`, and for a union exactly one alternative taking it. Schemas that
/// say nothing of these accept anything here.
fn conforms(spec: &Spec<'_>, schema: &Map<String, Value>, value: &Value) -> bool {
    if value.is_null() {
        return schema.get("nullable") == Some(&Value::Bool(true)) || schema.get("type").is_none();
    }
    if let Some(Value::Array(values)) = schema.get("enum")
        && !values.contains(value)
    {
        return false;
    }
    let alternatives = schema.get("oneOf").or_else(|| schema.get("anyOf")).and_then(Value::as_array);
    if let Some(alternatives) = alternatives {
        let taking = alternatives
            .iter()
            .filter(|alternative| match spec.resolved(alternative) {
                Value::Object(alternative) => conforms(spec, alternative, value),
                _ => true,
            })
            .count();
        if taking != 1 {
            return false;
        }
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => value.as_i64().is_some() || value.as_u64().is_some(),
        Some("number") => value.is_number(),
        Some("string") => value.is_string(),
        Some("boolean") => value.is_boolean(),
        Some("array") => value.is_array(),
        Some("object") => value.is_object(),
        _ => true,
    }
}

/// The declared scalar a string default spells, if it spells one.
fn coerced(schema: &Map<String, Value>, value: &Value) -> Option<Value> {
    let text = value.as_str()?.trim();
    match schema.get("type").and_then(Value::as_str)? {
        "integer" => text.parse::<i64>().ok().map(Value::from),
        "number" => {
            let number = text.parse::<f64>().ok().and_then(Number::from_f64)?;
            // Written as the vendor wrote it: `1` stays an integer, `0.05` a float.
            Some(text.parse::<i64>().map_or(Value::Number(number), Value::from))
        }
        "boolean" => text.parse::<bool>().ok().map(Value::Bool),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_spelled_scalars_and_drops_what_cannot_be() {
        let mut doc = json!({"components": {"schemas": {"Params": {"type": "object", "properties": {
            "rank": {"type": "integer", "default": "8"},
            "dropout": {"type": "number", "default": "0.05"},
            "top_p": {"type": "number", "default": "1.0"},
            "on": {"type": "boolean", "default": "true"},
            "mode": {"type": "string", "enum": ["a", "b"], "default": "c"},
            "size": {"type": "integer", "default": "large"},
            "fine": {"type": "integer", "default": 3},
            "maybe": {"type": "string", "nullable": true, "default": null},
            "any": {"default": "x"},
            "model": {"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/Model"}], "default": "m1"},
            "quality": {"anyOf": [{"type": "integer"}, {"$ref": "#/components/schemas/Model"}], "default": "m1"}
        }}, "Model": {"type": "string", "enum": ["m1", "m2"]}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        let props = doc.pointer("/components/schemas/Params/properties").unwrap();
        assert_eq!(props["rank"]["default"], json!(8));
        assert_eq!(props["dropout"]["default"], json!(0.05));
        assert_eq!(props["top_p"]["default"], json!(1.0));
        assert_eq!(props["on"]["default"], json!(true));
        assert!(props["mode"].get("default").is_none());
        assert!(props["size"].get("default").is_none());
        assert_eq!(props["fine"]["default"], json!(3));
        assert_eq!(props["maybe"]["default"], Value::Null);
        assert_eq!(props["any"]["default"], json!("x"));
        assert!(props["model"].get("default").is_none(), "two alternatives take it");
        assert_eq!(props["quality"]["default"], json!("m1"), "one alternative takes it");
        assert_eq!(places.changes().len(), 7, "{:?}", places.changes());
    }
}
