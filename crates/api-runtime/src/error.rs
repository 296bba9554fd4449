//! The error every generated operation returns.
//!
//! `Display` is one line a user can act on, naming the operation; `Debug` and `Display` never
//! contain a credential or a secret: response headers that carry credentials are redacted; for
//! operations that return or send secrets a body is kept only as its shape (keys and JSON
//! types), since a drifted body may hold the new token under any name or type; other bodies
//! are kept with secret fields, the API key and secrets the request sent scrubbed; serde's
//! message, which quotes the body, is reduced to a [`BodyMismatch`].

use std::fmt;

use bytes::Bytes;
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde_json::error::Category;

use crate::call_state::CallRecord;
use crate::recover::RecoveredSecret;
use crate::redact::Scrubber;

const EXCERPT_CHARS: usize = 240;

/// A response the spec did not lead the client to expect, kept as far as it is safe to.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: StatusCode,
    /// Response headers, credentials and known secret values redacted.
    pub headers: HeaderMap,
    /// The body with secret fields and known secret values redacted; for operations that
    /// carry secrets (`body_is_shape`), only its shape, e.g. `{"token": {"id": string}}`.
    pub body: Bytes,
    /// Whether `body` is the shape of the response rather than its (redacted) bytes.
    pub body_is_shape: bool,
    /// For operations that return secrets: every secret the body held under a secret field's
    /// name, with what names it (a token the server created is never lost because its answer
    /// drifted). `Debug` shows each as `[REDACTED]`.
    pub recovered: Vec<RecoveredSecret>,
}

impl RawResponse {
    /// The body's start (or its shape), on one line.
    pub fn excerpt(&self) -> String {
        excerpt(&self.body)
    }

    /// The body as an error message shows it.
    fn describe(&self) -> String {
        if self.body_is_shape {
            format!("body withheld (the operation carries secrets), its shape: {}", self.excerpt())
        } else {
            self.excerpt()
        }
    }
}

/// Why a body did not parse as the spec says, without serde's own message, which quotes the
/// offending value (`invalid type: string "tok-…"`): the kind of mismatch, serde's reason when
/// it holds nothing from the body, and the position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyMismatch {
    category: Category,
    line: usize,
    column: usize,
    reason: Option<Box<str>>,
}

impl BodyMismatch {
    /// Syntax (not JSON), data (JSON of another shape), EOF (cut short) or I/O.
    pub fn category(&self) -> Category {
        self.category
    }

    pub fn line(&self) -> usize {
        self.line
    }

    pub fn column(&self) -> usize {
        self.column
    }
}

impl fmt::Display for BodyMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(kind(self.category))?;
        if let Some(reason) = &self.reason {
            write!(f, ": {reason}")?;
        }
        write!(f, " at line {} column {}", self.line, self.column)
    }
}

impl std::error::Error for BodyMismatch {}

impl From<&serde_json::Error> for BodyMismatch {
    fn from(error: &serde_json::Error) -> Self {
        let category = error.classify();
        let text = error.to_string();
        let position = format!(" at line {} column {}", error.line(), error.column());
        let message = text.strip_suffix(&position).unwrap_or(&text);
        BodyMismatch { category, line: error.line(), column: error.column(), reason: safe_reason(category, message) }
    }
}

fn kind(category: Category) -> &'static str {
    match category {
        Category::Syntax => "syntax error",
        Category::Data => "data mismatch",
        Category::Eof => "body cut short",
        Category::Io => "I/O error",
    }
}

/// The part of serde's message that cannot hold a value from the body. Syntax and EOF messages
/// are serde_json's fixed texts; data messages (`invalid type: string "…", expected …`) keep
/// only their leading words, or a missing field's name, which comes from our types.
fn safe_reason(category: Category, message: &str) -> Option<Box<str>> {
    let short = |m: &str| m.len() <= 64;
    match category {
        Category::Syntax | Category::Eof => {
            let fixed = short(message) && message.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
            fixed.then(|| message.into())
        }
        Category::Data => {
            if let Some(field) = message.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`'))
                && short(field)
                && field.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                return Some(message.into());
            }
            let head = message.split([':', '`', '"', '\'']).next().unwrap_or_default().trim();
            let words = !head.is_empty() && short(head) && head.bytes().all(|b| b.is_ascii_alphabetic() || b == b' ');
            words.then(|| head.into())
        }
        Category::Io => None,
    }
}

