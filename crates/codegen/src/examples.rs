//! Example values synthesised from a spec, so a mock server can answer any operation the
//! way the spec says it answers: the schema's own `example` where it has one, else a value
//! of the right shape.

use serde_json::{Map, Value, json};

use crate::schemas;

/// The operation of `doc` that serves `method` and a concrete `path` (templates match any
/// one segment), as (operationId, status, example body) for its first success response.
pub fn answer(doc: &Value, method: &str, path: &str) -> Option<(String, u16, Option<Value>)> {
    let (_, _, _, op) = schemas::operations(doc)
        .into_iter()
        .find(|(_, template, m, _)| m.eq_ignore_ascii_case(method) && path_matches(template, path))?;
    let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
    let responses = op.get("responses")?.as_object()?;
    let (status, response) = responses.iter().find(|(s, _)| s.starts_with('2'))?;
    let status = status.parse().unwrap_or(200);
    let body = response.pointer("/content/application~1json/schema").map(|schema| example(doc, schema, 0));
    Some((id, status, body))
}

fn path_matches(template: &str, path: &str) -> bool {
    let (mut t, mut p) = (template.split('/'), path.split('/'));
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(ts), Some(ps)) if ts == ps || (ts.starts_with('{') && ts.ends_with('}') && !ps.is_empty()) => {}
            _ => return false,
        }
    }
}

/// An example value for `schema`.
pub fn example(doc: &Value, schema: &Value, depth: usize) -> Value {
    if depth > 16 {
        return Value::Null;
    }
    if let Some(target) =
        schema.get("$ref").and_then(Value::as_str).and_then(|r| doc.pointer(r.trim_start_matches('#')))
    {
        return example(doc, target, depth + 1);
    }
    if schema.get("x-secret") == Some(&Value::Bool(true)) {
        return json!("demo-secret-value");
    }
    if let Some(value) = schema.get("example").or_else(|| schema.pointer("/enum/0")).or_else(|| schema.get("default")) {
        return value.clone();
    }
    if let Some(first) = ["allOf", "oneOf", "anyOf"].iter().find_map(|k| schema.pointer(&format!("/{k}/0"))) {
        return example(doc, first, depth + 1);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => json!("string"),
        Some("number") => json!(1.5),
        Some("integer") => json!(1),
        Some("boolean") => json!(true),
        Some("array") => match schema.get("items") {
            Some(items) if items.as_object().is_some_and(|o| !o.is_empty()) => json!([example(doc, items, depth + 1)]),
            _ => json!([]),
        },
        _ => {
            let mut object = Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, prop) in props {
                    object.insert(name.clone(), example(doc, prop, depth + 1));
                }
            }
            Value::Object(object)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_from_examples_and_shapes() {
        let doc = json!({"paths": {"/t/{id}": {"get": {"operationId": "get_t", "responses": {"200": {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/T"}}}}}}}},
            "components": {"schemas": {"T": {"type": "object", "properties": {
                "id": {"type": "string", "example": "t1"}, "n": {"type": "integer"},
                "s": {"type": "string", "x-secret": true}, "k": {"type": "string", "enum": ["a", "b"]}}}}}});
        let (id, status, body) = answer(&doc, "GET", "/t/xyz").unwrap();
        assert_eq!((id.as_str(), status), ("get_t", 200));
        assert_eq!(body.unwrap(), json!({"id": "t1", "n": 1, "s": "demo-secret-value", "k": "a"}));
        assert!(answer(&doc, "GET", "/t").is_none());
        assert!(answer(&doc, "POST", "/t/x").is_none());
    }
}
