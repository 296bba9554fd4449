//! `cargo xtask refresh`, offline: a loopback server stands in for every vendor site (through
//! `--mirror`), serving the real pages and documents (copies in `tests/fixtures/upstream`) and
//! broken variants.
//! Every run works on a temporary copy of `specs/`; every failure must leave it byte-identical.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use loopback::{Reply, Server};
use xtask::fixtures;
use xtask::refresh::{FetchConfig, Mirror, Options};

/// The first sources of every vendor: Perplexity's index, Vercel's document, Cartesia's
/// `.stats.yml` (Perplexity's pages and Cartesia's document are fetched after them).
const FIRST_SOURCES: usize = 3;

mod support;
use support::*;

#[tokio::test]
async fn refresh_reproduces_the_vendored_specs_from_every_source_kind() {
    let server = site(|_| None).await;
    let root = workspace();
    let before = files(root.path());
    let outcome = refresh(root.path(), &options(&server, &[])).await;
    assert!(outcome.failures.is_empty(), "{:#?}", outcome.failures);

    // Merged pages, a whole document, an SDK's `.stats.yml` and the document it names: each
    // is exactly what is vendored, byte for byte, so nothing is written.
    for update in &outcome.updates {
        assert!(!update.report.changed && update.files.is_empty(), "{:#?}", update);
    }
    assert!(outcome.written.is_empty());
    assert_unchanged(&before, &files(root.path()));
    let spec = std::fs::read(root.path().join("specs/vercel/openapi.json")).unwrap();
    assert_eq!(spec, fixtures::page(fixtures::VERCEL_DOC).unwrap(), "Vercel's document, as served");
    assert!(!root.path().join("specs/vercel/openapi.yaml").exists());

    // What was fetched is recorded, the document a `.stats.yml` names after the file itself.
    let by_vendor = |v: &str| outcome.updates.iter().find(|u| u.report.vendor == v).unwrap();
    let digests = std::fs::read_to_string(root.path().join("specs/cartesia/fetched.sha256")).unwrap();
    let urls: Vec<&str> = digests.lines().filter_map(|l| l.split_once("  ")).map(|(_, url)| url).collect();
    assert_eq!(
        urls,
        [
            "https://raw.githubusercontent.com/cartesia-ai/cartesia-js/main/.stats.yml",
            &format!("https://{}", fixtures::CARTESIA_DOC)
        ]
    );
    assert_eq!(by_vendor("cartesia").report.sources, urls);
    assert!(by_vendor("cartesia").report.notes[0].contains("openapi_spec_hash b6a9596c9baef1becb0913b7f6cbfb15"));

    // Every deviation from upstream is in the report: the rules that changed Vercel's document.
    let vercel = &by_vendor("vercel").report;
    let rule =
        |name: &str| vercel.rules.iter().find(|r| r.rule == name).unwrap_or_else(|| panic!("{name}: {vercel:#?}"));
    assert_eq!(rule("derive-operation-id").places.len(), 7);
    assert!(
        rule("declare-path-parameters").places[0].0.contains("/paths/~1v3~1teams~1{teamId}~1members"),
        "{vercel:#?}"
    );
    let text = xtask::refresh::report_text(std::slice::from_ref(vercel));
    assert!(text.contains("vercel: normalisation rules: derive-operation-id 7,"), "{text}");

    // The refreshed (here: unchanged) Cartesia spec generates and compiles.
    let mut prepared = api_codegen::load(&api_codegen::SpecDir::new(root.path().join("specs/cartesia"))).unwrap();
    let generated = api_codegen::generate(&mut prepared).unwrap();
    compile(&generated.client);
}

#[tokio::test]
async fn a_spec_vendored_in_another_format_is_replaced_by_the_served_one() {
    // A Vercel spec kept as YAML (as the sliced one was): the served JSON replaces it.
    let server = site(|_| None).await;
    let root = workspace();
    let dir = root.path().join("specs/vercel");
    let doc = api_codegen::load::yaml::read(&dir.join("openapi.json")).unwrap();
    std::fs::write(dir.join("openapi.yaml"), api_codegen::load::yaml::to_string(&dir, &doc).unwrap()).unwrap();
    std::fs::remove_file(dir.join("openapi.json")).unwrap();
    let outcome = refresh(root.path(), &options(&server, &["vercel"])).await;
    assert!(outcome.failures.is_empty(), "{:#?}", outcome.failures);
    assert!(!outcome.updates[0].report.changed, "the same document, in another format");
    assert_eq!(std::fs::read(dir.join("openapi.json")).unwrap(), fixtures::page(fixtures::VERCEL_DOC).unwrap());
    assert!(!dir.join("openapi.yaml").exists(), "the old file is removed");
}

