//! Codegen time: each vendor's spec through the whole generator (load, overlay, normalise,
//! validate, progenitor, formatting), and synthesised specs of about 4, 40 and 400 operations
//! to show how it grows.

use std::path::Path;
use std::time::{Duration, Instant};

use api_codegen::SpecDir;
use serde_json::{Map, Value, json};

use super::{Row, median, millis};

fn time(repeats: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<Duration> {
    let mut samples = Vec::new();
    for _ in 0..repeats {
        let started = Instant::now();
        f()?;
        samples.push(started.elapsed());
    }
    Ok(median(samples))
}

/// A 3.1 spec with `n` operations: each its own path, path parameter, query parameter,
/// request or response schema with a nested object and an enum, all secured.
pub fn synthesize(n: usize) -> Value {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    for i in 0..n {
        let schema = format!("Item{i}");
        schemas.insert(
            schema.clone(),
            json!({"type": "object", "required": ["id", "kind"], "properties": {
                "id": {"type": "string"}, "count": {"type": ["integer", "null"]},
                "kind": {"type": "string", "enum": ["a", "b", "c"]},
                "tags": {"type": "array", "items": {"type": "string"}},
                "owner": {"type": "object", "properties": {"name": {"type": "string"}, "since": {"type": "number"}}}
            }}),
        );
        let reference = json!({"$ref": format!("#/components/schemas/{schema}")});
        let op = if i % 2 == 0 {
            json!({"get": {"operationId": format!("getItem{i}"),
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                               {"name": "expand", "in": "query", "schema": {"type": "boolean"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": reference}}},
                              "404": {"description": "missing"}},
                "security": [{"bearer": []}]}})
        } else {
            json!({"post": {"operationId": format!("putItem{i}"),
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": reference}}},
                "responses": {"204": {"description": "stored"}},
                "security": [{"bearer": []}]}})
        };
        paths.insert(format!("/items{i}/{{id}}"), op);
    }
    json!({"openapi": "3.1.0", "info": {"title": "Synthetic", "version": "1"},
        "servers": [{"url": "https://example.com"}], "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}})
}

pub fn run(quick: bool) -> anyhow::Result<Vec<Row>> {
    let repeats = if quick { 1 } else { 5 };
    let mut rows = Vec::new();
    let root = crate::workspace_root();
    let mut per_vendor = Vec::new();
    // (size of the document, vendor, time): the largest has a target of its own.
    let mut largest: Option<(u64, String, Duration)> = None;
    for vendor in crate::vendors(&root)? {
        let dir = SpecDir::new(root.join("specs").join(&vendor));
        // What a default build script does: the client, neither the httpmock module nor the
        // dispatcher (features `mock`, `dispatch`).
        let took = time(repeats, || {
            let mut prepared = api_codegen::load(&dir)?;
            api_codegen::generate_outputs(&mut prepared, api_codegen::Outputs::CLIENT)?;
            Ok(())
        })?;
        per_vendor.push(format!("{vendor} {}", millis(took)));
        let size = std::fs::metadata(&dir.spec).map_or(0, |m| m.len());
        if largest.as_ref().is_none_or(|(s, _, _)| size > *s) {
            largest = Some((size, vendor, took));
        }
    }
    rows.push(Row {
        benchmark:
            "codegen per vendor spec, whole document, as a default build runs it (load → rules → formatted client)"
                .into(),
        measured: per_vendor.join(", "),
        baseline: String::new(),
        ratio: None,
        target: String::new(),
        met: None,
    });
    if let Some((_, vendor, took)) = largest {
        rows.push(Row {
            benchmark: format!("codegen of the largest whole document ({vendor}, every operation)"),
            measured: millis(took),
            baseline: String::new(),
            ratio: None,
            target: "< 2 s".into(),
            met: Some(took < Duration::from_secs(2)),
        });
    }

    let overlay = json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"},
        "actions": [{"target": "$.info", "update": {"x-client": {"api-key-env": "SYNTH_KEY"}}}]});
    let mut timings = Vec::new();
    for n in [4usize, 40, 400] {
        let doc = synthesize(n);
        let took = time(if n >= 400 { repeats.min(3) } else { repeats }, || {
            let mut prepared =
                api_codegen::prepare(doc.clone(), Path::new("synthetic.yaml"), &overlay, Path::new("overlay.yaml"))?;
            api_codegen::generate(&mut prepared)?;
            Ok(())
        })?;
        timings.push((n, took));
    }
    let per_op = |(n, d): (usize, Duration)| d.as_secs_f64() / n as f64;
    let growth = per_op(timings[2]) / per_op(timings[1]);
    rows.push(Row {
        benchmark: "codegen growth: 4 → 40 → 400 operations (time per operation, 400 vs 40)".into(),
        measured: timings.iter().map(|(n, d)| format!("{n} ops {}", millis(*d))).collect::<Vec<_>>().join(", "),
        baseline: format!("{:.2} ms/op at 40", per_op(timings[1]) * 1000.0),
        ratio: Some(growth),
        target: "≈ 1 (linear)".into(),
        met: Some(growth < 1.5),
    });
    Ok(rows)
}
