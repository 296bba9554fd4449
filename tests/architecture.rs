//! The generator's shape, checked (rust-analyzer's tidy tests are the model): its stages are
//! folders of `crates/api-codegen/src`, and a stage reads only the stages below it, so a
//! newcomer can read them bottom-up and a change to a later stage cannot break an earlier one.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// The stages, lowest first: a module may name its own stage and those before it.
const STAGES: &[&str] = &[
    "error",
    "doc",
    "names",
    "load",
    "plan",
    "rules",
    "select",
    "model",
    "check",
    "rewrite",
    "emit",
    // The entry points: the pipeline (`lib.rs`) and the build script's API.
    "build_script",
    "lib",
];

fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/api-codegen/src")
}

/// Every `.rs` file under `dir`, with its path relative to `root`.
fn rust_files(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"), path));
        }
    }
}

/// The stage a file belongs to: its folder, or its own name at the crate root.
fn stage_of(relative: &str) -> &str {
    let first = relative.split('/').next().unwrap_or(relative);
    first.strip_suffix(".rs").unwrap_or(first)
}

fn rank(stage: &str) -> Option<usize> {
    // The entry points share one rank.
    STAGES.iter().position(|s| *s == stage).map(|i| i.min(STAGES.len() - 2))
}

/// Every `crate::<stage>` a file names, in `use` items and in paths alike, with its line.
#[derive(Default)]
struct CrateRefs {
    found: Vec<(String, usize)>,
}

impl CrateRefs {
    fn push_first_after_crate(&mut self, first: &syn::Ident, line: usize) {
        self.found.push((first.to_string(), line));
    }

    fn use_tree(&mut self, tree: &syn::UseTree, after_crate: bool) {
        match tree {
            syn::UseTree::Path(path) if !after_crate && path.ident == "crate" => self.use_tree(&path.tree, true),
            syn::UseTree::Path(path) if after_crate => {
                self.push_first_after_crate(&path.ident, path.ident.span().start().line)
            }
            syn::UseTree::Name(name) if after_crate => {
                self.push_first_after_crate(&name.ident, name.ident.span().start().line)
            }
            syn::UseTree::Rename(rename) if after_crate => {
                self.push_first_after_crate(&rename.ident, rename.ident.span().start().line)
            }
            syn::UseTree::Group(group) => group.items.iter().for_each(|t| self.use_tree(t, after_crate)),
            _ => {}
        }
    }
}

impl<'ast> Visit<'ast> for CrateRefs {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&item.tree, false);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let mut segments = path.segments.iter();
        if let (Some(first), Some(second)) = (segments.next(), segments.next())
            && first.ident == "crate"
        {
            self.push_first_after_crate(&second.ident, second.ident.span().start().line);
        }
        syn::visit::visit_path(self, path);
    }
}

/// `file:line: `crate::x` from stage y` for every reference pointing up a stage (or at a
/// module the stage table does not know).
fn upward_references(files: &[(String, PathBuf)]) -> Vec<String> {
    let mut problems = Vec::new();
    for (relative, path) in files {
        let stage = stage_of(relative);
        let Some(own) = rank(stage) else {
            problems.push(format!("{relative}: stage `{stage}` is not in this test's STAGES"));
            continue;
        };
        let text = std::fs::read_to_string(path).unwrap();
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{relative}: {e}"));
        let mut refs = CrateRefs::default();
        refs.visit_file(&file);
        for (target, line) in refs.found {
            match rank(&target) {
                // Items the crate root defines or re-exports (`crate::Error`) are the entry
                // points' layer: a stage names the stage that defines them instead.
                None if stage == "lib" || stage == "build_script" => {}
                None => problems.push(format!(
                    "{relative}:{line}: `crate::{target}` from stage `{stage}` names the crate root; name the stage that defines it"
                )),
                Some(theirs) if theirs > own => {
                    problems.push(format!("{relative}:{line}: `crate::{target}` from stage `{stage}` points up a stage"))
                }
                Some(_) => {}
            }
        }
    }
    problems
}

#[test]
fn stages_import_only_lower_stages() {
    let root = source_dir();
    let mut files = Vec::new();
    rust_files(&root, &root, &mut files);
    files.sort();
    assert!(files.len() > 40, "the generator's sources were not found under {}", root.display());
    let problems = upward_references(&files);
    assert!(problems.is_empty(), "imports that point up the stages:\n{}", problems.join("\n"));
}

#[test]
fn an_import_pointing_up_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("x.rs"),
        "use crate::doc::Spec;\nuse crate::{check::validate, plan};\nfn f() { crate::emit::run(); }\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("unknown.rs"), "").unwrap();
    let mut files = Vec::new();
    rust_files(dir.path(), dir.path(), &mut files);
    files.sort();
    let problems = upward_references(&files);
    assert_eq!(
        problems,
        [
            "rules/x.rs:2: `crate::check` from stage `rules` points up a stage",
            "rules/x.rs:3: `crate::emit` from stage `rules` points up a stage",
            "unknown.rs: stage `unknown` is not in this test's STAGES",
        ]
    );
}
