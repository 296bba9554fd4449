//! Generating part of an API: one cargo feature per tag, and cutting a document down to chosen
//! operations and the transitive closure of the `$ref`s they use.
//!
//! A feature's name is its tag's name in kebab-case (`logDrains` → `log-drains`, `Edge Config`
//! → `edge-config`); operations without a tag belong to the feature [`UNTAGGED`]. An operation
//! with several tags is generated when any of them is enabled. Tags whose names differ only in
//! spelling share one feature.

pub mod feature_table;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::{Map, Value};

use crate::doc::{METHODS, Spec};
use crate::plan::Plan;

/// The feature of operations that have no tag.
pub const UNTAGGED: &str = "untagged";

/// Every feature a document defines, each with the tags it stands for.
pub type Features = BTreeMap<String, BTreeSet<String>>;

/// Which operations to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// The whole document.
    All,
    /// Operations of these features (compared as cargo's `CARGO_FEATURE_*` keys, so `log-drains`
    /// and `LOG_DRAINS` are the same feature).
    Features(BTreeSet<String>),
}

impl Selection {
    /// The operations of `features` (feature names as in `Cargo.toml`, or cargo's env keys).
    pub fn features<S: AsRef<str>>(features: impl IntoIterator<Item = S>) -> Self {
        Selection::Features(features.into_iter().map(|f| env_key(f.as_ref())).collect())
    }

    fn includes(&self, feature: &str) -> bool {
        match self {
            Selection::All => true,
            Selection::Features(set) => set.contains(&env_key(feature)),
        }
    }
}

/// How cargo names a feature in a build script's environment: `CARGO_FEATURE_<this>`.
pub fn env_key(feature: &str) -> String {
    feature.to_uppercase().replace('-', "_")
}

/// A tag's feature name: kebab-case, ASCII letters and digits only.
pub fn feature_name(tag: &str) -> String {
    let mut out = String::new();
    let mut previous: Option<char> = None;
    for c in tag.chars() {
        if c.is_ascii_alphanumeric() {
            // A word starts at an upper-case letter after a lower-case letter or digit.
            let boundary =
                c.is_ascii_uppercase() && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit());
            if boundary && !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        previous = Some(c);
    }
    let out = out.trim_end_matches('-').to_string();
    // A feature name must start with a letter or digit; a tag made only of symbols falls back.
    if out.is_empty() {
        UNTAGGED.to_string()
    } else if RESERVED.contains(&out.as_str()) {
        format!("tag-{out}")
    } else {
        out
    }
}

/// Features every client crate has besides its tags: a tag of that name gets a prefix.
const RESERVED: &[&str] = &["default", "full", "mock", "dispatch", "serialize", "deserialize"];

/// The features of an operation: its tags' features, or [`UNTAGGED`].
fn features_of(operation: &Value) -> Vec<String> {
    let tags: Vec<String> = operation
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(feature_name)
        .collect();
    if tags.is_empty() { vec![UNTAGGED.to_string()] } else { tags }
}

/// Every operation object of the document.
fn operations(doc: &Value) -> impl Iterator<Item = &Value> {
    Spec::new(doc).operations().into_iter().map(|op| op.node)
}

/// The features `doc` defines: one per tag its operations use, plus [`UNTAGGED`] if any
/// operation has no tag.
pub fn features(doc: &Value) -> Features {
    let mut out = Features::new();
    for operation in operations(doc) {
        let tags: Vec<&str> =
            operation.get("tags").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        if tags.is_empty() {
            out.entry(UNTAGGED.to_string()).or_default();
        }
        for tag in tags {
            out.entry(feature_name(tag)).or_default().insert(tag.to_string());
        }
    }
    out
}

/// The features of each operation, by `operationId`.
pub fn operation_features(doc: &Value) -> BTreeMap<String, Vec<String>> {
    operations(doc)
        .filter_map(|op| op.get("operationId").and_then(Value::as_str).map(|id| (id.to_string(), features_of(op))))
        .collect()
}

