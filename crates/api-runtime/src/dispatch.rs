//! Calling any operation of a generated client by name with JSON arguments: what the code
//! a client crate emits with its `dispatch` feature builds on. The demo, the scenarios and
//! the every-operation tests drive every vendor through this one interface instead of
//! compiling each client a second time.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use futures_core::Stream;
use progenitor_client::{ByteStream, ResponseValue};
use serde_json::{Map, Value};

use crate::{ApiDescription, ByteDownload, ConfigError, Error, EventStream};

/// The future of one dispatched call.
pub type CallFuture<'a> = Pin<Box<dyn Future<Output = Result<Answer, CallError>> + 'a>>;

/// A generated client, callable by method name with JSON arguments.
pub trait Caller {
    /// Calls `method` (progenitor's method name) with `args` (setter name → JSON value).
    fn call<'a>(&'a self, method: &'a str, args: &'a Map<String, Value>) -> CallFuture<'a>;

    /// `method` with `args` decoded once into its builder, to be sent many times through the
    /// typed API (the request-overhead benchmark). Operations answering a stream, and those
    /// whose builder cannot be cloned (a streamed request body), are not preparable.
    fn prepare<'a>(
        &'a self,
        method: &'a str,
        args: &'a Map<String, Value>,
    ) -> Result<Box<dyn Prepared<'a> + 'a>, CallError>;
}

/// A call through the typed API with its arguments set: each [`Prepared::send`] clones the
/// operation's builder and awaits its `send`, the answer decoded into the operation's type and
/// then dropped; nothing is rendered or converted.
pub trait Prepared<'a> {
    fn send(&self) -> Pin<Box<dyn Future<Output = Result<(), CallError>> + 'a>>;

    /// Decodes a success body into the type `send` answers, as the client would.
    fn decode(&self, body: &[u8]) -> Result<(), CallError>;
}

/// Used by the generated dispatchers: a builder and its `send`, as a [`Prepared`] call.
pub struct Typed<B, F> {
    builder: B,
    send: F,
}

impl<B, F> Typed<B, F> {
    pub fn new(builder: B, send: F) -> Self {
        Typed { builder, send }
    }
}

impl<'a, B, F, Fut, T, E> Prepared<'a> for Typed<B, F>
where
    B: Clone,
    F: Fn(B) -> Fut,
    Fut: Future<Output = Result<ResponseValue<T>, Error<E>>> + 'a,
    T: serde::de::DeserializeOwned,
{
    fn send(&self) -> Pin<Box<dyn Future<Output = Result<(), CallError>> + 'a>> {
        let sent = (self.send)(self.builder.clone());
        Box::pin(async move {
            std::hint::black_box(sent.await?);
            Ok(())
        })
    }

    fn decode(&self, body: &[u8]) -> Result<(), CallError> {
        let value: T = serde_json::from_slice(body).map_err(|_| CallError::Argument("(the answer)".into()))?;
        std::hint::black_box(value);
        Ok(())
    }
}

/// A configured client behind [`Caller`], or why it could not be configured.
pub type Connected = Result<Box<dyn Caller>, ConfigError>;

/// One client crate's dispatcher, as its `dispatch` module exports it (`VENDOR`).
pub struct Dispatcher {
    pub api: &'static ApiDescription,
    /// A client with this key, talking to `base_url`.
    pub connect: fn(base_url: &str, key: &str) -> Connected,
    /// Like `connect`, but each call sends exactly one request (no retry): for tests that
    /// answer every status an operation declares.
    pub connect_once: fn(base_url: &str, key: &str) -> Connected,
    /// A client configured from the API's environment variables.
    pub from_env: fn() -> Connected,
}

impl fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dispatcher").field("api", &self.api.title).finish_non_exhaustive()
    }
}

/// A successful call: its status, the typed answer's `Debug` (secrets redacted), and its
/// JSON for later calls to refer to (secrets included: never printed).
pub struct Answer {
    pub status: u16,
    pub shown: String,
    /// A stream's items its item type had no place for (events the spec does not list).
    pub passed_over: u64,
    /// Pages walked, for a paginated list walked to its end (`<method>:pages`); else 0.
    pub pages: u64,
    value: Value,
    /// A download's bytes (up to [`KEPT_BYTES`]).
    bytes: Option<bytes::Bytes>,
}

/// The most bytes of a download an [`Answer`] keeps.
pub const KEPT_BYTES: u64 = 1024 * 1024;

impl Answer {
    /// A download's bytes, if it was one and no larger than [`KEPT_BYTES`].
    pub fn bytes(&self) -> Option<&[u8]> {
        self.bytes.as_deref()
    }

