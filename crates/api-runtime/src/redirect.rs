//! Which redirects the client follows: same origin only, at most [`MAX_REDIRECTS`].
//!
//! reqwest's default policy follows any redirect and strips only some headers on the way: an
//! API-key header (`X-API-Key`) and the body of a 307/308 POST (a token being revoked) would
//! reach whatever host the `Location` names. Here a redirect to another origin (scheme, host
//! or port; so also https → http) is not followed: the call fails with an error naming the
//! status and the target (userinfo and query masked), and that origin receives nothing.

use reqwest::redirect::{Attempt, Policy};

use crate::refused::Refused;
use crate::urls::{mask_parsed, same_origin};

/// Same-origin redirects followed in one attempt before giving up.
pub const MAX_REDIRECTS: usize = 10;

/// The client's redirect policy, for a `reqwest::Client` built by the caller
/// ([`crate::ClientBuilder::http_client`]): same origin only, at most [`MAX_REDIRECTS`].
pub fn policy() -> Policy {
    Policy::custom(decide)
}

fn decide(attempt: Attempt<'_>) -> reqwest::redirect::Action {
    // `previous` starts with the URL of the original request.
    let Some(origin) = attempt.previous().first() else { return attempt.stop() };
    let target = || mask_parsed(attempt.url());
    let status = attempt.status();
    if !same_origin(origin, attempt.url()) {
        let refused = Refused::CrossOrigin { status, target: target() };
        attempt.error(refused)
    } else if attempt.previous().len() > MAX_REDIRECTS {
        let refused = Refused::TooManyRedirects { count: MAX_REDIRECTS, status, target: target() };
        attempt.error(refused)
    } else {
        attempt.follow()
    }
}
