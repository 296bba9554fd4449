//! Secrets recovered from an answer the client could not read as the spec says.
//!
//! A create call whose answer drifted (a new enum value, a renamed field, another status) has
//! still created the token on the server. Failing with the body withheld would lose it: the
//! caller could neither use nor revoke what it cannot name. So when an operation that returns
//! secrets gets such an answer, every string in it under a secret field's name (`bearerToken`,
//! `auth_token`, any `x-secret` property, matched in any casing) is handed to the caller as a
//! [`SecretString`], with the identifiers beside it (`id`, `…Id`, `name`, in the same object or
//! one level down) that name the token for revocation. Nothing here is ever printed: `Debug`
//! shows the secret as `[REDACTED]`.

use serde_json::Value;

use crate::redact::{FieldNames, Needles};
use crate::secret::SecretString;

/// Identifier values longer than this are not kept (an id is short; a long value may be data).
const MAX_IDENTIFIER_CHARS: usize = 200;

/// One secret found in an answer that did not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveredSecret {
    /// Where it was: a JSON pointer into the answer (`/bearerToken`).
    pub pointer: String,
    pub secret: SecretString,
    /// What names the token, by dotted path from the object holding the secret
    /// (`token.id`, `name`), in the answer's order.
    pub identifiers: Vec<(String, String)>,
}

impl RecoveredSecret {
    /// The identifier at `path` (`token.id`), if the answer had one.
    pub fn identifier(&self, path: &str) -> Option<&str> {
        self.identifiers.iter().find(|(p, _)| p == path).map(|(_, v)| v.as_str())
    }

    /// The first identifier whose last segment is `key` (`id` finds `id` or `token.id`).
    pub fn identifier_named(&self, key: &str) -> Option<&str> {
        self.identifiers.iter().find(|(p, _)| p.rsplit('.').next() == Some(key)).map(|(_, v)| v.as_str())
    }
}

/// Every secret under a secret field of `body` (JSON), with its identifiers; none when the body
/// is not JSON. A key equal to a field name (any casing) is taken; one only containing it
/// (`tokenValue`) too, unless it is an identifier (`tokenId`).
pub(crate) fn recover(body: &[u8], fields: &FieldNames, needles: &Needles) -> Vec<RecoveredSecret> {
    let Ok(value) = serde_json::from_slice::<Value>(body) else { return Vec::new() };
    let mut found = Vec::new();
    walk(&value, String::new(), fields, needles, &mut found);
    found
}

fn walk(value: &Value, pointer: String, fields: &FieldNames, needles: &Needles, found: &mut Vec<RecoveredSecret>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let at = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                match child {
                    Value::String(secret) if fields.matches(key) && !is_identifier(key) && !secret.is_empty() => {
                        found.push(RecoveredSecret {
                            pointer: at,
                            secret: SecretString::new(secret.clone()),
                            identifiers: identifiers(map, fields, needles),
                        });
                    }
                    _ => walk(child, at, fields, needles, found),
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                walk(item, format!("{pointer}/{index}"), fields, needles, found);
            }
        }
        _ => {}
    }
}

/// `id`, `tokenId`, `token_id`, `name`, `tokenName`, …
fn is_identifier(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower == "id" || lower.ends_with("name") || lower.ends_with("_id") || key.ends_with("Id") || key.ends_with("ID")
}

/// The identifiers of the object holding a secret: its own, then those of objects it holds.
fn identifiers(map: &serde_json::Map<String, Value>, fields: &FieldNames, needles: &Needles) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut take = |path: String, key: &str, value: &Value| {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return,
        };
        let secret_like = fields.matches(key) && !is_identifier(key);
        if is_identifier(key)
            && !secret_like
            && text.chars().count() <= MAX_IDENTIFIER_CHARS
            && !needles.found_in(text.as_bytes())
        {
            out.push((path, text));
        }
    };
    for (key, value) in map {
        take(key.clone(), key, value);
    }
    for (outer, value) in map {
        if let Value::Object(inner) = value {
            for (key, value) in inner {
                take(format!("{outer}.{key}"), key, value);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_and_what_names_it_are_found_in_a_drifted_answer() {
        let body = br#"{"token": {"id": "tok_1", "name": "ci", "origin": "okta", "scopes": []},
                        "bearerToken": "vercel-secret", "tokenId": "also-an-id"}"#;
        let found = recover(body, &FieldNames::new(&["bearerToken"]), &Needles::default());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].pointer, "/bearerToken");
        assert_eq!(found[0].secret.expose_secret(), "vercel-secret");
        assert_eq!(found[0].identifier("token.id"), Some("tok_1"));
        assert_eq!(found[0].identifier_named("name"), Some("ci"));
        assert_eq!(found[0].identifier("tokenId"), Some("also-an-id"));
        assert!(!format!("{found:?}").contains("vercel-secret"));
    }

    #[test]
    fn a_renamed_or_nested_secret_is_found_under_any_casing_and_ids_are_not_secrets() {
        let body = br#"{"data": [{"AUTH_TOKEN": "pplx-secret", "token_name": "n", "auth_token_id": "x"}]}"#;
        let found = recover(body, &FieldNames::new(&["auth_token"]), &Needles::default());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].pointer, "/data/0/AUTH_TOKEN");
        assert_eq!(found[0].identifier("auth_token_id"), Some("x"));
    }

    #[test]
    fn a_body_that_is_not_json_or_holds_no_secret_gives_nothing() {
        let fields = FieldNames::new(&["token"]);
        assert!(recover(b"<html>", &fields, &Needles::default()).is_empty());
        assert!(recover(br#"{"token": 5, "id": "a"}"#, &fields, &Needles::default()).is_empty());
    }

    #[test]
    fn an_identifier_holding_a_known_secret_is_not_kept() {
        let body = br#"{"token": "new", "id": "the-api-key"}"#;
        let found = recover(body, &FieldNames::new(&["token"]), &Needles::new(["the-api-key"]));
        assert_eq!(found[0].identifiers, []);
    }
}
