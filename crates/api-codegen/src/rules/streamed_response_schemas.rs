//! `streamed-response-schemas`: a success response that streams (SSE, JSON lines) is bytes to
//! progenitor, so it generates no type for the stream's item schema, nor for a JSON document
//! the same response offers beside the stream (it reads the response as bytes, and the
//! generated `send` decodes it). Only named schemas become types whatever progenitor reads:
//! inline ones move to components, `<OperationId>Item` and `<OperationId>Response`.

use serde_json::{Value, json};

use super::Places;
use super::error_response_union::{free_name, insert_schema};
use crate::doc::media::{framing, is_progenitor_json};
use crate::doc::responses::Outcome;
use crate::doc::{Operation, Spec};
use crate::error::join;
use crate::names::type_name;

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    // (pointer of the schema, name for it)
    let mut found: Vec<(String, String)> = Vec::new();
    for Operation { pointer: op_ptr, node: op, .. } in Spec::new(doc).operations() {
        let Some(id) = op.get("operationId").and_then(Value::as_str) else { continue };
        for (status, response) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
            // Shared responses (`$ref`) are left as they are: naming their schemas after one
            // operation would mislead the others.
            let Some(content) = response.get("content").and_then(Value::as_object) else { continue };
            if !Outcome::Success.contains(status) || !content.keys().any(|m| framing(m).is_some()) {
                continue;
            }
            for (media_type, media) in content {
                let suffix = if framing(media_type).is_some() {
                    "Item"
                } else if is_progenitor_json(media_type) {
                    "Response"
                } else {
                    continue;
                };
                if media.get("schema").is_some_and(|s| s.get("$ref").is_none()) {
                    let at = join(&join(&join(&join(&op_ptr, "responses"), status), "content"), media_type);
                    found.push((join(&at, "schema"), format!("{id}-{suffix}")));
                }
            }
        }
    }
    for (at, base) in found {
        let Some(schema) = doc.pointer(&at).cloned() else { continue };
        let name = free_name(doc, &type_name(&base));
        insert_schema(doc, &name, schema);
        if let Some(slot) = doc.pointer_mut(&at) {
            *slot = json!({"$ref": format!("#/components/schemas/{name}")});
        }
        places.record(at, format!("inline schema of a streamed response moved to component `{name}`"));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn inline_stream_items_and_their_json_alternative_get_names() {
        let mut doc = json!({"paths": {"/logs": {"get": {"operationId": "getLogs", "responses": {
            "200": {"description": "", "content": {
                "application/stream+json": {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "array"}}
            }},
            "400": {"description": "", "content": {"application/json": {"schema": {"type": "object"}}}}
        }}}}, "components": {"schemas": {"GetLogsItem": {"type": "string"}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        assert_eq!(places.changes().len(), 2, "{places:?}");
        let content = &doc["paths"]["/logs"]["get"]["responses"]["200"]["content"];
        assert_eq!(content["application/stream+json"]["schema"]["$ref"], "#/components/schemas/GetLogsItem2");
        assert_eq!(content["application/json"]["schema"]["$ref"], "#/components/schemas/GetLogsResponse");
        assert_eq!(doc["components"]["schemas"]["GetLogsItem2"], json!({"type": "object"}));
        let error = &doc["paths"]["/logs"]["get"]["responses"]["400"]["content"]["application/json"]["schema"];
        assert_eq!(error, &json!({"type": "object"}), "error bodies are not streams");
    }
}
