//! `cargo xtask corpus [DIR] [--write]`: the generator on real public OpenAPI documents nobody
//! here wrote (`tests/corpus/`: OpenAI, Stripe, GitHub, …, gzipped, each listed in
//! `MANIFEST.tsv` with its repository, commit and sha256), each as a new maintainer meets it:
//! the bare document, an overlay naming only the API key's environment variable, the whole
//! generator. One row per document: operations declared, generated and left out (with the
//! rules that left them out), or the problems that refused it, and the client's size.
//! `--write` records the table in CORPUS.md. Nothing here reads outside the repository.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use api_codegen::SpecDir;
use sha2::{Digest, Sha256};

/// The corpus kept in the repository.
pub fn default_dir() -> PathBuf {
    crate::workspace_root().join("tests").join("corpus")
}

/// One document of the corpus, as `MANIFEST.tsv` lists it.
#[derive(Debug, Clone)]
pub struct Document {
    pub name: String,
    /// The file in the corpus folder (`openai.yaml.gz`).
    pub file: String,
    pub repo: String,
    pub path: String,
    pub commit: String,
    /// Of the document as published (decompressed).
    pub sha256: String,
    /// `3.1.0`, `swagger 2.0`, …
    pub version: String,
}

/// Every document `dir/MANIFEST.tsv` lists (columns: name, repo, path, commit, sha256, openapi,
/// …), each matched with its file (`<name>.<ext>.gz`).
pub fn manifest(dir: &Path) -> anyhow::Result<Vec<Document>> {
    let path = dir.join("MANIFEST.tsv");
    let text = std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let files: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".gz"))
        .collect();
    let mut documents = Vec::new();
    for (number, line) in text.lines().enumerate().skip(1).filter(|(_, l)| !l.trim().is_empty()) {
        let columns: Vec<&str> = line.split('\t').collect();
        let [name, repo, path_in_repo, commit, sha256, version, ..] = columns.as_slice() else {
            anyhow::bail!("{}:{}: expected at least 6 tab-separated columns", path.display(), number + 1);
        };
        let file = files
            .iter()
            .find(|f| f.strip_suffix(".gz").and_then(|f| f.rsplit_once('.')).is_some_and(|(stem, _)| stem == *name))
            .ok_or_else(|| anyhow::anyhow!("{}: no `{name}.<ext>.gz` beside the manifest", path.display()))?;
        documents.push(Document {
            name: name.to_string(),
            file: file.clone(),
            repo: repo.to_string(),
            path: path_in_repo.to_string(),
            commit: commit.to_string(),
            sha256: sha256.to_string(),
            version: version.to_string(),
        });
    }
    Ok(documents)
}

/// A document as published: its root file and, for a document in several files, the others.
#[derive(Debug, Clone, Default)]
pub struct Content {
    pub root: Vec<u8>,
    /// Paths relative to the root's folder, with their bytes.
    pub others: Vec<(String, Vec<u8>)>,
}

/// The document as published, checked against the manifest's sha256; a multi-file document's
/// other files (`<name>.files.tar.gz`) each against `<name>.files.sha256`.
pub fn read(dir: &Path, document: &Document) -> anyhow::Result<Content> {
    let path = dir.join(&document.file);
    let mut root = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path)?).read_to_end(&mut root)?;
    let digest = sha256_hex(&root);
    anyhow::ensure!(
        digest == document.sha256,
        "{}: sha256 {digest}, but MANIFEST.tsv records {}",
        path.display(),
        document.sha256
    );
    Ok(Content { root, others: other_files(dir, &document.name)? })
}

