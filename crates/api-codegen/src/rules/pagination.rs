//! `pagination`: a list operation whose answer says where the next page starts gets `pages()`
//! and `stream()` on its builder. The rule recognises the common cursor shapes; an operation's
//! `x-pagination` (the public extension) declares or corrects the rest, or turns it off
//! (`x-pagination: false`). The decision goes into the plan ([`crate::plan::Pagination`]);
//! `rewrite::paginate` finds the fields in the generated types.
//!
//! Recognised: a `GET` with a cursor query parameter (`starting_after`, `cursor`, `page_token`,
//! `next`, `until`, `from`, …) whose JSON answer (an object, or a union of objects) holds an
//! items array (`data`, `items`, `results`, or its only array) and a next cursor (`next_page`,
//! `next_cursor`, `nextPageToken`, …, at the top or under `pagination`, `meta`,
//! `response_metadata`, …) of a scalar type; without one, `starting_after`/`after` beside a
//! `has_more` take the last item's `id` (Stripe's shape).

use serde_json::{Map, Value};

use super::Places;
use crate::doc::extensions::PAGINATION;
use crate::doc::media::is_json;
use crate::doc::{Operation, Spec};
use crate::error::join;
use crate::plan::{NextCursor, Pagination, Plan};

/// Query parameters that carry a cursor, the likeliest first (Vercel's lists take both `from`
/// and `until`; `pagination.next` is meant for `until`).
const CURSOR_PARAMETERS: &[&str] = &[
    "starting_after",
    "startingAfter",
    "after",
    "cursor",
    "page_token",
    "pageToken",
    "next_token",
    "nextToken",
    "continuation_token",
    "continuationToken",
    "next",
    "until",
    "from",
];
/// Answer properties holding the next cursor.
const NEXT_FIELDS: &[&str] = &[
    "next_page",
    "next_cursor",
    "nextCursor",
    "next_page_token",
    "nextPageToken",
    "next_token",
    "nextToken",
    "continuation_token",
    "continuationToken",
    "next",
];
/// Objects the next cursor may sit in ("" = the answer itself).
const CONTAINERS: &[&str] = &["", "pagination", "paging", "meta", "response_metadata", "page_info", "pageInfo"];
const ITEM_FIELDS: &[&str] = &["data", "items", "results"];
const HAS_MORE_FIELDS: &[&str] = &["has_more", "hasMore", "has_next", "hasNext", "has_next_page", "hasNextPage"];
/// Parameters meaning "after this item", for a cursor taken from the last item.
const AFTER_ITEM: &[&str] = &["starting_after", "startingAfter", "after"];
const EXTENSION_KEYS: &[&str] = &["cursor", "next", "next-from-last-item", "items", "has-more"];
/// How deep a schema is followed through `$ref`s and unions.
const DEPTH: usize = 16;

pub(super) fn apply(doc: &mut Value, plan: &mut Plan, places: &mut Places) {
    let spec = Spec::new(doc);
    for op in spec.operations() {
        if plan.left_out(&op.pointer).is_some() {
            continue;
        }
        let declared = op.node.get(PAGINATION);
        let found = match declared {
            Some(Value::Bool(false)) => continue,
            Some(extension) => declared_paging(&spec, &op, extension),
            None if op.method == "get" => match recognised(&spec, &op) {
                Some(found) => found,
                None => continue,
            },
            None => continue,
        };
        let at = if declared.is_some() { join(&op.pointer, PAGINATION) } else { op.pointer.clone() };
        match found {
            Ok(mut paging) => {
                places.record(at, describe(&paging, declared.is_some()));
                // The parameter as sent: a rule may have renamed it in the document.
                let parameter = op.parameters().into_iter().find(|p| p.name() == Some(paging.cursor.as_str()));
                if let Some(wire) = parameter.and_then(|p| plan.wire_name(&p.pointer)) {
                    paging.cursor = wire.to_string();
                }
                plan.operation_mut(&op.pointer).pagination = Some(paging);
            }
            Err(problem) => places.record(at, format!("not paginated: {problem}")),
        }
    }
}

fn describe(paging: &Pagination, declared: bool) -> String {
    let next = match &paging.next {
        NextCursor::Field(path) => format!("the answer's `{}`", path.join(".")),
        NextCursor::LastItem(path) => format!("the last item's `{}`", path.join(".")),
    };
    let has_more = paging.has_more.as_ref().map(|p| format!(", until `{}` is false", p.join("."))).unwrap_or_default();
    let source = if declared { "declared" } else { "recognised" };
    format!(
        "{source}: `pages()`/`stream()` walk `{}`, each next page asking `{}` = {next}{has_more}",
        paging.items.join("."),
        paging.cursor
    )
}

