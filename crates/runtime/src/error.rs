//! The error every generated operation returns.
//!
//! `Display` is one line a user can act on, naming the operation; `Debug` and `Display` never
//! contain a credential or the value of a secret field: response headers that carry
//! credentials are redacted, JSON bodies have their secret fields redacted, and the client's
//! own API key is scrubbed from any body it appears in.

use std::fmt;

use bytes::Bytes;
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};

use crate::redact::redact_json;
use crate::secret::SecretString;

/// Headers whose values are credentials, in either direction.
const CREDENTIAL_HEADERS: &[&str] = &["authorization", "proxy-authorization", "x-api-key", "cookie", "set-cookie"];
const EXCERPT_CHARS: usize = 240;

/// A response the spec did not lead the client to expect, kept whole (but redacted).
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: StatusCode,
    /// Response headers, credentials redacted.
    pub headers: HeaderMap,
    /// The raw body, secret fields redacted.
    pub body: Bytes,
}

impl RawResponse {
    /// The body's start, on one line.
    pub fn excerpt(&self) -> String {
        excerpt(&self.body)
    }
}

#[derive(Debug)]
pub enum Error<E = ()> {
    /// The request was not sent: invalid input, or no credential for the operation.
    InvalidRequest { operation: &'static str, message: String },
    /// No usable response: the connection failed, was reset, or timed out.
    Transport { operation: &'static str, attempts: u32, source: reqwest::Error },
    /// A status the spec declares as an error, with its typed body.
    ErrorResponse { operation: &'static str, attempts: u32, response: ResponseValue<E> },
    /// A status the spec does not declare for this operation.
    UnexpectedStatus { operation: &'static str, attempts: u32, response: RawResponse },
    /// A declared status whose body does not match the spec (headers are not kept: holding
    /// them for every successful call would cost every call).
    InvalidBody { operation: &'static str, attempts: u32, response: RawResponse, source: serde_json::Error },
}

impl<E> Error<E> {
    /// The spec's `operationId` of the failed call.
    pub fn operation(&self) -> &'static str {
        match self {
            Error::InvalidRequest { operation, .. }
            | Error::Transport { operation, .. }
            | Error::ErrorResponse { operation, .. }
            | Error::UnexpectedStatus { operation, .. }
            | Error::InvalidBody { operation, .. } => operation,
        }
    }

    /// How many requests the call sent (0 when none was: an invalid request). A final
    /// answer after more than one attempt means an earlier attempt may have been processed.
    pub fn attempts(&self) -> u32 {
        match self {
            Error::InvalidRequest { .. } => 0,
            Error::Transport { attempts, .. }
            | Error::ErrorResponse { attempts, .. }
            | Error::UnexpectedStatus { attempts, .. }
            | Error::InvalidBody { attempts, .. } => *attempts,
        }
    }

    /// The response status, if there was a response.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::ErrorResponse { response, .. } => Some(response.status()),
            Error::UnexpectedStatus { response, .. } | Error::InvalidBody { response, .. } => Some(response.status),
            Error::Transport { source, .. } => source.status(),
            Error::InvalidRequest { .. } => None,
        }
    }

    /// The raw response, for statuses the spec does not declare and bodies that do not parse.
    pub fn raw_response(&self) -> Option<&RawResponse> {
        match self {
            Error::UnexpectedStatus { response, .. } | Error::InvalidBody { response, .. } => Some(response),
            _ => None,
        }
    }

    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport { source, .. } if source.is_timeout())
    }

