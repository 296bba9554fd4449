//! Each client as a crate depending on it with its default features compiles it: the
//! generated types trimmed to what their use needs (a request's type serialises and has a
//! builder, an answer's deserialises). The workspace's own tests enable `mock` and `dispatch`,
//! which keep every trait on every type, so only this checks the trimmed code compiles.
#![allow(clippy::unwrap_used)]

#[test]
fn every_client_compiles_alone_with_its_default_features() {
    let root = xtask::workspace_root();
    // The decoupling checks' scratch target: its dependencies are already built there.
    let target = xtask::scratch::target_dir().join("decoupling-check").join("target");
    for vendor in xtask::vendors(&root).unwrap() {
        let out = xtask::scratch::cargo()
            .args(["check", "--offline", "--locked", "--quiet", "--package", &vendor])
            .current_dir(&root)
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "`cargo check -p {vendor}` with its default features failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
