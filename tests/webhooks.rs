//! Verified webhooks: a client whose document declares `x-webhook-signature` gets
//! `webhooks::verify`, which accepts a delivery only with the signature the vendor computes and
//! never shows the secret or the signature. Vercel's (HMAC-SHA1, hex, JSON events) and a
//! crafted document's (`tests/webhooks/`: GitHub's style, HMAC-SHA256 after `sha256=`, a typed
//! event), with signatures computed independently of the code under test; and the generator
//! on a malformed extension.
#![allow(clippy::unwrap_used)]
// A test binary uses a small part of a client: the rest is dead code here.
#![allow(dead_code, unused_imports)]

// The crate root includes this package's mock and dispatch modules, which name `crate::`
// (as in `tests/crafted_auth.rs`); the crafted client sits in a module of its own.
include!(concat!(env!("OUT_DIR"), "/client.rs"));

mod crafted {
    include!(concat!(env!("OUT_DIR"), "/webhooks/client.rs"));
}

use api_runtime::webhooks::WebhookError;
use reqwest::header::{HeaderMap, HeaderValue};

const VERCEL_BODY: &[u8] = br#"{"type":"deployment.created","id":"evt_1","payload":{"deployment":{"id":"dpl_1"}}}"#;
const VERCEL_SECRET: &str = "whsec-sentinel-7f3a9c";
/// `python3 -c 'import hmac,hashlib; print(hmac.new(VERCEL_SECRET, VERCEL_BODY, hashlib.sha1).hexdigest())'`,
/// the same as `printf '%s' VERCEL_BODY | openssl dgst -sha1 -hmac VERCEL_SECRET`.
const VERCEL_SIGNATURE: &str = "fa4f12891ee6195ff70edbc0e793b968f5a767fa";

const TYPED_BODY: &[u8] = br#"{"type":"deployment.created","id":"evt_2","secret":"event-secret-SENTINEL"}"#;
const TYPED_SECRET: &str = "whsec-typed-SENTINEL-41";
/// `hmac.new(TYPED_SECRET, TYPED_BODY, hashlib.sha256).hexdigest()` (Python).
const TYPED_SIGNATURE: &str = "3583d1f4a01639aeedf68956b3b79012bb008d683045f8c41f9c098e94c643fa";
/// A signed body that is not the event: `{"kind":"deployment.created"}`, signed the same way.
const NOT_THE_EVENT: &[u8] = br#"{"kind":"deployment.created"}"#;
const NOT_THE_EVENT_SIGNATURE: &str = "72448d5b015a7fa7adce20f689294328ae1f53ca206c969a60288ae70b8cb460";

fn headers(name: &'static str, value: Option<&str>) -> HeaderMap {
    let mut map = HeaderMap::new();
    map.insert("content-type", HeaderValue::from_static("application/json"));
    if let Some(value) = value {
        map.insert(name, HeaderValue::from_str(value).unwrap());
    }
    map
}

/// Every rendering of `error` is free of each of `hidden`.
fn assert_hides(error: &WebhookError, hidden: &[&str]) {
    for shown in [format!("{error}"), format!("{error:?}"), format!("{error:#?}")] {
        for secret in hidden {
            assert!(!shown.contains(secret), "{shown} shows {secret}");
        }
    }
}

#[test]
fn a_vercel_delivery_signed_with_the_secret_verifies_as_json() {
    let secret = SecretString::new(VERCEL_SECRET);
    let event =
        vercel::webhooks::verify(&headers("x-vercel-signature", Some(VERCEL_SIGNATURE)), VERCEL_BODY, &secret).unwrap();
    assert_eq!(event["payload"]["deployment"]["id"], "dpl_1");
    assert_eq!(vercel::webhooks::SIGNATURE.header, "x-vercel-signature");
}

