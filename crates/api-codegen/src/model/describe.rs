//! Reads the [`ApiModel`] out of a normalised document (without changing it).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use serde_json::Value;

use crate::doc::Spec;
use crate::doc::schemas;
use crate::error::{Error, ErrorKind, join};
use crate::model::{ApiModel, Operation, Scheme, SchemeKind};
use crate::plan::Plan;

pub fn describe(doc: &Value, plan: &Plan, file: &Path) -> Result<ApiModel, Error> {
    let invalid = |ptr: &str, msg: String| Error::new(file, ptr, ErrorKind::Invalid(msg));
    let text = |v: &Value, ptr: &str| -> Result<String, Error> {
        v.pointer(ptr)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| invalid(ptr, "missing or not a string".into()))
    };

    let spec = Spec::new(doc);
    let global_security = doc.get("security");

    let mut operations = Vec::new();
    let mut used_schemes = BTreeSet::new();
    let mut secrets = SecretReach::new(spec);
    for operation in spec.operations() {
        let (ptr, op) = (&operation.pointer, operation.node);
        // Left out of the client (see the rule): the runtime needs no entry for it.
        if plan.left_out(ptr).is_some() {
            continue;
        }
        let id = text(op, "/operationId").map_err(|_| invalid(ptr, "operation has no `operationId`".into()))?;
        let security_ptr = join(ptr, "security");
        let requirements = op.get("security").or(global_security);
        let security = match requirements {
            None => Vec::new(),
            Some(Value::Array(alternatives)) => {
                let mut out = Vec::new();
                for alternative in alternatives {
                    let Some(names) = alternative.as_object() else {
                        return Err(invalid(&security_ptr, "a security requirement must be a mapping".into()));
                    };
                    if names.is_empty() {
                        // `{}` makes authentication optional: no credential needed.
                        out.clear();
                        break;
                    }
                    let names: Vec<String> = names.keys().cloned().collect();
                    used_schemes.extend(names.iter().cloned());
                    out.push(names);
                }
                out
            }
            Some(_) => return Err(invalid(&security_ptr, "`security` must be a list".into())),
        };
        let constant_headers = plan.operation(ptr).map(|p| p.constant_headers.clone()).unwrap_or_default();
        // progenitor's method name, also `OperationInfo::operation_id` (rewrite.rs checks they agree).
        let rust_name = crate::names::method_name(&id);
        let returns_secrets = operation.success_schemas().into_iter().any(|schema| secrets.held_by(schema));
        let sends_secrets = operation.request_schemas().any(|schema| secrets.held_by(schema));
        operations.push(Operation {
            id,
            rust_name,
            method: operation.method.to_uppercase(),
            path: operation.path.to_string(),
            security,
            constant_headers,
            returns_secrets,
            sends_secrets,
        });
    }

    let mut schemes = Vec::new();
    for name in used_schemes {
        let ptr = join("/components/securitySchemes", &name);
        let scheme = doc
            .pointer(&ptr)
            .ok_or_else(|| invalid(&ptr, format!("security scheme `{name}` is used but not defined")))?;
        let kind = scheme_kind(scheme).map_err(|problem| invalid(&ptr, problem))?;
        schemes.push(Scheme { name, kind });
    }

    let client_ptr = "/info/x-client";
    let needs_key = operations.iter().any(|op| !op.security.is_empty());
    let uses_basic = schemes.iter().any(|s| s.kind == SchemeKind::Basic);
    let uses_key = schemes.iter().any(|s| s.kind != SchemeKind::Basic);
    let client = |key: &str| doc.pointer(&join(client_ptr, key)).and_then(Value::as_str).map(str::to_string);
    let api_key_env = match doc.pointer(&join(client_ptr, "api-key-env")) {
        Some(Value::String(s)) => s.clone(),
        // An API whose schemes are all http basic needs no key (its variables may be named).
        _ if needs_key && uses_key => {
            return Err(invalid(
                client_ptr,
                "operations need a credential: add `x-client.api-key-env` in the overlay".into(),
            ));
        }
        _ if needs_key && (client("username-env").is_none() || client("password-env").is_none()) => {
            return Err(invalid(
                client_ptr,
                "operations use http basic: add `x-client.username-env` and `password-env` in the overlay (or `api-key-env`, from which both are derived)".into(),
            ));
        }
        _ => String::new(),
    };
    let (username_env, password_env) = if uses_basic {
        let derived = |word: &str| (!api_key_env.is_empty()).then(|| basic_env(&api_key_env, word));
        (
            client("username-env").or_else(|| derived("USERNAME")).unwrap_or_default(),
            client("password-env").or_else(|| derived("PASSWORD")).unwrap_or_default(),
        )
    } else {
        (String::new(), String::new())
    };
    let base_url_env =
        doc.pointer(&join(client_ptr, "base-url-env")).and_then(Value::as_str).unwrap_or_default().to_string();

    let webhook = crate::model::webhook::webhook_signature(doc, file)?;

    Ok(ApiModel {
        title: text(doc, "/info/title")?,
        version: text(doc, "/info/version")?,
        default_base_url: doc.pointer("/servers/0/url").and_then(Value::as_str).map(str::to_string),
        api_key_env,
        username_env,
        password_env,
        base_url_env,
        schemes,
        operations,
        secret_fields: secret_fields(doc),
        webhook,
    })
}

