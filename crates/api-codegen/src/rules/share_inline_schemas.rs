//! `share-inline-schemas`: identical inline object and enum schemas become one component.
//!
//! Large specs repeat the same nested schema at many places (an owner object in every
//! response, a list of frameworks in every project shape). typify generates a type, with its
//! builder, conversions and impls, for each place. Moving each repeated schema into
//! `components.schemas` under one derived name and pointing every use at it with a `$ref`
//! generates it once.
//!
//! Only schemas nested in another schema (a property, `items`, `additionalProperties`, an
//! `allOf`/`anyOf`/`oneOf` member, `not`) are shared: a request body's, a response's or a
//! parameter's own schema is named after its operation by progenitor, and callers name those
//! types. Nested repeats are found outermost first; a schema repeated only inside a repeated
//! schema is shared in a later round, once its copies have become one component. Places in
//! later rounds point into the components created by earlier ones.
//!
//! Names come from the places, never from the content, so a name stays when the schema
//! changes: the name most uses suggest (the `title`, else the property name, `…Item` for array
//! items); when another type has it, the name typify would have given one of those uses
//! inline (`ProjectTarget` for `Project`'s `target`, the shortest, then the first in sort
//! order, shortened past 64 characters); a number only when all of those are taken. Who gets a
//! contested name depends on how many uses a schema has and where the first is, not on its
//! content.
//!
//! A constant property of a union's alternative (`type: {enum: [team]}`) is not shared: it is
//! the tag typify tells the alternatives apart by, and a `$ref` there is no tag to typify, so
//! sharing it would make a tagged union untagged. Neither are the alternatives of a union
//! typify tags, nor those of a union beside keywords that change them when typify merges
//! those into each alternative (`type: integer, oneOf: [{const: 0}]`): identical text there is
//! not one type (Discord's `{title: NONE, const: 0}` became an `i32` and an `f64` newtype of one name).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::union_variant_names::named_segments;
use super::{Places, Rule};
use crate::names::places::{self as typify, MAX_TYPE_NAME, Place, Union};

pub(crate) const RULE: Rule = Rule {
    name: "share-inline-schemas",
    why: "identical inline schemas become one component, so their type is generated once",
    apply: super::Apply::Doc(apply),
};

const COMBINATORS: [&str; 3] = ["allOf", "anyOf", "oneOf"];
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// One inline schema that could be shared.
struct Occurrence {
    pointer: String,
    /// The schema, serialised with sorted keys: equal keys mean identical schemas.
    key: String,
    /// The name this place suggests (may be empty).
    hint: String,
    /// Its own `title`, normalised.
    title: Option<String>,
}

fn apply(doc: &mut Value, places: &mut Places) {
    let mut taken: BTreeSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(Map::keys)
        .map(|name| normalized(name))
        .collect();
    // Content → the component it became.
    let mut shared: BTreeMap<String, String> = BTreeMap::new();
    loop {
        let mut groups: BTreeMap<String, Vec<Occurrence>> = BTreeMap::new();
        for occurrence in occurrences(doc) {
            groups.entry(occurrence.key.clone()).or_default().push(occurrence);
        }
        // A schema shared in an earlier round may reappear once inside another shared one.
        let wanted = |key: &String, group: &Vec<Occurrence>| group.len() > 1 || shared.contains_key(key);
        groups.retain(|key, group| wanted(key, group));
        // Outermost first: a repeat inside another repeat waits until its copies are one.
        let outer: BTreeSet<&str> = groups.values().flatten().map(|o| o.pointer.as_str()).collect();
        let inside_another: BTreeSet<String> = groups
            .values()
            .flatten()
            .filter(|o| ancestors(&o.pointer).any(|a| outer.contains(a)))
            .map(|o| o.pointer.clone())
            .collect();
        for group in groups.values_mut() {
            group.retain(|o| !inside_another.contains(&o.pointer));
        }
        groups.retain(|key, group| wanted(key, group));
        if groups.is_empty() {
            return;
        }
        // Most used first, then by the first place in sort order: who gets a contested name
        // depends on the places, never on the content.
        let mut ordered: Vec<(String, Vec<Occurrence>)> = groups.into_iter().collect();
        let first = |group: &Vec<Occurrence>| group.iter().map(|o| o.pointer.clone()).min().unwrap_or_default();
        ordered.sort_by(|(_, a), (_, b)| b.len().cmp(&a.len()).then_with(|| first(a).cmp(&first(b))));
        let names = typify::inline_names(doc);
        let inline = Inline::new(&names);
        let mut titles = BTreeMap::new();
        collect_titles(doc, &mut titles);
        for (key, group) in ordered {
            let known = shared.get(&key).cloned();
            let name = known.clone().unwrap_or_else(|| {
                unique_name(doc, &base_name(&group), &group, &Taken { names: &taken, titles: &titles, inline: &inline })
            });
            taken.insert(normalized(&name));
            let reference = format!("#/components/schemas/{}", escape(&name));
            let mut schema = None;
            for occurrence in &group {
                if let Some(place) = doc.pointer_mut(&occurrence.pointer) {
                    schema = Some(std::mem::replace(place, serde_json::json!({ "$ref": reference })));
                    places.record(&occurrence.pointer, format!("shared as `{name}` ({} identical uses)", group.len()));
                }
            }
            shared.insert(key, name.clone());
            if known.is_some() {
                continue;
            }
            if let (Some(schema), Some(root)) = (schema, doc.as_object_mut()) {
                let components = root.entry("components").or_insert_with(|| Value::Object(Map::new()));
                if let Some(components) = components.as_object_mut() {
                    let schemas = components.entry("schemas").or_insert_with(|| Value::Object(Map::new()));
                    if let Some(schemas) = schemas.as_object_mut() {
                        schemas.insert(name, schema);
                    }
                }
            }
        }
    }
}

