//! What progenitor or typify cannot take costs that schema or operation, never the document:
//! the failed run is bisected, each culprit located and left out (`generator-rejects`), the
//! rest generated. The constructs here are ones no rule repairs (a cookie parameter, which
//! progenitor refuses; a `not` schema, on which typify panics), so the locating is what is
//! under test.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use api_codegen::load::yaml;
use api_codegen::{Prepared, generate, prepare};
use serde_json::{Value, json};

const OVERLAY: &str = "overlay: 1.0.0\ninfo: {title: o, version: '1'}\nactions:\n  - target: $.info\n    update: {x-client: {api-key-env: K}}\n";

fn prepared(doc: Value) -> Prepared {
    let overlay = yaml::parse(Path::new("overlay.yaml"), OVERLAY).unwrap();
    prepare(doc, Path::new("openapi.yaml"), &overlay, Path::new("overlay.yaml")).unwrap()
}

fn answering(schema: Value) -> Value {
    json!({"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}})
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// `pointer: what` of every `generator-rejects` change.
fn rejected(prepared: &Prepared) -> Vec<String> {
    prepared.rules.changes_of("generator-rejects").iter().map(|c| format!("{}: {}", c.pointer, c.what)).collect()
}

#[test]
fn each_failing_schema_and_operation_is_left_out_with_its_place_and_the_rest_generated() {
    let doc = json!({
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/good": {"get": {"operationId": "good", "responses": answering(reference("Good"))}},
            "/cookie": {"get": {"operationId": "with_cookie", "parameters": [
                {"name": "session", "in": "cookie", "schema": {"type": "string"}}], "responses": answering(reference("Good"))}},
            "/odd": {"get": {"operationId": "odd", "responses": answering(reference("Holder"))}},
        },
        "components": {"schemas": {
            "Good": {"type": "object", "properties": {"id": {"type": "string"}}},
            "Odd": {"type": "object", "properties": {"x": {"not": {"type": "string"}}}},
            "Holder": {"type": "object", "properties": {"odd": reference("Odd")}},
        }},
    });
    let mut prepared = prepared(doc);
    let client = generate(&mut prepared).unwrap().client;

    let ids: Vec<&str> = prepared.model.operations.iter().map(|op| op.id.as_str()).collect();
    assert_eq!(ids, ["good"]);
    assert!(client.contains("pub fn good(") && !client.contains("pub fn odd(") && !client.contains("with_cookie"));
    assert!(client.contains("pub struct Good") && !client.contains("pub struct Holder"), "{client}");
    let mut rejected = rejected(&prepared);
    rejected.sort();
    assert_eq!(rejected.len(), 4, "{rejected:#?}");
    assert!(rejected[0].starts_with("/components/schemas/Holder: reaches `Odd`, which cannot be generated"));
    assert!(rejected[1].starts_with("/components/schemas/Odd: progenitor panicked: not yet implemented"));
    assert!(rejected[2].starts_with("/paths/~1cookie/get: ") && rejected[2].contains("cookie"), "{}", rejected[2]);
    assert!(rejected[3].starts_with("/paths/~1odd/get: its schema `"), "{}", rejected[3]);
    // The left-out operations stay in the document: surface and drift still list them.
    assert!(prepared.doc.pointer("/paths/~1odd/get").is_some());
}

#[test]
fn a_document_whose_every_operation_fails_is_refused_with_every_reason_located() {
    let doc = json!({
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/a": {"get": {"operationId": "a", "parameters": [
                {"name": "s", "in": "cookie", "schema": {"type": "string"}}], "responses": {"204": {"description": "ok"}}}},
            "/b": {"get": {"operationId": "b", "responses": answering(json!({"not": {"type": "string"}}))}},
        },
    });
    let mut prepared = prepared(doc);
    let error = generate(&mut prepared).unwrap_err();
    let lines: Vec<String> = error.to_string().lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(lines[0].contains("at /paths: no operation can be generated: all 2 are left out"), "{}", lines[0]);
    assert!(lines[1].contains("at /paths/~1a/get: left out: ") && lines[1].contains("cookie"), "{}", lines[1]);
    assert!(lines[2].contains("at /paths/~1b/get: left out: progenitor panicked: not yet implemented"), "{}", lines[2]);
}

#[test]
fn a_document_progenitor_takes_reports_no_rejection() {
    let doc = json!({
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {"/good": {"get": {"operationId": "good", "responses": answering(json!({"type": "string"}))}}},
    });
    let mut prepared = prepared(doc);
    generate(&mut prepared).unwrap();
    assert!(rejected(&prepared).is_empty());
}
