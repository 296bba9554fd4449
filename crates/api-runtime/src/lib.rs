//! The runtime shared by every generated client.
//!
//! Generated code describes each API as data ([`ApiDescription`]: security schemes, per-operation
//! requirements, constant headers); this crate acts on it through progenitor's `ClientHooks`,
//! so no vendor crate carries hand-written auth or configuration code.
//!
//! Where things live: [`ClientBuilder`] and [`Limits`] (`config`) configure a client; its
//! [`Context`] (`context`, every method of it in that one file) holds what was prepared once;
//! `call` is the machinery of one call; `call_state` owns the per-call state the hooks share
//! (one task-local, with a table of which phase writes and reads each field); `redact` owns
//! the scrub policy, built once per call and used by the call's error or its stream.
//!
//! Every call (`builder.send()`):
//! - `pre` hook ([`Context::prepare`]): authenticate as the operation's security requirement
//!   says (`auth`: a header, a query parameter or a cookie, to the base URL's origin only)
//!   and add its constant headers (progenitor's `api-version` is removed at codegen);
//!   check the path; remember the secrets the request sends, for operations that send any;
//! - `exec` hook ([`Context::execute`]): send with retries ([`retry`] documents exactly which
//!   failures are retried for which methods: a token-creating POST is retried only when the
//!   server certainly did not act), each attempt bounded by the attempt timeout, all of them
//!   by the deadline;
//! - around it all ([`Context::call`], and `call_json`, `call_events`, `call_download`): one
//!   `api_call` tracing span (operation, method, path template, status, attempts, latency), the
//!   call's scrub policy (secret fields, the API key, the secrets the request sent; only the
//!   body's shape for operations that return or send secrets), and the conversion of failures
//!   into [`Error`], which keeps status, headers and body as that policy allows; a stream
//!   ([`EventStream`]) is handed the same policy for what its errors show.

mod api;
mod auth;
mod body_limit;
mod call;
mod call_options;
mod call_state;
mod config;
mod context;
pub mod dispatch;
mod error;
pub mod multipart;
pub mod paginate;
mod path_check;
mod raw;
mod recover;
mod redact;
mod redirect;
mod refused;
pub mod retry;
mod secret;
mod stream;
mod unknown;
pub mod upload;
pub mod urlencoded;
mod urls;
pub mod webhooks;
pub mod wire;
pub mod wire_log;

pub use api::{ApiDescription, OperationDescription, SchemeKind, SecurityScheme};
pub use auth::{BasicAuth, Credentials};
pub use body_limit::DEFAULT_MAX_RESPONSE_BYTES;
pub use call_options::CallOptions;
pub use config::{ClientBuilder, ConfigError, GeneratedClient, Limits};
pub use context::{Context, RequestError};
pub use error::{BodyMismatch, Error, RawResponse};
pub use multipart::FilePart;
pub use raw::{RAW_OPERATION, RawRequest};
pub use recover::RecoveredSecret;
pub use redact::redact_json;
pub use redirect::{MAX_REDIRECTS, policy as redirect_policy};
pub use retry::RetryPolicy;
pub use secret::SecretString;
pub use stream::{ByteDownload, Decode, EventStream, Framing, StreamError, StreamFormat, UnknownItem, discriminator};
pub use unknown::UnknownValue;
