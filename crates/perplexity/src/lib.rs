//! Perplexity client, generated at build time from the vendor's document in `specs/perplexity/` and its overlay.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = perplexity::Client::from_env()?;
//! # let _ = client; Ok(()) }
//! ```

include!(concat!(env!("OUT_DIR"), "/client.rs"));