/// `Variant<n>`: typify's name for an alternative nothing names.
fn numbered(segment: &str) -> bool {
    segment.strip_prefix("Variant").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The names typify would give the document's inline schemas, by place and by name.
struct Inline<'a> {
    by_ptr: BTreeMap<&'a str, &'a Place>,
    /// Normalised name → the named inline schemas that would have it.
    by_name: BTreeMap<String, Vec<&'a str>>,
}

impl<'a> Inline<'a> {
    fn new(places: &'a [Place]) -> Self {
        let mut by_name: BTreeMap<String, Vec<&'a str>> = BTreeMap::new();
        for place in places.iter().filter(|p| p.named) {
            by_name.entry(normalized(&place.name)).or_default().push(&place.ptr);
        }
        Self { by_ptr: places.iter().map(|p| (p.ptr.as_str(), p)).collect(), by_name }
    }
}

/// The pointers strictly above `pointer` (`/a/b/c` → `/a/b`, `/a`).
fn ancestors(pointer: &str) -> impl Iterator<Item = &str> {
    pointer.match_indices('/').filter(|(at, _)| *at > 0).map(|(at, _)| &pointer[..at])
}

/// Every nested inline object or enum schema in the document, in document order.
fn occurrences(doc: &Value) -> Vec<Occurrence> {
    let mut out = Vec::new();
    let mut roots: Vec<(String, &Value)> = Vec::new();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        let path_pointer = format!("/paths/{}", escape(path));
        let Some(item) = item.as_object() else { continue };
        parameter_schemas(item.get("parameters"), &format!("{path_pointer}/parameters"), &mut roots);
        for (method, operation) in item.iter().filter(|(m, _)| METHODS.contains(&m.as_str())) {
            let pointer = format!("{path_pointer}/{method}");
            parameter_schemas(operation.get("parameters"), &format!("{pointer}/parameters"), &mut roots);
            if let Some(body) = operation.get("requestBody") {
                content_schemas(body, &format!("{pointer}/requestBody"), &mut roots);
            }
            for (status, response) in operation.get("responses").and_then(Value::as_object).into_iter().flatten() {
                content_schemas(response, &format!("{pointer}/responses/{}", escape(status)), &mut roots);
            }
        }
    }
    if let Some(components) = doc.get("components").and_then(Value::as_object) {
        let entries = |kind: &str| components.get(kind).and_then(Value::as_object).into_iter().flatten();
        for (name, schema) in entries("schemas") {
            roots.push((format!("/components/schemas/{}", escape(name)), schema));
        }
        for (name, parameter) in entries("parameters") {
            if let Some(schema) = parameter.get("schema") {
                roots.push((format!("/components/parameters/{}/schema", escape(name)), schema));
            }
        }
        for kind in ["requestBodies", "responses"] {
            for (name, value) in entries(kind) {
                content_schemas(value, &format!("/components/{kind}/{}", escape(name)), &mut roots);
            }
        }
    }
    for (pointer, schema) in roots {
        nested(schema, &pointer, Member::No, &mut out);
    }
    out
}

