//! `specs/<vendor>/scenario.toml`: the calls the demo and the contract check make, in order,
//! as data. A string argument `${operationId.a.b}` is the field `a.b` of an earlier call's
//! answer (a token just created, then revoked).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use api_runtime::ApiDescription;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::{Answer, CallError, Caller};

/// The file in each vendor's folder.
pub const FILE: &str = "scenario.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(rename = "call")]
    pub calls: Vec<Call>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Call {
    /// The spec's `operationId`.
    pub operation: String,
    /// Shown beside the operation.
    #[serde(default)]
    pub note: String,
    /// Path, query and header parameters, by their names in the spec.
    #[serde(default)]
    pub params: Map<String, Value>,
    pub body: Option<Value>,
}

impl Call {
    pub fn label(&self) -> String {
        if self.note.is_empty() { self.operation.clone() } else { format!("{} ({})", self.operation, self.note) }
    }
}

/// What became of one call.
pub enum Outcome {
    Done(Result<Answer, CallError>),
    /// It refers to the answer of a call that failed.
    Skipped(String),
}

impl Scenario {
    /// `specs/<vendor>/scenario.toml`, checked against the vendor's operations.
    pub fn read(spec_dir: &Path, api: &ApiDescription) -> anyhow::Result<Scenario> {
        let path = spec_dir.join(FILE);
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let scenario: Scenario = toml::from_str(&text).with_context(|| format!("{}", path.display()))?;
        anyhow::ensure!(!scenario.calls.is_empty(), "{}: no [[call]]", path.display());
        for call in &scenario.calls {
            anyhow::ensure!(
                api.operations.iter().any(|op| op.id == call.operation),
                "{}: no operation `{}` in the spec",
                path.display(),
                call.operation
            );
        }
        Ok(scenario)
    }

    /// Runs every call in order, handing each outcome to `each` as it completes.
    pub async fn run(
        &self,
        caller: &dyn Caller,
        api: &ApiDescription,
        mut each: impl FnMut(&Call, &Outcome) -> std::io::Result<()>,
    ) -> anyhow::Result<()> {
        let mut answers: BTreeMap<String, Answer> = BTreeMap::new();
        for call in &self.calls {
            let method = api
                .operations
                .iter()
                .find(|op| op.id == call.operation)
                .map(|op| op.rust_name)
                .with_context(|| format!("no operation `{}`", call.operation))?;
            let outcome = match arguments(call, &answers) {
                Ok(args) => Outcome::Done(caller.call(method, &args).await),
                Err(missing) => Outcome::Skipped(missing),
            };
            each(call, &outcome)?;
            if let Outcome::Done(Ok(answer)) = outcome {
                answers.insert(call.operation.clone(), answer);
            }
        }
        Ok(())
    }
}

/// The setter arguments of a call, references resolved; `Err` names a missing answer.
fn arguments(call: &Call, answers: &BTreeMap<String, Answer>) -> Result<Map<String, Value>, String> {
    let mut args = Map::new();
    for (name, value) in &call.params {
        args.insert(api_codegen::names::field_name(name), resolve(value, answers)?);
    }
    if let Some(body) = &call.body {
        args.insert("body".into(), resolve(body, answers)?);
    }
    Ok(args)
}

fn resolve(value: &Value, answers: &BTreeMap<String, Answer>) -> Result<Value, String> {
    Ok(match value {
        Value::String(s) => match s.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
            Some(reference) => {
                let (operation, path) = reference.split_once('.').unwrap_or((reference, ""));
                let pointer: String = path.split('.').filter(|p| !p.is_empty()).map(|p| format!("/{p}")).collect();
                answers
                    .get(operation)
                    .and_then(|a| a.pointer(&pointer))
                    .cloned()
                    .ok_or_else(|| format!("no answer of `{operation}` with `{path}`"))?
            }
            None => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(|v| resolve(v, answers)).collect::<Result<_, _>>()?),
        Value::Object(map) => Value::Object(
            map.iter().map(|(k, v)| Ok((k.clone(), resolve(v, answers)?))).collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}
