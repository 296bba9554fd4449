//! `unsupported-request-body`: progenitor sends a request body as JSON, form-urlencoded,
//! octet-stream or plain text, of exactly one media type, and rejects anything else for the
//! whole document. Multipart bodies the `multipart-form` rule gave a form are sent by it.
//!
//! - A body offering a supported media type beside others keeps only the first supported
//!   one (JSON preferred): the client sends that.
//! - A body whose only JSON media type is not `application/json` itself
//!   (`application/json-patch+json`, `application/merge-patch+json`, `application/vnd.api+json`)
//!   is generated as JSON and sent with its own media type: the runtime sets that
//!   `Content-Type` (a constant header of the operation) over the one reqwest's JSON body sets.
//! - A body of another media type whose schema is a string (or unspecified): `image/jpeg`,
//!   `text/csv`, `*/*`, is the caller's bytes (text for `text/*`), sent with its own
//!   `Content-Type` (a wildcard sends progenitor's `application/octet-stream`).
//! - A body with no media type sendable so: the operation is left out ([`super::leave_out`]:
//!   the plan says why), so it is not in progenitor's input or the runtime's operation table
//!   and the rest of the API generates (e.g. `application/xml`, or a multipart schema
//!   composed with `allOf`); it stays in the document, so the surface snapshot and the drift
//!   report still list it, and this report names it.

use serde_json::Value;

use super::Places;
use crate::doc::Spec;
use crate::doc::media::{is_json, is_multipart};
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

/// How a body progenitor cannot take as it is gets sent, if at all.
enum Send {
    /// This supported media type, alone.
    Narrowed(String),
    /// This JSON media type, generated as `application/json` and sent with its own
    /// `Content-Type`.
    Json(String),
    /// This media type of a string (or unspecified) schema, generated as the supported raw type
    /// (bytes, or text for `text/*`); sent with its own `Content-Type` unless it is a wildcard.
    Raw {
        media: String,
        as_: &'static str,
    },
    LeftOut,
}

