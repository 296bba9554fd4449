//! The runtime shared by every generated client.
//!
//! Generated code describes each API as data ([`ApiDescription`]: security schemes, per-operation
//! requirements, constant headers); this crate acts on it through progenitor's `ClientHooks`,
//! so no vendor crate carries hand-written auth or configuration code.

mod api;
mod call;
mod config;
mod context;
mod error;
mod redact;
pub mod retry;
mod secret;

pub use api::{ApiDescription, OperationDescription, SchemeKind, SecurityScheme};
pub use config::{ClientBuilder, ConfigError, GeneratedClient};
pub use context::{Context, Limits, RequestError};
pub use error::{Error, RawResponse};
pub use retry::RetryPolicy;
pub use redact::redact_json;
pub use secret::SecretString;
