//! `cargo xtask check-spec DIR`: the whole generator on any spec directory, every problem
//! printed, for a maintainer evaluating a new vendor's document before vendoring it.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use api_codegen::SpecDir;
use serde_json::json;

/// Runs load, overlay, conversion, validation and generation on `dir/openapi.yaml` with
/// `dir/overlay.yaml`. Without an overlay yet, the document is checked as `vendor add` would
/// start it: the environment variables named after the folder (`<DIR>_API_KEY`, …) unless the
/// document names its own. Prints one line per problem
/// (`file: at /pointer: problem`), or what would be generated; exit code 1 on problems.
pub fn run(dir: &Path, out: &mut impl Write) -> std::io::Result<ExitCode> {
    let dir = SpecDir::new(dir);
    let result = if dir.overlay.exists() {
        api_codegen::load(&dir)
    } else {
        let name = dir.spec.parent().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned());
        let prefix = crate::vendor::env_prefix(name.as_deref().unwrap_or("vendor"));
        writeln!(
            out,
            "note: {} does not exist; checking as `vendor add` starts: {prefix}_API_KEY names the credential",
            dir.overlay.display()
        )?;
        api_codegen::load::bundle::read(&dir.spec).and_then(|bundle| {
            let named = bundle.doc.pointer("/info/x-client/api-key-env").is_some();
            let actions = if named {
                json!([])
            } else {
                let client =
                    json!({"api-key-env": format!("{prefix}_API_KEY"), "base-url-env": format!("{prefix}_BASE_URL")});
                json!([{"target": "$.info", "update": {"x-client": client}}])
            };
            let overlay = json!({"overlay": "1.0.0", "info": {"title": "none", "version": "0"}, "actions": actions});
            let mut prepared = api_codegen::prepare(bundle.doc, &dir.spec, &overlay, &dir.overlay)?;
            prepared.rules.record_bundle(bundle.hoisted);
            Ok(prepared)
        })
    };
    let generated = result.and_then(|mut prepared| api_codegen::generate(&mut prepared).map(|code| (prepared, code)));
    match generated {
        Ok((prepared, code)) => {
            let operations = prepared.model.operations.len();
            writeln!(
                out,
                "{}: ok: {operations} operation{}, {} lines of client code",
                dir.spec.display(),
                if operations == 1 { "" } else { "s" },
                code.client.lines().count()
            )?;
            // Every deviation from the document as served, so a maintainer sees them all.
            write!(out, "{}", prepared.rules)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            let problems: Vec<_> = error.all().collect();
            for problem in &problems {
                writeln!(out, "{}", first_line(problem))?;
            }
            writeln!(out, "{} problem{}", problems.len(), if problems.len() == 1 { "" } else { "s" })?;
            Ok(ExitCode::FAILURE)
        }
    }
}

/// One problem without the ones it carries (`Display` prints those too).
fn first_line(error: &api_codegen::Error) -> String {
    let at = if error.pointer.is_empty() { "(document root)" } else { &error.pointer };
    format!("{}: at {}: {}", error.file.display(), at, error.kind)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A bare document with a credential checks without an overlay: the variables are named
    /// after the folder, as `vendor add` names them.
    #[test]
    fn a_bare_document_needs_no_overlay() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path().join("my-api");
        std::fs::create_dir(&dir).unwrap();
        let spec = "openapi: 3.0.3\ninfo: {title: T, version: 1.0}\nsecurity: [{key: []}]\ncomponents: {securitySchemes: {key: {type: http, scheme: bearer}}}\npaths:\n  /a:\n    get: {operationId: a, responses: {204: {description: ok}}}\n";
        std::fs::write(dir.join("openapi.yaml"), spec).unwrap();
        let mut out = Vec::new();
        assert_eq!(run(&dir, &mut out).unwrap(), ExitCode::SUCCESS);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("MY_API_API_KEY names the credential") && text.contains("ok: 1 operation"), "{text}");
    }

    #[test]
    fn prints_every_problem_or_a_summary() {
        let dir = tempfile::tempdir().unwrap();
        // Two problems no normalisation rule repairs: a duplicate operationId and a path
        // parameter the template does not have.
        let spec = "openapi: 3.0.3\ninfo: {title: T, version: 1.0}\npaths:\n  /a:\n    get: {operationId: B, parameters: [{name: id, in: path, required: true, schema: {type: string}}], responses: {204: {description: ok}}}\n  /b:\n    get: {operationId: b, responses: {204: {description: ok}}}\n";
        std::fs::write(dir.path().join("openapi.yaml"), spec).unwrap();
        let mut out = Vec::new();
        assert_eq!(run(dir.path(), &mut out).unwrap(), ExitCode::FAILURE);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("checking as `vendor add` starts"), "{text}");
        assert!(text.contains("openapi.yaml: at /paths/~1b/get/operationId: operationId `b` is not unique"), "{text}");
        assert!(text.contains("path parameter `id` does not appear in the path `/a`"), "{text}");
        assert!(text.trim_end().ends_with("2 problems"), "{text}");

        std::fs::write(
            dir.path().join("openapi.yaml"),
            spec.replace(
                "operationId: B, parameters: [{name: id, in: path, required: true, schema: {type: string}}], ",
                "operationId: a, ",
            ),
        )
        .unwrap();
        let mut out = Vec::new();
        assert_eq!(run(dir.path(), &mut out).unwrap(), ExitCode::SUCCESS);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("ok: 2 operations"), "{text}");
        assert!(text.contains("no normalisation rule changed the document"), "{text}");

        // The first operation without an operationId: the rule names it, the report says so.
        std::fs::write(
            dir.path().join("openapi.yaml"),
            spec.replace(
                "operationId: B, parameters: [{name: id, in: path, required: true, schema: {type: string}}], ",
                "",
            ),
        )
        .unwrap();
        let mut out = Vec::new();
        assert_eq!(run(dir.path(), &mut out).unwrap(), ExitCode::SUCCESS);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("derive-operation-id (1 change): progenitor names"), "{text}");
        assert!(text.contains("  /paths/~1a/get/operationId: derived operationId `getA`"), "{text}");
    }
}
