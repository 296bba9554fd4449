//! The one code generator behind every vendor client, in stages (one folder each, imports
//! pointing down the list only: `tests/architecture.rs` enforces it):
//!
//! ```text
//! error     located errors (file, JSON pointer, problem), every problem at once
//! doc       the one reader of a document: operations, parameters, bodies, responses, $refs,
//!           schema walks, path templates, media types, the public extensions
//! names     the Rust names progenitor and typify give to spec items
//! load      YAML/JSON with limits ─► Overlay 1.0 ─► OpenAPI 3.1 → 3.0
//! plan      the typed decisions the rules hand to later stages
//! rules     named, reported repairs and decisions (rules::RULES)
//! select    cargo features (one per tag) and the selected operations with what they reach
//! model     Prepared (document + plan + ApiModel) and describe (the runtime's view)
//! check     validation, references, name collisions, response bodies ─► Generable
//! rewrite   structural, counted rewrites of progenitor's output (syn visitors)
//! emit      progenitor's input from document + plan, the runtime bindings, dispatch
//! ```
//!
//! [`load`] / [`prepare`] run the stages up to `model`; [`generate`] checks and emits; the
//! build script entry ([`build_client`]) does both for a client crate. The maintainer tools
//! (surface, drift, examples) live in the `spec-tools` crate, which no client builds.
//!
//! Vendor knowledge lives in the spec and its overlay, never in this crate.
//!
//! **Public API** (the boundary): what a build script needs ([`build_client`],
//! [`build_whole_client`]), what xtask and `spec-tools` read ([`load`], [`prepare`],
//! [`Prepared`], [`plan`], [`doc`], [`names`], [`select`], [`rules::RulesReport`], [`generate`]),
//! and [`Error`]. Everything else is private to the stages.

mod build_script;
mod check;
pub mod doc;
mod emit;
mod error;
pub mod load;
pub mod model;
pub mod names;
pub mod plan;
mod rewrite;
pub mod rules;
pub mod select;

use std::path::{Path, PathBuf};

use serde_json::Value;

pub use build_script::{BuildError, build_client, build_whole_client, generate_features, generate_into};
pub use check::Generable;
pub use emit::dispatch::{PAGES_SUFFIX, STREAM_SUFFIX};
pub use emit::{Generated, Outputs};
pub use error::{Error, ErrorKind};
pub use model::{ApiModel, Prepared};
pub use rewrite::docs;
pub use select::Selection;

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

/// Loads a spec and its overlay from disk and prepares them.
pub fn load(dir: &SpecDir) -> Result<Prepared, Error> {
    load_selected(dir, &Selection::All)
}

/// [`load`], keeping only the selected operations and the types they reach.
pub fn load_selected(dir: &SpecDir, selection: &Selection) -> Result<Prepared, Error> {
    let bundle = load::bundle::read(&dir.spec)?;
    let overlay = load::yaml::read(&dir.overlay)?;
    let mut prepared = prepare_selected(bundle.doc, &dir.spec, &overlay, &dir.overlay, selection)?;
    prepared.rules.record_bundle(bundle.hoisted);
    let folder = dir.spec.parent().unwrap_or(Path::new(""));
    prepared.sources = bundle.files.iter().map(|file| folder.join(file)).collect();
    Ok(prepared)
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
    load::overlay::apply(&mut doc, overlay, overlay_file)?;
    let losses = load::normalize::to_openapi_30(&mut doc, spec_file)?;
    let (mut rules, mut plan) = rules::apply_all(&mut doc);
    rules.record_conversion(losses);
    let features = select::features(&doc);
    select::select(&mut doc, &plan, selection).map_err(|e| Error::new(spec_file, "", ErrorKind::Selection(e)))?;
    plan.complete(&doc);
    if *selection == Selection::All {
        nothing_left_out_of_everything(&doc, &plan, spec_file)?;
    }
    // Both report what they find, so a broken spec shows every problem in one run.
    let validated = check::validate(&doc, spec_file);
    let described = model::describe::describe(&doc, &plan, spec_file);
    match (validated, described) {
        (Ok(()), Ok(model)) => {
            Ok(Prepared { file: spec_file.to_path_buf(), sources: Vec::new(), doc, plan, model, rules, features })
        }
        (validated, described) => {
            let validated = validated.err();
            // describe meets some of the same problems (a missing operationId): say each once.
            let seen = |e: &Error| validated.as_ref().is_some_and(|v| v.all().any(|v| v.pointer == e.pointer));
            let described = described.err().filter(|d| !seen(d));
            Err(Error::collect(validated.into_iter().chain(described)).err().unwrap_or_else(|| {
                Error::new(spec_file, "", ErrorKind::Invalid("validation failed without a problem".into()))
            }))
        }
    }
}

