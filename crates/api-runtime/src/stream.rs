//! Response bodies that are not one JSON document: typed event streams (SSE, NDJSON) and
//! byte downloads (audio, CSV, files).
//!
//! The framing is parsed by maintained crates: `sse-stream` for `text/event-stream` (multi-line
//! `data`, comments, `event`, `id`, `retry`, any chunking) and `tokio-util`'s `LinesCodec` for
//! NDJSON. What this module adds is what a client owes its caller on top: items decoded into
//! the spec's type, the `[DONE]` sentinel, error events ended as typed errors, a size cap per
//! item instead of per body, secrets redacted from anything an error shows (by the call's own
//! scrub policy, handed over when the stream starts: secret fields, the key, the secrets the
//! request sent, only the shape for operations that carry secrets), and the call's tracing
//! span kept open until the stream ends, then given its item count and duration.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context as TaskContext, Poll, ready};
use std::time::Instant;

use bytes::Bytes;
use futures_core::Stream;
use progenitor_client::{ByteStream, ResponseValue};
use serde::de::DeserializeOwned;
use tokio_util::codec::{FramedRead, LinesCodec, LinesCodecError};
use tokio_util::io::StreamReader;

use crate::error::BodyMismatch;
use crate::redact::Scrubber;

/// progenitor's byte stream inside `ByteStream` (its alias is private).
type Chunks = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send + Sync>>;

/// How a streamed success body is framed, and which of its items are the server reporting
/// an error, as the generated code describes an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamFormat {
    pub framing: Framing,
    /// The media type asked for in `Accept`.
    pub media_type: &'static str,
    /// The property whose value tells an item's kind (the item schema's discriminator) ...
    pub error_property: Option<&'static str>,
    /// ... and its values that mark an error item (schemas the overlay marks
    /// `x-error-event: true`). An SSE event named `error` is always one.
    pub error_values: &'static [&'static str],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `text/event-stream`: each event's `data` is one item.
    ServerSentEvents,
    /// `application/x-ndjson`, `application/stream+json`, ...: each non-empty line is one item.
    JsonLines,
}

/// Why a stream ended early. `Debug` and `Display` never show an item's content unredacted.
pub enum StreamError<T = ()> {
    /// The connection broke, or a read timed out (the attempt timeout bounds each wait).
    Transport { operation: &'static str, items: u64, source: reqwest::Error },
    /// One item (or the bytes before the next one) is larger than `max_response_bytes`.
    TooLarge { operation: &'static str, items: u64, limit: u64 },
    /// The bytes are not the framing the spec says (not UTF-8 where text is required).
    Framing { operation: &'static str, items: u64, reason: &'static str },
    /// An item does not match the spec's schema: where and how, never with what.
    InvalidItem { operation: &'static str, items: u64, source: BodyMismatch },
    /// The server reported an error in the stream: `event`, the item typed when it matches
    /// the schema; `shown`, the item with secret fields and known secrets redacted.
    ErrorEvent { operation: &'static str, items: u64, event: Option<Box<T>>, shown: String },
    /// Writing a download to the caller's writer failed.
    Write { operation: &'static str, source: std::io::Error },
}

impl<T> StreamError<T> {
    pub fn operation(&self) -> &'static str {
        match self {
            StreamError::Transport { operation, .. }
            | StreamError::TooLarge { operation, .. }
            | StreamError::Framing { operation, .. }
            | StreamError::InvalidItem { operation, .. }
            | StreamError::ErrorEvent { operation, .. }
            | StreamError::Write { operation, .. } => operation,
        }
    }
}

impl<T> fmt::Display for StreamError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::Transport { operation, items, source } => {
                let what = if source.is_timeout() { "timed out" } else { "broke" };
                write!(f, "{operation}: the stream {what} after {items} items")
            }
            StreamError::TooLarge { operation, items, limit } => {
                write!(f, "{operation}: item {} of the stream exceeds {limit} bytes", items + 1)
            }
            StreamError::Framing { operation, items, reason } => {
                write!(f, "{operation}: the stream is not well framed after {items} items: {reason}")
            }
            StreamError::InvalidItem { operation, items, source } => {
                write!(f, "{operation}: item {} of the stream does not match the spec ({source})", items + 1)
            }
            StreamError::ErrorEvent { operation, items, shown, .. } => {
                write!(f, "{operation}: the server reported an error after {items} items: {shown}")
            }
            StreamError::Write { operation, source } => write!(f, "{operation}: writing the download failed: {source}"),
        }
    }
}

impl<T> fmt::Debug for StreamError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::Transport { operation, items, source } => f
                .debug_struct("Transport")
                .field("operation", operation)
                .field("items", items)
                .field("source", source)
                .finish(),
            StreamError::TooLarge { operation, items, limit } => f
                .debug_struct("TooLarge")
                .field("operation", operation)
                .field("items", items)
                .field("limit", limit)
                .finish(),
            StreamError::Framing { operation, items, reason } => f
                .debug_struct("Framing")
                .field("operation", operation)
                .field("items", items)
                .field("reason", reason)
                .finish(),
            StreamError::InvalidItem { operation, items, source } => f
                .debug_struct("InvalidItem")
                .field("operation", operation)
                .field("items", items)
                .field("source", source)
                .finish(),
            // The typed event is left out: a field such as a message may echo a credential.
            StreamError::ErrorEvent { operation, items, shown, .. } => f
                .debug_struct("ErrorEvent")
                .field("operation", operation)
                .field("items", items)
                .field("shown", shown)
                .finish_non_exhaustive(),
            StreamError::Write { operation, source } => {
                f.debug_struct("Write").field("operation", operation).field("source", source).finish()
            }
        }
    }
}

