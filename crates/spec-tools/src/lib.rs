//! The maintainer's tools over a prepared document, kept out of every client's build: xtask,
//! the demo and the tests depend on this crate; a client's build script depends only on
//! `api-codegen` (`xtask/tests/decoupled.rs` checks the build-dependency closures).
//!
//! - [`surface`]: one line per operation, parameter and property (the insta snapshots);
//! - [`drift`]: two surfaces compared, each change graded after oasdiff's catalogue;
//! - [`rust_items`]: the generated items a change touches;
//! - [`examples`] and [`conformance`]: values synthesised from schemas (mock answers, every
//!   operation's arguments) and the check that a value fits its schema;
//! - [`drifted_answers`]: those answers as a server that moved on sends them (unlisted enum
//!   values, fields and union alternatives);
//! - [`feature_table`]: writes a client's tag features (`cargo xtask features`).

pub mod conformance;
pub mod drift;
pub mod drifted_answers;
pub mod examples;
pub mod feature_table;
pub mod rust_items;
pub mod surface;
