//! The state of the call in progress: its one owner.
//!
//! progenitor's hooks get no handle on the call they serve, so what the call tells them and
//! what they learn of the request and the response travel in one task-local record,
//! [`CallRecord`], scoped around progenitor's request future by [`scope`]. The task-local is
//! private to this module: every read and write is one of the functions below, and once the
//! request future ends, [`scope`] hands the record back as a plain value.
//!
//! | field                | written by                               | read by                                      |
//! |----------------------|------------------------------------------|----------------------------------------------|
//! | `accept`             | call ([`scope`], from the call's mode)   | pre ([`accept`]): the `Accept` header to set |
//! | `streaming`          | call ([`scope`])                         | exec ([`streaming`]): no total timeout       |
//! | `options`            | call ([`scope`], the builder's options)  | pre: extra headers; exec: timeout, retries ([`options`]) |
//! | `sent_secrets`       | pre ([`remember_sent`], if the operation sends secrets) | call: the scrub policy        |
//! | `status`, `attempts` | exec ([`record_attempts`], final attempt) | call: errors progenitor reports without them |
//! | `error_body`         | exec ([`keep_error_body`], error status) | call: the error's redacted body              |
//!
//! The call builds its scrub policy from `sent_secrets` once and hands it to its error or its
//! stream; streams read nothing here.

use std::cell::Cell;
use std::future::Future;

use bytes::Bytes;
use reqwest::StatusCode;

use crate::api::OperationDescription;
use crate::call_options::CallOptions;
use crate::secret::SecretString;

tokio::task_local! {
    /// The record of the call in progress.
    // tokio swaps it in and out of a thread-local on every poll; it is read and written by
    // taking it out and putting it back (`Cell`), never borrowed across an await.
    static CALL: Cell<CallRecord>;
}

/// What the hooks learn during one call, for the call to read when progenitor's future ends
/// (the table in the module doc says who writes and who reads each field).
#[derive(Debug, Default)]
pub(crate) struct CallRecord {
    /// The call's `Accept` header where progenitor sets none (streams, downloads).
    pub accept: Option<&'static str>,
    /// Whether the success body is read as a stream.
    pub streaming: bool,
    /// What the caller set for this call only.
    pub options: CallOptions,
    /// The operation being called (`None`: a raw request), for the wire log's scrub policy.
    pub operation: Option<&'static OperationDescription>,
    /// Secret values this call sent (only for operations that send secrets).
    pub sent_secrets: Option<Box<[SecretString]>>,
    /// The final response's status (an error of a body that does not parse loses it in
    /// progenitor).
    pub status: Option<StatusCode>,
    pub attempts: u32,
    /// The final response's body when its status is an error (buffered by the transport hook
    /// so a declared error keeps a redacted rendering beside its typed value).
    pub error_body: Option<Bytes>,
}

impl CallRecord {
    /// The secret values the request sent (none unless the operation sends secrets).
    pub fn sent_secrets(&self) -> &[SecretString] {
        self.sent_secrets.as_deref().unwrap_or_default()
    }
}

/// Runs `call` (progenitor's request future, which runs the hooks) with a fresh record asking
/// for `accept` and, if `streaming`, a streamed body; returns its output and the record as the
/// hooks left it.
pub(crate) async fn scope<F: Future>(
    accept: Option<&'static str>,
    streaming: bool,
    options: CallOptions,
    operation: Option<&'static OperationDescription>,
    call: F,
) -> (F::Output, CallRecord) {
    let record = CallRecord { accept, streaming, options, operation, ..CallRecord::default() };
    CALL.scope(Cell::new(record), async {
        let output = call.await;
        (output, CALL.with(Cell::take))
    })
    .await
}

/// What `read` takes from the record of the call in progress (none outside a call).
fn read<R>(read: impl FnOnce(&CallRecord) -> R) -> Option<R> {
    CALL.try_with(|cell| {
        let record = cell.take();
        let value = read(&record);
        cell.set(record);
        value
    })
    .ok()
}

/// Changes the record of the call in progress (nothing outside a call).
fn update(change: impl FnOnce(&mut CallRecord)) {
    let _ = CALL.try_with(|cell| {
        let mut record = cell.take();
        change(&mut record);
        cell.set(record);
    });
}

/// pre: the `Accept` header the call in progress asks for, if it is not progenitor's.
pub(crate) fn accept() -> Option<&'static str> {
    read(|r| r.accept).flatten()
}

/// pre: remembers secret values the call in progress sends, so its errors and its stream can
/// scrub them.
pub(crate) fn remember_sent(values: Vec<SecretString>) {
    update(|r| {
        let mut all = r.sent_secrets.take().map(Vec::from).unwrap_or_default();
        all.extend(values);
        r.sent_secrets = Some(all.into_boxed_slice());
    });
}

/// exec (the wire log): the operation in progress and the secrets its request sent so far.
pub(crate) fn operation_and_sent() -> (Option<&'static OperationDescription>, Vec<SecretString>) {
    read(|r| (r.operation, r.sent_secrets().to_vec())).unwrap_or_default()
}

/// pre and exec: what the caller set for the call in progress (nothing outside a call).
pub(crate) fn options() -> CallOptions {
    read(|r| r.options.clone()).unwrap_or_default()
}

/// exec: whether the call in progress reads its success body as a stream.
pub(crate) fn streaming() -> bool {
    read(|r| r.streaming).unwrap_or(false)
}

/// exec: the final attempt's status (none: no response) and the number of attempts.
pub(crate) fn record_attempts(status: Option<StatusCode>, attempts: u32) {
    update(|r| (r.status, r.attempts) = (status, attempts));
}

/// exec: the body of a final response with an error status.
pub(crate) fn keep_error_body(body: Bytes) {
    update(|r| r.error_body = Some(body));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hooks_write_what_the_call_reads_back_and_nothing_leaks_outside_a_call() {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let ((), record) =
            runtime.block_on(scope(Some("text/event-stream"), true, CallOptions::new().retries(1), None, async {
                assert_eq!(options().retries_set(), Some(1));
                assert_eq!(accept(), Some("text/event-stream"));
                assert!(streaming());
                remember_sent(vec![SecretString::new("tok-sent")]);
                record_attempts(Some(StatusCode::BAD_GATEWAY), 3);
                keep_error_body(Bytes::from_static(b"{}"));
            }));
        assert_eq!(record.sent_secrets().len(), 1);
        assert_eq!((record.status, record.attempts), (Some(StatusCode::BAD_GATEWAY), 3));
        assert_eq!(record.error_body.as_deref(), Some(&b"{}"[..]));
        // Outside a call: nothing to read, and writes go nowhere.
        assert_eq!((accept(), streaming()), (None, false));
        remember_sent(vec![SecretString::new("tok-elsewhere")]);
    }
}