impl<T> std::error::Error for StreamError<T> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StreamError::Transport { source, .. } => Some(source),
            StreamError::InvalidItem { source, .. } => Some(source),
            StreamError::Write { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// What every stream carries to its end: the call's span (open until then), and what the end
/// records in it.
struct Tail {
    operation: &'static str,
    span: tracing::Span,
    started: Instant,
    items: u64,
    ended: bool,
}

impl Tail {
    fn new(operation: &'static str, span: tracing::Span) -> Self {
        Tail { operation, span, started: Instant::now(), items: 0, ended: false }
    }

    /// Records the item count and the stream's duration in the call's span, once.
    fn end(&mut self, outcome: &'static str) {
        if self.ended {
            return;
        }
        self.ended = true;
        self.span.record("items", self.items);
        self.span.record("stream_ms", self.started.elapsed().as_millis() as u64);
        self.span.in_scope(|| tracing::debug!(items = self.items, outcome, "stream ended"));
    }
}

impl Drop for Tail {
    fn drop(&mut self) {
        self.end("dropped");
    }
}

/// The body's chunks, failing once more than `limit` bytes arrive without an item being taken
/// (so one endless event cannot exhaust memory; the stream resets the count per item).
struct Capped {
    inner: Chunks,
    since_item: Arc<AtomicU64>,
    limit: u64,
}

#[derive(Debug, thiserror::Error)]
enum ChunkError {
    #[error(transparent)]
    Transport(reqwest::Error),
    #[error("more than {0} bytes without an item")]
    TooLarge(u64),
}

impl Stream for Capped {
    type Item = Result<Bytes, ChunkError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let next = ready!(self.inner.as_mut().poll_next(cx));
        Poll::Ready(next.map(|chunk| {
            let chunk = chunk.map_err(ChunkError::Transport)?;
            let seen = self.since_item.fetch_add(chunk.len() as u64, Ordering::Relaxed) + chunk.len() as u64;
            if seen > self.limit { Err(ChunkError::TooLarge(self.limit)) } else { Ok(chunk) }
        }))
    }
}

type Lines = FramedRead<StreamReader<IoChunks, Bytes>, LinesCodec>;

/// [`Capped`] with its errors as `io::Error`s, which `StreamReader` requires (unwrapped again
/// when the codec reports them).
struct IoChunks(Capped);

impl Stream for IoChunks {
    type Item = std::io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.0).poll_next(cx).map(|next| next.map(|chunk| chunk.map_err(std::io::Error::other)))
    }
}

enum Decoder {
    Events(sse_stream::SseByteStream<Capped>),
    Lines(Lines),
}

/// A typed stream of a response's items (SSE events or NDJSON lines), as the spec's item type.
///
/// Ends at the end of the body or an SSE `[DONE]` sentinel; ends with a [`StreamError`] when
/// the connection breaks, an item is not JSON, or the server reports an error. Dropping it
/// closes the connection. Nothing is retried once it exists.
///
/// An event the spec does not list never ends it. Where the item type is a union, such an
/// event is yielded as the union's `Unknown` variant (its SSE event name is
/// [`EventStream::event_name`]); an item type with no place for it (a struct) passes it over,
/// counted by [`EventStream::passed_over`] and the last one kept as
/// [`EventStream::last_passed_over`], as the vendors' SDKs go on past an event they do not know.
pub struct EventStream<T> {
    decoder: Decoder,
    format: &'static StreamFormat,
    since_item: Arc<AtomicU64>,
    limit: u64,
    last_event_id: Option<String>,
    /// The SSE event name of the last item read, if it had one.
    event_name: Option<String>,
    passed_over: u64,
    last_passed_over: Option<UnknownItem>,
    /// Each error value as a JSON string (`"error"`), to find before parsing for it.
    error_needles: Vec<String>,
    /// The call's scrub policy: what an error item may show.
    scrub: Scrubber,
    tail: Tail,
    /// An item from its JSON text: serde's, or the generated client's discriminator dispatch.
    decode: Decode<T>,
}

