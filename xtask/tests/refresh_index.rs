//! `cargo xtask refresh` from documentation indexes and through fallbacks, offline: the real
//! Perplexity pages behind a crafted `llms.txt` in Mintlify's layout (`tests/fixtures/upstream`,
//! labelled crafted in its manifest), and a crafted Cartesia docs site built from the real
//! Cartesia document (`fixtures::crafted_docs_site`). Every failure must leave `specs/` as it was.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use loopback::{Reply, Server};
use spec_tools::drift::{Kind, Subject};
use xtask::fixtures;
use xtask::refresh::{Outcome, VendorReport};

mod support;
use support::*;

const NEW_PAGE_URL: &str = "https://docs.perplexity.ai/api-reference/responses-response_id-get.md";
const NEW_PAGE: &str = "/m/docs.perplexity.ai/api-reference/responses-response_id-get.md";

/// Crafted: a page Perplexity's docs could add tomorrow (retrieving a response, which its SDKs
/// have), in the layout of its real pages.
fn new_page() -> String {
    r#"> ## Documentation Index
> Fetch the complete documentation index at: https://docs.perplexity.ai/llms.txt

# Get Response

> Retrieve a response by its ID.

## OpenAPI

````yaml get /v1/responses/{response_id}
openapi: 3.1.0
info:
  title: Perplexity AI API
  description: Perplexity AI API
  version: 1.0.0
servers:
  - url: https://api.perplexity.ai
    description: Perplexity AI API
security: []
paths:
  /v1/responses/{response_id}:
    get:
      summary: Get Response
      operationId: getResponse
      parameters:
        - name: response_id
          in: path
          required: true
          schema:
            type: string
      responses:
        '200':
          description: The response.
          content:
            application/json:
              schema:
                type: object
                properties:
                  id:
                    type: string
                  status:
                    type: string
                required:
                  - id
      security:
        - HTTPBearer: []
components:
  securitySchemes:
    HTTPBearer:
      type: http
      scheme: bearer
````
"#
    .to_string()
}

/// The fixture index with `line` added to its API reference list.
fn index_with(line: &str) -> String {
    let index = page("docs.perplexity.ai/llms.txt");
    index.replacen("- [Quickstart]", &format!("{line}\n- [Quickstart]"), 1)
}

/// A site serving the fixtures, with `extra` (mirror path → body) added or replacing them.
async fn site_with(extra: BTreeMap<String, String>) -> Server {
    site(move |r| extra.get(&r.path).map(|body| Reply::bytes("text/markdown", body.clone()))).await
}

fn report<'a>(outcome: &'a Outcome, vendor: &str) -> &'a VendorReport {
    assert!(outcome.failures.is_empty(), "{:#?}", outcome.failures);
    &outcome.updates.iter().find(|u| u.report.vendor == vendor).unwrap().report
}

