//! `cargo xtask vendor add`: a new vendor is a data folder (`specs/NAME/`) and a client crate
//! rendered from one template (`xtask/templates/client/`); every test, the demo and the
//! benchmarks find it in `specs/` without any other edit.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use api_codegen::SpecDir;
use serde_json::{Map, Value};
use spec_tools::examples;

use crate::refresh::{self, FetchConfig, Source};
use crate::{credentials, snapshots};
use api_codegen::doc::Spec;

/// The test functions of `tests/snapshots.rs`, each recording one snapshot per vendor.
const SNAPSHOT_TESTS: [&str; 2] = ["surface", "generated_client"];

/// The client crate's files, as `(path in the crate, template)`.
pub const TEMPLATE: [(&str, &str); 3] = [
    ("Cargo.toml", include_str!("../templates/client/Cargo.toml.tmpl")),
    ("build.rs", include_str!("../templates/client/build.rs.tmpl")),
    ("src/lib.rs", include_str!("../templates/client/lib.rs.tmpl")),
];

#[derive(Debug, Clone, Default)]
pub struct AddOptions {
    pub name: String,
    /// Docs pages each embedding an OpenAPI document in a ```` ```yaml ```` fence (with
    /// `docs_index`: the floor, always fetched).
    pub docs_pages: Vec<String>,
    /// A documentation index (`llms.txt`) and the path globs of its API reference pages.
    pub docs_index: Option<String>,
    pub pages: Vec<String>,
    /// One whole document, cut down to `operations`.
    pub document: Option<String>,
    pub operations: Vec<String>,
    pub fetch: FetchConfig,
}

/// The client crate's link to its data folder: `crates/NAME/spec` → `../../specs/NAME`. The
/// build script reads the spec through it, and `cargo package` copies the folder it points
/// to into the package, so the spec travels with the crate while `specs/` stays the one copy.
pub const SPEC_LINK: &str = "spec";

/// What [`SPEC_LINK`] points to, relative to the crate.
pub fn spec_link_target(name: &str) -> PathBuf {
    Path::new("../../specs").join(name)
}

/// Creates `crate_dir/spec` pointing to `specs/NAME`.
fn link_spec(crate_dir: &Path, name: &str) -> std::io::Result<()> {
    #[cfg(unix)]
    return std::os::unix::fs::symlink(spec_link_target(name), crate_dir.join(SPEC_LINK));
    #[cfg(not(unix))]
    return Err(std::io::Error::other(format!(
        "cannot create the symlink {SPEC_LINK} → {} here: create it by hand",
        spec_link_target(name).display()
    )));
}

/// A client crate's files for vendor `name`, rendered from [`TEMPLATE`] (its [`SPEC_LINK`]
/// is not a file: [`add`] creates it).
pub fn render_crate(name: &str) -> Vec<(&'static str, String)> {
    let mut title = name.replace('-', " ");
    if let Some(first) = title.get(..1) {
        title = format!("{}{}", first.to_uppercase(), &title[1..]);
    }
    TEMPLATE
        .iter()
        .map(|(path, template)| {
            let text = template
                .replace("{{name}}", name)
                .replace("{{Title}}", &title)
                .replace("{{ident}}", &name.replace('-', "_"));
            (*path, text)
        })
        .collect()
}

/// The environment variable prefix for a vendor: `my-api` → `MY_API`.
pub(crate) fn env_prefix(name: &str) -> String {
    name.to_uppercase().replace('-', "_")
}

/// The source the options describe, as `source.toml` will hold it.
fn source(options: &AddOptions) -> anyhow::Result<Source> {
    Ok(match (&options.docs_pages[..], &options.document) {
        (_, None) if options.docs_index.is_some() && !options.pages.is_empty() => Source::DocsIndex {
            index: options.docs_index.clone().unwrap_or_default(),
            pages: options.pages.clone(),
            floor: options.docs_pages.clone(),
            max_pages: None,
        },
        ([_, ..], None) if options.docs_index.is_none() => Source::DocsPages { pages: options.docs_pages.clone() },
        ([], Some(url)) if !options.operations.is_empty() => {
            Source::SlicedDocument { url: url.clone(), operations: options.operations.clone() }
        }
        _ => anyhow::bail!(
            "give --docs-page URL…, --docs-index URL --pages GLOB… (and --docs-page URL… as a floor), or --document \
             URL --operations ID…"
        ),
    })
}