#[tokio::test]
async fn the_perplexity_pages_merge_into_one_bearer_scheme_and_all_eight_operations() {
    let server = site(|_| None).await;
    let root = workspace();
    std::fs::remove_file(root.path().join("specs/perplexity/openapi.yaml")).unwrap();
    std::fs::write(
        root.path().join("specs/perplexity/openapi.yaml"),
        "openapi: 3.1.0\ninfo: {title: T, version: '0'}\npaths: {}\n",
    )
    .unwrap();
    let outcome = refresh(root.path(), &options(&server, &["perplexity"])).await;
    assert!(outcome.failures.is_empty(), "{:#?}", outcome.failures);
    let spec = api_codegen::load::yaml::read(&root.path().join("specs/perplexity/openapi.yaml")).unwrap();
    assert_eq!(
        std::fs::read(root.path().join("specs/perplexity/openapi.yaml")).unwrap(),
        std::fs::read(xtask::workspace_root().join("specs/perplexity/openapi.yaml")).unwrap(),
        "the merge is what is vendored"
    );
    let mut ids: Vec<&str> = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op.get("operationId").and_then(|v| v.as_str()))
        .collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        [
            "chat_completions_chat_completions_post",
            "contextualized_embeddings_v1_contextualizedembeddings_post",
            "createResponse",
            "embeddings_v1_embeddings_post",
            "generate_auth_token",
            "listModels",
            "revoke_auth_token",
            "search_search_post",
        ]
    );
    let schemes = spec["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(schemes.keys().collect::<Vec<_>>(), ["HTTPBearer"], "BearerAuth and HTTPBearer are one scheme");
    let ops = spec["paths"].as_object().unwrap().values().flat_map(|item| item.as_object().unwrap().values());
    for op in ops {
        for requirement in op["security"].as_array().unwrap() {
            assert_eq!(requirement.as_object().unwrap().keys().collect::<Vec<_>>(), ["HTTPBearer"], "{op}");
        }
    }
    assert_eq!(spec["info"]["version"], "1.0.0", "the version most pages have");
    assert_eq!(spec["servers"][0]["url"], "https://api.perplexity.ai");
    let notes = outcome.updates[0].report.notes.join("\n");
    assert!(notes.contains("`BearerAuth` defined identically to `HTTPBearer`"), "{notes}");
    assert!(notes.contains("pages disagree on `info`") && notes.contains("chat-completions-post.md"), "{notes}");
}

/// Type-checks generated client code as a crate of its own, against this workspace's runtime.
fn compile(client: &str) {
    let dir = tempfile::tempdir().unwrap();
    let lib = format!("#![allow(warnings, clippy::all)]\n{client}");
    xtask::scratch::write_crate(dir.path(), "refreshed-vercel", "", &lib).unwrap();
    let out = xtask::scratch::cargo()
        .args(["check", "--offline", "--quiet"])
        .current_dir(dir.path())
        // A target directory of its own (this test runs while cargo holds the workspace's),
        // kept between runs so only the first one pays for the dependencies.
        .env("CARGO_TARGET_DIR", xtask::scratch::target_dir().join("refresh-compile-check"))
        .output()
        .unwrap();
    assert!(out.status.success(), "the refreshed client does not compile:\n{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn check_mode_writes_nothing_and_reports_drift_by_exit_code() {
    // Upstream retypes a property of the token request.
    let doc = page(fixtures::CARTESIA_DOC)
        .replace("        expires_in:\n          type: integer\n", "        expires_in:\n          type: string\n");
    assert_ne!(doc, page(fixtures::CARTESIA_DOC));
    let server = site(move |r| (r.path == CARTESIA_DOC).then(|| Reply::bytes("application/yaml", doc.clone()))).await;
    let root = workspace();
    let before = files(root.path());
    let report = root.path().join("drift");
    let mut opts = options(&server, &["cartesia"]);
    opts.check = true;
    opts.report = Some(report.clone());
    let outcome = refresh(root.path(), &opts).await;
    assert!(outcome.failures.is_empty(), "{:#?}", outcome.failures);
    assert_unchanged(&before, &files(root.path()));
    assert_eq!(outcome.exit_code(), std::process::ExitCode::from(1));

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.with_extension("json")).unwrap()).unwrap();
    let changes = json["vendors"][0]["changes"].as_array().unwrap();
    let retyped = changes.iter().find(|c| c["location"] == "schema TokenRequest: expires_in").unwrap();
    assert_eq!(retyped["level"], "breaking");
    assert_eq!(retyped["kind"], "property-retyped");
    assert_eq!(retyped["rust_items"], serde_json::json!(["types::TokenRequest::expires_in"]));
    let rules = json["vendors"][0]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["rule"] == "multipart-form"), "{rules:?}");
    let markdown = std::fs::read_to_string(report.with_extension("md")).unwrap();
    assert!(markdown.contains("| breaking | schema TokenRequest: expires_in |"), "{markdown}");
    assert!(markdown.contains("<code>multipart-form</code>"), "{markdown}");

    let server = site(|_| None).await;
    let mut opts = options(&server, &["cartesia", "perplexity"]);
    opts.check = true;
    assert_eq!(refresh(root.path(), &opts).await.exit_code(), std::process::ExitCode::SUCCESS);
}