/// The operations the drift report says were added or removed.
fn operations(report: &VendorReport, kind: Kind) -> Vec<String> {
    report
        .changes
        .iter()
        .filter(|c| c.change.kind == kind)
        .filter_map(|c| match &c.change.subject {
            Subject::Operation { operation } => Some(operation.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_new_page_is_a_new_operation_and_a_vanished_page_a_removed_one() {
    let root = workspace();
    let grown = index_with(&format!("- [Get Response]({NEW_PAGE_URL}): Retrieve a response by its ID."));
    let server =
        site_with(BTreeMap::from([(PERPLEXITY_INDEX.to_string(), grown), (NEW_PAGE.to_string(), new_page())])).await;
    let outcome = refresh(root.path(), &options(&server, &["perplexity"])).await;
    let added = report(&outcome, "perplexity");
    assert_eq!(operations(added, Kind::OperationAdded), ["getResponse"], "{added:#?}");
    let pages = added.pages.as_ref().unwrap();
    assert_eq!(pages.added, [NEW_PAGE_URL], "{pages:#?}");
    assert_eq!(pages.selected, 9);
    let spec = std::fs::read_to_string(root.path().join("specs/perplexity/openapi.yaml")).unwrap();
    assert!(spec.contains("/v1/responses/{response_id}"), "written");
    let text = xtask::refresh::report_text(std::slice::from_ref(added));
    assert!(text.contains("added since the last refresh: /api-reference/responses-response_id-get.md"), "{text}");

    // The vendor takes the page down again: its operation goes.
    let server = site(|_| None).await;
    let outcome = refresh(root.path(), &options(&server, &["perplexity"])).await;
    let removed = report(&outcome, "perplexity");
    assert_eq!(operations(removed, Kind::OperationRemoved), ["getResponse"], "{removed:#?}");
    assert_eq!(removed.pages.as_ref().unwrap().dropped, [NEW_PAGE_URL]);
    assert_eq!(
        std::fs::read(root.path().join("specs/perplexity/openapi.yaml")).unwrap(),
        std::fs::read(xtask::workspace_root().join("specs/perplexity/openapi.yaml")).unwrap(),
        "back to the vendored spec"
    );
}

#[tokio::test]
async fn an_index_page_without_a_document_is_left_out_and_said() {
    let root = workspace();
    let index = index_with("- [WebSocket](https://docs.perplexity.ai/api-reference/realtime.md): A WebSocket API.");
    let server = site_with(BTreeMap::from([
        (PERPLEXITY_INDEX.to_string(), index),
        ("/m/docs.perplexity.ai/api-reference/realtime.md".to_string(), "# Realtime\n\nNo OpenAPI here.\n".into()),
    ]))
    .await;
    let outcome = refresh(root.path(), &options(&server, &["perplexity"])).await;
    let report = report(&outcome, "perplexity");
    assert!(!report.changed, "{report:#?}");
    let notes = report.notes.join("\n");
    assert!(notes.contains("1 page(s) of the index hold no OpenAPI document (left out)"), "{notes}");
    assert!(notes.contains("realtime.md"), "{notes}");
}

#[tokio::test]
async fn an_index_pointing_off_host_is_refused() {
    let index = index_with("- [Create](https://docs.perplexity.example/api-reference/chat-completions-post.md): x");
    let server = site_with(BTreeMap::from([(PERPLEXITY_INDEX.to_string(), index)])).await;
    let text = assert_fails_untouched(&server, &["perplexity"], "perplexity", "another origin").await;
    assert!(text.contains("https://docs.perplexity.example/api-reference/chat-completions-post.md"), "{text}");
    assert!(server.requests().iter().all(|r| !r.path.contains("api-reference")), "nothing fetched from a bad index");
}

#[tokio::test]
async fn an_index_that_suddenly_lists_thousands_of_pages_is_refused() {
    let many: String =
        (0..5000).map(|n| format!("- [Page {n}](https://docs.perplexity.ai/api-reference/p{n}-post.md)\n")).collect();
    let server = site_with(BTreeMap::from([(PERPLEXITY_INDEX.to_string(), index_with(&many))])).await;
    let text = assert_fails_untouched(&server, &["perplexity"], "perplexity", "more than this source's cap").await;
    assert!(text.contains("5008 pages"), "{text}");
    assert_eq!(server.requests().len(), 1, "only the index was fetched");
}

#[tokio::test]
async fn a_floor_page_that_vanishes_fails() {
    let server = site(|r| (r.path == REVOKE_PAGE).then(|| Reply::status(404))).await;
    let text = assert_fails_untouched(&server, &["perplexity"], "perplexity", "HTTP status 404").await;
    assert!(text.contains("revoke-auth-token-post.md"), "{text}");
    // A floor page that is served but no longer holds a document fails too.
    let server = site(|r| (r.path == REVOKE_PAGE).then(|| Reply::bytes("text/markdown", "# Moved\n"))).await;
    assert_fails_untouched(&server, &["perplexity"], "perplexity", "no ```yaml fence").await;
}

/// Cartesia's docs site, crafted from the vendored document (the `.stats.yml`'s document).
fn cartesia_site() -> BTreeMap<String, Vec<u8>> {
    let doc = api_codegen::load::yaml::read(&xtask::workspace_root().join("specs/cartesia/openapi.yaml")).unwrap();
    fixtures::crafted_docs_site("docs.cartesia.ai", &doc).unwrap()
}

#[tokio::test]
async fn a_stats_file_without_the_document_url_falls_back_to_the_index() {
    // Cartesia's `.stats.yml` since June 2026 (crafted in its format): the endpoint count only.
    let mut served: BTreeMap<String, Vec<u8>> =
        cartesia_site().into_iter().map(|(path, body)| (format!("/m/{path}"), body)).collect();
    served.insert(CARTESIA_STATS.to_string(), b"configured_endpoints: 51\n".to_vec());
    let server = site(move |r| served.get(&r.path).map(|body| Reply::bytes("text/plain", body.clone()))).await;
    let root = workspace();
    let outcome = refresh(root.path(), &options(&server, &["cartesia"])).await;
    let report = report(&outcome, "cartesia");
    assert_eq!(report.source, "docs-index https://docs.cartesia.ai/llms.txt (source 2 of 2)");
    assert_eq!(report.fallbacks.len(), 1);
    let why = &report.fallbacks[0];
    assert!(
        why.starts_with("sdk-stats https://raw.githubusercontent.com/cartesia-ai/cartesia-js/main/.stats.yml: ")
            && why.contains("no `openapi_spec_url` (only `configured_endpoints`)"),
        "{why}"
    );
    assert!(server.requests().iter().all(|r| r.path != CARTESIA_DOC), "nothing named, nothing fetched");
    // Every operation is still there: the pages hold the same API.
    assert_eq!(operations(report, Kind::OperationRemoved), Vec::<String>::new(), "{report:#?}");
    assert_eq!(operations(report, Kind::OperationAdded), Vec::<String>::new(), "{report:#?}");
    assert_eq!(report.pages.as_ref().unwrap().selected, 50);
    assert!(!report.pages.as_ref().unwrap().compared, "the last refresh read the .stats.yml");
    let text = xtask::refresh::report_text(std::slice::from_ref(report));
    eprintln!("{text}");
    assert!(text.contains("cartesia: from docs-index https://docs.cartesia.ai/llms.txt (source 2 of 2)"), "{text}");
    assert!(text.contains("not used: sdk-stats"), "{text}");
    // Written as the merged pages (YAML), recorded as fetched from the index.
    let digests = std::fs::read_to_string(root.path().join("specs/cartesia/fetched.sha256")).unwrap();
    assert!(digests.lines().next().unwrap().ends_with("  https://docs.cartesia.ai/llms.txt"), "{digests}");
    assert_eq!(digests.lines().count(), 51);
    let mut prepared = api_codegen::load(&api_codegen::SpecDir::new(root.path().join("specs/cartesia"))).unwrap();
    assert_eq!(api_codegen::doc::Spec::new(&prepared.doc).operations().len(), 50);
    api_codegen::generate(&mut prepared).unwrap();
}

#[tokio::test]
async fn a_source_past_its_deadline_gives_way_to_the_next() {
    let mut served: BTreeMap<String, Vec<u8>> =
        cartesia_site().into_iter().map(|(path, body)| (format!("/m/{path}"), body)).collect();
    let stats = served.remove(CARTESIA_STATS).unwrap_or_else(|| page(fixtures::CARTESIA_STATS).into_bytes());
    let server = site(move |r| match r.path.as_str() {
        CARTESIA_STATS => Some(Reply::bytes("text/plain", stats.clone()).with_delay(Duration::from_secs(2))),
        path => served.get(path).map(|body| Reply::bytes("text/plain", body.clone())),
    })
    .await;
    let root = workspace();
    let mut options = options(&server, &["cartesia"]);
    options.fetch.source_timeout = Duration::from_millis(300);
    let outcome = refresh(root.path(), &options).await;
    let report = report(&outcome, "cartesia");
    assert!(report.source.ends_with("(source 2 of 2)"), "{report:#?}");
    assert!(report.fallbacks[0].contains("was not fetched within its 300ms"), "{:?}", report.fallbacks);
}

#[tokio::test]
async fn when_every_source_fails_each_reason_is_given() {
    let server =
        site(|r| (r.path == CARTESIA_STATS).then(|| Reply::bytes("text/plain", "configured_endpoints: 51\n"))).await;
    let text = assert_fails_untouched(&server, &["cartesia"], "cartesia", "no source yields a document").await;
    assert!(text.contains("1. sdk-stats") && text.contains("no `openapi_spec_url`"), "{text}");
    assert!(text.contains("2. docs-index") && text.contains("llms.txt: HTTP status 404"), "{text}");
}

#[test]
fn the_crafted_site_links_one_page_per_operation() {
    let site = cartesia_site();
    let index = String::from_utf8(site["docs.cartesia.ai/llms.txt"].clone()).unwrap();
    assert_eq!(index.lines().filter(|l| l.contains("/api-reference/")).count(), 50);
    let page = String::from_utf8(site["docs.cartesia.ai/api-reference/auth/auth-access-token.md"].clone()).unwrap();
    assert!(page.contains("````yaml latest.yml POST /access-token\nopenapi: \"3.0.1\""), "{page}");
}