/// Creates `specs/NAME/` and `crates/NAME/` under `root`; on any failure neither is left behind.
pub async fn add(root: &Path, options: &AddOptions) -> anyhow::Result<Vec<PathBuf>> {
    let name = &options.name;
    anyhow::ensure!(
        name.len() <= 40
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
        "`{name}`: a vendor name is lowercase letters, digits and `-`, starting with a letter"
    );
    let source = source(options)?;
    let spec_dir = root.join("specs").join(name);
    let crate_dir = root.join("crates").join(name);
    for dir in [&spec_dir, &crate_dir] {
        anyhow::ensure!(!dir.exists(), "{} already exists", dir.display());
    }
    let result = scaffold(root, name, &source, options.fetch.clone()).await;
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&spec_dir);
        let _ = std::fs::remove_dir_all(&crate_dir);
        for test in SNAPSHOT_TESTS {
            for spec in ["openapi.yaml", "openapi.json"] {
                let _ = std::fs::remove_file(root.join(snapshots::DIR).join(snapshots::file_name(
                    test,
                    name,
                    Path::new(spec),
                )));
            }
        }
    }
    result
}

async fn scaffold(root: &Path, name: &str, source: &Source, fetch: FetchConfig) -> anyhow::Result<Vec<PathBuf>> {
    let spec_dir = root.join("specs").join(name);
    std::fs::create_dir_all(&spec_dir)?;
    let mut written = Vec::new();
    let mut write = |path: PathBuf, text: &str| -> anyhow::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
        Ok(())
    };
    let mut fetched = Vec::new();
    let header = "# Where the upstream document comes from. `cargo xtask refresh` reads this.\n";
    write(spec_dir.join("source.toml"), &format!("{header}{}", toml::to_string(source)?))?;
    write(spec_dir.join("overlay.yaml"), &overlay(name, &[]))?;

    // The fetch, slicing and full generator run of `refresh`, which also writes the spec.
    let options = refresh::Options { vendors: vec![name.to_string()], fetch, quiet: true, ..Default::default() };
    let outcome = refresh::run(root, &options).await?;
    if let Some(failure) = outcome.failures.first() {
        anyhow::bail!("{failure}");
    }
    fetched.extend(outcome.written);

    // Credentials recognised by name in the document as served (what the overlay targets).
    let dir = SpecDir::new(&spec_dir);
    let secrets = credentials::recognise(&api_codegen::load::bundle::read(&dir.spec)?.doc);
    write(spec_dir.join("overlay.yaml"), &overlay(name, &secrets))?;

    // What `check-spec` checks: the spec with its overlay prepares and generates.
    let mut prepared = api_codegen::load(&dir)?;
    api_codegen::generate(&mut prepared)?;
    write(spec_dir.join("scenario.toml"), &scenario(&prepared.doc)?)?;
    let crate_dir = root.join("crates").join(name);
    for (path, text) in render_crate(name) {
        // The tag features come from the spec, as `cargo xtask features` writes them.
        let text =
            if path == "Cargo.toml" { spec_tools::feature_table::write(&text, &prepared.features) } else { text };
        write(crate_dir.join(path), &text)?;
    }
    link_spec(&crate_dir, name).with_context(|| format!("linking {}", crate_dir.join(SPEC_LINK).display()))?;
    written.push(crate_dir.join(SPEC_LINK));
    written.extend(snapshots::record(root, name, &dir)?);
    // Last, so a failure above leaves the demo's manifest alone.
    written.push(add_demo_dependency(root, name)?);
    written.extend(fetched);
    // The overlay was written twice (before and after the fetch).
    let mut seen = std::collections::BTreeSet::new();
    written.retain(|path| seen.insert(path.clone()));
    Ok(written)
}

