//! Reads `x-webhook-signature` (document root): how the API signs its webhook deliveries, for
//! the generated `webhooks::verify`. Every problem of the extension is reported, located;
//! what it names becomes string literals and one type path, never code.

use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::doc::extensions::WEBHOOK_SIGNATURE;
use crate::error::{Error, ErrorKind, join};

/// How deliveries are signed: an HMAC of the raw body keyed with the webhook's secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebhookSignature {
    /// The header carrying the signature, as the document spells it.
    pub header: String,
    pub algorithm: Algorithm,
    pub encoding: Encoding,
    /// Text before the encoded MAC in the header (`sha256=`); empty for none.
    pub prefix: String,
    /// The Rust type of the event (`types::<event>`), when the extension names a schema;
    /// otherwise `verify` answers JSON.
    pub event: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Algorithm {
    HmacSha1,
    HmacSha256,
    HmacSha512,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Encoding {
    Hex,
    Base64,
}

const ALGORITHMS: [(&str, Algorithm); 3] = [
    ("hmac-sha1", Algorithm::HmacSha1),
    ("hmac-sha256", Algorithm::HmacSha256),
    ("hmac-sha512", Algorithm::HmacSha512),
];
const ENCODINGS: [(&str, Encoding); 2] = [("hex", Encoding::Hex), ("base64", Encoding::Base64)];
const KEYS: [&str; 5] = ["header", "algorithm", "encoding", "prefix", "event"];
const SCHEMAS: &str = "#/components/schemas/";

/// The document's signature scheme, `None` when it declares none.
pub fn webhook_signature(doc: &Value, file: &Path) -> Result<Option<WebhookSignature>, Error> {
    let Some(extension) = doc.get(WEBHOOK_SIGNATURE) else { return Ok(None) };
    let root = join("", WEBHOOK_SIGNATURE);
    let at = |key: &str| join(&root, key);
    let invalid = |ptr: String, problem: String| Error::new(file, ptr, ErrorKind::Invalid(problem));
    let Some(map) = extension.as_object() else {
        let problem = format!("`{WEBHOOK_SIGNATURE}` must be a mapping with {}", KEYS[..3].join(", "));
        return Err(invalid(root, problem));
    };
    let mut problems = Vec::new();
    for key in map.keys().filter(|k| !KEYS.contains(&k.as_str())) {
        problems.push(invalid(at(key), format!("unknown key `{key}`: expected one of {}", KEYS.join(", "))));
    }
    let mut text = |key: &str, required: bool| match map.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        None if !required => Some(String::new()),
        None => {
            problems.push(invalid(root.clone(), format!("missing `{key}`")));
            None
        }
        Some(_) => {
            problems.push(invalid(at(key), "not a string".into()));
            None
        }
    };
    let (header, algorithm, encoding, prefix) =
        (text("header", true), text("algorithm", true), text("encoding", true), text("prefix", false));
    let header = header.filter(|h| {
        let token = is_token(h);
        if !token {
            problems.push(invalid(at("header"), format!("`{h}` is not an HTTP header name")));
        }
        token
    });
    let algorithm = algorithm.and_then(|a| {
        let found = lookup(&ALGORITHMS, &a);
        if found.is_none() {
            problems
                .push(invalid(at("algorithm"), format!("unknown algorithm `{a}`: expected {}", names(&ALGORITHMS))));
        }
        found
    });
    let encoding = encoding.and_then(|e| {
        let found = lookup(&ENCODINGS, &e);
        if found.is_none() {
            problems.push(invalid(at("encoding"), format!("unknown encoding `{e}`: expected {}", names(&ENCODINGS))));
        }
        found
    });
    let event = match map.get("event") {
        None => Ok(None),
        Some(event) => event_type(doc, event).map(Some).map_err(|problem| invalid(at("event"), problem)),
    };
    let event = event.map_err(|e| problems.push(e)).ok().flatten();
    Error::collect(problems)?;
    match (header, algorithm, encoding, prefix) {
        (Some(header), Some(algorithm), Some(encoding), Some(prefix)) => {
            Ok(Some(WebhookSignature { header, algorithm, encoding, prefix, event }))
        }
        // Every `None` above recorded its problem.
        _ => Err(invalid(root, "malformed".into())),
    }
}