#[tokio::test]
async fn crafted_upstream_changes_are_reported_with_their_levels() {
    // Upstream (the served page) adds a required request property and an enum value, and
    // drops the optional `token_name` from the response.
    let page = page(fixtures::GENERATE_PAGE)
        .replace("      properties:\n        token_name:\n          type: string\n          description: >-\n            Optional name",
                 "      required:\n        - scope\n      properties:\n        scope:\n          type: string\n          enum: [read, write]\n        token_name:\n          type: string\n          description: >-\n            Optional name")
        .replace("        token_name:\n          type: string\n          description: The name associated with this token, if provided.\n          example: Production API Key\n", "");
    let server = site(move |r| (r.path == GENERATE_PAGE).then(|| Reply::bytes("text/markdown", page.clone()))).await;
    let root = workspace();
    let outcome = refresh(root.path(), &options(&server, &["perplexity"])).await;
    assert!(outcome.failures.is_empty(), "{:#?}", outcome.failures);
    let report = &outcome.updates[0].report;
    let find = |location: &str| {
        report
            .changes
            .iter()
            .find(|c| c.change.location == location)
            .unwrap_or_else(|| panic!("{location}: {report:#?}"))
    };
    let scope = find("schema GenerateAuthTokenRequest: scope");
    assert_eq!(scope.change.level, spec_tools::drift::Level::Breaking);
    assert_eq!(scope.rust_items, ["types::GenerateAuthTokenRequest::scope"]);
    let name = find("schema GenerateAuthTokenResponse: token_name");
    assert_eq!(name.change.level, spec_tools::drift::Level::PotentiallyBreaking);
    // Written, since nothing failed.
    let spec = std::fs::read_to_string(root.path().join("specs/perplexity/openapi.yaml")).unwrap();
    assert!(spec.contains("scope"));
}

#[tokio::test]
async fn a_404_fails_with_vendor_and_url() {
    let server = site(|r| (r.path == CARTESIA_STATS).then(|| Reply::status(404))).await;
    let text = assert_fails_untouched(&server, &[], "cartesia", "HTTP status 404").await;
    assert!(text.contains("cartesia-js/main/.stats.yml"), "{text}");
}

#[tokio::test]
async fn the_document_a_stats_file_names_failing_to_fetch_fails() {
    let server = site(|r| (r.path == CARTESIA_DOC).then(|| Reply::status(404))).await;
    let text = assert_fails_untouched(&server, &["cartesia"], "cartesia", "HTTP status 404").await;
    assert!(text.contains("noah-testing-518c9e37"), "{text}");
}

#[tokio::test]
async fn a_stats_file_without_the_document_url_fails() {
    let stats = page(fixtures::CARTESIA_STATS);
    let without: String =
        stats.lines().filter(|l| !l.starts_with("openapi_spec_url:")).map(|l| format!("{l}\n")).collect();
    let server = site(move |r| (r.path == CARTESIA_STATS).then(|| Reply::bytes("text/plain", without.clone()))).await;
    let text = assert_fails_untouched(&server, &["cartesia"], "cartesia", "openapi_spec_url").await;
    assert!(text.contains(".stats.yml"), "{text}");
    assert!(server.requests().iter().all(|r| r.path != CARTESIA_DOC), "nothing named, nothing fetched");
}

