//! Request bodies for octet-stream uploads (Vercel's files and artifacts), sent as they are
//! read: a file of any size in constant memory. Bytes already in memory need nothing of this
//! (`Vec<u8>` and `Bytes` are bodies as they are). A streamed body cannot be replayed, so
//! such a request is never retried.

use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures_core::Stream;
use http_body::{Body, Frame, SizeHint};

/// The file at `path` as a request body, read as it is sent, its length announced as
/// `Content-Length` (servers that store uploads want it).
pub async fn file_body(path: impl AsRef<Path>) -> std::io::Result<reqwest::Body> {
    let file = tokio::fs::File::open(path).await?;
    let length = file.metadata().await?.len();
    Ok(stream_body(tokio_util::io::ReaderStream::new(file), Some(length)))
}

/// Chunks from `stream` as a request body; with `length`, announced as `Content-Length` (the
/// stream must then yield exactly that many bytes, or the request fails).
pub fn stream_body<S>(stream: S, length: Option<u64>) -> reqwest::Body
where
    S: Stream<Item = std::io::Result<Bytes>> + Send + Sync + 'static,
{
    reqwest::Body::wrap(Streamed { stream: Box::pin(stream), remaining: length })
}

struct Streamed {
    stream: Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send + Sync>>,
    /// Bytes still promised, when a length was announced.
    remaining: Option<u64>,
}

impl Body for Streamed {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let next = ready!(self.stream.as_mut().poll_next(cx));
        let remaining = self.remaining;
        Poll::Ready(match (next, remaining) {
            (Some(Ok(chunk)), Some(left)) if chunk.len() as u64 > left => {
                Some(Err(std::io::Error::other("the upload is longer than its announced length")))
            }
            (Some(Ok(chunk)), _) => {
                self.remaining = remaining.map(|left| left - chunk.len() as u64);
                Some(Ok(Frame::data(chunk)))
            }
            (Some(Err(e)), _) => Some(Err(e)),
            (None, Some(left)) if left > 0 => {
                Some(Err(std::io::Error::other("the upload ended before its announced length")))
            }
            (None, _) => None,
        })
    }

    fn size_hint(&self) -> SizeHint {
        self.remaining.map_or_else(SizeHint::default, SizeHint::with_exact)
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == Some(0)
    }
}
