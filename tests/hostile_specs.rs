//! The generator on the kinds of documents real vendors publish: correct code or one clear
//! error per problem (`file: at /pointer: problem`), never a panic or code rustc rejects.
#![allow(clippy::unwrap_used)]

use api_codegen::{SpecDir, generate_into};

const OVERLAY: &str = "overlay: 1.0.0\ninfo: {title: o, version: '1'}\nactions:\n  - target: $.info\n    update: {x-client: {api-key-env: T_KEY}}\n";

/// A 3.0 document with `paths` and `components` spliced in.
fn spec(paths: &str, components: &str) -> String {
    format!("openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n{paths}\ncomponents:\n{components}\n")
}

/// Generates a spec directory; the client's code on success.
fn generate(spec: &str, overlay: &str) -> Result<String, api_codegen::Error> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("openapi.yaml"), spec).unwrap();
    std::fs::write(dir.path().join("overlay.yaml"), overlay).unwrap();
    generate_into(&SpecDir::new(dir.path()), dir.path())?;
    Ok(std::fs::read_to_string(dir.path().join("client.rs")).unwrap())
}

fn error(spec: &str) -> String {
    match generate(spec, OVERLAY) {
        Ok(code) => panic!("expected an error, got code:\n{code}"),
        Err(e) => e.to_string(),
    }
}

fn code(spec: &str) -> String {
    generate(spec, OVERLAY).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_header_the_spec_calls_api_version_is_kept() {
    let paths = r#"
  /things:
    get:
      operationId: list_things
      parameters:
        - {name: api-version, in: header, required: true, schema: {type: string}}
      responses: {'204': {description: ok}}"#;
    let code = code(&spec(paths, "  schemas: {}"));
    // progenitor's own (`HeaderName::from_static("api-version")` from `info.version`) is gone.
    assert!(!code.contains("from_static(\"api-version\")"), "{code}");
    assert!(code.contains("header_map.append(\"api-version\", api_version.to_string().try_into()?)"), "{code}");
}

const THING_RESPONSE: &str = r#"
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}"#;

#[test]
fn names_that_collide_after_case_conversion_name_both_places() {
    let paths = format!(
        r#"
  /a/{{first-name}}/{{first_name}}:
    get:
      operationId: get_a
      parameters:
        - {{name: first-name, in: path, required: true, schema: {{type: string}}}}
        - {{name: first_name, in: path, required: true, schema: {{type: string}}}}{THING_RESPONSE}"#
    );
    let components = r#"
  schemas:
    Thing:
      type: object
      properties:
        foo-bar: {type: string}
        foo_bar: {type: string}
        kind: {type: string, enum: [a-b, a_b]}
    thing: {type: object}"#;
    let text = error(&spec(&paths, components));
    let lines: Vec<&str> = text.lines().collect();
    // Enum values `a-b` / `a_b` were a fourth error; the `unique-enum-variant-names` rule now
    // repairs them (asserted below).
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines.iter().all(|l| l.contains("openapi.yaml: at /")), "{text}");
    for both in [
        "`Thing` (/components/schemas/Thing) and `thing` (/components/schemas/thing) both become the Rust type `Thing`",
        "`foo-bar` (/components/schemas/Thing/properties/foo-bar) and `foo_bar` (/components/schemas/Thing/properties/foo_bar)",
        // Path parameters: query and header parameters are renamed by `unique-parameter-names`
        // (tests/normalisation_rules.rs); the path template names these, so they stay an error.
        "`first-name` (/paths/~1a~1{first-name}~1{first_name}/get/parameters/0) and `first_name` (/paths/~1a~1{first-name}~1{first_name}/get/parameters/1)",
    ] {
        assert!(text.contains(both), "{both} missing from:\n{text}");
    }
    let enum_only =
        components.replace("        foo_bar: {type: string}\n", "").replace("\n    thing: {type: object}", "");
    let enum_only = spec(&format!("\n  /a:\n    get:\n      operationId: get_a{THING_RESPONSE}"), &enum_only);
    let code = code(&enum_only);
    assert!(code.contains("#[serde(rename = \"a-b\")]\n            ADashB,"), "{code}");
    assert!(code.contains("#[serde(rename = \"a_b\")]\n            AUnderscoreB,"), "{code}");
    // Operation ids that collide (`getToken` / `get_token`) were already an error.
    let paths = "  /a: {get: {operationId: getToken, responses: {'204': {description: ok}}}}\n  /b: {get: {operationId: get_token, responses: {'204': {description: ok}}}}";
    let text = error(&spec(paths, "  schemas: {}"));
    assert!(text.contains("/paths/~1b/get/operationId") && text.contains("/paths/~1a/get"), "{text}");
}