#[tokio::test]
async fn a_stats_file_without_the_hash_or_naming_a_plain_http_url_fails() {
    let stats = page(fixtures::CARTESIA_STATS);
    let without: String =
        stats.lines().filter(|l| !l.starts_with("openapi_spec_hash:")).map(|l| format!("{l}\n")).collect();
    let server = site(move |r| (r.path == CARTESIA_STATS).then(|| Reply::bytes("text/plain", without.clone()))).await;
    assert_fails_untouched(&server, &["cartesia"], "cartesia", "openapi_spec_hash").await;
    let plain = stats.replace("https://storage", "http://storage");
    let server = site(move |r| (r.path == CARTESIA_STATS).then(|| Reply::bytes("text/plain", plain.clone()))).await;
    assert_fails_untouched(&server, &["cartesia"], "cartesia", "not an https URL").await;
}

#[tokio::test]
async fn a_500_is_retried_then_succeeds() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let server = site(move |r| {
        (r.path == CARTESIA_STATS && counter.fetch_add(1, Ordering::SeqCst) == 0).then(|| Reply::status(500))
    })
    .await;
    let root = workspace();
    let outcome = refresh(root.path(), &options(&server, &["cartesia"])).await;
    assert!(outcome.failures.is_empty(), "{:#?}", outcome.failures);
    assert_eq!(calls.load(Ordering::SeqCst), 2, "one retry");
}

#[tokio::test]
async fn persistent_503_gives_up_after_the_bounded_attempts() {
    let server = site(|r| (r.path == VERCEL_DOC).then(|| Reply::status(503))).await;
    let text = assert_fails_untouched(&server, &["vercel"], "vercel", "HTTP status 503").await;
    assert!(text.contains("after 3 attempt(s)"), "{text}");
    assert_eq!(server.requests().iter().filter(|r| r.path == VERCEL_DOC).count(), 3);
}

#[tokio::test]
async fn a_hang_past_the_timeout_fails() {
    let server = site(|r| (r.path == VERCEL_DOC).then(|| Reply::status(200).with_delay(Duration::from_secs(5)))).await;
    assert_fails_untouched(&server, &["vercel"], "vercel", "no complete response within").await;
}

#[tokio::test]
async fn html_where_a_document_was_expected_fails() {
    let html = "<!doctype html><html><body>Service moved</body></html>";
    let server = site(move |r| (r.path == VERCEL_DOC).then(|| Reply::bytes("text/html", html))).await;
    assert_fails_untouched(&server, &["vercel"], "vercel", "not an OpenAPI document").await;
}

#[tokio::test]
async fn truncated_yaml_fails() {
    let doc = page(fixtures::CARTESIA_DOC);
    let cut = doc[..doc.find("  securitySchemes:").unwrap()].to_string()
        + "  securitySchemes:\n    ApiKeyAuth:\n      type: apiKey\n      in: [\n";
    let server = site(move |r| (r.path == CARTESIA_DOC).then(|| Reply::bytes("application/yaml", cut.clone()))).await;
    assert_fails_untouched(&server, &["cartesia"], "cartesia", "not valid YAML").await;
}

#[tokio::test]
async fn a_page_without_a_fence_fails() {
    let server =
        site(|r| (r.path == REVOKE_PAGE).then(|| Reply::bytes("text/markdown", "# Revoke\n\nSee the dashboard.\n")))
            .await;
    let text = assert_fails_untouched(&server, &["perplexity"], "perplexity", "no ```yaml fence").await;
    assert!(text.contains("revoke-auth-token-post.md"), "{text}");
}

#[tokio::test]
async fn a_document_without_an_openapi_version_fails() {
    let doc = page(fixtures::VERCEL_DOC).replacen("\"openapi\"", "\"swagger\"", 1);
    let server = site(move |r| (r.path == VERCEL_DOC).then(|| Reply::bytes("application/json", doc.clone()))).await;
    assert_fails_untouched(&server, &["vercel"], "vercel", "not an OpenAPI document").await;
}

#[tokio::test]
async fn a_yaml_alias_bomb_fails_fast() {
    let mut bomb = String::from("openapi: 3.0.3\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
    }
    let server = site(move |r| (r.path == VERCEL_DOC).then(|| Reply::bytes("application/yaml", bomb.clone()))).await;
    assert_fails_untouched(&server, &["vercel"], "vercel", "budget").await;
}

#[tokio::test]
async fn a_response_over_the_size_cap_fails() {
    let server =
        site(|r| (r.path == VERCEL_DOC).then(|| Reply::bytes("application/json", vec![b' '; 9 * 1024 * 1024]))).await;
    assert_fails_untouched(&server, &["vercel"], "vercel", "larger than the 8388608-byte cap").await;
}

