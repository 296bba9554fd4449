//! The machinery of one call, behind the [`Context`] methods generated code calls: the span
//! around the call, the per-call state scoped around progenitor's request future, the call's
//! scrub policy and the conversion of failures into [`Error`] ([`run`]); and the transport
//! with retries and timeouts, progenitor's `exec` hook ([`execute`]).

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use progenitor_client::{ByteStream, ResponseValue};
use serde::de::DeserializeOwned;
use tracing::Instrument;
use tracing::field::Empty;

use crate::body_limit;
use crate::call_options::CallOptions;
use crate::call_state;
use crate::config::NO_TOTAL_TIMEOUT;
use crate::context::Context;
use crate::error::{Error, from_progenitor};
use crate::redact::Scrubber;
use crate::retry;
use crate::wire_log::WireLog;

/// How a call asks for and reads its response.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Mode {
    /// An `Accept` header for bodies progenitor reads as bytes (progenitor sets its own only
    /// for JSON).
    pub accept: Option<&'static str>,
    /// The success body is read as a stream: not capped whole, not bounded by a total
    /// timeout (the attempt timeout bounds each wait instead).
    pub streaming: bool,
}

/// A finished call: its result, its span (which a stream keeps open until it ends) and its
/// scrub policy (which a stream applies to what its errors show).
pub(crate) struct Finished<T, E> {
    pub result: Result<ResponseValue<T>, Error<E>>,
    pub span: tracing::Span,
    pub scrub: Scrubber,
}

/// Runs `send` (progenitor's request future, hooks included) as one call of `operation`.
///
/// `send` comes boxed: progenitor's request future is kilobytes (the request, the hooks,
/// reqwest's own future), and every future holding it inline is as large and copied whole
/// whenever it moves. Boxed by the caller before its own future exists, it is copied once.
pub(crate) async fn run<T, E, F>(
    context: &Context,
    operation: &'static str,
    mode: Mode,
    options: CallOptions,
    send: Pin<Box<F>>,
) -> Finished<T, E>
where
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>> + ?Sized,
{
    let api = context.api();
    let description = context.operation(operation);
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
    let (result, scrub) = async move {
        let (result, record) = call_state::scope(mode.accept, mode.streaming, options, description, send).await;
        let span = tracing::Span::current();
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        // The call's scrub policy, decided here once (the request is sent, so the secrets it
        // carried are known), for its error or its stream.
        let scrub = context.scrubber().for_call(description, record.sent_secrets());
        let result = match result {
            Ok(value) => {
                tracing::debug!("call succeeded");
                Ok(value)
            }
            Err(error) => {
                let error = from_progenitor(error, id, &record, &scrub).await;
                tracing::warn!(error = %error, "call failed");
                Err(error)
            }
        };
        (result, scrub)
    }
    .instrument(span.clone())
    .await;
    Finished { result, span, scrub }
}

/// `send`'s byte body read whole and decoded as JSON into `T` (the JSON answer of an
/// operation whose success body progenitor reads as bytes).
pub(crate) async fn decode_json<T: DeserializeOwned + std::fmt::Debug, E>(
    send: impl Future<Output = Result<ResponseValue<ByteStream>, progenitor_client::Error<E>>>,
) -> Result<ResponseValue<T>, progenitor_client::Error<E>> {
    let (body, status, headers) = read_body(send).await?;
    let value =
        serde_json::from_slice(&body).map_err(|e| progenitor_client::Error::InvalidResponsePayload(body.clone(), e))?;
    Ok(ResponseValue::new(value, status, headers))
}

/// [`decode_json`] for an operation that answers some successes without a body: an empty
/// body is `None`, any other is the document (and must be one).
pub(crate) async fn decode_json_or_empty<T: DeserializeOwned + std::fmt::Debug, E>(
    send: impl Future<Output = Result<ResponseValue<ByteStream>, progenitor_client::Error<E>>>,
) -> Result<ResponseValue<Option<T>>, progenitor_client::Error<E>> {
    let (body, status, headers) = read_body(send).await?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(ResponseValue::new(None, status, headers));
    }
    let value =
        serde_json::from_slice(&body).map_err(|e| progenitor_client::Error::InvalidResponsePayload(body.clone(), e))?;
    Ok(ResponseValue::new(Some(value), status, headers))
}

/// `send`'s byte body read whole (a raw request's `send_bytes`).
pub(crate) async fn read_bytes<E>(
    send: impl Future<Output = Result<ResponseValue<ByteStream>, progenitor_client::Error<E>>>,
) -> Result<ResponseValue<bytes::Bytes>, progenitor_client::Error<E>> {
    let (body, status, headers) = read_body(send).await?;
    Ok(ResponseValue::new(body, status, headers))
}

