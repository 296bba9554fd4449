//! Keeping secrets out of bodies that end up in error messages: a response that drifted
//! from the spec may still carry the new token it was meant to deliver.

use bytes::Bytes;
use serde_json::Value;

const REDACTED: &str = "[REDACTED]";
pub(crate) const WITHHELD: &[u8] = b"[body withheld: not JSON, and this operation returns secrets]";

/// Replaces the value of every property named in `secret_fields`, at any depth.
/// A body that is not JSON is withheld whole: the secret cannot be located in it.
pub fn redact_json(body: &[u8], secret_fields: &[&str]) -> Bytes {
    match serde_json::from_slice::<Value>(body) {
        Ok(mut value) => {
            redact_value(&mut value, secret_fields);
            serde_json::to_vec(&value).map(Bytes::from).unwrap_or_else(|_| Bytes::from_static(WITHHELD))
        }
        Err(_) => Bytes::from_static(WITHHELD),
    }
}

fn redact_value(value: &mut Value, secret_fields: &[&str]) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if secret_fields.contains(&key.as_str()) && !child.is_null() {
                    *child = Value::String(REDACTED.into());
                } else {
                    redact_value(child, secret_fields);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| redact_value(v, secret_fields)),
        _ => {}
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
}
