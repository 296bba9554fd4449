//! One API call, end to end: the span around it, the transport with retries and timeouts
//! (progenitor's `exec` hook), and the conversion of failures into [`Error`].

use std::cell::Cell;
use std::future::Future;
use std::time::Instant;

use progenitor_client::{ByteStream, ResponseValue};
use serde::de::DeserializeOwned;
use tracing::Instrument;
use tracing::field::Empty;

use crate::body_limit;
use crate::context::Context;
use crate::error::{CallRecord, Error, Scrubber, from_progenitor};
use crate::retry;
use crate::stream::{self, ByteDownload, EventStream, StreamFormat};

/// "No total timeout" for a streamed response (tokio clamps it to its far future).
pub(crate) const NO_TOTAL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(100 * 365 * 24 * 3600);

tokio::task_local! {
    /// What the transport saw of the final response of the call in progress.
    // Small (24 bytes): tokio swaps it in and out of a thread-local on every poll.
    static CALL: Cell<CallRecord>;
}

/// Remembers secret values the current call sends, so its errors can scrub them.
pub(crate) fn remember_sent(values: Vec<crate::SecretString>) {
    let _ = CALL.try_with(|r| {
        let mut record = r.take();
        record.sent_secrets = Some(values.into_boxed_slice());
        r.set(record);
    });
}

/// How a call asks for and reads its response.
#[derive(Debug, Clone, Copy, Default)]
struct Mode {
    /// An `Accept` header for bodies progenitor reads as bytes (progenitor sets its own only
    /// for JSON).
    accept: Option<&'static str>,
    /// The success body is read as a stream: not capped whole, not bounded by a total
    /// timeout (the attempt timeout bounds each wait instead).
    streaming: bool,
}

/// What `read` takes from the record of the call in progress (none outside a call).
fn from_record<R>(read: impl FnOnce(&CallRecord) -> R) -> Option<R> {
    CALL.try_with(|r| {
        let record = r.take();
        let value = read(&record);
        r.set(record);
        value
    })
    .ok()
}

/// The `Accept` header the call in progress asks for, if it is not progenitor's.
pub(crate) fn accept() -> Option<&'static str> {
    from_record(|r| r.accept).flatten()
}

fn streaming() -> bool {
    from_record(|r| r.streaming).unwrap_or(false)
}

impl Context {
    /// Runs one operation: `send` is progenitor's request future for it.
    ///
    /// One `api_call` span per call, with the operation id, method, path template, final
    /// status, attempts and latency (and, for streams, items and duration when the stream
    /// ends). Nothing else of the request is recorded: no headers, no body, no query.
    pub async fn call<T, E>(
        &self,
        operation: &'static str,
        send: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
    ) -> Result<ResponseValue<T>, Error<E>> {
        self.run(operation, Mode::default(), send).await.0
    }

    /// For an operation whose success body progenitor reads as bytes but which the caller
    /// asked for as JSON (one that also offers a stream): decoded into `T` here.
    pub async fn call_json<T: DeserializeOwned + std::fmt::Debug, E>(
        &self,
        operation: &'static str,
        send: impl Future<Output = Result<ResponseValue<ByteStream>, progenitor_client::Error<E>>>,
    ) -> Result<ResponseValue<T>, Error<E>> {
        let mode = Mode { accept: Some("application/json"), streaming: false };
        let decoded = async {
            let response = send.await?;
            let (status, headers) = (response.status(), response.headers().clone());
            let mut chunks = response.into_inner_stream();
            let mut body = bytes::BytesMut::new();
            while let Some(chunk) = std::future::poll_fn(|cx| chunks.as_mut().poll_next(cx)).await {
                body.extend_from_slice(&chunk.map_err(progenitor_client::Error::ResponseBodyError)?);
            }
            let body = body.freeze();
            let value = serde_json::from_slice(&body)
                .map_err(|e| progenitor_client::Error::InvalidResponsePayload(body.clone(), e))?;
            Ok(ResponseValue::new(value, status, headers))
        };
        self.run(operation, mode, decoded).await.0
    }

    /// An operation whose success body is a stream of items (`format` says how framed):
    /// typed as `T`, read as they arrive.
    pub async fn call_events<T, E>(
        &self,
        operation: &'static str,
        format: &'static StreamFormat,
        decode: stream::Decode<T>,
        send: impl Future<Output = Result<ResponseValue<ByteStream>, progenitor_client::Error<E>>>,
    ) -> Result<ResponseValue<EventStream<T>>, Error<E>> {
        let mode = Mode { accept: Some(format.media_type), streaming: true };
        let (result, span) = self.run(operation, mode, send).await;
        Ok(stream::events(result?, operation, format, decode, self, span))
    }

    /// An operation whose success body is bytes of `accept`'s media types (audio, CSV, a
    /// file): read as they arrive, in constant memory.
    pub async fn call_download<E>(
        &self,
        operation: &'static str,
        accept: &'static str,
        send: impl Future<Output = Result<ResponseValue<ByteStream>, progenitor_client::Error<E>>>,
    ) -> Result<ResponseValue<ByteDownload>, Error<E>> {
        let mode = Mode { accept: Some(accept), streaming: true };
        let (result, span) = self.run(operation, mode, send).await;
        Ok(stream::download(result?, operation, self, span))
    }