/// The whole body of a successful answer, with its status and headers.
async fn read_body<E>(
    send: impl Future<Output = Result<ResponseValue<ByteStream>, progenitor_client::Error<E>>>,
) -> Result<(bytes::Bytes, reqwest::StatusCode, reqwest::header::HeaderMap), progenitor_client::Error<E>> {
    let response = send.await?;
    let (status, headers) = (response.status(), response.headers().clone());
    let mut chunks = response.into_inner_stream();
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = std::future::poll_fn(|cx| chunks.as_mut().poll_next(cx)).await {
        body.extend_from_slice(&chunk.map_err(progenitor_client::Error::ResponseBodyError)?);
    }
    Ok((body.freeze(), status, headers))
}

/// `response` logged: a success streamed to the caller shows its head; any other body is
/// read whole (capped) to be shown, and handed on as read.
async fn logged_answer(
    log: WireLog,
    api: &str,
    scrub: &Scrubber,
    response: reqwest::Response,
    streaming: bool,
    cap: u64,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    if streaming && status.is_success() {
        log.response(api, scrub, status, response.headers(), None);
        return Ok(response);
    }
    let (response, body) = body_limit::buffer(body_limit::cap(response, cap)).await?;
    log.response(api, scrub, status, response.headers(), Some(&body));
    Ok(response)
}

/// progenitor's `exec` hook, as [`Context::execute`] documents it.
pub(crate) async fn execute(
    context: &Context,
    own_client: bool,
    http: &reqwest::Client,
    request: reqwest::Request,
) -> reqwest::Result<reqwest::Response> {
    let limits = context.limits();
    // The wire log, when anyone reads it, shows what the call's errors would.
    let log = WireLog::enabled(context.debug_log()).map(|log| {
        let (operation, sent) = call_state::operation_and_sent();
        (log, context.api().title, context.scrubber().for_call(operation, &sent))
    });
    // A request carrying an idempotency key may be sent again: the server answers a repeat
    // with the first answer (Stripe's, and the IETF draft's, `Idempotency-Key`).
    let idempotent = request.method().is_idempotent() || request.headers().contains_key("idempotency-key");
    let streaming = call_state::streaming();
    let options = call_state::options();
    let max_retries = options.retries_set().unwrap_or(limits.retry.max_retries);
    // None: a deadline too far to represent, i.e. none.
    let deadline = Instant::now().checked_add(options.timeout_set().unwrap_or(limits.deadline));
    let span = tracing::Span::current();
    let mut next = Some(request);
    let mut attempt = 0u32;
    loop {
        attempt = attempt.saturating_add(1);
        let Some(mut request) = next.take() else { unreachable!("a request is queued before each attempt") };
        // Clone before sending: a body-less or buffered request always clones.
        // (Skipped when no retry is left: a clone copies the URL and headers.)
        let spare = if attempt <= max_retries { request.try_clone() } else { None };
        // The client applies the attempt timeout itself; a per-request one (an allocation in
        // the request's extensions) only when the deadline leaves less than that.
        if let (Some(_), Some(deadline)) = (options.timeout_set(), deadline) {
            // The caller's timeout for this call: what is left of it, whatever the client's.
            *request.timeout_mut() = Some(deadline.saturating_duration_since(Instant::now()));
        } else if streaming {
            // A stream may last: the client's read timeout (the attempt timeout) bounds
            // each wait for the answer and for the next chunk instead.
            *request.timeout_mut() = Some(NO_TOTAL_TIMEOUT);
        } else if let Some(deadline) = deadline {
            let remaining = deadline.saturating_duration_since(Instant::now());
            // The caller's client has no attempt timeout built in: each request carries it.
            if remaining < limits.attempt_timeout || own_client {
                *request.timeout_mut() = Some(remaining.min(limits.attempt_timeout));
            }
        } else if own_client {
            *request.timeout_mut() = Some(limits.attempt_timeout.min(NO_TOTAL_TIMEOUT));
        }

        if let Some((log, api, scrub)) = &log {
            log.request(api, scrub, &request, attempt);
        }
        let sent = Instant::now();
        let outcome = http.execute(request).await;
        let outcome = match (&log, outcome) {
            (Some((log, api, scrub)), Ok(response)) => {
                Ok(logged_answer(*log, api, scrub, response, streaming, limits.max_response_bytes).await?)
            }
            (Some((log, api, scrub)), Err(error)) => {
                log.no_response(api, scrub, &error);
                Err(error)
            }
            (None, outcome) => outcome,
        };
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
        call_state::record_attempts(status, attempt);
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
        call_state::keep_error_body(body);
        return Ok(response);
    }
}
