//! Checks what progenitor needs and does not check itself (or checks with a panic), and
//! reports every problem it finds, not only the first: [`validate`] on every prepared
//! document, and [`generable`] (the response bodies) on one about to be emitted: only a
//! [`Generable`] reaches emission.

pub mod collisions;
pub mod references;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::doc::path_template::template_names;
use crate::doc::ref_sites;
use crate::doc::schemas;
use crate::doc::{Operation, Spec};
use crate::error::{Error, ErrorKind, join};
use crate::model::Prepared;
use crate::plan::Plan;

/// Keywords that may sit beside `x-secret`: metadata (typify ignores it when matching) and
/// the string constraints the generator sets aside for the secret type
/// ([`crate::rules::SECRET_CONSTRAINTS`]).
const SECRET_COMPANIONS: &[&str] = &[
    "type",
    "x-secret",
    "description",
    "example",
    "title",
    "deprecated",
    "readOnly",
    "writeOnly",
    "default",
    "pattern",
    "minLength",
    "maxLength",
    "format",
];

pub fn validate(doc: &Value, file: &Path) -> Result<(), Error> {
    let mut errors = Vec::new();
    let mut invalid = |ptr: &str, msg: String| errors.push(Error::new(file, ptr, ErrorKind::Invalid(msg)));
    let spec = Spec::new(doc);

    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for operation in spec.operations() {
        let (ptr, op) = (&operation.pointer, operation.node);
        let id = match op.get("operationId") {
            Some(Value::String(id)) if !id.is_empty() => id,
            _ => {
                invalid(ptr, "operation has no `operationId` (progenitor names methods after it)".into());
                continue;
            }
        };
        // progenitor turns ids into snake_case method names: `getToken` and `get_token` collide.
        let key: String = id.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
        if let Some(first) = seen.insert(key, ptr.clone()) {
            invalid(
                &join(ptr, "operationId"),
                format!("operationId `{id}` is not unique (the operation at {first} has the same name)"),
            );
        }
    }

    check_paths(&spec, &mut invalid);
    check_header_names(&spec, &mut invalid);
    check_refs(&spec, doc, "", &mut invalid);
    crate::check::references::check_cycles(doc, &mut invalid);
    crate::check::collisions::check(doc, &mut invalid);

    schemas::for_each(doc, |schema, ptr| {
        let Some(mark) = schema.get("x-secret") else { return };
        let at = join(ptr, "x-secret");
        if mark != &Value::Bool(true) {
            invalid(&at, "`x-secret` must be `true`".into());
        } else if schema.get("type") != Some(&Value::String("string".into())) {
            invalid(&at, "`x-secret` marks only `type: string` schemas".into());
        } else if let Some(other) = schema.keys().find(|k| !SECRET_COMPANIONS.contains(&k.as_str())) {
            invalid(&at, format!("`x-secret` marks plain strings only; `{other}` is not supported beside it"));
        }
    });
    Error::collect(errors)
}

/// Whether a resolving `$ref` is `#/components/<kind>/<name>`, resolving without percent-decoding.
fn names_component(spec: &Spec<'_>, reference: &Value) -> bool {
    reference.as_str().is_some_and(|r| {
        crate::select::component_of(r).is_ok() && r.strip_prefix('#').is_some_and(|p| spec.doc().pointer(p).is_some())
    })
}

/// Every `$ref` must be local, resolve, and name a component.
/// Every reference (not a `$ref` inside data: [`crate::doc::ref_sites`]) resolves and names a
/// component as written.
fn check_refs(spec: &Spec<'_>, node: &Value, ptr: &str, invalid: &mut impl FnMut(&str, String)) {
    ref_sites::each(node, ptr, &mut |reference, at| match spec.target(reference) {
        Err(problem) => invalid(&join(at, "$ref"), problem.to_string()),
        // progenitor and typify look a reference up by its last segment under
        // `#/components/<kind>/`, as written: anything else would silently name another
        // type, or panic.
        Ok(_) if !names_component(spec, reference) => invalid(
            &join(at, "$ref"),
            format!(
                "`$ref: {}` names no component as written; the generator follows only `#/components/<kind>/<name>`",
                reference.as_str().unwrap_or_default()
            ),
        ),
        Ok(_) => {}
    });
}

