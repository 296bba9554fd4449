//! Printing requests as they arrived on the wire, with credentials and secret fields redacted.

use api_runtime::{ApiDescription, SchemeKind, redact_json};
use std::future::Future as _;

use loopback::Recorded;

const REDACTED: &str = "[REDACTED]";

/// The request, one header a line, then the body, credentials redacted.
pub fn describe(request: &Recorded, api: &ApiDescription) -> String {
    let target = match &request.query {
        Some(query) => format!("{}?{query}", request.path),
        None => request.path.clone(),
    };
    let mut out = format!("→ {} {target}\n", request.method);
    for (name, value) in &request.headers {
        out.push_str(&format!("    {name}: {}\n", redact_header(name, value, api)));
    }
    if request.body.is_empty() {
        return out;
    }
    let parts = request.header("content-type").and_then(|content_type| parts(content_type, &request.body));
    match parts {
        Some(parts) => {
            for part in parts {
                out.push_str(&format!("    {}\n", part.describe(api)));
            }
        }
        None => {
            let body = redact_json(&request.body, api.secret_fields);
            out.push_str(&format!("    {}\n", String::from_utf8_lossy(&body)));
        }
    }
    out
}

/// One part of a multipart body.
struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    data: bytes::Bytes,
}

impl Part {
    /// `part `name`: text` for a field (a secret field redacted), `part `name`: file …` with
    /// its name, type and length for a file.
    fn describe(&self, api: &ApiDescription) -> String {
        let Part { name, file_name, content_type, data } = self;
        let kind = content_type.as_deref().map(|t| format!(" ({t})")).unwrap_or_default();
        match file_name {
            Some(file) => format!("part `{name}`: file `{file}`{kind}, {} bytes", data.len()),
            None if api.secret_fields.contains(&name.as_str()) => format!("part `{name}`{kind}: {REDACTED}"),
            None => format!("part `{name}`{kind}: {}", String::from_utf8_lossy(data)),
        }
    }
}

/// The parts of a `multipart/form-data` body, read by multer; `None` for any other body. The
/// body is in memory, so multer's futures are ready when first polled: they are polled once,
/// without a runtime.
fn parts(content_type: &str, body: &bytes::Bytes) -> Option<Vec<Part>> {
    let boundary = multer::parse_boundary(content_type).ok()?;
    let body = body.clone();
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let read = async move {
        let mut parts = Vec::new();
        while let Some(field) = multipart.next_field().await.ok()? {
            let name = field.name().unwrap_or_default().to_string();
            let file_name = field.file_name().map(String::from);
            let content_type = field.content_type().map(ToString::to_string);
            let data = field.bytes().await.ok()?;
            parts.push(Part { name, file_name, content_type, data });
        }
        Some(parts)
    };
    let mut read = std::pin::pin!(read);
    match read.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
        std::task::Poll::Ready(parts) => parts,
        std::task::Poll::Pending => None,
    }
}

fn redact_header(name: &str, value: &str, api: &ApiDescription) -> String {
    for scheme in api.schemes {
        match scheme.kind {
            SchemeKind::Bearer if name.eq_ignore_ascii_case("authorization") => {
                return format!("Bearer {REDACTED}");
            }
            SchemeKind::Header(header) if name.eq_ignore_ascii_case(header) => return REDACTED.into(),
            _ => {}
        }
    }
    value.to_string()
}
