//! The Rust type names typify will give a document's schemas: components by their key, inline
//! schemas by their title or progenitor's suggestion (`<Operation>Body`, …), and the inline
//! schemas whose name another schema takes first. Read by a rule (which renames those) and by
//! the checks (which report what is left).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::doc::schemas::each_schema;
use crate::doc::{Operation, Spec};
use crate::error::join;
use crate::names::{self as naming, Case};

/// The Rust type names of a document's components and of its inline schemas that typify
/// names (see [`derived_type_names`]), and the inline schemas whose name another, different
/// schema has first.
pub struct TypeNames {
    pub taken: BTreeSet<String>,
    pub clashes: Vec<TypeNameClash>,
}

/// An inline schema at `ptr` that would become the type `name`, which the schema at `first`
/// already is.
pub struct TypeNameClash {
    pub ptr: String,
    pub name: String,
    pub first: String,
    /// Whether the name comes from the schema's own `title`.
    pub titled: bool,
}

pub fn type_names(doc: &Value) -> TypeNames {
    type_names_of(doc, true)
}

/// [`type_names`]; `nested`: also the nested schemas named like a component (a walk of every
/// inline place, which callers wanting only the names taken skip).
pub fn type_names_of(doc: &Value, nested: bool) -> TypeNames {
    // (suggested name, pointer, schema) of every inline schema that gets a name.
    let mut inline: Vec<(String, String, &Value)> = Vec::new();
    for Operation { pointer: op_ptr, path, node: op, .. } in Spec::new(doc).operations() {
        let Some(id) = op.get("operationId").and_then(Value::as_str) else { continue };
        for list_ptr in [join(&join("/paths", path), "parameters"), join(&op_ptr, "parameters")] {
            let Some(Value::Array(list)) = doc.pointer(&list_ptr) else { continue };
            for (index, param) in list.iter().enumerate() {
                if let (Some(schema), Some(name)) = (param.get("schema"), param.get("name").and_then(Value::as_str)) {
                    let ptr = join(&join(&list_ptr, &index.to_string()), "schema");
                    inline.push((format!("{id}-{name}"), ptr, schema));
                }
            }
        }
        if let Some((media, schema)) = op.get("requestBody").and_then(media_schema) {
            let ptr = join(&join(&join(&join(&op_ptr, "requestBody"), "content"), &media), "schema");
            inline.push((format!("{id}-body"), ptr, schema));
        }
        for (status, response) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
            if let Some((media, schema)) = media_schema(response) {
                let responses = join(&join(&op_ptr, "responses"), status);
                inline.push((
                    format!("{id}-response"),
                    join(&join(&join(&responses, "content"), &media), "schema"),
                    schema,
                ));
            }
        }
    }
    // Titled schemas nested anywhere (a component's own title does not name it).
    each_schema(doc, &mut |schema, ptr| {
        if !is_component_root(ptr) && schema.get("title").is_some() {
            inline.push((String::new(), ptr.to_string(), schema));
        }
    });

    let mut taken: BTreeMap<String, (String, &Value)> = BTreeMap::new();
    if let Some(Value::Object(components)) = doc.pointer("/components/schemas") {
        for (name, schema) in components {
            taken.entry(naming::type_name(name)).or_insert((join("/components/schemas", name), schema));
        }
    }
    let mut clashes = Vec::new();
    let mut seen_ptrs = std::collections::BTreeSet::new();
    for (suggested, ptr, schema) in inline {
        if !named_type(schema) || !seen_ptrs.insert(ptr.clone()) {
            continue;
        }
        let title = schema.get("title").and_then(Value::as_str);
        let name = match title {
            Some(title) => naming::type_name(title),
            None => naming::type_name(&naming::progenitor_sanitize(&suggested, Case::Pascal)),
        };
        match taken.get(&name) {
            // typify names a component only after converting it: an inline schema it meets
            // first takes the name too, and both are defined (E0428), even when equal.
            Some((first, other)) if is_component_root(first) || *other != schema => {
                clashes.push(TypeNameClash { ptr, name, first: first.clone(), titled: title.is_some() });
            }
            Some(_) => {}
            None => {
                taken.insert(name, (ptr, schema));
            }
        }
    }
    // Nested schemas typify names after their place (`FinancialConnectionsAccount` then
    // `ownership`): one named like a component is a second definition of that name (Stripe's
    // `financial_connections.account_ownership`).
    let places = if nested { crate::names::places::inline_names(doc) } else { Vec::new() };
    for place in places {
        if !place.named || place.segments.len() < 2 || !seen_ptrs.insert(place.ptr.clone()) {
            continue;
        }
        if let Some((first, _)) = taken.get(&place.name)
            && is_component_root(first)
        {
            clashes.push(TypeNameClash { ptr: place.ptr, name: place.name, first: first.clone(), titled: false });
        }
    }
    TypeNames { taken: taken.into_keys().collect(), clashes }
}

/// `/components/schemas/X`: a component, named by its key.
pub fn is_component_root(ptr: &str) -> bool {
    ptr.starts_with("/components/schemas/") && ptr.matches('/').count() == 3
}

/// The JSON media type's schema of a request body or response (progenitor reads that one).
fn media_schema(holder: &Value) -> Option<(String, &Value)> {
    holder.get("content")?.as_object()?.iter().find_map(|(media, m)| {
        if media == "application/json" || media.starts_with("application/json;") {
            m.get("schema").map(|s| (media.clone(), s))
        } else {
            None
        }
    })
}

/// Whether typify gives `schema` a named type of its own (rather than `String`, `i64`, …).
/// A string's `pattern` and length bounds do not count: progenitor's input leaves them out
/// (`string-constraints`), so such a string is a `String`.
pub fn named_type(schema: &Value) -> bool {
    schema.get("$ref").is_none()
        && (schema.get("type").and_then(Value::as_str) == Some("object")
            || ["properties", "enum", "oneOf", "anyOf", "allOf", "additionalProperties"]
                .iter()
                .any(|k| schema.get(*k).is_some()))
}
