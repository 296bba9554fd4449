//! Cartesia client, generated at build time from `specs/cartesia/openapi.yaml` and its overlay.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = cartesia::Client::from_env()?;
//! # let _ = client; Ok(()) }
//! ```

include!(concat!(env!("OUT_DIR"), "/client.rs"));