/// What [`select`] kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept {
    pub operations: usize,
    /// `(kind, name)` of every component kept (`("schemas", "AuthToken")`).
    pub components: BTreeSet<(String, String)>,
}

/// Cuts `doc` down to the operations of the selected features and the components they reach
/// through `$ref`s or through the plan (a form's fields component), security schemes all kept
/// (they are tiny and the model names them). Everything else at the root (info, servers,
/// extensions) stays as it is.
pub fn select(doc: &mut Value, plan: &Plan, selection: &Selection) -> Result<Kept, String> {
    if *selection == Selection::All {
        return Ok(Kept { operations: operations(doc).count(), components: BTreeSet::new() });
    }
    let keep = |operation: &Value| features_of(operation).iter().any(|f| selection.includes(f));
    let planned: Vec<(String, String)> = plan
        .operations()
        .filter(|(pointer, _)| doc.pointer(pointer).is_some_and(keep))
        .filter_map(|(pointer, _)| Some(("schemas".to_string(), plan.form(pointer)?.fields.clone())))
        .collect();
    retain_operations(doc, keep, &planned)
}

/// Keeps the operations `keep` accepts (and paths that still have one), then the components
/// they reach, and the components `also` names with what they reach. Fails on a `$ref` that
/// does not resolve inside `components`.
pub fn retain_operations(
    doc: &mut Value,
    keep: impl Fn(&Value) -> bool,
    also: &[(String, String)],
) -> Result<Kept, String> {
    let root = doc.as_object_mut().ok_or("not an OpenAPI document: the content is not a mapping")?;
    let mut kept_operations = 0;
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        paths.retain(|_, item| {
            let Some(item) = item.as_object_mut() else { return false };
            item.retain(|key, operation| !METHODS.contains(&key.as_str()) || keep(operation));
            let count = item.keys().filter(|k| METHODS.contains(&k.as_str())).count();
            kept_operations += count;
            count > 0
        });
    }
    let needed = reachable(root, also)?;
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
        for (kind, entries) in components.iter_mut() {
            if kind == "securitySchemes" {
                continue;
            }
            if let Some(entries) = entries.as_object_mut() {
                entries.retain(|name, _| needed.contains(&(kind.clone(), name.clone())));
            }
        }
        components
            .retain(|kind, entries| kind == "securitySchemes" || entries.as_object().is_none_or(|e| !e.is_empty()));
    }
    Ok(Kept { operations: kept_operations, components: needed })
}

/// The transitive closure of `$ref`s from the paths (and root-level extensions, which may name
/// components too), as `(kind, name)`.
fn reachable(root: &Map<String, Value>, also: &[(String, String)]) -> Result<BTreeSet<(String, String)>, String> {
    let components = root.get("components");
    let mut needed = BTreeSet::new();
    // Each node with the kind of component it is (`""`: not a component).
    let mut queue: VecDeque<(&str, &Value)> =
        root.iter().filter(|(k, _)| k.as_str() != "components").map(|(_, v)| ("", v)).collect();
    for (kind, name) in also {
        let target = components.and_then(|c| c.get(kind)).and_then(|c| c.get(name));
        let target = target.ok_or_else(|| format!("the planned component `{kind}/{name}` does not exist"))?;
        if needed.insert((kind.clone(), name.clone())) {
            queue.push_back((kind.as_str(), target));
        }
    }
    while let Some((kind, node)) = queue.pop_front() {
        for reference in refs(kind, node) {
            let (kind, name) = component_of(reference)?;
            let (kind, target) = components
                .and_then(|c| c.as_object()?.get_key_value(&kind))
                .and_then(|(kind, c)| Some((kind.as_str(), c.get(&name)?)))
                .ok_or_else(|| format!("`$ref: {reference}` does not resolve"))?;
            if needed.insert((kind.to_string(), name)) {
                queue.push_back((kind, target));
            }
        }
    }
    Ok(needed)
}

