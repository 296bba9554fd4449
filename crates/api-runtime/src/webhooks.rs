//! Verifying a webhook delivery against the signature the API sends with it.
//!
//! The scheme is data: a document declares it (`x-webhook-signature`) and the generated
//! client's `webhooks::verify` hands it here as a [`WebhookSignature`]. The signature is an
//! HMAC of the raw body keyed with the webhook's secret, compared in constant time
//! (`hmac`'s `verify_slice`). No error, and no `Debug`, shows the secret or the signature.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use http::HeaderMap;
use serde::de::DeserializeOwned;

use crate::error::BodyMismatch;
use crate::secret::SecretString;

/// How an API signs its webhook deliveries (generated from the document).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookSignature {
    /// The header carrying the signature (`x-vercel-signature`).
    pub header: &'static str,
    pub algorithm: Algorithm,
    pub encoding: Encoding,
    /// Text before the encoded signature in the header (`sha256=`); empty for none.
    pub prefix: &'static str,
}

/// The MAC of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    HmacSha1,
    HmacSha256,
    HmacSha512,
}

/// How the MAC is written in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Hexadecimal, either case.
    Hex,
    /// Standard base64 with padding.
    Base64,
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Algorithm::HmacSha1 => "hmac-sha1",
            Algorithm::HmacSha256 => "hmac-sha256",
            Algorithm::HmacSha512 => "hmac-sha512",
        })
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Hex => "hex",
            Encoding::Base64 => "base64",
        })
    }
}