pub(super) fn apply(doc: &mut Value, plan: &mut Plan, places: &mut Places) {
    let mut decisions: Vec<(String, Vec<String>, Send)> = Vec::new();
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
        let essence = |m: &str| m.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        let raw_schema = |m: &String| {
            let schema = content.get(m).and_then(|c| c.get("schema"));
            let schema = schema.and_then(|s| Spec::new(doc).resolve(s).ok());
            schema.is_none_or(|s| s.get("type").is_none_or(|t| t == "string") && s.get("properties").is_none())
        };
        let send = if let Some(json) = media.iter().find(|m| essence(m) == "application/json") {
            Send::Narrowed(json.clone())
        } else if let Some(supported) = media.iter().find(|m| is_supported(m)) {
            Send::Narrowed(supported.clone())
        } else if let Some(json) = media.iter().find(|m| is_json(m)) {
            Send::Json(json.clone())
        } else if let Some(raw) = media.iter().find(|m| !is_multipart(m) && raw_schema(m)) {
            let as_ = if essence(raw).starts_with("text/") { "text/plain" } else { "application/octet-stream" };
            Send::Raw { media: raw.clone(), as_ }
        } else {
            Send::LeftOut
        };
        decisions.push((op_ptr, media, send));
    }
    for (op_ptr, media, send) in decisions {
        let offered = media.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
        let also = if media.len() > 1 { format!(" (of {offered})") } else { String::new() };
        let body_ptr = join(&op_ptr, "requestBody");
        let (keep, generated_as, header, what) = match send {
            Send::LeftOut => {
                let why = if media.iter().any(|m| is_multipart(m)) {
                    format!("request body {offered} has a schema that is not an object of properties: not supported")
                } else {
                    format!("request body media type {offered} is not supported")
                };
                super::leave_out(plan, places, op_ptr, why);
                continue;
            }
            Send::Narrowed(keep) => {
                let what = format!("request body offers {offered}: the client sends `{keep}` only");
                (keep.clone(), keep, None, what)
            }
            Send::Json(keep) => {
                let what =
                    format!("request body `{keep}`{also} is JSON: generated as JSON, sent with `Content-Type: {keep}`");
                (keep.clone(), "application/json".to_string(), Some(keep), what)
            }
            Send::Raw { media: keep, as_ } => {
                // A wildcard (`*/*`, `image/*`) is no type to send: progenitor's own is one it allows.
                let wildcard = keep.contains('*');
                let sent = if wildcard { as_.to_string() } else { keep.clone() };
                let what = format!(
                    "request body `{keep}`{also} of a string: generated as `{as_}` (the caller's bytes), sent with `Content-Type: {sent}`"
                );
                (keep.clone(), as_.to_string(), (!wildcard).then_some(keep), what)
            }
        };
        // Copy a shared (`$ref`) body into the operation before narrowing it.
        let resolved = doc.pointer(&body_ptr).and_then(|b| Spec::new(doc).resolve(b).ok()).cloned();
        let Some(Value::Object(mut body)) = resolved else { continue };
        if let Some(Value::Object(content)) = body.get_mut("content") {
            let Some(mut kept) = content.remove(&keep) else { continue };
            // progenitor takes raw bytes only as `format: binary` (a base64 or any other
            // string format is still the caller's bytes) and text as a plain string.
            if generated_as == "application/octet-stream" && !is_supported(&keep) {
                kept["schema"] = serde_json::json!({"type": "string", "format": "binary"});
            } else if generated_as == "text/plain" && !is_supported(&keep) {
                kept["schema"] = serde_json::json!({"type": "string"});
            }
            content.clear();
            content.insert(generated_as, kept);
        }
        if let Some(slot) = doc.pointer_mut(&body_ptr) {
            *slot = Value::Object(body);
        }
        if let Some(media) = header {
            let constants = &mut plan.operation_mut(&op_ptr).constant_headers;
            constants.retain(|(name, _)| !name.eq_ignore_ascii_case("content-type"));
            constants.push(("Content-Type".into(), media));
            constants.sort();
        }
        places.record(join(&body_ptr, "content"), what);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_and_raw_media_types_of_their_own_are_sent_with_their_content_type() {
        let patch = json!({"schema": {"type": "array", "items": {"type": "object"}}});
        let mut doc = json!({"paths": {
            "/a": {"put": {"operationId": "a", "requestBody": {"content": {"application/json-patch+json": patch}}}},
            "/b": {"put": {"operationId": "b", "requestBody": {"content": {"application/xml": patch, "application/vnd.api+json": patch}}}},
            "/c": {"put": {"operationId": "c", "requestBody": {"content": {"application/problem+xml": patch}}}},
            "/jpeg": {"put": {"operationId": "jpeg", "requestBody": {"content": {"image/jpeg": {"schema": {"type": "string", "format": "base64"}}}}}},
            "/any": {"post": {"operationId": "any", "requestBody": {"content": {"*/*": {"schema": {"type": "string"}}}}}},
            "/csv": {"post": {"operationId": "csv", "requestBody": {"content": {"text/csv": {}}}}}}});
        let (mut places, mut plan) = (Places::default(), Plan::default());
        apply(&mut doc, &mut plan, &mut places);
        assert_eq!(doc["paths"]["/a"]["put"]["requestBody"]["content"], json!({"application/json": patch}));
        assert_eq!(doc["paths"]["/b"]["put"]["requestBody"]["content"], json!({"application/json": patch}));
        let header = |op: &str| plan.operation(op).map(|p| p.constant_headers.clone()).unwrap_or_default();
        let pair = |v: &str| vec![("Content-Type".to_string(), v.to_string())];
        assert_eq!(header("/paths/~1a/put"), pair("application/json-patch+json"));
        assert_eq!(header("/paths/~1b/put"), pair("application/vnd.api+json"));
        assert!(plan.left_out("/paths/~1c/put").is_some());
        // Raw bodies: bytes (text for `text/*`) with their own type; a wildcard sends progenitor's.
        let content = |path: &str, method: &str| doc["paths"][path][method]["requestBody"]["content"].clone();
        let raw = json!({"schema": {"type": "string", "format": "binary"}});
        assert_eq!(content("/jpeg", "put"), json!({"application/octet-stream": raw}));
        assert_eq!(header("/paths/~1jpeg/put"), pair("image/jpeg"));
        assert_eq!(content("/any", "post"), json!({"application/octet-stream": raw}));
        assert_eq!(header("/paths/~1any/post"), []);
        assert_eq!(content("/csv", "post"), json!({"text/plain": {"schema": {"type": "string"}}}));
        assert_eq!(header("/paths/~1csv/post"), pair("text/csv"));
        let what: Vec<&str> = places.changes().iter().map(|c| c.what.as_str()).collect();
        assert!(what[0].contains("is JSON: generated as JSON, sent with `Content-Type: application/json-patch+json`"));
    }

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