/// The Rust type typify gives the component schema `event` names (`{$ref: …}`).
fn event_type(doc: &Value, event: &Value) -> Result<String, String> {
    let reference =
        event.get("$ref").and_then(Value::as_str).filter(|_| event.as_object().is_some_and(|m| m.len() == 1));
    let Some(reference) = reference else {
        return Err(format!("must be `{{$ref: '{SCHEMAS}<Name>'}}`"));
    };
    let name = reference
        .strip_prefix(SCHEMAS)
        .filter(|name| !name.is_empty() && !name.contains('/'))
        .ok_or_else(|| format!("`{reference}` does not name a component schema ({SCHEMAS}<Name>)"))?;
    let name = name.replace("~1", "/").replace("~0", "~");
    let exists = doc.pointer(&join("/components/schemas", &name)).is_some();
    if !exists {
        return Err(format!("`{reference}` names no schema of the document"));
    }
    let rust = crate::names::type_name(&name);
    // Emission writes it as an identifier: make sure it is one.
    syn::parse_str::<syn::Ident>(&rust).map_err(|_| format!("`{reference}` has no Rust type name"))?;
    Ok(rust)
}

fn lookup<T: Copy>(table: &[(&str, T)], name: &str) -> Option<T> {
    table.iter().find(|(n, _)| *n == name).map(|(_, value)| *value)
}

fn names<T>(table: &[(&str, T)]) -> String {
    table.iter().map(|(n, _)| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// An RFC 9110 token: what a header name is.
fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(extension: Value) -> Result<Option<WebhookSignature>, Error> {
        let doc = json!({"x-webhook-signature": extension, "components": {"schemas": {"deployment-event": {}}}});
        webhook_signature(&doc, Path::new("spec.yaml"))
    }

    #[test]
    fn a_declared_signature_is_read_with_its_defaults() {
        assert_eq!(webhook_signature(&json!({}), Path::new("spec.yaml")).unwrap(), None);
        let vercel = read(json!({"header": "x-vercel-signature", "algorithm": "hmac-sha1", "encoding": "hex"}));
        let expected = WebhookSignature {
            header: "x-vercel-signature".into(),
            algorithm: Algorithm::HmacSha1,
            encoding: Encoding::Hex,
            prefix: String::new(),
            event: None,
        };
        assert_eq!(vercel.unwrap(), Some(expected));
        let github = json!({"header": "X-Hub-Signature-256", "algorithm": "hmac-sha256", "encoding": "hex",
            "prefix": "sha256=", "event": {"$ref": "#/components/schemas/deployment-event"}});
        let github = read(github).unwrap().unwrap();
        assert_eq!((github.prefix.as_str(), github.event.as_deref()), ("sha256=", Some("DeploymentEvent")));
    }

    #[test]
    fn every_problem_of_the_extension_is_located() {
        let error = read(json!({"header": "x sig", "algorithm": "md5", "encoding": "base32", "prefix": 1,
            "event": {"$ref": "#/components/schemas/Missing"}, "secret": "s"}))
        .unwrap_err();
        let lines: Vec<String> = error.all().map(|e| format!("{}: {}", e.pointer, e.kind)).collect();
        for expected in [
            "/x-webhook-signature/secret: unknown key `secret`",
            "/x-webhook-signature/prefix: not a string",
            "/x-webhook-signature/header: `x sig` is not an HTTP header name",
            "/x-webhook-signature/algorithm: unknown algorithm `md5`: expected `hmac-sha1`",
            "/x-webhook-signature/encoding: unknown encoding `base32`",
            "/x-webhook-signature/event: `#/components/schemas/Missing` names no schema",
        ] {
            assert!(lines.iter().any(|l| l.starts_with(expected)), "{expected} not in {lines:#?}");
        }
        assert!(error.to_string().starts_with("spec.yaml: at /x-webhook-signature/"), "{error}");
        for malformed in [json!("hmac-sha1"), json!({"algorithm": "hmac-sha1", "encoding": "hex"})] {
            let error = read(malformed).unwrap_err().to_string();
            assert!(error.starts_with("spec.yaml: at /x-webhook-signature: "), "{error}");
        }
        let error =
            read(json!({"header": "h", "algorithm": "hmac-sha1", "encoding": "hex", "event": {"type": "object"}}));
        assert!(error.unwrap_err().to_string().contains("at /x-webhook-signature/event: must be"));
    }
}
