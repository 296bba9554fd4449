//! `head-without-body`: a response to `HEAD` never has a body (RFC 9110, 9.3.2), whatever the
//! document says; a client decoding the `GET` body it describes would fail on every answer.
//! Each `HEAD` response loses its `content` (headers stay), so the client returns the status
//! and headers.

use serde_json::Value;

use super::Places;
use crate::doc::{Operation, Spec};
use crate::error::join;

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    let mut found: Vec<String> = Vec::new();
    for Operation { pointer: op_ptr, method, node: op, .. } in Spec::new(doc).operations() {
        if method != "head" {
            continue;
        }
        for (status, response) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
            if response.get("content").is_some() {
                found.push(join(&join(&op_ptr, "responses"), status));
            }
        }
    }
    for at in found {
        if let Some(Value::Object(response)) = doc.pointer_mut(&at) {
            response.shift_remove("content");
            places.record(at, "removed the body of a HEAD response: HEAD answers carry none");
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn head_responses_lose_their_bodies_and_get_keeps_its_own() {
        let body = json!({"application/json": {"schema": {"type": "object"}}});
        let mut doc = json!({"paths": {"/a": {
            "head": {"responses": {"200": {"description": "ok", "content": body}, "404": {"description": "no"}}},
            "get": {"responses": {"200": {"description": "ok", "content": body}}}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        assert_eq!(places.changes().len(), 1);
        assert_eq!(places.changes()[0].pointer, "/paths/~1a/head/responses/200");
        assert!(doc["paths"]["/a"]["head"]["responses"]["200"].get("content").is_none());
        assert_eq!(doc["paths"]["/a"]["get"]["responses"]["200"]["content"], body);
    }
}
