//! `unrepresentable-responses`: progenitor gives an operation one success type and one error
//! type. Statuses whose bodies are all JSON are united by `error-response-union`; a JSON body
//! beside no body (or beside a non-JSON one) cannot share a type:
//!
//! - among the errors, the statuses without a JSON body are taken out of the document: such an
//!   answer is still an error (`Error::UnexpectedStatus`, status, headers and body kept), and
//!   the typed error bodies stay typed;
//! - among the successes, the operation is left out of the client with the reason (degrading
//!   one operation, never the document); the surface and the drift report still list it.

use serde_json::{Value, json};

use super::error_response_union::{free_name, insert_schema};

use super::Places;
use crate::doc::Spec;
use crate::doc::responses::{BodyKind, Outcome, body_kind, responses};
use crate::error::join;
use crate::plan::Plan;

pub(super) fn apply(doc: &mut Value, plan: &mut Plan, places: &mut Places) {
    // (operation, statuses to remove) and (operation, why it is left out)
    let mut removals: Vec<(String, Vec<String>)> = Vec::new();
    let mut left_out: Vec<(String, String)> = Vec::new();
    // (operation, its one JSON success schema, a name for it if inline, the empty statuses)
    let mut optionals: Vec<(String, Value, String, String)> = Vec::new();
    for op in Spec::new(doc).operations() {
        if plan.left_out(&op.pointer).is_some() {
            continue;
        }
        for outcome in [Outcome::Success, Outcome::Error] {
            let kinds: Vec<(String, BodyKind)> =
                responses(doc, op.node, outcome).into_iter().map(|(status, r)| (status, body_kind(r))).collect();
            let json = kinds.iter().filter(|(_, k)| matches!(k, BodyKind::Json(..))).count();
            let Some((_, first)) = kinds.first() else { continue };
            if kinds.iter().all(|(_, kind)| kind == first) || (json == kinds.len()) {
                continue;
            }
            match outcome {
                // `default` belongs to both outcomes: it is never taken out.
                Outcome::Error if json > 0 => {
                    let plain: Vec<String> = kinds
                        .iter()
                        .filter(|(status, k)| !matches!(k, BodyKind::Json(..)) && status != "default")
                        .map(|(status, _)| status.clone())
                        .collect();
                    if plain.len() + json == kinds.len() {
                        removals.push((op.pointer.clone(), plain));
                        continue;
                    }
                    left_out.push((op.pointer.clone(), describe("error", &kinds)));
                }
                Outcome::Error => left_out.push((op.pointer.clone(), describe("error", &kinds))),
                Outcome::Success => match optional(&kinds).filter(|schema| answerable(doc, op.node, schema)) {
                    Some(schema) => {
                        let empty: Vec<&str> = kinds
                            .iter()
                            .filter(|(_, k)| matches!(k, BodyKind::None))
                            .map(|(status, _)| status.as_str())
                            .collect();
                        let name = op.id().map(|id| format!("{id}-Response")).unwrap_or_default();
                        optionals.push((op.pointer.clone(), schema.clone(), name, empty.join(", ")));
                    }
                    None => left_out.push((op.pointer.clone(), describe("success", &kinds))),
                },
            }
        }
    }
    for (op_ptr, statuses) in removals {
        let responses_ptr = join(&op_ptr, "responses");
        let Some(Value::Object(declared)) = doc.pointer_mut(&responses_ptr) else { continue };
        for status in statuses {
            declared.shift_remove(&status);
            places.record(
                join(&responses_ptr, &status),
                format!("error status {status} has no JSON body beside typed error bodies: answered as Error::UnexpectedStatus (status, headers and body kept)"),
            );
        }
    }
    for (op_ptr, schema, name, empty) in optionals {
        // `send` answers `Option<T>`: T must be a type whatever progenitor reads (bytes), so an
        // inline schema becomes a component of its own, referenced where it was.
        let reference = if schema.get("$ref").is_some() {
            schema.clone()
        } else {
            // A component name holds only `[A-Za-z0-9._-]` (operationIds may hold `/`).
            let name: String =
                name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '-' }).collect();
            let name = free_name(doc, &name);
            insert_schema(doc, &name, schema.clone());
            json!({"$ref": format!("#/components/schemas/{name}")})
        };
        let responses_ptr = join(&op_ptr, "responses");
        if let Some(Value::Object(declared)) = doc.pointer_mut(&responses_ptr) {
            for response in declared.values_mut() {
                for media in response.get_mut("content").and_then(Value::as_object_mut).into_iter().flatten() {
                    if media.1.get("schema") == Some(&schema) {
                        media.1["schema"] = reference.clone();
                    }
                }
            }
        }
        places.record(
            responses_ptr,
            format!("successes with a JSON body beside {empty} without one: `send` answers `Option`, `None` for an empty body"),
        );
    }
    for (op_ptr, why) in left_out {
        if plan.left_out(&op_ptr).is_none() {
            super::leave_out(plan, places, op_ptr, why);
        }
    }
}

