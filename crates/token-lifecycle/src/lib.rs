//! Token lifecycle for every vendor client: create, verify, revoke, list where the API has
//! it, and zero-downtime rotation as the Perplexity key-management guide describes it
//! (generate, verify, update the applications, wait for propagation, revoke the old key).
//!
//! What a vendor can do is in the type system: [`rotate`] needs [`CreateToken`] and
//! [`RevokeToken`], so rotating Cartesia's short-lived, unrevocable access tokens does not
//! compile:
//!
//! ```compile_fail
//! # use token_lifecycle::*;
//! # async fn f(cartesia: Cartesia, store: FileStore) {
//! let options = RotateOptions::new("x");
//! rotate(&cartesia, options, verification::Unverified, store, async |_: &NewToken| Ok(()), |_| {}).await;
//! # }
//! ```
//!
//! and neither does asking for Perplexity's built-in check, which its API does not offer:
//!
//! ```compile_fail
//! # use token_lifecycle::*;
//! # async fn f(perplexity: Perplexity, store: FileStore) {
//! let options = RotateOptions::new("x");
//! rotate(&perplexity, options, verification::BuiltIn, store, async |_: &NewToken| Ok(()), |_| {}).await;
//! # }
//! ```
//!
//! while Vercel has everything:
//!
//! ```no_run
//! # use token_lifecycle::*;
//! # async fn f(vercel: Vercel) -> Result<(), RotateError> {
//! let options = RotateOptions::new("ci").propagation(std::time::Duration::from_secs(30));
//! let store = FileStore::new("/run/secrets/vercel-token");
//! let rotation = rotate(&vercel, options, verification::BuiltIn, store, async |_: &NewToken| Ok(()), |_| {}).await?;
//! println!("{rotation}");
//! # Ok(()) }
//! ```

#[cfg(feature = "fake")]
pub mod fake;
mod rotate;
mod store;
mod token;
mod unknown;
mod vendors;

pub use rotate::{Journal, Progress, RotateError, RotateOptions, Rotation, Verification, rotate, verification};
pub use store::{FileStore, SecretStore, StoreError};
pub use token::{NewToken, TokenInfo, TokenRef, fingerprint};
pub use unknown::{Cleanup, create_or_clean_up};
pub use vendors::{Cartesia, CartesiaGrants, Perplexity, Vercel};

/// A vendor client holding one credential, able to make a twin holding another.
pub trait Tokens: Sized {
    /// The vendor's name, for messages.
    const VENDOR: &'static str;
    /// The environment variable the vendor's own tools read the key from (from the spec).
    const KEY_ENV: &'static str;
    /// The same client (base URL, timeouts) authenticated with `key`.
    fn with_key(&self, key: api_runtime::SecretString) -> Result<Self, LifecycleError>;
}

/// APIs that create long-lived tokens.
#[allow(async_fn_in_trait)]
pub trait CreateToken: Tokens {
    /// Creates a token. A failure after the request may have been acted on is
    /// [`LifecycleError::OutcomeUnknown`] (see [`create_or_clean_up`]).
    async fn create(&self, name: &str) -> Result<NewToken, LifecycleError>;

    /// The tokens named `name` created at or after `since`, for a create whose outcome is
    /// unknown; `None` when the API cannot list tokens.
    async fn find_created(
        &self,
        name: &str,
        since: std::time::SystemTime,
    ) -> Option<Result<Vec<TokenRef>, LifecycleError>> {
        let _ = (name, since);
        None
    }
}

/// APIs that revoke tokens. `current` names the token this client authenticates with.
#[allow(async_fn_in_trait)]
pub trait RevokeToken: Tokens {
    async fn current(&self) -> Result<TokenRef, LifecycleError>;
    async fn revoke(&self, token: &TokenRef) -> Result<(), LifecycleError>;
}

/// APIs that can tell whether a client's own credential works (without side effects).
#[allow(async_fn_in_trait)]
pub trait VerifyToken: Tokens {
    /// Succeeds when this client's credential is accepted and is `expected`.
    async fn verify(&self, expected: &NewToken) -> Result<(), LifecycleError>;
}

/// APIs that list the caller's tokens.
#[allow(async_fn_in_trait)]
pub trait ListTokens: Tokens {
    async fn list(&self) -> Result<Vec<TokenInfo>, LifecycleError>;
}

/// Why a lifecycle step failed. Never contains a secret: API errors are carried as the
/// runtime error's (redacted) one-line description.
#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error("{vendor}: {message}")]
    Api { vendor: &'static str, status: Option<u16>, message: String },
    #[error("{vendor}: {what} is not something this API can do")]
    Unsupported { vendor: &'static str, what: &'static str },
    #[error("{vendor}: the new credential was not accepted: {reason}")]
    NotVerified { vendor: &'static str, reason: String },
    /// The create request was sent but its answer was lost or unreadable: a token may exist.
    #[error(
        "{vendor}: the request was sent but its outcome is unknown ({reason}): it may have created a token named {name:?}; {cleanup}"
    )]
    OutcomeUnknown { vendor: &'static str, name: String, reason: String, cleanup: Cleanup },
    #[error(transparent)]
    Config(#[from] api_runtime::ConfigError),
}

impl LifecycleError {
    pub(crate) fn api<E>(vendor: &'static str, error: api_runtime::Error<E>) -> Self {
        LifecycleError::Api { vendor, status: error.status().map(|s| s.as_u16()), message: error.to_string() }
    }

    /// A failed create: [`LifecycleError::OutcomeUnknown`] when the server may have acted.
    pub(crate) fn create<E>(vendor: &'static str, name: &str, error: api_runtime::Error<E>) -> Self {
        if unknown::outcome_unknown(&error) {
            let reason = error.to_string();
            LifecycleError::OutcomeUnknown { vendor, name: name.to_string(), reason, cleanup: Cleanup::NotTried }
        } else {
            Self::api(vendor, error)
        }
    }

    /// A failed revoke; a retried one that finds the token gone (404) has succeeded: an
    /// earlier attempt was processed and only its answer was lost.
    pub(crate) fn revoke<E>(vendor: &'static str, error: api_runtime::Error<E>) -> Result<(), Self> {
        if error.attempts() > 1 && error.status().is_some_and(|s| s.as_u16() == 404) {
            Ok(())
        } else {
            Err(Self::api(vendor, error))
        }
    }
}
