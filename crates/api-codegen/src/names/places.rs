//! The names typify gives the inline schemas it makes types of, from where they sit: a
//! component by its key, an operation's body, response or parameter after the operation
//! (progenitor's suggestion), and beneath them the property (`ProjectTarget`), `Item` for an
//! array's items, `Value` for a map's values and, for the alternatives of an untagged
//! `oneOf`/`anyOf`, the variant's name (`Variant0` when typify finds none). A `title` names
//! the schema it is on and so everything beneath it. Computed as typify-impl 0.8 computes
//! them (`structs.rs`, `convert.rs`, `enums.rs`), so rules can give better names where
//! typify's would be `…Variant0…` or too long, and keep them unique.

use heck::ToSnakeCase;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::doc::{Operation, Spec};
use crate::error::join;
use crate::names::types::{named_type, type_names_of};
use crate::names::{self as naming, Case};

/// A type name longer than this is shortened by the `long-type-names` rule.
pub const MAX_TYPE_NAME: usize = 64;

/// One inline schema typify reaches without following a `$ref`, and the name it would get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub ptr: String,
    /// The type's name; empty where typify makes no type of its own (not `named`).
    pub name: String,
    /// Whether typify makes a type of its own of it (an object, an enum, a union, …), rather
    /// than `String`, `Vec<_>` or a map.
    pub named: bool,
    /// Whether a `title` here would name it (not on a component, a map or a nullable union).
    pub titles: bool,
    /// The root's name and the segments added below it (`["Project", "target"]`): what a
    /// shortened name keeps the first and last of.
    pub segments: Vec<String>,
}

/// How typify turns a `oneOf`/`anyOf` into Rust (`enums.rs`, `convert_one_of`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Union {
    /// One alternative besides `null`: an `Option` of it.
    Option,
    /// Tagged externally, internally or adjacently: variants named after the tag values,
    /// the alternatives' properties named after the union (no type per alternative).
    Tagged,
    /// Untagged, each alternative named (a `$ref`, a `title`, a plain type): these names.
    Named(Vec<String>),
    /// Untagged, and typify finds no distinct name for every alternative: `Variant0`, ….
    Numbered,
}

/// Every schema the roots reach inline (not through a `$ref`), parents before children, with
/// the name typify would give it. Schemas whose name typify cannot know (a component
/// request body or response, shared by the operations that use it) are left out.
pub fn inline_names(doc: &Value) -> Vec<Place> {
    let mut out = Vec::new();
    for (ptr, name) in roots(doc) {
        if let Some(schema) = doc.pointer(&ptr) {
            walk(schema, &ptr, vec![name], true, &mut out);
        }
    }
    out
}

/// The schema roots typify names, with the name: components by their key, an operation's
/// JSON body, JSON responses and parameters as progenitor suggests.
fn roots(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") {
        for name in schemas.keys() {
            out.push((join("/components/schemas", name), naming::type_name(name)));
        }
    }
    let suggested = |text: String| naming::type_name(&naming::progenitor_sanitize(&text, Case::Pascal));
    for Operation { pointer: op_ptr, path, node: op, .. } in Spec::new(doc).operations() {
        let Some(id) = op.get("operationId").and_then(Value::as_str) else { continue };
        for list_ptr in [join(&join("/paths", path), "parameters"), join(&op_ptr, "parameters")] {
            let Some(Value::Array(list)) = doc.pointer(&list_ptr) else { continue };
            for (index, param) in list.iter().enumerate() {
                if let (Some(_), Some(name)) = (param.get("schema"), param.get("name").and_then(Value::as_str)) {
                    out.push((join(&join(&list_ptr, &index.to_string()), "schema"), suggested(format!("{id}-{name}"))));
                }
            }
        }
        if let Some(media) = op.get("requestBody").and_then(|body| json_media(body).or_else(|| form_media(body))) {
            let ptr = join(&join(&join(&join(&op_ptr, "requestBody"), "content"), &media), "schema");
            out.push((ptr, suggested(format!("{id}-body"))));
        }
        for (status, response) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
            if let Some(media) = json_media(response) {
                let responses = join(&join(&op_ptr, "responses"), status);
                out.push((
                    join(&join(&join(&responses, "content"), &media), "schema"),
                    suggested(format!("{id}-response")),
                ));
            }
        }
    }
    out
}

