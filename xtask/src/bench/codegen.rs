//! Codegen time: each vendor's spec through the whole generator (load, overlay, normalise,
//! validate, progenitor, formatting), every document of the corpus (`tests/corpus`) in
//! release and in the dev profile a downstream crate's build script runs in, and synthesised
//! specs of about 4, 40 and 400 operations to show how it grows.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
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

/// A spec directory through the generator as a default build script runs it (the client,
/// neither the httpmock module nor the dispatcher): the median time and the client's lines.
fn client_time(dir: &Path, repeats: usize) -> anyhow::Result<(Duration, usize)> {
    let dir = SpecDir::new(dir);
    let mut lines = 0;
    let took = time(repeats, || {
        let mut prepared = api_codegen::load(&dir)?;
        lines = api_codegen::generate_outputs(&mut prepared, api_codegen::Outputs::CLIENT)?.client.lines().count();
        Ok(())
    })?;
    Ok((took, lines))
}

/// progenitor alone (generate, parse, format) on the input the rules made of a spec directory,
/// after the whole generator left out what it had to: the median time.
fn progenitor_alone_time(dir: &Path, repeats: usize) -> anyhow::Result<Duration> {
    let mut prepared = api_codegen::load(&SpecDir::new(dir))?;
    api_codegen::generate_outputs(&mut prepared, api_codegen::Outputs::CLIENT)?;
    time(repeats, || {
        api_codegen::progenitor_alone(&prepared)?;
        Ok(())
    })
}

/// One directory's time, as `cargo xtask codegen-time` prints it.
#[derive(serde::Serialize, serde::Deserialize)]
struct Timed {
    millis: f64,
    lines: usize,
}

/// `cargo xtask codegen-time`: each directory's median time and client lines, a JSON array.
pub fn print_times(dirs: &[PathBuf], repeats: usize) -> anyhow::Result<ExitCode> {
    let mut out = Vec::new();
    for dir in dirs {
        let (took, lines) = client_time(dir, repeats.max(1))?;
        out.push(Timed { millis: took.as_secs_f64() * 1000.0, lines });
    }
    println!("{}", serde_json::to_string(&out)?);
    Ok(ExitCode::SUCCESS)
}

/// Every corpus document as a spec directory (the bare document and an overlay naming the API
/// key's variable, as `cargo xtask corpus` runs it), with its name and operations.
fn corpus_dirs(scratch: &Path) -> anyhow::Result<Vec<(String, usize, PathBuf)>> {
    let corpus = crate::corpus::default_dir();
    let mut dirs = Vec::new();
    for document in crate::corpus::manifest(&corpus)? {
        let content = crate::corpus::read(&corpus, &document)?;
        let dir = scratch.join(&document.name);
        std::fs::create_dir_all(&dir)?;
        crate::corpus::write_spec_dir(&dir, &document.name, &content, &document.file)?;
        // A document the generator refuses has no time to give: said, and left out.
        let generated = api_codegen::load(&SpecDir::new(&dir)).and_then(|mut prepared| {
            api_codegen::generate_outputs(&mut prepared, api_codegen::Outputs::CLIENT)?;
            Ok(prepared.model.operations.len())
        });
        match generated {
            Ok(operations) => dirs.push((document.name, operations, dir)),
            Err(error) => eprintln!("codegen: {} left out of the corpus rows: {}", document.name, error.kind),
        }
    }
    Ok(dirs)
}

/// The corpus rows: every document in this (release) process, then in the dev profile through
/// `cargo xtask codegen-time` (a debug build), as a downstream crate's build script runs it.
fn corpus_rows(quick: bool) -> anyhow::Result<Vec<Row>> {
    let scratch = tempfile::tempdir()?;
    let dirs = corpus_dirs(scratch.path())?;
    let repeats = if quick { 1 } else { 3 };
    let mut release = Vec::new();
    let mut alone = Vec::new();
    for (_, _, dir) in &dirs {
        let (took, lines) = client_time(dir, repeats)?;
        release.push(Timed { millis: took.as_secs_f64() * 1000.0, lines });
        alone.push(progenitor_alone_time(dir, repeats)?);
    }
    let mut args = vec!["codegen-time".to_string(), "--repeats".into(), if quick { "1" } else { "2" }.into()];
    args.extend(dirs.iter().map(|(_, _, dir)| dir.display().to_string()));
    let out = crate::run_package("xtask", "xtask", false, &args)?;
    anyhow::ensure!(out.status.success(), "the dev-profile codegen run failed ({})", out.status);
    let dev: Vec<Timed> = serde_json::from_slice(&out.stdout)?;
    anyhow::ensure!(dev.len() == dirs.len(), "the dev-profile run timed {} of {} documents", dev.len(), dirs.len());

    let total = |times: &[Timed]| Duration::from_secs_f64(times.iter().map(|t| t.millis).sum::<f64>() / 1000.0);
    let (all, floor) = (total(&release), alone.iter().sum::<Duration>());
    let row = |profile: &str, times: &[Timed], limit: Duration| {
        let mut shown: Vec<(&str, usize, &Timed)> =
            dirs.iter().zip(times).map(|((n, ops, _), t)| (n.as_str(), *ops, t)).collect();
        shown.sort_by(|a, b| b.2.millis.total_cmp(&a.2.millis));
        let over = shown.iter().filter(|(_, _, t)| t.millis > limit.as_secs_f64() * 1000.0).count();
        Row {
            benchmark: format!(
                "codegen of each corpus document (tests/corpus), {profile}: the client as a default build script makes it (operations, client lines)"
            ),
            measured: shown
                .iter()
                .map(|(name, ops, t)| {
                    format!(
                        "{name} {} ({ops} ops, {}k lines)",
                        millis(Duration::from_secs_f64(t.millis / 1000.0)),
                        t.lines / 1000
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
            baseline: String::new(),
            ratio: None,
            target: format!(
                "≤ {} s each{}",
                limit.as_secs(),
                if over > 0 { format!(" ({over} over)") } else { String::new() }
            ),
            met: Some(over == 0),
        }
    };
    let compared = Row {
        benchmark: "codegen of the whole corpus, release: the generator / progenitor as its README's build script runs it (generate, parse, format) on the input the rules made".into(),
        measured: millis(all),
        baseline: millis(floor),
        ratio: Some(all.as_secs_f64() / floor.as_secs_f64().max(f64::EPSILON)),
        target: String::new(),
        met: None,
    };
    Ok(vec![
        row("release", &release, Duration::from_secs(1)),
        compared,
        row("dev profile (a downstream build script's)", &dev, Duration::from_secs(5)),
    ])
}

pub fn run(quick: bool) -> anyhow::Result<Vec<Row>> {
    let repeats = if quick { 1 } else { 5 };
    let mut rows = Vec::new();
    let root = crate::workspace_root();
    let mut per_vendor = Vec::new();
    // (size of the document, vendor, time): the largest has a target of its own.
    let mut largest: Option<(u64, String, Duration)> = None;
    for vendor in crate::vendors(&root)? {
        let dir = root.join("specs").join(&vendor);
        let (took, _) = client_time(&dir, repeats)?;
        per_vendor.push(format!("{vendor} {}", millis(took)));
        let size = std::fs::metadata(SpecDir::new(&dir).spec).map_or(0, |m| m.len());
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

    rows.extend(corpus_rows(quick)?);

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