/// Why a delivery was not accepted. Names the header, never its value or the secret.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("the webhook delivery has no `{header}` header")]
    MissingHeader { header: &'static str },
    #[error("the `{header}` header is not a {encoding} {algorithm} signature")]
    MalformedSignature { header: &'static str, algorithm: Algorithm, encoding: Encoding },
    #[error("the `{header}` signature does not match the body")]
    Mismatch { header: &'static str },
    /// Signed, but not the event the document describes (serde's message, which quotes the
    /// body, is reduced to where).
    #[error("the signed webhook body is not the event: {0}")]
    NotTheEvent(BodyMismatch),
}

/// Checks that one of the delivery's `scheme.header` values is the MAC of `body` keyed with
/// `secret`. Any value verifying suffices (a header repeated by a proxy); the comparison is
/// constant-time.
pub fn verify_signature(
    scheme: &WebhookSignature,
    headers: &HeaderMap,
    body: &[u8],
    secret: &SecretString,
) -> Result<(), WebhookError> {
    let header = scheme.header;
    let mut values = headers.get_all(header).iter().peekable();
    if values.peek().is_none() {
        return Err(WebhookError::MissingHeader { header });
    }
    let mut decoded_any = false;
    for value in values {
        let Some(signature) = decode(scheme, value.as_bytes()) else { continue };
        decoded_any = true;
        if matches(scheme.algorithm, secret.expose_secret().as_bytes(), body, &signature) {
            return Ok(());
        }
    }
    Err(if decoded_any {
        WebhookError::Mismatch { header }
    } else {
        WebhookError::MalformedSignature { header, algorithm: scheme.algorithm, encoding: scheme.encoding }
    })
}

/// [`verify_signature`], then the body as `T` (the document's event, or JSON).
pub fn verify_event<T: DeserializeOwned>(
    scheme: &WebhookSignature,
    headers: &HeaderMap,
    body: &[u8],
    secret: &SecretString,
) -> Result<T, WebhookError> {
    verify_signature(scheme, headers, body, secret)?;
    serde_json::from_slice(body).map_err(|e| WebhookError::NotTheEvent(BodyMismatch::from(&e)))
}

/// The MAC a header value carries, or `None` when it is not one (no prefix, bad encoding).
fn decode(scheme: &WebhookSignature, value: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(value).ok()?.trim();
    let encoded = text.strip_prefix(scheme.prefix)?;
    match scheme.encoding {
        Encoding::Hex => hex::decode(encoded).ok(),
        Encoding::Base64 => {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.decode(encoded).ok()
        }
    }
}

fn matches(algorithm: Algorithm, key: &[u8], body: &[u8], signature: &[u8]) -> bool {
    fn check<M: Mac + KeyInit>(key: &[u8], body: &[u8], signature: &[u8]) -> bool {
        // HMAC takes a key of any length; a refusal would be a bug of the crate: no match.
        let Ok(mut mac) = <M as KeyInit>::new_from_slice(key) else { return false };
        mac.update(body);
        mac.verify_slice(signature).is_ok()
    }
    match algorithm {
        Algorithm::HmacSha1 => check::<Hmac<sha1::Sha1>>(key, body, signature),
        Algorithm::HmacSha256 => check::<Hmac<sha2::Sha256>>(key, body, signature),
        Algorithm::HmacSha512 => check::<Hmac<sha2::Sha512>>(key, body, signature),
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    const BODY: &[u8] = br#"{"type":"deployment.created","id":"evt_1","payload":{"deployment":{"id":"dpl_1"}}}"#;
    const SECRET: &str = "whsec-sentinel-7f3a9c";
    // Computed independently of this crate, with Python's hmac module:
    //   hmac.new(SECRET, BODY, hashlib.sha1).hexdigest()  (and sha256, sha512; base64 of .digest())
    // and checked for sha1 with `printf '%s' BODY | openssl dgst -sha1 -hmac SECRET`.
    const SHA1_HEX: &str = "fa4f12891ee6195ff70edbc0e793b968f5a767fa";
    const SHA256_HEX: &str = "c2f0f3fd6e1e1bfed9154cea1ed3b9dc4d4823604a3242c02a631c8ec7f03c76";
    const SHA256_BASE64: &str = "wvDz/W4eG/7ZFUzqHtO53E1II2BKMkLAKmMcjsfwPHY=";
    const SHA512_BASE64: &str =
        "hdEKyEmd8oDg6CM2PkmASSUuvv+8mo7pRoyvX7/Chxz/oCs2fDRrF9rjmru0zJ62a/BIqjAsGspBFClSep0xUA==";

    fn scheme(algorithm: Algorithm, encoding: Encoding, prefix: &'static str) -> WebhookSignature {
        WebhookSignature { header: "x-signature", algorithm, encoding, prefix }
    }

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append("x-signature", HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn verify(scheme: &WebhookSignature, values: &[&str], body: &[u8], secret: &str) -> Result<(), WebhookError> {
        verify_signature(scheme, &headers(values), body, &SecretString::new(secret))
    }

    #[test]
    fn independently_computed_signatures_verify() {
        let sha1 = scheme(Algorithm::HmacSha1, Encoding::Hex, "");
        verify(&sha1, &[SHA1_HEX], BODY, SECRET).unwrap();
        verify(&sha1, &[&SHA1_HEX.to_uppercase()], BODY, SECRET).unwrap();
        let github = scheme(Algorithm::HmacSha256, Encoding::Hex, "sha256=");
        verify(&github, &[&format!("sha256={SHA256_HEX}")], BODY, SECRET).unwrap();
        verify(&scheme(Algorithm::HmacSha256, Encoding::Base64, ""), &[SHA256_BASE64], BODY, SECRET).unwrap();
        verify(&scheme(Algorithm::HmacSha512, Encoding::Base64, ""), &[SHA512_BASE64], BODY, SECRET).unwrap();
        // A repeated header verifies when one of its values does.
        verify(&sha1, &["not hex", SHA1_HEX], BODY, SECRET).unwrap();
    }

    #[test]
    fn each_failure_is_its_own_error_and_shows_neither_secret_nor_signature() {
        let sha1 = scheme(Algorithm::HmacSha1, Encoding::Hex, "");
        let mut changed = BODY.to_vec();
        changed[10] ^= 1;
        let cases = [
            (verify(&sha1, &[SHA1_HEX], BODY, "another-secret"), "Mismatch"),
            (verify(&sha1, &[SHA1_HEX], &changed, SECRET), "Mismatch"),
            (verify(&sha1, &[], BODY, SECRET), "MissingHeader"),
            (verify(&sha1, &["zz4f12891ee6195ff70edbc0e793b968f5a767fa"], BODY, SECRET), "MalformedSignature"),
            (verify(&sha1, &[&SHA1_HEX[1..]], BODY, SECRET), "MalformedSignature"),
            // The right MAC without the declared prefix is not a signature of this scheme.
            (
                verify(&scheme(Algorithm::HmacSha256, Encoding::Hex, "sha256="), &[SHA256_HEX], BODY, SECRET),
                "MalformedSignature",
            ),
            (
                verify(&scheme(Algorithm::HmacSha256, Encoding::Base64, ""), &["***"], BODY, SECRET),
                "MalformedSignature",
            ),
            // A SHA-1 MAC where SHA-256 is declared decodes but does not match.
            (verify(&scheme(Algorithm::HmacSha256, Encoding::Hex, ""), &[SHA1_HEX], BODY, SECRET), "Mismatch"),
        ];
        for (result, kind) in cases {
            let error = result.unwrap_err();
            for shown in [format!("{error}"), format!("{error:?}"), format!("{error:#?}")] {
                assert!(shown.contains("x-signature") || shown.contains(kind), "{shown}");
                for hidden in [SECRET, SHA1_HEX, SHA256_HEX, "another-secret"] {
                    assert!(!shown.contains(hidden), "{shown} shows {hidden}");
                }
            }
            assert!(format!("{error:?}").starts_with(kind), "{error:?} is not {kind}");
        }
    }

    #[test]
    fn the_event_is_decoded_only_once_verified_and_its_mismatch_does_not_quote_the_body() {
        let sha1 = scheme(Algorithm::HmacSha1, Encoding::Hex, "");
        let event: serde_json::Value =
            verify_event(&sha1, &headers(&[SHA1_HEX]), BODY, &SecretString::new(SECRET)).unwrap();
        assert_eq!(event["payload"]["deployment"]["id"], "dpl_1");
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Other {
            count: u32,
        }
        let error = verify_event::<Other>(&sha1, &headers(&[SHA1_HEX]), BODY, &SecretString::new(SECRET)).unwrap_err();
        assert!(matches!(error, WebhookError::NotTheEvent(_)), "{error:?}");
        assert!(!error.to_string().contains("dpl_1"), "{error}");
        let error =
            verify_event::<serde_json::Value>(&sha1, &headers(&[SHA1_HEX]), BODY, &SecretString::new("x")).unwrap_err();
        assert!(matches!(error, WebhookError::Mismatch { .. }), "{error:?}");
    }
}