/// The components `nodes` reach through `$ref`s, transitively, as `(kind, name)`; a reference
/// that does not resolve inside `components` is skipped (validation reports it).
pub fn reached_from<'a>(doc: &'a Value, nodes: impl IntoIterator<Item = &'a Value>) -> BTreeSet<(String, String)> {
    let components = doc.get("components");
    let mut needed = BTreeSet::new();
    let mut queue: VecDeque<(&str, &Value)> = nodes.into_iter().map(|node| ("", node)).collect();
    while let Some((kind, node)) = queue.pop_front() {
        for reference in refs(kind, node) {
            let Ok((kind, name)) = component_of(reference) else { continue };
            let Some((kind, target)) = components
                .and_then(|c| c.as_object()?.get_key_value(&kind))
                .and_then(|(kind, c)| Some((kind.as_str(), c.get(&name)?)))
            else {
                continue;
            };
            if needed.insert((kind.to_string(), name)) {
                queue.push_back((kind, target));
            }
        }
    }
    needed
}

/// Every reference under `node`, a component of `kind` (`""`: none), not a `$ref` inside data
/// ([`crate::doc::ref_sites`]).
fn refs<'a>(kind: &str, node: &'a Value) -> Vec<&'a str> {
    let mut out = Vec::new();
    crate::doc::ref_sites::each_target_of(kind, node, &mut |reference| {
        if let Value::String(r) = reference {
            out.push(r.as_str());
        }
    });
    out
}

/// `#/components/schemas/Foo` → ("schemas", "Foo").
pub fn component_of(reference: &str) -> Result<(String, String), String> {
    let unescape = |s: &str| s.replace("~1", "/").replace("~0", "~");
    let parts: Vec<&str> = reference.trim_start_matches("#/").split('/').collect();
    match parts.as_slice() {
        ["components", kind, name] => Ok((unescape(kind), unescape(name))),
        _ => Err(format!("`$ref: {reference}` points outside `components`, which subsetting does not follow")),
    }
}