/// How an item is read from its JSON text.
pub type Decode<T> = fn(&str) -> Result<T, serde_json::Error>;

impl<T> fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("operation", &self.tail.operation)
            .field("framing", &self.format.framing)
            .field("items", &self.tail.items)
            .finish_non_exhaustive()
    }
}

impl<T> EventStream<T> {
    /// The `id` of the last SSE event that carried one (to resume where the API allows).
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_event_id.as_deref()
    }

    /// Items delivered so far.
    pub fn items(&self) -> u64 {
        self.tail.items
    }

    /// The SSE `event` name of the item last delivered (or passed over), if it had one.
    pub fn event_name(&self) -> Option<&str> {
        self.event_name.as_deref()
    }

    /// Items passed over so far: JSON the item type has no place for (an event the spec does
    /// not list, on a stream whose item type is not a union).
    pub fn passed_over(&self) -> u64 {
        self.passed_over
    }

    /// The last item passed over, as sent.
    pub fn last_passed_over(&self) -> Option<&UnknownItem> {
        self.last_passed_over.as_ref()
    }
}

/// An item a stream passed over: its SSE event name and its JSON, kept as sent. `Debug` shows
/// the JSON's shape only ([`UnknownValue`](crate::UnknownValue)).
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownItem {
    pub event: Option<String>,
    pub value: crate::UnknownValue,
}

impl<T: DeserializeOwned> EventStream<T> {
    /// One item from its text: the typed value, `None` for JSON the type has no place for
    /// (passed over), or the error that ends the stream.
    fn item(&mut self, data: &str, error_event: bool) -> Result<Option<T>, StreamError<T>> {
        let (operation, items) = (self.tail.operation, self.tail.items);
        // The full look at the discriminator only when an error value appears in the text at
        // all (a substring search is far cheaper than a second parse of every item; a value
        // spelled with JSON escapes is missed, and then delivered as the typed item it is).
        let error_event = error_event
            || (self.error_needles.iter().any(|needle| data.contains(needle.as_str()))
                && self.format.error_property.is_some_and(|property| {
                    discriminator(data, property)
                        .is_some_and(|value| self.format.error_values.contains(&value.as_str()))
                }));
        let parsed = (self.decode)(data);
        if error_event {
            // Secret fields, the key and the secrets the request sent redacted; for operations
            // that carry secrets, everything but the item's shape.
            let shown =
                String::from_utf8_lossy(&self.scrub.body(data.as_bytes(), Some("application/json"))).into_owned();
            return Err(StreamError::ErrorEvent { operation, items, event: parsed.ok().map(Box::new), shown });
        }
        match parsed {
            Ok(item) => Ok(Some(item)),
            Err(e) => match serde_json::from_str::<serde_json::Value>(data) {
                // JSON all the same: an event the spec does not list.
                Ok(value) if e.is_data() => {
                    tracing::debug!(
                        operation,
                        item = items + 1,
                        event = self.event_name.as_deref(),
                        "an unlisted stream item passed over"
                    );
                    self.passed_over += 1;
                    self.last_passed_over =
                        Some(UnknownItem { event: self.event_name.clone(), value: crate::UnknownValue::new(value) });
                    Ok(None)
                }
                _ => Err(StreamError::InvalidItem { operation, items, source: BodyMismatch::from(&e) }),
            },
        }
    }

    fn fail(&mut self, error: StreamError<T>) -> Poll<Option<Result<T, StreamError<T>>>> {
        self.tail.end(match error {
            StreamError::ErrorEvent { .. } => "error event",
            _ => "failed",
        });
        Poll::Ready(Some(Err(error)))
    }
}