#[test]
fn a_vercel_delivery_failing_verification_is_the_right_error_and_shows_no_secret() {
    let secret = SecretString::new(VERCEL_SECRET);
    let signed = headers("x-vercel-signature", Some(VERCEL_SIGNATURE));
    let mut changed = VERCEL_BODY.to_vec();
    changed[20] ^= 0x01;
    let cases = [
        ("wrong secret", vercel::webhooks::verify(&signed, VERCEL_BODY, &SecretString::new("whsec-other-SENTINEL"))),
        ("one changed byte", vercel::webhooks::verify(&signed, &changed, &secret)),
        ("missing header", vercel::webhooks::verify(&headers("x-vercel-signature", None), VERCEL_BODY, &secret)),
        (
            "malformed signature",
            vercel::webhooks::verify(&headers("x-vercel-signature", Some("not-a-hex-signature")), VERCEL_BODY, &secret),
        ),
    ];
    for (case, result) in cases {
        let error = result.unwrap_err();
        let right = match case {
            "wrong secret" | "one changed byte" => matches!(error, WebhookError::Mismatch { .. }),
            "missing header" => matches!(error, WebhookError::MissingHeader { header: "x-vercel-signature" }),
            _ => matches!(error, WebhookError::MalformedSignature { .. }),
        };
        assert!(right, "{case}: {error:?}");
        assert!(error.to_string().contains("x-vercel-signature"), "{case}: {error}");
        assert_hides(&error, &[VERCEL_SECRET, "whsec-other-SENTINEL", VERCEL_SIGNATURE, "not-a-hex-signature"]);
    }
}

#[test]
fn a_typed_event_is_read_once_its_prefixed_signature_verifies() {
    let secret = SecretString::new(TYPED_SECRET);
    let signed = headers("x-hub-signature-256", Some(&format!("sha256={TYPED_SIGNATURE}")));
    let event: crafted::types::DeploymentEvent = crafted::webhooks::verify(&signed, TYPED_BODY, &secret).unwrap();
    assert_eq!((event.type_.as_str(), event.id.as_str()), ("deployment.created", "evt_2"));
    // The event's own secret field is a SecretString, like any `x-secret` of the document.
    assert_eq!(event.secret.as_ref().map(SecretString::expose_secret), Some("event-secret-SENTINEL"));
    assert!(!format!("{event:?}").contains("event-secret-SENTINEL"));

    // Without the declared prefix the value is not a signature of this scheme.
    let unprefixed = headers("x-hub-signature-256", Some(TYPED_SIGNATURE));
    let error = crafted::webhooks::verify(&unprefixed, TYPED_BODY, &secret).unwrap_err();
    assert!(matches!(error, WebhookError::MalformedSignature { .. }), "{error:?}");

    // Signed, but not the event: an error that quotes nothing of the body.
    let signed = headers("x-hub-signature-256", Some(&format!("sha256={NOT_THE_EVENT_SIGNATURE}")));
    let error = crafted::webhooks::verify(&signed, NOT_THE_EVENT, &secret).unwrap_err();
    assert!(matches!(error, WebhookError::NotTheEvent(_)), "{error:?}");
    assert_hides(&error, &[TYPED_SECRET, NOT_THE_EVENT_SIGNATURE, "deployment.created"]);
}

fn generate(extension: Option<serde_json::Value>) -> Result<String, api_codegen::Error> {
    let mut doc = serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {"/ping": {"get": {"operationId": "ping", "responses": {"204": {"description": "alive"}}}}},
    });
    if let Some(extension) = extension {
        doc["x-webhook-signature"] = extension;
    }
    let overlay = serde_json::json!({"overlay": "1.0.0", "info": {"title": "o", "version": "1"}, "actions": []});
    let path = std::path::Path::new;
    let mut prepared = api_codegen::prepare(doc, path("openapi.json"), &overlay, path("overlay.yaml"))?;
    Ok(api_codegen::generate(&mut prepared)?.client)
}

#[test]
fn a_malformed_webhook_extension_is_a_located_error() {
    let bad = serde_json::json!({"header": "x-sig", "algorithm": "hmac-md5", "encoding": "base32"});
    let error = generate(Some(bad)).unwrap_err().to_string();
    assert!(error.contains("openapi.json: at /x-webhook-signature/algorithm: unknown algorithm `hmac-md5`"), "{error}");
    assert!(error.contains("openapi.json: at /x-webhook-signature/encoding: unknown encoding `base32`"), "{error}");
    let error = generate(Some(serde_json::json!(["hmac-sha1"]))).unwrap_err().to_string();
    assert!(error.starts_with("openapi.json: at /x-webhook-signature: "), "{error}");
}

#[test]
fn only_a_document_declaring_the_extension_gets_a_webhooks_module() {
    assert!(!generate(None).unwrap().contains("pub mod webhooks"));
    let declared = serde_json::json!({"header": "x-sig", "algorithm": "hmac-sha512", "encoding": "base64"});
    let client = generate(Some(declared)).unwrap();
    assert!(client.contains("pub mod webhooks"), "{client}");
    assert!(client.contains("::api_runtime::webhooks::Algorithm::HmacSha512"));
}
