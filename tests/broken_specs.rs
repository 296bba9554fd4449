//! A broken spec or overlay is a clear error naming the file, the place and the problem:
//! never a panic, never a silently wrong client.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use api_codegen::{ErrorKind, SpecDir, generate_into};

const GOOD_SPEC: &str = r#"
openapi: 3.1.0
info: {title: T, version: '1'}
servers: [{url: 'https://example.com'}]
paths:
  /tokens:
    post:
      operationId: create_token
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Req'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Res'}
      security: [{Bearer: []}]
components:
  schemas:
    Req:
      type: object
      properties:
        name: {type: [string, 'null'], examples: [ci]}
        ttl: {type: integer, exclusiveMinimum: 0}
    Res:
      type: object
      required: [token]
      properties:
        token: {type: string}
        kind: {const: api}
  securitySchemes:
    Bearer: {type: http, scheme: bearer}
"#;

const GOOD_OVERLAY: &str = r#"
overlay: 1.0.0
info: {title: fixes, version: '1'}
actions:
  - target: $.info
    update: {x-client: {api-key-env: T_KEY, base-url-env: T_URL}}
  - target: $.components.schemas.Res.properties.token
    update: {x-secret: true}
"#;

/// Writes a spec directory and runs the generator on it as a build script would.
fn generate(spec: &str, overlay: &str) -> (tempfile::TempDir, Result<(), api_codegen::Error>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("openapi.yaml"), spec).unwrap();
    std::fs::write(dir.path().join("overlay.yaml"), overlay).unwrap();
    let result = generate_into(&SpecDir::new(dir.path()), dir.path());
    (dir, result)
}

fn error(spec: &str, overlay: &str) -> (api_codegen::Error, String) {
    let (_dir, result) = generate(spec, overlay);
    let err = result.unwrap_err();
    let text = err.to_string();
    (err, text)
}

#[test]
fn the_good_spec_generates_a_client_with_the_secret_type() {
    let (dir, result) = generate(GOOD_SPEC, GOOD_OVERLAY);
    result.unwrap();
    let client = std::fs::read_to_string(dir.path().join("client.rs")).unwrap();
    assert!(client.contains("pub token: ::api_runtime::SecretString"), "{client}");
    // 3.1 constructs, converted: `exclusiveMinimum: 0` (a positive integer), `type: [string,
    // null]`, `const`.
    assert!(client.contains("pub ttl: ::std::option::Option<::std::num::NonZeroU64>"), "{client}");
    assert!(client.contains("pub name: ::std::option::Option<::std::string::String>"), "{client}");
    assert!(client.contains("pub enum ResKind"), "{client}");
    assert!(Path::new(&dir.path().join("mock.rs")).exists());
}

#[test]
fn a_missing_operation_id_is_derived_and_reported() {
    // Once an error; now the `derive-operation-id` rule names the operation and says so.
    let (dir, result) = generate(&GOOD_SPEC.replace("operationId: create_token", ""), GOOD_OVERLAY);
    result.unwrap();
    let client = std::fs::read_to_string(dir.path().join("client.rs")).unwrap();
    assert!(client.contains("pub fn post_tokens(&self)"), "{client}");
    let spec =
        api_codegen::load::yaml::parse(Path::new("openapi.yaml"), &GOOD_SPEC.replace("operationId: create_token", ""));
    let overlay = api_codegen::load::yaml::parse(Path::new("overlay.yaml"), GOOD_OVERLAY).unwrap();
    let prepared =
        api_codegen::prepare(spec.unwrap(), Path::new("openapi.yaml"), &overlay, Path::new("overlay.yaml")).unwrap();
    let changes = prepared.rules.changes_of("derive-operation-id");
    assert_eq!(changes.len(), 1, "{}", prepared.rules);
    assert_eq!(changes[0].pointer, "/paths/~1tokens/post/operationId");
    assert_eq!(changes[0].what, "derived operationId `postTokens`");
}

#[test]
fn a_duplicate_operation_id_names_both_places() {
    let spec = GOOD_SPEC.replace(
        "components:",
        "  /other:\n    get:\n      operationId: createToken\n      responses: {'204': {description: ok}}\ncomponents:",
    );
    let (_, text) = error(&spec, GOOD_OVERLAY);
    assert!(text.contains("/paths/~1other/get/operationId"), "{text}");
    assert!(text.contains("not unique") && text.contains("/paths/~1tokens/post"), "{text}");
}

#[test]
fn a_3_1_construct_without_a_3_0_spelling_is_mapped_and_the_loss_reported() {
    let spec = GOOD_SPEC
        .replace("ttl: {type: integer, exclusiveMinimum: 0}", "ttl: {type: array, prefixItems: [{type: integer}]}");
    let (dir, result) = generate(&spec, GOOD_OVERLAY);
    result.unwrap();
    let prepared = api_codegen::load(&SpecDir::new(dir.path())).unwrap();
    let changes = prepared.rules.changes_of("openapi-3.1");
    assert!(
        changes
            .iter()
            .any(|c| c.pointer == "/components/schemas/Req/properties/ttl/prefixItems" && c.what.contains("tuple")),
        "{changes:?}"
    );
    assert_eq!(
        prepared.doc.pointer("/components/schemas/Req/properties/ttl/items"),
        Some(&serde_json::json!({"type": "integer"}))
    );
}

