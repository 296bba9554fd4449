//! `unsupported-request-body`: progenitor sends a request body as JSON, form-urlencoded,
//! octet-stream or plain text, of exactly one media type, and rejects anything else for the
//! whole document. Multipart bodies the `multipart-form` rule gave a form are sent by it.
//!
//! - A body offering a supported media type beside others keeps only the first supported
//!   one (JSON preferred): the client sends that.
//! - A body with no supported media type: the operation is left out ([`super::leave_out`]:
//!   the plan says why), so it is not in progenitor's input or the runtime's operation table
//!   and the rest of the API generates (e.g. `application/xml`, or a multipart schema
//!   composed with `allOf`); it stays in the document, so the surface snapshot and the drift
//!   report still list it, and this report names it.

use serde_json::Value;

use super::Places;
use crate::doc::Spec;
use crate::doc::media::is_multipart;
use crate::error::join;
use crate::plan::Plan;

/// The request media types progenitor can send (parameters after `;` ignored).
const SUPPORTED: &[&str] = &[
    "application/json",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "text/plain",
    "text/x-markdown",
];

/// Whether progenitor sends a body of this media type.
pub(crate) fn is_supported(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or_default().trim();
    SUPPORTED.iter().any(|s| s.eq_ignore_ascii_case(essence))
}

pub(super) fn apply(doc: &mut Value, plan: &mut Plan, places: &mut Places) {
    let mut decisions: Vec<(String, Vec<String>, Option<String>)> = Vec::new();
    for operation in Spec::new(doc).operations() {
        let op_ptr = operation.pointer.clone();
        if plan.form(&op_ptr).is_some() {
            continue;
        }
        let Some(body) = operation.request_body() else { continue };
        let Some(content) = body.get("content").and_then(Value::as_object) else { continue };
        let media: Vec<String> = content.keys().cloned().collect();
        if media.len() <= 1 && media.iter().all(|m| is_supported(m)) {
            continue;
        }
        let keep = media
            .iter()
            .find(|m| m.split(';').next().is_some_and(|e| e.trim().eq_ignore_ascii_case("application/json")))
            .or_else(|| media.iter().find(|m| is_supported(m)))
            .cloned();
        decisions.push((op_ptr, media, keep));
    }
    for (op_ptr, media, keep) in decisions {
        let offered = media.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
        match keep {
            Some(keep) => {
                // Copy a shared (`$ref`) body into the operation before narrowing it.
                let body_ptr = join(&op_ptr, "requestBody");
                let resolved = doc.pointer(&body_ptr).and_then(|b| Spec::new(doc).resolve(b).ok()).cloned();
                let Some(Value::Object(mut body)) = resolved else { continue };
                if let Some(Value::Object(content)) = body.get_mut("content") {
                    content.retain(|m, _| *m == keep);
                }
                if let Some(slot) = doc.pointer_mut(&body_ptr) {
                    *slot = Value::Object(body);
                }
                places.record(
                    join(&body_ptr, "content"),
                    format!("request body offers {offered}: the client sends `{keep}` only"),
                );
            }
            None => {
                let why = if media.iter().any(|m| is_multipart(m)) {
                    format!("request body {offered} has a schema that is not an object of properties: not supported")
                } else {
                    format!("request body media type {offered} is not supported")
                };
                super::leave_out(plan, places, op_ptr, why);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_media_is_marked_and_alternatives_are_narrowed() {
        let schema = json!({"schema": {"type": "object"}});
        let composed = json!({"schema": {"allOf": [{"type": "object"}]}});
        let mut doc = json!({"paths": {
            "/upload": {"post": {"operationId": "upload", "requestBody": {"content": {"application/xml": schema}}}},
            "/parts": {"post": {"operationId": "parts", "requestBody": {"content": {"multipart/form-data": composed}}}},
            "/both": {"post": {"operationId": "both", "requestBody": {"$ref": "#/components/requestBodies/B"}}},
            "/json": {"post": {"operationId": "json", "requestBody": {"content": {"application/json; charset=utf-8": schema}}}}},
            "components": {"requestBodies": {"B": {"content": {"multipart/form-data": schema, "application/json": schema}}}}});
        let (mut places, mut plan) = (Places::default(), Plan::default());
        apply(&mut doc, &mut plan, &mut places);
        let changes: Vec<_> = places.changes().iter().map(|c| (c.pointer.as_str(), c.what.as_str())).collect();
        assert_eq!(changes.len(), 3, "{changes:?}");
        assert_eq!(changes[0].0, "/paths/~1upload/post");
        assert!(
            changes[0].1.starts_with("request body media type `application/xml` is not supported: no client method")
        );
        assert!(changes[1].1.contains("a schema that is not an object of properties"), "{changes:?}");
        assert_eq!(
            changes[2].1,
            "request body offers `multipart/form-data`, `application/json`: the client sends `application/json` only"
        );
        assert!(plan.left_out("/paths/~1upload/post").is_some() && plan.left_out("/paths/~1parts/post").is_some());
        assert!(plan.left_out("/paths/~1json/post").is_none());
        assert_eq!(doc["paths"]["/both"]["post"]["requestBody"]["content"], json!({"application/json": schema}));
        assert_eq!(doc["components"]["requestBodies"]["B"]["content"].as_object().map(|c| c.len()), Some(2));
    }
}
