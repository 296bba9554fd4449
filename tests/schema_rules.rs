//! The schema-level normalisation rules, one small spec each: the rule fires, the report names
//! every place it changed, and the client generates (the compiled proof, with the exact wire
//! values round-tripped, is `tests/tricky/` in `tricky_client.rs`). What a rule cannot repair
//! stays one clear error.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use api_codegen::load::yaml;
use api_codegen::{Prepared, generate, prepare};
use serde_json::{Value, json};

const OVERLAY: &str = "overlay: 1.0.0\ninfo: {title: o, version: '1'}\nactions:\n  - target: $.info\n    update: {x-client: {api-key-env: K}}\n";

/// A document with one operation answering `schema`, and `components`.
fn spec(schema: Value, components: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {"/a": {"get": {"operationId": "get_a", "responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": schema}}}}}}},
        "components": {"schemas": components},
    })
}

fn prepare_with(doc: Value, overlay: &str) -> Result<Prepared, api_codegen::Error> {
    let overlay = yaml::parse(Path::new("overlay.yaml"), overlay).unwrap();
    prepare(doc, Path::new("openapi.yaml"), &overlay, Path::new("overlay.yaml"))
}

/// `pointer: what` of each change `rule` made.
fn changes(prepared: &Prepared, rule: &str) -> Vec<String> {
    prepared.rules.changes_of(rule).iter().map(|c| format!("{}: {}", c.pointer, c.what)).collect()
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

#[test]
fn repeated_enum_values_are_dropped_and_reported() {
    let doc = spec(
        reference("Target"),
        json!({"Target": {"type": "array", "items": {"type": "string",
            "enum": ["production", "preview", "development", "preview", "development"]}}}),
    );
    let mut prepared = prepare_with(doc, OVERLAY).unwrap();
    assert_eq!(
        changes(&prepared, "deduplicate-enum-values"),
        [
            "/components/schemas/Target/items/enum/3: dropped the repeated value \"preview\" (the same as enum/1)",
            "/components/schemas/Target/items/enum/4: dropped the repeated value \"development\" (the same as enum/2)",
        ]
    );
    assert_eq!(
        prepared.doc.pointer("/components/schemas/Target/items/enum"),
        Some(&json!(["production", "preview", "development"]))
    );
    generate(&mut prepared).unwrap();
}

#[test]
fn colliding_enum_values_get_variant_names_and_keep_their_wire_values() {
    let doc = spec(
        reference("Event"),
        json!({"Event": {"type": "string", "enum": ["domain.created", "domain-created", "project.removed",
            "project-removed", "ready"]}}),
    );
    let mut prepared = prepare_with(doc, OVERLAY).unwrap();
    let found = changes(&prepared, "unique-enum-variant-names");
    assert_eq!(found.len(), 4, "{found:#?}");
    for (index, name) in
        ["DomainDotCreated", "DomainDashCreated", "ProjectDotRemoved", "ProjectDashRemoved"].iter().enumerate()
    {
        assert!(
            found[index].starts_with(&format!("/components/schemas/Event/enum/{index}: variant `{name}` for ")),
            "{found:#?}"
        );
    }
    // The prepared document (what surfaces, drift reports and mock examples read) keeps the
    // wire values; the names ride along.
    let event = &prepared.doc["components"]["schemas"]["Event"];
    assert_eq!(event["enum"][1], json!("domain-created"));
    assert_eq!(event["x-enum-varnames"][4], json!("Ready"));

    let code = generate(&mut prepared).unwrap().client;
    for (name, wire) in [("DomainDotCreated", "domain.created"), ("DomainDashCreated", "domain-created")] {
        assert!(code.contains(&format!("#[serde(rename = \"{wire}\")]\n            {name},")), "{code}");
        assert!(code.contains(&format!("Self::{name} => f.write_str(\"{wire}\")")), "{code}");
        assert!(code.contains(&format!("\"{wire}\" => Ok(Self::{name})")), "{code}");
    }
    assert!(!code.contains('\u{E000}'), "a marker survived");
}

#[test]
fn variant_names_from_an_overlay_are_used_and_checked() {
    let doc = spec(reference("Size"), json!({"Size": {"type": "string", "enum": ["s", "m", "l"]}}));
    let names = format!(
        "{OVERLAY}  - target: $.components.schemas.Size\n    update: {{x-enum-varnames: [Small, Medium, Large]}}\n"
    );
    let mut prepared = prepare_with(doc.clone(), &names).unwrap();
    assert!(prepared.rules.is_empty(), "{}", prepared.rules);
    let code = generate(&mut prepared).unwrap().client;
    assert!(code.contains("#[serde(rename = \"m\")]\n            Medium,"), "{code}");

    // Names that collide, or a list of the wrong length, are one error each: no panic.
    let clash = format!(
        "{OVERLAY}  - target: $.components.schemas.Size\n    update: {{x-enum-varnames: [Small, small, Large]}}\n"
    );
    let error = prepare_with(doc.clone(), &clash).unwrap_err().to_string();
    assert!(
        error.contains("at /components/schemas/Size/x-enum-varnames/1: variant names `Small` (/components/schemas/Size/x-enum-varnames/0) and `small`"),
        "{error}"
    );
    let short = format!("{OVERLAY}  - target: $.components.schemas.Size\n    update: {{x-enum-varnames: [Small]}}\n");
    let error = prepare_with(doc, &short).unwrap_err().to_string();
    assert!(error.contains("`x-enum-varnames` must list one string per `enum` value (3)"), "{error}");
}

#[test]
fn nullable_moves_from_a_named_one_of_to_its_uses() {
    let doc = spec(
        reference("Holder"),
        json!({
            "Value": {"nullable": true, "oneOf": [
                {"type": "string"},
                {"type": "array", "items": reference("Value")},
                {"type": "object", "additionalProperties": reference("Value")}]},
            "Holder": {"type": "object", "properties": {"v": reference("Value")}}}),
    );
    let mut prepared = prepare_with(doc, OVERLAY).unwrap();
    let mut found = changes(&prepared, "nullable-named-one-of");
    found.sort();
    assert_eq!(
        found,
        [
            "/components/schemas/Holder/properties/v: `$ref: #/components/schemas/Value` became a nullable `allOf: [$ref]`",
            "/components/schemas/Value/nullable: removed from `Value`: each use of it is nullable instead",
            "/components/schemas/Value/oneOf/1/items: `$ref: #/components/schemas/Value` became a nullable `allOf: [$ref]`",
            "/components/schemas/Value/oneOf/2/additionalProperties: `$ref: #/components/schemas/Value` became a nullable `allOf: [$ref]`",
        ]
    );
    let code = generate(&mut prepared).unwrap().client;
    // One `Value` type (progenitor and typify emitted two before), nullable where it is used.
    assert_eq!(code.matches("pub enum Value {").count() + code.matches("pub struct Value(").count(), 1, "{code}");
    assert!(code.contains("Array(::std::vec::Vec<::std::option::Option<Value>>)"), "{code}");
    assert!(code.contains("pub v: ::std::option::Option<Value>,"), "{code}");
}

#[test]
fn titles_naming_another_type_are_made_unique() {
    let doc = spec(
        reference("EmbeddingsRequest"),
        json!({
            "Model": {"type": "object", "properties": {"id": {"type": "string"}}},
            "EmbeddingsRequest": {"type": "object", "properties": {
                "model": {"type": "string", "title": "Model", "enum": ["small", "large"]},
                // Equal to the component but for its words, and met first: typify defined
                // `Currency` twice (Perplexity's full document).
                "currency": {"type": "string", "title": "Currency", "description": "of the cost", "enum": ["USD"]}}},
            "Currency": {"type": "string", "description": "a currency code", "enum": ["USD"]}}),
    );
    let mut prepared = prepare_with(doc, OVERLAY).unwrap();
    assert_eq!(
        changes(&prepared, "unique-type-titles"),
        [
            "/components/schemas/EmbeddingsRequest/properties/currency/title: title `Currency` became \
             `EmbeddingsRequestCurrency`: `Currency` is the type of /components/schemas/Currency",
            "/components/schemas/EmbeddingsRequest/properties/model/title: title `Model` became \
             `EmbeddingsRequestModel`: `Model` is the type of /components/schemas/Model",
        ]
    );
    let code = generate(&mut prepared).unwrap().client;
    assert!(code.contains("pub model: ::std::option::Option<EmbeddingsRequestModel>,"), "{code}");
    assert!(code.contains("pub enum EmbeddingsRequestModel {"), "{code}");
    assert_eq!(code.matches("pub enum Currency {").count(), 1, "{code}");
}

#[test]
fn the_report_names_each_rule_its_count_and_every_place() {
    let doc = spec(reference("Event"), json!({"Event": {"type": "string", "enum": ["a.b", "a-b", "a.b"]}}));
    let prepared = prepare_with(doc, OVERLAY).unwrap();
    let report = prepared.rules.to_string();
    assert!(report.contains("deduplicate-enum-values (1 change): "), "{report}");
    assert!(report.contains("  /components/schemas/Event/enum/2: dropped the repeated value \"a.b\""), "{report}");
    assert!(report.contains("unique-enum-variant-names (2 changes): "), "{report}");
    assert!(report.contains("  /components/schemas/Event/enum/1: variant `ADashB` for `a-b`"), "{report}");

    // A spec that needs no repair: nothing reported.
    let clean = spec(reference("E"), json!({"E": {"type": "string", "enum": ["a", "b"]}}));
    assert!(prepared_ok(clean).rules.is_empty());
}

fn prepared_ok(doc: Value) -> Prepared {
    prepare_with(doc, OVERLAY).unwrap()
}

/// typify may emit a default helper nothing calls (`default_i64` in Cartesia's full document,
/// beside its nullable integer `max_buffer_delay_ms` with a default; not reproduced in a small
/// spec): the generated module allows dead code, so such a client builds without warnings.
#[test]
fn the_generated_module_allows_unused_helpers() {
    let doc = spec(reference("E"), json!({"E": {"type": "string", "enum": ["a"]}}));
    let code = generate(&mut prepare_with(doc, OVERLAY).unwrap()).unwrap().client;
    let module = code.find("mod generated {").unwrap();
    let attrs = &code[code[..module].rfind("#[allow(").unwrap()..module];
    assert!(attrs.contains("dead_code"), "{attrs}");
}

/// A repaired document needs no further repair: running the rules again changes nothing.
#[test]
fn the_rules_are_idempotent() {
    let doc = spec(
        reference("Holder"),
        json!({
            "Holder": {"type": "object", "properties": {
                "kind": {"type": "string", "enum": ["a.b", "a-b", "a.b"]},
                "value": reference("Value"),
                "model": {"type": "string", "title": "Value", "enum": ["x"]}}},
            "Value": {"nullable": true, "anyOf": [{"type": "string"}, {"type": "array", "items": reference("Value")}]}}),
    );
    let once = prepare_with(doc, OVERLAY).unwrap();
    let applied: Vec<&str> = once.rules.applied.iter().map(|a| a.rule).collect();
    assert_eq!(
        applied,
        ["deduplicate-enum-values", "unique-enum-variant-names", "nullable-named-one-of", "unique-type-titles"]
    );
    let mut twice = prepare_with(once.doc.clone(), OVERLAY).unwrap();
    assert!(twice.rules.is_empty(), "{}", twice.rules);
    assert_eq!(twice.doc, once.doc);
    generate(&mut twice).unwrap();
}
