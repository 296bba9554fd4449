//! Vercel client, generated at build time from `specs/vercel/openapi.yaml` and its overlay.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = vercel::Client::from_env()?;
//! # let _ = client; Ok(()) }
//! ```

// Generated code: progenitor's style, not ours.
#![allow(clippy::all, clippy::pedantic, clippy::unwrap_used, unused_imports, unused_mut)]

include!(concat!(env!("OUT_DIR"), "/client.rs"));

pub use api_runtime::{ConfigError, SecretString};

/// Typed [httpmock](https://docs.rs/httpmock) helpers for this API (feature `mock`).
#[cfg(feature = "mock")]
pub mod mock {
    include!(concat!(env!("OUT_DIR"), "/mock.rs"));
}