/// A form body's media type: progenitor types it as it types a JSON body.
fn form_media(body: &Value) -> Option<String> {
    body.get("content")?.as_object()?.iter().find_map(|(media, m)| {
        (media.starts_with("application/x-www-form-urlencoded") && m.get("schema").is_some()).then(|| media.clone())
    })
}

/// The JSON media type of a body or response holding a schema (the one progenitor reads).
fn json_media(holder: &Value) -> Option<String> {
    holder.get("content")?.as_object()?.iter().find_map(|(media, m)| {
        let json = media == "application/json" || media.starts_with("application/json;");
        (json && m.get("schema").is_some()).then(|| media.clone())
    })
}

fn walk(schema: &Value, ptr: &str, mut segments: Vec<String>, root: bool, out: &mut Vec<Place>) {
    let Value::Object(map) = schema else { return };
    if map.contains_key("$ref") {
        return;
    }
    // A title names the schema (a component is named by its key, whatever its title), but for
    // a map (typify names its values after the place) and a nullable union (progenitor moves
    // the title onto the `Option` around it).
    let has_properties = map.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty());
    let combinator = ["oneOf", "anyOf", "allOf", "not"].iter().any(|k| map.contains_key(*k));
    let map_like = !has_properties
        && !combinator
        && !map.contains_key("enum")
        && (map.get("type").and_then(Value::as_str) == Some("object")
            || (!map.contains_key("type") && map.get("additionalProperties").is_some_and(Value::is_object)));
    let titles = !(map_like || (combinator && nullable(map)) || (root && is_component(ptr)));
    if let Some(title) = map.get("title").and_then(Value::as_str).filter(|_| titles) {
        segments = vec![naming::type_name(title)];
    }
    // A nullable `allOf` of one schema is that schema's `Option`: typify names only the member
    // (how `unique-type-names` renames a nullable union).
    let option_of_one = nullable(map) && map.get("allOf").and_then(Value::as_array).is_some_and(|m| m.len() == 1);
    let named = named_type(schema) && !map_like && !option_of_one;
    // Only a type has a name to compare: the casing is most of the walk, and most places
    // (strings, numbers, lists) are none.
    let name = if named { joined(&segments) } else { String::new() };
    out.push(Place { ptr: ptr.to_string(), name, named, titles, segments: segments.clone() });
    let child = |suffix: &str| {
        let mut next = segments.clone();
        next.push(suffix.to_string());
        next
    };
    for (property, sub) in map.get("properties").and_then(Value::as_object).into_iter().flatten() {
        walk(sub, &join(&join(ptr, "properties"), property), child(&property.to_snake_case()), false, out);
    }
    match map.get("items") {
        Some(Value::Array(items)) => {
            for (i, sub) in items.iter().enumerate() {
                walk(sub, &join(&join(ptr, "items"), &i.to_string()), child(&format!("item{i}")), false, out);
            }
        }
        Some(items @ Value::Object(_)) => walk(items, &join(ptr, "items"), child("Item"), false, out),
        _ => {}
    }
    if let Some(additional @ Value::Object(_)) = map.get("additionalProperties") {
        let suffix = if has_properties { "ExtraValue" } else { "Value" };
        walk(additional, &join(ptr, "additionalProperties"), child(suffix), false, out);
    }
    for (i, sub) in map.get("allOf").and_then(Value::as_array).into_iter().flatten().enumerate() {
        walk(sub, &join(&join(ptr, "allOf"), &i.to_string()), segments.clone(), false, out);
    }
    for combinator in ["oneOf", "anyOf"] {
        let Some(members) = map.get(combinator).and_then(Value::as_array) else { continue };
        let shape = union(members);
        for (i, sub) in members.iter().enumerate() {
            let next = match &shape {
                Union::Option | Union::Tagged => segments.clone(),
                Union::Named(names) => child(&names[i]),
                Union::Numbered => child(&format!("Variant{i}")),
            };
            walk(sub, &join(&join(ptr, combinator), &i.to_string()), next, false, out);
        }
    }
}

/// The name of a list of segments: typify's `{base}_{suffix}` at each step, in Pascal case.
pub fn joined(segments: &[String]) -> String {
    naming::type_name(&segments.join("_"))
}