/// Feature → tags, for messages: `edge-config (tag edge-config)`.
pub fn describe(features: &Features) -> Vec<String> {
    features
        .iter()
        .map(|(feature, tags)| {
            if tags.is_empty() {
                format!("{feature} (operations without a tag)")
            } else {
                let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
                format!("{feature} (tag {})", tags.join(", "))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "x-client": {"api-key-env": "K"},
            "paths": {
                "/tokens": {
                    "parameters": [{"$ref": "#/components/parameters/Team"}],
                    "get": {"operationId": "listTokens", "tags": ["authentication"],
                        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenList"}}}}}},
                    "post": {"operationId": "makeToken", "tags": ["authentication"], "responses": {"200": {"description": "ok"}}}
                },
                "/drains": {
                    "get": {"operationId": "listDrains", "tags": ["logDrains"],
                        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Drain"}}}}}}
                },
                "/both": {
                    "get": {"operationId": "both", "tags": ["logDrains", "authentication"], "responses": {"200": {"description": "ok"}}}
                },
                "/ping": {"get": {"operationId": "ping", "responses": {"200": {"description": "ok"}}}}
            },
            "components": {
                "schemas": {
                    "TokenList": {"type": "array", "items": {"$ref": "#/components/schemas/Token"}},
                    "Token": {"type": "object", "properties": {"team": {"$ref": "#/components/schemas/Team"}}},
                    "Drain": {"type": "object", "properties": {"team": {"$ref": "#/components/schemas/Team"}}},
                    "Team": {"type": "string"},
                    "Unused": {"type": "string"}
                },
                "parameters": {"Team": {"name": "team", "in": "query", "schema": {"type": "string"}}},
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
            }
        })
    }

    fn ids(doc: &Value) -> BTreeSet<String> {
        operations(doc).filter_map(|op| op["operationId"].as_str().map(str::to_string)).collect()
    }

    fn schemas(doc: &Value) -> BTreeSet<String> {
        doc["components"]["schemas"].as_object().map(|s| s.keys().cloned().collect()).unwrap_or_default()
    }

    #[test]
    fn feature_names_are_kebab_case() {
        assert_eq!(feature_name("logDrains"), "log-drains");
        assert_eq!(feature_name("edge-config"), "edge-config");
        assert_eq!(feature_name("Edge Config"), "edge-config");
        assert_eq!(feature_name("projectMembers"), "project-members");
        assert_eq!(feature_name("v2Tokens"), "v2-tokens");
        assert_eq!(feature_name("API keys"), "api-keys");
        assert_eq!(feature_name("--"), UNTAGGED);
        // The crate's own features stay its own.
        assert_eq!(feature_name("Mock"), "tag-mock");
        assert_eq!(feature_name("full"), "tag-full");
    }

    #[test]
    fn features_come_from_the_tags_operations_use() {
        let features = features(&doc());
        let names: Vec<&str> = features.keys().map(String::as_str).collect();
        assert_eq!(names, ["authentication", "log-drains", "untagged"]);
        assert_eq!(features["log-drains"], BTreeSet::from(["logDrains".to_string()]));
    }

    #[test]
    fn only_the_enabled_tags_operations_and_the_types_they_reach_are_kept() {
        let mut doc = doc();
        let kept = select(&mut doc, &Plan::default(), &Selection::features(["authentication"])).unwrap();
        assert_eq!(ids(&doc), BTreeSet::from(["listTokens", "makeToken", "both"].map(String::from)));
        assert_eq!(kept.operations, 3);
        assert_eq!(schemas(&doc), BTreeSet::from(["Team", "Token", "TokenList"].map(String::from)));
        assert!(doc["components"]["parameters"]["Team"].is_object(), "path-level parameter refs are followed");
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
        assert!(doc["x-client"].is_object(), "root extensions stay");
        assert!(doc["paths"].get("/drains").is_none());
    }

    #[test]
    fn a_type_two_tags_reach_is_kept_once() {
        let mut doc = doc();
        select(&mut doc, &Plan::default(), &Selection::features(["LOG_DRAINS", "authentication"])).unwrap();
        assert_eq!(schemas(&doc), BTreeSet::from(["Drain", "Team", "Token", "TokenList"].map(String::from)));
        assert!(!ids(&doc).contains("ping"));
    }

    /// GitHub's SCIM examples: a component example's `value` holds `$ref` URLs, which are data.
    #[test]
    fn a_reached_example_component_holds_data_not_references() {
        let mut doc = doc();
        doc["paths"]["/drains"]["get"]["responses"]["200"]["content"]["application/json"]["examples"] =
            json!({"one": {"$ref": "#/components/examples/Group"}});
        doc["components"]["examples"] =
            json!({"Group": {"value": {"members": [{"$ref": "https://api.example.com/scim/v2/Users/1"}]}}});
        select(&mut doc, &Plan::default(), &Selection::features(["log-drains"])).unwrap();
        assert!(doc["components"]["examples"].get("Group").is_some(), "the example is kept");
    }

    #[test]
    fn untagged_operations_have_their_own_feature() {
        let mut doc = doc();
        select(&mut doc, &Plan::default(), &Selection::features([UNTAGGED])).unwrap();
        assert_eq!(ids(&doc), BTreeSet::from(["ping".to_string()]));
        assert!(doc["components"].get("schemas").is_none(), "no schema is reachable");
    }

    #[test]
    fn all_keeps_everything() {
        let mut doc = doc();
        select(&mut doc, &Plan::default(), &Selection::All).unwrap();
        assert_eq!(doc, self::doc());
    }

    #[test]
    fn a_dangling_ref_is_an_error() {
        let mut doc = doc();
        doc["components"]["schemas"].as_object_mut().unwrap().remove("Team");
        let err = select(&mut doc, &Plan::default(), &Selection::features(["log-drains"])).unwrap_err();
        assert!(err.contains("#/components/schemas/Team"), "{err}");
    }
}
