//! The drift report: per vendor, every change with its level and the generated Rust items it
//! touches, what merging sources decided, and every change the normalisation rules make to
//! the upstream document; as text for the terminal, markdown for a PR and JSON for tools.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;
use spec_tools::drift::{Change, Level};

#[derive(Debug, Clone, Serialize)]
pub struct ReportedChange {
    #[serde(flatten)]
    pub change: Change,
    pub rust_items: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VendorReport {
    pub vendor: String,
    /// The source used (`docs-index https://…/llms.txt`, and its place when it was not the first).
    pub source: String,
    /// Why each earlier source of `source.toml` was not used.
    pub fallbacks: Vec<String>,
    /// Every URL fetched for it.
    pub sources: Vec<String>,
    /// For pages found in a documentation index: which appeared or went since the last refresh.
    pub pages: Option<PageChanges>,
    /// Whether the spec itself changed (not just the fetched page around it).
    pub changed: bool,
    pub changes: Vec<ReportedChange>,
    /// What building the document decided that upstream did not say (merge choices, what an
    /// SDK's `.stats.yml` named).
    pub notes: Vec<String>,
    /// Every deviation from upstream the normalisation rules make, rule by rule.
    pub rules: Vec<ReportedRule>,
}

/// The pages a documentation index selected, against those the last refresh fetched from it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PageChanges {
    pub selected: usize,
    /// Whether the last refresh read this index (otherwise nothing is compared).
    pub compared: bool,
    pub added: Vec<String>,
    pub dropped: Vec<String>,
}

impl PageChanges {
    fn line(&self) -> String {
        if !self.compared {
            return format!(
                "{} pages from the index (the last refresh did not read it: nothing compared)",
                self.selected
            );
        }
        let list = |urls: &[String]| urls.iter().map(|u| page_name(u)).collect::<Vec<_>>().join(", ");
        let mut line = format!("{} pages from the index", self.selected);
        if !self.added.is_empty() {
            let _ = write!(line, "; added since the last refresh: {}", list(&self.added));
        }
        if !self.dropped.is_empty() {
            let _ = write!(line, "; dropped since the last refresh: {}", list(&self.dropped));
        }
        if self.added.is_empty() && self.dropped.is_empty() {
            line.push_str(", the same as at the last refresh");
        }
        line
    }
}

/// A page's path without its host, for lines that list several.
fn page_name(url: &str) -> &str {
    url.split_once("://").map_or(url, |(_, rest)| rest.find('/').map_or(rest, |slash| &rest[slash..]))
}

/// One normalisation rule that changed the vendor's document, and every place it changed.
#[derive(Debug, Clone, Serialize)]
pub struct ReportedRule {
    pub rule: String,
    pub why: String,
    /// `(JSON pointer, what changed)`.
    pub places: Vec<(String, String)>,
}

impl ReportedRule {
    pub fn all(report: &api_codegen::rules::RulesReport) -> Vec<ReportedRule> {
        report
            .applied
            .iter()
            .map(|a| ReportedRule {
                rule: a.rule.to_string(),
                why: a.why.to_string(),
                places: a.changes.iter().map(|c| (c.pointer.clone(), c.what.clone())).collect(),
            })
            .collect()
    }
}

/// `normalisation rules: derive-operation-id 7, ...`, or that none applied.
fn rules_line(report: &VendorReport) -> String {
    if report.rules.is_empty() {
        return "normalisation rules: none changed the upstream document".into();
    }
    let each: Vec<String> = report.rules.iter().map(|r| format!("{} {}", r.rule, r.places.len())).collect();
    format!("normalisation rules: {} (every place: --report)", each.join(", "))
}

impl VendorReport {
    pub fn count(&self, level: Level) -> usize {
        self.changes.iter().filter(|c| c.change.level == level).count()
    }

    /// `3 changes: 1 breaking, 2 non-breaking`.
    pub fn summary(&self) -> String {
        if !self.changed {
            return "unchanged".into();
        }
        let counts: Vec<String> = LEVELS
            .into_iter()
            .map(|l| (l, self.count(l)))
            .filter(|(_, n)| *n > 0)
            .map(|(l, n)| format!("{n} {l}"))
            .collect();
        if counts.is_empty() {
            "changed (no change to the API surface)".into()
        } else {
            format!("{} change(s): {}", self.changes.len(), counts.join(", "))
        }
    }
}

const LEVELS: [Level; 3] = [Level::Breaking, Level::PotentiallyBreaking, Level::NonBreaking];

/// The group a change is filed under: its tags, or the whole API.
fn group(change: &Change) -> String {
    match change.tags.len() {
        0 => "(whole API)".into(),
        1..=3 => change.tags.join(", "),
        n => format!("(shared by {n} tags)"),
    }
}

/// Changes filed under one group (a tag, or the whole API).
type Group<'a> = (String, Vec<&'a ReportedChange>);