/// A document is refused when it declares operations and every one is left out: one error,
/// then each operation's reason, located.
fn nothing_left_out_of_everything(doc: &Value, plan: &plan::Plan, file: &Path) -> Result<(), Error> {
    let operations = doc::Spec::new(doc).operations();
    let reasons: Vec<Error> = operations
        .iter()
        .filter_map(|op| {
            let why = plan.left_out(&op.pointer)?;
            Some(Error::new(file, op.pointer.clone(), ErrorKind::Invalid(format!("left out: {why}"))))
        })
        .collect();
    if operations.is_empty() || reasons.len() < operations.len() {
        return Ok(());
    }
    let all = Error::new(
        file,
        "/paths",
        ErrorKind::Invalid(format!("no operation can be generated: all {} are left out", operations.len())),
    );
    Error::collect(std::iter::once(all).chain(reasons))
}

/// Checks that `prepared` can be generated and generates every output.
///
/// What progenitor or typify cannot take (a schema, an operation) is left out and the rest
/// generated: `prepared` then says so in its plan, its model and its rules report
/// (`generator-rejects`). Only when nothing is left does it fail, with every reason.
pub fn generate(prepared: &mut Prepared) -> Result<Generated, Error> {
    generate_outputs(prepared, Outputs::ALL)
}

/// [`generate`], with only the chosen optional outputs (the others are a comment).
pub fn generate_outputs(prepared: &mut Prepared, outputs: Outputs) -> Result<Generated, Error> {
    let generated = generate_leaving_out(prepared, outputs)?;
    record_not_paginated(prepared, &generated.not_paginated);
    Ok(generated)
}

/// progenitor as its README's build script runs it (generate, parse, format), on the input
/// the rules made of `prepared`: the baseline of `cargo xtask bench --only codegen`. Call it
/// after [`generate_outputs`], so what that left out is left out here too.
pub fn progenitor_alone(prepared: &Prepared) -> Result<String, Error> {
    emit::progenitor_alone(&check::generable(prepared)?)
}

/// Reports, under the `pagination` rule, the operations it planned whose builder got no
/// `pages()` (the generated types did not hold the fields).
fn record_not_paginated(prepared: &mut Prepared, not_paginated: &[(String, String)]) {
    let mut places = rules::Places::default();
    for (method, why) in not_paginated {
        let pointer = prepared.plan.operations().find(|(_, op)| op.rust_name == *method).map(|(p, _)| p.to_string());
        places.record(pointer.unwrap_or_default(), format!("not paginated after all: {why}"));
    }
    prepared.rules.record_emitted(rules::PAGINATION, places);
}

fn generate_leaving_out(prepared: &mut Prepared, outputs: Outputs) -> Result<Generated, Error> {
    use emit::locate::{Precision, locate};
    let mut error = match emit::generate(&check::generable(prepared)?, outputs) {
        Err(error) if matches!(error.kind, ErrorKind::Progenitor(_)) => error,
        done => return done,
    };
    // Fast trials first; full ones only for what they did not find.
    for precision in [Precision::Stubbed, Precision::Full] {
        let rejections = locate(prepared, outputs, precision);
        if rejections.is_empty() {
            continue;
        }
        leave_out_rejected(prepared, rejections)?;
        error = match emit::generate(&check::generable(prepared)?, outputs) {
            Err(error) if matches!(error.kind, ErrorKind::Progenitor(_)) => error,
            done => return done,
        };
    }
    Err(error)
}

/// Records `rejections` in `prepared`: the schemas and operations left out of progenitor's
/// input, the rules report, and the model (which lists only generated operations).
fn leave_out_rejected(prepared: &mut Prepared, rejections: emit::locate::Rejections) -> Result<(), Error> {
    let mut places = rules::Places::default();
    for (name, problem) in rejections.schemas {
        places.record(error::join("/components/schemas", &name), format!("{problem}: no Rust type"));
        prepared.plan.leave_out_schema(&name, &problem);
    }
    for (pointer, problem) in rejections.operations {
        rules::leave_out(&mut prepared.plan, &mut places, pointer, problem);
    }
    prepared.rules.record_rejections(places);
    nothing_left_out_of_everything(&prepared.doc, &prepared.plan, &prepared.file)?;
    prepared.model = model::describe::describe(&prepared.doc, &prepared.plan, &prepared.file)?;
    Ok(())
}
