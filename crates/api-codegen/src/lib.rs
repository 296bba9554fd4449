//! The one code generator behind every vendor client.
//!
//! ```text
//! upstream spec ──► overlay ──► 3.1→3.0 ──► validate ──► describe ──► progenitor ──► client.rs
//!  (openapi.yaml)  (overlay.yaml)  normalize                (ApiModel)                 mock.rs
//! ```
//!
//! Each step either succeeds or returns an [`Error`] naming the file, a JSON pointer and the
//! problem. Vendor knowledge lives in the spec and its overlay, never in this crate.

mod build_script;
mod collisions;
#[cfg(feature = "examples")]
pub mod conformance;
mod describe;
mod dispatch;
pub mod docs;
pub mod drift;
mod error;
#[cfg(feature = "examples")]
pub mod examples;
pub mod feature_table;
mod forms;
mod generate;
pub mod media;
pub mod model;
pub mod naming;
pub mod normalize;
pub mod overlay;
mod panics;
mod references;
mod rewrite;
mod rewrite_wire_values;
pub mod rules;
pub mod schemas;
pub mod spec;
pub mod subset;
pub mod surface;
mod type_uses;
mod validate;
pub mod yaml;

use std::path::{Path, PathBuf};

use serde_json::Value;

pub use build_script::{build_client, build_whole_client, generate_features, generate_into};
pub use dispatch::STREAM_SUFFIX;
pub use error::{Error, ErrorKind};
pub use generate::{Generated, Outputs, generate, generate_outputs};
pub use model::ApiModel;
pub use subset::Selection;

/// Where one vendor's spec lives: `specs/<vendor>/`.
#[derive(Debug, Clone)]
pub struct SpecDir {
    pub spec: PathBuf,
    pub overlay: PathBuf,
}

impl SpecDir {
    /// The conventional layout: the document as the vendor serves it (`openapi.json` if
    /// there is one, else `openapi.yaml`) and `overlay.yaml` in `dir`.
    pub fn new(dir: impl AsRef<Path>) -> Self {
        let dir = dir.as_ref();
        let json = dir.join("openapi.json");
        let spec = if json.is_file() { json } else { dir.join("openapi.yaml") };
        SpecDir { spec, overlay: dir.join("overlay.yaml") }
    }
}

/// A spec with its overlay applied, converted to 3.0, validated and described.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The file the document came from (named in errors).
    pub file: PathBuf,
    /// The normalised document progenitor reads.
    pub doc: Value,
    /// What the runtime needs to know.
    pub model: ApiModel,
    /// What the normalisation rules changed (empty for a spec progenitor takes as it is).
    pub rules: rules::RulesReport,
    /// The cargo features the whole document defines (one per tag), whatever was selected.
    pub features: subset::Features,
}

/// Loads a spec and its overlay from disk and prepares them.
pub fn load(dir: &SpecDir) -> Result<Prepared, Error> {
    load_selected(dir, &Selection::All)
}

/// [`load`], keeping only the selected operations and the types they reach.
pub fn load_selected(dir: &SpecDir, selection: &Selection) -> Result<Prepared, Error> {
    let doc = yaml::read(&dir.spec)?;
    let overlay = yaml::read(&dir.overlay)?;
    prepare_selected(doc, &dir.spec, &overlay, &dir.overlay, selection)
}

/// Applies the overlay, normalises, validates and describes an already-parsed document.
pub fn prepare(doc: Value, spec_file: &Path, overlay: &Value, overlay_file: &Path) -> Result<Prepared, Error> {
    prepare_selected(doc, spec_file, overlay, overlay_file, &Selection::All)
}

/// [`prepare`], keeping only the selected operations and the types they reach. The rules run
/// on the whole document first, so names they give (shared schemas, derived operationIds) do
/// not depend on the selection.
pub fn prepare_selected(
    mut doc: Value,
    spec_file: &Path,
    overlay: &Value,
    overlay_file: &Path,
    selection: &Selection,
) -> Result<Prepared, Error> {
    overlay::apply(&mut doc, overlay, overlay_file)?;
    normalize::to_openapi_30(&mut doc, spec_file)?;
    let rules = rules::apply_all(&mut doc);
    let features = subset::features(&doc);
    subset::select(&mut doc, selection).map_err(|e| Error::new(spec_file, "", ErrorKind::Invalid(e)))?;
    // Both report what they find, so a broken spec shows every problem in one run.
    let validated = validate::validate(&doc, spec_file);
    let described = describe::describe(&doc, spec_file);
    match (validated, described) {
        (Ok(()), Ok(model)) => Ok(Prepared { file: spec_file.to_path_buf(), doc, model, rules, features }),
        (validated, described) => {
            let validated = validated.err();
            // describe meets some of the same problems (a missing operationId): say each once.
            let seen = |e: &Error| validated.as_ref().is_some_and(|v| v.all().any(|v| v.pointer == e.pointer));
            let described = described.err().filter(|d| !seen(d));
            Err(Error::collect(validated.into_iter().chain(described))
                .err()
                .unwrap_or_else(|| Error::new(spec_file, "", ErrorKind::Invalid("validation failed".into()))))
        }
    }
}