/// `<name>.files.tar.gz`: regular files at relative paths inside the root's folder, each listed
/// with its sha256 in `<name>.files.sha256` (as `sha256sum` writes it), none missing or extra.
fn other_files(dir: &Path, name: &str) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let archive = dir.join(format!("{name}.files.tar.gz"));
    if !archive.is_file() {
        return Ok(Vec::new());
    }
    let sums = dir.join(format!("{name}.files.sha256"));
    let listed = std::fs::read_to_string(&sums).map_err(|e| anyhow::anyhow!("{}: {e}", sums.display()))?;
    let mut expected: BTreeMap<&str, &str> =
        listed.lines().filter_map(|line| line.split_once("  ")).map(|(sum, path)| (path, sum)).collect();
    let mut files = Vec::new();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(std::fs::File::open(&archive)?));
    for entry in tar.entries()? {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path()?.to_string_lossy().into_owned();
        let inside = Path::new(&path).components().all(|c| matches!(c, std::path::Component::Normal(_)));
        anyhow::ensure!(inside, "{}: `{path}` is not a relative path inside the folder", archive.display());
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        let sum = expected.remove(path.as_str());
        anyhow::ensure!(
            sum == Some(sha256_hex(&bytes).as_str()),
            "{}: `{path}` is not listed with its sha256 in {}",
            archive.display(),
            sums.display()
        );
        files.push((path, bytes));
    }
    if let Some(path) = expected.keys().next() {
        anyhow::bail!("{}: lists `{path}`, which {} lacks", sums.display(), archive.display());
    }
    Ok(files)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// What the generator made of one document.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub name: String,
    pub version: String,
    /// Operations the document as published declares (`None`: not readable as OpenAPI).
    pub declared: Option<usize>,
    /// Operations in the generated client; `None` when the document was refused.
    pub generated: Option<usize>,
    /// Operations left out, by the reason's rule.
    pub left_out: BTreeMap<String, usize>,
    /// Every problem, one line each (`file: at /pointer: problem`), when refused.
    pub problems: Vec<String>,
    pub client_lines: usize,
    pub seconds: f64,
    /// The client built and called (`cargo xtask corpus --build`); `None`: not built.
    pub built: Option<Built>,
}

