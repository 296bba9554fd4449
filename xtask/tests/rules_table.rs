//! `cargo xtask rules-table`: the rules table of `docs/generator.md` is the rules' own names
//! and reasons, so a rule added, renamed or explained anew fails the check here (so in CI)
//! until the table is written again.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use xtask::rules_table::{BEGIN, END, FILE, run, table, write};
use xtask::workspace_root;

/// A root holding a copy of the committed `docs/generator.md`, with `edit` applied.
fn root_with(edit: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("docs")).unwrap();
    let committed = std::fs::read_to_string(workspace_root().join(FILE)).unwrap();
    std::fs::write(root.path().join(FILE), edit(committed)).unwrap();
    root
}

fn read(root: &Path) -> String {
    std::fs::read_to_string(root.join(FILE)).unwrap()
}

#[test]
fn the_committed_table_is_current() {
    let stale = run(&workspace_root(), true).unwrap();
    assert!(stale.is_none(), "the rules table in {stale:?} is stale: run `cargo xtask rules-table`");
}

#[test]
fn a_stale_row_fails_the_check_and_is_rewritten() {
    let (name, why, _) = api_codegen::rules::catalogue().next().unwrap();
    let root = root_with(|doc| {
        assert!(doc.contains(why), "the first rule's reason is not in {FILE}");
        doc.replacen(why, "an explanation the rule no longer gives", 1)
    });
    let path = root.path().join(FILE);
    let stale = read(root.path());

    assert_eq!(run(root.path(), true).unwrap(), Some(path.clone()), "a changed row of `{name}` went unnoticed");
    assert_eq!(read(root.path()), stale, "--check writes nothing");

    assert_eq!(run(root.path(), false).unwrap(), Some(path));
    assert_eq!(read(root.path()), read(&workspace_root()));
    assert_eq!(run(root.path(), true).unwrap(), None);
}

#[test]
fn a_missing_or_dropped_row_fails_the_check() {
    let last = api_codegen::rules::catalogue().last().unwrap().0;
    let root =
        root_with(|doc| doc.lines().filter(|l| !l.contains(&format!("`{last}`"))).map(|l| format!("{l}\n")).collect());
    assert!(run(root.path(), true).unwrap().is_some(), "a dropped row of `{last}` went unnoticed");
}

#[test]
fn the_table_has_one_row_per_rule_in_run_order() {
    let table = table();
    let rows: Vec<&str> = table.lines().skip(2).collect();
    let rules: Vec<_> = api_codegen::rules::catalogue().collect();
    assert_eq!(rows.len(), rules.len(), "{table}");
    for (n, (row, (name, why, plans))) in rows.iter().zip(&rules).enumerate() {
        let expected = format!("| {} | `{name}` | {why} | {} |", n + 1, if *plans { "yes" } else { "no" });
        assert_eq!(*row, expected);
    }
    assert!(rules.iter().any(|r| r.2) && rules.iter().any(|r| !r.2), "both kinds of rule are listed");
}

#[test]
fn only_the_text_between_the_markers_is_written() {
    let doc = format!("# Title\n\nBefore.\n\n{BEGIN}\nold table\n{END}\n\nAfter.\n");
    let written = write(&doc).unwrap();
    assert_eq!(written, format!("# Title\n\nBefore.\n\n{BEGIN}\n{}{END}\n\nAfter.\n", table()));
    assert_eq!(write(&written).unwrap(), written, "rewriting is stable");
    let err = write("# no markers\n").unwrap_err().to_string();
    assert!(err.contains(BEGIN), "{err}");
    let err = write(&format!("{END}\n{BEGIN}\n")).unwrap_err().to_string();
    assert!(err.contains(END), "{err}");
}
