//! Zero-downtime rotation, the steps of the Perplexity key-management guide made safe:
//!
//! 1. name the current credential (Vercel asks the API: `current`), and prepare the store
//!    (for a file: lock it, check it can be written) before anything is created;
//! 2. create the new one, and hand its secret to the store's staging area **before anything
//!    else**; if it cannot be staged, revoke it again (a live credential nobody holds is a
//!    liability). A create whose outcome is unknown is looked for and revoked;
//! 3. verify the new one; if that fails, revoke it, discard it and keep the old one (which
//!    the store still holds: nothing unverified ever replaces it);
//! 4. commit: the new secret replaces the old one in the store;
//! 5. run the caller's update step (deploy the new key);
//! 6. wait for propagation, reporting progress;
//! 7. revoke the old one with the new one. If that fails the rotation still succeeded, and
//!    the result says which credential is still live (by id or fingerprint, never by value).

use std::fmt;
use std::time::Duration;

use api_runtime::SecretString;

use crate::store::{SecretStore, StoreError};
use crate::token::{NewToken, TokenRef};
use crate::{CreateToken, LifecycleError, RevokeToken, VerifyToken, create_or_clean_up};

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

/// What rotation is doing, for progress displays. Credentials are named by id or
/// fingerprint ([`TokenRef`]'s `Display`), never by value.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    Current(String),
    /// Asking for a new token with this name.
    Creating(String),
    Created(String),
    /// The new secret is kept here, beside the old one (which it does not replace yet).
    Staged(String),
    Verified,
    /// The new secret replaced the old one here.
    Stored(String),
    Updated,
    /// Waiting for propagation; this much is left.
    Waiting(Duration),
    RevokingOld(String),
}

/// The steps a rotation has reported so far: what a caller needs to say which credentials
/// are live if the rotation is cut short (Ctrl-C drops the rotation's future).
#[derive(Debug, Clone, Default)]
pub struct Journal {
    steps: Vec<Progress>,
}

impl Journal {
    pub fn record(&mut self, step: &Progress) {
        if let (Progress::Waiting(_), Some(Progress::Waiting(_))) = (step, self.steps.last()) {
            self.steps.pop();
        }
        self.steps.push(step.clone());
    }

    pub fn steps(&self) -> &[Progress] {
        &self.steps
    }

    /// What an interruption after the recorded steps leaves behind, by id or fingerprint.
    pub fn interrupted(&self) -> String {
        let (mut old, mut name, mut new, mut staged, mut stored) = (None, None, None, None, None);
        let (mut verified, mut updated, mut revoking) = (false, false, false);
        for step in &self.steps {
            match step {
                Progress::Current(c) => old = Some(c.as_str()),
                Progress::Creating(n) => name = Some(n.as_str()),
                Progress::Created(n) => new = Some(n.as_str()),
                Progress::Staged(at) => staged = Some(at.as_str()),
                Progress::Verified => verified = true,
                Progress::Stored(at) => stored = Some(at.as_str()),
                Progress::Updated | Progress::Waiting(_) => updated = true,
                Progress::RevokingOld(_) => revoking = true,
            }
        }
        let old = old.map_or("the current credential".to_string(), |o| format!("the old {o}"));
        let Some(new) = new else {
            return match name {
                Some(name) => format!(
                    "interrupted while creating a token named {name:?}: it may exist (check the vendor's token \
                     list or dashboard and revoke it if so); {old} is live and unchanged"
                ),
                None => format!("interrupted before anything was created: {old} is live and unchanged"),
            };
        };
        let both = format!("both {old} and the new {new} are live");
        if revoking {
            format!(
                "interrupted while revoking {old}: it may still be live; the new {new} is live, stored {}",
                stored.unwrap_or("?")
            )
        } else if updated {
            format!(
                "interrupted after the update step, before revoking: {both}; the new one is stored {}",
                stored.unwrap_or("?")
            )
        } else if let Some(stored) = stored {
            format!("interrupted during the update step, after storing {new} {stored} (verified): {both}")
        } else if let Some(staged) = staged {
            let checked = if verified { "verified, not yet in place" } else { "not verified" };
            format!("interrupted after creating {new} (stored {staged}, {checked}): {both}")
        } else {
            format!("interrupted after creating {new}, before its secret was stored: revoke it by hand; {old} is live")
        }
    }
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

/// Why a rotation stopped. Every variant says what happened to each credential. Inner errors
/// are part of the message (not `source()`), so that a chain printer shows them once.
#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    #[error("cannot identify the current credential, nothing was changed: {0}")]
    Current(LifecycleError),
    #[error("{0}; nothing was changed (no token was created)")]
    Prepare(StoreError),
    #[error("creating the new credential failed, nothing was changed: {0}")]
    Create(LifecycleError),
    /// The create request may have created a token: see [`LifecycleError::OutcomeUnknown`].
    #[error("{0}; the old credential is kept")]
    CreateOutcomeUnknown(LifecycleError),
    #[error("{store}; the new {new} {}; the old credential is kept", revoked_note(new_revoked))]
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

/// Rotates `vendor`'s credential. `store` receives the new secret first (staged, committed
/// only once verified); `update` deploys it.
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
    store.prepare().map_err(RotateError::Prepare)?;

    progress(Progress::Creating(options.name.clone()));
    let new = match create_or_clean_up(vendor, &options.name, Some(&old)).await {
        Ok(new) => new,
        Err(e @ LifecycleError::OutcomeUnknown { .. }) => return Err(RotateError::CreateOutcomeUnknown(e)),
        Err(e) => return Err(RotateError::Create(e)),
    };
    progress(Progress::Created(new.reference.to_string()));
    if let Err(store_error) = store.stage(&new) {
        store.discard();
        let new_revoked = vendor.revoke(&new.reference).await;
        return Err(RotateError::Store { store: store_error, new: new.reference, new_revoked });
    }
    progress(Progress::Staged(store.staged_at()));

    let verified = match vendor.with_key(new.secret.clone()) {
        Ok(next) => verification.verify(&next, &new).await.map(|()| next),
        Err(e) => Err(e.to_string()),
    };
    let next = match verified {
        Ok(next) => next,
        Err(reason) => {
            store.discard();
            // Revoked with the old credential, which is known to work.
            let new_revoked = vendor.revoke(&new.reference).await;
            return Err(RotateError::Verification { reason, new: new.reference, new_revoked });
        }
    };
    progress(Progress::Verified);

    if let Err(store_error) = store.commit() {
        // The store still holds the old credential: go back to it.
        store.discard();
        let new_revoked = vendor.revoke(&new.reference).await;
        return Err(RotateError::Store { store: store_error, new: new.reference, new_revoked });
    }
    progress(Progress::Stored(store.stored_at()));

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