/// Runs the generator on one document as `vendor add` would start: the bare document and an
/// overlay naming the API key's environment variable (`<NAME>_API_KEY`).
pub fn generate(name: &str, version: &str, content: &Content, file: &str) -> anyhow::Result<Outcome> {
    let dir = tempfile::tempdir()?;
    write_spec_dir(dir.path(), name, content, file)?;
    let spec_dir = SpecDir::new(dir.path());
    let declared = api_codegen::load::bundle::read(&spec_dir.spec)
        .ok()
        .map(|bundle| bundle.doc)
        .filter(|doc| doc.get("openapi").is_some() || doc.get("swagger").is_some())
        .map(|doc| api_codegen::doc::Spec::new(&doc).operations().len());
    let started = Instant::now();
    let result = api_codegen::load(&spec_dir).and_then(|mut prepared| {
        let generated = api_codegen::generate_outputs(&mut prepared, api_codegen::Outputs::CLIENT)?;
        Ok((prepared, generated))
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut outcome = Outcome {
        name: name.to_string(),
        version: version.to_string(),
        declared,
        generated: None,
        left_out: BTreeMap::new(),
        problems: Vec::new(),
        client_lines: 0,
        seconds,
        built: None,
    };
    match result {
        Ok((prepared, generated)) => {
            outcome.generated = Some(prepared.model.operations.len());
            outcome.client_lines = generated.client.lines().count();
            for (pointer, _) in prepared.plan.operations() {
                if prepared.plan.left_out(pointer).is_some() {
                    *outcome.left_out.entry(left_out_by(&prepared, pointer)).or_default() += 1;
                }
            }
        }
        Err(error) => {
            let shown = |e: &api_codegen::Error| {
                let at = if e.pointer.is_empty() { "(document root)" } else { &e.pointer };
                format!("{file}: at {at}: {}", e.kind)
            };
            outcome.problems = error.all().map(shown).collect();
        }
    }
    Ok(outcome)
}

/// Writes the bare document (`openapi.yaml` or `.json`, as `file` is) with the other files it
/// references beside it, and an overlay naming only the API key's environment variable
/// (`<NAME>_API_KEY`), into `dir`.
pub fn write_spec_dir(dir: &Path, name: &str, content: &Content, file: &str) -> anyhow::Result<()> {
    let extension = if file.contains(".json") { "json" } else { "yaml" };
    std::fs::write(dir.join(format!("openapi.{extension}")), &content.root)?;
    for (path, bytes) in &content.others {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(target, bytes)?;
    }
    let env = format!("{}_API_KEY", name.to_ascii_uppercase().replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
    let overlay = format!(
        "overlay: 1.0.0\ninfo: {{title: corpus, version: '1'}}\nactions:\n  - target: $.info\n    update: {{x-client: {{api-key-env: {env}}}}}\n"
    );
    std::fs::write(dir.join("overlay.yaml"), overlay)?;
    Ok(())
}

/// The rule whose report names the left-out operation at `pointer`.
fn left_out_by(prepared: &api_codegen::Prepared, pointer: &str) -> String {
    prepared
        .rules
        .applied
        .iter()
        .find(|applied| applied.changes.iter().any(|c| c.pointer == pointer))
        .map_or_else(|| "unknown".to_string(), |applied| applied.rule.to_string())
}

/// Every document of `dir`, in manifest order.
pub fn run(dir: &Path) -> anyhow::Result<Vec<Outcome>> {
    let mut outcomes = Vec::new();
    for document in manifest(dir)? {
        let content = read(dir, &document)?;
        outcomes.push(generate(&document.name, &document.version, &content, &document.file)?);
    }
    Ok(outcomes)
}

/// The markdown table of `outcomes`.
pub fn table(outcomes: &[Outcome]) -> String {
    let mut out = String::from(
        "| document | version | operations | generated | left out (rule) | refused: problems (first) | client lines | generation s | build s | peak MiB | answered |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for o in outcomes {
        let declared = o.declared.map_or_else(|| "—".to_string(), |n| n.to_string());
        let generated = o.generated.map_or_else(|| "**refused**".to_string(), |n| n.to_string());
        let left_out = o.left_out.iter().map(|(rule, n)| format!("{n} ({rule})")).collect::<Vec<_>>().join(", ");
        let problems = match o.problems.first() {
            None => String::new(),
            Some(first) => {
                let first = first.split_once(": at ").map_or(first.as_str(), |(_, rest)| rest);
                format!("{}: at {}", o.problems.len(), cell(first, 160))
            }
        };
        let (build, peak, answered) = match &o.built {
            None => (String::new(), String::new(), String::new()),
            Some(built) => {
                let peak = built.peak_bytes.map_or_else(|| "?".into(), |b| format!("{:.0}", b as f64 / 1048576.0));
                let first = built.failures.first().map(|f| cell(f, 120));
                let answered = match (built.answered, first) {
                    (Some((a, c)), None) => format!("{a} of {c}"),
                    (Some((a, c)), Some(first)) => {
                        format!("{a} of {c} ({} failed, first: {first})", built.failures.len())
                    }
                    (None, first) => format!("**build failed**: {}", first.unwrap_or_default()),
                };
                (format!("{:.1}", built.seconds), peak, answered)
            }
        };
        out.push_str(&format!(
            "| {} | {} | {declared} | {generated} | {left_out} | {problems} | {} | {:.1} | {build} | {peak} | {answered} |\n",
            o.name, o.version, o.client_lines, o.seconds
        ));
    }
    out
}

/// `text` as one table cell: whitespace collapsed, at most `chars` characters, `|` escaped.
fn cell(text: &str, chars: usize) -> String {
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(chars).collect();
    text.replace('|', "\\|")
}

pub const BEGIN: &str = "<!-- corpus:start -->";
pub const END: &str = "<!-- corpus:end -->";

/// `text` with the part between the markers replaced by `table` (the markers added at the end
/// when missing).
pub fn write_table(text: &str, table: &str, heading: &str) -> String {
    let block = format!("{BEGIN}\n{heading}\n\n{table}{END}\n");
    match (text.find(BEGIN), text.find(END)) {
        (Some(start), Some(end)) if end > start => {
            let end = end + END.len();
            let end = if text[end..].starts_with('\n') { end + 1 } else { end };
            format!("{}{block}{}", &text[..start], &text[end..])
        }
        _ => format!("{}\n{block}", text.trim_end()),
    }
}

/// A generated client built and every operation of it called: `cargo xtask corpus --build`.
#[derive(Debug, Clone, Default)]
pub struct Built {
    /// Wall-clock seconds of the client's build (its build script and compile, the dependencies
    /// built before), or of the failed attempt.
    pub seconds: f64,
    /// Peak resident memory of that build (`None`: not measurable here).
    pub peak_bytes: Option<u64>,
    /// Operations the mock answered, of those called; `None` when the build failed.
    pub answered: Option<(usize, usize)>,
    /// Why the build failed (one line per compiler error) or each call that failed.
    pub failures: Vec<String>,
}

/// What `--build` builds, and where.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// How many generated documents, fewest operations first.
    pub count: usize,
    /// Only these documents, by name (empty: any).
    pub only: Vec<String>,
    /// Where cargo builds: kept between runs, so the dependencies are compiled once.
    pub target_dir: PathBuf,
}

/// `CORPUS_TARGET_DIR` (CI points it at a directory it keeps), else one under the system's
/// temporary directory.
pub fn default_target_dir() -> PathBuf {
    std::env::var_os("CORPUS_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("xtask-corpus-target"))
}

/// The crate names in the scratch workspace: prefixed, so no document's name is a keyword
/// (`box`) or a crate of the dependency graph.
fn client_crate(name: &str) -> String {
    format!("corpus-{name}")
}
fn caller_crate(name: &str) -> String {
    format!("call-{name}")
}

/// What the caller binary needs beside the client (the demo's mock answers and the examples).
const CALLER_DEPENDENCIES: [&str; 6] = ["api-codegen", "api-runtime", "spec-tools", "loopback", "tokio", "serde_json"];
const CALLER: &str = include_str!("../templates/corpus/caller.rs.tmpl");

/// Builds and calls the clients of the `options.count` generated documents of `outcomes` with
/// the fewest operations, recording each in its outcome's `built` (a failed build is a failed
/// row, not an error). Each client is `vendor add`'s crate, rendered from the one template in a
/// scratch workspace that names this repository's crates by path; nothing in the repository
/// changes.
pub fn build(dir: &Path, outcomes: &mut [Outcome], options: &BuildOptions) -> anyhow::Result<()> {
    let named = |i: usize| options.only.is_empty() || options.only.contains(&outcomes[i].name);
    let mut chosen: Vec<usize> = (0..outcomes.len()).filter(|&i| outcomes[i].generated.is_some() && named(i)).collect();
    chosen.sort_by_key(|&i| outcomes[i].generated);
    chosen.truncate(options.count);
    if chosen.is_empty() {
        return Ok(());
    }
    let documents = manifest(dir)?;
    let workspace = tempfile::Builder::new().prefix("xtask-corpus-").tempdir()?;
    let ws = workspace.path();
    let mut members = vec!["warm".to_string()];
    for &i in &chosen {
        let name = &outcomes[i].name;
        let document = documents
            .iter()
            .find(|d| &d.name == name)
            .ok_or_else(|| anyhow::anyhow!("{name} is not in {}", dir.join("MANIFEST.tsv").display()))?;
        scaffold(ws, document, &read(dir, document)?)?;
        members.extend([client_crate(name), caller_crate(name)]);
    }
    write_workspace(ws, &members)?;
    // The dependencies every client and caller share, first: a client's build is then its own.
    let warm = cargo_build(ws, &options.target_dir, "corpus-warm")?;
    anyhow::ensure!(warm.success, "building the clients' dependencies failed:\n{}", warm.errors.join("\n"));
    for &i in &chosen {
        outcomes[i].built = Some(build_and_call(ws, &options.target_dir, &outcomes[i].name));
    }
    Ok(())
}

/// One corpus client compiled with its default features (`compile`).
#[derive(Debug, Clone)]
pub struct Compiled {
    pub name: String,
    pub operations: usize,
    /// Wall-clock seconds of the client's build: its build script and its compile, the
    /// dependencies built before.
    pub seconds: f64,
    pub peak_bytes: Option<u64>,
    /// One line per compiler error; empty when it built.
    pub errors: Vec<String>,
}

/// Builds the clients of the named corpus documents as a crate depending on each with its
/// default features compiles them (no dispatcher, no mock), one after another, after their
/// shared dependencies: for each, the seconds and peak memory of its own build.
pub fn compile(dir: &Path, names: &[String], target_dir: &Path) -> anyhow::Result<Vec<Compiled>> {
    let documents = manifest(dir)?;
    let workspace = tempfile::Builder::new().prefix("xtask-corpus-").tempdir()?;
    let ws = workspace.path();
    let mut members = vec!["warm".to_string()];
    let mut operations = Vec::new();
    for name in names {
        let document = documents
            .iter()
            .find(|d| &d.name == name)
            .ok_or_else(|| anyhow::anyhow!("{name} is not in {}", dir.join("MANIFEST.tsv").display()))?;
        operations.push(scaffold(ws, document, &read(dir, document)?)?);
        members.extend([client_crate(name), caller_crate(name)]);
    }
    write_workspace(ws, &members)?;
    let warm = cargo_build(ws, target_dir, "corpus-warm")?;
    anyhow::ensure!(warm.success, "building the clients' dependencies failed:\n{}", warm.errors.join("\n"));
    let mut out = Vec::new();
    for (name, operations) in names.iter().zip(operations) {
        let measured = cargo_build(ws, target_dir, &client_crate(name))?;
        out.push(Compiled {
            name: name.clone(),
            operations,
            seconds: measured.seconds,
            peak_bytes: measured.peak_bytes,
            errors: if measured.success { Vec::new() } else { measured.errors },
        });
    }
    Ok(out)
}

/// The client crate (the template, its tag features from the spec, `spec/` a copy of the bare
/// document and overlay) and its caller.
/// Answers the client's generated operations.
fn scaffold(ws: &Path, document: &Document, content: &Content) -> anyhow::Result<usize> {
    let name = &document.name;
    let client = ws.join(client_crate(name));
    let spec = client.join(crate::vendor::SPEC_LINK);
    std::fs::create_dir_all(&spec)?;
    write_spec_dir(&spec, name, content, &document.file)?;
    let prepared = api_codegen::load(&SpecDir::new(&spec))?;
    for (path, text) in crate::vendor::render_crate(&client_crate(name)) {
        let text =
            if path == "Cargo.toml" { spec_tools::feature_table::write(&text, &prepared.features) } else { text };
        write_file(&client.join(path), &text)?;
    }
    let caller = ws.join(caller_crate(name));
    let client_path = toml::Value::String(client.display().to_string());
    let manifest = format!(
        "[package]\nname = \"{}\"\nversion = \"0.0.0\"\nedition.workspace = true\npublish = false\n\n\
         [dependencies]\n{} = {{ path = {client_path}, features = [\"dispatch\"] }}\n{}",
        caller_crate(name),
        client_crate(name),
        CALLER_DEPENDENCIES.map(|d| format!("{d}.workspace = true\n")).concat()
    );
    write_file(&caller.join("Cargo.toml"), &manifest)?;
    let answers = crate::workspace_root().join("crates/demo/src/answers.rs");
    let main = CALLER
        .replace("{{ident}}", &client_crate(name).replace('-', "_"))
        .replace("{{answers}}", &format!("{:?}", answers.display().to_string()));
    write_file(&caller.join("src/main.rs"), &main)?;
    Ok(prepared.model.operations.len())
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// The scratch workspace: this repository's manifest (pins, lints, profiles) with its path
/// dependencies made absolute, `members`, its lockfile, and `warm`, a crate depending on what
/// every client and caller depend on.
fn write_workspace(ws: &Path, members: &[String]) -> anyhow::Result<()> {
    let root = crate::workspace_root();
    let mut manifest: toml::Table = toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml"))?)?;
    let workspace = manifest
        .get_mut("workspace")
        .and_then(toml::Value::as_table_mut)
        .ok_or_else(|| anyhow::anyhow!("Cargo.toml has no [workspace]"))?;
    workspace.insert("members".into(), toml::Value::Array(members.iter().cloned().map(toml::Value::String).collect()));
    for (_, spec) in workspace.get_mut("dependencies").and_then(toml::Value::as_table_mut).into_iter().flatten() {
        if let Some(path) = spec.get_mut("path")
            && let Some(relative) = path.as_str()
        {
            *path = toml::Value::String(root.join(relative).display().to_string());
        }
    }
    write_file(&ws.join("Cargo.toml"), &toml::to_string(&manifest)?)?;
    std::fs::copy(root.join("Cargo.lock"), ws.join("Cargo.lock"))?;

    let template: toml::Table = toml::from_str(
        &crate::vendor::render_crate("warm")
            .into_iter()
            .find(|(p, _)| *p == "Cargo.toml")
            .map(|(_, t)| t)
            .unwrap_or_default(),
    )?;
    let mut dependencies: Vec<String> = template
        .get("dependencies")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flatten()
        .filter(|(_, spec)| spec.get("optional").and_then(toml::Value::as_bool) != Some(true))
        .map(|(name, _)| name.clone())
        .collect();
    dependencies.extend(CALLER_DEPENDENCIES.map(String::from));
    dependencies.sort();
    dependencies.dedup();
    let warm = format!(
        "[package]\nname = \"corpus-warm\"\nversion = \"0.0.0\"\nedition.workspace = true\npublish = false\n\n\
         [dependencies]\n{}\n[build-dependencies]\napi-codegen.workspace = true\n",
        dependencies.iter().map(|d| format!("{d}.workspace = true\n")).collect::<String>()
    );
    write_file(&ws.join("warm/Cargo.toml"), &warm)?;
    // A build script, so the build dependencies are built too.
    write_file(&ws.join("warm/build.rs"), "fn main() {}\n")?;
    write_file(&ws.join("warm/src/lib.rs"), "")
}

/// One `cargo build -p PACKAGE`, measured.
struct Measured {
    success: bool,
    seconds: f64,
    peak_bytes: Option<u64>,
    /// One line per compiler error (`--message-format short`), else cargo's last lines.
    errors: Vec<String>,
}

/// `/usr/bin/time -v`, where it exists, reports the peak of the build's process tree;
/// elsewhere the peak of every child waited for so far, known only when this build raised it.
fn cargo_build(ws: &Path, target_dir: &Path, package: &str) -> anyhow::Result<Measured> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let time = Path::new("/usr/bin/time");
    let report = tempfile::NamedTempFile::new()?;
    let mut command = if time.is_file() {
        let mut command = std::process::Command::new(time);
        command.arg("-v").arg("-o").arg(report.path()).arg(&cargo);
        command
    } else {
        std::process::Command::new(&cargo)
    };
    command
        .args(["build", "--message-format", "short", "-p", package])
        .current_dir(ws)
        .env("CARGO_TARGET_DIR", target_dir)
        // Built to be called, never debugged: debug info is most of a generated client's
        // target directory.
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .env("CARGO_INCREMENTAL", "0")
        .stdin(std::process::Stdio::null());
    let before = crate::measure::peak_child_memory();
    let started = Instant::now();
    let output = command.output()?;
    let seconds = started.elapsed().as_secs_f64();
    let peak_bytes = if time.is_file() {
        std::fs::read_to_string(report.path()).ok().and_then(|text| {
            let line = text.lines().find(|l| l.contains("Maximum resident set size (kbytes)"))?;
            line.rsplit(':').next()?.trim().parse::<u64>().ok().map(|kib| kib * 1024)
        })
    } else {
        crate::measure::peak_child_memory().filter(|after| before.is_none_or(|before| *after > before))
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut errors: Vec<String> = stderr
        .lines()
        // cargo's own summary (`could not compile …`) says nothing the errors do not.
        .filter(|l| (l.starts_with("error") || l.contains(": error")) && !l.starts_with("error: could not compile"))
        // The generated file's place, not the target directory's hashed folder.
        .map(|l| l.rsplit_once("/out/").map_or(l, |(_, file)| file).trim().to_string())
        .collect();
    if errors.is_empty() && !output.status.success() {
        errors = stderr.lines().rev().take(5).map(str::to_string).collect::<Vec<_>>().into_iter().rev().collect();
    }
    Ok(Measured { success: output.status.success(), seconds, peak_bytes, errors })
}

/// How long the calls of one client may take: the mock answers on loopback at once.
const CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// Builds `name`'s caller (its client with it) and runs it.
fn build_and_call(ws: &Path, target_dir: &Path, name: &str) -> Built {
    let mut built = Built::default();
    let measured = match cargo_build(ws, target_dir, &caller_crate(name)) {
        Ok(measured) => measured,
        Err(e) => {
            built.failures.push(format!("cargo did not run: {e}"));
            return built;
        }
    };
    built.seconds = measured.seconds;
    built.peak_bytes = measured.peak_bytes;
    if !measured.success {
        built.failures = measured.errors;
        return built;
    }
    let spec = ws.join(client_crate(name)).join(crate::vendor::SPEC_LINK);
    let binary = target_dir.join("debug").join(caller_crate(name));
    match call(&binary, &spec) {
        Ok((answered, called, failures)) => {
            built.answered = Some((answered, called));
            built.failures = failures;
        }
        Err(e) => built.failures.push(format!("calling: {e}")),
    }
    built
}

/// Runs the caller on `spec`: (answered, called, each failure).
fn call(binary: &Path, spec: &Path) -> anyhow::Result<(usize, usize, Vec<String>)> {
    // Files, not pipes: a child filling a pipe nobody reads while we wait would never end.
    let (mut out, mut err) = (tempfile::tempfile()?, tempfile::tempfile()?);
    let mut child = std::process::Command::new(binary)
        .arg(spec)
        .stdin(std::process::Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(err.try_clone()?)
        .spawn()?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > CALL_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            anyhow::bail!("no answer to every call within {} s", CALL_TIMEOUT.as_secs());
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut stdout = String::new();
    std::io::Seek::rewind(&mut out)?;
    out.read_to_string(&mut stdout)?;
    if !status.success() {
        let mut stderr = String::new();
        std::io::Seek::rewind(&mut err)?;
        err.read_to_string(&mut stderr)?;
        anyhow::bail!("{status}: {}", stderr.trim());
    }
    let (answered, called) = stdout
        .lines()
        .find_map(|l| l.strip_prefix("answered ")?.split_once(" of "))
        .and_then(|(a, c)| Some((a.trim().parse().ok()?, c.trim().parse().ok()?)))
        .ok_or_else(|| anyhow::anyhow!("no `answered N of M` line in:\n{stdout}"))?;
    let failures = stdout.lines().filter_map(|l| l.strip_prefix("failed ")).map(str::to_string).collect();
    Ok((answered, called, failures))
}