impl<T: DeserializeOwned> Stream for EventStream<T> {
    type Item = Result<T, StreamError<T>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.tail.ended {
            return Poll::Ready(None);
        }
        loop {
            let (data, error_event) = match &mut this.decoder {
                Decoder::Events(events) => match ready!(Pin::new(events).poll_next(cx)) {
                    None => break,
                    Some(Err(sse_stream::Error::Body(source))) => match source.downcast::<ChunkError>() {
                        Ok(chunk) => {
                            let error = this.chunk_failure(*chunk);
                            return this.fail(error);
                        }
                        Err(_) => {
                            let error = this.framing("unreadable body");
                            return this.fail(error);
                        }
                    },
                    Some(Err(_)) => {
                        let error = this.framing("not valid UTF-8");
                        return this.fail(error);
                    }
                    Some(Ok(event)) => {
                        if event.id.is_some() {
                            this.last_event_id = event.id;
                        }
                        // Comments and blocks of only `id`/`retry`/`event` carry no item.
                        let Some(data) = event.data else { continue };
                        if data == "[DONE]" {
                            break;
                        }
                        let error_event = event.event.as_deref() == Some("error");
                        this.event_name = event.event;
                        (data, error_event)
                    }
                },
                Decoder::Lines(lines) => match ready!(Pin::new(lines).poll_next(cx)) {
                    None => break,
                    Some(Err(LinesCodecError::MaxLineLengthExceeded)) => {
                        let (operation, items, limit) = (this.tail.operation, this.tail.items, this.limit);
                        return this.fail(StreamError::TooLarge { operation, items, limit });
                    }
                    Some(Err(LinesCodecError::Io(io))) => {
                        let error = match io.into_inner().map(|e| e.downcast::<ChunkError>()) {
                            Some(Ok(chunk)) => this.chunk_failure(*chunk),
                            _ => this.framing("not valid UTF-8"),
                        };
                        return this.fail(error);
                    }
                    Some(Ok(line)) => {
                        if line.trim().is_empty() {
                            continue;
                        }
                        (line, false)
                    }
                },
            };
            this.since_item.store(0, Ordering::Relaxed);
            return match this.item(&data, error_event) {
                Ok(Some(item)) => {
                    this.tail.items += 1;
                    Poll::Ready(Some(Ok(item)))
                }
                Ok(None) => continue,
                Err(error) => this.fail(error),
            };
        }
        this.tail.end("completed");
        Poll::Ready(None)
    }
}

impl<T> EventStream<T> {
    fn chunk_failure(&self, chunk: ChunkError) -> StreamError<T> {
        let (operation, items) = (self.tail.operation, self.tail.items);
        match chunk {
            ChunkError::Transport(source) => {
                StreamError::Transport { operation, items, source: self.scrub.transport_error(source) }
            }
            ChunkError::TooLarge(limit) => StreamError::TooLarge { operation, items, limit },
        }
    }

    fn framing(&self, reason: &'static str) -> StreamError<T> {
        StreamError::Framing { operation: self.tail.operation, items: self.tail.items, reason }
    }
}

/// The value of `property` in the JSON object `data`, if it is a string: members before it
/// are skipped without being built, and reading stops there (a generated client reads a
/// discriminated item's variant with it, then decodes that variant alone instead of
/// buffering the item for an untagged enum). The typed decode that follows checks the rest.
#[doc(hidden)]
pub fn discriminator(data: &str, property: &str) -> Option<String> {
    use serde::de::{Deserializer, Error as _, IgnoredAny, MapAccess, Visitor};
    struct Find<'p, 'f>(&'p str, &'f mut Option<String>);
    impl<'de> Visitor<'de> for Find<'_, '_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == self.0 {
                    *self.1 = map.next_value::<serde_json::Value>()?.as_str().map(str::to_string);
                    // Stop here: the rest need not be read (the deserializer's complaint that
                    // the object was left open is expected and ignored).
                    return Err(A::Error::custom("found"));
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(())
        }
    }
    let mut found = None;
    let mut deserializer = serde_json::Deserializer::from_str(data);
    let _ = deserializer.deserialize_map(Find(property, &mut found));
    found
}

/// A response body of bytes (audio, CSV, an archive), read as it arrives: write it to a file
/// in constant memory with [`write_to`](Self::write_to), or [`collect`](Self::collect) it
/// when small. Dropping it closes the connection.
pub struct ByteDownload {
    inner: Chunks,
    tail: Tail,
    /// The call's scrub policy: what a broken connection's error may show.
    scrub: Scrubber,
}

impl fmt::Debug for ByteDownload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteDownload").field("operation", &self.tail.operation).finish_non_exhaustive()
    }
}