fn parameter_schemas<'a>(parameters: Option<&'a Value>, pointer: &str, roots: &mut Vec<(String, &'a Value)>) {
    for (i, parameter) in parameters.and_then(Value::as_array).into_iter().flatten().enumerate() {
        if let Some(schema) = parameter.get("schema") {
            roots.push((format!("{pointer}/{i}/schema"), schema));
        }
    }
}

/// The schemas of a request body's or response's `content` and a response's `headers`.
fn content_schemas<'a>(value: &'a Value, pointer: &str, roots: &mut Vec<(String, &'a Value)>) {
    for (media, entry) in value.get("content").and_then(Value::as_object).into_iter().flatten() {
        if let Some(schema) = entry.get("schema") {
            roots.push((format!("{pointer}/content/{}/schema", escape(media)), schema));
        }
    }
    for (name, header) in value.get("headers").and_then(Value::as_object).into_iter().flatten() {
        if let Some(schema) = header.get("schema") {
            roots.push((format!("{pointer}/headers/{}/schema", escape(name)), schema));
        }
    }
}

/// How a schema sits in a union: not at all, as an alternative, or as an alternative of a
/// union typify tags by this property.
#[derive(Clone, Copy)]
enum Member<'a> {
    No,
    Untagged,
    Tagged(&'a str),
}

/// The candidates strictly inside `schema`.
fn nested(schema: &Value, pointer: &str, member: Member<'_>, out: &mut Vec<Occurrence>) {
    let Some(map) = schema.as_object() else { return };
    let visit = |child: &Value, child_pointer: String, shared: bool, member: Member<'_>, out: &mut Vec<Occurrence>| {
        if shared && is_candidate(child) {
            out.push(Occurrence {
                key: canonical(child),
                hint: hint(child, &child_pointer),
                title: child.get("title").and_then(Value::as_str).map(normalized),
                pointer: child_pointer.clone(),
            });
        }
        nested(child, &child_pointer, member, out);
    };
    for (name, property) in map.get("properties").and_then(Value::as_object).into_iter().flatten() {
        // The tag typify tells a union's alternatives apart by is a constant, not a `$ref`.
        let tag = matches!(member, Member::Tagged(tag) if tag == name);
        visit(property, format!("{pointer}/properties/{}", escape(name)), !tag, Member::No, out);
    }
    match map.get("items") {
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                visit(item, format!("{pointer}/items/{i}"), true, Member::No, out);
            }
        }
        Some(items) => visit(items, format!("{pointer}/items"), true, Member::No, out),
        None => {}
    }
    if let Some(additional) = map.get("additionalProperties").filter(|a| a.is_object()) {
        visit(additional, format!("{pointer}/additionalProperties"), true, Member::No, out);
    }
    for combinator in COMBINATORS {
        let Some(members) = map.get(combinator).and_then(Value::as_array) else { continue };
        // The alternatives of a tagged union stay inline: typify tags none that is a `$ref`.
        let tag = if combinator == "allOf" { None } else { typify::internal_tag(members) };
        let (shared, member) = match combinator {
            "allOf" => (true, Member::No),
            _ if typify::union(members) != Union::Tagged => (true, Member::Untagged),
            _ => (false, tag.as_deref().map_or(Member::Untagged, Member::Tagged)),
        };
        for (i, alternative) in members.iter().enumerate() {
            // typify merges the keywords beside a union into each alternative: where that
            // changes it, identical alternatives are not one type (the module doc).
            let shared = shared && (combinator == "allOf" || !typify::merges_into_alternative(map, alternative));
            visit(alternative, format!("{pointer}/{combinator}/{i}"), shared, member, out);
        }
    }
    if let Some(not) = map.get("not") {
        visit(not, format!("{pointer}/not"), true, Member::No, out);
    }
}

/// An inline object with properties, or an enum: what typify makes a type of.
fn is_candidate(schema: &Value) -> bool {
    let Some(map) = schema.as_object() else { return false };
    if map.contains_key("$ref") {
        return false;
    }
    let has = |key: &str| match map.get(key) {
        Some(Value::Object(m)) => !m.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        _ => false,
    };
    has("properties") || has("enum")
}

