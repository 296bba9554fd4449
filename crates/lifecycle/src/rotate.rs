//! Zero-downtime rotation, the steps of the Perplexity key-management guide made safe:
//!
//! 1. name the current credential (Vercel asks the API: `current`);
//! 2. create the new one, and hand its secret to the store **before anything else**;
//!    if it cannot be stored, revoke it again (a live credential nobody holds is a liability);
//! 3. verify the new one; if that fails, revoke it and keep the old one;
//! 4. run the caller's update step (deploy the new key);
//! 5. wait for propagation, reporting progress;
//! 6. revoke the old one with the new one. If that fails the rotation still succeeded, and
//!    the result says which credential is still live (by id or fingerprint, never by value).

use std::fmt;
use std::time::Duration;

use api_runtime::SecretString;

use crate::store::{SecretStore, StoreError};
use crate::token::{NewToken, TokenRef};
use crate::{CreateToken, LifecycleError, RevokeToken, VerifyToken};

#[derive(Debug, Clone)]
pub struct RotateOptions {
    /// The new token's name.
    pub name: String,
    /// How long to wait between the update step and revoking the old credential.
    pub propagation: Duration,
}

impl RotateOptions {
    pub fn new(name: impl Into<String>) -> Self {
        RotateOptions { name: name.into(), propagation: Duration::from_secs(30) }
    }

    pub fn propagation(mut self, wait: Duration) -> Self {
        self.propagation = wait;
        self
    }
}

/// How the new credential is checked before anything relies on it.
#[allow(async_fn_in_trait)]
pub trait Verification<T> {
    /// `next` is the vendor client authenticated with the new credential.
    async fn verify(&self, next: &T, new: &NewToken) -> Result<(), String>;
}

/// The vendor's own side-effect-free check (only for vendors that have one).
#[derive(Debug, Clone, Copy)]
pub struct BuiltIn;

impl<T: VerifyToken> Verification<T> for BuiltIn {
    async fn verify(&self, next: &T, new: &NewToken) -> Result<(), String> {
        next.verify(new).await.map_err(|e| e.to_string())
    }
}

/// A check of the caller's: it gets the new secret (to call an endpoint the caller trusts).
pub struct Check<F>(pub F);

impl<T, F: AsyncFn(&SecretString) -> Result<(), String>> Verification<T> for Check<F> {
    async fn verify(&self, _next: &T, new: &NewToken) -> Result<(), String> {
        (self.0)(&new.secret).await
    }
}

/// No check: the caller has chosen to trust the new credential as created.
#[derive(Debug, Clone, Copy)]
pub struct Unverified;

impl<T> Verification<T> for Unverified {
    async fn verify(&self, _next: &T, _new: &NewToken) -> Result<(), String> {
        Ok(())
    }
}

/// The verification strategies, by name.
pub mod verification {
    pub use super::{BuiltIn, Check, Unverified};
}

/// What rotation is doing, for progress displays.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    Current(String),
    Created(String),
    Stored,
    Verified,
    Updated,
    /// Waiting for propagation; this much is left.
    Waiting(Duration),
    RevokingOld(String),
}

/// A completed rotation. The old credential may still be live: see [`Rotation::old_revoked`].
#[derive(Debug)]
pub struct Rotation {
    pub new: NewToken,
    pub old: TokenRef,
    pub old_revoked: Result<(), LifecycleError>,
}

impl fmt::Display for Rotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rotated to {}", self.new.reference)?;
        match &self.old_revoked {
            Ok(()) => write!(f, "; {} revoked", self.old),
            Err(e) => write!(f, "; {} is STILL LIVE, revoking it failed ({e}): revoke it by hand", self.old),
        }
    }
}

/// Why a rotation stopped. Every variant says what happened to each credential.
#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    #[error("cannot identify the current credential, nothing was changed: {0}")]
    Current(#[source] LifecycleError),
    #[error("creating the new credential failed, nothing was changed: {0}")]
    Create(#[source] LifecycleError),
    #[error("{store}; the new {new} {}", revoked_note(new_revoked))]
    Store { store: StoreError, new: TokenRef, new_revoked: Result<(), LifecycleError> },
    #[error(
        "the new {new} failed verification ({reason}); the old credential is kept and the new one {}",
        revoked_note(new_revoked)
    )]
    Verification { reason: String, new: TokenRef, new_revoked: Result<(), LifecycleError> },
    #[error("the update step failed ({reason}); both the old credential and the new {new} (already stored) are live")]
    Update { reason: String, new: TokenRef },
}

fn revoked_note(result: &Result<(), LifecycleError>) -> String {
    match result {
        Ok(()) => "was revoked again".into(),
        Err(e) => format!("could NOT be revoked ({e}): revoke it by hand"),
    }
}

/// Rotates `vendor`'s credential. `store` receives the new secret first; `update` deploys it.
pub async fn rotate<T, V, S>(
    vendor: &T,
    options: RotateOptions,
    verification: V,
    mut store: S,
    update: impl AsyncFn(&NewToken) -> Result<(), String>,
    mut progress: impl FnMut(Progress),
) -> Result<Rotation, RotateError>
where
    T: CreateToken + RevokeToken,
    V: Verification<T>,
    S: SecretStore,
{
    let old = vendor.current().await.map_err(RotateError::Current)?;
    progress(Progress::Current(old.to_string()));

    let new = vendor.create(&options.name).await.map_err(RotateError::Create)?;
    progress(Progress::Created(new.reference.to_string()));
    if let Err(store_error) = store.store(&new) {
        let new_revoked = vendor.revoke(&new.reference).await;
        return Err(RotateError::Store { store: store_error, new: new.reference, new_revoked });
    }
    progress(Progress::Stored);

    let verified = match vendor.with_key(new.secret.clone()) {
        Ok(next) => verification.verify(&next, &new).await.map(|()| next),
        Err(e) => Err(e.to_string()),
    };
    let next = match verified {
        Ok(next) => next,
        Err(reason) => {
            // Revoked with the old credential, which is known to work.
            let new_revoked = vendor.revoke(&new.reference).await;
            return Err(RotateError::Verification { reason, new: new.reference, new_revoked });
        }
    };
    progress(Progress::Verified);

    update(&new).await.map_err(|reason| RotateError::Update { reason, new: new.reference.clone() })?;
    progress(Progress::Updated);

    let mut left = options.propagation;
    while !left.is_zero() {
        progress(Progress::Waiting(left));
        let step = left.min(Duration::from_secs(1));
        tokio::time::sleep(step).await;
        left -= step;
    }

    progress(Progress::RevokingOld(old.to_string()));
    // With the new credential, as the guide does: it also proves the new one works.
    let old_revoked = next.revoke(&old).await;
    Ok(Rotation { new, old, old_revoked })
}
