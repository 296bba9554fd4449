//! `cargo xtask refresh`: fetch every vendor's spec from its source, check it, and write it
//! only when every requested vendor succeeded.
//!
//! For each vendor, concurrently: read `specs/<vendor>/source.toml`, fetch its URLs
//! (concurrently; an SDK's `.stats.yml` first, then the document it names), build the
//! document (extract and merge docs pages, slice one document, or take one as served),
//! apply the vendor's overlay and run the whole code generator on it, then compare its
//! surface with the vendored spec's. Nothing is written until all of that succeeded for
//! every vendor; then changed files are replaced atomically.

mod fetch;
mod files;
mod index;
mod pages;
mod report;
mod slice;
mod source;
mod stats;
mod write;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use api_codegen::SpecDir;
use api_codegen::load::yaml;
use serde_json::Value;
use sha2::{Digest, Sha256};
use spec_tools::drift;
use spec_tools::surface::surface;
use tokio::task::JoinSet;

pub use fetch::{FetchConfig, Fetcher, Mirror};
pub use report::PageChanges;
pub use report::{ReportedChange, ReportedRule, VendorReport, text as report_text};
pub use slice::slice as slice_document;
pub use source::{Source, Sources};

/// The file beside each spec recording what was fetched: `<sha256>  <url>` per source.
pub const FETCHED_FILE: &str = "fetched.sha256";

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Vendors to refresh; empty: every `specs/*/source.toml`.
    pub vendors: Vec<String>,
    /// Write nothing; report drift through the exit code.
    pub check: bool,
    /// Also write the drift report as `<report>.md` and `<report>.json`.
    pub report: Option<PathBuf>,
    pub fetch: FetchConfig,
    /// Print nothing (benchmarks).
    pub quiet: bool,
}

/// One vendor, fetched, checked and compared; nothing written yet.
#[derive(Debug, Clone)]
pub struct VendorUpdate {
    pub report: VendorReport,
    /// Files whose content changes: `(path, new content)`.
    pub files: Vec<(PathBuf, String)>,
    /// Files to remove once the new ones are in place (a spec whose format changed upstream).
    pub removed: Vec<PathBuf>,
}

/// Why one vendor could not be refreshed.
#[derive(Debug, Clone)]
pub struct VendorFailure {
    pub vendor: String,
    /// The URL (or mirror location) at fault, if one is.
    pub url: Option<String>,
    pub reason: String,
}

impl std::fmt::Display for VendorFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.url {
            Some(url) => write!(f, "{}: {url}: {}", self.vendor, self.reason),
            None => write!(f, "{}: {}", self.vendor, self.reason),
        }
    }
}

#[derive(Debug)]
pub struct Outcome {
    pub updates: Vec<VendorUpdate>,
    pub failures: Vec<VendorFailure>,
    pub check: bool,
    /// Files written (none in `--check` mode or after any failure).
    pub written: Vec<PathBuf>,
}

impl Outcome {
    pub fn drifted(&self) -> bool {
        self.updates.iter().any(|u| u.report.changed)
    }

    /// 2: a vendor failed; 1: `--check` found drift; 0 otherwise.
    pub fn exit_code(&self) -> ExitCode {
        if !self.failures.is_empty() {
            ExitCode::from(2)
        } else if self.check && self.drifted() {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }
}

pub async fn run(root: &Path, options: &Options) -> anyhow::Result<Outcome> {
    let vendors = vendors(root, &options.vendors)?;
    let fetcher = Fetcher::new(options.fetch.clone())?;

    let quiet = options.quiet;
    let mut tasks = JoinSet::new();
    for vendor in vendors {
        let (fetcher, dir) = (fetcher.clone(), root.join("specs").join(&vendor));
        tasks.spawn(async move {
            let started = Instant::now();
            let result = refresh_vendor(&vendor, &dir, &fetcher).await;
            let elapsed = started.elapsed();
            match &result {
                _ if quiet => {}
                Ok(update) => eprintln!("  {vendor:<12} {:.2} s  {}", elapsed.as_secs_f64(), update.report.summary()),
                Err(failure) => eprintln!("  {vendor:<12} {:.2} s  FAILED: {failure}", elapsed.as_secs_f64()),
            }
            result
        });
    }
    let mut updates = Vec::new();
    let mut failures = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined.context("a refresh task panicked")? {
            Ok(update) => updates.push(update),
            Err(failure) => failures.push(failure),
        }
    }
    updates.sort_by(|a, b| a.report.vendor.cmp(&b.report.vendor));
    failures.sort_by(|a, b| a.vendor.cmp(&b.vendor));

