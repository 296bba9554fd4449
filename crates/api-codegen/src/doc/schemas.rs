//! Finding every schema in an OpenAPI document, so that conversions touch JSON Schema
//! keywords only where they are keywords (a property called `type` is not one).

use serde_json::Value;

use crate::doc::METHODS;
use crate::error::join;

/// JSON pointers of every top-level schema: component schemas and the schemas of
/// parameters, headers, request bodies and responses, wherever they are defined.
pub fn roots(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(components) = doc.get("components") {
        each(components, "schemas", "/components", |ptr, _| out.push(ptr));
        each(components, "parameters", "/components", |ptr, p| param_like(p, &ptr, &mut out));
        each(components, "headers", "/components", |ptr, h| param_like(h, &ptr, &mut out));
        each(components, "requestBodies", "/components", |ptr, b| content(b, &ptr, &mut out));
        each(components, "responses", "/components", |ptr, r| response(r, &ptr, &mut out));
    }
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let item_ptr = join("/paths", path);
            list(item, "parameters", &item_ptr, |ptr, p| param_like(p, &ptr, &mut out));
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let op_ptr = join(&item_ptr, method);
                list(op, "parameters", &op_ptr, |ptr, p| param_like(p, &ptr, &mut out));
                if let Some(body) = op.get("requestBody") {
                    content(body, &join(&op_ptr, "requestBody"), &mut out);
                }
                each(op, "responses", &op_ptr, |ptr, r| response(r, &ptr, &mut out));
            }
        }
    }
    out
}

/// Pointers of the direct subschemas of a schema object.
pub fn children(schema: &Value, ptr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Some(obj) = schema.as_object() else { return out };
    for key in SUBSCHEMA_KEYWORDS {
        match obj.get(key) {
            Some(Value::Object(map)) if is_map(key) => {
                let base = join(ptr, key);
                out.extend(map.keys().map(|k| join(&base, k)));
            }
            Some(Value::Array(items)) if !is_map(key) => {
                let base = join(ptr, key);
                out.extend((0..items.len()).map(|i| join(&base, &i.to_string())));
            }
            Some(Value::Object(_)) if is_single(key) => out.push(join(ptr, key)),
            _ => {}
        }
    }
    out
}

fn each(parent: &Value, key: &str, ptr: &str, mut f: impl FnMut(String, &Value)) {
    if let Some(map) = parent.get(key).and_then(Value::as_object) {
        let base = join(ptr, key);
        for (name, value) in map {
            f(join(&base, name), value);
        }
    }
}

fn list(parent: &Value, key: &str, ptr: &str, mut f: impl FnMut(String, &Value)) {
    if let Some(items) = parent.get(key).and_then(Value::as_array) {
        let base = join(ptr, key);
        for (i, value) in items.iter().enumerate() {
            f(join(&base, &i.to_string()), value);
        }
    }
}

fn param_like(param: &Value, ptr: &str, out: &mut Vec<String>) {
    if param.get("schema").is_some() {
        out.push(join(ptr, "schema"));
    }
    content(param, ptr, out);
}

fn content(holder: &Value, ptr: &str, out: &mut Vec<String>) {
    each(holder, "content", ptr, |media_ptr, media| {
        if media.get("schema").is_some() {
            out.push(join(&media_ptr, "schema"));
        }
    });
}

fn response(resp: &Value, ptr: &str, out: &mut Vec<String>) {
    content(resp, ptr, out);
    each(resp, "headers", ptr, |h_ptr, h| param_like(h, &h_ptr, out));
}

/// Visits every schema in the document, children before parents, with its pointer.
///
/// Walks by reference (each root is looked up once): looking every schema up by its pointer
/// made this quadratic in the nesting depth, seconds on a large document.
pub fn visit_all<E>(
    doc: &mut Value,
    mut f: impl FnMut(&mut serde_json::Map<String, Value>, &str) -> Result<(), E>,
) -> Result<(), E> {
    for root in roots(doc) {
        if let Some(schema) = doc.pointer_mut(&root) {
            visit(schema, &root, &mut f)?;
        }
    }
    Ok(())
}

/// [`visit_all`] for readers: every schema object, children before parents, with its pointer.
pub fn for_each(doc: &Value, mut f: impl FnMut(&serde_json::Map<String, Value>, &str)) {
    fn walk(schema: &Value, ptr: &str, f: &mut impl FnMut(&serde_json::Map<String, Value>, &str)) {
        let Value::Object(obj) = schema else { return };
        for child in children(schema, ptr) {
            let relative = &child[ptr.len()..];
            if let Some(sub) = schema.pointer(relative) {
                walk(sub, &child, f);
            }
        }
        f(obj, ptr);
    }
    for root in roots(doc) {
        if let Some(schema) = doc.pointer(&root) {
            walk(schema, &root, &mut f);
        }
    }
}

