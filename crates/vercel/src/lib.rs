//! Vercel client, generated at build time from `specs/vercel/openapi.yaml` and its overlay.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = vercel::Client::from_env()?;
//! # let _ = client; Ok(()) }
//! ```

include!(concat!(env!("OUT_DIR"), "/client.rs"));