    let reports: Vec<VendorReport> = updates.iter().map(|u| u.report.clone()).collect();
    let mut written = Vec::new();
    if failures.is_empty() {
        if !quiet {
            print!("{}", report::text(&reports));
        }
        if let Some(path) = &options.report {
            write_report(path, &reports)?;
        }
        if !options.check {
            let files: Vec<(PathBuf, String)> = updates.iter().flat_map(|u| u.files.clone()).collect();
            let removed: Vec<PathBuf> = updates.iter().flat_map(|u| u.removed.clone()).collect();
            write::write_all(&files, &removed).context("writing the refreshed specs")?;
            written = files.into_iter().map(|(p, _)| p).collect();
        }
    } else if !quiet {
        eprintln!("refresh failed; specs/ is unchanged:");
        for failure in &failures {
            eprintln!("  {failure}");
        }
    }
    Ok(Outcome { updates, failures, check: options.check, written })
}

/// The requested vendors, or every directory of `specs/` with a `source.toml`.
fn vendors(root: &Path, requested: &[String]) -> anyhow::Result<Vec<String>> {
    let specs = root.join("specs");
    let mut all: Vec<String> = std::fs::read_dir(&specs)
        .with_context(|| format!("cannot list {}", specs.display()))?
        .filter_map(Result::ok)
        .filter(|e| e.path().join("source.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    all.sort();
    if requested.is_empty() {
        return Ok(all);
    }
    for vendor in requested {
        anyhow::ensure!(all.contains(vendor), "unknown vendor `{vendor}` (known: {})", all.join(", "));
    }
    Ok(requested.to_vec())
}

/// Tries the vendor's sources in order; the first that yields a document the generator accepts
/// (with the vendor's overlay) is used, and the report says why the earlier ones were not.
async fn refresh_vendor(vendor: &str, dir: &Path, fetcher: &Fetcher) -> Result<VendorUpdate, VendorFailure> {
    let fail = |url: Option<String>, reason: String| VendorFailure { vendor: vendor.to_string(), url, reason };
    let sources = Sources::read(&dir.join("source.toml")).map_err(|e| fail(None, format!("{e:#}")))?;
    let count = sources.0.len();
    let mut fallbacks: Vec<(String, SourceFailure)> = Vec::new();
    for (n, source) in sources.0.into_iter().enumerate() {
        let described = source.describe();
        match try_source(vendor, dir, source, fetcher).await {
            Ok(mut update) => {
                update.report.source =
                    if count == 1 { described } else { format!("{described} (source {} of {count})", n + 1) };
                update.report.fallbacks = fallbacks.iter().map(|(s, f)| format!("{s}: {f}")).collect();
                return Ok(update);
            }
            Err(failure) => fallbacks.push((described, failure)),
        }
    }
    match fallbacks.as_slice() {
        [(_, only)] => Err(fail(only.url.clone(), only.reason.clone())),
        all => {
            let each: Vec<String> = all.iter().enumerate().map(|(n, (s, f))| format!("{}. {s}: {f}", n + 1)).collect();
            Err(fail(None, format!("no source yields a document: {}", each.join("; "))))
        }
    }
}

/// Why one source did not yield a document: the URL (or mirror location) at fault, if one is.
#[derive(Debug, Clone)]
struct SourceFailure {
    url: Option<String>,
    reason: String,
}

impl std::fmt::Display for SourceFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.url {
            Some(url) => write!(f, "{url}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

impl From<fetch::Failed> for SourceFailure {
    fn from(f: fetch::Failed) -> Self {
        SourceFailure { url: Some(f.location), reason: format!("{} (after {} attempt(s))", f.error, f.attempts) }
    }
}

fn at(url: &str, reason: impl Into<String>) -> SourceFailure {
    SourceFailure { url: Some(url.to_string()), reason: reason.into() }
}

/// One source: fetched within its deadline, then built, generated and compared off the async
/// threads (seconds of CPU for a whole API), so other vendors' fetches keep going.
async fn try_source(
    vendor: &str,
    dir: &Path,
    source: Source,
    fetcher: &Fetcher,
) -> Result<VendorUpdate, SourceFailure> {
    let deadline = fetcher.config().source_timeout;
    let gathered = tokio::time::timeout(deadline, gather(&source, fetcher)).await.map_err(|_| SourceFailure {
        url: source.urls().first().map(|u| u.to_string()),
        reason: format!("the source was not fetched within its {deadline:?}"),
    })??;
    let (vendor, dir) = (vendor.to_string(), dir.to_path_buf());
    tokio::task::spawn_blocking(move || process(&vendor, &dir, &source, gathered))
        .await
        .map_err(|e| SourceFailure { url: None, reason: format!("the refresh task failed: {e}") })?
}

/// What a source fetched, before anything is built from it.
struct Gathered {
    /// In order: the source's own URLs, then what they named (a `.stats.yml`'s document, an
    /// index's pages).
    fetched: Vec<fetch::Fetched>,
    /// A whole document served in several files: the bundle and its other files.
    others: Option<(api_codegen::load::bundle::Bundle, Vec<files::Other>)>,
    notes: Vec<String>,
    /// A documentation index's selection (its pages follow the index in `fetched`).
    selected: Option<index::Selected>,
}

async fn gather(source: &Source, fetcher: &Fetcher) -> Result<Gathered, SourceFailure> {
    let mut fetched = fetch_all(fetcher, &source.urls()).await?;
    let mut notes = Vec::new();
    let mut selected = None;
    match source {
        Source::SdkStats { .. } => {
            let file = fetched.first().ok_or_else(|| SourceFailure { url: None, reason: "nothing fetched".into() })?;
            let stats = std::str::from_utf8(&file.bytes)
                .map_err(|_| "the response is not UTF-8 text".to_string())
                .and_then(stats::parse)
                .map_err(|reason| at(&file.location, reason))?;
            notes.push(format!(
                "{} names {} (openapi_spec_hash {}, not a digest of the served bytes, so unverified)",
                file.url, stats.openapi_spec_url, stats.openapi_spec_hash
            ));
            fetched.push(fetcher.fetch(&stats.openapi_spec_url).await?);
        }
        Source::DocsIndex { index, pages, floor, max_pages } => {
            let file = fetched.first().ok_or_else(|| SourceFailure { url: None, reason: "nothing fetched".into() })?;
            let text =
                std::str::from_utf8(&file.bytes).map_err(|_| at(&file.location, "the index is not UTF-8 text"))?;
            let url = reqwest::Url::parse(index).map_err(|e| at(index, e.to_string()))?;
            let selection = index::Selection::new(pages, floor, max_pages.unwrap_or(source::DEFAULT_MAX_PAGES))
                .map_err(|e| at(index, format!("{e:#}")))?;
            let chosen = selection.select(&url, text).map_err(|reason| at(&file.location, reason))?;
            notes.push(format!(
                "{index} links {} pages; {} match `{}`{}",
                chosen.links,
                chosen.pages.len(),
                pages.join("`, `"),
                if floor.is_empty() { String::new() } else { format!(" or are listed by hand ({})", floor.len()) }
            ));
            if !chosen.floor_unlisted.is_empty() {
                notes.push(format!(
                    "listed by hand but no longer in the index (fetched all the same): {}",
                    chosen.floor_unlisted.join(", ")
                ));
            }
            let urls: Vec<&str> = chosen.pages.iter().map(String::as_str).collect();
            fetched.extend(fetch_all(fetcher, &urls).await?);
            selected = Some(chosen);
        }
        _ => {}
    }
    let others = if source.verbatim() {
        other_files(&fetched, fetcher).await.map_err(|p| match p {
            files::Problem::Fetch(f) => SourceFailure::from(f),
            files::Problem::Document(location, reason) => at(&location, reason),
        })?
    } else {
        None
    };
    Ok(Gathered { fetched, others, notes, selected })
}

/// A whole document served in several files: its other files, fetched, and the document
/// bundled from them; `None` for a document in one file (or one that is not YAML: processing
/// says why).
async fn other_files(
    fetched: &[fetch::Fetched],
    fetcher: &Fetcher,
) -> Result<Option<(api_codegen::load::bundle::Bundle, Vec<files::Other>)>, files::Problem> {
    let Some(root) = fetched.last() else { return Ok(None) };
    let Some(doc) = std::str::from_utf8(&root.bytes).ok().and_then(|text| yaml::parse(Path::new(&root.url), text).ok())
    else {
        return Ok(None);
    };
    if !api_codegen::load::bundle::references_other_files(&doc) {
        return Ok(None);
    }
    files::fetch_and_bundle(fetcher, &root.url, doc).await.map(Some)
}

/// Everything after fetching: the document, the generator run on it, the comparison with what
/// is vendored, and the files to write.
fn process(vendor: &str, dir: &Path, source: &Source, gathered: Gathered) -> Result<VendorUpdate, SourceFailure> {
    let fail = |url: Option<&str>, reason: String| SourceFailure { url: url.map(str::to_string), reason };
    let Gathered { fetched, others, mut notes, selected } = gathered;
    let (doc, merge_notes) = build_document(source, &fetched).map_err(|(url, reason)| fail(Some(&url), reason))?;
    notes.extend(merge_notes);
    let (doc, hoisted, others) = match others {
        Some((bundle, others)) => {
            notes.push(format!("bundled from {} other files referenced by the document", others.len()));
            (bundle.doc, bundle.hoisted, others)
        }
        None => (doc, Vec::new(), Vec::new()),
    };
    let spec_dir = SpecDir::new(dir);

    // The whole generator runs on the new document, with our overlay, before anything is written.
    let overlay = yaml::read(&spec_dir.overlay).map_err(|e| fail(None, e.to_string()))?;
    let mut new = api_codegen::prepare(doc.clone(), &spec_dir.spec, &overlay, &spec_dir.overlay)
        .map_err(|e| fail(None, format!("the fetched spec does not pass codegen: {e}")))?;
    new.rules.record_bundle(hoisted);
    api_codegen::generate(&mut new).map_err(|e| fail(None, format!("the fetched spec does not generate: {e}")))?;

    // Verbatim sources keep the served bytes and format (JSON stays JSON); the others are
    // written as YAML.
    let (target, text) = if source.verbatim() {
        let served = fetched.last().map(|f| String::from_utf8_lossy(&f.bytes).into_owned()).unwrap_or_default();
        let name = if served.trim_start().starts_with('{') { "openapi.json" } else { "openapi.yaml" };
        (dir.join(name), served)
    } else {
        let text = yaml::to_string(&spec_dir.spec, &doc).map_err(|e| fail(None, e.to_string()))?;
        (dir.join("openapi.yaml"), text)
    };
    let old_bundle = api_codegen::load::bundle::read(&spec_dir.spec).ok();
    let old_files = old_bundle.as_ref().map(|b| b.files.clone()).unwrap_or_default();
    let old_doc = old_bundle.map(|b| b.doc);
    let spec_changed = old_doc.as_ref() != Some(&doc);
    let file_changed =
        target != spec_dir.spec || std::fs::read_to_string(&target).ok().as_deref() != Some(text.as_str());
    // The vendored spec is prepared (a second generator run) only when there is a change to
    // describe.
    let old =
        old_doc.filter(|_| spec_changed).map(|d| api_codegen::prepare(d, &spec_dir.spec, &overlay, &spec_dir.overlay));
    let changes = match old {
        Some(Ok(old)) => {
            let (before, after) = (surface(&old), surface(&new));
            drift::compare(&before, &after)
                .into_iter()
                .map(|change| {
                    let rust_items = spec_tools::rust_items::rust_items(&change, &before, &after);
                    ReportedChange { change, rust_items }
                })
                .collect()
        }
        _ => Vec::new(),
    };

    let mut files = Vec::new();
    let mut removed = Vec::new();
    if spec_changed || file_changed {
        files.push((target.clone(), text));
        if target != spec_dir.spec && spec_dir.spec.exists() {
            removed.push(spec_dir.spec.clone());
        }
    }
    // A multi-file document's other files, as served, beside it; those it no longer references go.
    for other in &others {
        let path = dir.join(&other.path);
        if std::fs::read(&path).ok().as_deref() != Some(other.fetched.bytes.as_slice()) {
            files.push((path, String::from_utf8_lossy(&other.fetched.bytes).into_owned()));
        }
    }
    let kept: std::collections::BTreeSet<&str> = others.iter().map(|o| o.path.as_str()).collect();
    removed.extend(old_files.iter().filter(|f| !kept.contains(f.as_str())).map(|f| dir.join(f)));
    let fetched_path = dir.join(FETCHED_FILE);
    // What the last refresh fetched: compared with the index's pages, and with what is written.
    let recorded = std::fs::read_to_string(&fetched_path).ok();
    let pages = selected.map(|_| page_changes(recorded.as_deref().unwrap_or_default(), &fetched));
    let digests: String = fetched
        .iter()
        .chain(others.iter().map(|o| &o.fetched))
        .map(|f| format!("{}  {}\n", sha256_hex(&f.bytes), f.url))
        .collect();
    if recorded.as_deref() != Some(digests.as_str()) {
        files.push((fetched_path, digests));
    }

    let report = VendorReport {
        vendor: vendor.to_string(),
        source: source.describe(),
        fallbacks: Vec::new(),
        sources: fetched.iter().map(|f| f.url.clone()).collect(),
        pages,
        changed: spec_changed,
        changes,
        notes,
        rules: ReportedRule::all(&new.rules),
    };
    Ok(VendorUpdate { report, files, removed })
}

/// How many fetches of one source are in flight at once: an index's pages are many requests
/// to one documentation host.
const CONCURRENT_FETCHES: usize = 8;

/// Every URL of a source, concurrently (at most [`CONCURRENT_FETCHES`] at once), in source order.
async fn fetch_all(fetcher: &Fetcher, urls: &[&str]) -> Result<Vec<fetch::Fetched>, fetch::Failed> {
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(CONCURRENT_FETCHES));
    let mut tasks = JoinSet::new();
    for (index, url) in urls.iter().enumerate() {
        let (fetcher, url, permits) = (fetcher.clone(), url.to_string(), permits.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (index, fetcher.fetch(&url).await)
        });
    }
    let mut fetched = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (index, result) = joined.map_err(|e| fetch::Failed {
            location: "(task)".into(),
            error: fetch::FetchError::Transfer(e.to_string()),
            attempts: 0,
        })?;
        fetched.push((index, result?));
    }
    fetched.sort_by_key(|(index, _)| *index);
    Ok(fetched.into_iter().map(|(_, f)| f).collect())
}

/// The pages fetched from an index (every URL but the index's), against those `recorded` in
/// `fetched.sha256` by the last refresh, if that one read the same index.
fn page_changes(recorded: &str, fetched: &[fetch::Fetched]) -> PageChanges {
    let Some((index, pages)) = fetched.split_first() else { return PageChanges::default() };
    let before: BTreeSet<String> =
        recorded.lines().filter_map(|line| line.split_once("  ").map(|(_, url)| url.to_string())).collect();
    let now: BTreeSet<String> = pages.iter().map(|f| f.url.clone()).collect();
    let compared = before.contains(&index.url);
    let before: BTreeSet<String> = before.into_iter().filter(|url| *url != index.url).collect();
    PageChanges {
        selected: now.len(),
        compared,
        added: if compared { now.difference(&before).cloned().collect() } else { Vec::new() },
        dropped: if compared { before.difference(&now).cloned().collect() } else { Vec::new() },
    }
}

/// The OpenAPI document a source describes and what merging it decided, or (URL, reason).
fn build_document(source: &Source, fetched: &[fetch::Fetched]) -> Result<(Value, Vec<String>), (String, String)> {
    fn text(f: &fetch::Fetched) -> Result<&str, (String, String)> {
        std::str::from_utf8(&f.bytes).map_err(|_| (f.location.clone(), "the response is not UTF-8 text".to_string()))
    }
    let parse = |f: &fetch::Fetched, text: &str| {
        yaml::parse(Path::new(&f.url), text).map_err(|e| (f.location.clone(), e.kind.to_string()))
    };
    let missing = || ("(none)".to_string(), "nothing was fetched".to_string());
    match source {
        Source::DocsPages { .. } => {
            let mut docs = Vec::new();
            for f in fetched {
                let body = pages::extract_openapi(text(f)?).map_err(|e| (f.location.clone(), e))?;
                docs.push((f.url.clone(), parse(f, body)?));
            }
            let first = fetched.first().ok_or_else(missing)?;
            let merged = pages::merge(&docs).map_err(|e| (first.location.clone(), e))?;
            Ok((merged.doc, merged.notes))
        }
        Source::DocsIndex { floor, .. } => {
            let (index, listed) = fetched.split_first().ok_or_else(missing)?;
            let mut docs = Vec::new();
            let mut without = Vec::new();
            for f in listed {
                match pages::extract_openapi(text(f)?) {
                    Ok(body) => docs.push((f.url.clone(), parse(f, body)?)),
                    // A page listed by hand must hold its document; one the index found may
                    // document something else (a WebSocket, an overview).
                    Err(e) if floor.contains(&f.url) => return Err((f.location.clone(), e)),
                    Err(_) => without.push(f.url.as_str()),
                }
            }
            if docs.is_empty() {
                return Err((index.location.clone(), "no page the index lists holds an OpenAPI document".into()));
            }
            let merged = pages::merge(&docs).map_err(|e| (index.location.clone(), e))?;
            let mut notes = merged.notes;
            if !without.is_empty() {
                notes.push(format!(
                    "{} page(s) of the index hold no OpenAPI document (left out): {}",
                    without.len(),
                    without.join(", ")
                ));
            }
            Ok((merged.doc, notes))
        }
        Source::SlicedDocument { operations, .. } => {
            let f = fetched.first().ok_or_else(missing)?;
            let doc = parse(f, text(f)?)?;
            Ok((slice::slice(&doc, operations).map_err(|e| (f.location.clone(), e))?, Vec::new()))
        }
        Source::Document { .. } | Source::SdkStats { .. } => {
            let f = fetched.last().ok_or_else(missing)?;
            let doc = parse(f, text(f)?)?;
            if doc.get("openapi").and_then(Value::as_str).is_none() {
                return Err((f.location.clone(), "not an OpenAPI document (no `openapi` version)".into()));
            }
            Ok((doc, Vec::new()))
        }
    }
}

fn write_report(path: &Path, reports: &[VendorReport]) -> anyhow::Result<()> {
    let md = path.with_extension("md");
    let json = path.with_extension("json");
    std::fs::write(&md, report::markdown(reports)).with_context(|| format!("writing {}", md.display()))?;
    std::fs::write(&json, serde_json::to_string_pretty(&report::json(reports))?)
        .with_context(|| format!("writing {}", json.display()))?;
    Ok(())
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