#[test]
fn an_overlay_target_that_matches_nothing_names_the_action() {
    let overlay = format!("{GOOD_OVERLAY}  - target: $.components.schemas.Gone\n    update: {{x-secret: true}}\n");
    let (err, text) = error(GOOD_SPEC, &overlay);
    assert!(matches!(err.kind, ErrorKind::TargetMatchesNothing { .. }), "{err:?}");
    assert!(text.contains("overlay.yaml: at /actions/2/target"), "{text}");
    assert!(text.contains("$.components.schemas.Gone"), "{text}");
}

#[test]
fn broken_yaml_says_where() {
    let (err, text) = error(&GOOD_SPEC.replace("paths:", "paths: [unclosed"), GOOD_OVERLAY);
    assert!(matches!(err.kind, ErrorKind::Yaml(_)), "{err:?}");
    assert!(text.contains("openapi.yaml") && text.contains("line"), "{text}");
}

#[test]
fn a_dangling_ref_is_reported() {
    let (_, text) = error(&GOOD_SPEC.replace("schemas/Res'", "schemas/Nope'"), GOOD_OVERLAY);
    assert!(text.contains("`$ref: #/components/schemas/Nope` does not resolve"), "{text}");
}

#[test]
fn a_secret_mark_on_a_non_string_is_refused() {
    let overlay = GOOD_OVERLAY.replace("Res.properties.token", "Req.properties.ttl");
    let (_, text) = error(GOOD_SPEC, &overlay);
    assert!(text.contains("/components/schemas/Req/properties/ttl/x-secret"), "{text}");
}

#[test]
fn a_construct_progenitor_rejects_is_an_error() {
    // A query parameter in a style progenitor does not write: it reports it as unsupported.
    let spec = GOOD_SPEC.replace(
        "      operationId: create_token\n",
        "      operationId: create_token\n      parameters:\n        - {name: ids, in: query, style: pipeDelimited, schema: {type: array, items: {type: string}}}\n",
    );
    let (err, text) = error(&spec, GOOD_OVERLAY);
    // Located by bisecting the failed run (`generator-rejects`): the only operation is left
    // out, so the document is refused with the operation's place and progenitor's reason.
    assert!(matches!(err.kind, ErrorKind::Invalid(_)), "{err:?}");
    assert!(text.contains("openapi.yaml: at /paths: no operation can be generated: all 1 are left out"), "{text}");
    assert!(text.contains("at /paths/~1tokens/post: left out: ") && text.contains("PipeDelimited"), "{text}");
}

#[test]
fn a_reference_that_names_no_component_is_an_error_at_its_place() {
    // A path item that is a `$ref` into `paths`: progenitor looks references up by their last
    // segment under `#/components/<kind>/`, so only component references are followed.
    let spec = GOOD_SPEC.replace("components:", "  /alias:\n    $ref: '#/paths/~1tokens'\ncomponents:");
    let (err, text) = error(&spec, GOOD_OVERLAY);
    assert!(matches!(err.kind, ErrorKind::Invalid(_)), "{err:?}");
    assert_eq!(err.pointer, "/paths/~1alias/$ref");
    assert!(text.contains("`$ref: #/paths/~1tokens` names no component as written"), "{text}");
}

#[test]
fn a_progenitor_panic_becomes_an_error() {
    // A JSON response without a schema: progenitor 0.15 hits a `todo!()`.
    let spec = GOOD_SPEC
        .replace("              schema: {$ref: '#/components/schemas/Res'}", "              example: {token: x}");
    let (err, text) = error(&spec, GOOD_OVERLAY);
    assert!(matches!(err.kind, ErrorKind::Invalid(_)), "{err:?}");
    assert!(text.contains("openapi.yaml: at /paths/~1tokens/post: left out: progenitor panicked: "), "{text}");
    assert!(text.contains("media type encoding, no schema"), "{text}");
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let err = generate_into(&SpecDir::new(dir.path().join("nope")), dir.path()).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Io(_)), "{err:?}");
    assert!(err.to_string().contains("nope/openapi.yaml"), "{err}");
}

#[test]
fn a_scheme_the_client_cannot_present_is_refused() {
    // Every operation needs mutual TLS, which the client cannot present, so none remains: the
    // document is refused, each operation's reason located.
    let spec = GOOD_SPEC.replace("Bearer: {type: http, scheme: bearer}", "Bearer: {type: mutualTLS}");
    let (err, text) = error(&spec, GOOD_OVERLAY);
    assert_eq!(err.pointer, "/paths");
    assert!(text.contains("no operation can be generated"), "{text}");
    assert!(text.contains("left out: it authenticates only with mutual TLS (`Bearer`)"), "{text}");
}
