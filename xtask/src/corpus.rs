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

/// The document as published, checked against the manifest's sha256.
pub fn read(dir: &Path, document: &Document) -> anyhow::Result<Vec<u8>> {
    let path = dir.join(&document.file);
    let mut content = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path)?).read_to_end(&mut content)?;
    let digest: String = Sha256::digest(&content).iter().map(|b| format!("{b:02x}")).collect();
    anyhow::ensure!(
        digest == document.sha256,
        "{}: sha256 {digest}, but MANIFEST.tsv records {}",
        path.display(),
        document.sha256
    );
    Ok(content)
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
}

/// Runs the generator on one document as `vendor add` would start: the bare document and an
/// overlay naming the API key's environment variable (`<NAME>_API_KEY`).
pub fn generate(name: &str, version: &str, content: &[u8], file: &str) -> anyhow::Result<Outcome> {
    let dir = tempfile::tempdir()?;
    let extension = if file.contains(".json") { "json" } else { "yaml" };
    std::fs::write(dir.path().join(format!("openapi.{extension}")), content)?;
    let env = format!("{}_API_KEY", name.to_ascii_uppercase().replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
    let overlay = format!(
        "overlay: 1.0.0\ninfo: {{title: corpus, version: '1'}}\nactions:\n  - target: $.info\n    update: {{x-client: {{api-key-env: {env}}}}}\n"
    );
    std::fs::write(dir.path().join("overlay.yaml"), overlay)?;
    let spec_dir = SpecDir::new(dir.path());
    let declared = api_codegen::load::yaml::read(&spec_dir.spec)
        .ok()
        .filter(|doc| doc.get("openapi").is_some())
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
        "| document | version | operations | generated | left out (rule) | refused: problems (first) | client lines | generation s |\n|---|---|---|---|---|---|---|---|\n",
    );
    for o in outcomes {
        let declared = o.declared.map_or_else(|| "—".to_string(), |n| n.to_string());
        let generated = o.generated.map_or_else(|| "**refused**".to_string(), |n| n.to_string());
        let left_out = o.left_out.iter().map(|(rule, n)| format!("{n} ({rule})")).collect::<Vec<_>>().join(", ");
        let problems = match o.problems.first() {
            None => String::new(),
            Some(first) => {
                let first = first.split_once(": at ").map_or(first.as_str(), |(_, rest)| rest);
                let first: String = first.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(160).collect();
                format!("{}: at {}", o.problems.len(), first.replace('|', "\\|"))
            }
        };
        out.push_str(&format!(
            "| {} | {} | {declared} | {generated} | {left_out} | {problems} | {} | {:.1} |\n",
            o.name, o.version, o.client_lines, o.seconds
        ));
    }
    out
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
