//! The drift report: per vendor, every change with its level and the generated Rust items it
//! touches, as text for the terminal, markdown for a PR and JSON for tools.

use std::fmt::Write;

use api_codegen::drift::{Change, Level};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ReportedChange {
    #[serde(flatten)]
    pub change: Change,
    pub rust_items: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VendorReport {
    pub vendor: String,
    pub sources: Vec<String>,
    /// Whether the spec itself changed (not just the fetched page around it).
    pub changed: bool,
    pub changes: Vec<ReportedChange>,
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
        let counts: Vec<String> = [Level::Breaking, Level::PotentiallyBreaking, Level::NonBreaking]
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

/// Plain text for the terminal.
pub fn text(reports: &[VendorReport]) -> String {
    let mut out = String::new();
    for report in reports.iter().filter(|r| r.changed) {
        let _ = writeln!(out, "{}: {}", report.vendor, report.summary());
        for c in &report.changes {
            let _ = writeln!(out, "  {}  ({})", c.change, c.rust_items.join(", "));
        }
    }
    if out.is_empty() {
        out.push_str("No drift: every spec matches upstream.\n");
    }
    out
}

pub fn markdown(reports: &[VendorReport]) -> String {
    let mut out = String::from("# Upstream drift report\n");
    for report in reports {
        let _ =
            write!(out, "\n## {}\n\n{}. Sources: {}.\n", report.vendor, report.summary(), report.sources.join(", "));
        if report.changes.is_empty() {
            continue;
        }
        out.push_str("\n| level | where | change | generated Rust items |\n|---|---|---|---|\n");
        for c in &report.changes {
            let items: Vec<String> = c.rust_items.iter().map(|i| format!("`{i}`")).collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                c.change.level,
                escape(&c.change.location),
                escape(&c.change.detail),
                items.join(", ")
            );
        }
    }
    out
}

pub fn json(reports: &[VendorReport]) -> serde_json::Value {
    serde_json::json!({ "vendors": reports })
}

fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}
