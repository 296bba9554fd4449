//! The server side of a multipart request, for the tests: its parts (`demo::multipart`, read
//! by multer) and the JSON value they stand for (what the spec's schema describes).
//! Shared by the tests that check multipart bodies (`mod form_parts;`).
// Each test crate including this module uses part of it.
#![allow(dead_code)]

use api_codegen::doc::Spec;
use api_codegen::plan::FormShape;
use serde_json::{Map, Value};

pub use demo::multipart::{Part, parts};

/// The body's value as the spec's schema describes it, and what is wrong with the parts: a
/// part the schema does not declare, a file part without its file name or of another content
/// type than the spec's, a text part that is not its property's value. Files are their text.
pub fn value(doc: &Value, schema: &Value, shape: &FormShape, parts: &[Part]) -> (Value, Vec<String>) {
    let schema = Spec::new(doc).resolved(schema);
    let properties = schema.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut object = Map::new();
    let mut problems = Vec::new();
    for part in parts {
        let Some(property) = properties.get(&part.name) else {
            match deep_object_path(doc, &properties, &part.name) {
                Some((path, schema)) => insert_at(&mut object, &path, typed(doc, schema, part)),
                None => problems.push(format!("part `{}` is not a property of the body", part.name)),
            }
            continue;
        };
        let property = Spec::new(doc).resolved(property);
        let (value, multiple) = match shape.files.iter().find(|f| f.name == part.name) {
            Some(file) => {
                if part.file_name.is_none() {
                    problems.push(format!("file part `{}` has no file name", part.name));
                }
                if part.content_type.as_deref() != Some(file.content_type.as_str()) {
                    problems.push(format!("file part `{}` is of type {:?}", part.name, part.content_type));
                }
                (Value::String(part.text()), file.multiple)
            }
            None if property.get("type").and_then(Value::as_str) == Some("array") => {
                let items = property.get("items").unwrap_or(&Value::Null);
                (typed(doc, items, part), true)
            }
            None => (typed(doc, property, part), false),
        };
        if multiple {
            let slot = object.entry(part.name.clone()).or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = slot {
                items.push(value);
            }
        } else if object.insert(part.name.clone(), value).is_some() {
            problems.push(format!("part `{}` is sent twice", part.name));
        }
    }
    (Value::Object(object), problems)
}

/// A part named `field[a][b]` of an object field sent as a deep object: the path
/// `[field, a, b]` and the schema it names.
fn deep_object_path<'a>(
    doc: &'a Value,
    properties: &'a Map<String, Value>,
    name: &str,
) -> Option<(Vec<String>, &'a Value)> {
    let (base, rest) = name.split_once('[')?;
    let keys: Vec<&str> = rest.strip_suffix(']')?.split("][").collect();
    let mut schema = properties.get(base)?;
    for key in &keys {
        schema = property_of(doc, schema, key)?;
    }
    let path = std::iter::once(base).chain(keys).map(String::from).collect();
    Some((path, schema))
}

/// The schema of property `key` of an object schema, or of the first of its alternatives
/// (`oneOf`, `anyOf`, `allOf`) that declares it.
fn property_of<'a>(doc: &'a Value, schema: &'a Value, key: &str) -> Option<&'a Value> {
    let schema = Spec::new(doc).resolved(schema);
    if let Some(property) = schema.get("properties").and_then(|p| p.get(key)) {
        return Some(property);
    }
    ["oneOf", "anyOf", "allOf"]
        .iter()
        .filter_map(|k| schema.get(*k).and_then(Value::as_array))
        .flatten()
        .find_map(|alternative| property_of(doc, alternative, key))
}

fn insert_at(object: &mut Map<String, Value>, path: &[String], value: Value) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut slot = object;
    for key in parents {
        let next = slot.entry(key.clone()).or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(next) = next else { return };
        slot = next;
    }
    slot.insert(last.clone(), value);
}

/// A text part as its property's value: a string stays text, anything else is JSON text.
fn typed(doc: &Value, schema: &Value, part: &Part) -> Value {
    let schema = Spec::new(doc).resolved(schema);
    let strings = schema.get("type").and_then(Value::as_str) == Some("string")
        || schema.get("enum").and_then(Value::as_array).is_some_and(|values| values.iter().all(Value::is_string));
    if strings {
        return Value::String(part.text());
    }
    serde_json::from_slice(&part.data).unwrap_or_else(|_| Value::String(part.text()))
}
