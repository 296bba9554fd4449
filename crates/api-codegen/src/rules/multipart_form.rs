//! `multipart-form`: progenitor rejects a `multipart/form-data` request body outright. The
//! client sends one through a typed form instead (`forms::<Operation>`, see `forms.rs`): the
//! body schema's file properties (`format: binary`, or arrays of them) become file parts, and
//! its other properties one typed value, for which this rule adds a component
//! (`<OperationId>Fields`) so typify generates it. The operation's plan records both
//! ([`crate::plan::Request::Form`]); the body itself stays as the spec wrote it (the surface, drift report and
//! mock servers see the upstream media type and schema).
//!
//! An object field whose `encoding` says `style: deepObject` is sent as one part per
//! property (`field[property]`, as OpenAPI 3.1 defines styles for multipart); any other object
//! is one `application/json` part (OpenAPI 3.0's default).
//!
//! A body that also offers a media type progenitor sends is left to `unsupported-request-body`
//! (which keeps that one); a multipart schema that is not an object of properties (`allOf`,
//! `oneOf`, …) too (it marks the operation unsupported).

use serde_json::{Map, Value, json};

use super::Places;
use super::error_response_union::{free_name, insert_schema};
use super::unsupported_request_body::is_supported;
use crate::doc::Spec;
use crate::doc::media::is_multipart;
use crate::error::join;
use crate::names::type_name;
use crate::plan::{FileShape, FormShape, Plan, Request};

/// Whether a (resolved) property schema is a file: a binary string.
fn is_file(doc: &Value, schema: &Value) -> bool {
    let schema = Spec::new(doc).resolved(schema);
    schema.get("type").and_then(Value::as_str) == Some("string")
        && schema.get("format").and_then(Value::as_str) == Some("binary")
}

/// `type/subtype`, both HTTP tokens, no wildcard (a part must have one exact type).
fn is_media_type(text: &str) -> bool {
    let token = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b));
    text.split_once('/').is_some_and(|(kind, sub)| token(kind) && token(sub))
}

struct Candidate {
    op_ptr: String,
    id: String,
    /// The body's content had other (unsupported) media types beside multipart.
    narrowed: Option<String>,
    properties: Map<String, Value>,
    required: Vec<String>,
    encoding: Option<Value>,
    /// The body schema's `additionalProperties`, kept on the fields.
    additional: Option<Value>,
}

pub(super) fn apply(doc: &mut Value, plan: &mut Plan, places: &mut Places) {
    let mut candidates = Vec::new();
    for operation in Spec::new(doc).operations() {
        let (op_ptr, op) = (operation.pointer.clone(), operation.node);
        let Some(id) = op.get("operationId").and_then(Value::as_str) else { continue };
        let Some(body) = operation.request_body() else { continue };
        let Some(content) = body.get("content").and_then(Value::as_object) else { continue };
        if content.keys().any(|m| is_supported(m)) {
            continue;
        }
        let Some((media, multipart)) = content.iter().find(|(m, _)| is_multipart(m)) else { continue };
        let schema = multipart.get("schema").map(|s| Spec::new(doc).resolve(s).ok());
        let schema = match schema {
            None => &json!({"type": "object"}),
            Some(Some(schema)) => schema,
            Some(None) => continue,
        };
        let composed = ["allOf", "oneOf", "anyOf", "not"].iter().any(|k| schema.get(*k).is_some());
        let object = schema.get("type").is_none_or(|t| t == "object");
        if composed || !object {
            continue;
        }
        let offered: Vec<&String> = content.keys().collect();
        candidates.push(Candidate {
            op_ptr,
            id: id.to_string(),
            narrowed: (offered.len() > 1).then(|| {
                let list = offered.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
                format!("request body offers {list}: the client sends `{media}` only")
            }),
            properties: schema.get("properties").and_then(Value::as_object).cloned().unwrap_or_default(),
            required: schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str().map(String::from))
                .collect(),
            encoding: multipart.get("encoding").cloned(),
            additional: schema.get("additionalProperties").cloned(),
        });
    }
    for candidate in candidates {
        apply_one(doc, plan, candidate, places);
    }
}

