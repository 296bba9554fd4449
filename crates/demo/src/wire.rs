//! Printing requests as they arrived on the wire, with credentials and secret fields redacted.

use api_runtime::{ApiDescription, SchemeKind, redact_json};
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
    if !request.body.is_empty() {
        let body = redact_json(&request.body, api.secret_fields);
        out.push_str(&format!("    {}\n", String::from_utf8_lossy(&body)));
    }
    out
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
