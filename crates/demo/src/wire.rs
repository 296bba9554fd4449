//! Printing requests as they arrived on the wire, with credentials and secret fields redacted.

use api_runtime::{ApiDescription, SchemeKind, redact_json};
use loopback::Recorded;

use crate::multipart::{Part, parts};

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
    let parts = request.header("content-type").and_then(|content_type| parts(content_type, &request.body).ok());
    match parts {
        Some(parts) => {
            for part in parts {
                out.push_str(&format!("    {}\n", describe_part(&part, api)));
            }
        }
        None => {
            let body = redact_json(&request.body, api.secret_fields);
            out.push_str(&format!("    {}\n", String::from_utf8_lossy(&body)));
        }
    }
    out
}

/// `part `name`: text` for a field (a secret field redacted), `part `name`: file …` with its
/// name, type and length for a file.
fn describe_part(part: &Part, api: &ApiDescription) -> String {
    let Part { name, file_name, content_type, data } = part;
    let kind = content_type.as_deref().map(|t| format!(" ({t})")).unwrap_or_default();
    match file_name {
        Some(file) => format!("part `{name}`: file `{file}`{kind}, {} bytes", data.len()),
        None if api.secret_fields.contains(&name.as_str()) => format!("part `{name}`{kind}: {REDACTED}"),
        None => format!("part `{name}`{kind}: {}", String::from_utf8_lossy(data)),
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