/// How `scheme` (from `components.securitySchemes`) presents its credential, or why it cannot
/// be presented (the `unsupported-security` rule leaves out what needs such a scheme).
fn scheme_kind(scheme: &Value) -> Result<SchemeKind, String> {
    let name = || scheme.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()).map(str::to_string);
    match scheme.get("type").and_then(Value::as_str) {
        Some("http") => match scheme.get("scheme").and_then(Value::as_str) {
            Some(s) if s.eq_ignore_ascii_case("bearer") => Ok(SchemeKind::Bearer),
            Some(s) if s.eq_ignore_ascii_case("basic") => Ok(SchemeKind::Basic),
            // Sent as the document spells it: `Authorization: <scheme> <key>`.
            Some(s) if is_token(s) => Ok(SchemeKind::Http(s.to_string())),
            Some(other) => Err(format!("the http auth scheme `{other}` is not an HTTP token")),
            None => Err("an http security scheme without `scheme`".into()),
        },
        Some("oauth2" | "openIdConnect") => Ok(SchemeKind::Bearer),
        Some("apiKey") => {
            let key_name = name().ok_or("apiKey scheme without `name`")?;
            match scheme.get("in").and_then(Value::as_str) {
                Some("header") => Ok(SchemeKind::Header(key_name)),
                Some("query") => Ok(SchemeKind::Query(key_name)),
                Some("cookie") if is_token(&key_name) => Ok(SchemeKind::Cookie(key_name)),
                Some("cookie") => Err(format!("the cookie name `{key_name}` is not an HTTP token")),
                Some(other) => Err(format!("unsupported apiKey location `{other}`")),
                None => Err("an apiKey scheme without `in`".into()),
            }
        }
        Some(other) => Err(format!("unsupported security scheme type `{other}`")),
        None => Err("a security scheme without `type`".into()),
    }
}

/// An RFC 9110 token (an auth scheme, a cookie name).
fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// http basic's variable for `word` (`USERNAME`, `PASSWORD`), derived from the key's:
/// `TWILIO_API_KEY` gives `TWILIO_USERNAME` (the key's own last words dropped).
fn basic_env(api_key_env: &str, word: &str) -> String {
    const KEY_WORDS: [&str; 7] =
        ["_API_KEY", "_APIKEY", "_API_TOKEN", "_ACCESS_TOKEN", "_AUTH_TOKEN", "_TOKEN", "_KEY"];
    let prefix =
        KEY_WORDS.iter().find_map(|w| api_key_env.strip_suffix(w)).filter(|p| !p.is_empty()).unwrap_or(api_key_env);
    format!("{prefix}_{word}")
}

fn secret_fields(doc: &Value) -> Vec<String> {
    let mut names = BTreeSet::new();
    schemas::for_each(doc, |schema, _| {
        for (name, prop) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            if prop.get("x-secret") == Some(&Value::Bool(true)) {
                names.insert(name.clone());
            }
        }
    });
    names.into_iter().collect()
}