/// The one JSON schema of successes that are that schema or no body at all (a status with a
/// non-JSON body, or two JSON schemas, is not such a pair).
fn optional(kinds: &[(String, BodyKind)]) -> Option<&Value> {
    let mut schema = None;
    for (_, kind) in kinds {
        match kind {
            BodyKind::Json(_, s) if schema.is_none_or(|seen| seen == s) => schema = Some(s),
            BodyKind::None => {}
            _ => return None,
        }
    }
    schema
}

/// Whether the success responses can be read as `Option` of that schema: each with a body has
/// that one media type, and when the schema is inline, is written in the operation (where it
/// is named), not a shared `$ref` response.
fn answerable(doc: &Value, op: &Value, schema: &Value) -> bool {
    let inline = schema.get("$ref").is_none();
    let successes = op.get("responses").and_then(Value::as_object).into_iter().flatten();
    successes.filter(|(status, _)| Outcome::Success.contains(status)).all(|(_, written)| {
        let shared = written.get("$ref").is_some();
        let response = Spec::new(doc).resolved(written);
        match response.get("content").and_then(Value::as_object) {
            Some(content) if !content.is_empty() => content.len() == 1 && !(inline && shared),
            _ => true,
        }
    })
}

fn describe(label: &str, kinds: &[(String, BodyKind)]) -> String {
    let listed: Vec<String> = kinds.iter().map(|(status, kind)| format!("{status}: {}", kind.label())).collect();
    format!(
        "the {label} responses declare bodies of different kinds ({}), which progenitor cannot type as one",
        listed.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn plain_errors_go_json_beside_none_is_optional_and_other_mixes_leave_the_operation_out() {
        let json = |schema: Value| json!({"description": "d", "content": {"application/json": {"schema": schema}}});
        let mut doc = json!({"paths": {
            "/a": {"get": {"operationId": "a", "responses": {
                "200": json(json!({"type": "string"})), "404": {"description": "none"}, "422": json(json!({"type": "object"}))}}},
            "/b": {"get": {"operationId": "b", "responses": {
                "200": json(json!({"type": "string"})), "204": {"description": "none"}}}},
            "/c": {"get": {"operationId": "c", "responses": {
                "200": json(json!({"type": "string"})),
                "202": {"description": "text", "content": {"text/plain": {"schema": {"type": "string"}}}}}}}}});
        let (mut places, mut plan) = (Places::default(), Plan::default());
        apply(&mut doc, &mut plan, &mut places);
        assert!(doc["paths"]["/a"]["get"]["responses"].get("404").is_none());
        assert!(doc["paths"]["/a"]["get"]["responses"].get("422").is_some());
        assert!(plan.left_out("/paths/~1a/get").is_none());
        assert!(plan.left_out("/paths/~1b/get").is_none());
        assert_eq!(
            doc.pointer("/paths/~1b/get/responses/200/content/application~1json/schema"),
            Some(&json!({"$ref": "#/components/schemas/b-Response"}))
        );
        assert_eq!(doc.pointer("/components/schemas/b-Response"), Some(&json!({"type": "string"})));
        assert_eq!(
            plan.left_out("/paths/~1c/get"),
            Some(
                "the success responses declare bodies of different kinds (200: a JSON body, 202: a non-JSON body), which progenitor cannot type as one"
            )
        );
        let at: Vec<&str> = places.changes().iter().map(|c| c.pointer.as_str()).collect();
        assert_eq!(at, ["/paths/~1a/get/responses/404", "/paths/~1b/get/responses", "/paths/~1c/get"]);
    }
}
