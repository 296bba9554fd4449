//! When a failed attempt is tried again, and after how long.
//!
//! The policy, in one place:
//!
//! | outcome of an attempt                         | idempotent method¹ | POST, PATCH |
//! |-----------------------------------------------|--------------------|-------------|
//! | connection never established (connect error)  | retry              | retry       |
//! | reset or timed out after the request was sent | retry              | **no**      |
//! | 408, 502, 504                                 | retry              | **no**      |
//! | 429                                           | retry              | retry       |
//! | 503 with `Retry-After`                        | retry              | retry       |
//! | 503 without `Retry-After`                     | retry              | **no**      |
//! | anything else                                 | no                 | no          |
//!
//! ¹ GET, HEAD, PUT, DELETE, OPTIONS, TRACE (RFC 9110 §9.2.2).
//!
//! A non-idempotent request is retried only when the server certainly did not act on it: a
//! token-creating POST that timed out may have created a token, and a second one would leave
//! a live credential nobody holds. 429 and a 503 that names a time to come back are refusals
//! to process, so they are safe.
//!
//! Waits are exponential with full jitter (`base × 2^(n-1)`, a random part of it, at most
//! `max_backoff`), or the server's `Retry-After` (seconds or HTTP-date) capped at
//! `max_retry_after`. No wait runs past the client's overall deadline.

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 2: three attempts at most).
    pub max_retries: u32,
    /// The first backoff ceiling; doubled on each retry.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured; a longer one is capped to this.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, ..RetryPolicy::default() }
    }
}

/// Why an attempt is retried (for tracing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    NotConnected,
    TransportError,
    Status(StatusCode),
}

/// Whether a response status may be retried, and what the server asked for.
pub fn for_status(idempotent: bool, status: StatusCode, headers: &HeaderMap) -> Option<(Reason, Option<Duration>)> {
    let retry_after = retry_after(headers);
    let retryable = match status.as_u16() {
        429 => true,
        503 => idempotent || retry_after.is_some(),
        408 | 502 | 504 => idempotent,
        _ => false,
    };
    retryable.then_some((Reason::Status(status), retry_after))
}

/// Whether a transport error may be retried.
pub fn for_error(idempotent: bool, error: &reqwest::Error) -> Option<Reason> {
    if error.is_connect() {
        // The connection was never established: the server saw nothing.
        Some(Reason::NotConnected)
    } else if idempotent && (error.is_timeout() || error.is_request() || error.is_body()) {
        Some(Reason::TransportError)
    } else {
        None
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1-based).
    pub fn wait(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(asked) = retry_after {
            return asked.min(self.max_retry_after);
        }
        let ceiling = self.base_backoff.saturating_mul(1u32 << (retry.saturating_sub(1)).min(16)).min(self.max_backoff);
        // Not `mul_f64`, which panics on overflow: no policy value may panic a call.
        Duration::try_from_secs_f64(ceiling.as_secs_f64() * fastrand::f64()).map_or(ceiling, |d| d.min(ceiling))
    }
}

/// `Retry-After` as seconds or an HTTP-date (RFC 9110 §10.2.3), uncapped ([`RetryPolicy::wait`]
/// caps it).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(retry_after: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, retry_after.parse().unwrap());
        h
    }

    #[test]
    fn the_policy_table() {
        let none = HeaderMap::new();
        let s = |code| StatusCode::from_u16(code).unwrap();
        for code in [408, 429, 502, 503, 504] {
            assert!(for_status(true, s(code), &none).is_some(), "{code}");
        }
        for code in [400, 401, 404, 409, 500, 501] {
            assert!(for_status(true, s(code), &none).is_none(), "{code}");
        }
        // A POST: only when the server certainly did not act.
        assert!(for_status(false, s(429), &none).is_some());
        assert!(for_status(false, s(503), &headers("2")).is_some());
        for code in [408, 500, 502, 503, 504] {
            assert!(for_status(false, s(code), &none).is_none(), "{code}");
        }
    }

    #[test]
    fn retry_after_in_seconds_and_as_a_date_is_capped() {
        let policy = RetryPolicy::default();
        let (_, after) = for_status(true, StatusCode::TOO_MANY_REQUESTS, &headers("1")).unwrap();
        assert_eq!(policy.wait(1, after), Duration::from_secs(1));
        let (_, after) = for_status(true, StatusCode::TOO_MANY_REQUESTS, &headers("86400")).unwrap();
        assert_eq!(policy.wait(1, after), policy.max_retry_after);
        let in_a_minute = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(61));
        let (_, after) = for_status(true, StatusCode::SERVICE_UNAVAILABLE, &headers(&in_a_minute)).unwrap();
        assert!(after.unwrap() > Duration::from_secs(55), "{after:?}");
        assert_eq!(policy.wait(1, after), policy.max_retry_after);
    }

    #[test]
    fn extreme_policies_never_panic() {
        let extremes = [Duration::ZERO, Duration::from_nanos(1), Duration::from_secs(u64::MAX), Duration::MAX];
        for base_backoff in extremes {
            for max_backoff in extremes {
                for max_retry_after in extremes {
                    let policy = RetryPolicy { max_retries: u32::MAX, base_backoff, max_backoff, max_retry_after };
                    for retry in [0, 1, 2, 17, 64, u32::MAX] {
                        assert!(policy.wait(retry, None) <= max_backoff);
                        for asked in extremes {
                            assert!(policy.wait(retry, Some(asked)) <= max_retry_after);
                        }
                    }
                }
            }
        }
        assert_eq!(retry_after(&headers("18446744073709551615")), Some(Duration::from_secs(u64::MAX)));
    }

    #[test]
    fn backoff_grows_and_stays_under_its_ceiling() {
        let policy = RetryPolicy::default();
        for retry in 1..20 {
            let ceiling = policy.base_backoff.saturating_mul(1 << (retry - 1).min(16)).min(policy.max_backoff);
            assert!(policy.wait(retry, None) <= ceiling);
        }
    }
}
