//! `cargo xtask rules-table`: writes the table of normalisation rules into `docs/generator.md`,
//! between the markers [`BEGIN`] and [`END`], from the rules themselves
//! (`api_codegen::rules::catalogue`: name, why, whether it records in the plan, in run order),
//! so the documentation cannot drift from the code; `--check` writes nothing and names the
//! file when its table is stale (`xtask/tests/rules_table.rs` runs the check).

use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// The document holding the table, relative to the workspace root.
pub const FILE: &str = "docs/generator.md";
/// The line before the table.
pub const BEGIN: &str = "<!-- BEGIN rules table: written by cargo xtask rules-table -->";
/// The line after the table.
pub const END: &str = "<!-- END rules table -->";

/// The table, one row per rule in the order they run, as Markdown.
pub fn table() -> String {
    let mut table = String::from("| # | rule | what it does, and why | records in the plan |\n|---|---|---|---|\n");
    for (n, (name, why, plans)) in api_codegen::rules::catalogue().enumerate() {
        let plans = if plans { "yes" } else { "no" };
        table.push_str(&format!("| {} | `{name}` | {} | {plans} |\n", n + 1, cell(why)));
    }
    table
}

/// Text made safe for one table cell: no `|` ends it early, no line break ends the row.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// `doc` with the text between its markers replaced by [`table`]; an error if the markers are
/// missing or out of order.
pub fn write(doc: &str) -> anyhow::Result<String> {
    let begin = doc.find(BEGIN).with_context(|| format!("no line `{BEGIN}`"))?;
    let body = begin + BEGIN.len();
    let end = doc[body..].find(END).map(|i| body + i).with_context(|| format!("no line `{END}` after `{BEGIN}`"))?;
    Ok(format!("{}\n{}{}", &doc[..body], table(), &doc[end..]))
}

/// `docs/generator.md` under `root` if it is (with `check`) or was (without) not up to date.
pub fn run(root: &Path, check: bool) -> anyhow::Result<Option<PathBuf>> {
    let path = root.join(FILE);
    let old = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let new = write(&old).with_context(|| format!("{}: the rules table's markers", path.display()))?;
    if new == old {
        return Ok(None);
    }
    if !check {
        std::fs::write(&path, new).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(Some(path))
}
