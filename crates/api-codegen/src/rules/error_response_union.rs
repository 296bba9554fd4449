//! `error-response-union`: progenitor gives each operation one error type and one success
//! type (it asserts that all error responses, and all success responses, share one body
//! type). When an operation's error statuses declare different JSON bodies, they become one
//! component `<OperationId>Error` whose `oneOf` lists the distinct bodies (an `anyOf`/`oneOf`
//! of references in one response is spread into it), so every declared error body stays a
//! typed value in `Error::ErrorResponse` (an untagged enum: the first listed type that
//! accepts the body). Successes get `<OperationId>Success` the same way. Inline bodies are
//! moved to components of their own (`<OperationId>Error400`), so no two get one name.
//!
//! Statuses without a body next to statuses with one cannot share a type: those are left
//! to validation, which reports them.

use serde_json::{Map, Value, json};

use super::Places;
use crate::doc::Spec;
use crate::doc::responses::{BodyKind, Outcome, body_kind, responses};
use crate::error::join;
use crate::names::type_name;

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    for outcome in [Outcome::Success, Outcome::Error] {
        let ops: Vec<(String, String)> = Spec::new(doc)
            .operations()
            .into_iter()
            .filter_map(|op| Some((op.pointer.clone(), op.id()?.to_string())))
            .collect();
        for (op_ptr, id) in ops {
            unite(doc, &op_ptr, &id, outcome, places);
        }
    }
}

fn unite(doc: &mut Value, op_ptr: &str, id: &str, outcome: Outcome, places: &mut Places) {
    let Some(op) = doc.pointer(op_ptr) else { return };
    let bodies: Vec<(String, String, Value)> = responses(doc, op, outcome)
        .into_iter()
        .filter_map(|(status, r)| match body_kind(r) {
            BodyKind::Json(media, schema) => Some((status, media, schema)),
            _ => None,
        })
        .collect();
    let all = responses(doc, op, outcome).len();
    let mut distinct: Vec<&Value> = Vec::new();
    for (_, _, schema) in &bodies {
        if !distinct.contains(&schema) {
            distinct.push(schema);
        }
    }
    // One type already, or statuses without a JSON body that no union can cover.
    if distinct.len() <= 1 || bodies.len() != all {
        return;
    }

    let union_name = free_name(doc, &type_name(&format!("{id}-{}", outcome.suffix())));
    let mut members: Vec<Value> = Vec::new();
    let mut hoisted = Vec::new();
    for (status, _, schema) in &bodies {
        let spread = spread_references(schema);
        for member in spread.unwrap_or_else(|| vec![schema.clone()]) {
            let member = if member.get("$ref").is_some() {
                member
            } else {
                let name = free_name(doc, &type_name(&format!("{union_name}-{status}")));
                insert_schema(doc, &name, member);
                hoisted.push(name.clone());
                json!({"$ref": format!("#/components/schemas/{name}")})
            };
            if !members.contains(&member) {
                members.push(member);
            }
        }
    }
    let listed: Vec<String> =
        members.iter().filter_map(|m| m.get("$ref")?.as_str()?.rsplit('/').next().map(str::to_string)).collect();
    let description = format!(
        "One of the bodies `{id}` declares for its {} statuses ({}).",
        match outcome {
            Outcome::Success => "success",
            Outcome::Error => "error",
        },
        bodies.iter().map(|(s, _, _)| s.as_str()).collect::<Vec<_>>().join(", ")
    );
    insert_schema(doc, &union_name, json!({"description": description, "oneOf": members}));

    let reference = json!({"$ref": format!("#/components/schemas/{union_name}")});
    for (status, media, _) in &bodies {
        let response_ptr = join(&join(op_ptr, "responses"), status);
        // A shared response (`$ref`) is copied into the operation before it is changed.
        let resolved = doc.pointer(&response_ptr).and_then(|r| Spec::new(doc).resolve(r).ok()).cloned();
        if let (Some(resolved), Some(slot)) = (resolved, doc.pointer_mut(&response_ptr)) {
            *slot = resolved;
        }
        if let Some(slot) = doc.pointer_mut(&join(&join(&join(&response_ptr, "content"), media), "schema")) {
            *slot = reference.clone();
        }
    }
    let statuses: Vec<&str> = bodies.iter().map(|(s, _, _)| s.as_str()).collect();
    let mut what = format!(
        "{} bodies of {} ({} distinct) are one union `{union_name}`: {}",
        outcome.suffix().to_lowercase(),
        statuses.join(", "),
        distinct.len(),
        listed.join(" | ")
    );
    if !hoisted.is_empty() {
        what.push_str(&format!(" (inline bodies moved to {})", hoisted.join(", ")));
    }
    places.record(join(op_ptr, "responses"), what);
}

/// The members of `{anyOf|oneOf: [$ref, …]}` (nothing else but a description beside it).
fn spread_references(schema: &Value) -> Option<Vec<Value>> {
    let object = schema.as_object()?;
    let (key, list) = ["anyOf", "oneOf"].iter().find_map(|k| object.get(*k).map(|l| (*k, l)))?;
    let only = object.keys().all(|k| k == key || k == "description");
    let list = list.as_array()?;
    (only && !list.is_empty() && list.iter().all(|m| m.get("$ref").is_some())).then(|| list.clone())
}