/// The shape the operation's `x-pagination` declares, checked against its parameters and
/// answer.
fn declared_paging(spec: &Spec<'_>, op: &Operation<'_>, extension: &Value) -> Result<Pagination, String> {
    let Some(map) = extension.as_object() else {
        return Err(format!("`{PAGINATION}` must be false or a mapping of {}", EXTENSION_KEYS.join(", ")));
    };
    if let Some(key) = map.keys().find(|k| !EXTENSION_KEYS.contains(&k.as_str())) {
        return Err(format!("unknown key `{key}` (expected {})", EXTENSION_KEYS.join(", ")));
    }
    let text = |key: &str| map.get(key).and_then(Value::as_str);
    let cursor = text("cursor").ok_or("`cursor` (the query parameter) is missing")?;
    if !query_parameters(op).iter().any(|name| name == cursor) {
        return Err(format!("`cursor`: the operation has no query parameter `{cursor}`"));
    }
    let answer = answer_schema(spec, op).ok_or("the operation has no JSON answer")?;
    let path = |key: &str| -> Result<Option<Vec<String>>, String> {
        let Some(pointer) = map.get(key) else { return Ok(None) };
        let pointer =
            pointer.as_str().filter(|p| p.starts_with('/')).ok_or(format!("`{key}` is not a JSON pointer"))?;
        Ok(Some(pointer[1..].split('/').map(|s| s.replace("~1", "/").replace("~0", "~")).collect()))
    };
    let items = path("items")?.ok_or("`items` (a JSON pointer to the items array) is missing")?;
    let element = items_element(spec, answer, &items).ok_or(format!("`items`: no array at /{}", items.join("/")))?;
    let next = match (path("next")?, path("next-from-last-item")?) {
        (Some(next), None) => {
            check_cursor(spec, answer, &next).map_err(|p| format!("`next`: {p}"))?;
            NextCursor::Field(next)
        }
        (None, Some(field)) => {
            check_cursor(spec, element, &field).map_err(|p| format!("`next-from-last-item`: {p}"))?;
            NextCursor::LastItem(field)
        }
        _ => return Err("exactly one of `next` and `next-from-last-item` is needed".into()),
    };
    let has_more = path("has-more")?;
    if let Some(flag) = &has_more
        && !leaves(spec, answer, flag, 0).iter().any(|s| is_type(spec, s, "boolean"))
    {
        return Err(format!("`has-more`: no boolean at /{}", flag.join("/")));
    }
    Ok(Pagination { cursor: cursor.to_string(), next, items, has_more })
}

/// The recognised shape, if the operation has one: `None` when it does not look paginated,
/// `Some(Err)` when it does but cannot be walked.
fn recognised(spec: &Spec<'_>, op: &Operation<'_>) -> Option<Result<Pagination, String>> {
    let parameters = query_parameters(op);
    let cursor = CURSOR_PARAMETERS.iter().find(|name| parameters.iter().any(|p| p == *name))?;
    let answer = answer_schema(spec, op)?;
    let items = items_field(spec, answer)?;
    let has_more = HAS_MORE_FIELDS
        .iter()
        .flat_map(|field| CONTAINERS.iter().map(move |c| path_of(c, field)))
        .find(|path| leaves(spec, answer, path, 0).iter().any(|s| is_type(spec, s, "boolean")));
    let next = NEXT_FIELDS
        .iter()
        .flat_map(|field| CONTAINERS.iter().map(move |c| path_of(c, field)))
        .find(|path| !leaves(spec, answer, path, 0).is_empty());
    let next = match next {
        Some(path) => match check_cursor(spec, answer, &path) {
            Ok(()) => NextCursor::Field(path),
            Err(problem) => return Some(Err(format!("`{}`: {problem}", path.join(".")))),
        },
        None => {
            let element = items_element(spec, answer, &items)?;
            let id = vec!["id".to_string()];
            if !(AFTER_ITEM.contains(cursor) && has_more.is_some() && check_cursor(spec, element, &id).is_ok()) {
                return None;
            }
            NextCursor::LastItem(id)
        }
    };
    Some(Ok(Pagination { cursor: (*cursor).to_string(), next, items, has_more }))
}

fn path_of(container: &str, field: &str) -> Vec<String> {
    [container, field].iter().filter(|s| !s.is_empty()).map(|s| (*s).to_string()).collect()
}

fn query_parameters(op: &Operation<'_>) -> Vec<String> {
    op.parameters()
        .iter()
        .filter(|p| p.location() == Some("query"))
        .filter_map(|p| p.name().map(str::to_string))
        .collect()
}

