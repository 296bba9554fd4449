//! What one call may change of its client's settings: its timeout, its retries and extra
//! headers (every builder's `with_options`). The client's settings stay as they were; an
//! unset option is the client's. Nothing is allocated unless an option is set.
//!
//! Extra headers never replace what the spec or the credential puts on the request (a
//! constant header, `Accept`, `Content-Type`, the key): the request's own wins. Their values
//! are scrubbed from what the call's errors and logs show, like the secrets a request sends.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use crate::secret::SecretString;

/// Options for one call. `Debug` shows header names, never their values.
#[derive(Clone, Default)]
pub struct CallOptions(Option<Box<Set>>);

#[derive(Clone, Default)]
struct Set {
    timeout: Option<Duration>,
    retries: Option<u32>,
    headers: Vec<(HeaderName, HeaderValue)>,
    /// The first header that is not one (its name, or `<not a header name>`): the call
    /// fails before anything is sent.
    invalid: Option<String>,
}

impl CallOptions {
    pub fn new() -> Self {
        CallOptions::default()
    }

    fn set(&mut self) -> &mut Set {
        self.0.get_or_insert_with(Box::default)
    }

    /// This call's timeout: all its attempts and waits together, each attempt too (the
    /// client's attempt timeout still bounds an attempt when it is shorter). For a stream, the
    /// whole stream.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.set().timeout = Some(timeout);
        self
    }

    /// How many times this call is retried at most (`0`: one attempt), where the client's
    /// retry policy allows a retry at all.
    pub fn retries(mut self, retries: u32) -> Self {
        self.set().retries = Some(retries);
        self
    }

    /// A header to send with this call, beside what the spec names. It never replaces a
    /// header the request already has. A name or value that is not a valid header fails the
    /// call before anything is sent.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let set = self.set();
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(name), Ok(mut value)) => {
                value.set_sensitive(true);
                set.headers.push((name, value));
            }
            (Ok(_), Err(_)) => {
                set.invalid.get_or_insert_with(|| name.to_string());
            }
            (Err(_), _) => {
                set.invalid.get_or_insert_with(|| "<not a header name>".to_string());
            }
        }
        self
    }

    /// The timeout, if this call sets one.
    pub fn timeout_set(&self) -> Option<Duration> {
        self.0.as_ref().and_then(|s| s.timeout)
    }

    /// The retries, if this call sets them.
    pub fn retries_set(&self) -> Option<u32> {
        self.0.as_ref().and_then(|s| s.retries)
    }

    pub(crate) fn headers(&self) -> &[(HeaderName, HeaderValue)] {
        self.0.as_ref().map_or(&[], |s| &s.headers)
    }

    /// The header that could not be made one, if any.
    pub(crate) fn invalid_header(&self) -> Option<&str> {
        self.0.as_ref().and_then(|s| s.invalid.as_deref())
    }

    /// The header values, for the call's scrub policy.
    pub(crate) fn header_values(&self) -> Vec<SecretString> {
        self.headers().iter().filter_map(|(_, v)| v.to_str().ok()).map(SecretString::new).collect()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none()
    }
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers().iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("CallOptions")
            .field("timeout", &self.timeout_set())
            .field("retries", &self.retries_set())
            .field("headers", &names)
            .finish()
    }
}

impl PartialEq for CallOptions {
    /// Equal when they set the same timeout, retries and header names and values (the values
    /// are compared, never shown).
    fn eq(&self, other: &Self) -> bool {
        self.timeout_set() == other.timeout_set()
            && self.retries_set() == other.retries_set()
            && self.headers() == other.headers()
            && self.invalid_header() == other.invalid_header()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_options_allocate_nothing_and_debug_shows_no_header_value() {
        assert!(CallOptions::new().is_empty());
        let options = CallOptions::new()
            .timeout(Duration::from_millis(250))
            .retries(0)
            .header("x-trace", "trace-SENTINEL-1")
            .header("bad header", "v")
            .header("x-other", "bad\nvalue");
        let shown = format!("{options:?}");
        assert!(shown.contains("x-trace") && shown.contains("250ms"), "{shown}");
        assert!(!shown.contains("SENTINEL"), "{shown}");
        assert_eq!(options.invalid_header(), Some("<not a header name>"));
        assert_eq!(options.header_values().len(), 1);
        assert_eq!((options.timeout_set(), options.retries_set()), (Some(Duration::from_millis(250)), Some(0)));
    }
}
