//! Every operation of a vendor's prepared document as a call through its client's
//! dispatcher: the arguments synthesised from the spec, and which operations cannot be
//! called yet (each must be named by a normalisation rule). Shared by the every-operation
//! tests (`mod operations;`).

use api_codegen::doc::{self, Spec};
use api_codegen::{Prepared, SpecDir, names as naming};
use api_runtime::OperationDescription;
use demo::Vendor;
use serde_json::{Map, Value};
use spec_tools::examples::{self, Arguments};
use workspace_tests::spec_dir;

/// One operation to call.
pub struct Operation {
    /// The operation's JSON pointer in the prepared document.
    pub pointer: String,
    /// The path template.
    pub path: String,
    pub description: &'static OperationDescription,
    pub arguments: Arguments,
    /// Every declared numeric status, with a synthesised body.
    pub responses: Vec<examples::Response>,
    /// For a response offering a stream beside JSON (`send_stream`): the stream's media type
    /// and the success answer in it.
    pub stream: Option<(String, examples::Response)>,
    /// A multipart body's form, as the `multipart-form` rule shaped it.
    pub form: Option<api_codegen::plan::FormShape>,
}

impl Operation {
    /// The dispatcher's name for the streaming variant (`send_stream`), if there is one.
    pub fn stream_method(&self) -> Option<String> {
        self.stream.as_ref().map(|_| format!("{}{}", self.description.rust_name, api_codegen::STREAM_SUFFIX))
    }

    /// `operationId (GET /path)`, for failure lists.
    pub fn label(&self) -> String {
        format!("{} ({} {})", self.description.id, self.description.method.to_uppercase(), self.path)
    }

    /// The dispatcher's arguments: setter name → value.
    pub fn dispatch_args(&self) -> Map<String, Value> {
        let mut args = Map::new();
        for parameter in &self.arguments.parameters {
            args.insert(naming::field_name(&parameter.name), parameter.value.clone());
        }
        if let Some(body) = &self.arguments.body {
            args.insert("body".into(), body.clone());
        }
        args
    }
}

/// A vendor's operations, split into those to call and those the client lacks, plus a
/// failure for each operation it lacks without a rule saying so.
pub struct Plan {
    pub prepared: Prepared,
    pub calls: Vec<Operation>,
    /// Operations not called, each with the rule that names it.
    pub skipped: Vec<(String, &'static str)>,
    pub failures: Vec<String>,
}

/// The plan for `vendor`: every operation of its upstream document must be in the prepared
/// document and in the client, or be named by a rule of `Prepared.rules` (an operation the
/// generator cannot take yet, such as an `application/xml` body).
pub fn plan(vendor: &Vendor) -> Plan {
    let dir = SpecDir::new(spec_dir(vendor.name));
    let prepared = api_codegen::load(&dir).unwrap_or_else(|e| panic!("{}: {e}", vendor.name));
    let upstream = api_codegen::load::yaml::read(&dir.spec).unwrap();
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    let ruled = |pointer: &str| -> Option<&'static str> {
        prepared.rules.applied.iter().find_map(|applied| {
            let names =
                applied.changes.iter().any(|c| c.pointer == pointer || c.pointer.starts_with(&format!("{pointer}/")));
            names.then_some(applied.rule)
        })
    };

    let kept: Vec<String> = Spec::new(&prepared.doc).operations().into_iter().map(|op| op.pointer).collect();
    for doc::Operation { pointer, path, method, .. } in Spec::new(&upstream).operations() {
        if kept.contains(&pointer) {
            continue;
        }
        match ruled(&pointer) {
            Some(rule) => skipped.push((format!("{} {path}", method.to_uppercase()), rule)),
            None => {
                failures.push(format!("{} {path}: dropped from the document without a rule", method.to_uppercase()))
            }
        }
    }

    let mut calls = Vec::new();
    for operation in Spec::new(&prepared.doc).operations() {
        let doc::Operation { pointer, path, method, node: op, .. } = &operation;
        let (path, method, op) = (*path, *method, *op);
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default();
        let label = format!("{id} ({} {path})", method.to_uppercase());
        let Some(description) = vendor.api.operations.iter().find(|o| o.id == id) else {
            match ruled(pointer) {
                Some(rule) => skipped.push((label, rule)),
                None => failures.push(format!("{label}: not in the client, and no rule says why")),
            }
            continue;
        };
        let arguments = examples::arguments(&operation, &prepared.plan);
        let responses = examples::responses(&prepared.doc, op);
        let stream = match api_codegen::doc::media::success_body(&prepared.doc, op) {
            api_codegen::doc::media::SuccessBody::Events { media_type, json: Some(_), .. } => {
                examples::responses_accepting(&prepared.doc, op, Some(&media_type))
                    .into_iter()
                    .find(|r| (200..300).contains(&r.status))
                    .map(|r| (media_type, r))
            }
            _ => None,
        };
        let form = prepared.plan.form(pointer).cloned();
        calls.push(Operation {
            pointer: pointer.clone(),
            path: path.to_string(),
            description,
            arguments,
            responses,
            stream,
            form,
        });
    }
    Plan { prepared, calls, skipped, failures }
}