/// The schema of the first 2xx JSON answer.
fn answer_schema<'a>(spec: &Spec<'a>, op: &Operation<'a>) -> Option<&'a Value> {
    let mut responses = op.responses();
    responses.sort_by_key(|(status, _)| *status);
    responses.into_iter().filter(|(status, _)| status.starts_with('2')).find_map(|(_, response)| {
        let content = response.get("content")?.as_object()?;
        let (_, media) = content.iter().find(|(media_type, _)| is_json(media_type))?;
        media.get("schema").map(|s| spec.resolved(s))
    })
}

/// The items array of an answer: a conventional name, else its only array property, the
/// same in every alternative that has one.
fn items_field(spec: &Spec<'_>, answer: &Value) -> Option<Vec<String>> {
    let named = ITEM_FIELDS.iter().map(|f| vec![(*f).to_string()]).find(|p| items_element(spec, answer, p).is_some());
    named.or_else(|| {
        // (name, required in its object)
        let mut arrays: Vec<(String, bool)> = Vec::new();
        for alternative in alternatives(spec, answer, 0) {
            let required = |name: &str| {
                alternative.get("required").and_then(Value::as_array).is_some_and(|r| r.iter().any(|n| n == name))
            };
            for (name, schema) in properties(spec, alternative) {
                if is_type(spec, schema, "array") && !arrays.iter().any(|(n, _)| n == name) {
                    arrays.push((name.clone(), required(name)));
                }
            }
        }
        // The only array, else the only required one (`members` beside optional `invites`).
        let required: Vec<&String> = arrays.iter().filter(|(_, r)| *r).map(|(n, _)| n).collect();
        match (arrays.as_slice(), required.as_slice()) {
            ([(only, _)], _) => Some(vec![only.clone()]),
            (_, [only]) => Some(vec![(*only).clone()]),
            _ => None,
        }
    })
}

/// The items' schema at `path` (an array there in some alternative).
fn items_element<'a>(spec: &Spec<'a>, answer: &'a Value, path: &[String]) -> Option<&'a Value> {
    leaves(spec, answer, path, 0)
        .into_iter()
        .find(|s| is_type(spec, s, "array"))
        .and_then(|s| s.get("items"))
        .map(|s| spec.resolved(s))
}

/// A cursor is a string or a number (possibly null), in every alternative that has it.
fn check_cursor(spec: &Spec<'_>, schema: &Value, path: &[String]) -> Result<(), String> {
    let found = leaves(spec, schema, path, 0);
    if found.is_empty() {
        return Err(format!("nothing at /{}", path.join("/")));
    }
    let scalar = |s: &Value| {
        alternatives(spec, s, 0)
            .iter()
            .all(|a| ["string", "number", "integer", "null"].iter().any(|t| is_type(spec, a, t)) || is_null(a))
    };
    if found.iter().all(|s| scalar(s)) { Ok(()) } else { Err("not a string or a number".into()) }
}

fn is_null(schema: &Value) -> bool {
    schema.get("enum").and_then(Value::as_array).is_some_and(|values| values.iter().all(Value::is_null))
}

/// Whether `schema` has JSON type `name` (its `type`, or a listed type of 3.1).
fn is_type(spec: &Spec<'_>, schema: &Value, name: &str) -> bool {
    let schema = spec.resolved(schema);
    match schema.get("type") {
        Some(Value::String(t)) => t == name,
        Some(Value::Array(types)) => types.iter().any(|t| t == name),
        None => name == "object" && schema.get("properties").is_some(),
        _ => false,
    }
}

/// The schemas an answer can take: a union's alternatives (resolved, nested unions
/// flattened), or the schema itself.
fn alternatives<'a>(spec: &Spec<'a>, schema: &'a Value, depth: usize) -> Vec<&'a Value> {
    let schema = spec.resolved(schema);
    if depth > DEPTH {
        return Vec::new();
    }
    let union = ["oneOf", "anyOf"].iter().find_map(|k| schema.get(*k).and_then(Value::as_array));
    match union {
        Some(members) => members.iter().flat_map(|m| alternatives(spec, m, depth + 1)).collect(),
        None => vec![schema],
    }
}

/// An object schema's properties, its `allOf` members' included.
fn properties<'a>(spec: &Spec<'a>, schema: &'a Value) -> Vec<(&'a String, &'a Value)> {
    let mut out: Vec<(&'a String, &'a Value)> = Vec::new();
    let own = schema.get("properties").and_then(Value::as_object).into_iter().flat_map(Map::iter);
    out.extend(own);
    for member in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        let member = spec.resolved(member);
        out.extend(member.get("properties").and_then(Value::as_object).into_iter().flat_map(Map::iter));
    }
    out
}

