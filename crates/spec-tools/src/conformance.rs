//! Whether a JSON value conforms to an OpenAPI 3.0 schema of a document: what the
//! every-operation tests check request bodies with, and what [`crate::examples`] uses to
//! choose between a spec's own example and a synthesised value.
//!
//! It checks what decides whether a generated type accepts a value and whether a server
//! would: `$ref`, `type`, `nullable`, `enum`, `properties` / `required` /
//! `additionalProperties`, `items`, `allOf` (every one), `oneOf` / `anyOf` (at least one:
//! real specs' alternatives often overlap), length, size and numeric bounds, and `pattern`
//! (with regress, the ECMAScript engine the generated types check patterns with). Formats
//! are not checked.

use serde_json::Value;

use api_codegen::doc::Spec;

/// Every way `value` breaks `schema` (empty: it conforms), each as `pointer: problem`, the
/// pointer into the value.
pub fn problems(doc: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(doc, schema, value, "", 0, &mut out);
    out
}

/// Whether `value` conforms to `schema`.
pub fn conforms(doc: &Value, schema: &Value, value: &Value) -> bool {
    problems(doc, schema, value).is_empty()
}

fn check(doc: &Value, schema: &Value, value: &Value, at: &str, depth: usize, out: &mut Vec<String>) {
    let schema = match Spec::new(doc).resolve(schema) {
        Ok(schema) => schema,
        Err(problem) => {
            out.push(format!("{at}: {problem}"));
            return;
        }
    };
    if depth > 256 {
        return;
    }
    if value.is_null() && schema.get("nullable") == Some(&Value::Bool(true)) {
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        out.push(format!("{at}: {value} is not one of {}", Value::Array(allowed.clone())));
    }
    for part in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        check(doc, part, value, at, depth + 1, out);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alternatives) = schema.get(key).and_then(Value::as_array)
            && !alternatives.iter().any(|alt| {
                let mut inner = Vec::new();
                check(doc, alt, value, at, depth + 1, &mut inner);
                inner.is_empty()
            })
        {
            out.push(format!("{at}: matches none of the {key} alternatives"));
        }
    }
    let ty = schema.get("type").and_then(Value::as_str);
    let fits = match (ty, value) {
        (None, _) => true,
        (Some("string"), Value::String(_)) | (Some("boolean"), Value::Bool(_)) => true,
        (Some("number"), Value::Number(_)) => true,
        (Some("integer"), Value::Number(n)) => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0),
        (Some("array"), Value::Array(_)) | (Some("object"), Value::Object(_)) => true,
        _ => false,
    };
    if !fits {
        let ty = ty.unwrap_or_default();
        out.push(format!("{at}: {} is not of type {ty}", kind(value)));
        return;
    }
    let number = |key: &str| schema.get(key).and_then(Value::as_f64);
    let size = |key: &str| schema.get(key).and_then(Value::as_u64).and_then(|n| usize::try_from(n).ok());
    match value {
        Value::String(s) => {
            let chars = s.chars().count();
            if size("minLength").is_some_and(|min| chars < min) || size("maxLength").is_some_and(|max| chars > max) {
                out.push(format!("{at}: a string of {chars} characters is outside the allowed length"));
            }
            // A pattern the engine cannot compile constrains nothing it can check.
            if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
                && regress::Regex::new(pattern).is_ok_and(|re| re.find(s).is_none())
            {
                out.push(format!("{at}: the string does not match the pattern `{pattern}`"));
            }
        }
        Value::Number(n) => {
            let n = n.as_f64().unwrap_or_default();
            let exclusive = |key: &str| schema.get(key) == Some(&Value::Bool(true));
            let low = number("minimum").is_some_and(|m| n < m || (exclusive("exclusiveMinimum") && n == m));
            let high = number("maximum").is_some_and(|m| n > m || (exclusive("exclusiveMaximum") && n == m));
            if low || high {
                out.push(format!("{at}: {n} is out of bounds"));
            }
        }
        Value::Array(items) => {
            if size("minItems").is_some_and(|min| items.len() < min)
                || size("maxItems").is_some_and(|max| items.len() > max)
            {
                out.push(format!("{at}: {} items are outside the allowed count", items.len()));
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(doc, item_schema, item, &format!("{at}/{i}"), depth + 1, out);
                }
            }
        }
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            for name in schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
            {
                if !map.contains_key(name) {
                    out.push(format!("{at}: the required property `{name}` is missing"));
                }
            }
            for (name, item) in map {
                let here = format!("{at}/{}", name.replace('~', "~0").replace('/', "~1"));
                match (properties.and_then(|p| p.get(name)), schema.get("additionalProperties")) {
                    (Some(property), _) => check(doc, property, item, &here, depth + 1, out),
                    (None, Some(Value::Bool(false))) if !composed(schema) => {
                        out.push(format!("{here}: a property the schema does not allow"));
                    }
                    (None, Some(extra @ Value::Object(_))) => check(doc, extra, item, &here, depth + 1, out),
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// `additionalProperties: false` beside `allOf` and friends is read as the generated types
/// read it: the parts' properties count too.
fn composed(schema: &Value) -> bool {
    ["allOf", "oneOf", "anyOf"].iter().any(|k| schema.get(*k).is_some())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn finds_every_problem_with_its_place() {
        let doc = json!({"components": {"schemas": {"T": {"type": "object", "required": ["id"],
            "additionalProperties": false,
            "properties": {"id": {"type": "string", "minLength": 2}, "n": {"type": "integer", "maximum": 3},
                           "tags": {"type": "array", "items": {"type": "string", "enum": ["a"]}},
                           "maybe": {"type": "string", "nullable": true},
                           "either": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}}}}});
        let schema = json!({"$ref": "#/components/schemas/T"});
        assert!(conforms(&doc, &schema, &json!({"id": "ab", "maybe": null, "either": 3, "tags": ["a"]})));
        let found = problems(&doc, &schema, &json!({"n": 4.5, "tags": ["b"], "extra": 1, "either": true}));
        assert_eq!(
            found,
            [
                ": the required property `id` is missing",
                "/n: a number is not of type integer",
                "/tags/0: \"b\" is not one of [\"a\"]",
                "/extra: a property the schema does not allow",
                "/either: matches none of the oneOf alternatives",
            ]
        );
        assert!(!conforms(&doc, &schema, &json!({"id": "a"})));
        assert!(!conforms(&doc, &json!({"$ref": "#/nowhere"}), &json!(1)));
    }
}