/// `base`, or `base2`, `base3`, … : the first that is no component schema's name (nor
/// becomes the Rust type of one).
pub(crate) fn free_name(doc: &Value, base: &str) -> String {
    let taken = |name: &str| {
        doc.pointer("/components/schemas")
            .and_then(Value::as_object)
            .is_some_and(|s| s.keys().any(|k| k == name || type_name(k) == type_name(name)))
    };
    (1..)
        .map(|n| if n == 1 { base.to_string() } else { format!("{base}{n}") })
        .find(|name| !taken(name))
        .unwrap_or_else(|| base.to_string())
}

pub(crate) fn insert_schema(doc: &mut Value, name: &str, schema: Value) {
    let Value::Object(root) = doc else { return };
    let components = root.entry("components").or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(components) = components else { return };
    let schemas = components.entry("schemas").or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(schemas) = schemas {
        schemas.insert(name.to_string(), schema);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(schema: Value) -> Value {
        json!({"description": "d", "content": {"application/json": {"schema": schema}}})
    }

    #[test]
    fn distinct_error_bodies_become_one_union_and_shared_responses_stay_untouched() {
        let mut doc = json!({
            "paths": {"/d": {"patch": {"operationId": "renewDomain", "responses": {
                "200": body(json!({"type": "object"})),
                "400": body(json!({"anyOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]})),
                "401": {"$ref": "#/components/responses/Unauthorized"},
                "403": body(json!({"type": "object", "properties": {"x": {"type": "string"}}})),
                "500": body(json!({"$ref": "#/components/schemas/A"}))}}}},
            "components": {
                "schemas": {"A": {"type": "object"}, "B": {"type": "object"}, "U": {"type": "object"}},
                "responses": {"Unauthorized": body(json!({"$ref": "#/components/schemas/U"}))}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        assert_eq!(places.changes().len(), 1, "{places:?}");
        let what = &places.changes()[0].what;
        assert_eq!(
            what,
            "error bodies of 400, 401, 403, 500 (4 distinct) are one union `RenewDomainError`: A | B | U | RenewDomainError403 (inline bodies moved to RenewDomainError403)"
        );
        let union = json!({"$ref": "#/components/schemas/RenewDomainError"});
        for status in ["400", "401", "403", "500"] {
            let ptr = format!("/paths/~1d/patch/responses/{status}/content/application~1json/schema");
            assert_eq!(doc.pointer(&ptr), Some(&union), "{status}");
        }
        assert_eq!(
            doc.pointer("/paths/~1d/patch/responses/200/content/application~1json/schema"),
            Some(&json!({"type": "object"}))
        );
        assert_eq!(
            doc.pointer("/components/responses/Unauthorized/content/application~1json/schema"),
            Some(&json!({"$ref": "#/components/schemas/U"}))
        );
        assert_eq!(
            doc.pointer("/components/schemas/RenewDomainError/oneOf").and_then(Value::as_array).map(Vec::len),
            Some(4)
        );
    }

    #[test]
    fn one_type_or_a_status_without_body_is_left_alone() {
        let same = json!({"$ref": "#/components/schemas/A"});
        let mut doc = json!({"paths": {
            "/a": {"get": {"operationId": "a", "responses": {"400": body(same.clone()), "404": body(same.clone())}}},
            "/b": {"get": {"operationId": "b", "responses": {"400": body(same), "404": {"description": "none"}, "409": body(json!({"type": "string"}))}}}},
            "components": {"schemas": {"A": {"type": "object"}}}});
        let before = doc.clone();
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        assert!(places.changes().is_empty(), "{places:?}");
        assert_eq!(doc, before);
    }

    #[test]
    fn distinct_success_bodies_become_one_success_union() {
        let mut doc = json!({"paths": {"/a": {"get": {"operationId": "getA", "responses": {
            "200": body(json!({"$ref": "#/components/schemas/A"})),
            "201": body(json!({"$ref": "#/components/schemas/B"})),
            "400": body(json!({"$ref": "#/components/schemas/A"}))}}}},
            "components": {"schemas": {"A": {"type": "object"}, "B": {"type": "object"}, "GetASuccess": {}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        assert_eq!(places.changes().len(), 1, "{places:?}");
        // The name is free: `GetASuccess` is taken.
        assert_eq!(
            places.changes()[0].what,
            "success bodies of 200, 201 (2 distinct) are one union `GetASuccess2`: A | B"
        );
        let union = json!({"$ref": "#/components/schemas/GetASuccess2"});
        assert_eq!(doc.pointer("/paths/~1a/get/responses/201/content/application~1json/schema"), Some(&union));
        assert_eq!(
            doc.pointer("/paths/~1a/get/responses/400/content/application~1json/schema"),
            Some(&json!({"$ref": "#/components/schemas/A"}))
        );
    }
}
