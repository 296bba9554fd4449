//! Keeping secrets out of what errors keep of a response: a response that drifted from the
//! spec may still carry the new token it was meant to deliver, under a name or type we do not
//! expect, and a server may echo the key or a token it was sent.
//!
//! Two tools: [`scrub_body`] keeps a body but redacts secret fields (matched by normalised
//! name) and known secret values (matched ignoring case, as is, JSON-escaped or
//! percent-encoded); [`shape`] keeps only a body's structure, for operations whose secrets
//! could be anywhere in it. One policy picks between them: [`Scrubber`], built for a client
//! from the API's secret fields and its key, and narrowed once per call
//! ([`Scrubber::for_call`]) to the operation and the secrets its request sent; the call hands
//! it to its error or to its stream.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::sync::Arc;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;
use zeroize::Zeroize;

use crate::api::{ApiDescription, OperationDescription};
use crate::secret::SecretString;

pub(crate) const REDACTED: &str = "[REDACTED]";

/// Bounds of a shape: it is read by people, and a hostile server controls its keys.
const SHAPE_MAX_CHARS: usize = 200;
const SHAPE_MAX_DEPTH: usize = 6;
const SHAPE_MAX_KEYS: usize = 12;
const KEY_MAX_CHARS: usize = 32;
/// Shorter values would redact ordinary text.
const MIN_SECRET_LEN: usize = 4;

/// Replaces the value of every property named in `secret_fields` (in any casing or separator
/// style, see [`FieldNames`]), at any depth. A body that is not JSON is withheld whole: the
/// secret cannot be located in it.
pub fn redact_json(body: &[u8], secret_fields: &[&str]) -> Bytes {
    match serde_json::from_slice::<Value>(body) {
        Ok(mut value) => {
            scrub_value(&mut value, &FieldNames::new(secret_fields), &Needles::default());
            serde_json::to_vec(&value).map(Bytes::from).unwrap_or_else(|_| Bytes::from_static(WITHHELD))
        }
        Err(_) => Bytes::from_static(WITHHELD),
    }
}

const WITHHELD: &[u8] = b"[body withheld: not JSON, and it may hold secrets]";

/// A body with secret fields and known secret values redacted; kept as is otherwise (a body
/// that is not JSON only loses the known values).
pub(crate) fn scrub_body(body: &[u8], fields: &FieldNames, needles: &Needles) -> Bytes {
    let json = match serde_json::from_slice::<Value>(body) {
        Ok(mut value) => {
            scrub_value(&mut value, fields, needles);
            serde_json::to_vec(&value).ok()
        }
        Err(_) => None,
    };
    // The byte pass also catches values in JSON numbers and in bodies that are not JSON.
    match json {
        Some(json) => Bytes::from(needles.scrub(&json).into_owned()),
        None => Bytes::from(needles.scrub(body).into_owned()),
    }
}