/// A name of at most `max` characters for the type at `segments` (root, then what each step
/// below it added): the root (its first three words when it is long, as an operation's is)
/// and as many of the last segments as fit, the middle dropped
/// (`PostV1InstallationsExperimentationItemsBodyItemsItemDescription`). A shortened name
/// `free` refuses gets a number, the last resort.
pub fn shortened(segments: &[String], max: usize, free: &dyn Fn(&str) -> bool) -> String {
    let full = joined(segments);
    if full.chars().count() <= max && free(&full) {
        return full;
    }
    let short = fitted(segments, max);
    if free(&short) {
        return short;
    }
    (2..)
        .map(|n: usize| {
            let suffix = n.to_string();
            format!("{}{suffix}", fitted(segments, max.saturating_sub(suffix.len())))
        })
        .find(|candidate| free(candidate))
        .unwrap_or(short)
}

/// The head and the last steps of `segments` that fit in `max` characters.
fn fitted(segments: &[String], max: usize) -> String {
    let Some((root, rest)) = segments.split_first() else { return String::new() };
    let root = naming::type_name(root);
    let root_words = words(&root);
    let (head, mut middle): (String, Vec<String>) = if root.chars().count() <= 24 || root_words.len() <= 3 {
        (root, Vec::new())
    } else {
        (root_words[..3].concat(), root_words[3..].to_vec())
    };
    let from_root = middle.len();
    middle.extend(rest.iter().map(|segment| naming::type_name(segment)));
    let mut start = middle.len();
    let mut length = head.chars().count();
    while start > 0 && length + middle[start - 1].chars().count() <= max {
        start -= 1;
        length += middle[start].chars().count();
    }
    // A kept run does not start on a short word cut from the one before (`Id`, `And`).
    while start < from_root && middle[start].chars().count() <= 3 {
        start += 1;
    }
    format!("{head}{}", middle[start..].concat())
}

/// The names typify already gives (name → the places that have it), so a new title takes none.
pub struct Taken(BTreeMap<String, Vec<String>>);

impl Taken {
    pub fn new(doc: &Value, inline: &[Place]) -> Self {
        let mut names: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for place in inline.iter().filter(|p| p.named) {
            names.entry(place.name.clone()).or_default().push(place.ptr.clone());
        }
        for name in type_names_of(doc, false).taken {
            names.entry(name).or_insert_with(|| vec![String::new()]);
        }
        Self(names)
    }

    /// Free for a schema whose name is given at `under`: no type has it, or only types
    /// beneath `under`, whose names change with it.
    pub fn free(&self, name: &str, under: &str) -> bool {
        let beneath = format!("{under}/");
        self.0.get(name).is_none_or(|ptrs| ptrs.iter().all(|ptr| !ptr.is_empty() && ptr.starts_with(&beneath)))
    }

    /// Marks `name` as given.
    pub fn take(&mut self, name: &str) {
        self.0.entry(name.to_string()).or_default().push(String::new());
    }
}

fn is_component(ptr: &str) -> bool {
    super::types::is_component_root(ptr)
}

/// What a union's alternative takes from the schema holding it: typify merges the keywords
/// beside a `oneOf`/`anyOf` (Discord's `type: integer, format: int32` beside
/// `oneOf: [{title: NONE, const: 0}, …]`) into each alternative, so an alternative's type is
/// not its text alone, and identical alternatives beside different keywords are different
/// types (an `i32` and an `f64` newtype of one name). The keywords that change `member`
/// (annotations aside, and those it already has with the same value), serialised in key
/// order; empty when the merge changes nothing.
pub fn merged_into_alternative(holder: &Map<String, Value>, member: &Value) -> String {
    let merged: BTreeMap<&String, &Value> = merged_keywords(holder, member).collect();
    if merged.is_empty() { String::new() } else { serde_json::to_string(&merged).unwrap_or_default() }
}

/// Whether [`merged_into_alternative`] is not empty, without writing it: sharing asks this of
/// every alternative in every round, and a union's siblings may hold all its properties.
pub fn merges_into_alternative(holder: &Map<String, Value>, member: &Value) -> bool {
    merged_keywords(holder, member).next().is_some()
}