#[tokio::test]
async fn an_overlay_that_no_longer_applies_fails() {
    // Upstream renames the property our overlay marks secret.
    let mut doc: serde_json::Value = serde_json::from_str(&page(fixtures::VERCEL_DOC)).unwrap();
    let props = doc
        .pointer_mut("/paths/~1v3~1user~1tokens/post/responses/200/content/application~1json/schema/properties")
        .unwrap()
        .as_object_mut()
        .unwrap();
    let token = props.shift_remove("bearerToken").unwrap();
    props.insert("accessToken".into(), token);
    let doc = doc.to_string();
    let server = site(move |r| (r.path == VERCEL_DOC).then(|| Reply::bytes("application/json", doc.clone()))).await;
    assert_fails_untouched(&server, &["vercel"], "vercel", "matches nothing").await;
}

#[tokio::test]
async fn one_failing_vendor_stops_every_write() {
    // Perplexity would change, but Cartesia fails: nothing at all is written.
    let changed = page(fixtures::REVOKE_PAGE).replace("The authentication token to revoke.", "The token to revoke.");
    let server = site(move |r| match r.path.as_str() {
        CARTESIA_STATS => Some(Reply::status(404)),
        REVOKE_PAGE => Some(Reply::bytes("text/markdown", changed.clone())),
        _ => None,
    })
    .await;
    let text = assert_fails_untouched(&server, &[], "cartesia", "404").await;
    assert!(text.starts_with("cartesia: "), "{text}");
}

#[tokio::test]
async fn sources_are_fetched_concurrently() {
    // Every reply waits a second. Fetched concurrently, every source's request arrives before
    // the first reply is sent; one after another, each would arrive after the previous reply.
    // (The document a `.stats.yml` names is fetched once the file is in, as it must be.)
    let delay = Duration::from_secs(1);
    let content = upstream();
    let server = Server::start(move |r| match content.get(r.path.as_str()) {
        Some(body) => Reply::bytes("text/plain", body.clone()).with_delay(delay),
        None => Reply::status(404),
    })
    .await
    .unwrap();
    let root = workspace();
    let outcome = refresh(root.path(), &options(&server, &[])).await;
    assert!(outcome.failures.is_empty(), "{:#?}", outcome.failures);
    let requests = server.requests();
    assert_eq!(requests.len(), FIRST_SOURCES + 1 + 8, "the first sources, Cartesia's document, Perplexity's pages");
    let first_wave = [PERPLEXITY_INDEX, VERCEL_DOC, CARTESIA_STATS];
    let (first, second): (Vec<_>, Vec<_>) = requests.iter().partition(|r| first_wave.contains(&r.path.as_str()));
    let arrivals = || requests.iter().map(|r| (&r.path, r.answered_before)).collect::<Vec<_>>();
    assert!(first.iter().all(|r| r.answered_before == 0), "fetched one after another: {:?}", arrivals());
    // What the index and the `.stats.yml` name is fetched once they are in, all of it at once:
    // one after another, each page would arrive after the previous page's reply.
    assert!(
        second.iter().all(|r| (1..=FIRST_SOURCES).contains(&r.answered_before)),
        "named before being read, or fetched one after another: {:?}",
        arrivals()
    );
}

#[tokio::test]
async fn a_local_folder_can_stand_in_for_every_host() {
    let mirror = tempfile::tempdir().unwrap();
    fixtures::write_mirror(mirror.path()).unwrap();
    let root = workspace();
    let mut opts = Options {
        fetch: FetchConfig {
            mirror: Some(Mirror::parse(&mirror.path().display().to_string())),
            ..FetchConfig::default()
        },
        ..Options::default()
    };
    opts.check = true;
    let outcome = refresh(root.path(), &opts).await;
    assert!(outcome.failures.is_empty(), "{:#?}", outcome.failures);
    assert!(!outcome.drifted(), "the vendored specs are the mirrored ones");

    std::fs::remove_file(mirror.path().join(fixtures::CARTESIA_STATS)).unwrap();
    let outcome = refresh(root.path(), &opts).await;
    let failure = outcome.failures.iter().find(|f| f.vendor == "cartesia").unwrap().to_string();
    assert!(failure.contains(".stats.yml") && failure.contains("cannot read the mirror file"), "{failure}");
}

