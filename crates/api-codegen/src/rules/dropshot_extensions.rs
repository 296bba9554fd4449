//! `dropshot-extensions`: progenitor acts on two extensions of Oxide's Dropshot documents.
//! `x-dropshot-websocket` makes an operation a websocket upgrade (`reqwest::Upgraded`, with
//! `base64` and `rand` for the handshake), which the runtime's call, retry and redaction
//! machinery does not carry: the operation is left out with that reason.
//! `x-dropshot-pagination` adds a `stream()` over progenitor's own `send` and error type: the
//! extension is taken off, and each page is an ordinary call.

use serde_json::Value;

use super::Places;
use crate::doc::Spec;
use crate::error::join;
use crate::plan::Plan;

const WEBSOCKET: &str = "x-dropshot-websocket";
const PAGINATION: &str = "x-dropshot-pagination";

pub(super) fn apply(doc: &mut Value, plan: &mut Plan, places: &mut Places) {
    let mut websockets = Vec::new();
    let mut paginated = Vec::new();
    for op in Spec::new(doc).operations() {
        if op.node.get(WEBSOCKET).is_some() {
            websockets.push(op.pointer.clone());
        } else if op.node.get(PAGINATION).is_some() {
            paginated.push(op.pointer.clone());
        }
    }
    for pointer in websockets {
        if plan.left_out(&pointer).is_none() {
            let why = format!("a websocket upgrade (`{WEBSOCKET}`), which the client's calls do not carry");
            super::leave_out(plan, places, pointer, why);
        }
    }
    for pointer in paginated {
        if let Some(Value::Object(op)) = doc.pointer_mut(&pointer) {
            op.shift_remove(PAGINATION);
            places.record(join(&pointer, PAGINATION), "no progenitor page stream; each page is an ordinary call");
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn websockets_are_left_out_and_pagination_is_taken_off() {
        let mut doc = json!({"paths": {
            "/ws": {"get": {"operationId": "ws", "x-dropshot-websocket": {}, "responses": {}}},
            "/list": {"get": {"operationId": "list", "x-dropshot-pagination": {"required": []}, "responses": {}}},
            "/plain": {"get": {"operationId": "plain", "responses": {}}}}});
        let (mut places, mut plan) = (Places::default(), Plan::default());
        apply(&mut doc, &mut plan, &mut places);
        assert!(plan.left_out("/paths/~1ws/get").is_some_and(|why| why.contains("websocket")));
        assert!(doc.pointer("/paths/~1list/get/x-dropshot-pagination").is_none());
        assert!(plan.left_out("/paths/~1list/get").is_none() && plan.left_out("/paths/~1plain/get").is_none());
        let at: Vec<&str> = places.changes().iter().map(|c| c.pointer.as_str()).collect();
        assert_eq!(at, ["/paths/~1ws/get", "/paths/~1list/get/x-dropshot-pagination"]);
    }
}