fn scrub_value(value: &mut Value, fields: &FieldNames, needles: &Needles) {
    match value {
        Value::Object(map) => {
            for (key, mut child) in std::mem::take(map) {
                if fields.matches(&key) && !child.is_null() {
                    child = Value::String(REDACTED.into());
                } else {
                    scrub_value(&mut child, fields, needles);
                }
                map.insert(needles.scrub_str(&key).into_owned(), child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| scrub_value(v, fields, needles)),
        Value::String(text) => {
            if let Cow::Owned(clean) = needles.scrub_str(text) {
                *text = clean;
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Secret field names, matched whatever their spelling: `bearerToken`, `bearer_token`,
/// `BEARER-TOKEN` are one name (lowercased, separators dropped), and a name containing it
/// (`bearer_token_v2`) counts too, since that is how a renamed secret field usually looks.
pub(crate) struct FieldNames(Vec<String>);

impl FieldNames {
    pub fn new(fields: &[&str]) -> Self {
        FieldNames(fields.iter().map(|f| normalize(f)).filter(|f| !f.is_empty()).collect())
    }

    pub fn matches(&self, key: &str) -> bool {
        let key = normalize(key);
        self.0.iter().any(|field| key.contains(field.as_str()))
    }
}

fn normalize(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Known secret values (the API key, secrets the request sent), each in the spellings a body
/// may carry it in: as is, JSON-escaped, percent-encoded. Matched ignoring ASCII case.
#[derive(Default)]
pub(crate) struct Needles(Vec<Vec<u8>>);

impl Needles {
    pub fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        Needles::default().with(values)
    }

    /// These needles and those of `values`.
    pub fn with<'a>(&self, values: impl IntoIterator<Item = &'a str>) -> Self {
        // Wrapped at once, so every copy is zeroized on drop.
        let mut needles = Needles(self.0.clone());
        for value in values.into_iter().filter(|v| v.len() >= MIN_SECRET_LEN) {
            let escaped = json_escaped(value);
            let spellings = [value.to_string(), escaped.replace('/', "\\/"), escaped, percent_encoded(value)];
            for mut spelling in spellings {
                let lower = spelling.to_ascii_lowercase().into_bytes();
                spelling.zeroize();
                if needles.0.contains(&lower) {
                    let mut lower = lower;
                    lower.zeroize();
                } else {
                    needles.0.push(lower);
                }
            }
        }
        // Longest first, so a spelling is never cut short by a shorter one.
        needles.0.sort_by_key(|n| Reverse(n.len()));
        needles
    }

    pub fn found_in(&self, haystack: &[u8]) -> bool {
        !self.0.is_empty() && (0..haystack.len()).any(|i| self.match_at(haystack, i).is_some())
    }

    /// `haystack` with every occurrence replaced by `[REDACTED]`.
    pub fn scrub<'h>(&self, haystack: &'h [u8]) -> Cow<'h, [u8]> {
        if !self.found_in(haystack) {
            return Cow::Borrowed(haystack);
        }
        let mut out = Vec::with_capacity(haystack.len());
        let mut i = 0;
        while i < haystack.len() {
            match self.match_at(haystack, i) {
                Some(len) => {
                    out.extend_from_slice(REDACTED.as_bytes());
                    i += len;
                }
                None => {
                    out.push(haystack[i]);
                    i += 1;
                }
            }
        }
        Cow::Owned(out)
    }

    pub fn scrub_str<'h>(&self, text: &'h str) -> Cow<'h, str> {
        match self.scrub(text.as_bytes()) {
            Cow::Borrowed(_) => Cow::Borrowed(text),
            // Matches start and end on character boundaries (needles are whole UTF-8 strings
            // and ASCII case folding keeps every non-ASCII byte), so this stays valid.
            Cow::Owned(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
        }
    }

    /// The length of the needle matching `haystack` at `at`, ignoring ASCII case.
    fn match_at(&self, haystack: &[u8], at: usize) -> Option<usize> {
        let rest = &haystack[at..];
        self.0.iter().find(|n| rest.len() >= n.len() && rest[..n.len()].eq_ignore_ascii_case(n)).map(Vec::len)
    }
}

impl Drop for Needles {
    fn drop(&mut self) {
        self.0.iter_mut().for_each(Zeroize::zeroize);
    }
}

fn json_escaped(value: &str) -> String {
    let quoted = serde_json::to_string(value).unwrap_or_default();
    quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or_default().to_string()
}

fn percent_encoded(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Headers whose values are credentials, in either direction.
const CREDENTIAL_HEADERS: &[&str] = &["authorization", "proxy-authorization", "x-api-key", "cookie", "set-cookie"];
/// Standard response metadata, kept even for operations that carry secrets.
const METADATA_HEADERS: &[&str] = &[
    "age",
    "cache-control",
    "connection",
    "content-encoding",
    "content-language",
    "content-length",
    "content-type",
    "date",
    "retry-after",
    "server",
    "transfer-encoding",
    "vary",
    "via",
    "x-request-id",
];

/// The scrub policy: what an error or a stream may show of a response.
///
/// A client builds one from the API's secret fields and its key ([`Scrubber::new`]); each call
/// narrows it once, after its request was prepared, to its operation and the secrets the
/// request sent ([`Scrubber::for_call`]). The parts are shared: a call that sent no secret
/// allocates nothing for its policy.
pub(crate) struct Scrubber {
    fields: Arc<FieldNames>,
    /// The client's credentials and the secret values the request carried (a token being
    /// revoked).
    needles: Arc<Needles>,
    /// The API, whose query parameters carrying a key are masked in every URL shown.
    api: Option<&'static ApiDescription>,
    /// For operations that return or send secrets: bodies are kept as their shape only.
    shape_only: bool,
}

impl Scrubber {
    #[cfg(test)]
    pub fn new(secret_fields: &[&str], api_key: Option<&str>, sent: &[SecretString], shape_only: bool) -> Self {
        Scrubber {
            fields: Arc::new(FieldNames::new(secret_fields)),
            needles: Arc::new(Needles::new(api_key.into_iter().chain(sent.iter().map(SecretString::expose_secret)))),
            api: None,
            shape_only,
        }
    }

    /// A client's policy: `api`'s secret fields and key-carrying query parameters, and the
    /// client's `credentials` (every value a server could echo).
    pub fn for_client(api: &'static ApiDescription, credentials: &[SecretString]) -> Self {
        Scrubber {
            fields: Arc::new(FieldNames::new(api.secret_fields)),
            needles: Arc::new(Needles::new(credentials.iter().map(SecretString::expose_secret))),
            api: Some(api),
            shape_only: false,
        }
    }

    /// The policy for one call of `operation` (`None`: an operation the description does not
    /// know) whose request sent `sent`: this policy's fields and known values, the sent values
    /// too, and only the shape of bodies when the operation returns or sends secrets (an
    /// unknown operation gets that strictest treatment).
    pub fn for_call(&self, operation: Option<&OperationDescription>, sent: &[SecretString]) -> Self {
        let needles = if sent.is_empty() {
            Arc::clone(&self.needles)
        } else {
            Arc::new(self.needles.with(sent.iter().map(SecretString::expose_secret)))
        };
        Scrubber {
            fields: Arc::clone(&self.fields),
            needles,
            api: self.api,
            shape_only: operation.is_none_or(|op| op.returns_secrets || op.sends_secrets),
        }
    }

    /// `url` as an error may show it: the value of a query parameter that carries the key
    /// (by the spec's name) or holds a known secret (any name) is `[REDACTED]`.
    pub fn url(&self, url: &mut reqwest::Url) {
        let names: Vec<&str> = self.api.map(|api| api.query_keys().collect()).unwrap_or_default();
        crate::urls::redact_query(url, |name, value| names.contains(&name) || self.needles.found_in(value.as_bytes()));
    }

    /// A transport error whose URL (if it has one) shows no credential.
    pub fn transport_error(&self, mut error: reqwest::Error) -> reqwest::Error {
        if let Some(url) = error.url_mut() {
            self.url(url);
        }
        error
    }

    /// The secrets in a body this policy keeps only the shape of (an operation that returns
    /// or sends secrets, whose answer did not decode): see [`crate::recover`].
    pub fn recover(&self, body: &[u8]) -> Vec<crate::recover::RecoveredSecret> {
        if !self.shape_only {
            return Vec::new();
        }
        crate::recover::recover(body, &self.fields, &self.needles)
    }

    /// `text` with every known secret value scrubbed (a transport error's message, which
    /// names the URL).
    pub(crate) fn text(&self, text: &str) -> String {
        self.needles.scrub_str(text).into_owned()
    }

    /// Whether bodies are kept as their shape only.
    pub fn shape_only(&self) -> bool {
        self.shape_only
    }

    /// What an error keeps of `body`: its shape for operations that carry secrets (a drifted
    /// body may hold the new token anywhere, in any form), else the body with secret fields and
    /// known secret values redacted.
    pub fn body(&self, body: &[u8], content_type: Option<&str>) -> Bytes {
        if self.shape_only {
            Bytes::from(shape(body, content_type, &self.needles))
        } else {
            scrub_body(body, &self.fields, &self.needles)
        }
    }

    /// Credential headers and values echoing a known secret are redacted; for operations that
    /// carry secrets, so is every header but standard metadata (a vendor could move the new
    /// token into a header as easily as into another field).
    pub fn headers(&self, headers: &HeaderMap) -> HeaderMap {
        let mut out = headers.clone();
        for (name, value) in out.iter_mut() {
            let unknown = self.shape_only && !METADATA_HEADERS.contains(&name.as_str());
            if unknown || CREDENTIAL_HEADERS.contains(&name.as_str()) || self.needles.found_in(value.as_bytes()) {
                let mut redacted = HeaderValue::from_static(REDACTED);
                redacted.set_sensitive(true);
                *value = redacted;
            }
        }
        out
    }
}

/// What a body looks like, without any of its values: for JSON its keys and the JSON type of
/// each value (`{"token": {"id": string}, "secret": string}`), nested and bounded; for anything
/// else its size and media type. Known secret values are scrubbed from keys too.
pub(crate) fn shape(body: &[u8], content_type: Option<&str>, needles: &Needles) -> String {
    if body.is_empty() {
        return "(empty body)".into();
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return non_json(body, content_type);
    };
    let mut writer = ShapeWriter { out: String::new(), needles };
    writer.value(&value, 0);
    let mut out = writer.out;
    if let Some((cut, _)) = out.char_indices().nth(SHAPE_MAX_CHARS) {
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// [`shape`] of a value already parsed.
pub(crate) fn value_shape(value: &Value) -> String {
    let needles = Needles::default();
    let mut writer = ShapeWriter { out: String::new(), needles: &needles };
    writer.value(value, 0);
    let mut out = writer.out;
    if let Some((cut, _)) = out.char_indices().nth(SHAPE_MAX_CHARS) {
        out.truncate(cut);
        out.push('…');
    }
    out
}

fn non_json(body: &[u8], content_type: Option<&str>) -> String {
    let media = content_type.and_then(|ct| ct.split(';').next()).map(str::trim).filter(|m| {
        m.len() <= 64 && m.contains('/') && m.bytes().all(|b| b.is_ascii_alphanumeric() || b"/.+-".contains(&b))
    });
    let kind = match media {
        Some(media) => media.to_ascii_lowercase(),
        None if body.trim_ascii_start().starts_with(b"<") => "looks like HTML or XML".into(),
        None => "unknown type".into(),
    };
    format!("(non-JSON body, {} bytes, {kind})", body.len())
}

struct ShapeWriter<'a> {
    out: String,
    needles: &'a Needles,
}

impl ShapeWriter<'_> {
    fn full(&self) -> bool {
        self.out.len() > SHAPE_MAX_CHARS * 4
    }

    fn value(&mut self, value: &Value, depth: usize) {
        match value {
            Value::Null => self.out.push_str("null"),
            Value::Bool(_) => self.out.push_str("bool"),
            Value::Number(_) => self.out.push_str("number"),
            Value::String(_) => self.out.push_str("string"),
            Value::Array(items) => match items.first() {
                None => self.out.push_str("[]"),
                Some(_) if depth >= SHAPE_MAX_DEPTH => self.out.push_str("[…]"),
                Some(first) => {
                    self.out.push('[');
                    self.value(first, depth + 1);
                    if items.len() > 1 {
                        self.out.push_str(", …");
                    }
                    self.out.push(']');
                }
            },
            Value::Object(map) if map.is_empty() => self.out.push_str("{}"),
            Value::Object(_) if depth >= SHAPE_MAX_DEPTH => self.out.push_str("{…}"),
            Value::Object(map) => {
                self.out.push('{');
                for (i, (key, child)) in map.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    if i == SHAPE_MAX_KEYS || self.full() {
                        self.out.push('…');
                        break;
                    }
                    self.key(key);
                    self.out.push_str(": ");
                    self.value(child, depth + 1);
                }
                self.out.push('}');
            }
        }
    }

    fn key(&mut self, key: &str) {
        let clean = self.needles.scrub_str(key);
        let mut cut: String = clean.chars().take(KEY_MAX_CHARS).collect();
        if clean.chars().count() > KEY_MAX_CHARS {
            cut.push('…');
        }
        // Quoted and escaped: a key cannot break the line or fake a closing brace.
        self.out.push_str(&serde_json::to_string(&cut).unwrap_or_else(|_| "\"?\"".into()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_properties_are_replaced_at_any_depth() {
        let body = br#"{"token":{"id":"t1"},"bearerToken":"s3cret","list":[{"bearerToken":"x"}]}"#;
        let out = redact_json(body, &["bearerToken"]);
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            r#"{"token":{"id":"t1"},"bearerToken":"[REDACTED]","list":[{"bearerToken":"[REDACTED]"}]}"#
        );
    }

    #[test]
    fn a_body_that_is_not_json_is_withheld() {
        let out = redact_json(b"bearerToken=s3cret", &["bearerToken"]);
        assert!(!String::from_utf8_lossy(&out).contains("s3cret"));
    }

    #[test]
    fn field_names_match_in_any_spelling() {
        let fields = FieldNames::new(&["bearerToken"]);
        for name in
            ["bearerToken", "bearer_token", "BearerToken", "BEARER-TOKEN", "bearer_token_v2", "new.bearer token"]
        {
            assert!(fields.matches(name), "{name}");
        }
        for name in ["token", "bearer", "name"] {
            assert!(!fields.matches(name), "{name}");
        }
        let out = redact_json(
            br#"{"BEARER-TOKEN":{"value":"s3cret"},"x":[{"bearer_token_v2":["s3cret"]}]}"#,
            &["bearerToken"],
        );
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            r#"{"BEARER-TOKEN":"[REDACTED]","x":[{"bearer_token_v2":"[REDACTED]"}]}"#
        );
    }

    #[test]
    fn known_values_are_found_in_any_case_and_common_encodings() {
        let needles = Needles::new(["sk-Live/123+x", "ab"]);
        for body in [
            "key sk-Live/123+x!",
            "key SK-LIVE/123+X!",
            r"key sk-Live\/123+x!",
            "key sk-Live%2F123%2Bx!",
            "key sk-live%2f123%2bx!",
        ] {
            assert_eq!(needles.scrub(body.as_bytes()), b"key [REDACTED]!".as_slice(), "{body}");
        }
        // Too short to be a secret: ordinary text stays.
        assert_eq!(needles.scrub(b"about ab"), b"about ab".as_slice());
        assert!(!needles.found_in(b"sk-Live/12"));
        // JSON escapes of any kind are undone by parsing before the values are scrubbed.
        let body = br#"{"echo":"\u0073k-Live\/123+x","SK-LIVE/123+X":1,"n":"\u00e9"}"#;
        let out = scrub_body(body, &FieldNames::new(&[]), &needles);
        assert_eq!(std::str::from_utf8(&out).unwrap(), r#"{"echo":"[REDACTED]","[REDACTED]":1,"n":"é"}"#);
    }

    #[test]
    fn scrubbing_keeps_non_ascii_text_intact() {
        let needles = Needles::new(["tök-secret"]);
        assert_eq!(needles.scrub_str("ä TÖK-secret tök-SECRET ü"), "ä TÖK-secret [REDACTED] ü");
    }

    #[test]
    fn a_shape_shows_keys_and_types_nested_never_values() {
        let body = br#"{"token":{"id":"t1","name":"n","n":3,"ok":true,"x":null},"bearer_token_v2":"s3cret","list":[{"a":[1,2]},{}],"e":[],"o":{}}"#;
        assert_eq!(
            shape(body, None, &Needles::default()),
            r#"{"token": {"id": string, "name": string, "n": number, "ok": bool, "x": null}, "bearer_token_v2": string, "list": [{"a": [number, …]}, …], "e": [], "o": {}}"#
        );
        assert_eq!(shape(br#""s3cret""#, None, &Needles::default()), "string");
        assert_eq!(shape(b"", None, &Needles::default()), "(empty body)");
    }

    #[test]
    fn a_shape_is_bounded_in_depth_keys_key_length_and_size() {
        let deep = br#"{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":1}}}}}}}}"#;
        assert_eq!(shape(deep, None, &Needles::default()), r#"{"a": {"b": {"c": {"d": {"e": {"f": {…}}}}}}}"#);
        let many: serde_json::Map<String, Value> = (0..50).map(|i| (format!("k{i}"), Value::from(i))).collect();
        let out = shape(&serde_json::to_vec(&many).unwrap(), None, &Needles::default());
        assert!(out.contains(r#""k11": number, …}"#) && !out.contains("k12"), "{out}");

        let long_key = format!(r#"{{"{}":1}}"#, "k".repeat(100));
        assert_eq!(
            shape(long_key.as_bytes(), None, &Needles::default()),
            format!(r#"{{"{}…": number}}"#, "k".repeat(32))
        );

        let wide: Vec<Value> = (0..200).map(|i| serde_json::json!({format!("key{i}"): {"nested": [i]}})).collect();
        let wide = serde_json::json!({"a": wide, "b": (0..200).map(|i| (format!("long_key_{i:03}"), Value::from(i))).collect::<serde_json::Map<_, _>>()});
        let out = shape(&serde_json::to_vec(&wide).unwrap(), None, &Needles::default());
        assert!(out.chars().count() <= SHAPE_MAX_CHARS + 1 && out.ends_with('…'), "{out}");
    }

    #[test]
    fn a_shape_scrubs_known_values_from_keys_and_escapes_them() {
        let needles = Needles::new(["sk-live-123"]);
        let out = shape(br#"{"Bearer SK-LIVE-123":1,"a\"}\nb":2}"#, None, &needles);
        assert_eq!(out, r#"{"Bearer [REDACTED]": number, "a\"}\nb": number}"#);
    }

    #[test]
    fn a_non_json_body_is_described_by_size_and_type_only() {
        let body = b"<html>token tok-123 for sk-live</html>";
        assert_eq!(
            shape(body, Some("text/html; charset=utf-8"), &Needles::default()),
            "(non-JSON body, 38 bytes, text/html)"
        );
        assert_eq!(shape(body, None, &Needles::default()), "(non-JSON body, 38 bytes, looks like HTML or XML)");
        assert_eq!(
            shape(b"token=tok-123", Some("text/plain"), &Needles::default()),
            "(non-JSON body, 13 bytes, text/plain)"
        );
        assert_eq!(shape(b"tok", Some("a/b; tok-123 \"x\""), &Needles::default()), "(non-JSON body, 3 bytes, a/b)");
        assert_eq!(shape(b"tok", Some("tok 123"), &Needles::default()), "(non-JSON body, 3 bytes, unknown type)");
    }

    #[test]
    fn scrubbing_removes_secret_fields_and_known_values_in_any_casing() {
        let sent = [SecretString::new("tok-being-revoked")];
        let scrub = Scrubber::new(&["token"], Some("sk-live-123"), &sent, false);
        let body = scrub.body(b"{\"error\":\"TOK-BEING-REVOKED is unknown\"}", None);
        assert_eq!(&body[..], br#"{"error":"[REDACTED] is unknown"}"#);
        let body = scrub.body(br#"{"Token":"t0p","echo":"Bearer SK-Live-123"}"#, None);
        assert_eq!(&body[..], br#"{"Token":"[REDACTED]","echo":"Bearer [REDACTED]"}"#);
        let body = scrub.body(b"<html>key sk-live-123 rejected</html>", Some("text/html"));
        assert_eq!(&body[..], b"<html>key [REDACTED] rejected</html>");

        let mut headers = HeaderMap::new();
        headers.insert("set-cookie", "session=abc".parse().unwrap());
        headers.insert("x-echo", "SK-LIVE-123".parse().unwrap());
        headers.insert("x-revoked", "Tok-Being-Revoked".parse().unwrap());
        headers.insert("x-request-id", "r1".parse().unwrap());
        let out = format!("{:?}", scrub.headers(&headers));
        assert!(!out.contains("abc") && !out.to_lowercase().contains("sk-live-123"), "{out}");
        assert!(!out.to_lowercase().contains("tok-being-revoked") && out.contains("r1"), "{out}");
    }

    #[test]
    fn operations_carrying_secrets_keep_only_the_shape() {
        let scrub = Scrubber::new(&["token"], Some("sk-live-123"), &[], true);
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.insert("x-request-id", "r1".parse().unwrap());
        headers.insert("x-new-credential", "tok-new".parse().unwrap());
        let out = scrub.headers(&headers);
        assert_eq!(out["content-type"], "application/json");
        assert_eq!(out["x-request-id"], "r1");
        assert_eq!(out["x-new-credential"], "[REDACTED]");

        let body = scrub.body(br#"{"new_token":{"value":"tok-new"},"sk-live-123":1}"#, None);
        assert_eq!(&body[..], br#"{"new_token": {"value": string}, "[REDACTED]": number}"#);
        let body = scrub.body(b"token=tok-new", Some("text/plain"));
        assert_eq!(&body[..], b"(non-JSON body, 13 bytes, text/plain)");
    }

    #[test]
    fn a_query_key_is_redacted_from_a_transport_errors_url() {
        use crate::api::{SchemeKind, SecurityScheme};
        static API: ApiDescription = ApiDescription {
            title: "t",
            version: "1",
            default_base_url: None,
            api_key_env: "",
            username_env: "",
            password_env: "",
            base_url_env: "",
            schemes: &[SecurityScheme { name: "q", kind: SchemeKind::Query("api_key") }],
            operations: &[],
            secret_fields: &[],
        };
        const KEY: &str = "SENTINEL-query-key";
        let scrub = Scrubber::for_client(&API, &[SecretString::new("tok-known-value")]);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        // Port 1 on loopback: refused at once, and reqwest's error carries the URL.
        let url = format!("http://127.0.0.1:1/v1/a?limit=5&api_key={KEY}&echo=tok-known-value");
        let error = runtime.block_on(reqwest::Client::new().get(&url).send()).unwrap_err();
        assert!(format!("{error:?}").contains(KEY), "the unscrubbed error shows the key: {error:?}");
        let error = scrub.transport_error(error);
        for shown in [error.to_string(), format!("{error:?}"), format!("{error:#?}")] {
            assert!(!shown.contains(KEY) && !shown.contains("tok-known-value"), "{shown}");
        }
        assert_eq!(
            error.url().map(reqwest::Url::as_str),
            Some("http://127.0.0.1:1/v1/a?limit=5&api_key=[REDACTED]&echo=[REDACTED]")
        );
    }

    #[test]
    fn a_call_narrows_the_client_policy_to_its_operation_and_the_secrets_it_sent() {
        fn op(returns_secrets: bool, sends_secrets: bool) -> OperationDescription {
            OperationDescription {
                id: "op",
                rust_name: "op",
                method: "POST",
                path: "/",
                security: &[],
                constant_headers: &[],
                returns_secrets,
                sends_secrets,
            }
        }
        let client = Scrubber::new(&["token"], Some("sk-live-123"), &[], false);
        let body = br#"{"echo":"sk-live-123 tok-sent-456","token":"t"}"#;

        let plain = client.for_call(Some(&op(false, false)), &[]);
        assert!(!plain.shape_only());
        assert!(Arc::ptr_eq(&plain.needles, &client.needles), "no sent secret: the client's needles, shared");
        assert_eq!(&plain.body(body, None)[..], br#"{"echo":"[REDACTED] tok-sent-456","token":"[REDACTED]"}"#);

        let sent = [SecretString::new("tok-sent-456")];
        let revoking = client.for_call(Some(&op(false, true)), &sent);
        assert!(revoking.shape_only());
        assert_eq!(
            revoking.body(br#"{"TOK-SENT-456":1,"sk-live-123":2}"#, None),
            r#"{"[REDACTED]": number, "[REDACTED]": number}"#
        );
        // The client's policy is left as it was.
        assert!(!client.needles.found_in(b"tok-sent-456"));

        assert!(client.for_call(Some(&op(true, false)), &[]).shape_only());
        assert!(client.for_call(None, &[]).shape_only(), "an unknown operation: the strictest policy");
    }
}
