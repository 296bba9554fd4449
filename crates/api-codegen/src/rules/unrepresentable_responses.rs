//! `unrepresentable-responses`: progenitor gives an operation one success type and one error
//! type. Statuses whose bodies are all JSON are united by `error-response-union`; a JSON body
//! beside no body (or beside a non-JSON one) cannot share a type:
//!
//! - among the errors, the statuses without a JSON body are taken out of the document: such an
//!   answer is still an error (`Error::UnexpectedStatus`, status, headers and body kept), and
//!   the typed error bodies stay typed;
//! - among the successes, the operation is left out of the client with the reason (degrading
//!   one operation, never the document); the surface and the drift report still list it.

use serde_json::Value;

use super::Places;
use crate::doc::Spec;
use crate::doc::responses::{BodyKind, Outcome, body_kind, responses};
use crate::error::join;
use crate::plan::Plan;

pub(super) fn apply(doc: &mut Value, plan: &mut Plan, places: &mut Places) {
    // (operation, statuses to remove) and (operation, why it is left out)
    let mut removals: Vec<(String, Vec<String>)> = Vec::new();
    let mut left_out: Vec<(String, String)> = Vec::new();
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
                Outcome::Success => left_out.push((op.pointer.clone(), describe("success", &kinds))),
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
    for (op_ptr, why) in left_out {
        if plan.left_out(&op_ptr).is_none() {
            super::leave_out(plan, places, op_ptr, why);
        }
    }
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
    fn plain_errors_go_and_mixed_successes_leave_the_operation_out() {
        let json = |schema: Value| json!({"description": "d", "content": {"application/json": {"schema": schema}}});
        let mut doc = json!({"paths": {
            "/a": {"get": {"operationId": "a", "responses": {
                "200": json(json!({"type": "string"})), "404": {"description": "none"}, "422": json(json!({"type": "object"}))}}},
            "/b": {"get": {"operationId": "b", "responses": {
                "200": json(json!({"type": "string"})), "204": {"description": "none"}}}}}});
        let (mut places, mut plan) = (Places::default(), Plan::default());
        apply(&mut doc, &mut plan, &mut places);
        assert!(doc["paths"]["/a"]["get"]["responses"].get("404").is_none());
        assert!(doc["paths"]["/a"]["get"]["responses"].get("422").is_some());
        assert!(plan.left_out("/paths/~1a/get").is_none());
        assert_eq!(
            plan.left_out("/paths/~1b/get"),
            Some(
                "the success responses declare bodies of different kinds (200: a JSON body, 204: no body), which progenitor cannot type as one"
            )
        );
        let at: Vec<&str> = places.changes().iter().map(|c| c.pointer.as_str()).collect();
        assert_eq!(at, ["/paths/~1a/get/responses/404", "/paths/~1b/get"]);
    }
}