/// The schema serialised with object keys sorted (the document keeps upstream's key order),
/// written straight into one string (no sorted copy of the schema).
fn canonical(value: &Value) -> String {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                out.push('{');
                for (i, (key, value)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    write(value, out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

/// The name a place suggests: the schema's `title`, else the property it is the value of
/// (`…Item` for an array's items, `…Value` for a map's values), else the component it is in.
fn hint(schema: &Value, pointer: &str) -> String {
    if let Some(title) = schema.get("title").and_then(Value::as_str) {
        return pascal_case(title);
    }
    let segments: Vec<String> = pointer.split('/').skip(1).map(unescape).collect();
    hint_of(&segments)
}

fn hint_of(segments: &[String]) -> String {
    match segments {
        [.., parent, name] if parent == "properties" => pascal_case(name),
        [rest @ .., last] if last == "items" => format!("{}Item", hint_of(rest)),
        [rest @ .., items, index] if items == "items" && index.parse::<usize>().is_ok() => {
            format!("{}Item", hint_of(rest))
        }
        [rest @ .., last] if last == "additionalProperties" => format!("{}Value", hint_of(rest)),
        [rest @ .., last] if last == "not" => hint_of(rest),
        [rest @ .., combinator, index]
            if COMBINATORS.contains(&combinator.as_str()) && index.parse::<usize>().is_ok() =>
        {
            hint_of(rest)
        }
        [components, schemas, name] if components == "components" && schemas == "schemas" => pascal_case(name),
        _ => String::new(),
    }
}

/// The hint most places suggest (ties: the first in sort order), or a fallback.
fn base_name(group: &[Occurrence]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for occurrence in group.iter().filter(|o| !o.hint.is_empty()) {
        *counts.entry(occurrence.hint.as_str()).or_default() += 1;
    }
    let best = counts.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)));
    best.map_or_else(|| "SharedSchema".to_string(), |(name, _)| (*name).to_string())
}

/// `base`; when taken (compared as typify compares type names: case and separators aside),
/// the name typify would give one of the uses suggesting `base` (the shortest, then the first
/// in sort order) that no other type has; else `base` with a number.
fn unique_name(doc: &Value, base: &str, group: &[Occurrence], taken: &Taken<'_>) -> String {
    let Taken { names: given, titles, inline } = taken;
    // Inline schemas that stay inline are named by typify after their titles: a shared
    // component takes none of those names but the title of its own uses.
    let titled = |name: &String| {
        let own = group.iter().filter(|o| o.title.as_ref() == Some(name)).count();
        titles.get(name).is_some_and(|count| *count > own)
    };
    let inside = |ptr: &str| group.iter().any(|o| ptr == o.pointer || ptr.starts_with(&format!("{}/", o.pointer)));
    // Free: no type has it, and no inline schema but those this group replaces would (Stripe's
    // `account.type`, typify's `AccountType`, beside five `account_type`s shared).
    let free = |name: &str| {
        let name = normalized(name);
        !given.contains(&name)
            && !titled(&name)
            && inline.by_name.get(&name).is_none_or(|ptrs| ptrs.iter().all(|p| inside(p)))
    };
    if free(base) {
        base.to_string()
    } else {
        // The places' names as they will be once the union alternatives above them are
        // named; an alternative itself by the word its union gives it.
        let mut names: Vec<Vec<String>> = group
            .iter()
            .filter(|o| o.hint == base)
            .filter_map(|o| inline.by_ptr.get(o.pointer.as_str()).copied())
            .filter(|p| p.segments.len() > 1)
            .map(|p| named_segments(doc, &p.ptr, &p.segments))
            .filter(|segments| !segments.last().is_some_and(|s| numbered(s)))
            .collect();
        names.sort_by_cached_key(|segments| {
            let name = typify::joined(segments);
            (name.len(), name)
        });
        names
            .iter()
            .map(|segments| typify::shortened(segments, MAX_TYPE_NAME, &|_| true))
            .find(|candidate| free(candidate))
            .unwrap_or_else(|| (2..).map(|n| format!("{base}{n}")).find(|c| free(c)).unwrap_or_default())
    }
}

/// The names a shared component may not take.
struct Taken<'a> {
    /// Components and the names given so far (normalised).
    names: &'a BTreeSet<String>,
    /// Every `title` in the document (normalised), with how many schemas carry it.
    titles: &'a BTreeMap<String, usize>,
    /// The names typify would give inline schemas.
    inline: &'a Inline<'a>,
}

