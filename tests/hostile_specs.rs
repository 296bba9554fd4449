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
