//! `cargo xtask refresh` on a document served in several files (a crafted one in DigitalOcean's
//! layout, `tests/multi_file/`): the files its `$ref`s name are fetched from beside it and
//! vendored as served, the generator reads them bundled, and a file no longer referenced goes.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use loopback::{Reply, Server};
use xtask::refresh::{self, FetchConfig, Mirror, Options};

const SPEC_URL: &str = "https://api.example.test/spec/openapi.yaml";

/// The crafted document's files, by path relative to its folder.
fn upstream() -> BTreeMap<String, Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/multi_file");
    let mut files = BTreeMap::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().unwrap() != "README.md" {
                let relative = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Serves `files` under the mirror's path for `SPEC_URL`'s folder, recording what was asked.
async fn serve(files: BTreeMap<String, Vec<u8>>) -> Server {
    Server::start(move |request| {
        let path = request.path.strip_prefix("/m/api.example.test/spec/").unwrap_or_default();
        match files.get(path) {
            Some(body) => Reply::bytes("text/yaml", body.clone()),
            None => Reply::status(404),
        }
    })
    .await
    .unwrap()
}

/// A workspace with one vendor, `crafted`, whose source is the document at `SPEC_URL`.
fn workspace() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("specs/crafted");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("source.toml"), format!("kind = \"document\"\nurl = \"{SPEC_URL}\"\n")).unwrap();
    let overlay = "overlay: 1.0.0\ninfo: {title: crafted, version: '1'}\nactions:\n  - target: $.info\n    update: {x-client: {api-key-env: CRAFTED_API_KEY}}\n";
    std::fs::write(dir.join("overlay.yaml"), overlay).unwrap();
    root
}

fn options(server: &Server) -> Options {
    Options {
        vendors: vec!["crafted".into()],
        check: false,
        report: None,
        fetch: FetchConfig {
            timeout: Duration::from_secs(5),
            mirror: Some(Mirror::parse(&format!("{}/m", server.url()))),
            ..FetchConfig::default()
        },
        quiet: true,
    }
}

fn vendored(root: &Path) -> Vec<String> {
    let dir = root.join("specs/crafted");
    let mut files = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path: PathBuf = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path.strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    files
}

#[tokio::test]
async fn every_referenced_file_is_vendored_as_served_and_the_client_reads_them_bundled() {
    let upstream = upstream();
    let server = serve(upstream.clone()).await;
    let root = workspace();
    let outcome = refresh::run(root.path(), &options(&server)).await.unwrap();
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);

    // The root as `openapi.yaml`, every file it reaches at its own path, byte for byte; the code
    // samples an extension names are data, never fetched.
    let dir = root.path().join("specs/crafted");
    let files = vendored(root.path());
    for (path, bytes) in &upstream {
        let local = if path == "openapi.yaml" { dir.join("openapi.yaml") } else { dir.join(path) };
        assert_eq!(&std::fs::read(&local).unwrap(), bytes, "{path}");
    }
    assert!(!server.requests().iter().any(|r| r.path.contains("examples/")), "a code sample was fetched");
    assert_eq!(files.len(), upstream.len() + 3, "{files:?}"); // + source.toml, overlay.yaml, fetched.sha256
    let fetched = std::fs::read_to_string(dir.join("fetched.sha256")).unwrap();
    assert_eq!(fetched.lines().count(), upstream.len(), "{fetched}");
    assert!(fetched.contains("https://api.example.test/spec/common/responses/not_found.yml"), "{fetched}");

    // The generator reads the folder as one document: every operation, shared parts shared.
    let mut prepared = api_codegen::load(&api_codegen::SpecDir::new(&dir)).unwrap();
    let operations: Vec<&str> = prepared.model.operations.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(operations, ["droplets_list", "droplets_create", "droplets_get"]);
    assert_eq!(prepared.sources.len(), upstream.len() - 1);
    let schemas = prepared.doc["components"]["schemas"].as_object().unwrap();
    for name in ["droplet", "region", "error", "droplet_create"] {
        assert!(schemas.contains_key(name), "{name}: {:?}", schemas.keys());
    }
    assert_eq!(prepared.doc["tags"][0]["description"], "A Droplet is a virtual machine.\n");
    assert!(!prepared.rules.changes_of(api_codegen::rules::BUNDLE).is_empty());
    let generated = api_codegen::generate(&mut prepared).unwrap();
    assert!(generated.client.contains("pub struct Droplet "), "no Droplet type");

    // Upstream drops an operation: the files only it referenced leave the folder.
    let mut changed = upstream.clone();
    let text = String::from_utf8(changed["openapi.yaml"].clone()).unwrap();
    let text = text
        .replace("  /v2/droplets/{droplet_id}:\n    get:\n      $ref: \"resources/droplets/droplets_get.yml\"\n", "");
    changed.insert("openapi.yaml".into(), text.into_bytes());
    let server = serve(changed).await;
    let outcome = refresh::run(root.path(), &options(&server)).await.unwrap();
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    let report = refresh::report_text(&outcome.updates.iter().map(|u| u.report.clone()).collect::<Vec<_>>());
    assert!(report.contains("droplets_get"), "{report}");
    let files = vendored(root.path());
    for gone in
        ["resources/droplets/droplets_get.yml", "resources/droplets/parameters.yml", "common/responses/not_found.yml"]
    {
        assert!(!files.contains(&gone.to_string()), "{gone} stayed: {files:?}");
    }
    assert!(files.contains(&"common/models/error.yml".to_string()), "{files:?}");
}

#[tokio::test]
async fn a_reference_out_of_the_documents_folder_is_refused_and_nothing_is_written() {
    let mut upstream = upstream();
    let get = String::from_utf8(upstream["resources/droplets/droplets_get.yml"].clone()).unwrap();
    let get = get.replace("'parameters.yml#/droplet_id'", "'../../../../secrets/parameters.yml#/droplet_id'");
    upstream.insert("resources/droplets/droplets_get.yml".into(), get.into_bytes());
    let server = serve(upstream).await;
    let root = workspace();
    let before = vendored(root.path());
    let outcome = refresh::run(root.path(), &options(&server)).await.unwrap();
    assert_eq!(vendored(root.path()), before);
    let failure = outcome.failures.first().expect("refused").to_string();
    assert!(failure.contains("resources/droplets/droplets_get.yml: at /parameters/0"), "{failure}");
    assert!(failure.contains("leads out of the document's folder"), "{failure}");
    assert!(!server.requests().iter().any(|r| r.path.contains("secrets")), "fetched outside the folder");
}