fn apply_one(doc: &mut Value, plan: &mut Plan, candidate: Candidate, places: &mut Places) {
    let Candidate { op_ptr, id, narrowed, properties, required, encoding, additional } = candidate;
    let body_ptr = join(&op_ptr, "requestBody");
    if let Some(what) = narrowed {
        // A shared (`$ref`) body is copied into the operation before it is narrowed.
        let resolved = doc.pointer(&body_ptr).and_then(|b| Spec::new(doc).resolve(b).ok()).cloned();
        if let Some(Value::Object(mut body)) = resolved {
            if let Some(Value::Object(content)) = body.get_mut("content") {
                content.retain(|m, _| is_multipart(m));
            }
            if let Some(slot) = doc.pointer_mut(&body_ptr) {
                *slot = Value::Object(body);
            }
            places.record(join(&body_ptr, "content"), what);
        }
    }

    let mut fields = Map::new();
    let mut files = Vec::new();
    let mut deep_objects = Vec::new();
    for (name, schema) in properties {
        let required = required.contains(&name);
        let style = encoding.as_ref().and_then(|e| e.get(&name)).and_then(|e| e.get("style"));
        let resolved = Spec::new(doc).resolved(&schema);
        let multiple = resolved.get("type").and_then(Value::as_str) == Some("array")
            && resolved.get("items").is_some_and(|items| is_file(doc, items));
        if !multiple && !is_file(doc, &schema) {
            if style.and_then(Value::as_str) == Some("deepObject") {
                deep_objects.push(name.clone());
            }
            fields.insert(name, schema);
            continue;
        }
        let declared = encoding.as_ref().and_then(|e| e.get(&name)).and_then(|e| e.get("contentType"));
        let content_type = declared
            .and_then(Value::as_str)
            .and_then(|types| types.split(',').next())
            .map(str::trim)
            .filter(|t| is_media_type(t))
            .unwrap_or("application/octet-stream");
        files.push(FileShape { name, required, multiple, content_type: content_type.to_string() });
    }
    let field_names: Vec<Value> =
        required.iter().filter(|r| fields.contains_key(*r)).map(|r| Value::String(r.clone())).collect();
    let mut component = json!({
        "type": "object",
        "description": format!("The fields of `{id}`'s multipart body, its file parts aside."),
        "properties": Value::Object(fields),
    });
    if !field_names.is_empty() {
        component["required"] = Value::Array(field_names);
    }
    if let Some(additional) = additional {
        component["additionalProperties"] = additional;
    }
    let name = free_name(doc, &type_name(&format!("{id}-Fields")));
    insert_schema(doc, &name, component);
    let listed = files.iter().map(|f| format!("`{}`", f.name)).collect::<Vec<_>>();
    plan.operation_mut(&op_ptr).request = Request::Form(FormShape { fields: name.clone(), files, deep_objects });
    let parts =
        if listed.is_empty() { "no file part".to_string() } else { format!("file parts {}", listed.join(", ")) };
    places.record(op_ptr, format!("multipart body sent as a typed form: fields in component `{name}`, {parts}"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_media_types_name_a_part_s_type() {
        assert!(is_media_type("audio/wav") && is_media_type("application/vnd.api+json"));
        for bad in ["image/*", "audio", "a/b c", "a/b\n", "/x", "text/"] {
            assert!(!is_media_type(bad), "{bad:?}");
        }
    }

    #[test]
    fn files_become_parts_and_the_rest_a_component() {
        let mut doc = json!({"paths": {
            "/stt": {"post": {"operationId": "stt_transcribe", "requestBody": {"content": {"multipart/form-data": {
                "schema": {"type": "object", "required": ["file", "model"], "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "model": {"$ref": "#/components/schemas/Model"},
                    "extra[]": {"type": "array", "items": {"$ref": "#/components/schemas/Blob"}},
                    "tags[]": {"type": "array", "items": {"type": "string"}},
                    "format": {"type": "object"}}},
                "encoding": {"file": {"contentType": "audio/wav, audio/mpeg"}, "format": {"style": "deepObject"}}}}}}},
            "/mixed": {"post": {"operationId": "mixed", "requestBody": {"content": {
                "multipart/form-data": {"schema": {"type": "object"}}, "application/json": {"schema": {}}}}}},
            "/claimed": {"post": {"operationId": "claimed", "x-multipart": {"fields": {"$ref": "#/x"}, "files": []}}},
            "/composed": {"post": {"operationId": "composed", "requestBody": {"content": {
                "multipart/form-data": {"schema": {"allOf": [{"type": "object"}]}}}}}}},
            "components": {"schemas": {"Model": {"type": "string"}, "Blob": {"type": "string", "format": "binary"}}}});
        let (mut places, mut plan) = (Places::default(), Plan::default());
        apply(&mut doc, &mut plan, &mut places);
        let changes: Vec<(&str, &str)> =
            places.changes().iter().map(|c| (c.pointer.as_str(), c.what.as_str())).collect();
        assert_eq!(
            changes,
            [(
                "/paths/~1stt/post",
                "multipart body sent as a typed form: fields in component `SttTranscribeFields`, file parts `file`, `extra[]`"
            )]
        );
        assert!(plan.form("/paths/~1claimed/post").is_none(), "a document's own key decides nothing");
        let op = &doc["paths"]["/stt"]["post"];
        let form = plan.form("/paths/~1stt/post").unwrap();
        assert_eq!(form.fields, "SttTranscribeFields");
        let files: Vec<(&str, bool, bool, &str)> =
            form.files.iter().map(|f| (f.name.as_str(), f.required, f.multiple, f.content_type.as_str())).collect();
        assert_eq!(files, [("file", true, false, "audio/wav"), ("extra[]", false, true, "application/octet-stream")]);
        let fields = &doc["components"]["schemas"]["SttTranscribeFields"];
        assert_eq!(fields["required"], json!(["model"]));
        let names: Vec<&String> = fields["properties"].as_object().unwrap().keys().collect();
        assert_eq!(names, ["model", "tags[]", "format"]);
        assert_eq!(form.deep_objects, ["format"]);
        assert!(op["requestBody"]["content"].get("multipart/form-data").is_some(), "the body stays as written");
        assert!(plan.form("/paths/~1mixed/post").is_none(), "left to unsupported-request-body");
        assert!(plan.form("/paths/~1composed/post").is_none());
    }
}
