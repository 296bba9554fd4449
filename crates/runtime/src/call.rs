//! One API call, end to end: the span around it, the transport with retries and timeouts
//! (progenitor's `exec` hook), and the conversion of failures into [`Error`].

use std::cell::Cell;
use std::future::Future;
use std::time::Instant;

use progenitor_client::ResponseValue;
use tracing::Instrument;
use tracing::field::Empty;

use crate::body_limit;
use crate::context::Context;
use crate::error::{CallRecord, Error, Scrubber, from_progenitor};
use crate::retry;

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

impl Context {
    /// Runs one operation: `send` is progenitor's request future for it.
    ///
    /// One `api_call` span per call, with the operation id, method, path template, final
    /// status, attempts and latency. Nothing else of the request is recorded: no headers, no
    /// body, no query.
    pub async fn call<T, E>(
        &self,
        operation: &'static str,
        send: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
    ) -> Result<ResponseValue<T>, Error<E>> {
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
        );
        let started = Instant::now();
        // progenitor's request future is large; boxed once here, only a pointer moves through
        // the task-local and span wrappers below (measured: fewer copied bytes per call).
        let send = Box::pin(send);
        async move {
            let (result, record) = CALL
                .scope(Cell::new(CallRecord::default()), async {
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
        .instrument(span)
        .await
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
            if let Some(deadline) = deadline {
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
            let response = body_limit::cap(outcome?, limits.max_response_bytes);
            if !(response.status().is_client_error() || response.status().is_server_error()) {
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