/// A vendor's changes by level (most severe first), then by group.
fn grouped(report: &VendorReport) -> Vec<(Level, Vec<Group<'_>>)> {
    LEVELS
        .into_iter()
        .filter_map(|level| {
            let mut groups: BTreeMap<String, Vec<&ReportedChange>> = BTreeMap::new();
            for c in report.changes.iter().filter(|c| c.change.level == level) {
                groups.entry(group(&c.change)).or_default().push(c);
            }
            (!groups.is_empty()).then(|| (level, groups.into_iter().collect()))
        })
        .collect()
}

/// Plain text for the terminal: per vendor a summary line, then breaking changes first, each
/// level grouped by tag with counts, so the first screen says what matters.
pub fn text(reports: &[VendorReport]) -> String {
    let mut out = String::new();
    let mut deviations = String::new();
    for report in reports {
        let _ = writeln!(deviations, "{}: from {}", report.vendor, report.source);
        for fallback in &report.fallbacks {
            let _ = writeln!(deviations, "  not used: {fallback}");
        }
        if let Some(pages) = &report.pages {
            let _ = writeln!(deviations, "  {}", pages.line());
        }
        let _ = writeln!(deviations, "{}: {}", report.vendor, rules_line(report));
        for note in &report.notes {
            let _ = writeln!(deviations, "  {note}");
        }
    }
    for report in reports.iter().filter(|r| r.changed) {
        let _ = writeln!(out, "{}: {}", report.vendor, report.summary());
        for (level, groups) in grouped(report) {
            let _ = writeln!(out, "  {level} ({})", report.count(level));
            for (group, changes) in groups {
                let _ = writeln!(out, "    {group} ({})", changes.len());
                for c in changes {
                    let _ = write!(out, "      {}: {}", c.change.location, c.change.detail);
                    let _ = match c.rust_items.is_empty() {
                        true => writeln!(out),
                        false => writeln!(out, "  ({})", c.rust_items.join(", ")),
                    };
                }
            }
        }
    }
    if out.is_empty() {
        out.push_str("No drift: every spec matches upstream.\n");
    }
    out.push_str(&deviations);
    out
}

/// Markdown for a pull request: per vendor, counts by tag and level, then one table per level.
pub fn markdown(reports: &[VendorReport]) -> String {
    let mut out = String::from("# Upstream drift report\n");
    for report in reports {
        let _ = write!(
            out,
            "\n## {}\n\n{}. From {}: {}.\n",
            report.vendor,
            report.summary(),
            escape(&report.source),
            report.sources.join(", ")
        );
        for fallback in &report.fallbacks {
            let _ = writeln!(out, "\n- Not used: {}", escape(fallback));
        }
        if let Some(pages) = &report.pages {
            let _ = writeln!(out, "\n- {}.", escape(&pages.line()));
        }
        for note in &report.notes {
            let _ = writeln!(out, "\n- {}", escape(note));
        }
        rules_markdown(&mut out, report);
        if report.changes.is_empty() {
            continue;
        }
        let mut counts: BTreeMap<String, [usize; 3]> = BTreeMap::new();
        for c in &report.changes {
            let slot = LEVELS.iter().position(|l| *l == c.change.level).unwrap_or(2);
            counts.entry(group(&c.change)).or_default()[slot] += 1;
        }
        out.push_str("\n| tag | breaking | potentially breaking | non-breaking |\n|---|---|---|---|\n");
        let mut rows: Vec<_> = counts.into_iter().collect();
        rows.sort_by(|(a, x), (b, y)| y.cmp(x).then_with(|| a.cmp(b)));
        for (group, [b, p, n]) in rows {
            let _ = writeln!(out, "| {} | {b} | {p} | {n} |", escape(&group));
        }
        for (level, groups) in grouped(report) {
            let _ = write!(
                out,
                "\n### {level} ({})\n\n| level | where | change | tag | generated Rust items |\n|---|---|---|---|---|\n",
                report.count(level)
            );
            for (group, changes) in groups {
                for c in changes {
                    let items: Vec<String> = c.rust_items.iter().map(|i| format!("`{i}`")).collect();
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {} | {} |",
                        c.change.level,
                        escape(&c.change.location),
                        escape(&c.change.detail),
                        escape(&group),
                        items.join(", ")
                    );
                }
            }
        }
    }
    out
}

/// Every place each rule changed, under a collapsed heading (the full Vercel document has
/// hundreds).
fn rules_markdown(out: &mut String, report: &VendorReport) {
    let _ = writeln!(out, "\n{}.", rules_line(report).replace(" (every place: --report)", ""));
    for rule in &report.rules {
        let _ = writeln!(
            out,
            "\n<details><summary><code>{}</code>: {} change(s). {}</summary>\n\n| where | what |\n|---|---|",
            rule.rule,
            rule.places.len(),
            escape(&rule.why)
        );
        for (pointer, what) in &rule.places {
            let _ = writeln!(out, "| `{}` | {} |", escape(pointer), escape(what));
        }
        out.push_str("\n</details>\n");
    }
}

pub fn json(reports: &[VendorReport]) -> serde_json::Value {
    serde_json::json!({ "vendors": reports })
}

fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}
