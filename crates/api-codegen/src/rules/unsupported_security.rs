//! `unsupported-security`: the runtime presents every scheme OpenAPI defines but mutual TLS:
//! http `bearer`, `basic` and any other http scheme named by an HTTP token, `oauth2` and
//! `openIdConnect` tokens, and API keys in a header, the query or a cookie. An operation's
//! security alternative that needs anything else (a scheme without `type`, an unknown type,
//! `mutualTLS`, an http scheme without `scheme`, an API key without `in` or `name`, or in an
//! unknown place) is dropped when another alternative remains; an operation with no
//! alternative left is left out of the client with the reason, never the document. The
//! definitions of such schemes are removed too: progenitor's reader refuses most of them.

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
    let key_name = scheme.get("name").and_then(Value::as_str).filter(|n| !n.is_empty());
    match scheme.get("type").and_then(Value::as_str) {
        Some("http") => match scheme.get("scheme").and_then(Value::as_str) {
            Some(s) if is_token(s) => None,
            Some(other) => Some(format!("the http scheme `{other}`, which is not an HTTP token (`{name}`)")),
            None => Some(format!("an http scheme without `scheme` (`{name}`)")),
        },
        Some("oauth2" | "openIdConnect") => None,
        Some("apiKey") => match (scheme.get("in").and_then(Value::as_str), key_name) {
            (Some("header" | "query" | "cookie"), None) => Some(format!("an API key without `name` (`{name}`)")),
            (Some("header" | "query"), Some(_)) => None,
            (Some("cookie"), Some(cookie)) if is_token(cookie) => None,
            (Some("cookie"), Some(cookie)) => Some(format!("the cookie `{cookie}`, not an HTTP token (`{name}`)")),
            (Some(place), _) => Some(format!("an API key in the {place} (`{name}`)")),
            (None, _) => Some(format!("an API key with no `in` (`{name}`)")),
        },
        Some("mutualTLS") => Some(format!("mutual TLS (`{name}`)")),
        Some(other) => Some(format!("the security scheme type `{other}` (`{name}`)")),
        None => Some(format!("a security scheme without `type` (`{name}`)")),
    }
}

/// An RFC 9110 token: what an auth scheme or a cookie name must be to be sent.
fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
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
    // No kept alternative names them now; their definitions go too, since progenitor's reader
    // refuses most of them (`mutualTLS`, an apiKey without `in`) and so the whole document.
    let unknown: Vec<(String, String)> = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, _)| Some((name.clone(), unsupported(doc, name)?)))
        .collect();
    if let Some(Value::Object(schemes)) = doc.pointer_mut("/components/securitySchemes") {
        for (name, why) in unknown {
            schemes.remove(&name);
            places.record(
                join("/components/securitySchemes", &name),
                format!("removed: {why}, which the client cannot present"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn unknown_alternatives_go_and_an_operation_with_none_left_is_left_out() {
        let mut doc = json!({
            "security": [{"tls": []}, {"bearer": []}],
            "paths": {"/a": {"get": {"operationId": "a"}},
                      "/b": {"get": {"operationId": "b", "security": [{"tls": []}, {"odd": []}]}},
                      "/c": {"get": {"operationId": "c", "security": [{"basic": [], "query": []}, {"cookie": []}]}}},
            "components": {"securitySchemes": {
                "tls": {"type": "mutualTLS"},
                "odd": {"type": "apiKey", "name": "k"},
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic"},
                "query": {"type": "apiKey", "in": "query", "name": "api_key"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "sid"}}}});
        let (mut places, mut plan) = (Places::default(), Plan::default());
        apply(&mut doc, &mut plan, &mut places);
        assert_eq!(doc["paths"]["/a"]["get"]["security"], json!([{"bearer": []}]));
        assert_eq!(
            plan.left_out("/paths/~1b/get"),
            Some(
                "it authenticates only with mutual TLS (`tls`) or an API key with no `in` (`odd`), which the client cannot present yet"
            )
        );
        assert!(doc["paths"]["/c"]["get"]["security"].as_array().is_some_and(|a| a.len() == 2));
        assert!(plan.left_out("/paths/~1c/get").is_none());
        // The unknown definitions are gone, the others kept.
        let mut schemes: Vec<&String> = doc["components"]["securitySchemes"].as_object().unwrap().keys().collect();
        schemes.sort();
        assert_eq!(schemes, ["basic", "bearer", "cookie", "query"]);
        assert_eq!(places.changes().len(), 4);
    }

    #[test]
    fn every_kind_the_runtime_presents_is_kept() {
        let doc = json!({"components": {"securitySchemes": {
            "basic": {"type": "http", "scheme": "Basic"},
            "digest": {"type": "http", "scheme": "Digest"},
            "oauth": {"type": "oauth2"},
            "oidc": {"type": "openIdConnect"},
            "header": {"type": "apiKey", "in": "header", "name": "X-Key"},
            "query": {"type": "apiKey", "in": "query", "name": "key"},
            "cookie": {"type": "apiKey", "in": "cookie", "name": "sid"},
            "untyped": {"scheme": "basic"},
            "unknown": {"type": "magic"},
            "spaced": {"type": "http", "scheme": "two words"},
            "nameless": {"type": "apiKey", "in": "query"},
            "badcookie": {"type": "apiKey", "in": "cookie", "name": "a=b"}}}});
        for name in ["basic", "digest", "oauth", "oidc", "header", "query", "cookie"] {
            assert_eq!(unsupported(&doc, name), None, "{name}");
        }
        for name in ["untyped", "unknown", "spaced", "nameless", "badcookie"] {
            assert!(unsupported(&doc, name).is_some(), "{name}");
        }
    }
}
