//! `non-standard-status`: statuses the generators cannot take as they are.
//!
//! - A status that is not three digits (`1000`, `42`) is no HTTP status: progenitor asserts
//!   on it. The response is removed; such an answer is an unexpected status at run time.
//! - A three-digit status with no standard reason phrase (`449`) works in the client, but
//!   progenitor's httpmock generator names the `Then` method after the reason phrase and
//!   panics without one. The response stays for the client; the operation's plan lists it in
//!   `mock_omits` and the mock is generated without it (mock it with httpmock directly).
//! - A redirection status (`304 Not Modified`) is neither progenitor's success nor its error:
//!   the document is unchanged, but the report says the client returns it as an unexpected
//!   status (`Error::UnexpectedStatus`, status and headers kept).
//! - `101 Switching Protocols` makes progenitor's method a protocol upgrade
//!   (`reqwest::Upgraded`, Together's websockets), which the runtime's call, retry and
//!   redaction machinery does not carry (as for Dropshot's websockets): the operation is left
//!   out with that reason.

use serde_json::Value;

use super::Places;
use crate::doc::{Operation, Spec};
use crate::error::join;
use crate::plan::Plan;

/// Whether progenitor's httpmock generator can name a method for `code`.
pub fn mock_can_name(code: u16) -> bool {
    http::StatusCode::from_u16(code).ok().and_then(|s| s.canonical_reason()).is_some()
}

pub(super) fn apply(doc: &mut Value, plan: &mut Plan, places: &mut Places) {
    let mut found: Vec<(String, String, u16)> = Vec::new();
    let mut upgrades = Vec::new();
    for Operation { pointer: op_ptr, node: op, .. } in Spec::new(doc).operations() {
        for status in op.get("responses").and_then(Value::as_object).into_iter().flatten().map(|(s, _)| s) {
            let Ok(code) = status.parse::<u16>() else { continue };
            if status == "101" {
                upgrades.push(op_ptr.clone());
            } else if status.len() == 3 && (300..400).contains(&code) {
                places.record(
                    join(&join(&op_ptr, "responses"), status),
                    format!("status {code} is a redirection, which progenitor neither returns nor decodes: the client answers it with Error::UnexpectedStatus (status and headers kept)"),
                );
            } else if !(status.len() == 3 && mock_can_name(code)) {
                found.push((op_ptr.clone(), status.clone(), code));
            }
        }
    }
    for pointer in upgrades {
        if plan.left_out(&pointer).is_none() {
            let why =
                "a protocol upgrade (`101 Switching Protocols`), which the client's calls do not carry".to_string();
            super::leave_out(plan, places, pointer, why);
        }
    }
    for (op_ptr, status, code) in found {
        let Some(Value::Object(op)) = doc.pointer_mut(&op_ptr) else { continue };
        let at = join(&join(&op_ptr, "responses"), &status);
        if status.len() != 3 || !(100..1000).contains(&code) {
            if let Some(Value::Object(responses)) = op.get_mut("responses") {
                responses.shift_remove(&status);
            }
            places.record(at, format!("removed response `{status}`: not a three-digit HTTP status"));
        } else {
            plan.operation_mut(&op_ptr).mock_omits.push(code);
            places.record(
                at,
                format!(
                    "status {code} has no standard reason phrase: kept in the client, left out of the httpmock helpers"
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn unnamed_statuses_leave_the_mock_and_non_statuses_go() {
        let mut doc = json!({"paths": {"/a": {"get": {"operationId": "a", "responses": {
            "200": {"description": "ok"}, "4XX": {"description": "x"}, "449": {"description": "retry"},
            "1000": {"description": "no"}, "default": {"description": "d"}}}}}});
        let (mut places, mut plan) = (Places::default(), Plan::default());
        apply(&mut doc, &mut plan, &mut places);
        let changes: Vec<_> = places.changes().iter().map(|c| (c.pointer.as_str(), c.what.as_str())).collect();
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert_eq!(changes[0].0, "/paths/~1a/get/responses/449");
        assert!(changes[1].1.starts_with("removed response `1000`"), "{changes:?}");
        let op = &doc["paths"]["/a"]["get"];
        assert_eq!(plan.operation("/paths/~1a/get").map(|p| p.mock_omits.clone()), Some(vec![449]));
        assert!(op["responses"].get("1000").is_none() && op["responses"].get("449").is_some());
        assert!(mock_can_name(404) && !mock_can_name(449) && !mock_can_name(1000));
    }

    /// Together's websockets: a `101` answer is an upgrade, not a call.
    #[test]
    fn an_upgrade_is_left_out_with_its_reason() {
        let mut doc = json!({"paths": {"/ws": {"get": {"operationId": "ws", "responses": {
            "101": {"description": "switching"}}}}, "/a": {"get": {"operationId": "a", "responses": {
            "200": {"description": "ok"}}}}}});
        let (mut places, mut plan) = (Places::default(), Plan::default());
        apply(&mut doc, &mut plan, &mut places);
        assert!(plan.left_out("/paths/~1ws/get").is_some_and(|why| why.contains("101 Switching Protocols")));
        assert!(plan.left_out("/paths/~1a/get").is_none());
    }
}