pub enum Error<E = ()> {
    /// The request was not sent: invalid input, or no credential for the operation.
    InvalidRequest { operation: &'static str, message: String },
    /// No usable response: the connection failed, was reset, or timed out.
    Transport { operation: &'static str, attempts: u32, source: reqwest::Error },
    /// A status the spec declares as an error, with its typed body (`response`, headers
    /// redacted like `shown`'s). `Debug` shows `shown`, never the typed value: a declared
    /// field such as a message may echo a credential. `shown` is the same body as
    /// [`RawResponse`] keeps it (secret fields and known secrets redacted; only its shape for
    /// operations that carry secrets).
    ErrorResponse { operation: &'static str, attempts: u32, response: ResponseValue<E>, shown: RawResponse },
    /// A status the spec does not declare for this operation.
    UnexpectedStatus { operation: &'static str, attempts: u32, response: RawResponse },
    /// A declared status whose body does not match the spec (headers are not kept: holding
    /// them for every successful call would cost every call). `source` says where and how,
    /// never with what: serde's own message may quote a secret.
    InvalidBody { operation: &'static str, attempts: u32, response: RawResponse, source: BodyMismatch },
    /// A paginated walk could not go on after `pages` pages (a cursor that repeats an earlier
    /// one, or one the cursor parameter cannot take); every page before was delivered.
    Pagination { operation: &'static str, pages: u64, reason: &'static str },
}

impl<E> Error<E> {
    /// The spec's `operationId` of the failed call.
    pub fn operation(&self) -> &'static str {
        match self {
            Error::InvalidRequest { operation, .. }
            | Error::Transport { operation, .. }
            | Error::ErrorResponse { operation, .. }
            | Error::UnexpectedStatus { operation, .. }
            | Error::InvalidBody { operation, .. }
            | Error::Pagination { operation, .. } => operation,
        }
    }

    /// How many requests the call sent (0 when none was: an invalid request). A final
    /// answer after more than one attempt means an earlier attempt may have been processed.
    pub fn attempts(&self) -> u32 {
        match self {
            Error::InvalidRequest { .. } | Error::Pagination { .. } => 0,
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
            Error::InvalidRequest { .. } | Error::Pagination { .. } => None,
        }
    }

    /// The response as it is safe to show: for statuses the spec does not declare, bodies
    /// that do not parse, and (as `shown`) declared error responses.
    pub fn raw_response(&self) -> Option<&RawResponse> {
        match self {
            Error::UnexpectedStatus { response, .. } | Error::InvalidBody { response, .. } => Some(response),
            Error::ErrorResponse { shown, .. } => Some(shown),
            _ => None,
        }
    }

    /// The secrets an answer that could not be read held (see [`RawResponse::recovered`]): a
    /// created token is the caller's even when its answer drifted.
    pub fn recovered_secrets(&self) -> &[RecoveredSecret] {
        self.raw_response().map_or(&[], |response| response.recovered.as_slice())
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
            Error::Pagination { operation, pages, reason } => {
                write!(f, "{operation}: pagination stopped after {pages} pages: {reason}")
            }
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
                write!(f, "{operation}: unexpected HTTP {}: {}", response.status, response.describe())
            }
            Error::InvalidBody { operation, response, source, .. } => write!(
                f,
                "{operation}: HTTP {} body does not match the spec ({}): {}",
                response.status,
                source,
                response.describe()
            ),
        }
    }
}

/// Like a derived `Debug`, but a declared error response shows its redacted rendering, not
/// the typed body (so no `E: Debug` bound either).
impl<E> fmt::Debug for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest { operation, message } => {
                f.debug_struct("InvalidRequest").field("operation", operation).field("message", message).finish()
            }
            Error::Pagination { operation, pages, reason } => f
                .debug_struct("Pagination")
                .field("operation", operation)
                .field("pages", pages)
                .field("reason", reason)
                .finish(),
            Error::Transport { operation, attempts, source } => f
                .debug_struct("Transport")
                .field("operation", operation)
                .field("attempts", attempts)
                .field("source", source)
                .finish(),
            Error::ErrorResponse { operation, attempts, shown, .. } => f
                .debug_struct("ErrorResponse")
                .field("operation", operation)
                .field("attempts", attempts)
                .field("type", &std::any::type_name::<E>())
                .field("shown", shown)
                .finish_non_exhaustive(),
            Error::UnexpectedStatus { operation, attempts, response } => f
                .debug_struct("UnexpectedStatus")
                .field("operation", operation)
                .field("attempts", attempts)
                .field("response", response)
                .finish(),
            Error::InvalidBody { operation, attempts, response, source } => f
                .debug_struct("InvalidBody")
                .field("operation", operation)
                .field("attempts", attempts)
                .field("response", response)
                .field("source", source)
                .finish(),
        }
    }
}