fn merged_keywords<'a>(
    holder: &'a Map<String, Value>,
    member: &'a Value,
) -> impl Iterator<Item = (&'a String, &'a Value)> + 'a {
    const NOT_MERGED: [&str; 14] = [
        "oneOf",
        "anyOf",
        "title",
        "description",
        "nullable",
        "default",
        "example",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "externalDocs",
        "discriminator",
        "xml",
    ];
    holder.iter().filter(move |(key, value)| {
        !NOT_MERGED.contains(&key.as_str()) && !key.starts_with("x-") && member.get(key.as_str()) != Some(*value)
    })
}

/// [`merged_into_alternative`] for the schema at `ptr`, when it is an alternative of a
/// `oneOf`/`anyOf`; else empty.
pub fn merged_into(doc: &Value, ptr: &str) -> String {
    let Some((holder, index)) = ptr.rsplit_once('/') else { return String::new() };
    let Some((holder, combinator)) = holder.rsplit_once('/') else { return String::new() };
    if !matches!(combinator, "oneOf" | "anyOf") || index.parse::<usize>().is_err() {
        return String::new();
    }
    match (doc.pointer(holder).and_then(Value::as_object), doc.pointer(ptr)) {
        (Some(holder), Some(member)) => merged_into_alternative(holder, member),
        _ => String::new(),
    }
}

/// How typify turns a union of `members` into Rust.
pub fn union(members: &[Value]) -> Union {
    let non_null = members.iter().filter(|m| !is_null(m)).count();
    if members.len() > 1 && non_null == 1 {
        return Union::Option;
    }
    if members.len() == 1 || externally_tagged(members) || adjacently_tagged(members) || internal_tag(members).is_some()
    {
        return Union::Tagged;
    }
    match variant_names(members) {
        Some(names) => Union::Named(names),
        None => Union::Numbered,
    }
}

/// typify's variant names of an untagged union whose every alternative is named
/// (`schema_is_named`) distinctly, with the words they all begin with taken off.
pub fn variant_names(members: &[Value]) -> Option<Vec<String>> {
    let names: Vec<String> = members.iter().map(member_name).collect::<Option<_>>()?;
    let distinct: std::collections::BTreeSet<&String> = names.iter().collect();
    if distinct.len() != names.len() {
        return None;
    }
    let words: Vec<Vec<String>> = names.iter().map(|n| words(n)).collect();
    let common = words
        .iter()
        .skip(1)
        .fold(words[0].len(), |len, w| w.iter().zip(&words[0]).take(len).take_while(|(a, b)| a == b).count());
    let stripped: Vec<String> = words.iter().map(|w| w[common..].concat()).collect();
    stripped.iter().all(|s| !s.is_empty()).then_some(stripped)
}

/// The words of a Pascal-case name as typify splits them (`kebab-case`).
pub fn words(name: &str) -> Vec<String> {
    use heck::{ToKebabCase, ToPascalCase};
    name.to_kebab_case().split('-').map(|w| w.to_pascal_case()).filter(|w| !w.is_empty()).collect()
}

/// typify's `schema_is_named`: a `$ref`'s last segment, a title, the only member of a
/// combinator, or a plain type's name (`String`, a format's); `None` for anything else.
pub fn member_name(schema: &Value) -> Option<String> {
    let map = schema.as_object()?;
    let raw = if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
        reference.rsplit('/').next()?.replace("~1", "/").replace("~0", "~")
    } else if let Some(title) = map.get("title").and_then(Value::as_str) {
        title.to_string()
    } else if let Some(single) = single_subschema(map) {
        return member_name(single);
    } else if nullable(map) {
        return None;
    } else {
        let ty = map.get("type").and_then(Value::as_str)?;
        map.get("format").and_then(Value::as_str).unwrap_or(ty).to_string()
    };
    Some(naming::typify_sanitize(&raw, Case::Pascal))
}

/// The lone member of an `allOf`/`anyOf`/`oneOf` that is all a schema says.
fn single_subschema(map: &Map<String, Value>) -> Option<&Value> {
    let structural = ["type", "format", "enum", "properties", "items", "additionalProperties", "required", "not"];
    if structural.iter().any(|k| map.contains_key(*k)) {
        return None;
    }
    let combinators: Vec<&Vec<Value>> =
        ["allOf", "anyOf", "oneOf"].iter().filter_map(|k| map.get(*k).and_then(Value::as_array)).collect();
    match combinators.as_slice() {
        [only] if only.len() == 1 => only.first(),
        _ => None,
    }
}

fn nullable(map: &Map<String, Value>) -> bool {
    map.get("nullable").and_then(Value::as_bool) == Some(true)
}