/// The first `overlay.yaml`: the environment variables of `x-client`, each of `secrets` (JSON
/// pointers into the document) marked `x-secret: true`, and how to mark another.
fn overlay(name: &str, secrets: &[String]) -> String {
    let prefix = env_prefix(name);
    format!(
        "overlay: 1.0.0\ninfo:\n  title: {name} fixes and annotations\n  version: 1.0.0\nactions:\n  \
         - target: $.info\n    description: How the generated client is configured from the environment.\n    \
         update:\n      x-client:\n        api-key-env: {prefix}_API_KEY\n        base-url-env: {prefix}_BASE_URL\n\
         {}\
         # Mark every other property holding a credential (a key, a returned token): the client then\n\
         # holds it as a SecretString, redacted in Debug, Display and errors. For example:\n\
         #  - target: $.components.schemas.CreatedKey.properties.key\n\
         #    description: The new key is a credential.\n\
         #    update:\n\
         #      x-secret: true\n",
        credentials::overlay_actions(secrets)
    )
}

/// The manifest of the package that calls every client through its dispatcher.
pub const DEMO_MANIFEST: &str = "crates/demo/Cargo.toml";
/// The comment opening its block of client dependencies, one line each, sorted.
pub const DEMO_CLIENTS_MARKER: &str = "# Every vendor client, with its dispatcher";

/// A client's line in the demo's block of client dependencies.
pub fn demo_dependency(name: &str) -> String {
    format!("{name} = {{ path = \"../{name}\", features = [\"dispatch\"] }}")
}

/// Adds the new client to the demo's block of client dependencies (cargo has no way to
/// depend on every crate of a folder); the demo finds the vendor in `specs/` by itself.
fn add_demo_dependency(root: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let path = root.join(DEMO_MANIFEST);
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with(DEMO_CLIENTS_MARKER))
        .with_context(|| format!("{}: no line starting `{DEMO_CLIENTS_MARKER}`", path.display()))?
        + 1;
    let block = lines[start..].iter().take_while(|l| !l.trim().is_empty() && !l.starts_with('[')).count();
    let line = demo_dependency(name);
    let at = start + lines[start..start + block].iter().take_while(|l| l.as_str() < line.as_str()).count();
    lines.insert(at, line);
    std::fs::write(&path, lines.join("\n") + "\n").with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// A first `scenario.toml`: every operation once, in spec order, with example arguments for
/// its required parameters and its body (edit it to chain calls with `${operationId.field}`).
pub fn scenario(doc: &Value) -> anyhow::Result<String> {
    let mut out = String::from(
        "# What `cargo xtask demo` and the contract check call, in order. `${op.field}` is a field of\n\
         # an earlier call's answer.\n",
    );
    for operation in Spec::new(doc).operations() {
        let Some(id) = operation.id() else { continue };
        let mut call = Map::new();
        call.insert("operation".into(), id.into());
        let mut params = Map::new();
        for parameter in operation.parameters() {
            if let (true, Some(name), Some(schema)) =
                (parameter.required(), parameter.name(), parameter.node.get("schema"))
            {
                params.insert(name.into(), without_nulls(examples::example(doc, schema, 0)));
            }
        }
        if !params.is_empty() {
            call.insert("params".into(), Value::Object(params));
        }
        if let Some(body) = operation.request_body()
            && let Some(schema) = body.pointer("/content/application~1json/schema")
        {
            call.insert("body".into(), without_nulls(examples::example(doc, schema, 0)));
        }
        let mut table = Map::new();
        table.insert("call".into(), Value::Array(vec![Value::Object(call)]));
        out.push('\n');
        out.push_str(&toml::to_string(&table)?);
    }
    Ok(out)
}

