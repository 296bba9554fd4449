//! Everything that needs the generated clients to compile: the demo, the scenario runner the
//! contract check uses, and the request-overhead benchmark. `xtask` runs these binaries
//! (`cargo run -p demo`) instead of linking them, so a client that no longer builds cannot
//! stop `cargo xtask refresh` from repairing it.
//!
//! The vendors are found in `specs/*/` at build time (see `build.rs`): each one's client crate
//! is reached through its dispatcher (feature `dispatch`: any operation by name with JSON
//! arguments), and what to call is data (`specs/<vendor>/scenario.toml`).

pub mod answers;
pub mod demo;
pub mod multipart;
pub mod overhead;
pub mod paging;
pub mod scenario;
pub mod streams;
mod wire;

use std::path::PathBuf;

use api_runtime::ApiDescription;
pub use api_runtime::dispatch::{Answer, CallError, Caller, Connected, Failure};

include!(concat!(env!("OUT_DIR"), "/vendors.rs"));

/// One vendor found in `specs/`: its generated client behind a dispatcher.
pub struct Vendor {
    /// The `specs/` folder name.
    pub name: &'static str,
    pub api: &'static ApiDescription,
    /// A client with this key, talking to `base_url`.
    pub connect: fn(base_url: &str, key: &str) -> Connected,
    /// Like `connect`, but each call sends exactly one request (no retry).
    pub connect_once: fn(base_url: &str, key: &str) -> Connected,
    /// A client configured from the vendor's environment variables.
    pub from_env: fn() -> Connected,
}

impl Vendor {
    /// The vendor named `name`, if `specs/` has it.
    pub fn named(name: &str) -> Option<&'static Vendor> {
        VENDORS.iter().find(|v| v.name == name)
    }
}

/// The workspace root (this crate lives two levels down).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).map(PathBuf::from).unwrap_or_default()
}