#[test]
fn keywords_become_names_with_an_underscore_and_keep_their_wire_names() {
    let paths = format!(
        r#"
  /type:
    get:
      operationId: type
      parameters:
        - {{name: match, in: query, schema: {{type: string}}}}{THING_RESPONSE}"#
    );
    let components = "  schemas:\n    Thing: {type: object, properties: {self: {type: string}, crate: {type: string}}}";
    let code = code(&spec(&paths, components));
    assert!(code.contains("pub fn type_(&self)"), "{code}");
    assert!(code.contains("rename = \"self\"") && code.contains("pub self_:"), "{code}");
    assert!(code.contains("client.inner.call(\"type_\""), "{code}");
}

#[test]
fn path_templates_and_parameters_must_agree() {
    let paths = r#"
  /things/{id}/{part}:
    get:
      operationId: get_thing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: gone, in: path, required: true, schema: {type: string}}
      responses: {'204': {description: ok}}"#;
    let text = error(&spec(paths, "  schemas: {}"));
    // `{part}`, declared nowhere, is declared by the `declare-path-parameters` rule (it was
    // an error before the rule); a declared parameter missing from the template stays one.
    assert!(!text.contains("no path parameter `part`"), "{text}");
    assert!(
        text.contains(
            "at /paths/~1things~1{id}~1{part}/get/parameters/1: path parameter `gone` does not appear in the path"
        ),
        "{text}"
    );
}

#[test]
fn reference_cycles_no_value_satisfies_name_the_chain_and_recursion_compiles() {
    let components = r#"
  schemas:
    Thing: {$ref: '#/components/schemas/Other'}
    Other: {$ref: '#/components/schemas/Thing'}"#;
    let text = error(&spec(&format!("  /a:\n    get:\n      operationId: a{THING_RESPONSE}"), components));
    assert!(
        text.contains("at /components/schemas/Other: `$ref` chain that never reaches a definition: /components/schemas/Other → /components/schemas/Thing → /components/schemas/Other"),
        "{text}"
    );
    // Recursion through an optional property or an array is a tree, and generates (the
    // compiled proof is `tests/tricky/`).
    let components = r#"
  schemas:
    Thing:
      type: object
      required: [name]
      properties:
        name: {type: string}
        parent: {$ref: '#/components/schemas/Thing'}
        children: {type: array, items: {$ref: '#/components/schemas/Thing'}}"#;
    let code = code(&spec(&format!("  /a:\n    get:\n      operationId: a{THING_RESPONSE}"), components));
    assert!(code.contains("pub children: ::std::vec::Vec<Thing>"), "{code}");
}

#[test]
fn real_world_yaml_scalars_are_accepted() {
    let text = spec(
        "  /a:\n    get:\n      operationId: a\n      parameters:\n        - {name: flag, in: query, schema: {type: string, enum: [yes, no]}}\n      responses:\n        204: {description: ok}",
        "  schemas: {}",
    )
    .replace("version: '1'", "version: 1.0");
    let code = code(&text);
    assert!(code.contains("version: \"1.0\""), "{code}");
    assert!(code.contains("rename = \"yes\"") && code.contains("rename = \"no\""), "{code}");
    // Genuinely invalid YAML is still an error saying where.
    let text = error("openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a: {get: 1\n");
    assert!(text.contains("openapi.yaml: at (document root): not valid YAML") && text.contains("line"), "{text}");
}

