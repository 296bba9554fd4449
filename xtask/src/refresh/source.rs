//! `specs/<vendor>/source.toml`: where a vendor's spec comes from, as data.

use std::path::Path;

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Source {
    /// Markdown pages, each embedding an OpenAPI document in a ```` ```yaml ```` fence; merged.
    DocsPages { pages: Vec<String> },
    /// One full document (JSON or YAML), cut down to these operations and what they reference.
    SlicedDocument { url: String, operations: Vec<String> },
}

impl Source {
    pub fn read(path: &Path) -> anyhow::Result<Source> {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let source: Source = toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        anyhow::ensure!(!source.urls().is_empty(), "{}: no URL to fetch", path.display());
        Ok(source)
    }

    pub fn urls(&self) -> Vec<&str> {
        match self {
            Source::DocsPages { pages } => pages.iter().map(String::as_str).collect(),
            Source::SlicedDocument { url, .. } => vec![url.as_str()],
        }
    }
}