    /// The value at a JSON pointer of the answer.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        self.value.pointer(pointer)
    }
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Answer").field("status", &self.status).field("shown", &self.shown).finish_non_exhaustive()
    }
}

/// Which [`Error`] variant a failed call ended in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    InvalidRequest,
    Pagination,
    Transport,
    /// A status the spec declares as an error, its body decoded into the spec's type.
    ErrorResponse,
    UnexpectedStatus,
    InvalidBody,
    /// A stream that started and then ended with an error.
    Stream,
}

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("the client has no method `{0}`")]
    UnknownOperation(String),
    #[error("`{0}` cannot be prepared (it answers a stream, or its builder cannot be cloned)")]
    NotPreparable(String),
    #[error("`{0}` takes no argument `{1}`")]
    UnknownArgument(&'static str, String),
    /// serde's message is left out: it may quote the value, which may be a secret.
    #[error("argument `{0}` does not fit its type")]
    Argument(String),
    /// The runtime's error, as it displays (credentials and secrets redacted).
    #[error("{message}")]
    Failed { failure: Failure, status: Option<u16>, message: String },
}

impl CallError {
    /// The variant of the runtime's error, for a call that was made.
    pub fn failure(&self) -> Option<Failure> {
        match self {
            CallError::Failed { failure, .. } => Some(*failure),
            _ => None,
        }
    }
}

impl<E> From<Error<E>> for CallError {
    fn from(e: Error<E>) -> Self {
        let failure = match &e {
            Error::InvalidRequest { .. } => Failure::InvalidRequest,
            Error::Transport { .. } => Failure::Transport,
            Error::ErrorResponse { .. } => Failure::ErrorResponse,
            Error::UnexpectedStatus { .. } => Failure::UnexpectedStatus,
            Error::InvalidBody { .. } => Failure::InvalidBody,
            Error::Pagination { .. } => Failure::Pagination,
        };
        CallError::Failed { failure, status: e.status().map(|s| s.as_u16()), message: e.to_string() }
    }
}

/// Used by the generated dispatchers: a JSON argument as the setter's type.
#[doc(hidden)]
pub fn argument<T: serde::de::DeserializeOwned>(name: &str, value: &Value) -> Result<T, CallError> {
    serde_json::from_value(value.clone()).map_err(|_| CallError::Argument(name.to_string()))
}

/// Used by the generated dispatchers: a non-JSON request body from a JSON string (its text).
#[doc(hidden)]
pub fn raw_body(name: &str, value: &Value) -> Result<reqwest::Body, CallError> {
    match value {
        Value::String(text) => Ok(reqwest::Body::from(text.clone())),
        _ => Err(CallError::Argument(name.to_string())),
    }
}

/// Used by the generated dispatchers: a multipart form from a JSON object of the spec's
/// properties. A file property is a string (the file's text, its name the property's) or an
/// object `{"content", "file_name", "content_type"}`, or an array of those for an array of
/// files; every other property is one of the form's fields.
#[doc(hidden)]
pub fn form<F>(name: &str, value: &Value) -> Result<F, CallError>
where
    F: crate::multipart::MultipartForm,
    F::Fields: serde::de::DeserializeOwned,
{
    use crate::multipart::{FilePart, Files};
    let bad = || CallError::Argument(name.to_string());
    let Value::Object(object) = value else { return Err(bad()) };
    let mut fields = object.clone();
    let mut files = Files::default();
    let part = |slot: &'static str, value: &Value| -> Option<FilePart> {
        match value {
            Value::String(text) => Some(FilePart::bytes(text.clone().into_bytes()).file_name(slot)),
            Value::Object(file) => {
                let content = file.get("content")?.as_str()?;
                let mut part = FilePart::bytes(content.to_string().into_bytes());
                if let Some(file_name) = file.get("file_name").and_then(Value::as_str) {
                    part = part.file_name(file_name);
                }
                if let Some(content_type) = file.get("content_type").and_then(Value::as_str) {
                    part = part.content_type(content_type);
                }
                Some(part)
            }
            _ => None,
        }
    };
    for slot in F::FILES {
        let Some(value) = fields.remove(slot.name) else { continue };
        match (&value, slot.multiple) {
            (Value::Array(items), true) => {
                for item in items {
                    files.push(slot.name, part(slot.name, item).ok_or_else(bad)?);
                }
            }
            (value, _) => files.push(slot.name, part(slot.name, value).ok_or_else(bad)?),
        }
    }
    let fields = serde_json::from_value(Value::Object(fields)).map_err(|_| bad())?;
    F::from_parts(fields, files).map_err(|_| bad())
}

