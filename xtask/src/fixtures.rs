//! The real upstream pages and documents, laid out as a mirror (`host/path`), for the refresh
//! tests and benchmarks. They are read from `../shared` (never copied into the project),
//! except the Perplexity revoke page, which `../shared` describes but does not include.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const GENERATE_PAGE: &str = "docs.perplexity.ai/api-reference/generate-auth-token-post.md";
pub const REVOKE_PAGE: &str = "docs.perplexity.ai/api-reference/revoke-auth-token-post.md";
pub const CARTESIA_PAGE: &str = "docs.cartesia.ai/2024-06-10/api-reference/auth/access-token.md";
pub const VERCEL_DOC: &str = "openapi.vercel.sh/index";

/// `../shared/<path>`, beside the workspace.
pub fn shared(path: &str) -> PathBuf {
    crate::workspace_root().join("..").join("shared").join(path)
}

/// A file of `../shared/vendor-docs` by its numeric prefix (`000_`).
pub fn vendor_doc(prefix: &str) -> std::io::Result<Vec<u8>> {
    let dir = shared("vendor-docs");
    for entry in std::fs::read_dir(&dir).map_err(|e| missing(&dir, e))? {
        let path = entry?.path();
        if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with(prefix)) {
            return std::fs::read(path);
        }
    }
    Err(std::io::Error::new(std::io::ErrorKind::NotFound, format!("{prefix}* in {}", dir.display())))
}

/// Every source of every vendor, by mirror path.
pub fn upstream_site() -> std::io::Result<BTreeMap<&'static str, Vec<u8>>> {
    let revoke = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/perplexity-revoke-auth-token-post.md");
    Ok(BTreeMap::from([
        (GENERATE_PAGE, vendor_doc("000_")?),
        (REVOKE_PAGE, std::fs::read(revoke)?),
        (CARTESIA_PAGE, vendor_doc("002_")?),
        (VERCEL_DOC, read(&shared("upstream/vercel-openapi.json"))?),
    ]))
}

fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| missing(path, e))
}

/// Says where the shared material was expected: these files live beside the checkout.
fn missing(path: &Path, error: std::io::Error) -> std::io::Error {
    std::io::Error::new(
        error.kind(),
        format!(
            "{}: {error} (the real upstream documents are read from ../shared, beside the checkout)",
            path.display()
        ),
    )
}

/// Copies this workspace's `specs/` under `root`, for refreshes that must not touch it.
pub fn copy_specs(root: &Path) -> std::io::Result<()> {
    let from = crate::workspace_root().join("specs");
    for vendor in std::fs::read_dir(&from)? {
        let vendor = vendor?;
        let to = root.join("specs").join(vendor.file_name());
        std::fs::create_dir_all(&to)?;
        for file in std::fs::read_dir(vendor.path())? {
            let file = file?;
            std::fs::copy(file.path(), to.join(file.file_name()))?;
        }
    }
    Ok(())
}