/// Each `{name}` in a path template is a declared path parameter of every operation on it,
/// and each declared path parameter appears in the template (progenitor panics otherwise).
fn check_paths(spec: &Spec<'_>, invalid: &mut impl FnMut(&str, String)) {
    let operations = spec.operations();
    for (template, _) in spec.doc().get("paths").and_then(Value::as_object).into_iter().flatten() {
        let names = match template_names(template) {
            Ok(names) => names,
            Err(problem) => {
                invalid(&join("/paths", template), format!("path template `{template}`: {problem}"));
                continue;
            }
        };
        for op in operations.iter().filter(|op| op.path == template) {
            check_path_parameters(op, &names, invalid);
        }
    }
}

fn check_path_parameters(op: &Operation<'_>, names: &BTreeSet<String>, invalid: &mut impl FnMut(&str, String)) {
    let template = op.path;
    let mut declared: BTreeMap<&str, String> = BTreeMap::new();
    for param in op.parameters().into_iter().filter(|p| p.location() == Some("path")) {
        let Some(name) = param.name() else { continue };
        if !param.required() {
            invalid(&param.pointer, format!("path parameter `{name}` must be `required: true`"));
        }
        declared.insert(name, param.pointer);
    }
    for name in names {
        if !declared.contains_key(name.as_str()) {
            invalid(
                &op.pointer,
                format!("path `{template}` has `{{{name}}}` but the operation declares no path parameter `{name}`"),
            );
        }
    }
    for (name, at) in &declared {
        if !names.contains(*name) {
            invalid(at, format!("path parameter `{name}` does not appear in the path `{template}`"));
        }
    }
}

/// progenitor gives an operation one success and one error type and panics otherwise. The
/// `error-response-union` rule unites different JSON bodies; what it cannot (a status with a
/// body beside one without) is an error, before progenitor runs. Checked before emission, not
/// by [`validate`]: such a document still has a surface, so the drift report can show the change.
pub fn generable(prepared: &Prepared) -> Result<Generable<'_>, Error> {
    let mut errors = Vec::new();
    check_response_bodies(&prepared.doc, &prepared.plan, &mut |ptr: &str, msg: String| {
        errors.push(Error::new(&prepared.file, ptr, ErrorKind::Invalid(msg)));
    });
    Error::collect(errors)?;
    Ok(Generable { prepared })
}

/// A prepared document whose every operation progenitor can generate: the only input of
/// emission.
#[derive(Debug, Clone, Copy)]
pub struct Generable<'a> {
    prepared: &'a Prepared,
}

impl<'a> Generable<'a> {
    pub fn prepared(&self) -> &'a Prepared {
        self.prepared
    }
}

fn check_response_bodies(doc: &Value, plan: &Plan, invalid: &mut impl FnMut(&str, String)) {
    use crate::doc::responses::{BodyKind, Outcome, body_kind, responses};
    for operation in Spec::new(doc).operations() {
        let (op_ptr, op) = (&operation.pointer, operation.node);
        if plan.left_out(op_ptr).is_some() {
            continue;
        }
        // Statuses with a JSON body beside statuses without one, answered as `Option`.
        let json_or_empty = plan
            .operation(op_ptr)
            .is_some_and(|p| matches!(p.success, crate::doc::media::SuccessBody::JsonOrEmpty { .. }));
        for (outcome, label) in [(Outcome::Success, "success"), (Outcome::Error, "error")] {
            if json_or_empty && matches!(outcome, Outcome::Success) {
                continue;
            }
            let kinds: Vec<(String, BodyKind)> =
                responses(doc, op, outcome).into_iter().map(|(status, r)| (status, body_kind(r))).collect();
            let Some((_, first)) = kinds.first() else { continue };
            if kinds.iter().all(|(_, kind)| kind == first) {
                continue;
            }
            let listed: Vec<String> =
                kinds.iter().map(|(status, kind)| format!("{status}: {}", kind.label())).collect();
            invalid(
                &join(op_ptr, "responses"),
                format!(
                    "the {label} responses declare different bodies ({}); progenitor gives an operation one {label} type: make them agree in the overlay",
                    listed.join(", ")
                ),
            );
        }
    }
}

