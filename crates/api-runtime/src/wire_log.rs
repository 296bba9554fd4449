//! Opt-in debug logging of what goes on the wire: each attempt's request (line, headers,
//! body) and its answer (status, headers, body), through the call's scrub policy, the one its
//! errors use: credential headers, known secret values, secret fields; for operations that
//! carry secrets, bodies as their shape only.
//!
//! Off by default, and free when off. On when a `tracing` subscriber enables DEBUG for the
//! target [`TARGET`], and printed to stderr as well when the client's `<CRATE>_LOG`
//! environment variable is `debug` (Stainless SDKs' convention: `VERCEL_LOG=debug`) or the
//! builder's `debug_log(true)` says so.

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap};

use crate::redact::Scrubber;

/// The `tracing` target of the wire log.
pub const TARGET: &str = "api_runtime::wire";

/// Where the wire log goes for one call, decided once per attempt.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WireLog {
    stderr: bool,
}

impl WireLog {
    /// `Some` when anyone will read the log: a subscriber at DEBUG for [`TARGET`], or stderr.
    pub(crate) fn enabled(stderr: bool) -> Option<Self> {
        (stderr || tracing::enabled!(target: TARGET, tracing::Level::DEBUG)).then_some(WireLog { stderr })
    }

    fn emit(self, api: &str, text: &str) {
        tracing::debug!(target: TARGET, "{text}");
        if self.stderr {
            eprintln!("[{api}] {text}");
        }
    }

    /// One attempt's request, as `scrub` shows it.
    pub(crate) fn request(self, api: &str, scrub: &Scrubber, request: &reqwest::Request, attempt: u32) {
        let mut url = request.url().clone();
        scrub.url(&mut url);
        let mut text = format!("-> {} {url} (attempt {attempt})", request.method());
        text.push_str(&headers(scrub, request.headers()));
        match request.body().map(|b| b.as_bytes()) {
            Some(Some(body)) => text.push_str(&body_text(scrub, request.headers(), body)),
            Some(None) => text.push_str("\n  (streamed body)"),
            None => {}
        }
        self.emit(api, &text);
    }

    /// An answer's status and headers, and its body when it was read whole (`None`: a stream,
    /// or a body left to the caller).
    pub(crate) fn response(
        self,
        api: &str,
        scrub: &Scrubber,
        status: reqwest::StatusCode,
        response_headers: &HeaderMap,
        body: Option<&Bytes>,
    ) {
        let mut text = format!("<- {status}");
        text.push_str(&headers(scrub, response_headers));
        match body {
            Some(body) => text.push_str(&body_text(scrub, response_headers, body)),
            None => text.push_str("\n  (body streamed to the caller)"),
        }
        self.emit(api, &text);
    }

    /// An attempt that got no answer.
    pub(crate) fn no_response(self, api: &str, scrub: &Scrubber, error: &reqwest::Error) {
        let error = scrub.text(&error.to_string());
        self.emit(api, &format!("<- no answer: {error}"));
    }
}

fn headers(scrub: &Scrubber, headers: &HeaderMap) -> String {
    let shown = scrub.headers(headers);
    let mut text = String::new();
    for (name, value) in &shown {
        let value = if value.is_sensitive() { "[REDACTED]" } else { value.to_str().unwrap_or("(not text)") };
        text.push_str(&format!("\n  {name}: {value}"));
    }
    text
}

fn body_text(scrub: &Scrubber, headers: &HeaderMap, body: &[u8]) -> String {
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let shown = scrub.body(body, content_type);
    format!("\n  {}", String::from_utf8_lossy(&shown))
}

/// Whether `<CRATE>_LOG` asks for the debug log: `debug` (any case).
pub(crate) fn from_env_value(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case("debug"))
}

/// The variable a client crate's log level is read from: `vercel` gives `VERCEL_LOG`.
pub(crate) fn env_var(crate_name: &str) -> String {
    format!("{}_LOG", crate_name.to_ascii_uppercase().replace('-', "_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stainless_variable_turns_it_on() {
        assert_eq!(env_var("vercel"), "VERCEL_LOG");
        assert_eq!(env_var("my-api"), "MY_API_LOG");
        assert!(from_env_value(Some("debug")) && from_env_value(Some(" DEBUG ")));
        assert!(!from_env_value(Some("info")) && !from_env_value(None));
    }
}
