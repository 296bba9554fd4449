//! Where progenitor or typify fails. Both stop at the first schema or operation they cannot
//! take and say neither which nor where ("value does not conform to the given schema", or a
//! panic), so one such place would cost the whole document. When a whole run fails, this
//! bisects: first the component schemas alone (typify's part), then the operations, each
//! trial given only the schemas it reaches, until every failure is pinned to one schema or one
//! operation. The caller leaves those out (rule `generator-rejects`) and generates the rest.
//!
//! Only a failed run pays for this: a document progenitor takes is generated once.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use progenitor::Generator;
use serde_json::{Map, Value};

use super::{
    Outputs, panics, progenitor_document, progenitor_spec, settings, success_bodies, without_mock_omitted_statuses,
};
use crate::doc::Spec;
use crate::doc::media::SuccessBody;
use crate::error::join;
use crate::model::Prepared;
use crate::select::reached_from;

/// What progenitor or typify cannot take, each with the problem (one line).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rejections {
    /// Component schemas (name, problem): those typify fails on, and those reaching one.
    pub schemas: Vec<(String, String)>,
    /// Operations (JSON pointer, problem): those progenitor fails on, and those reaching a
    /// rejected schema.
    pub operations: Vec<(String, String)>,
}

impl Rejections {
    pub fn is_empty(&self) -> bool {
        self.schemas.is_empty() && self.operations.is_empty()
    }
}

/// Finds what the run of `prepared` fails on (with the httpmock run too when `outputs` asks for
/// the mock). Empty when no single schema or operation fails alone: the failure is then in how
/// they combine, and the caller keeps the original error.
pub fn locate(prepared: &Prepared, outputs: Outputs, precision: Precision) -> Rejections {
    let (source, _) = progenitor_document(prepared);
    let bodies = success_bodies(&prepared.plan);
    let mut trials = Trials { prepared, doc: &source, mock: outputs.mock, bodies, parameters: BTreeMap::new() };
    let mut rejections = Rejections::default();

    let schemas: Vec<String> = source
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| {
            let left_out: BTreeSet<&str> = prepared.plan.left_out_schemas().map(|(name, _)| name).collect();
            schemas.keys().filter(|name| !left_out.contains(name.as_str())).cloned().collect()
        })
        .unwrap_or_default();
    let mut failing = Vec::new();
    bisect(&schemas, &mut |subset| trials.run(&[], subset), &mut failing);
    let rejected: BTreeSet<&str> = failing.iter().map(|(name, _)| name.as_str()).collect();
    let schema_pointer = |name: &str| join("/components/schemas", name);
    let reaches: BTreeMap<&str, BTreeSet<String>> = failing
        .iter()
        .map(|(name, _)| {
            let schema = source.pointer(&schema_pointer(name)).unwrap_or(&Value::Null);
            (name.as_str(), reached_schemas(&source, schema))
        })
        .collect();
    for (name, problem) in &failing {
        // A cause is a failing schema it reaches that does not reach it back: in a cycle of
        // failing schemas each keeps its own problem.
        let cause = reaches[name.as_str()]
            .iter()
            .find(|other| *other != name && reaches.get(other.as_str()).is_some_and(|back| !back.contains(name)));
        let problem = match cause {
            Some(cause) => format!("reaches `{cause}`, which cannot be generated"),
            None => problem.clone(),
        };
        rejections.schemas.push((name.clone(), problem));
    }

    let mut operations = Vec::new();
    for operation in Spec::new(&source).operations() {
        if prepared.plan.left_out(&operation.pointer).is_some() {
            continue;
        }
        // Each operation's closure is walked only when there is a rejected schema to find in it.
        let cause = if rejected.is_empty() {
            None
        } else {
            reached_schemas(&source, operation.node).into_iter().find(|name| rejected.contains(name.as_str()))
        };
        match cause {
            Some(cause) => rejections
                .operations
                .push((operation.pointer.clone(), format!("its schema `{cause}` cannot be generated"))),
            None => operations.push(operation.pointer.clone()),
        }
    }
    if precision == Precision::Stubbed {
        trials.parameters = Spec::new(&source)
            .operations()
            .into_iter()
            .map(|op| (op.pointer.clone(), op.parameters().into_iter().map(|p| p.node).collect()))
            .collect();
    }
    bisect(&operations, &mut |subset| trials.run(subset, &[]), &mut rejections.operations);
    rejections
}

/// How the operations are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// With the schemas only their responses and bodies reach stubbed: fast, and enough for
    /// what progenitor refuses in an operation itself.
    Stubbed,
    /// With every schema they reach: for a failure the stubbed trials did not find.
    Full,
}

/// The component schemas `node` reaches.
fn reached_schemas(doc: &Value, node: &Value) -> BTreeSet<String> {
    reached_from(doc, [node]).into_iter().filter(|(kind, _)| kind == "schemas").map(|(_, name)| name).collect()
}

/// Splits `items` in halves while a part fails, collecting each item that fails alone.
fn bisect(items: &[String], fails: &mut impl FnMut(&[String]) -> Option<String>, found: &mut Vec<(String, String)>) {
    if items.is_empty() {
        return;
    }
    let Some(problem) = fails(items) else { return };
    if let [item] = items {
        found.push((item.clone(), problem));
        return;
    }
    let (first, second) = items.split_at(items.len() / 2);
    bisect(first, fails, found);
    bisect(second, fails, found);
}

