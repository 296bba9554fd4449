//! Adding a vendor is `cargo xtask vendor add` and nothing else: in a copy of the workspace
//! the command creates the data folder, the crate and the vendor's snapshots, marks the
//! credentials it recognises, no other file changes, the new client builds, and the
//! discovering tests (snapshots, the demo) pass with it as they are.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file under `root` but `target/` and `tools/prism/node_modules`, with its bytes.
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(root).unwrap().to_path_buf();
            if relative.starts_with("target") || relative.starts_with("tools/prism/node_modules") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// `cargo ARGS` in the copy; snapshot tests check and never write (`INSTA_UPDATE=no`).
fn cargo(copy: &Path, target: &Path, args: &[&str]) -> String {
    let out = xtask::scratch::cargo()
        .args(args)
        .current_dir(copy)
        .env("CARGO_TARGET_DIR", target)
        .env("INSTA_UPDATE", "no")
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "cargo {args:?} failed:\n{stdout}\n{stderr}");
    stdout.into_owned()
}

#[test]
fn a_vendor_added_by_the_command_builds_and_is_covered_without_other_edits() {
    let target = xtask::scratch::target_dir();
    // The decoupling test's copy and target directory (cargo holds the workspace's while tests
    // run): one copy path, so the packages, and the `xtask` binary cargo runs, are the same
    // ones; test binaries run one after another.
    let scratch = target.join("decoupling-check");
    let (copy, target) = (scratch.join("workspace"), scratch.join("target"));
    let _ = std::fs::remove_dir_all(&copy);
    xtask::scratch::copy_workspace(&copy).unwrap();
    let before = tree(&copy);
    let mirror = tempfile::tempdir().unwrap();
    xtask::fixtures::write_mirror(mirror.path()).unwrap();

    // A fourth vendor: two operations of the Vercel document, under a new name.
    let mirror = mirror.path().to_str().unwrap();
    let run = ["run", "--offline", "--quiet", "--package", "xtask", "--"];
    let added = cargo(
        &copy,
        &target,
        &[
            &run[..],
            &["vendor", "add", "acme", "--document", "https://openapi.vercel.sh/"],
            &["--operations", "createAuthToken", "listAuthTokens", "getAuthToken", "--mirror", mirror],
        ]
        .concat(),
    );
    assert!(added.contains("specs/acme/openapi.yaml"), "{added}");

    // Nothing outside the new vendor's two folders and its snapshots changed: no Rust file,
    // no list of vendors; only the demo's manifest gained the one dependency line cargo needs
    // to link the client.
    let after = tree(&copy);
    let changed: Vec<&PathBuf> =
        before.keys().chain(after.keys()).filter(|p| before.get(*p) != after.get(*p)).collect();
    let snapshot = |p: &Path| {
        p.parent() == Some(Path::new("tests/snapshots"))
            && p.file_name().is_some_and(|n| n.to_string_lossy().contains("@acme__"))
    };
    let demo = Path::new(xtask::vendor::DEMO_MANIFEST);
    let outside: Vec<&&PathBuf> = changed
        .iter()
        .filter(|p| !p.starts_with("specs/acme") && !p.starts_with("crates/acme") && !snapshot(p) && **p != demo)
        .collect();
    assert!(outside.is_empty(), "changed outside the new vendor: {outside:?}");
    let snapshots: Vec<&&PathBuf> = changed.iter().filter(|p| snapshot(p)).collect();
    assert_eq!(snapshots.len(), 2, "the surface and the generated code are recorded: {snapshots:?}");
    let lines = |tree: &BTreeMap<PathBuf, Vec<u8>>| -> Vec<String> {
        String::from_utf8(tree[demo].clone()).unwrap().lines().map(str::to_string).collect()
    };
    let (old, new) = (lines(&before), lines(&after));
    let added: Vec<&String> = new.iter().filter(|l| !old.contains(l)).collect();
    assert_eq!(added, [&xtask::vendor::demo_dependency("acme")], "the demo manifest's change");
    assert_eq!(new.len(), old.len() + 1);

    // The credential the create answers with is recognised by its name and marked, so the
    // client holds it as a SecretString; the overlay shows how to mark another.
    let overlay = std::fs::read_to_string(copy.join("specs/acme/overlay.yaml")).unwrap();
    assert!(
        overlay.contains("properties.bearerToken\"\n") && overlay.contains("# ") && overlay.contains("x-secret: true"),
        "{overlay}"
    );
    let generated =
        std::fs::read_to_string(copy.join("tests/snapshots/snapshots__generated_client@acme__openapi.yaml.snap"))
            .unwrap();
    assert!(generated.contains("pub bearer_token: ::api_runtime::SecretString"), "bearerToken is not a secret");
    for file in ["source.toml", "overlay.yaml", "openapi.yaml", "scenario.toml"] {
        assert!(copy.join("specs/acme").join(file).is_file(), "specs/acme/{file} missing");
    }
    for file in ["Cargo.toml", "build.rs", "src/lib.rs"] {
        assert!(copy.join("crates/acme").join(file).is_file(), "crates/acme/{file} missing");
    }

    // It builds, and the discovering tests cover it: the snapshot test accepts what the
    // command recorded (`INSTA_UPDATE=no`: nothing written, a difference fails) ...
    cargo(&copy, &target, &["build", "--offline", "--quiet", "--package", "acme"]);
    let snapshots = ["test", "--offline", "--quiet", "--package", "workspace-tests", "--test", "snapshots"];
    cargo(&copy, &target, &snapshots);
    // ... and the demo, through `cargo xtask demo`, runs its first scenario.
    let demo = cargo(&copy, &target, &[&run[..], &["demo"]].concat());
    assert!(demo.contains("answering from specs/acme"), "{demo}");
    let acme = demo.split("answering from specs/acme").nth(1).unwrap();
    assert!(acme.contains("-- listAuthTokens\n→ GET /v5/user/tokens") && acme.contains("-- getAuthToken\n"), "{demo}");
    cargo(&copy, &target, &["test", "--offline", "--quiet", "--package", "demo", "--lib"]);
}