#[test]
fn every_problem_is_reported_in_one_run() {
    // (An operation without `operationId` or with an undeclared `{id}` is no longer a
    // problem: the normalisation rules repair both; an undeclared template-less parameter
    // and a duplicate id stay problems.)
    let paths = r#"
  /a:
    get:
      operationId: B
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'204': {description: ok}}
  /b:
    get:
      operationId: b
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Missing'}"#;
    let text = error(&spec(paths, "  schemas:\n    S: {type: string, x-secret: yes-please}"));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 4, "{text}");
    assert!(lines.iter().all(|l| l.contains("openapi.yaml: at /")), "{text}");
    for problem in [
        "operationId `b` is not unique",
        "path parameter `id` does not appear in the path `/a`",
        "`$ref: #/components/schemas/Missing`",
        "`x-secret` must be `true`",
    ] {
        assert!(text.contains(problem), "{problem} missing from:\n{text}");
    }
}

#[test]
fn inline_schemas_progenitor_would_give_one_name_get_names_of_their_own_not_a_wrong_type() {
    // progenitor names both inline bodies `GetAResponse`; typify would type the 400 body as
    // the 200 one. The `unique-type-names` rule names the second from its place.
    let paths = r#"
  /a:
    get:
      operationId: get_a
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {a: {type: string}}}
        '400':
          description: bad
          content:
            application/json:
              schema: {type: object, properties: {err: {type: string}}}"#;
    let code = code(&spec(paths, "  schemas: {}"));
    assert!(code.contains("pub struct GetAResponse {"), "{code}");
    assert!(code.contains("pub struct GetAResponse400 {"), "{code}");
}

/// The client, mock and dispatcher generated from a JSON document.
fn outputs(doc: &serde_json::Value) -> [String; 3] {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("openapi.json"), doc.to_string()).unwrap();
    std::fs::write(dir.path().join("overlay.yaml"), OVERLAY).unwrap();
    generate_into(&SpecDir::new(dir.path()), dir.path()).unwrap_or_else(|e| panic!("{e}"));
    ["client.rs", "mock.rs", "dispatch.rs"].map(|f| std::fs::read_to_string(dir.path().join(f)).unwrap())
}

/// The keys earlier versions of the generator wrote into the document for their own later
/// stages. Stages now hand those decisions over in the typed plan: a document that writes the
/// keys itself (to send a header of its choosing, rename a parameter on the wire, hide an
/// operation or a status) changes nothing in the generated client.
#[test]
fn private_keys_steer_nothing() {
    use serde_json::json;
    let item = json!({"$ref": "#/components/schemas/Item"});
    let answer = json!({"description": "ok", "content": {"application/json": {"schema": item}}});
    let doc = json!({
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {"/items/{id}": {
            "get": {"operationId": "getItem", "parameters": [
                {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                "responses": {"200": answer, "404": {"description": "gone"}}},
            "post": {"operationId": "putItem", "parameters": [
                {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": item}}},
                "responses": {"201": answer}}}},
        "components": {"schemas": {"Item": {"type": "object", "properties": {"name": {"type": "string"}}}}},
    });
    let baseline = outputs(&doc);
    let get = "/paths/~1items~1{id}/get";
    let post = "/paths/~1items~1{id}/post";
    let injections: [(&str, &str, serde_json::Value); 5] = [
        (get, "x-constant-headers", json!({"X-Injected": "evil"})),
        (
            post,
            "x-multipart",
            json!({"fields": {"$ref": "#/components/schemas/Item"}, "files": [
            {"name": "name", "required": true, "multiple": false, "contentType": "text/html"}]}),
        ),
        (post, "x-unsupported-by-generator", json!("hidden by the document")),
        (&format!("{get}/parameters/1"), "x-wire-name", json!("evil-name")),
        (get, "x-mock-omits-statuses", json!([200])),
    ];
    let mut steered = Vec::new();
    for (at, key, value) in injections {
        let mut hostile = doc.clone();
        hostile.pointer_mut(at).unwrap().as_object_mut().unwrap().insert(key.into(), value);
        let generated = outputs(&hostile);
        for (name, (ours, theirs)) in ["client", "mock", "dispatch"].iter().zip(baseline.iter().zip(&generated)) {
            if ours != theirs {
                steered.push(format!("`{key}` at {at} changed the {name}"));
            }
        }
    }
    assert!(steered.is_empty(), "a document steered the generator:\n{}", steered.join("\n"));
}