fn is_null(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
        || schema.get("enum").and_then(Value::as_array).is_some_and(|v| !v.is_empty() && v.iter().all(Value::is_null))
}

/// typify's `get_object`: an inline object's properties and required names, when it is only
/// that (no `$ref`, enum, combinator, nullable or constrained map).
fn object(schema: &Value) -> Option<(&Map<String, Value>, Vec<&str>)> {
    let map = schema.as_object()?;
    let excluded = ["$ref", "enum", "format", "allOf", "anyOf", "oneOf", "not", "minProperties", "maxProperties"];
    if excluded.iter().any(|k| map.contains_key(*k)) || nullable(map) {
        return None;
    }
    match map.get("type").and_then(Value::as_str) {
        Some("object") => {}
        None if map.contains_key("properties") || map.contains_key("required") => {}
        _ => return None,
    }
    if map.get("additionalProperties").is_some_and(|a| a != &Value::Bool(false)) {
        return None;
    }
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    let properties = map.get("properties").and_then(Value::as_object).unwrap_or_else(|| EMPTY.get_or_init(Map::new));
    let required = map.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
    Some((properties, required.collect()))
}

/// typify's `constant_string_value`: a string enum of one value, and nothing else.
pub fn constant(schema: &Value) -> Option<&str> {
    let map = schema.as_object()?;
    let values = map.get("enum")?.as_array()?;
    let allowed = [
        "type",
        "enum",
        "title",
        "description",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "example",
        "examples",
        "externalDocs",
    ];
    let other = map.keys().any(|k| !allowed.contains(&k.as_str()) && !k.starts_with("x-"));
    let typed = matches!(map.get("type").and_then(Value::as_str), None | Some("string"));
    match values.as_slice() {
        [Value::String(value)] if typed && !other && !nullable(map) => Some(value),
        _ => None,
    }
}

fn externally_tagged(members: &[Value]) -> bool {
    let mut names = Vec::new();
    for member in members {
        let map = member.as_object();
        let string_enum = map.is_some_and(|m| {
            m.contains_key("enum")
                && !["$ref", "format", "allOf", "anyOf", "oneOf", "not"].iter().any(|k| m.contains_key(*k))
                && matches!(m.get("type").and_then(Value::as_str), None | Some("string"))
                && !nullable(m)
        });
        if string_enum {
            let values = member["enum"].as_array().map(Vec::as_slice).unwrap_or_default();
            if !values.iter().all(Value::is_string) {
                return false;
            }
            names.extend(values.iter().filter_map(Value::as_str).map(str::to_string));
            continue;
        }
        match object(member) {
            Some((properties, required)) if properties.len() == 1 && required.len() == 1 => {
                names.extend(properties.keys().cloned());
            }
            _ => return false,
        }
    }
    let distinct: std::collections::BTreeSet<&String> = names.iter().collect();
    distinct.len() == names.len()
}

fn adjacently_tagged(members: &[Value]) -> bool {
    let mut tags: Option<std::collections::BTreeSet<&str>> = None;
    let mut all: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for member in members {
        let Some((properties, required)) = object(member) else { return false };
        if properties.len() != required.len() {
            return false;
        }
        let constants: std::collections::BTreeSet<&str> =
            properties.iter().filter(|(_, s)| constant(s).is_some()).map(|(k, _)| k.as_str()).collect();
        tags = Some(match tags {
            None => constants,
            Some(t) => t.intersection(&constants).copied().collect(),
        });
        all.extend(properties.keys().map(String::as_str));
    }
    tags.is_some_and(|t| t.len() == 1) && all.len() == 2
}

