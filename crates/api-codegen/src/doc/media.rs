//! What an operation's success body is, by its media types: one JSON document (progenitor's
//! typed decode), a stream of typed items (SSE or JSON lines), or bytes (audio, CSV, files).
//! progenitor reads the last two as an untyped `ByteStream`; the generated `send` gives the
//! caller a typed `EventStream` or a `ByteDownload` instead (rewrite.rs), and the runtime
//! asks for the media type in `Accept`.

use serde_json::Value;

use crate::doc::Spec;
use crate::doc::responses::{Outcome, responses};

use crate::doc::extensions::ERROR_EVENT;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    ServerSentEvents,
    JsonLines,
}

/// The framing of a streaming media type, if it is one.
pub fn framing(media_type: &str) -> Option<Framing> {
    match essence(media_type).as_str() {
        "text/event-stream" => Some(Framing::ServerSentEvents),
        "application/x-ndjson"
        | "application/ndjson"
        | "application/jsonl"
        | "application/x-jsonlines"
        | "application/jsonlines"
        | "application/stream+json" => Some(Framing::JsonLines),
        _ => None,
    }
}

/// One JSON document: `application/json` and `+json` types that are not streams.
pub fn is_json(media_type: &str) -> bool {
    let essence = essence(media_type);
    framing(&essence).is_none()
        && (essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json")))
}

/// What progenitor treats as typed JSON (its own test): anything else is bytes to it.
pub fn is_progenitor_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.starts_with("application/json;")
}

/// `multipart/form-data` (parameters ignored).
pub fn is_multipart(media_type: &str) -> bool {
    media_type.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("multipart/form-data")
}

fn essence(media_type: &str) -> String {
    media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// An operation's success body as the generated client hands it over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SuccessBody {
    /// progenitor's own: a typed JSON document, or no body.
    #[default]
    Progenitor,
    /// Items of a stream. `item` and `json` are component names (the rule
    /// `streamed-response-schemas` names inline ones); `json` is the JSON document the same
    /// response offers instead, which `send` returns while `send_stream` streams.
    Events {
        framing: Framing,
        media_type: String,
        item: Option<String>,
        json: Option<String>,
        errors: ErrorItems,
        /// The item schema's discriminator, when it has one: which variant each value names.
        tagged: Option<Tagged>,
    },
    /// Bytes of these media types (for `Accept`).
    Download { accept: String },
    /// A JSON document (a component) at some success statuses and no body at others
    /// (`200` beside `204`): `send` answers `Option<T>`, `None` for an empty body.
    JsonOrEmpty { json: String },
}

/// A `oneOf`/`anyOf` of components with a discriminator: each value of `property` and the
/// component it names (from the mapping, or a variant's one-value enum of the property).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tagged {
    pub property: String,
    pub variants: Vec<(String, String)>,
}

/// Which items end a stream as the server's error: `property`'s value is one of `values`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorItems {
    pub property: Option<String>,
    pub values: Vec<String>,
}

/// The success body of `op` (its 2xx and `default` responses together, as progenitor unites
/// them).
pub fn success_body(doc: &Value, op: &Value) -> SuccessBody {
    let mut stream: Option<(Framing, String, Option<&Value>)> = None;
    let (mut json, mut bytes, mut empty) = (None, Vec::<String>::new(), false);
    for (_, response) in responses(doc, op, Outcome::Success) {
        let content = response.get("content").and_then(Value::as_object);
        empty |= content.is_none_or(|c| c.is_empty());
        for (media_type, media) in content.into_iter().flatten() {
            if let Some(framing) = framing(media_type) {
                stream.get_or_insert((framing, media_type.clone(), media.get("schema")));
            } else if is_progenitor_json(media_type) {
                json = json.or(Some(media.get("schema")));
            } else if !bytes.contains(media_type) {
                bytes.push(media_type.clone());
            }
        }
    }
    match (stream, json) {
        (Some((framing, media_type, schema)), json) => SuccessBody::Events {
            framing,
            media_type,
            item: schema.and_then(component),
            json: json.flatten().and_then(component),
            errors: schema.map(|s| error_items(doc, s)).unwrap_or_default(),
            tagged: schema.and_then(|s| tagged(doc, s)),
        },
        (None, Some(schema)) if empty && bytes.is_empty() => match schema.and_then(component) {
            Some(json) => SuccessBody::JsonOrEmpty { json },
            // Inline: the `unrepresentable-responses` rule names it or leaves the operation out.
            None => SuccessBody::Progenitor,
        },
        (None, Some(_)) => SuccessBody::Progenitor,
        (None, None) if bytes.is_empty() => SuccessBody::Progenitor,
        (None, None) => SuccessBody::Download { accept: bytes.join(", ") },
    }
}

