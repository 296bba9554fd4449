//! `specs/<vendor>/source.toml`: where a vendor's spec comes from, as data.
//!
//! Either one source at the top level (`kind = "document"` …), or several as `[[source]]`
//! tables: refresh uses the first that yields a document the generator accepts, and the report
//! says why the earlier ones failed.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// How many API reference pages a documentation index may select unless its source says
/// otherwise: an index that suddenly lists thousands is refused, not fetched.
pub const DEFAULT_MAX_PAGES: usize = 300;

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Source {
    /// Markdown pages, each embedding an OpenAPI document in a ```` ```yaml ```` fence; merged.
    DocsPages { pages: Vec<String> },
    /// A documentation index for tools (`llms.txt`): every page it links whose path matches one
    /// of `pages` (globs on the index's host: `*` within a segment, `**` across) is fetched and
    /// merged as `docs-pages` does; `floor` pages are always fetched and must hold a document.
    DocsIndex {
        index: String,
        pages: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        floor: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_pages: Option<usize>,
    },
    /// One full document (JSON or YAML), cut down to these operations and what they reference.
    SlicedDocument { url: String, operations: Vec<String> },
    /// One full document (JSON or YAML), vendored as served.
    Document { url: String },
    /// A Stainless-generated SDK's `.stats.yml`, whose `openapi_spec_url` names the document
    /// the SDK was generated from; that document is vendored as served.
    SdkStats { stats: String },
}

/// A vendor's sources, in the order refresh tries them (never empty).
#[derive(Debug, Clone, PartialEq)]
pub struct Sources(pub Vec<Source>);

impl Sources {
    pub fn read(path: &Path) -> anyhow::Result<Sources> {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        Sources::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<Sources> {
        // By shape, so a mistake is reported against the form actually written.
        let table: toml::Table = toml::from_str(text)?;
        let sources = if table.contains_key("source") {
            toml::from_str::<List>(text)?.source
        } else {
            vec![toml::from_str::<Source>(text)?]
        };
        anyhow::ensure!(!sources.is_empty(), "no source");
        for (n, source) in sources.iter().enumerate() {
            source.validate().map_err(|e| anyhow::anyhow!("source {}: {e}", n + 1))?;
        }
        Ok(Sources(sources))
    }
}

/// `[[source]]` tables, tried in order.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct List {
    source: Vec<Source>,
}

impl Source {
    /// Checks what parsing cannot: URLs that are URLs, patterns that are globs.
    fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(!self.urls().is_empty(), "no URL to fetch");
        for url in self.urls().into_iter().chain(self.floor()) {
            reqwest::Url::parse(url).map_err(|e| anyhow::anyhow!("`{url}` is not a URL: {e}"))?;
        }
        if let Source::DocsIndex { pages, max_pages, .. } = self {
            anyhow::ensure!(!pages.is_empty(), "a docs-index source needs at least one `pages` pattern");
            super::index::Selection::new(pages, &[], max_pages.unwrap_or(DEFAULT_MAX_PAGES))?;
        }
        Ok(())
    }

    /// The URLs fetched first (an `sdk-stats` source then fetches the document its file names,
    /// a `docs-index` source the pages its index lists).
    pub fn urls(&self) -> Vec<&str> {
        match self {
            Source::DocsPages { pages } => pages.iter().map(String::as_str).collect(),
            Source::DocsIndex { index, .. } => vec![index.as_str()],
            Source::SlicedDocument { url, .. } | Source::Document { url } => vec![url.as_str()],
            Source::SdkStats { stats } => vec![stats.as_str()],
        }
    }

    fn floor(&self) -> Vec<&str> {
        match self {
            Source::DocsIndex { floor, .. } => floor.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// Whether the document is written exactly as served (otherwise as built, in YAML).
    pub fn verbatim(&self) -> bool {
        matches!(self, Source::Document { .. } | Source::SdkStats { .. })
    }

    /// `kind URL`, for the report.
    pub fn describe(&self) -> String {
        let kind = match self {
            Source::DocsPages { .. } => "docs-pages",
            Source::DocsIndex { .. } => "docs-index",
            Source::SlicedDocument { .. } => "sliced-document",
            Source::Document { .. } => "document",
            Source::SdkStats { .. } => "sdk-stats",
        };
        match self.urls().as_slice() {
            [one] => format!("{kind} {one}"),
            many => format!("{kind} ({} pages)", many.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_source_or_an_ordered_list() {
        let one = Sources::parse("kind = \"document\"\nurl = \"https://a.example/x.json\"\n").unwrap();
        assert_eq!(one.0, [Source::Document { url: "https://a.example/x.json".into() }]);
        let list = Sources::parse(
            "[[source]]\nkind = \"sdk-stats\"\nstats = \"https://a.example/.stats.yml\"\n\n[[source]]\nkind = \
             \"docs-index\"\nindex = \"https://docs.example/llms.txt\"\npages = [\"/api-reference/**/*.md\"]\n",
        )
        .unwrap();
        assert_eq!(list.0.len(), 2);
        assert!(matches!(&list.0[1], Source::DocsIndex { max_pages: None, .. }));
    }

    #[test]
    fn mistakes_name_what_is_wrong() {
        let typo = Sources::parse("kind = \"document\"\nulr = \"https://a.example\"\n").unwrap_err();
        assert!(format!("{typo:#}").contains("ulr"), "{typo:#}");
        let typo = Sources::parse("[[source]]\nkind = \"document\"\nurl = \"https://a\"\nextra = 1\n").unwrap_err();
        assert!(format!("{typo:#}").contains("extra"), "{typo:#}");
        let bad = Sources::parse("kind = \"document\"\nurl = \"not a url\"\n").unwrap_err();
        assert!(format!("{bad:#}").contains("not a URL"), "{bad:#}");
        let glob =
            Sources::parse("kind = \"docs-index\"\nindex = \"https://d.example/llms.txt\"\npages = [\"/a/[\"]\n")
                .unwrap_err();
        assert!(format!("{glob:#}").contains("/a/["), "{glob:#}");
        assert!(Sources::parse("source = []\n").is_err());
    }
}
