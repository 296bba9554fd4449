//! A `multipart/form-data` request body read back part by part, as a server reads it (by
//! multer, the parser axum uses): what the demo prints and what the tests check.

use std::future::Future as _;

use bytes::Bytes;

/// One part as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub data: Bytes,
}

impl Part {
    /// The part's content as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// The parts of a body sent with `content_type` (its boundary), or why it is not multipart.
/// The body is in memory, so multer's futures are ready when first polled: they are polled
/// once, without a runtime.
pub fn parts(content_type: &str, body: &Bytes) -> Result<Vec<Part>, String> {
    let boundary = multer::parse_boundary(content_type).map_err(|e| format!("content type {content_type}: {e}"))?;
    let body = body.clone();
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let read = async move {
        let mut parts = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(|e| format!("not multipart: {e}"))? {
            let name = field.name().unwrap_or_default().to_string();
            let file_name = field.file_name().map(String::from);
            let content_type = field.content_type().map(ToString::to_string);
            let data = field.bytes().await.map_err(|e| format!("part `{name}`: {e}"))?;
            parts.push(Part { name, file_name, content_type, data });
        }
        Ok(parts)
    };
    let mut read = std::pin::pin!(read);
    match read.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
        std::task::Poll::Ready(parts) => parts,
        std::task::Poll::Pending => Err("the multipart body did not read at once".into()),
    }
}
