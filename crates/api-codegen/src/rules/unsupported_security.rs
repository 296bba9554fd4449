//! `unsupported-security`: the runtime presents a bearer token (http `bearer`, `oauth2`,
//! `openIdConnect`) or an API key in a header. An operation's security alternative that needs
//! any other scheme (http `basic`, a key in the query string or a cookie) is dropped when
//! another alternative remains (Stripe offers basic beside bearer); an operation with no
//! alternative left is left out of the client with the reason, never the document.

use serde_json::Value;

use super::Places;
use crate::doc::Spec;
use crate::error::join;
use crate::plan::Plan;

/// Why the runtime cannot present the scheme `name`, or `None` when it can.
fn unsupported(doc: &Value, name: &str) -> Option<String> {
    let Some(scheme) = doc.pointer(&join("/components/securitySchemes", name)) else {
        // Reported by `describe`: a requirement naming no scheme is an error of the document.
        return None;
    };
    let scheme = Spec::new(doc).resolved(scheme);
    match scheme.get("type").and_then(Value::as_str) {
        Some("http") => match scheme.get("scheme").and_then(Value::as_str).map(str::to_ascii_lowercase) {
            Some(s) if s == "bearer" => None,
            Some(other) => Some(format!("http `{other}` authentication (`{name}`)")),
            None => Some(format!("an http scheme without `scheme` (`{name}`)")),
        },
        Some("oauth2" | "openIdConnect") => None,
        Some("apiKey") => match scheme.get("in").and_then(Value::as_str) {
            Some("header") => None,
            Some(place) => Some(format!("an API key in the {place} (`{name}`)")),
            None => Some(format!("an API key with no `in` (`{name}`)")),
        },
        Some(other) => Some(format!("the security scheme type `{other}` (`{name}`)")),
        None => Some(format!("a security scheme without `type` (`{name}`)")),
    }
}

pub(super) fn apply(doc: &mut Value, plan: &mut Plan, places: &mut Places) {
    let global = doc.get("security").cloned();
    let mut narrowed: Vec<(String, Vec<Value>, Vec<String>)> = Vec::new();
    let mut left_out: Vec<(String, String)> = Vec::new();
    for op in Spec::new(doc).operations() {
        let Some(Value::Array(alternatives)) = op.node.get("security").or(global.as_ref()) else { continue };
        let mut kept = Vec::new();
        let mut dropped = Vec::new();
        for alternative in alternatives {
            let reasons: Vec<String> =
                alternative.as_object().into_iter().flatten().filter_map(|(name, _)| unsupported(doc, name)).collect();
            if reasons.is_empty() {
                kept.push(alternative.clone());
            } else {
                dropped.extend(reasons);
            }
        }
        if dropped.is_empty() {
            continue;
        }
        if kept.is_empty() {
            left_out.push((
                op.pointer.clone(),
                format!("it authenticates only with {}, which the client cannot present yet", dropped.join(" or ")),
            ));
        } else {
            narrowed.push((op.pointer.clone(), kept, dropped));
        }
    }
    for (op_ptr, kept, dropped) in narrowed {
        if let Some(Value::Object(op)) = doc.pointer_mut(&op_ptr) {
            op.insert("security".into(), Value::Array(kept));
            places.record(
                join(&op_ptr, "security"),
                format!("alternatives needing {} dropped: the others remain", dropped.join(", ")),
            );
        }
    }
    for (op_ptr, why) in left_out {
        super::leave_out(plan, places, op_ptr, why);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn unsupported_alternatives_go_and_an_operation_with_none_left_is_left_out() {
        let mut doc = json!({
            "security": [{"basic": []}, {"bearer": []}],
            "paths": {"/a": {"get": {"operationId": "a"}},
                      "/b": {"get": {"operationId": "b", "security": [{"basic": []}]}},
                      "/c": {"get": {"operationId": "c", "security": [{"key": []}]}}},
            "components": {"securitySchemes": {
                "basic": {"type": "http", "scheme": "basic"},
                "bearer": {"type": "http", "scheme": "bearer"},
                "key": {"type": "apiKey", "in": "header", "name": "X-Key"}}}});
        let (mut places, mut plan) = (Places::default(), Plan::default());
        apply(&mut doc, &mut plan, &mut places);
        assert_eq!(doc["paths"]["/a"]["get"]["security"], json!([{"bearer": []}]));
        assert_eq!(
            plan.left_out("/paths/~1b/get"),
            Some(
                "it authenticates only with http `basic` authentication (`basic`), which the client cannot present yet"
            )
        );
        assert!(doc["paths"]["/c"]["get"].get("security").is_some() && plan.left_out("/paths/~1c/get").is_none());
        assert_eq!(places.changes().len(), 2);
    }
}
