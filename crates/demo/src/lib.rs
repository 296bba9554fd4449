//! Everything that needs the generated clients to compile: the demo, the scenario runner the
//! contract check uses, and the request-overhead benchmark. `xtask` runs these binaries
//! (`cargo run -p demo`) instead of linking them, so a client that no longer builds cannot
//! stop `cargo xtask refresh` from repairing it.
//!
//! The vendors are found in `specs/*/` at build time (see `build.rs`): each one's client is
//! generated into a module of this crate with a dispatcher calling any operation by name,
//! and what to call is data (`specs/<vendor>/scenario.toml`).

pub mod demo;
pub mod overhead;
pub mod scenario;
mod wire;

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use api_runtime::{ApiDescription, ConfigError};
use serde_json::{Map, Value};

include!(concat!(env!("OUT_DIR"), "/vendors.rs"));

/// One vendor found in `specs/`: its generated client behind a dispatcher.
pub struct Vendor {
    /// The `specs/` folder name.
    pub name: &'static str,
    pub api: &'static ApiDescription,
    /// A client with this key, talking to `base_url`.
    pub connect: fn(base_url: &str, key: &str) -> Connected,
    /// A client configured from the vendor's environment variables.
    pub from_env: fn() -> Connected,
}

/// A configured client, or why it could not be configured.
pub type Connected = Result<Box<dyn Caller>, ConfigError>;

impl Vendor {
    /// The vendor named `name`, if `specs/` has it.
    pub fn named(name: &str) -> Option<&'static Vendor> {
        VENDORS.iter().find(|v| v.name == name)
    }
}

pub type CallFuture<'a> = Pin<Box<dyn Future<Output = Result<Answer, CallError>> + 'a>>;

/// A generated client, callable by method name with JSON arguments.
pub trait Caller {
    /// Calls `method` (progenitor's method name) with `args` (setter name → JSON value).
    fn call<'a>(&'a self, method: &'a str, args: &'a Map<String, Value>) -> CallFuture<'a>;
}

/// A successful call: its status, the typed answer's `Debug` (secrets redacted), and its
/// JSON for later calls to refer to (secrets included: never printed).
pub struct Answer {
    pub status: u16,
    pub shown: String,
    value: Value,
}

impl Answer {
    /// The value at a JSON pointer of the answer.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        self.value.pointer(pointer)
    }
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Answer").field("status", &self.status).field("shown", &self.shown).finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("the client has no method `{0}`")]
    UnknownOperation(String),
    #[error("`{0}` takes no argument `{1}`")]
    UnknownArgument(&'static str, String),
    /// serde's message is left out: it may quote the value, which may be a secret.
    #[error("argument `{0}` does not fit its type")]
    Argument(String),
    /// The runtime's error, as it displays (credentials and secrets redacted).
    #[error("{0}")]
    Failed(String),
}

/// Used by the generated dispatchers.
#[doc(hidden)]
pub fn argument<T: serde::de::DeserializeOwned>(name: &str, value: &Value) -> Result<T, CallError> {
    serde_json::from_value(value.clone()).map_err(|_| CallError::Argument(name.to_string()))
}

/// Used by the generated dispatchers.
#[doc(hidden)]
pub fn answer<T: fmt::Debug + serde::Serialize, E>(
    result: Result<progenitor_client::ResponseValue<T>, api_runtime::Error<E>>,
) -> Result<Answer, CallError>
where
    api_runtime::Error<E>: fmt::Display,
{
    let response = result.map_err(|e| CallError::Failed(e.to_string()))?;
    let status = response.status().as_u16();
    let inner = response.into_inner();
    Ok(Answer { status, shown: format!("{inner:?}"), value: serde_json::to_value(&inner).unwrap_or(Value::Null) })
}

/// Used by the generated dispatchers, for operations answering a byte stream.
#[doc(hidden)]
pub fn stream_answer<E>(
    result: Result<progenitor_client::ResponseValue<progenitor_client::ByteStream>, api_runtime::Error<E>>,
) -> Result<Answer, CallError>
where
    api_runtime::Error<E>: fmt::Display,
{
    let response = result.map_err(|e| CallError::Failed(e.to_string()))?;
    Ok(Answer { status: response.status().as_u16(), shown: "(a byte stream)".into(), value: Value::Null })
}

/// The workspace root (this crate lives two levels down).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).map(PathBuf::from).unwrap_or_default()
}
