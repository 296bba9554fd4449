//! The real upstream pages and documents, for the refresh tests and benchmarks: copies kept in
//! `xtask/tests/fixtures/upstream/`, laid out as a mirror (`host/path`), each listed in its
//! `MANIFEST.toml` with source URL, fetch date and sha256. Large ones are gzipped (`.gz`).
//! Nothing here reads outside the repository.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub const GENERATE_PAGE: &str = "docs.perplexity.ai/api-reference/generate-auth-token-post.md";
pub const REVOKE_PAGE: &str = "docs.perplexity.ai/api-reference/revoke-auth-token-post.md";
pub const CARTESIA_STATS: &str = "raw.githubusercontent.com/cartesia-ai/cartesia-js/main/.stats.yml";
pub const CARTESIA_DOC: &str = "storage.googleapis.com/stainless-sdk-openapi-specs/cartesia-noahlt/noah-testing-518c9e3744ae0f6bf6b00fe2bf6ffb1145520e33c9153bc2810966e6e9ce526c.yml";
pub const VERCEL_DOC: &str = "openapi.vercel.sh/index";

/// The folder holding the copies and their manifest.
pub fn upstream_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures").join("upstream")
}

/// One manifest entry: a file of the folder and where its content came from.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Relative to [`upstream_dir`]; a `.gz` suffix means the content is gzipped.
    pub path: String,
    pub url: String,
    pub fetched: String,
    /// Of the content as served (decompressed).
    pub sha256: String,
    /// Written here in a vendor's format rather than copied from the vendor (the note says how).
    #[serde(default)]
    pub crafted: bool,
    #[serde(default)]
    pub note: String,
}

impl Entry {
    /// The path a `--mirror` folder or server would serve it under.
    pub fn mirror_path(&self) -> &str {
        self.path.strip_suffix(".gz").unwrap_or(&self.path)
    }
}

#[derive(serde::Deserialize)]
struct Manifest {
    file: Vec<Entry>,
}

/// Every entry of `MANIFEST.toml`.
pub fn manifest() -> std::io::Result<Vec<Entry>> {
    let path = upstream_dir().join("MANIFEST.toml");
    let text = std::fs::read_to_string(&path)?;
    let manifest: Manifest = toml::from_str(&text)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {e}", path.display())))?;
    Ok(manifest.file)
}

/// The content of one entry, decompressed, checked against its recorded sha256.
pub fn read(entry: &Entry) -> std::io::Result<Vec<u8>> {
    let path = upstream_dir().join(&entry.path);
    let raw = std::fs::read(&path)?;
    let content = if entry.path.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice()).read_to_end(&mut out)?;
        out
    } else {
        raw
    };
    let digest: String = Sha256::digest(&content).iter().map(|b| format!("{b:02x}")).collect();
    if digest != entry.sha256 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{}: sha256 {digest}, but MANIFEST.toml records {}", path.display(), entry.sha256),
        ));
    }
    Ok(content)
}

/// The content served at `mirror_path` (one of the constants above, or any manifest entry).
pub fn page(mirror_path: &str) -> std::io::Result<Vec<u8>> {
    let entries = manifest()?;
    let entry = entries.iter().find(|e| e.mirror_path() == mirror_path).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{mirror_path} is not in the fixtures' MANIFEST.toml"),
        )
    })?;
    read(entry)
}

/// Every copy, by mirror path.
pub fn upstream_site() -> std::io::Result<BTreeMap<String, Vec<u8>>> {
    manifest()?.into_iter().map(|entry| Ok((entry.mirror_path().to_string(), read(&entry)?))).collect()
}

/// Writes every copy under `dir` as a `--mirror` folder (`host/path`).
pub fn write_mirror(dir: &Path) -> std::io::Result<()> {
    for (path, body) in upstream_site()? {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(file, body)?;
    }
    Ok(())
}

/// Copies this workspace's `specs/` under `root`, for refreshes that must not touch it.
pub fn copy_specs(root: &Path) -> std::io::Result<()> {
    let from = crate::workspace_root().join("specs");
    for vendor in std::fs::read_dir(&from)? {
        let vendor = vendor?;
        let to = root.join("specs").join(vendor.file_name());
        std::fs::create_dir_all(&to)?;
        for file in std::fs::read_dir(vendor.path())? {
            let file = file?;
            std::fs::copy(file.path(), to.join(file.file_name()))?;
        }
    }
    Ok(())
}

/// A crafted documentation site in the layout Mintlify serves (Perplexity's and Cartesia's
/// docs), built from a real document: an `llms.txt` linking one page per operation
/// (`/api-reference/<tag>/<operationId>.md`, besides a guide page that is not API reference),
/// each page embedding the document sliced to its operation in a ```` ```yaml ```` fence, as the
/// vendors' pages embed theirs. By mirror path (`host/...`). Crafted from real content: the
/// layout is the vendors', the split is ours.
pub fn crafted_docs_site(host: &str, doc: &serde_json::Value) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let slug = |text: &str| -> String {
        let lower: String =
            text.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
        lower.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-")
    };
    let header = format!(
        "> ## Documentation Index\n> Fetch the complete documentation index at: https://{host}/llms.txt\n> Use this file \
         to discover all available pages before exploring further.\n\n"
    );
    let mut site = BTreeMap::new();
    let mut index =
        format!("# {host}\n\n## Docs\n\n- [Quickstart](https://{host}/get-started/quickstart.md): Start here.\n");
    for op in api_codegen::doc::Spec::new(doc).operations() {
        let id = op.id().ok_or_else(|| format!("{}: no operationId", op.pointer))?;
        let tag = op.node.pointer("/tags/0").and_then(serde_json::Value::as_str).unwrap_or("other");
        let title = op.node.get("summary").and_then(serde_json::Value::as_str).unwrap_or(id);
        let path = format!("api-reference/{}/{}.md", slug(tag), slug(id));
        let sliced = crate::refresh::slice_document(doc, &[id.to_string()])?;
        let yaml = api_codegen::load::yaml::to_string(Path::new(&path), &sliced).map_err(|e| e.to_string())?;
        let page = format!(
            "{header}# {title}\n\n## OpenAPI\n\n````yaml latest.yml {} {}\n{yaml}````\n",
            op.method.to_uppercase(),
            op.path
        );
        index.push_str(&format!("- [{title}](https://{host}/{path})\n"));
        site.insert(format!("{host}/{path}"), page.into_bytes());
    }
    site.insert(format!("{host}/llms.txt"), index.into_bytes());
    Ok(site)
}