impl<E> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            Error::InvalidBody { source, .. } => Some(source),
            _ => None,
        }
    }
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
    scrub: &Scrubber,
) -> Error<E> {
    use progenitor_client::Error as P;
    let attempts = record.attempts.max(1);
    match error {
        P::InvalidRequest(message) | P::Custom(message) => Error::InvalidRequest { operation, message },
        P::CommunicationError(source) | P::InvalidUpgrade(source) | P::ResponseBodyError(source) => {
            Error::Transport { operation, attempts, source: scrub.transport_error(source) }
        }
        P::ErrorResponse(response) => {
            let status = response.status();
            let headers = scrub.headers(response.headers());
            let content_type = response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
            let body = record.error_body.as_deref().unwrap_or_default();
            let shown = RawResponse {
                status,
                headers: headers.clone(),
                body: scrub.body(body, content_type),
                body_is_shape: scrub.shape_only(),
                recovered: scrub.recover(body),
            };
            let response = ResponseValue::new(response.into_inner(), status, headers);
            Error::ErrorResponse { operation, attempts, response, shown }
        }
        P::InvalidResponsePayload(body, source) => Error::InvalidBody {
            operation,
            attempts,
            response: RawResponse {
                status: record.status.unwrap_or(StatusCode::OK),
                headers: HeaderMap::new(),
                // progenitor keeps no headers here, so no media type either.
                body: scrub.body(&body, None),
                body_is_shape: scrub.shape_only(),
                recovered: scrub.recover(&body),
            },
            // serde's error is dropped here: its message may quote the secret.
            source: BodyMismatch::from(&source),
        },
        P::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = scrub.headers(response.headers());
            let content_type = response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
            match response.bytes().await {
                Ok(body) => Error::UnexpectedStatus {
                    operation,
                    attempts,
                    response: RawResponse {
                        status,
                        headers,
                        body: scrub.body(&body, content_type.as_deref()),
                        body_is_shape: scrub.shape_only(),
                        recovered: scrub.recover(&body),
                    },
                },
                Err(source) => Error::Transport { operation, attempts, source: scrub.transport_error(source) },
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

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Created {
        id: u64,
        token: String,
    }

    fn mismatch(body: &str) -> BodyMismatch {
        BodyMismatch::from(&serde_json::from_str::<Created>(body).unwrap_err())
    }

    #[test]
    fn serde_messages_are_reduced_to_what_cannot_quote_the_body() {
        let m = mismatch(r#"{"id": "tok-secret", "token": "x"}"#);
        assert_eq!((m.category(), m.line(), m.column()), (Category::Data, 1, 19));
        assert_eq!(m.to_string(), "data mismatch: invalid type at line 1 column 19");
        let m = mismatch(r#"{"id": 1, "token": {"value": "tok-secret"}}"#);
        assert_eq!(m.to_string(), "data mismatch: invalid type at line 1 column 19");
        let m = mismatch(r#"{"id": 1, "tok-secret": "x"}"#);
        assert_eq!(m.to_string(), "data mismatch: missing field `token` at line 1 column 28");
        let m = mismatch(r#"{"id": 1 "tok-secret"}"#);
        assert_eq!(m.to_string(), "syntax error: expected `,` or `}` at line 1 column 10");
        let m = mismatch(r#"{"id": 1, "token": "tok-sec"#);
        assert_eq!(m.category(), Category::Eof);
        assert_eq!(m.to_string(), "body cut short: EOF while parsing a string at line 1 column 27");
        // A custom message that starts with a value keeps nothing but the kind.
        let custom = <serde_json::Error as serde::de::Error>::custom("tok-secret is not a valid id");
        assert_eq!(BodyMismatch::from(&custom).to_string(), "data mismatch at line 0 column 0");
    }

    #[test]
    fn an_invalid_body_of_a_secret_operation_shows_status_operation_and_shape() {
        let scrub = Scrubber::new(&["token"], None, &[], true);
        let body = br#"{"token": ["tok-secret"]}"#;
        let source = serde_json::from_slice::<Created>(body).unwrap_err();
        let err: Error = Error::InvalidBody {
            operation: "createToken",
            attempts: 1,
            response: RawResponse {
                status: StatusCode::OK,
                headers: HeaderMap::new(),
                body: scrub.body(body, None),
                body_is_shape: true,
                recovered: scrub.recover(body),
            },
            source: BodyMismatch::from(&source),
        };
        assert_eq!(
            err.to_string(),
            "createToken: HTTP 200 OK body does not match the spec (data mismatch: invalid type at line 1 column 10): \
             body withheld (the operation carries secrets), its shape: {\"token\": [string]}"
        );
        for text in [format!("{err:?}"), format!("{err:#?}"), std::error::Error::source(&err).unwrap().to_string()] {
            assert!(!text.contains("tok-secret"), "{text}");
        }
    }

    /// A declared error body is typed; `Debug` shows the redacted rendering, never the typed
    /// value, whose fields (a message) may echo the key.
    #[test]
    fn a_declared_error_keeps_its_typed_body_but_shows_it_redacted() {
        #[derive(Debug)]
        struct Typed {
            message: String,
        }
        let key = "sk-live-123456";
        let mut headers = HeaderMap::new();
        headers.insert("set-cookie", "session=abc".parse().unwrap());
        headers.insert(CONTENT_TYPE, "application/json".parse().unwrap());
        let body = format!(r#"{{"message":"bad key {key}"}}"#);
        let record = CallRecord { error_body: Some(Bytes::from(body)), ..CallRecord::default() };
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        for shape_only in [false, true] {
            let scrub = Scrubber::new(&[], Some(key), &[], shape_only);
            let typed = Typed { message: format!("bad key {key}") };
            let response = ResponseValue::new(typed, StatusCode::FORBIDDEN, headers.clone());
            let error = progenitor_client::Error::ErrorResponse(response);
            let converted = runtime.block_on(from_progenitor(error, "op", &record, &scrub));
            let rendered = format!("{converted:?} {converted}");
            assert!(!rendered.contains(key) && !rendered.contains("abc"), "{rendered}");
            let Error::ErrorResponse { response, shown, .. } = &converted else { panic!("{rendered}") };
            // The typed value is the caller's to read; its headers are redacted.
            assert_eq!(response.message, format!("bad key {key}"));
            assert!(!format!("{:?}", response.headers()).contains("abc"));
            let shown = String::from_utf8_lossy(&shown.body);
            if shape_only {
                assert!(shown.contains("message"), "{shown}");
                assert!(!shown.contains("bad key"), "{shown}");
            } else {
                assert_eq!(shown, r#"{"message":"bad key [REDACTED]"}"#);
            }
        }
    }
}