fn visit<E>(
    schema: &mut Value,
    ptr: &str,
    f: &mut impl FnMut(&mut serde_json::Map<String, Value>, &str) -> Result<(), E>,
) -> Result<(), E> {
    let Value::Object(obj) = schema else { return Ok(()) };
    for key in SUBSCHEMA_KEYWORDS {
        match obj.get_mut(key) {
            Some(Value::Object(map)) if is_map(key) => {
                let base = join(ptr, key);
                for (name, sub) in map.iter_mut() {
                    visit(sub, &join(&base, name), f)?;
                }
            }
            Some(Value::Array(items)) if !is_map(key) => {
                let base = join(ptr, key);
                for (index, sub) in items.iter_mut().enumerate() {
                    visit(sub, &join(&base, &index.to_string()), f)?;
                }
            }
            Some(sub @ Value::Object(_)) if is_single(key) => visit(sub, &join(ptr, key), f)?,
            _ => {}
        }
    }
    f(obj, ptr)
}

/// Visits every schema reachable from the document's schema roots, parents before children,
/// the last root and the last child first (a stack of [`children`]), without looking any up
/// by pointer.
pub fn each_schema<'a>(doc: &'a Value, f: &mut impl FnMut(&'a Value, &str)) {
    for root in roots(doc).iter().rev() {
        if let Some(schema) = doc.pointer(root) {
            each_in(schema, root, f);
        }
    }
}

fn each_in<'a>(schema: &'a Value, ptr: &str, f: &mut impl FnMut(&'a Value, &str)) {
    let Value::Object(obj) = schema else { return };
    f(schema, ptr);
    for key in SUBSCHEMA_KEYWORDS.iter().rev() {
        match obj.get(*key) {
            Some(Value::Object(map)) if is_map(key) => {
                let base = join(ptr, key);
                for (name, sub) in map.iter().rev() {
                    each_in(sub, &join(&base, name), f);
                }
            }
            Some(Value::Array(items)) if !is_map(key) => {
                let base = join(ptr, key);
                for (index, sub) in items.iter().enumerate().rev() {
                    each_in(sub, &join(&base, &index.to_string()), f);
                }
            }
            Some(sub @ Value::Object(_)) if is_single(key) => each_in(sub, &join(ptr, key), f),
            _ => {}
        }
    }
}

/// Keywords holding subschemas, in [`children`]'s order.
const SUBSCHEMA_KEYWORDS: [&str; 16] = [
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "allOf",
    "anyOf",
    "oneOf",
    "prefixItems",
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
];

/// A map of subschemas by name (`properties`).
fn is_map(key: &str) -> bool {
    matches!(key, "properties" | "patternProperties" | "$defs" | "definitions")
}

/// One subschema, or a list of them (`items`).
fn is_single(key: &str) -> bool {
    matches!(key, "items" | "additionalProperties" | "not" | "contains" | "propertyNames" | "if" | "then" | "else")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The pointer-by-pointer walks these replace, as the definition of their order.
    fn by_pointer(doc: &Value, parents_first: bool) -> Vec<String> {
        fn post(doc: &Value, ptr: &str, out: &mut Vec<String>) {
            let Some(schema) = doc.pointer(ptr) else { return };
            for kid in children(schema, ptr) {
                post(doc, &kid, out);
            }
            if schema.is_object() {
                out.push(ptr.to_string());
            }
        }
        let mut out = Vec::new();
        if parents_first {
            let mut pending = roots(doc);
            while let Some(ptr) = pending.pop() {
                let Some(schema) = doc.pointer(&ptr) else { continue };
                if schema.is_object() {
                    out.push(ptr.clone());
                }
                pending.extend(children(schema, &ptr));
            }
        } else {
            for root in roots(doc) {
                post(doc, &root, &mut out);
            }
        }
        out
    }

    #[test]
    fn walks_by_reference_visit_what_pointers_find_in_the_same_order() {
        let mut doc = json!({
            "paths": {"/a/{id}": {"parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}}],
                "post": {"requestBody": {"content": {"application/json": {"schema": {"oneOf": [
                    {"type": "array", "items": {"type": "object", "properties": {"x": {"enum": ["a"]}}}},
                    {"additionalProperties": {"allOf": [{"$ref": "#/components/schemas/S"}, {"not": {}}]}}]}}}},
                    "responses": {"200": {"description": "ok", "headers": {"h": {"schema": {"type": "integer"}}}}}}}},
            "components": {"schemas": {
                "S": {"type": "object", "properties": {"enum": {"type": "string"}, "items": {"items": [{}, true]}},
                    "patternProperties": {"^x": {}}, "if": {}, "then": {}, "else": {}},
                "T": {"anyOf": [{"type": "string"}, {"prefixItems": [{}]}], "propertyNames": {}, "contains": {}}}}});
        let mut visited = Vec::new();
        let _ = visit_all(&mut doc, |_, ptr| {
            visited.push(ptr.to_string());
            Ok::<(), ()>(())
        });
        assert_eq!(visited, by_pointer(&doc, false));
        assert!(visited.len() > 20, "{visited:#?}");
        let mut each = Vec::new();
        each_schema(&doc, &mut |_, ptr| each.push(ptr.to_string()));
        assert_eq!(each, by_pointer(&doc, true));
    }
}