#[test]
fn every_fixture_is_listed_in_the_manifest_and_matches_it() {
    let listed: Vec<String> = fixtures::manifest().unwrap().into_iter().map(|e| e.path).collect();
    let mut stack = vec![fixtures::upstream_dir()];
    let mut found = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().unwrap() != "MANIFEST.toml" {
                found.push(path.strip_prefix(fixtures::upstream_dir()).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(found, sorted, "files in tests/fixtures/upstream vs MANIFEST.toml");
    for entry in fixtures::manifest().unwrap() {
        assert!(entry.url.starts_with("https://"), "{entry:?}");
        assert!(!entry.fetched.is_empty(), "{entry:?}");
        fixtures::read(&entry).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Cartesia's document as the vendor might publish it for its next API version (crafted from
/// the real one): the version header's value, the key moved from `Authorization: Bearer` to an
/// `X-API-Key` header, and an upper bound on `expires_in`.
fn crafted_next_cartesia_release() -> String {
    let doc = page(fixtures::CARTESIA_DOC);
    let next = doc
        .replacen("  version: ''\n", "  version: 2026-03-01\n", 1)
        .replace("          - '2025-11-04'\n", "          - '2026-03-01'\n")
        .replace(
            "    APIKeyAuth:\n      type: http\n      scheme: bearer\n      bearerFormat: API Key\n",
            "    APIKeyAuth:\n      type: apiKey\n      in: header\n      name: X-API-Key\n",
        )
        .replace(
            "        expires_in:\n          type: integer\n          nullable: true\n",
            "        expires_in:\n          type: integer\n          nullable: true\n          maximum: 3600\n",
        );
    for (before, after) in [
        ("version: ''", "version: 2026-03-01"),
        ("'2025-11-04'", "'2026-03-01'"),
        ("bearerFormat: API Key", "name: X-API-Key"),
        ("nullable: true\n          description: >-\n            The number of seconds", "maximum: 3600"),
    ] {
        assert!(doc.contains(before) && next.contains(after), "the crafted release no longer applies: {before}");
    }
    next
}

#[test]
fn a_newer_release_replays_through_the_command_with_its_wire_effects() {
    // The vendor publishes its next API version; `--check` writes nothing.
    let mirror = tempfile::tempdir().unwrap();
    fixtures::write_mirror(mirror.path()).unwrap();
    std::fs::write(mirror.path().join(fixtures::CARTESIA_DOC), crafted_next_cartesia_release()).unwrap();
    let report = mirror.path().join("drift");
    let specs_before = files(&xtask::workspace_root());

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["refresh", "--check", "--vendor", "cartesia", "--mirror"])
        .arg(mirror.path())
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "drift exits 1 under --check:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_unchanged(&specs_before, &files(&xtask::workspace_root()));

    // The first screen: the summary, then breaking changes, grouped by tag.
    let lines: Vec<&str> = stdout.lines().skip_while(|l| !l.starts_with("cartesia: ")).collect();
    assert!(lines[0].contains("breaking"), "{stdout}");
    assert!(lines[1].trim_start().starts_with("breaking ("), "{stdout}");
    for expected in [
        "the client now sends the key in header `X-API-Key` instead of `Authorization: Bearer <key>`",
        "the client now sends `Cartesia-Version: 2026-03-01` instead of `2025-11-04`",
        "`maximum` set to 3600: the server now rejects larger values in requests",
        "info.version: changed from `` to `2026-03-01`",
    ] {
        assert!(stdout.contains(expected), "missing `{expected}`:\n{stdout}");
    }
    let breaking = stdout.find("  breaking (").unwrap();
    let informational = stdout.find("  non-breaking (").unwrap();
    assert!(
        breaking < stdout.find("header `X-API-Key`").unwrap()
            && stdout.find("header `X-API-Key`").unwrap() < informational
    );

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.with_extension("json")).unwrap()).unwrap();
    let changes = json["vendors"][0]["changes"].as_array().unwrap();
    let auth = changes
        .iter()
        .find(|c| c["location"] == "operation auth_access-token" && c["kind"] == "security-changed")
        .unwrap();
    assert_eq!(auth["level"], "breaking");
    assert_eq!(auth["tags"], serde_json::json!(["Auth"]));
    let markdown = std::fs::read_to_string(report.with_extension("md")).unwrap();
    assert!(markdown.contains("| tag | breaking | potentially breaking | non-breaking |"), "{markdown}");
    assert!(markdown.contains("| Auth | 2 |"), "{markdown}");
}