/// Runs progenitor on parts of one document.
struct Trials<'a> {
    prepared: &'a Prepared,
    /// progenitor's input as a document (`progenitor_document`).
    doc: &'a Value,
    mock: bool,
    /// Each operation's success body, as emission reads it (`success_bodies`): once, not per trial.
    bodies: BTreeMap<String, SuccessBody>,
    /// Component schemas only parameters reach are given as they are; the others are
    /// stubbed (`{}`), which typify turns into JSON values at once. What progenitor itself
    /// refuses is in parameters and media types, so a trial of a few operations of a
    /// document where everything reaches everything (Stripe) costs milliseconds, not the
    /// whole document's types. Empty: nothing stubbed.
    parameters: BTreeMap<String, Vec<&'a Value>>,
}

impl Trials<'_> {
    /// Generates the document cut down to `operations` (pointers) and `schemas` (names) and
    /// what they reach: the problem, if progenitor fails.
    fn run(&self, operations: &[String], schemas: &[String]) -> Option<String> {
        let part = self.part(operations, schemas);
        let spec = match progenitor_spec(Cow::Owned(part), &self.prepared.plan, &self.bodies, &self.prepared.file) {
            Ok(spec) => spec,
            Err(error) => return Some(error.kind.to_string()),
        };
        let client = panics::catch(|| Generator::new(&settings()).generate_tokens(&spec));
        let outcome = match client {
            Ok(Ok(_)) if self.mock => {
                let mock_spec = without_mock_omitted_statuses(&spec, &self.prepared.plan);
                panics::catch(|| Generator::new(&settings()).httpmock(&mock_spec, "crate").map(drop))
                    .map(|run| run.map_err(|e| e.to_string()))
            }
            Ok(run) => Ok(run.map(drop).map_err(|e| e.to_string())),
            Err(panic) => Err(panic),
        };
        match outcome {
            Ok(Ok(())) => None,
            Ok(Err(error)) => Some(super::one_line(&error)),
            Err(panic) => Some(format!("progenitor panicked: {}", super::one_line(&panic))),
        }
    }

    /// A copy of the document with only `operations`, `schemas` and the components they
    /// reach (a form's fields component included); everything else at the root as it is.
    fn part(&self, operations: &[String], schemas: &[String]) -> Value {
        let doc = self.doc;
        let mut root = Map::new();
        for (key, value) in doc.as_object().into_iter().flatten() {
            if key != "paths" && key != "components" {
                root.insert(key.clone(), value.clone());
            }
        }
        let mut paths = Map::new();
        let mut starts: Vec<&Value> = Vec::new();
        let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
        for pointer in operations {
            let Some((path, method)) = split_operation(pointer) else { continue };
            let (Some(item), Some(operation)) = (doc["paths"].get(&path), doc.pointer(pointer)) else { continue };
            // The path item without its other operations: shared parameters and the like.
            let shared: Vec<(&String, &Value)> =
                item.as_object().into_iter().flatten().filter(|(key, _)| !is_method(key)).collect();
            starts.extend(shared.iter().map(|(_, value)| *value));
            starts.push(operation);
            let entry = paths
                .entry(path.clone())
                .or_insert_with(|| Value::Object(shared.iter().map(|(k, v)| ((*k).clone(), (*v).clone())).collect()));
            if let Value::Object(entry) = entry {
                entry.insert(method.clone(), operation.clone());
            }
            if let Some(form) = self.prepared.plan.form(pointer) {
                wanted.insert(("schemas".to_string(), form.fields.clone()));
            }
        }
        for name in schemas {
            wanted.insert(("schemas".to_string(), name.clone()));
        }
        let components = doc.get("components");
        for (kind, name) in &wanted {
            if let Some(target) = components.and_then(|c| c.get(kind)).and_then(|c| c.get(name)) {
                starts.push(target);
            }
        }
        wanted.extend(reached_from(doc, starts));
        let stubbed = !self.parameters.is_empty();
        let real = if stubbed {
            let parameters = operations.iter().filter_map(|op| self.parameters.get(op)).flatten().copied();
            let mut real = reached_from(doc, parameters);
            real.extend(schemas.iter().map(|name| ("schemas".to_string(), name.clone())));
            real
        } else {
            BTreeSet::new()
        };
        let mut kept = Map::new();
        if let Some(schemes) = components.and_then(|c| c.get("securitySchemes")) {
            kept.insert("securitySchemes".to_string(), schemes.clone());
        }
        for (kind, name) in wanted {
            let Some(target) = components.and_then(|c| c.get(&kind)).and_then(|c| c.get(&name)) else { continue };
            let stub = stubbed && kind == "schemas" && !real.contains(&(kind.clone(), name.clone()));
            let target = if stub { Value::Object(Map::new()) } else { target.clone() };
            if let Value::Object(entries) = kept.entry(kind).or_insert_with(|| Value::Object(Map::new())) {
                entries.insert(name, target);
            }
        }
        root.insert("paths".to_string(), Value::Object(paths));
        root.insert("components".to_string(), Value::Object(kept));
        Value::Object(root)
    }
}

fn is_method(key: &str) -> bool {
    matches!(key, "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace")
}

/// `/paths/~1v1~1x/post` → (`/v1/x`, `post`).
fn split_operation(pointer: &str) -> Option<(String, String)> {
    let rest = pointer.strip_prefix("/paths/")?;
    let (path, method) = rest.rsplit_once('/')?;
    let unescape = |s: &str| s.replace("~1", "/").replace("~0", "~");
    Some((unescape(path), unescape(method)))
}
