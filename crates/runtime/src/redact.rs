//! Keeping secrets out of bodies that end up in error messages.
//!
//! progenitor's `Error::InvalidResponsePayload` prints the raw body of a response that did not
//! parse. When the operation returns a secret (a new token) and the response drifted from the
//! spec, that would print the token, so such bodies are screened before progenitor sees them.

use bytes::Bytes;
use reqwest::ResponseBuilderExt;
use serde_json::Value;

const REDACTED: &str = "[REDACTED]";
const WITHHELD: &[u8] = b"[body withheld: not JSON, and this operation returns secrets]";

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

/// Buffers a success response of an operation that returns secrets; if the body does not
/// parse as the declared type, hands on a redacted body instead.
pub async fn screen(
    response: reqwest::Response,
    check: fn(&[u8]) -> bool,
    secret_fields: &[&str],
) -> reqwest::Result<reqwest::Response> {
    if !response.status().is_success() {
        return Ok(response);
    }
    let url = response.url().clone();
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    let body = if check(&body) { body } else { redact_json(&body, secret_fields) };

    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    let (mut parts, body) = rebuilt.into_parts();
    parts.extensions =
        http::Response::builder().url(url).body(()).map(|r| r.into_parts().0.extensions).unwrap_or_default();
    Ok(reqwest::Response::from(http::Response::from_parts(parts, body)))
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