/// The schemas at a property path, through every alternative.
fn leaves<'a>(spec: &Spec<'a>, schema: &'a Value, path: &[String], depth: usize) -> Vec<&'a Value> {
    let Some((first, rest)) = path.split_first() else { return vec![spec.resolved(schema)] };
    if depth > DEPTH {
        return Vec::new();
    }
    alternatives(spec, schema, depth)
        .into_iter()
        .flat_map(|alternative| properties(spec, alternative))
        .filter(|(name, _)| *name == first)
        .flat_map(|(_, property)| leaves(spec, property, rest, depth + 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn plan_of(doc: Value) -> (Option<Pagination>, Vec<String>) {
        let mut doc = doc;
        let mut plan = Plan::default();
        let mut places = Places::default();
        apply(&mut doc, &mut plan, &mut places);
        let paging = plan.operations().next().and_then(|(_, op)| op.pagination.clone());
        (paging, places.changes().iter().map(|c| format!("{}: {}", c.pointer, c.what)).collect())
    }

    fn list(parameter: &str, answer: Value) -> Value {
        json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/things": {"get": {
            "operationId": "list",
            "parameters": [{"name": parameter, "in": "query", "schema": {"type": "string"}},
                           {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": answer}}}}}}},
            "components": {"schemas": {"Thing": {"type": "object", "properties": {"id": {"type": "string"}}}}}})
    }

    fn path(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn a_next_page_field_beside_data_is_recognised() {
        let answer = json!({"type": "object", "properties": {
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
            "has_more": {"type": "boolean"}, "next_page": {"type": "string", "nullable": true}}});
        let (paging, report) = plan_of(list("starting_after", answer));
        let expected = Pagination {
            cursor: "starting_after".into(),
            next: NextCursor::Field(path(&["next_page"])),
            items: path(&["data"]),
            has_more: Some(path(&["has_more"])),
        };
        assert_eq!(paging, Some(expected));
        assert!(report[0].contains("recognised"), "{report:?}");
    }

    #[test]
    fn a_nested_cursor_in_a_union_and_the_last_item_id_are_recognised() {
        let answer = json!({"oneOf": [{"type": "object", "properties": {"error": {"type": "string"}}},
            {"type": "object", "properties": {"projects": {"type": "array", "items": {}},
             "pagination": {"type": "object", "properties": {"next": {"oneOf": [{"type": "string"}, {"type": "number"}]}}}}}]});
        let (paging, _) = plan_of(list("from", answer));
        let paging = paging.unwrap();
        assert_eq!(
            (paging.items, paging.next),
            (path(&["projects"]), NextCursor::Field(path(&["pagination", "next"])))
        );

        let stripe = json!({"type": "object", "properties": {"has_more": {"type": "boolean"},
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}});
        let (paging, _) = plan_of(list("starting_after", stripe.clone()));
        assert_eq!(paging.unwrap().next, NextCursor::LastItem(path(&["id"])));
        // Without a has_more flag the last item's id is no cursor: not paginated.
        let mut no_flag = stripe;
        no_flag["properties"].as_object_mut().unwrap().shift_remove("has_more");
        assert_eq!(plan_of(list("starting_after", no_flag)), (None, vec![]));
    }

    #[test]
    fn an_object_cursor_is_reported_and_the_extension_declares_or_turns_off() {
        let answer = json!({"type": "object", "properties": {"items": {"type": "array", "items": {}},
            "next": {"type": "object", "properties": {"href": {"type": "string"}}}}});
        let (paging, report) = plan_of(list("cursor", answer.clone()));
        assert_eq!(paging, None);
        assert!(report[0].contains("not paginated: `next`: not a string or a number"), "{report:?}");

        let mut declared = list("token", answer.clone());
        declared["paths"]["/things"]["get"][PAGINATION] =
            json!({"cursor": "token", "next": "/next/href", "items": "/items"});
        let (paging, report) = plan_of(declared);
        assert_eq!(paging.unwrap().next, NextCursor::Field(path(&["next", "href"])));
        assert!(report[0].starts_with("/paths/~1things/get/x-pagination: declared"), "{report:?}");

        let mut off = list("cursor", answer.clone());
        off["paths"]["/things"]["get"][PAGINATION] = json!(false);
        assert_eq!(plan_of(off), (None, vec![]));

        let mut wrong = list("cursor", answer);
        wrong["paths"]["/things"]["get"][PAGINATION] = json!({"cursor": "page", "next": "/next", "items": "/items"});
        let (paging, report) = plan_of(wrong);
        assert_eq!(paging, None);
        assert!(
            report[0].contains("not paginated: `cursor`: the operation has no query parameter `page`"),
            "{report:?}"
        );
    }
}
