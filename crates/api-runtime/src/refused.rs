//! What the transport refuses to do, carried inside a `reqwest::Error` (the only error the
//! `exec` hook and a response body can return) and found again by [`find`] for the message.

use std::error::Error as StdError;

use reqwest::StatusCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Refused {
    /// `target` is masked ([`crate::urls::mask_parsed`]).
    #[error(
        "refused to follow a redirect (HTTP {status}) to {target}: another origin must not receive the credential or the request body"
    )]
    CrossOrigin { status: StatusCode, target: String },
    #[error("stopped after {count} redirects (the last: HTTP {status} to {target})")]
    TooManyRedirects { count: usize, status: StatusCode, target: String },
    #[error("response body exceeds {limit} bytes (the client's `max_response_bytes`)")]
    BodyTooLarge { limit: u64 },
}

/// The refusal somewhere in `error`'s source chain, if any.
pub(crate) fn find<'a>(error: &'a (dyn StdError + 'static)) -> Option<&'a Refused> {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(refused) = error.downcast_ref::<Refused>() {
            return Some(refused);
        }
        next = error.source();
    }
    None
}
