//! The runtime shared by every generated client.
//!
//! Generated code describes each API as data ([`ApiDescription`]: security schemes, per-operation
//! requirements, constant headers); this crate acts on it through progenitor's `ClientHooks`,
//! so no vendor crate carries hand-written auth or configuration code.
//!
//! Every call (`builder.send()`):
//! - `pre` hook ([`Context::prepare`]): authenticate as the operation's security requirement
//!   says and add its constant headers (progenitor's `api-version` is removed at codegen);
//! - `exec` hook ([`Context::execute`]): send with retries ([`retry`] documents exactly which
//!   failures are retried for which methods: a token-creating POST is retried only when the
//!   server certainly did not act), each attempt bounded by the attempt timeout, all of them
//!   by the deadline;
//! - around it all ([`Context::call`]): one `api_call` tracing span (operation, method, path
//!   template, status, attempts, latency) and the conversion of failures into [`Error`], which
//!   keeps status, headers and body with credentials and secret fields redacted (only the
//!   body's shape for operations that return or send secrets).

mod api;
mod body_limit;
mod call;
mod config;
mod context;
pub mod dispatch;
mod error;
pub mod multipart;
mod path_check;
mod redact;
mod redirect;
mod refused;
pub mod retry;
mod secret;
mod stream;
pub mod upload;
mod urls;

pub use api::{ApiDescription, OperationDescription, SchemeKind, SecurityScheme};
pub use body_limit::DEFAULT_MAX_RESPONSE_BYTES;
pub use config::{ClientBuilder, ConfigError, GeneratedClient};
pub use context::{Context, Limits, RequestError};
pub use error::{BodyMismatch, Error, RawResponse};
pub use multipart::FilePart;
pub use redact::redact_json;
pub use redirect::MAX_REDIRECTS;
pub use retry::RetryPolicy;
pub use secret::SecretString;
pub use stream::{ByteDownload, Decode, EventStream, Framing, StreamError, StreamFormat, discriminator};