impl ByteDownload {
    /// Copies the body into `writer` as it arrives; returns the bytes written.
    pub async fn write_to<W>(mut self, writer: &mut W) -> Result<u64, StreamError>
    where
        W: tokio::io::AsyncWrite + Unpin + ?Sized,
    {
        use tokio::io::AsyncWriteExt;
        let operation = self.tail.operation;
        let mut written = 0u64;
        while let Some(chunk) = std::future::poll_fn(|cx| Pin::new(&mut self).poll_next(cx)).await {
            let chunk = chunk?;
            writer.write_all(&chunk).await.map_err(|source| StreamError::Write { operation, source })?;
            written += chunk.len() as u64;
        }
        writer.flush().await.map_err(|source| StreamError::Write { operation, source })?;
        Ok(written)
    }

    /// The whole body, refused beyond `max_bytes`.
    pub async fn collect(mut self, max_bytes: u64) -> Result<Bytes, StreamError> {
        let mut out = bytes::BytesMut::new();
        while let Some(chunk) = std::future::poll_fn(|cx| Pin::new(&mut self).poll_next(cx)).await {
            let chunk = chunk?;
            if out.len() as u64 + chunk.len() as u64 > max_bytes {
                let error = StreamError::TooLarge { operation: self.tail.operation, items: 0, limit: max_bytes };
                self.tail.end("failed");
                return Err(error);
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out.freeze())
    }
}

/// Chunks of the body as they arrive; the item count in the span is the bytes read.
impl Stream for ByteDownload {
    type Item = Result<Bytes, StreamError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.tail.ended {
            return Poll::Ready(None);
        }
        match ready!(this.inner.as_mut().poll_next(cx)) {
            Some(Ok(chunk)) => {
                this.tail.items += chunk.len() as u64;
                Poll::Ready(Some(Ok(chunk)))
            }
            Some(Err(source)) => {
                let (operation, items) = (this.tail.operation, this.tail.items);
                this.tail.end("failed");
                let source = this.scrub.transport_error(source);
                Poll::Ready(Some(Err(StreamError::Transport { operation, items, source })))
            }
            None => {
                this.tail.end("completed");
                Poll::Ready(None)
            }
        }
    }
}

/// Builds the typed streams from a successful raw response (used by `Context`'s calls):
/// `limit` caps each item, `scrub` is the call's scrub policy, `span` the call's span.
pub(crate) fn events<T>(
    response: ResponseValue<ByteStream>,
    operation: &'static str,
    format: &'static StreamFormat,
    decode: Decode<T>,
    limit: u64,
    scrub: Scrubber,
    span: tracing::Span,
) -> ResponseValue<EventStream<T>> {
    let since_item = Arc::new(AtomicU64::new(0));
    let (status, headers) = (response.status(), response.headers().clone());
    let capped = Capped { inner: response.into_inner_stream(), since_item: Arc::clone(&since_item), limit };
    let decoder = match format.framing {
        Framing::ServerSentEvents => Decoder::Events(sse_stream::SseByteStream::new(capped)),
        Framing::JsonLines => {
            let max = usize::try_from(limit).unwrap_or(usize::MAX);
            Decoder::Lines(FramedRead::new(StreamReader::new(IoChunks(capped)), LinesCodec::new_with_max_length(max)))
        }
    };
    let stream = EventStream {
        decoder,
        format,
        since_item,
        limit,
        last_event_id: None,
        event_name: None,
        passed_over: 0,
        last_passed_over: None,
        error_needles: format.error_values.iter().map(|v| serde_json::Value::from(*v).to_string()).collect(),
        scrub,
        tail: Tail::new(operation, span),
        decode,
    };
    ResponseValue::new(stream, status, headers)
}

pub(crate) fn download(
    response: ResponseValue<ByteStream>,
    operation: &'static str,
    span: tracing::Span,
    scrub: Scrubber,
) -> ResponseValue<ByteDownload> {
    let (status, headers) = (response.status(), response.headers().clone());
    let download = ByteDownload { inner: response.into_inner_stream(), tail: Tail::new(operation, span), scrub };
    ResponseValue::new(download, status, headers)
}

#[cfg(test)]
mod tests {
    use super::discriminator;

    #[test]
    fn finds_the_discriminator_without_building_the_rest() {
        assert_eq!(discriminator(r#"{"a":[1,{"type":"x"}],"type":"error"}"#, "type").as_deref(), Some("error"));
        assert_eq!(discriminator(r#"{"type":"error","b":{"c":2}}"#, "type").as_deref(), Some("error"));
        assert_eq!(discriminator(r#"{"type":3}"#, "type"), None);
        assert_eq!(discriminator(r#"[1]"#, "type"), None);
        assert_eq!(discriminator(r#"{"kind":"error"}"#, "type"), None);
    }
}