/// The component a schema is a `$ref` to.
fn component(schema: &Value) -> Option<String> {
    schema.get("$ref")?.as_str()?.strip_prefix("#/components/schemas/").map(str::to_string)
}

/// The discriminator's value → component pairs of `schema`, if it has a discriminator.
fn tagged(doc: &Value, schema: &Value) -> Option<Tagged> {
    let schema = Spec::new(doc).resolve(schema).ok()?;
    let property = schema.pointer("/discriminator/propertyName")?.as_str()?;
    let mut variants: Vec<(String, String)> = Vec::new();
    for (value, target) in schema.pointer("/discriminator/mapping").and_then(Value::as_object).into_iter().flatten() {
        if let Some(name) = target.as_str().and_then(|t| t.strip_prefix("#/components/schemas/")) {
            variants.push((value.clone(), name.to_string()));
        }
    }
    for variant in ["oneOf", "anyOf"].iter().filter_map(|k| schema.get(*k)?.as_array()).flatten() {
        let Some(name) = component(variant) else { continue };
        let Some(resolved) = Spec::new(doc).resolve(variant).ok() else { continue };
        let one = resolved.pointer(&format!("/properties/{}/enum", crate::error::escape_token(property)));
        if let Some([Value::String(value)]) = one.and_then(Value::as_array).map(Vec::as_slice)
            && !variants.iter().any(|(v, _)| v == value)
        {
            variants.push((value.clone(), name));
        }
    }
    (!variants.is_empty()).then(|| Tagged { property: property.to_string(), variants })
}

/// The discriminator values of the item schema's variants marked [`ERROR_EVENT`] (from the
/// discriminator's mapping, or the variant's one-value enum of the discriminating property).
fn error_items(doc: &Value, schema: &Value) -> ErrorItems {
    let Some(schema) = Spec::new(doc).resolve(schema).ok() else { return ErrorItems::default() };
    let Some(property) = schema.pointer("/discriminator/propertyName").and_then(Value::as_str) else {
        return ErrorItems::default();
    };
    let marked = |variant: &Value| {
        Spec::new(doc).resolve(variant).ok().is_some_and(|v| v.get(ERROR_EVENT).and_then(Value::as_bool) == Some(true))
    };
    let mut values = Vec::new();
    for (value, target) in schema.pointer("/discriminator/mapping").and_then(Value::as_object).into_iter().flatten() {
        if marked(&serde_json::json!({ "$ref": target })) {
            values.push(value.clone());
        }
    }
    for variant in ["oneOf", "anyOf"].iter().filter_map(|k| schema.get(*k)?.as_array()).flatten() {
        let Some(resolved) = Spec::new(doc).resolve(variant).ok().filter(|_| marked(variant)) else { continue };
        let one = resolved.pointer(&format!("/properties/{}/enum", crate::error::escape_token(property)));
        if let Some([Value::String(value)]) = one.and_then(Value::as_array).map(Vec::as_slice)
            && !values.contains(value)
        {
            values.push(value.clone());
        }
    }
    ErrorItems { property: (!values.is_empty()).then(|| property.to_string()), values }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn media_types_are_classified() {
        assert_eq!(framing("text/event-stream; charset=utf-8"), Some(Framing::ServerSentEvents));
        assert_eq!(framing("application/stream+json"), Some(Framing::JsonLines));
        assert!(is_json("application/problem+json") && !is_json("application/stream+json"));
    }

    #[test]
    fn a_stream_beside_json_streams_its_items_and_keeps_the_document() {
        let doc = json!({
            "components": {"schemas": {
                "Event": {"oneOf": [{"$ref": "#/components/schemas/Done"}, {"$ref": "#/components/schemas/Failed"}],
                          "discriminator": {"propertyName": "type"}},
                "Done": {"properties": {"type": {"enum": ["done"]}}},
                "Failed": {"x-error-event": true, "properties": {"type": {"enum": ["failed"]}}},
                "Doc": {"type": "object"}
            }}
        });
        let op = json!({"responses": {"200": {"description": "", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Doc"}},
            "text/event-stream": {"schema": {"$ref": "#/components/schemas/Event"}}
        }}}});
        assert_eq!(
            success_body(&doc, &op),
            SuccessBody::Events {
                framing: Framing::ServerSentEvents,
                media_type: "text/event-stream".into(),
                item: Some("Event".into()),
                json: Some("Doc".into()),
                errors: ErrorItems { property: Some("type".into()), values: vec!["failed".into()] },
                tagged: Some(Tagged {
                    property: "type".into(),
                    variants: vec![("done".into(), "Done".into()), ("failed".into(), "Failed".into())]
                }),
            }
        );
        let audio = json!({"responses": {"200": {"description": "", "content": {"audio/wav": {}}}, "400": {"description": ""}}});
        assert_eq!(success_body(&doc, &audio), SuccessBody::Download { accept: "audio/wav".into() });
    }
}
