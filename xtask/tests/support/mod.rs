//! What the refresh tests share: a loopback site serving the upstream copies (through
//! `--mirror`), a temporary copy of `specs/`, and checks that a failure wrote nothing.
#![allow(clippy::unwrap_used, dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use loopback::{Recorded, Reply, Server};
use xtask::fixtures;
use xtask::refresh::{self, FetchConfig, Mirror, Options, Outcome};

pub const GENERATE_PAGE: &str = "/m/docs.perplexity.ai/api-reference/generate-auth-token-post.md";
pub const REVOKE_PAGE: &str = "/m/docs.perplexity.ai/api-reference/revoke-auth-token-post.md";
pub const CARTESIA_STATS: &str = "/m/raw.githubusercontent.com/cartesia-ai/cartesia-js/main/.stats.yml";
pub const CARTESIA_DOC: &str = "/m/storage.googleapis.com/stainless-sdk-openapi-specs/cartesia-noahlt/noah-testing-518c9e3744ae0f6bf6b00fe2bf6ffb1145520e33c9153bc2810966e6e9ce526c.yml";
pub const VERCEL_DOC: &str = "/m/openapi.vercel.sh/index";
pub const PERPLEXITY_INDEX: &str = "/m/docs.perplexity.ai/llms.txt";
pub const CARTESIA_INDEX: &str = "/m/docs.cartesia.ai/llms.txt";

/// The real content served at `path` (a `fixtures` constant).
pub fn page(path: &str) -> String {
    String::from_utf8(fixtures::page(path).unwrap()).unwrap()
}

/// The real upstream content, by the path the mirror asks for.
pub fn upstream() -> BTreeMap<String, Vec<u8>> {
    fixtures::upstream_site().unwrap().into_iter().map(|(path, body)| (format!("/m/{path}"), body)).collect()
}

/// A server answering from `content`, with `special` overriding chosen paths.
pub async fn site(special: impl Fn(&Recorded) -> Option<Reply> + Send + Sync + 'static) -> Server {
    let content = upstream();
    Server::start(move |request| {
        special(request).unwrap_or_else(|| match content.get(request.path.as_str()) {
            Some(body) => Reply::bytes("text/plain", body.clone()),
            None => Reply::status(404),
        })
    })
    .await
    .unwrap()
}

/// A temporary workspace root holding a copy of `specs/`.
pub fn workspace() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    fixtures::copy_specs(root.path()).unwrap();
    root
}

/// Every file under `specs/`, with its bytes.
pub fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.join("specs")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// Names the files that differ, rather than printing their bytes.
pub fn assert_unchanged(before: &BTreeMap<PathBuf, Vec<u8>>, after: &BTreeMap<PathBuf, Vec<u8>>) {
    let changed: Vec<&PathBuf> =
        before.keys().chain(after.keys()).filter(|p| before.get(*p) != after.get(*p)).collect();
    assert!(changed.is_empty(), "specs/ changed: {changed:?}");
}

pub fn options(server: &Server, vendors: &[&str]) -> Options {
    Options {
        vendors: vendors.iter().map(|v| v.to_string()).collect(),
        check: false,
        report: None,
        fetch: FetchConfig {
            timeout: Duration::from_millis(2500),
            retry: api_runtime::RetryPolicy {
                max_retries: 2,
                base_backoff: Duration::from_millis(20),
                ..api_runtime::RetryPolicy::default()
            },
            max_bytes: 8 * 1024 * 1024,
            mirror: Some(Mirror::parse(&format!("{}/m", server.url()))),
            ..FetchConfig::default()
        },
        quiet: false,
    }
}

pub async fn refresh(root: &Path, options: &Options) -> Outcome {
    refresh::run(root, options).await.unwrap()
}

/// Runs a refresh that must fail for `vendor` and leave every file as it was.
pub async fn assert_fails_untouched(server: &Server, vendors: &[&str], vendor: &str, expected: &str) -> String {
    let root = workspace();
    let before = files(root.path());
    let outcome = refresh(root.path(), &options(server, vendors)).await;
    assert_unchanged(&before, &files(root.path()));
    assert!(outcome.written.is_empty());
    assert_ne!(outcome.exit_code(), std::process::ExitCode::SUCCESS);
    let failure = outcome.failures.iter().find(|f| f.vendor == vendor).unwrap_or_else(|| panic!("{outcome:#?}"));
    let text = failure.to_string();
    assert!(text.contains(expected), "expected `{expected}` in: {text}");
    text
}