/// The property typify tags a union with internally: required in every alternative (each an
/// inline object), a constant there, and a different one in each.
pub fn internal_tag(members: &[Value]) -> Option<String> {
    let mut candidates: Option<Vec<(String, Vec<String>)>> = None;
    for member in members {
        let (properties, required) = object(member)?;
        let constants: Vec<(String, String)> = properties
            .iter()
            .filter(|(name, _)| required.contains(&name.as_str()))
            .filter_map(|(name, s)| constant(s).map(|v| (name.clone(), v.to_string())))
            .collect();
        candidates = Some(match candidates {
            None => constants.into_iter().map(|(k, v)| (k, vec![v])).collect(),
            Some(previous) => previous
                .into_iter()
                .filter_map(|(k, mut values)| {
                    let value = constants.iter().find(|(name, _)| *name == k).map(|(_, v)| v.clone())?;
                    (!values.contains(&value)).then(|| {
                        values.push(value);
                        (k, values)
                    })
                })
                .collect(),
        });
    }
    let mut tags: Vec<String> = candidates?.into_iter().map(|(k, _)| k).collect();
    tags.sort();
    tags.into_iter().next()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn names(doc: &Value) -> Vec<(String, String)> {
        inline_names(doc).into_iter().filter(|p| p.named).map(|p| (p.ptr, p.name)).collect()
    }

    #[test]
    fn places_are_named_as_typify_names_them() {
        let doc = json!({"paths": {"/p": {"post": {"operationId": "makeThing",
            "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                "owner": {"type": "object", "properties": {"id": {"type": "string"}}}}}}}}}}},
            "components": {"schemas": {"Project": {"type": "object", "properties": {
                "target": {"oneOf": [
                    {"type": "object", "properties": {"a": {"type": "string"}}},
                    {"type": "object", "properties": {"b": {"type": "object", "properties": {"c": {"type": "string"}}}}}]},
                "tags": {"type": "array", "items": {"type": "string", "enum": ["x"]}},
                "labels": {"type": "object", "additionalProperties": {"type": "string", "enum": ["y"]}},
                "kind": {"oneOf": [{"type": "string"}, {"type": "object", "title": "Big Thing", "properties": {
                    "deep": {"type": "string", "enum": ["z"]}}}]}}}}}});
        let found = names(&doc);
        let name = |ptr: &str| found.iter().find(|(p, _)| p == ptr).map(|(_, n)| n.as_str());
        assert_eq!(name("/components/schemas/Project"), Some("Project"));
        assert_eq!(name("/components/schemas/Project/properties/target"), Some("ProjectTarget"));
        assert_eq!(name("/components/schemas/Project/properties/target/oneOf/1"), Some("ProjectTargetVariant1"));
        assert_eq!(
            name("/components/schemas/Project/properties/target/oneOf/1/properties/b"),
            Some("ProjectTargetVariant1B")
        );
        assert_eq!(name("/components/schemas/Project/properties/tags/items"), Some("ProjectTagsItem"));
        assert_eq!(
            name("/components/schemas/Project/properties/labels/additionalProperties"),
            Some("ProjectLabelsValue")
        );
        assert_eq!(name("/components/schemas/Project/properties/kind/oneOf/1/properties/deep"), Some("BigThingDeep"));
        assert_eq!(name("/paths/~1p/post/requestBody/content/application~1json/schema"), Some("MakeThingBody"));
        assert_eq!(
            name("/paths/~1p/post/requestBody/content/application~1json/schema/properties/owner"),
            Some("MakeThingBodyOwner")
        );
    }

    #[test]
    fn unions_are_shaped_as_typify_shapes_them() {
        let object = |tag: &str| {
            json!({"type": "object", "required": ["type"], "properties": {
            "type": {"type": "string", "enum": [tag]}, "n": {"type": "integer"}}})
        };
        assert_eq!(union(&[object("a"), object("b")]), Union::Tagged);
        assert_eq!(internal_tag(&[object("a"), object("b")]).as_deref(), Some("type"));
        assert_eq!(union(&[object("a"), object("a")]), Union::Numbered);
        assert_eq!(union(&[json!({"type": "string"}), json!({"type": "null"})]), Union::Option);
        assert_eq!(
            union(&[json!({"$ref": "#/components/schemas/ThingA"}), json!({"$ref": "#/components/schemas/ThingB"})]),
            Union::Named(vec!["A".into(), "B".into()])
        );
        assert_eq!(
            union(&[json!({"type": "string"}), json!({"type": "object", "properties": {"a": {}}})]),
            Union::Named(vec!["String".into(), "Object".into()])
        );
        assert_eq!(union(&[json!({"type": "string", "nullable": true}), json!({"type": "integer"})]), Union::Numbered);
        // A shared tag is a `$ref`, not a constant: the union is no longer tagged.
        let shared =
            json!({"type": "object", "required": ["type"], "properties": {"type": {"$ref": "#/components/schemas/T"}}});
        assert_eq!(union(&[shared, object("b")]), Union::Numbered);
    }
}