    /// The call, and its span (which a stream keeps open until it ends).
    async fn run<T, E>(
        &self,
        operation: &'static str,
        mode: Mode,
        send: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
    ) -> (Result<ResponseValue<T>, Error<E>>, tracing::Span) {
        let api = self.api();
        let description = api.operation(operation);
        let id = description.map_or(operation, |op| op.id);
        let span = tracing::info_span!(
            "api_call",
            api = api.title,
            operation = id,
            method = description.map_or("", |op| op.method),
            path = description.map_or("", |op| op.path),
            status = Empty,
            attempts = Empty,
            latency_ms = Empty,
            items = Empty,
            stream_ms = Empty,
        );
        let started = Instant::now();
        // progenitor's request future is large; boxed once here, only a pointer moves through
        // the task-local and span wrappers below (measured: fewer copied bytes per call).
        let send = Box::pin(send);
        let record = CallRecord { accept: mode.accept, streaming: mode.streaming, ..CallRecord::default() };
        let result = async move {
            let (result, record) = CALL
                .scope(Cell::new(record), async {
                    let result = send.await;
                    (result, CALL.with(Cell::take))
                })
                .await;
            let span = tracing::Span::current();
            span.record("latency_ms", started.elapsed().as_millis() as u64);
            match result {
                Ok(value) => {
                    tracing::debug!("call succeeded");
                    Ok(value)
                }
                Err(error) => {
                    // An operation we know nothing of gets the strictest treatment.
                    let carries_secrets = description.is_none_or(|op| op.returns_secrets || op.sends_secrets);
                    let scrub = Scrubber::new(
                        api.secret_fields,
                        self.api_key(),
                        record.sent_secrets.as_deref().unwrap_or_default(),
                        carries_secrets,
                    );
                    let error = from_progenitor(error, id, &record, &scrub).await;
                    tracing::warn!(error = %error, "call failed");
                    Err(error)
                }
            }
        }
        .instrument(span.clone())
        .await;
        (result, span)
    }

    /// progenitor's `exec` hook: sends `request`, retrying as [`crate::RetryPolicy`] allows,
    /// each attempt bounded by the attempt timeout and all of them by the deadline; the final
    /// response's body is capped at `max_response_bytes`.
    pub async fn execute(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        let limits = self.limits();
        let idempotent = request.method().is_idempotent();
        let streaming = streaming();
        // None: a deadline too far to represent, i.e. none.
        let deadline = Instant::now().checked_add(limits.deadline);
        let span = tracing::Span::current();
        let mut next = Some(request);
        let mut attempt = 0u32;
        loop {
            attempt = attempt.saturating_add(1);
            let Some(mut request) = next.take() else { unreachable!("a request is queued before each attempt") };
            // Clone before sending: a body-less or buffered request always clones.
            // (Skipped when no retry is left: a clone copies the URL and headers.)
            let spare = if attempt <= limits.retry.max_retries { request.try_clone() } else { None };
            // The client applies the attempt timeout itself; a per-request one (an allocation in
            // the request's extensions) only when the deadline leaves less than that.
            if streaming {
                // A stream may last: the client's read timeout (the attempt timeout) bounds
                // each wait for the answer and for the next chunk instead.
                *request.timeout_mut() = Some(NO_TOTAL_TIMEOUT);
            } else if let Some(deadline) = deadline {
                let remaining = deadline.saturating_duration_since(Instant::now());
                if remaining < limits.attempt_timeout {
                    *request.timeout_mut() = Some(remaining);
                }
            }

            let sent = Instant::now();
            let outcome = http.execute(request).await;
            let decision = match &outcome {
                Ok(response) => {
                    tracing::debug!(
                        attempt,
                        status = response.status().as_u16(),
                        elapsed_ms = sent.elapsed().as_millis() as u64,
                        "response"
                    );
                    retry::for_status(idempotent, response.status(), response.headers())
                }
                Err(error) => {
                    tracing::debug!(attempt, timeout = error.is_timeout(), connect = error.is_connect(), "no response");
                    retry::for_error(idempotent, error).map(|reason| (reason, None))
                }
            };
            if let (Some((reason, retry_after)), Some(spare)) = (decision, spare) {
                let wait = limits.retry.wait(attempt, retry_after);
                let in_time = match deadline {
                    Some(deadline) => Instant::now().checked_add(wait).is_some_and(|end| end < deadline),
                    None => true,
                };
                if in_time {
                    tracing::info!(attempt, ?reason, wait_ms = wait.as_millis() as u64, "retrying");
                    drop(outcome);
                    tokio::time::sleep(wait).await;
                    next = Some(spare);
                    continue;
                }
                tracing::info!(attempt, ?reason, "not retrying: the deadline would pass");
            }

            span.record("attempts", attempt);
            let status = outcome.as_ref().ok().map(reqwest::Response::status);
            if let Some(status) = status {
                span.record("status", status.as_u16());
            }
            let _ = CALL.try_with(|r| {
                let mut record = r.take();
                (record.status, record.attempts) = (status, attempt);
                r.set(record);
            });
            let response = outcome?;
            let failed = response.status().is_client_error() || response.status().is_server_error();
            if streaming && !failed {
                // Items are capped one by one as the stream reads them.
                return Ok(response);
            }
            let response = body_limit::cap(response, limits.max_response_bytes);
            if !failed {
                return Ok(response);
            }
            // An error status: progenitor reads the body whole anyway; keep a copy so the
            // error can show it redacted (only error answers pay for this).
            let (response, body) = body_limit::buffer(response).await?;
            let _ = CALL.try_with(|r| {
                let mut record = r.take();
                record.error_body = Some(body);
                r.set(record);
            });
            return Ok(response);
        }
    }
}