/// Which schemas hold an `x-secret` schema anywhere inside, following `$ref`s. Each `$ref`
/// target is read once and its answer kept: operations share most of their schemas (Stripe's
/// 468 reach most of its components), so walking the graph anew per operation repeated the
/// same work hundreds of times.
struct SecretReach<'a> {
    spec: Spec<'a>,
    /// Per `$ref` seen: whether it leads to a secret.
    known: HashMap<&'a str, bool>,
}

impl<'a> SecretReach<'a> {
    fn new(spec: Spec<'a>) -> Self {
        SecretReach { spec, known: HashMap::new() }
    }

    /// Whether `schema` holds a secret, itself or through the schemas it references.
    fn held_by(&mut self, schema: &'a Value) -> bool {
        let (direct, refs) = local(schema);
        if direct {
            return true;
        }
        self.learn(&refs);
        refs.iter().any(|r| self.known.get(r) == Some(&true))
    }

    /// Settles every reference reachable from `refs`: the graph of `$ref`s among targets
    /// not yet known, then a secret propagated backwards along it (exact under cycles).
    fn learn(&mut self, refs: &[&'a str]) {
        let mut edges: HashMap<&'a str, Vec<&'a str>> = HashMap::new();
        let mut direct: Vec<&'a str> = Vec::new();
        let mut queue: Vec<&'a str> = refs.iter().copied().filter(|r| !self.known.contains_key(r)).collect();
        while let Some(reference) = queue.pop() {
            if edges.contains_key(reference) || self.known.contains_key(reference) {
                continue;
            }
            let target = self.spec.target(&Value::String(reference.to_string())).ok();
            let (holds, next) = target.map(local).unwrap_or_default();
            if holds {
                direct.push(reference);
            }
            queue.extend(next.iter().copied().filter(|r| !edges.contains_key(r)));
            edges.insert(reference, next);
        }
        // Backwards: a reference holds a secret when one it leads to does (or one known to).
        let mut back: HashMap<&'a str, Vec<&'a str>> = HashMap::new();
        for (from, tos) in &edges {
            for to in tos {
                back.entry(*to).or_default().push(*from);
            }
        }
        let mut holding: HashSet<&'a str> = HashSet::new();
        let known_secret = edges.values().flatten().filter(|to| self.known.get(*to) == Some(&true));
        let mut queue: Vec<&'a str> = direct.into_iter().chain(known_secret.copied()).collect();
        while let Some(reference) = queue.pop() {
            if holding.insert(reference) {
                queue.extend(back.get(reference).into_iter().flatten().copied());
            }
        }
        for reference in edges.into_keys() {
            self.known.insert(reference, holding.contains(reference));
        }
    }
}

/// Whether `schema` itself (not through `$ref`s) has an `x-secret` schema inside, and the
/// `$ref`s it makes.
fn local(schema: &Value) -> (bool, Vec<&str>) {
    let mut refs = Vec::new();
    let mut stack = vec![schema];
    while let Some(node) = stack.pop() {
        if let Some(reference) = node.get("$ref") {
            refs.extend(reference.as_str());
            continue;
        }
        if node.get("x-secret") == Some(&Value::Bool(true)) {
            return (true, refs);
        }
        stack.extend(schemas::children(node, "").iter().filter_map(|ptr| node.pointer(ptr)));
    }
    (false, refs)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_secret_is_found_through_references_and_their_cycles() {
        // A → B → A, and A's own property is the secret: B holds it through A, whichever is
        // asked first.
        let doc = json!({"components": {"schemas": {
            "A": {"properties": {"b": {"$ref": "#/components/schemas/B"}, "key": {"type": "string", "x-secret": true}}},
            "B": {"properties": {"a": {"$ref": "#/components/schemas/A"}}},
            "C": {"properties": {"c": {"$ref": "#/components/schemas/C"}, "n": {"type": "integer"}}},
            "D": {"items": {"$ref": "#/components/schemas/C"}}
        }}});
        let refer = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
        let (a, b, c, d) = (refer("A"), refer("B"), refer("C"), refer("D"));
        for order in [[&a, &b], [&b, &a]] {
            let mut reach = SecretReach::new(Spec::new(&doc));
            for schema in order {
                assert!(reach.held_by(schema), "{schema} after {order:?}");
            }
        }
        let mut reach = SecretReach::new(Spec::new(&doc));
        for schema in [&c, &d, &c] {
            assert!(!reach.held_by(schema), "{schema}");
        }
        let inline = json!({"oneOf": [{"type": "string"}, {"items": {"$ref": "#/components/schemas/B"}}]});
        assert!(reach.held_by(&inline));
    }

    #[test]
    fn every_scheme_kind_the_runtime_presents() {
        for (scheme, kind) in [
            (json!({"type": "http", "scheme": "Bearer"}), SchemeKind::Bearer),
            (json!({"type": "http", "scheme": "basic"}), SchemeKind::Basic),
            (json!({"type": "http", "scheme": "Digest"}), SchemeKind::Http("Digest".into())),
            (json!({"type": "oauth2"}), SchemeKind::Bearer),
            (json!({"type": "openIdConnect"}), SchemeKind::Bearer),
            (json!({"type": "apiKey", "in": "header", "name": "X-Key"}), SchemeKind::Header("X-Key".into())),
            (json!({"type": "apiKey", "in": "query", "name": "api_key"}), SchemeKind::Query("api_key".into())),
            (json!({"type": "apiKey", "in": "cookie", "name": "sid"}), SchemeKind::Cookie("sid".into())),
        ] {
            assert_eq!(scheme_kind(&scheme), Ok(kind), "{scheme}");
        }
        for scheme in [
            json!({"type": "mutualTLS"}),
            json!({"scheme": "basic"}),
            json!({"type": "http"}),
            json!({"type": "http", "scheme": "two words"}),
            json!({"type": "apiKey", "name": "k"}),
            json!({"type": "apiKey", "in": "body", "name": "k"}),
            json!({"type": "apiKey", "in": "query"}),
            json!({"type": "apiKey", "in": "cookie", "name": "a;b"}),
        ] {
            assert!(scheme_kind(&scheme).is_err(), "{scheme}");
        }
    }

    #[test]
    fn basic_variables_are_derived_from_the_keys() {
        for (key, user) in [
            ("TWILIO_API_KEY", "TWILIO_USERNAME"),
            ("STRIPE_KEY", "STRIPE_USERNAME"),
            ("GH_ACCESS_TOKEN", "GH_USERNAME"),
            ("SECRET", "SECRET_USERNAME"),
            ("_KEY", "_KEY_USERNAME"),
        ] {
            assert_eq!(basic_env(key, "USERNAME"), user);
        }
    }

    fn model(client: Value, scheme: Value) -> Result<ApiModel, Error> {
        let doc = json!({
            "info": {"title": "t", "version": "1", "x-client": client},
            "security": [{"s": []}],
            "paths": {"/a": {"get": {"operationId": "a", "responses": {}}}},
            "components": {"securitySchemes": {"s": scheme}}});
        describe(&doc, &Plan::default(), Path::new("spec.yaml"))
    }

    #[test]
    fn basic_variables_come_from_x_client_or_the_key_variable() {
        let basic = json!({"type": "http", "scheme": "basic"});
        let m = model(json!({"api-key-env": "TWILIO_API_KEY"}), basic.clone()).unwrap();
        assert_eq!((m.username_env.as_str(), m.password_env.as_str()), ("TWILIO_USERNAME", "TWILIO_PASSWORD"));
        let named = json!({"username-env": "TWILIO_ACCOUNT_SID", "password-env": "TWILIO_AUTH_TOKEN"});
        let m = model(named, basic.clone()).unwrap();
        assert_eq!((m.api_key_env.as_str(), m.username_env.as_str()), ("", "TWILIO_ACCOUNT_SID"));
        assert_eq!(m.password_env, "TWILIO_AUTH_TOKEN");
        let error = model(json!({"username-env": "U"}), basic).unwrap_err().to_string();
        assert!(error.contains("password-env"), "{error}");
        // No basic scheme: no variables.
        let m = model(json!({"api-key-env": "K"}), json!({"type": "apiKey", "in": "query", "name": "k"})).unwrap();
        assert_eq!((m.username_env.as_str(), m.password_env.as_str()), ("", ""));
    }
}