/// Every `title` in the document (normalised), wherever it is, with its count.
fn collect_titles(value: &Value, titles: &mut BTreeMap<String, usize>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(title)) = map.get("title") {
                *titles.entry(normalized(title)).or_default() += 1;
            }
            map.values().for_each(|v| collect_titles(v, titles));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_titles(v, titles)),
        _ => {}
    }
}

fn normalized(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

fn pascal_case(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(mut doc: Value) -> (Value, Places) {
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        (doc, places)
    }

    fn owner() -> Value {
        json!({"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}})
    }

    fn doc_with(a: Value, b: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "paths": {"/p": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema":
                {"type": "object", "properties": {"owner": b}}}}}}}}},
            "components": {"schemas": {
                "Project": {"type": "object", "properties": {"owner": a, "framework": {"type": "string", "enum": ["next", "vite"]}}},
                "Owner": {"type": "string"}
            }}
        })
    }

    #[test]
    fn identical_schemas_become_one_component() {
        let (doc, places) = run(doc_with(owner(), owner()));
        // `Owner` is an existing component: the shared one is named after a place it is used.
        let name = doc["components"]["schemas"]["Project"]["properties"]["owner"]["$ref"].as_str().unwrap();
        assert_eq!(name, "#/components/schemas/ProjectOwner");
        let response = &doc["paths"]["/p"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(response["properties"]["owner"]["$ref"].as_str().unwrap(), name);
        let component = name.trim_start_matches("#/components/schemas/");
        assert_eq!(doc["components"]["schemas"][component], owner());
        assert_eq!(doc["components"]["schemas"]["Owner"], json!({"type": "string"}), "the existing component stays");
        assert_eq!(places.changes().len(), 2);
        assert!(places.changes().iter().all(|c| c.what.contains("2 identical uses")), "{places:?}");
        let pointers: Vec<&str> = places.changes().iter().map(|c| c.pointer.as_str()).collect();
        assert!(pointers.contains(&"/components/schemas/Project/properties/owner"), "{pointers:?}");
    }

    #[test]
    fn a_name_stays_when_the_content_changes_and_a_number_is_the_last_resort() {
        let mut changed = owner();
        changed["properties"]["email"] = json!({"type": "string"});
        let (first, _) = run(doc_with(owner(), owner()));
        let (second, _) = run(doc_with(changed.clone(), changed));
        let name = |doc: &Value| doc["components"]["schemas"]["Project"]["properties"]["owner"]["$ref"].clone();
        assert_eq!(name(&first), name(&second));

        let mut taken = doc_with(owner(), owner());
        taken["components"]["schemas"]["ProjectOwner"] = json!({"type": "string"});
        let (doc, _) = run(taken);
        assert_eq!(name(&doc), json!("#/components/schemas/Owner2"));
    }

    /// Components `A` and `B`, each with `property` holding `schema`.
    fn two_uses(property: &str, schema: Value) -> Value {
        json!({"openapi": "3.0.3", "paths": {}, "components": {"schemas": {
            "A": {"type": "object", "properties": {property: schema.clone()}},
            "B": {"type": "object", "properties": {property: schema}}}}})
    }

    #[test]
    fn a_title_only_its_own_uses_carry_names_the_component() {
        let format = json!({"type": "string", "title": "Encoding Format", "enum": ["a", "b"]});
        let (doc, _) = run(two_uses("encoding_format", format));
        assert_eq!(
            doc["components"]["schemas"]["A"]["properties"]["encoding_format"],
            json!({"$ref": "#/components/schemas/EncodingFormat"})
        );
    }

    /// Stripe's: `account.type` is typify's `AccountType`, so five identical `account_type`s
    /// shared may not take that name (the client had two types of one name).
    #[test]
    fn a_shared_schema_takes_no_name_typify_gives_an_inline_one() {
        let kind = json!({"type": "string", "enum": ["checking", "savings"], "nullable": true});
        let mut doc = two_uses("account_type", kind);
        doc["components"]["schemas"]["account"] =
            json!({"type": "object", "properties": {"type": {"type": "string", "enum": ["custom", "express"]}}});
        let (doc, _) = run(doc);
        assert_eq!(
            doc["components"]["schemas"]["A"]["properties"]["account_type"],
            json!({"$ref": "#/components/schemas/AAccountType"})
        );
        assert!(doc["components"]["schemas"].get("AccountType").is_none());
    }

    #[test]
    fn tags_and_the_alternatives_of_tagged_unions_stay_inline() {
        let alternative = |tag: &str| {
            json!({"type": "object", "required": ["type"], "properties": {
                "type": {"type": "string", "enum": [tag]}, "owner": owner()}})
        };
        let untagged = json!({"oneOf": [
            {"type": "object", "properties": {"type": {"type": "string", "enum": ["user"]}, "n": {"type": "integer"}}},
            {"type": "string"}]});
        let doc = json!({"openapi": "3.0.3", "paths": {}, "components": {"schemas": {
            "A": {"oneOf": [alternative("user"), alternative("team")]},
            "B": {"oneOf": [alternative("user"), alternative("team")]},
            "C": untagged.clone(),
            "D": untagged}}});
        let (doc, _) = run(doc);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["A"]["oneOf"][0], schemas["B"]["oneOf"][0]);
        assert_eq!(schemas["A"]["oneOf"][0]["properties"]["type"], json!({"type": "string", "enum": ["user"]}));
        assert_eq!(schemas["A"]["oneOf"][0]["properties"]["owner"], json!({"$ref": "#/components/schemas/Owner"}));
        // An untagged union's alternative is shared, its constant is not.
        let shared = schemas["C"]["oneOf"][0]["$ref"].as_str().unwrap().trim_start_matches("#/components/schemas/");
        assert_eq!(schemas["D"]["oneOf"][0], schemas["C"]["oneOf"][0]);
        assert_eq!(schemas[shared]["properties"]["type"], json!({"type": "string", "enum": ["user"]}));
    }

    #[test]
    fn different_schemas_are_not_shared() {
        let mut other = owner();
        other["properties"]["name"]["description"] = json!("differs");
        let (doc, places) = run(doc_with(owner(), other));
        assert!(places.changes().is_empty(), "{places:?}");
        assert_eq!(
            doc,
            doc_with(owner(), {
                let mut other = owner();
                other["properties"]["name"]["description"] = json!("differs");
                other
            })
        );
    }

    #[test]
    fn key_order_does_not_matter_and_the_name_is_the_property_when_free() {
        let reordered = json!({"properties": {"name": {"type": "string"}, "id": {"type": "string"}}, "type": "object"});
        let mut doc = doc_with(owner(), reordered);
        doc["components"]["schemas"].as_object_mut().unwrap().remove("Owner");
        let (doc, _) = run(doc);
        assert_eq!(
            doc["components"]["schemas"]["Project"]["properties"]["owner"],
            json!({"$ref": "#/components/schemas/Owner"})
        );
    }

    #[test]
    fn names_are_stable_whatever_the_order_of_the_document() {
        let (first, _) = run(doc_with(owner(), owner()));
        let mut swapped = doc_with(owner(), owner());
        let schemas = swapped["components"]["schemas"].as_object_mut().unwrap();
        let project = schemas.shift_remove("Project").unwrap();
        schemas.insert("Project".into(), project);
        let (second, _) = run(swapped);
        assert_eq!(
            first["components"]["schemas"]["Project"]["properties"]["owner"],
            second["components"]["schemas"]["Project"]["properties"]["owner"]
        );
    }

    #[test]
    fn enums_and_nested_repeats_are_shared_outermost_first() {
        let framework = json!({"type": "string", "enum": ["next", "vite"]});
        let deployment = json!({"type": "object", "properties": {"framework": framework, "owner": owner()}});
        let doc = json!({
            "openapi": "3.0.3",
            "paths": {},
            "components": {"schemas": {
                "A": {"type": "object", "properties": {"deployment": deployment.clone(), "framework": framework.clone()}},
                "B": {"type": "object", "properties": {"deployment": deployment}},
                "C": {"type": "array", "items": {"type": "object", "properties": {"owner": owner()}}}
            }}
        });
        let (doc, places) = run(doc);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["A"]["properties"]["deployment"], json!({"$ref": "#/components/schemas/Deployment"}));
        assert_eq!(schemas["B"]["properties"]["deployment"], json!({"$ref": "#/components/schemas/Deployment"}));
        // Inside the shared `Deployment`, its framework enum is shared with A's in a second round.
        assert_eq!(schemas["Deployment"]["properties"]["framework"], json!({"$ref": "#/components/schemas/Framework"}));
        assert_eq!(schemas["A"]["properties"]["framework"], json!({"$ref": "#/components/schemas/Framework"}));
        assert_eq!(schemas["Deployment"]["properties"]["owner"], json!({"$ref": "#/components/schemas/Owner"}));
        assert_eq!(schemas["C"]["items"]["properties"]["owner"], json!({"$ref": "#/components/schemas/Owner"}));
        assert_eq!(schemas["Framework"], framework);
        assert_eq!(places.changes().len(), 6, "{places:?}");
    }

    #[test]
    fn a_repeat_found_again_in_a_later_round_uses_the_same_component() {
        // `owner` repeats at top level (round 1) and inside the repeated `wrapper` (round 2).
        let wrapper = json!({"type": "object", "properties": {"owner": owner(), "n": {"type": "integer"}}});
        let doc = json!({"openapi": "3.0.3", "paths": {}, "components": {"schemas": {
            "A": {"type": "object", "properties": {"wrapper": wrapper.clone(), "owner": owner()}},
            "B": {"type": "object", "properties": {"wrapper": wrapper, "owner": owner()}}
        }}});
        let (doc, _) = run(doc);
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let names: BTreeSet<&str> = schemas.keys().map(String::as_str).collect();
        assert_eq!(names, BTreeSet::from(["A", "B", "Owner", "Wrapper"]), "one component per content");
        assert_eq!(schemas["Wrapper"]["properties"]["owner"], json!({"$ref": "#/components/schemas/Owner"}));
    }

    #[test]
    fn operation_bodies_themselves_are_not_shared() {
        let body = json!({"content": {"application/json": {"schema": owner()}}});
        let doc = json!({"openapi": "3.0.3", "paths": {
            "/a": {"post": {"requestBody": body.clone(), "responses": {}}},
            "/b": {"post": {"requestBody": body, "responses": {}}}
        }});
        let (after, places) = run(doc.clone());
        assert!(places.changes().is_empty());
        assert_eq!(after, doc);
    }

    #[test]
    fn hints() {
        let s = |p: &str| p.split('/').skip(1).map(String::from).collect::<Vec<_>>();
        assert_eq!(hint_of(&s("/components/schemas/A/properties/log_drains/items")), "LogDrainsItem");
        assert_eq!(hint_of(&s("/components/schemas/A/properties/x/oneOf/1")), "X");
        assert_eq!(hint_of(&s("/components/schemas/A/items")), "AItem");
        assert_eq!(hint_of(&s("/paths/~1p/get/parameters/0/schema/items")), "Item");
    }

    /// Discord's `{title: NONE, const: 0}` beside `type: integer, format: int32` in one union
    /// and beside nothing in another: typify merges the union's keywords into each, so shared
    /// they were an `i32` and an `f64` newtype of one name. Beside keywords the alternative
    /// already has, the merge changes nothing and identical alternatives stay one type.
    #[test]
    fn alternatives_a_union_changes_are_not_shared() {
        let none = json!({"title": "NONE", "enum": [0]});
        let some = |n: i64| json!({"title": format!("V{n}"), "enum": [n]});
        let (doc, places) = run(json!({"openapi": "3.0.3", "paths": {}, "components": {"schemas": {
            "Kinds": {"type": "integer", "format": "int32", "oneOf": [none, some(1)]},
            "Levels": {"oneOf": [none, some(2)]},
            "A": {"type": "object", "properties": {"o": {"type": "object", "oneOf": [owner(), {"type": "string", "enum": ["x"]}]}}},
            "B": {"type": "object", "properties": {"o": {"type": "object", "oneOf": [owner(), {"type": "string", "enum": ["y"]}]}}}}}}));
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["Kinds"]["oneOf"][0], none);
        assert_eq!(schemas["Levels"]["oneOf"][0], none);
        // `type: object` beside alternatives that say it already: shared.
        assert!(schemas["A"]["properties"]["o"]["oneOf"][0].get("$ref").is_some(), "{doc:#}");
        assert_eq!(schemas["A"]["properties"]["o"]["oneOf"][0], schemas["B"]["properties"]["o"]["oneOf"][0]);
        assert!(places.changes().iter().all(|c| !c.pointer.contains("Kinds") && !c.pointer.contains("Levels")));
    }
}
