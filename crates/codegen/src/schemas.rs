//! Finding every schema in an OpenAPI document, so that conversions touch JSON Schema
//! keywords only where they are keywords (a property called `type` is not one).

use serde_json::Value;

use crate::error::join;

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

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

/// The operations of a document: (pointer, path, method, operation object).
pub fn operations(doc: &Value) -> Vec<(String, String, &'static str, &Value)> {
    let mut out = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    out.push((join(&join("/paths", path), method), path.clone(), method, op));
                }
            }
        }
    }
    out
}

/// Pointers of the direct subschemas of a schema object.
pub fn children(schema: &Value, ptr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Some(obj) = schema.as_object() else { return out };
    for key in ["properties", "patternProperties", "$defs", "definitions"] {
        if let Some(map) = obj.get(key).and_then(Value::as_object) {
            let base = join(ptr, key);
            out.extend(map.keys().map(|k| join(&base, k)));
        }
    }
    for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
        if let Some(items) = obj.get(key).and_then(Value::as_array) {
            let base = join(ptr, key);
            out.extend((0..items.len()).map(|i| join(&base, &i.to_string())));
        }
    }
    for key in ["items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else"] {
        match obj.get(key) {
            Some(Value::Object(_)) => out.push(join(ptr, key)),
            Some(Value::Array(items)) => {
                let base = join(ptr, key);
                out.extend((0..items.len()).map(|i| join(&base, &i.to_string())));
            }
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
pub fn visit_all<E>(
    doc: &mut Value,
    mut f: impl FnMut(&mut serde_json::Map<String, Value>, &str) -> Result<(), E>,
) -> Result<(), E> {
    for root in roots(doc) {
        visit(doc, &root, &mut f)?;
    }
    Ok(())
}

fn visit<E>(
    doc: &mut Value,
    ptr: &str,
    f: &mut impl FnMut(&mut serde_json::Map<String, Value>, &str) -> Result<(), E>,
) -> Result<(), E> {
    let kids = match doc.pointer(ptr) {
        Some(schema) => children(schema, ptr),
        None => return Ok(()),
    };
    for kid in kids {
        visit(doc, &kid, f)?;
    }
    if let Some(Value::Object(schema)) = doc.pointer_mut(ptr) {
        f(schema, ptr)?;
    }
    Ok(())
}
