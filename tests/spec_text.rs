//! Spec text is never code: descriptions, summaries and titles that hold Rust code blocks,
//! HTML or characters rustc rejects become inert documentation.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use api_codegen::{SpecDir, generate_into};

/// Every place progenitor and typify turn spec text into a doc comment, each with a block
/// that would compile and run (or fail the build) as a doctest.
const HOSTILE_SPEC: &str = r#"
openapi: 3.0.3
info:
  title: "T ```rust"
  version: '1'
  description: "Intro.\n\n```rust\npanic!(\"info fence\");\n```\n\n    panic!(\"info indented\");\n"
  termsOfService: "<script>alert(1)</script>\n\n~~~\ncompile_error!(\"terms\");\n~~~"
paths:
  /things/{id}:
    get:
      operationId: get_thing
      summary: "Gets ```rust"
      description: "- a list\n\n  ```\n  panic!(\"in a list\");\n  ```\n\n> ```should_panic\n> panic!()\n> ```\n"
      parameters:
        - name: id
          in: path
          required: true
          description: "\n\n    compile_error!(\"param\");"
          schema: {type: string}
      responses:
        '200':
          description: "```\npanic!(\"response\")\n```"
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
components:
  schemas:
    Thing:
      description: "Bare\rreturn, bidi \u202Eoverride, and:\n\n```rust\ncompile_error!(\"schema\");\n```"
      type: object
      properties:
        kind:
          description: "<div>\n```rust\npanic!(\"hidden in html\")\n```\n</div>"
          type: string
          enum: [a, b]
        nested:
          title: "```"
          description: "    * not a list\n\n        panic!(\"deep\")"
          type: object
          properties:
            x: {type: integer}
"#;

const OVERLAY: &str = "overlay: 1.0.0\ninfo: {title: o, version: '1'}\nactions:\n  - target: $.info\n    update: {x-client: {api-key-env: T_KEY}}\n";

fn generated() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("openapi.yaml"), HOSTILE_SPEC).unwrap();
    std::fs::write(dir.path().join("overlay.yaml"), OVERLAY).unwrap();
    generate_into(&SpecDir::new(dir.path()), dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let client = std::fs::read_to_string(dir.path().join("client.rs")).unwrap();
    let mock = std::fs::read_to_string(dir.path().join("mock.rs")).unwrap();
    (dir, client, mock)
}

/// Every `#[doc]` string in a Rust file.
fn docs(source: &str) -> Vec<String> {
    struct Collect(Vec<String>);
    impl syn::visit::Visit<'_> for Collect {
        fn visit_attribute(&mut self, attr: &syn::Attribute) {
            self.0.extend(api_codegen::docs::doc_literal(attr).map(syn::LitStr::value));
        }
    }
    let file = syn::parse_file(source).unwrap_or_else(|e| panic!("generated code does not parse: {e}\n{source}"));
    let mut collect = Collect(Vec::new());
    syn::visit::Visit::visit_file(&mut collect, &file);
    collect.0
}

#[test]
fn no_doc_comment_holds_a_code_block_html_or_forbidden_characters() {
    let (_dir, client, mock) = generated();
    let docs: Vec<String> = docs(&client).into_iter().chain(docs(&mock)).collect();
    // The spec text did arrive, as documentation.
    let all = docs.join("\n");
    for marker in ["info fence", "info indented", "terms", "in a list", "param", "schema", "hidden in html", "deep"] {
        assert!(all.contains(marker), "{marker} missing from the docs:\n{all}");
    }
    for doc in &docs {
        assert_eq!(api_codegen::docs::problem(doc), None, "in doc {doc:?}");
    }
    assert!(!client.contains('\r') && !client.contains('\u{202E}'));
}

/// rustdoc itself, on the generated file: it collects no doctest at all (the generated items
/// are `cfg(not(doctest))`), whatever its own Markdown and whitespace handling would make of
/// the spec's text. Needs no dependency: nothing of the generated code is compiled.
#[test]
fn rustdoc_collects_no_doctest_from_generated_code() {
    let (dir, _client, _mock) = generated();
    let lib = dir.path().join("lib.rs");
    std::fs::write(&lib, "include!(\"client.rs\");\n").unwrap();
    let rustdoc = std::env::var("RUSTDOC").unwrap_or_else(|_| "rustdoc".into());
    let output = Command::new(rustdoc)
        .args(["--test", "--edition", "2024", "--crate-name", "hostile", "--crate-type", "lib"])
        .arg(&lib)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "rustdoc failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("running 0 tests"), "{stdout}");
    assert!(!stderr.contains("warning"), "{stderr}");
}
