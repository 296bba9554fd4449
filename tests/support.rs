//! Helpers shared by the end-to-end tests.

use std::path::PathBuf;

use loopback::Recorded;
use serde_json::Value;

/// The API key every test client is configured with: it must never be printed.
pub const KEY: &str = "sk-SENTINEL-API-KEY-0f9e8d";
/// The token servers return: it must never be printed either.
pub const TOKEN: &str = "tok-SENTINEL-RETURNED-7c6b5a";

/// Fails if `text` (a `Debug` or `Display` rendering) contains either sentinel.
pub fn assert_no_secret(what: &str, text: &str) {
    assert!(!text.contains(KEY), "{what} leaks the API key: {text}");
    assert!(!text.contains(TOKEN), "{what} leaks the returned token: {text}");
}

/// Both renderings of a value that has them.
pub fn assert_renderings_clean(what: &str, value: &(impl std::fmt::Debug + std::fmt::Display)) {
    assert_no_secret(what, &format!("{value:?}"));
    assert_no_secret(what, &format!("{value:#?}"));
    assert_no_secret(what, &value.to_string());
}

/// The request body as JSON.
pub fn body_json(request: &Recorded) -> Value {
    serde_json::from_slice(&request.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", request.body_text()))
}

/// Asserts the exact set of header names on the wire.
pub fn assert_header_names(request: &Recorded, expected: &[&str]) {
    let mut expected = expected.to_vec();
    expected.sort_unstable();
    assert_eq!(request.header_names(), expected, "headers on the wire: {:#?}", request.headers);
}

/// The vendors, by their `specs/` directory names (each folder holding the document as
/// served, `openapi.json` or `openapi.yaml`), sorted: a vendor is a data folder, never a list
/// in code.
pub fn vendors() -> Vec<String> {
    let specs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("specs");
    let entries = std::fs::read_dir(&specs).unwrap_or_else(|e| panic!("cannot list {}: {e}", specs.display()));
    let mut vendors: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().join("openapi.json").is_file() || e.path().join("openapi.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    vendors.sort();
    vendors
}

/// `specs/<vendor>` in this workspace.
pub fn spec_dir(vendor: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("specs").join(vendor)
}