/// TOML has no null: a null is an absent optional value.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, without_nulls(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().filter(|v| !v.is_null()).map(without_nulls).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_options_name_one_source() {
        let options = |pages: &[&str], index: Option<&str>, globs: &[&str], document: Option<&str>| AddOptions {
            docs_pages: pages.iter().map(|p| p.to_string()).collect(),
            docs_index: index.map(str::to_string),
            pages: globs.iter().map(|p| p.to_string()).collect(),
            document: document.map(str::to_string),
            operations: if document.is_some() { vec!["op".into()] } else { Vec::new() },
            ..AddOptions::default()
        };
        let index = source(&options(&["https://d/a.md"], Some("https://d/llms.txt"), &["/api/*.md"], None)).unwrap();
        assert_eq!(
            index,
            Source::DocsIndex {
                index: "https://d/llms.txt".into(),
                pages: vec!["/api/*.md".into()],
                floor: vec!["https://d/a.md".into()],
                max_pages: None
            }
        );
        let text = toml::to_string(&index).unwrap();
        assert_eq!(crate::refresh::Sources::parse(&text).unwrap().0, [index], "what it writes, refresh reads");
        assert!(matches!(source(&options(&["https://d/a.md"], None, &[], None)), Ok(Source::DocsPages { .. })));
        assert!(matches!(
            source(&options(&[], None, &[], Some("https://d/o.json"))),
            Ok(Source::SlicedDocument { .. })
        ));
        assert!(source(&options(&[], Some("https://d/llms.txt"), &[], None)).is_err(), "an index needs its globs");
        assert!(source(&options(&[], None, &[], None)).is_err());
    }

    /// The existing client crates are the template rendered for them: one template, no
    /// hand-made variants.
    #[test]
    fn every_client_crate_is_the_template() {
        let root = crate::workspace_root();
        for vendor in crate::vendors(&root).unwrap() {
            let prepared = api_codegen::load(&SpecDir::new(root.join("specs").join(&vendor))).unwrap();
            for (path, text) in render_crate(&vendor) {
                // The tag features come from the spec, as `vendor add` and `features` write them.
                let text = match path {
                    "Cargo.toml" => spec_tools::feature_table::write(&text, &prepared.features),
                    _ => text,
                };
                let file = root.join("crates").join(&vendor).join(path);
                let actual = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                assert_eq!(actual, text, "{} is not the template's", file.display());
            }
            let link = root.join("crates").join(&vendor).join(SPEC_LINK);
            let target = std::fs::read_link(&link).unwrap_or_else(|e| panic!("{}: {e}", link.display()));
            assert_eq!(target, spec_link_target(&vendor), "{}", link.display());
        }
    }

    /// The demo depends on every client through the line `vendor add` writes, and on nothing
    /// else in that block.
    #[test]
    fn the_demo_depends_on_every_client_as_vendor_add_writes_it() {
        let root = crate::workspace_root();
        let manifest = std::fs::read_to_string(root.join(DEMO_MANIFEST)).unwrap();
        let block: Vec<&str> = manifest
            .lines()
            .skip_while(|l| !l.starts_with(DEMO_CLIENTS_MARKER))
            .skip(1)
            .take_while(|l| !l.trim().is_empty() && !l.starts_with('['))
            .collect();
        let expected: Vec<String> = crate::vendors(&root).unwrap().iter().map(|v| demo_dependency(v)).collect();
        assert_eq!(block, expected);
    }

    #[test]
    fn a_first_scenario_calls_every_operation_with_examples() {
        let prepared = api_codegen::load(&SpecDir::new(crate::workspace_root().join("specs/vercel"))).unwrap();
        let text = scenario(&prepared.doc).unwrap();
        let parsed: toml::Table = toml::from_str(&text).unwrap();
        let calls = parsed["call"].as_array().unwrap();
        let mut ids: Vec<&str> = calls.iter().map(|c| c["operation"].as_str().unwrap()).collect();
        let mut every: Vec<&str> = prepared.model.operations.iter().map(|op| op.id.as_str()).collect();
        ids.sort_unstable();
        every.sort_unstable();
        assert_eq!(ids, every, "one call per operation the client has");
        let call = |id: &str| calls.iter().find(|c| c["operation"].as_str() == Some(id)).unwrap();
        assert!(call("createAuthToken").get("body").is_some(), "{text}");
        assert!(call("getAuthToken")["params"].get("tokenId").is_some(), "{text}");
    }
}
