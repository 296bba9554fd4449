//! A cap on response bodies, so an endless or oversized body is an error, not memory
//! exhaustion (progenitor reads every body it parses whole, error bodies included).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use reqwest::ResponseBuilderExt;

use crate::refused::Refused;

/// The default cap: far above any answer of these token APIs (kilobytes), far below memory
/// trouble.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// `response` with its body capped at `limit` bytes.
///
/// A body whose exact length is known and within the cap is returned untouched (no cost on
/// the common path): hyper and h2 never deliver more than a declared `Content-Length`. Any
/// other body is wrapped; one declared longer than the cap fails on its first read.
pub(crate) fn cap(response: reqwest::Response, limit: u64) -> reqwest::Response {
    if response.content_length().is_some_and(|length| length <= limit) {
        return response;
    }
    // reqwest keeps the URL (used in its error messages) outside the `http` parts, and only
    // its own response builder can put it back.
    let url = response.url().clone();
    let (mut parts, body) = http::Response::from(response).into_parts();
    if let Ok(carrier) = http::Response::builder().url(url).body(()) {
        parts.extensions.extend(carrier.into_parts().0.extensions);
    }
    let body = reqwest::Body::wrap(Capped { inner: body, remaining: limit, limit });
    reqwest::Response::from(http::Response::from_parts(parts, body))
}

/// Reads `response`'s (capped) body whole; returns a response replaying it, and the bytes.
pub(crate) async fn buffer(response: reqwest::Response) -> reqwest::Result<(reqwest::Response, Bytes)> {
    let url = response.url().clone();
    let (status, version, headers) = (response.status(), response.version(), response.headers().clone());
    let bytes = response.bytes().await?;
    let mut replay = http::Response::new(reqwest::Body::from(bytes.clone()));
    *replay.status_mut() = status;
    *replay.version_mut() = version;
    *replay.headers_mut() = headers;
    if let Ok(carrier) = http::Response::builder().url(url).body(()) {
        replay.extensions_mut().extend(carrier.into_parts().0.extensions);
    }
    Ok((reqwest::Response::from(replay), bytes))
}

struct Capped {
    inner: reqwest::Body,
    remaining: u64,
    limit: u64,
}

impl Body for Capped {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let too_large = |limit| Poll::Ready(Some(Err(Box::new(Refused::BodyTooLarge { limit }) as Self::Error)));
        if self.inner.size_hint().lower() > self.remaining {
            return too_large(self.limit);
        }
        let frame = match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => frame,
            other => return other.map(|f| f.map(|r| r.map_err(Into::into))),
        };
        if let Some(data) = frame.data_ref() {
            let len = data.len() as u64;
            if len > self.remaining {
                return too_large(self.limit);
            }
            self.remaining -= len;
        }
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let mut hint = self.inner.size_hint();
        if hint.upper().is_none_or(|upper| upper > self.remaining) {
            // Never claim more than the cap allows; the lower bound stays honest.
            let lower = hint.lower().min(self.remaining);
            hint = SizeHint::new();
            hint.set_lower(lower);
        }
        hint
    }
}