    pub fn is_connect(&self) -> bool {
        matches!(self, Error::Transport { source, .. } if source.is_connect())
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest { operation, message } => write!(f, "{operation}: invalid request: {message}"),
            Error::Transport { operation, attempts, source } => {
                if let Some(refused) = crate::refused::find(source) {
                    return write!(f, "{operation}: {refused}");
                }
                let what = if source.is_timeout() {
                    "timed out"
                } else if source.is_connect() {
                    "could not connect"
                } else {
                    "connection failed"
                };
                let tries = if *attempts > 1 { format!(" after {attempts} attempts") } else { String::new() };
                write!(f, "{operation}: {what}{tries}: {}", one_line(&source.to_string()))
            }
            Error::ErrorResponse { operation, response, .. } => {
                write!(f, "{operation}: HTTP {} (an error response the spec declares)", response.status())
            }
            Error::UnexpectedStatus { operation, response, .. } => {
                write!(f, "{operation}: unexpected HTTP {}: {}", response.status, response.excerpt())
            }
            Error::InvalidBody { operation, response, source, .. } => write!(
                f,
                "{operation}: HTTP {} body does not match the spec ({}): {}",
                response.status,
                source,
                response.excerpt()
            ),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            Error::InvalidBody { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// What the transport hook saw of the final response, for errors progenitor reports
/// without it (a body that does not parse loses its status there).
#[derive(Debug, Default)]
pub(crate) struct CallRecord {
    pub status: Option<StatusCode>,
    pub attempts: u32,
    /// Secret values this call sent (only for operations that send secrets).
    pub sent_secrets: Option<Box<[SecretString]>>,
}

/// Scrubs what must never be shown from a raw body: secret JSON fields and the API key.
pub(crate) struct Scrubber<'a> {
    pub secret_fields: &'a [&'a str],
    pub api_key: Option<&'a str>,
    /// Secret values the request carried (a token being revoked), which a server may echo.
    pub sent: &'a [SecretString],
    /// For operations that return secrets: a body that is not JSON is withheld whole.
    pub withhold_non_json: bool,
}

impl Scrubber<'_> {
    pub fn body(&self, body: &[u8]) -> Bytes {
        let redacted = if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
            redact_json(body, self.secret_fields)
        } else if self.withhold_non_json {
            Bytes::from_static(crate::redact::WITHHELD)
        } else {
            Bytes::copy_from_slice(body)
        };
        let mut out = redacted;
        for value in self.values() {
            if contains(&out, value.as_bytes()) {
                out = Bytes::from(String::from_utf8_lossy(&out).replace(value, "[REDACTED]"));
            }
        }
        out
    }

    /// Every secret value to look for (too-short ones would redact ordinary text).
    fn values(&self) -> impl Iterator<Item = &str> {
        self.api_key.into_iter().chain(self.sent.iter().map(SecretString::expose_secret)).filter(|v| v.len() >= 4)
    }

    pub fn headers(&self, headers: &HeaderMap) -> HeaderMap {
        let mut out = headers.clone();
        for (name, value) in out.iter_mut() {
            let echoes_key = self.values().any(|k| contains(value.as_bytes(), k.as_bytes()));
            if CREDENTIAL_HEADERS.contains(&name.as_str()) || echoes_key {
                let mut redacted = HeaderValue::from_static("[REDACTED]");
                redacted.set_sensitive(true);
                *value = redacted;
            }
        }
        out
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn excerpt(body: &[u8]) -> String {
    if body.is_empty() {
        return "(empty body)".into();
    }
    let text = one_line(&String::from_utf8_lossy(body));
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Turns progenitor's error into ours, reading the body of an unexpected response.
pub(crate) async fn from_progenitor<E>(
    error: progenitor_client::Error<E>,
    operation: &'static str,
    record: &CallRecord,
    scrub: &Scrubber<'_>,
) -> Error<E> {
    use progenitor_client::Error as P;
    let attempts = record.attempts.max(1);
    match error {
        P::InvalidRequest(message) | P::Custom(message) => Error::InvalidRequest { operation, message },
        P::CommunicationError(source) | P::InvalidUpgrade(source) | P::ResponseBodyError(source) => {
            Error::Transport { operation, attempts, source }
        }
        P::ErrorResponse(response) => Error::ErrorResponse { operation, attempts, response },
        P::InvalidResponsePayload(body, source) => Error::InvalidBody {
            operation,
            attempts,
            response: RawResponse {
                status: record.status.unwrap_or(StatusCode::OK),
                headers: HeaderMap::new(),
                body: scrub.body(&body),
            },
            source,
        },
        P::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = scrub.headers(response.headers());
            match response.bytes().await {
                Ok(body) => Error::UnexpectedStatus {
                    operation,
                    attempts,
                    response: RawResponse { status, headers, body: scrub.body(&body) },
                },
                Err(source) => Error::Transport { operation, attempts, source },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_one_bounded_line() {
        assert_eq!(excerpt(b"{\n  \"a\": 1\n}"), "{ \"a\": 1 }");
        let long = "x".repeat(1000);
        assert_eq!(excerpt(long.as_bytes()).chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(excerpt(b""), "(empty body)");
    }

    #[test]
    fn scrubbing_removes_secret_fields_and_the_key() {
        let sent = [SecretString::new("tok-being-revoked")];
        let scrub =
            Scrubber { secret_fields: &["token"], api_key: Some("sk-live-123"), sent: &sent, withhold_non_json: false };
        let body = scrub.body(b"{\"error\":\"tok-being-revoked is unknown\"}");
        assert!(!String::from_utf8_lossy(&body).contains("tok-being-revoked"));
        let body = scrub.body(br#"{"token":"t0p","echo":"Bearer sk-live-123"}"#);
        let text = String::from_utf8_lossy(&body);
        assert!(!text.contains("t0p") && !text.contains("sk-live-123"), "{text}");
        let body = scrub.body(b"<html>key sk-live-123 rejected</html>");
        assert_eq!(&body[..], b"<html>key [REDACTED] rejected</html>");

        let mut headers = HeaderMap::new();
        headers.insert("set-cookie", "session=abc".parse().unwrap());
        headers.insert("x-echo", "sk-live-123".parse().unwrap());
        headers.insert("x-request-id", "r1".parse().unwrap());
        let out = format!("{:?}", scrub.headers(&headers));
        assert!(!out.contains("abc") && !out.contains("sk-live-123") && out.contains("r1"), "{out}");
    }
}
