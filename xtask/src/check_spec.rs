//! `cargo xtask check-spec DIR`: the whole generator on any spec directory, every problem
//! printed, for a maintainer evaluating a new vendor's document before vendoring it.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use api_codegen::SpecDir;
use serde_json::json;

/// Runs load, overlay, conversion, validation and generation on `dir/openapi.yaml` with
/// `dir/overlay.yaml` (an empty overlay if there is none yet). Prints one line per problem
/// (`file: at /pointer: problem`), or what would be generated; exit code 1 on problems.
pub fn run(dir: &Path, out: &mut impl Write) -> std::io::Result<ExitCode> {
    let dir = SpecDir::new(dir);
    let result = if dir.overlay.exists() {
        api_codegen::load(&dir)
    } else {
        writeln!(out, "note: {} does not exist; checking with an empty overlay", dir.overlay.display())?;
        let empty = json!({"overlay": "1.0.0", "info": {"title": "none", "version": "0"}, "actions": []});
        api_codegen::load::bundle::read(&dir.spec).and_then(|bundle| {
            let mut prepared = api_codegen::prepare(bundle.doc, &dir.spec, &empty, &dir.overlay)?;
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
        assert!(text.contains("empty overlay"), "{text}");
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
