//! Tokens as the lifecycle sees them: a secret, and a way to name it that is not the secret.

use std::fmt;

use api_runtime::SecretString;
use sha2::{Digest, Sha256};

/// How an API names a token it should act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRef {
    /// By the vendor's identifier (Vercel: `tokenId`, or `current`).
    Id(String),
    /// By its value (Perplexity revokes `auth_token` itself).
    Secret(SecretString),
}

impl fmt::Display for TokenRef {
    /// Names the token without revealing it: the id, or a short SHA-256 fingerprint.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenRef::Id(id) => write!(f, "token {id}"),
            TokenRef::Secret(secret) => write!(f, "key {}", fingerprint(secret)),
        }
    }
}

/// `sha256:` and the first 12 hex digits of the secret's SHA-256: enough to tell keys apart
/// in a log, useless for recovering one.
pub fn fingerprint(secret: &SecretString) -> String {
    let digest = Sha256::digest(secret.expose_secret().as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// A token just created: its secret and how to refer to it later.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub reference: TokenRef,
    pub name: Option<String>,
    pub secret: SecretString,
    /// Unix seconds, where the API says.
    pub expires_at: Option<f64>,
}

/// A token as a listing shows it (no secret).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// Unix milliseconds, as Vercel reports them.
    pub created_at: f64,
    pub expires_at: Option<f64>,
}
