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
    /// One full document (JSON or YAML), vendored as served.
    Document { url: String },
    /// A Stainless-generated SDK's `.stats.yml`, whose `openapi_spec_url` names the document
    /// the SDK was generated from; that document is vendored as served.
    SdkStats { stats: String },
}

impl Source {
    pub fn read(path: &Path) -> anyhow::Result<Source> {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let source: Source = toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        anyhow::ensure!(!source.urls().is_empty(), "{}: no URL to fetch", path.display());
        Ok(source)
    }

    /// The URLs fetched first (an `sdk-stats` source then fetches the document its file names).
    pub fn urls(&self) -> Vec<&str> {
        match self {
            Source::DocsPages { pages } => pages.iter().map(String::as_str).collect(),
            Source::SlicedDocument { url, .. } | Source::Document { url } => vec![url.as_str()],
            Source::SdkStats { stats } => vec![stats.as_str()],
        }
    }

    /// Whether the document is written exactly as served (otherwise as built, in YAML).
    pub fn verbatim(&self) -> bool {
        matches!(self, Source::Document { .. } | Source::SdkStats { .. })
    }
}