/// A header parameter's name must be an HTTP token: the generated code hands it to
/// `HeaderName::from_static`, which panics at request time on anything else.
fn check_header_names(spec: &Spec<'_>, invalid: &mut impl FnMut(&str, String)) {
    let token = |name: &str| {
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    // By list entry: a path item's parameter is reported once, not once per operation.
    let mut bad: BTreeMap<String, &str> = BTreeMap::new();
    for op in spec.operations() {
        for param in op.parameters().into_iter().filter(|p| p.location() == Some("header")) {
            if let Some(name) = param.name().filter(|name| !token(name)) {
                bad.insert(join(&param.pointer, "name"), name);
            }
        }
    }
    for (at, name) in bad {
        invalid(&at, format!("header parameter `{name}` is not a valid HTTP header name"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(doc: Value) -> Vec<String> {
        match validate(&doc, Path::new("s.yaml")) {
            Ok(()) => Vec::new(),
            Err(e) => e.all().map(|e| format!("{}: {}", e.pointer, e.kind)).collect(),
        }
    }

    #[test]
    fn path_templates_and_path_parameters_must_agree() {
        let doc = json!({"paths": {
            "/a/{id}/{other}": {"get": {"operationId": "a", "parameters": [
                {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "gone", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "q", "in": "query", "schema": {"type": "string"}}]}},
            "/b/{x": {"get": {"operationId": "b"}},
            "/c/{x}": {"parameters": [{"name": "x", "in": "path", "schema": {"type": "string"}}],
                "get": {"operationId": "c"}}}});
        assert_eq!(
            problems(doc),
            [
                "/paths/~1a~1{id}~1{other}/get: path `/a/{id}/{other}` has `{other}` but the operation declares no path parameter `other`",
                "/paths/~1a~1{id}~1{other}/get/parameters/1: path parameter `gone` does not appear in the path `/a/{id}/{other}`",
                "/paths/~1b~1{x: path template `/b/{x`: a `{` without `}`",
                "/paths/~1c~1{x}/parameters/0: path parameter `x` must be `required: true`",
            ]
        );
    }

    #[test]
    fn header_parameter_names_must_be_http_tokens() {
        let doc = json!({"paths": {"/a": {"get": {"operationId": "a", "parameters": [
            {"name": "X-Trace-Id", "in": "header"}, {"name": "X Trace", "in": "header"},
            {"name": "ok name", "in": "query"}]}}}});
        assert_eq!(
            problems(doc),
            ["/paths/~1a/get/parameters/1/name: header parameter `X Trace` is not a valid HTTP header name"]
        );
    }

    #[test]
    fn every_problem_is_reported() {
        let doc = json!({"paths": {
            "/a": {"get": {}, "post": {"operationId": "x"}, "put": {"operationId": "X"}},
            "/b": {"get": {"operationId": "b", "responses": {"200": {"$ref": "#/nope"}}}}}});
        let found = problems(doc);
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found[0].contains("no `operationId`") && found[1].contains("not unique"), "{found:#?}");
        assert!(found[2].contains("`$ref: #/nope` does not resolve"), "{found:#?}");
    }

    #[test]
    fn statuses_with_and_without_a_body_in_one_outcome_are_an_error() {
        let json = |schema: Value| json!({"description": "d", "content": {"application/json": {"schema": schema}}});
        let doc = json!({"paths": {
            "/a": {"get": {"operationId": "a", "responses": {
                "200": json(json!({"type": "string"})), "204": {"description": "none"},
                "400": json(json!({"type": "object"})), "404": json(json!({"type": "object"}))}}},
            "/b": {"get": {"operationId": "b", "responses": {
                "200": {"description": "d", "content": {"application/json; charset=utf-8": {"schema": {"type": "string"}}}},
                "201": json(json!({"type": "string"}))}}}}});
        let mut problems = Vec::new();
        check_response_bodies(&doc, &Plan::default(), &mut |ptr: &str, msg: String| {
            problems.push(format!("{ptr}: {msg}"));
        });
        assert_eq!(
            problems,
            [
                "/paths/~1a/get/responses: the success responses declare different bodies (200: a JSON body, 204: no body); progenitor gives an operation one success type: make them agree in the overlay"
            ]
        );
    }
}
