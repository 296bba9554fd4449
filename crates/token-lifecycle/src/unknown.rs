//! Creates whose outcome is unknown: the request was sent, and then the answer was lost
//! (a timeout or a dropped connection), undeclared (a 2xx the spec does not name) or
//! unreadable. The token may exist, and nobody holds its secret: find it where the API can
//! list tokens, and revoke it.

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::token::{NewToken, TokenRef};
use crate::{CreateToken, LifecycleError, RevokeToken};

/// How far a server's clock may lag ours when matching a token's creation time.
const CLOCK_SKEW: Duration = Duration::from_secs(10);

/// What was done about a token that may have been created.
#[derive(Debug)]
pub enum Cleanup {
    /// Nothing yet.
    NotTried,
    /// The API cannot list tokens: only the vendor's dashboard can tell.
    CannotList,
    /// Listing the tokens failed.
    ListFailed(String),
    /// No token of that name created since the request is listed.
    NotFound,
    /// Several candidates: which one is ours cannot be told, so none was revoked.
    Ambiguous(Vec<TokenRef>),
    /// Found, and revoked (or not, and why).
    Revoked { token: TokenRef, result: Result<(), String> },
}

impl fmt::Display for Cleanup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cleanup::NotTried => write!(f, "check the vendor's token list or dashboard and revoke it if it exists"),
            Cleanup::CannotList => {
                write!(f, "this API cannot list tokens: check the vendor's dashboard and revoke it there if it exists")
            }
            Cleanup::ListFailed(e) => {
                write!(f, "listing the tokens to find it failed ({e}): check the vendor's dashboard")
            }
            Cleanup::NotFound => write!(f, "no such token is listed (yet): check the vendor's dashboard again later"),
            Cleanup::Ambiguous(tokens) => {
                let names: Vec<String> = tokens.iter().map(ToString::to_string).collect();
                write!(f, "{} match, so none was revoked: revoke the unwanted one by hand", names.join(", "))
            }
            Cleanup::Revoked { token, result: Ok(()) } => write!(f, "it existed as {token}, which was revoked"),
            Cleanup::Revoked { token, result: Err(e) } => {
                write!(f, "it exists as {token}, which could NOT be revoked ({e}): revoke it by hand")
            }
        }
    }
}

/// Whether a failed create may have created a token: the request was sent (not a connect
/// error, which the runtime retries anyway) and the answer was lost, undeclared-but-2xx,
/// unparseable, or a gateway's 502/504 (the server behind it may have acted).
pub(crate) fn outcome_unknown<E>(error: &api_runtime::Error<E>) -> bool {
    use api_runtime::Error;
    match error {
        Error::Transport { .. } => !error.is_connect(),
        Error::UnexpectedStatus { .. } | Error::InvalidBody { .. } => {
            error.status().is_some_and(|s| s.is_success() || matches!(s.as_u16(), 502 | 504))
        }
        _ => false,
    }
}

/// A failed create whose success answer could not be read as the spec says but held the new
/// token's secret (the runtime recovers it, see `api_runtime::RecoveredSecret`): the token,
/// named as `reference` names it from what the answer held beside the secret. The token
/// reaches the caller, who can store or revoke it, instead of being lost with the answer.
/// Otherwise the ordinary create error ([`LifecycleError::OutcomeUnknown`] when the server may
/// have acted).
pub(crate) fn recovered_or_error<E>(
    vendor: &'static str,
    name: &str,
    error: api_runtime::Error<E>,
    reference: impl FnOnce(&api_runtime::RecoveredSecret) -> Option<TokenRef>,
) -> Result<NewToken, LifecycleError> {
    let success = error.status().is_some_and(|s| s.is_success());
    if let ([found], true) = (error.recovered_secrets(), success)
        && let Some(reference) = reference(found)
    {
        return Ok(NewToken {
            reference,
            name: found.identifier_named("name").map(str::to_string).or_else(|| Some(name.to_string())),
            secret: found.secret.clone(),
            expires_at: None,
        });
    }
    Err(LifecycleError::create(vendor, name, error))
}

/// Creates a token named `name`; if the outcome is unknown, looks for it (tokens of that name
/// created since the request, other than `exclude`) and revokes it, and says so in the error.
pub async fn create_or_clean_up<T: CreateToken + RevokeToken>(
    vendor: &T,
    name: &str,
    exclude: Option<&TokenRef>,
) -> Result<NewToken, LifecycleError> {
    let since = SystemTime::now().checked_sub(CLOCK_SKEW).unwrap_or(SystemTime::UNIX_EPOCH);
    match vendor.create(name).await {
        Err(LifecycleError::OutcomeUnknown { vendor: label, name, reason, cleanup: Cleanup::NotTried }) => {
            let cleanup = clean_up(vendor, &name, since, exclude).await;
            Err(LifecycleError::OutcomeUnknown { vendor: label, name, reason, cleanup })
        }
        other => other,
    }
}

async fn clean_up<T: CreateToken + RevokeToken>(
    vendor: &T,
    name: &str,
    since: SystemTime,
    exclude: Option<&TokenRef>,
) -> Cleanup {
    let found = match vendor.find_created(name, since).await {
        None => return Cleanup::CannotList,
        Some(Err(e)) => return Cleanup::ListFailed(e.to_string()),
        Some(Ok(found)) => found,
    };
    let mut candidates: Vec<TokenRef> = found.into_iter().filter(|t| Some(t) != exclude).collect();
    match candidates.len() {
        0 => Cleanup::NotFound,
        1 => {
            let token = candidates.remove(0);
            let result = vendor.revoke(&token).await.map_err(|e| e.to_string());
            Cleanup::Revoked { token, result }
        }
        _ => Cleanup::Ambiguous(candidates),
    }
}
