//! `form-urlencoded-body`: progenitor sends an `application/x-www-form-urlencoded` body with
//! serde_urlencoded, which fails at run time on an array or a nested object, and panics at
//! generation on a body with an `encoding` (`todo!`). The client encodes such a body itself
//! (`api_runtime::urlencoded`), field by field as the spec's `encoding` says: `deepObject`
//! as `metadata[key]=value` and `expand[0]=a`, exploded `form` arrays as the key repeated,
//! unset fields not at all.
//!
//! The rule records each field's `style` and `explode` in the operation's plan
//! ([`crate::plan::Request::UrlEncoded`]); emission gives progenitor the body without its
//! `encoding`, and `rewrite::urlencoded` makes the builder send the encoded body (counted).
//! The document keeps the body as written.
//!
//! A field whose `style` a form body cannot use (`matrix`, `label`, `simple`), or a
//! `deepObject` field not exploded (which OpenAPI leaves undefined), leaves the operation
//! out ([`super::leave_out`]), not the document. Runs after `unsupported-request-body`, so a
//! body offering several media types has been narrowed to the one the client sends.

use serde_json::Value;

use super::Places;
use crate::doc::Spec;
use crate::plan::{FieldEncoding, FieldStyle, Plan, Request, UrlEncodedShape};

const FORM: &str = "application/x-www-form-urlencoded";

enum Decision {
    Send(UrlEncodedShape),
    LeaveOut(String),
}

pub(super) fn apply(doc: &mut Value, plan: &mut Plan, places: &mut Places) {
    let mut decisions = Vec::new();
    for operation in Spec::new(doc).operations() {
        if plan.left_out(&operation.pointer).is_some() || plan.form(&operation.pointer).is_some() {
            continue;
        }
        let Some(content) = operation.request_body().and_then(|b| b.get("content")).and_then(Value::as_object) else {
            continue;
        };
        let [(media, body)] = content.iter().collect::<Vec<_>>()[..] else { continue };
        if !media.split(';').next().is_some_and(|essence| essence.trim().eq_ignore_ascii_case(FORM)) {
            continue;
        }
        let encoding = body.get("encoding").and_then(Value::as_object);
        decisions.push((operation.pointer.clone(), decide(encoding)));
    }
    for (pointer, decision) in decisions {
        match decision {
            Decision::Send(shape) => {
                // At the body: the operation's own pointer is where a rule leaves it out.
                places.record(crate::error::join(&pointer, "requestBody"), describe(&shape));
                plan.operation_mut(&pointer).request = Request::UrlEncoded(shape);
            }
            Decision::LeaveOut(why) => super::leave_out(plan, places, pointer, why),
        }
    }
}

fn decide(encoding: Option<&serde_json::Map<String, Value>>) -> Decision {
    let mut fields = Vec::new();
    for (name, field) in encoding.into_iter().flatten() {
        let style = field.get("style").and_then(Value::as_str);
        let style = match style {
            None | Some("form") => FieldStyle::Form,
            Some("spaceDelimited") => FieldStyle::SpaceDelimited,
            Some("pipeDelimited") => FieldStyle::PipeDelimited,
            Some("deepObject") => FieldStyle::DeepObject,
            Some(other) => {
                return Decision::LeaveOut(format!(
                    "form body field `{name}` has style `{other}`, which a form body cannot use"
                ));
            }
        };
        // OpenAPI: `explode` defaults to true for `form` only; but it defines deepObject only
        // exploded, and documents leave it unsaid, so only a written `false` is undefined.
        let written = field.get("explode").and_then(Value::as_bool);
        let explode = written.unwrap_or(matches!(style, FieldStyle::Form | FieldStyle::DeepObject));
        if style == FieldStyle::DeepObject && !explode {
            return Decision::LeaveOut(format!(
                "form body field `{name}` has style deepObject with explode: false, which OpenAPI leaves undefined"
            ));
        }
        if style == FieldStyle::Form && explode {
            continue;
        }
        fields.push(FieldEncoding { name: name.clone(), style, explode });
    }
    Decision::Send(UrlEncodedShape { fields })
}

fn describe(shape: &UrlEncodedShape) -> String {
    let deep: Vec<String> =
        shape.fields.iter().filter(|f| f.style == FieldStyle::DeepObject).map(|f| format!("`{}`", f.name)).collect();
    let other = shape.fields.len() - deep.len();
    let mut what = "form body encoded field by field (arrays as repeated keys".to_string();
    if !deep.is_empty() {
        what.push_str(&format!("; deep objects {}", deep.join(", ")));
    }
    if other > 0 {
        what.push_str(&format!("; {other} field(s) in another style as their `encoding` says"));
    }
    what.push(')');
    what
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn body(encoding: Value) -> Value {
        json!({"requestBody": {"content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object"}, "encoding": encoding}}}})
    }

    #[test]
    fn form_bodies_are_planned_with_their_encoding() {
        let mut stripe = body(json!({
            "metadata": {"style": "deepObject"},
            "expand": {"style": "deepObject", "explode": true},
            "plain": {"style": "form"},
            "ids": {"style": "form", "explode": false},
            "tags": {"style": "pipeDelimited"}}));
        stripe["operationId"] = json!("create");
        let mut doc = json!({"paths": {
            "/charges": {"post": stripe},
            "/calls": {"post": {"operationId": "call", "requestBody": {"content": {"application/x-www-form-urlencoded; charset=utf-8": {"schema": {}}}}}},
            "/json": {"post": {"operationId": "json", "requestBody": {"content": {"application/json": {"schema": {}}}}}},
            "/matrix": {"post": body(json!({"f": {"style": "matrix"}}))},
            "/shallow": {"post": body(json!({"f": {"style": "deepObject", "explode": false}}))}}});
        let before = doc.clone();
        let (mut plan, mut places) = (Plan::default(), Places::default());
        apply(&mut doc, &mut plan, &mut places);
        assert_eq!(doc, before, "the document stays as written");
        let shape = plan.urlencoded("/paths/~1charges/post").unwrap();
        let fields: Vec<(&str, FieldStyle, bool)> =
            shape.fields.iter().map(|f| (f.name.as_str(), f.style, f.explode)).collect();
        assert_eq!(
            fields,
            [
                ("metadata", FieldStyle::DeepObject, true),
                ("expand", FieldStyle::DeepObject, true),
                ("ids", FieldStyle::Form, false),
                ("tags", FieldStyle::PipeDelimited, false),
            ]
        );
        assert_eq!(plan.urlencoded("/paths/~1calls/post"), Some(&UrlEncodedShape::default()));
        assert!(plan.operation("/paths/~1json/post").is_none());
        assert_eq!(
            plan.left_out("/paths/~1matrix/post"),
            Some("form body field `f` has style `matrix`, which a form body cannot use")
        );
        assert!(plan.left_out("/paths/~1shallow/post").unwrap().contains("deepObject with explode: false"));
        let changes: Vec<(&str, &str)> =
            places.changes().iter().map(|c| (c.pointer.as_str(), c.what.as_str())).collect();
        assert_eq!(changes[0].0, "/paths/~1charges/post/requestBody");
        assert_eq!(
            changes[0].1,
            "form body encoded field by field (arrays as repeated keys; deep objects `metadata`, `expand`; \
             2 field(s) in another style as their `encoding` says)"
        );
        assert_eq!(
            changes[1],
            ("/paths/~1calls/post/requestBody", "form body encoded field by field (arrays as repeated keys)")
        );
        assert_eq!(changes.len(), 4);
    }
}