/// Used by the generated dispatchers: a typed answer.
#[doc(hidden)]
pub fn answer<T: fmt::Debug + serde::Serialize, E>(
    result: Result<ResponseValue<T>, Error<E>>,
) -> Result<Answer, CallError> {
    let response = result?;
    let status = response.status().as_u16();
    let inner = response.into_inner();
    let value = serde_json::to_value(&inner).unwrap_or(Value::Null);
    Ok(Answer { status, shown: format!("{inner:?}"), passed_over: 0, pages: 0, value, bytes: None })
}

/// Used by the generated dispatchers: every page of a paginated list, walked to its end.
/// The answer's JSON is the array of pages; it shows how many pages, and `pages` counts
/// them. A walk that fails fails the call (the pages before it are dropped).
#[doc(hidden)]
pub async fn walk<P, E, S>(mut pages: S) -> Result<Answer, CallError>
where
    P: serde::Serialize,
    S: Stream<Item = Result<ResponseValue<P>, Error<E>>> + Unpin,
{
    let mut walked = Vec::new();
    while let Some(page) = std::future::poll_fn(|cx| Pin::new(&mut pages).poll_next(cx)).await {
        walked.push(serde_json::to_value(page?.into_inner()).unwrap_or(Value::Null));
    }
    Ok(Answer {
        status: 200,
        shown: format!("{} pages", walked.len()),
        passed_over: 0,
        pages: walked.len() as u64,
        value: Value::Array(walked),
        bytes: None,
    })
}

/// A streamed answer read to its end: what it shows and its JSON.
pub trait Drain: Sized {
    /// What it shows, its JSON, and its bytes if it is a small download.
    fn drain(self) -> impl Future<Output = Result<Drained, CallError>>;
}

/// A stream read to its end.
pub struct Drained {
    shown: String,
    passed_over: u64,
    value: Value,
    bytes: Option<bytes::Bytes>,
}

/// A byte stream read to its end: its length, and its bytes up to [`KEPT_BYTES`].
async fn read_bytes<S, Err>(mut stream: S) -> Result<Drained, Err>
where
    S: futures_core::Stream<Item = Result<bytes::Bytes, Err>> + Unpin,
{
    let (mut length, mut kept) = (0u64, Some(bytes::BytesMut::new()));
    while let Some(chunk) = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
        let chunk = chunk?;
        length += chunk.len() as u64;
        if length > KEPT_BYTES {
            kept = None;
        }
        if let Some(kept) = &mut kept {
            kept.extend_from_slice(&chunk);
        }
    }
    Ok(Drained {
        shown: format!("({length} bytes)"),
        passed_over: 0,
        value: Value::Null,
        bytes: kept.map(bytes::BytesMut::freeze),
    })
}

impl Drain for ByteStream {
    async fn drain(self) -> Result<Drained, CallError> {
        read_bytes(self.into_inner()).await.map_err(|_| stream_failed(None, "the byte stream broke".into()))
    }
}

impl Drain for ByteDownload {
    async fn drain(self) -> Result<Drained, CallError> {
        read_bytes(self).await.map_err(|e| stream_failed(None, e.to_string()))
    }
}

impl<T: serde::de::DeserializeOwned + serde::Serialize + fmt::Debug> Drain for EventStream<T> {
    async fn drain(mut self) -> Result<Drained, CallError> {
        let mut items = Vec::new();
        while let Some(item) = std::future::poll_fn(|cx| Pin::new(&mut self).poll_next(cx)).await {
            items.push(item.map_err(|e| stream_failed(None, e.to_string()))?);
        }
        let value = Value::Array(items.iter().map(|i| serde_json::to_value(i).unwrap_or(Value::Null)).collect());
        let passed_over = self.passed_over();
        let shown = match passed_over {
            0 => format!("{} items: {items:?}", items.len()),
            passed => format!("{} items ({passed} unlisted passed over): {items:?}", items.len()),
        };
        Ok(Drained { shown, passed_over, value, bytes: None })
    }
}

fn stream_failed(status: Option<u16>, message: String) -> CallError {
    CallError::Failed { failure: Failure::Stream, status, message }
}

/// Used by the generated dispatchers, for operations answering a stream (bytes or items):
/// read to its end.
#[doc(hidden)]
pub async fn stream_answer<S: Drain, E>(result: Result<ResponseValue<S>, Error<E>>) -> Result<Answer, CallError> {
    let response = result?;
    let status = response.status().as_u16();
    let Drained { shown, passed_over, value, bytes } = response.into_inner().drain().await.map_err(|e| match e {
        CallError::Failed { failure, message, .. } => CallError::Failed { failure, status: Some(status), message },
        other => other,
    })?;
    Ok(Answer { status, shown, passed_over, pages: 0, value, bytes })
}
