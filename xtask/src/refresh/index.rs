//! A documentation index for tools (`llms.txt`, llmstxt.org): Markdown whose links name every
//! page of a vendor's documentation. A `docs-index` source selects the API reference pages among
//! them by path patterns; those pages are then fetched and merged like hand-listed ones.
//!
//! The index is untrusted: a matching link to another origin, or more matching pages than the
//! source's cap, refuses the whole index rather than fetching what it says.

use std::collections::BTreeSet;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use pulldown_cmark::{Event, Parser, Tag};
use reqwest::Url;

/// Which pages of an index a source takes.
#[derive(Debug, Clone)]
pub struct Selection {
    patterns: GlobSet,
    /// The patterns as written, for messages.
    written: Vec<String>,
    floor: Vec<String>,
    max_pages: usize,
}

/// The pages an index yields, in the order they are fetched and merged.
#[derive(Debug, Clone, PartialEq)]
pub struct Selected {
    /// The floor pages first, in the order listed; then the index's other matching pages by URL,
    /// so a vendor reordering its index never reorders the document.
    pub pages: Vec<String>,
    /// Floor pages the index no longer lists (still fetched: a floor page must exist).
    pub floor_unlisted: Vec<String>,
    /// Every link of the index, matching or not.
    pub links: usize,
}

impl Selection {
    /// `patterns` are globs over a URL's path (`/api-reference/*.md`: `*` stays within a
    /// segment, `**` crosses them).
    pub fn new(patterns: &[String], floor: &[String], max_pages: usize) -> anyhow::Result<Selection> {
        let mut set = GlobSetBuilder::new();
        for pattern in patterns {
            anyhow::ensure!(
                pattern.starts_with('/'),
                "page pattern `{pattern}` is not a path (a path starts with `/`)"
            );
            let glob = GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| anyhow::anyhow!("page pattern `{pattern}`: {e}"))?;
            set.add(glob);
        }
        Ok(Selection { patterns: set.build()?, written: patterns.to_vec(), floor: floor.to_vec(), max_pages })
    }

    /// The pages of the index at `index_url` (its text `markdown`) to fetch.
    pub fn select(&self, index_url: &Url, markdown: &str) -> Result<Selected, String> {
        let links = links(index_url, markdown);
        let mut found = BTreeSet::new();
        for url in &links {
            if !self.patterns.is_match(url.path()) {
                continue;
            }
            if url.origin() != index_url.origin() {
                return Err(format!(
                    "the index links {url}, a page matching `{}` on another origin than the index's ({}): refused",
                    self.written.join("`, `"),
                    index_url.origin().ascii_serialization()
                ));
            }
            found.insert(url.to_string());
        }
        let extra: Vec<String> = found.iter().filter(|url| !self.floor.contains(url)).cloned().collect();
        let total = self.floor.len() + extra.len();
        if total > self.max_pages {
            return Err(format!(
                "the index lists {} pages matching `{}`, more than this source's cap of {}: refused (raise `max_pages` \
                 in source.toml if the vendor really has that many)",
                total,
                self.written.join("`, `"),
                self.max_pages
            ));
        }
        if found.is_empty() && self.floor.is_empty() {
            return Err(format!("the index lists no page matching `{}`", self.written.join("`, `")));
        }
        let floor_unlisted = self.floor.iter().filter(|url| !found.contains(*url)).cloned().collect();
        let pages = self.floor.iter().cloned().chain(extra).collect();
        Ok(Selected { pages, floor_unlisted, links: links.len() })
    }
}

/// Every link of a Markdown document, resolved against its URL, without fragments; links that
/// are not http(s) (`mailto:`) or do not resolve are not pages.
fn links(base: &Url, markdown: &str) -> Vec<Url> {
    Parser::new(markdown)
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url),
            _ => None,
        })
        .filter_map(|dest| base.join(&dest).ok())
        .filter(|url| matches!(url.scheme(), "https" | "http"))
        .map(|mut url| {
            url.set_fragment(None);
            url
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "# Docs\n\n> Summary.\n\n## Docs\n\n- [Create](https://docs.example/api-reference/create-post.md): \
        Creates.\n- [Guide](https://docs.example/guides/start.md): Start.\n- [Get](/api-reference/get-get.md#top)\n\
        - [Nested](https://docs.example/api-reference/tts/bytes.md)\n- Contact <mailto:a@b.example>\n";

    fn url() -> Url {
        Url::parse("https://docs.example/llms.txt").unwrap()
    }

    fn selection(patterns: &[&str], floor: &[&str], max: usize) -> Selection {
        let strings = |s: &[&str]| s.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        Selection::new(&strings(patterns), &strings(floor), max).unwrap()
    }

    #[test]
    fn takes_the_matching_pages_floor_first_then_by_url() {
        let floor = ["https://docs.example/api-reference/get-get.md", "https://docs.example/gone.md"];
        let selected = selection(&["/api-reference/*.md"], &floor, 10).select(&url(), INDEX).unwrap();
        assert_eq!(
            selected.pages,
            [floor[0], floor[1], "https://docs.example/api-reference/create-post.md"],
            "`*` does not cross `/`; relative links resolve; fragments go"
        );
        assert_eq!(selected.floor_unlisted, ["https://docs.example/gone.md"]);
        assert_eq!(selected.links, 4);
        let deep = selection(&["/api-reference/**/*.md"], &[], 10).select(&url(), INDEX).unwrap();
        assert_eq!(deep.pages.len(), 3);
    }

    #[test]
    fn refuses_pages_on_another_origin_and_more_than_the_cap() {
        let moved = format!("{INDEX}- [Evil](https://evil.example/api-reference/x-post.md)\n");
        let err = selection(&["/api-reference/*.md"], &[], 10).select(&url(), &moved).unwrap_err();
        assert!(
            err.contains("https://evil.example/api-reference/x-post.md") && err.contains("another origin"),
            "{err}"
        );
        let plain = format!("{INDEX}- [Plain](http://docs.example/api-reference/x-post.md)\n");
        assert!(selection(&["/api-reference/*.md"], &[], 10).select(&url(), &plain).is_err(), "http is another origin");

        let many: String = (0..5000).map(|n| format!("- [P{n}](/api-reference/p{n}.md)\n")).collect();
        let err = selection(&["/api-reference/*.md"], &[], 300).select(&url(), &many).unwrap_err();
        assert!(err.contains("5000 pages") && err.contains("cap of 300"), "{err}");
        let none = selection(&["/reference/*.md"], &[], 10).select(&url(), INDEX).unwrap_err();
        assert!(none.contains("no page matching"), "{none}");
        assert!(Selection::new(&["api/*.md".into()], &[], 1).is_err(), "a pattern is a path");
    }
}
