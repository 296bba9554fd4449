//! Emission: progenitor's input from a [`Generable`] document and its plan, progenitor run
//! (its panics caught), the rewrites of its output, and the runtime bindings that connect the
//! generated client to the shared runtime (`bindings.rs`).
//!
//! Every change to progenitor's input is a decision a rule recorded in the plan (and the rules
//! report lists): operations left out, forms sent as octet-stream uploads, streams offered
//! beside JSON read as bytes, secret strings without their constraints, statuses the mock
//! leaves out. Emission decides nothing itself.

mod bindings;
pub(crate) mod dispatch;
pub(crate) mod locate;
mod panics;
mod urlencoded;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;
use schemars::schema::{InstanceType, SchemaObject, SingleOrVec};

use crate::check::Generable;
use crate::doc::Spec;
use crate::doc::media::SuccessBody;
use crate::error::{Error, ErrorKind, join};
use crate::model::Prepared;
use crate::plan::Plan;
use crate::rewrite::{self, wire_values as rewrite_wire_values};

/// Generated Rust source, formatted.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The client: types, builders, `Client`, hooks and API description.
    pub client: String,
    /// progenitor's typed httpmock helpers, written against `crate::`.
    pub mock: String,
    /// Any operation by name with JSON arguments (feature `dispatch`), against `crate::`.
    pub dispatch: String,
    /// Operations the `pagination` rule planned whose builder has no `pages()`: (method
    /// name, why). The rules report lists them.
    pub not_paginated: Vec<(String, String)>,
}

/// The paginated operations of the plan, by method name.
fn paginated_operations(plan: &Plan) -> BTreeMap<String, crate::plan::Pagination> {
    plan.operations().filter_map(|(_, op)| op.pagination.clone().map(|paging| (op.rust_name.clone(), paging))).collect()
}

/// The settings every client is generated with.
fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote!(::api_runtime::Context))
        .with_derive("PartialEq")
        // A string schema marked `x-secret` becomes the runtime's redacting secret type.
        .with_conversion(secret_schema(), "::api_runtime::SecretString", std::iter::empty());
    settings
}

fn secret_schema() -> SchemaObject {
    SchemaObject {
        instance_type: Some(SingleOrVec::Single(Box::new(InstanceType::String))),
        extensions: [("x-secret".to_string(), serde_json::Value::Bool(true))].into_iter().collect(),
        ..Default::default()
    }
}

/// Takes `keys` off the schemas at `pointers` in progenitor's input; the document keeps them,
/// for the surface, the drift report and the examples. The rules that plan it:
/// `secret-string-constraints` (a secret stays the redacting `SecretString`), `unsent-defaults`
/// (an optional property's default is the server's, so the field is an `Option` sent only when
/// set) and `string-constraints` (plain strings, checked by the server).
fn strip<'a>(doc: &mut Value, pointers: impl IntoIterator<Item = &'a String>, keys: &[&str]) {
    for pointer in pointers {
        if let Some(Value::Object(schema)) = doc.pointer_mut(pointer) {
            for key in keys {
                schema.shift_remove(*key);
            }
        }
    }
}

/// Which of the optional outputs to generate: a build without the `mock` or `dispatch`
/// feature never compiles them, and the httpmock module is a second full progenitor run.
#[derive(Debug, Clone, Copy)]
pub struct Outputs {
    pub mock: bool,
    pub dispatch: bool,
    /// `Serialize` on every type, not only on what a request carries (feature `serialize`;
    /// implied by `mock`, whose answers are serialised, and `dispatch`).
    pub serialize: bool,
    /// `Deserialize` on every type, not only on what an answer carries (feature
    /// `deserialize`; implied by `dispatch`, which decodes arguments from JSON).
    pub deserialize: bool,
}

impl Outputs {
    pub const ALL: Outputs = Outputs { mock: true, dispatch: true, serialize: true, deserialize: true };
    /// What a crate depending on a client with its default features compiles.
    pub const CLIENT: Outputs = Outputs { mock: false, dispatch: false, serialize: false, deserialize: false };
}

/// What a left-out output file holds (its module is behind a disabled feature).
const LEFT_OUT: &str = "// Not generated: its feature is not enabled.\n";

/// Generates the client (and the chosen optional outputs; the others are a comment).
pub fn generate(generable: &Generable<'_>, outputs: Outputs) -> Result<Generated, Error> {
    let prepared = generable.prepared();
    let plan = &prepared.plan;
    let file = prepared.file.as_path();
    let (source, wire) = progenitor_document(prepared);
    let wire = wire.as_ref();
    let bodies = success_bodies(plan);
    let spec = progenitor_spec(source, plan, &bodies, file)?;
    let forms = crate::rewrite::forms::forms(plan);
    let client = run_progenitor(file, || Generator::new(&settings()).generate_tokens(&spec))?;
    let mock = if outputs.mock {
        let mock_spec = without_mock_omitted_statuses(&spec, plan);
        run_progenitor(file, || Generator::new(&settings()).httpmock(&mock_spec, "crate"))?
    } else {
        TokenStream::new()
    };
    let bindings = bindings::runtime_bindings(&prepared.model);

    let rewrite_error = |e: String| Error::new(file, "", ErrorKind::Rewrite(e));
    let mut client = parse(file, quote! { #client #bindings })?;
    bindings::check_webhook_event(&client, &prepared.model, file)?;
    let mut mock = parse(file, mock)?;
    if let Some(wire) = wire {
        rewrite_wire_values::restore_client(&mut client, wire).map_err(rewrite_error)?;
        if outputs.mock {
            rewrite_wire_values::restore(&mut mock, wire).map_err(rewrite_error)?;
        }
    }
    let without_shorthand =
        crate::rewrite::methods::count(prepared.model.operations.iter().map(|op| op.method.as_str()));
    crate::rewrite::methods::apply(&mut client, without_shorthand).map_err(rewrite_error)?;
    crate::rewrite::forms::apply(&mut client, &forms).map_err(rewrite_error)?;
    let encoded = crate::rewrite::urlencoded::planned(plan);
    crate::rewrite::urlencoded::apply(&mut client, &encoded).map_err(rewrite_error)?;
    let expected: Vec<&str> = prepared.model.operations.iter().map(|op| op.rust_name.as_str()).collect();
    // Before `wrap_send`, whose stream decoders try a union's alternatives in this order too.
    crate::rewrite::open_enums::order_alternatives(&mut client);
    rewrite::wrap_send(&mut client, &expected, &bodies).map_err(rewrite_error)?;
    crate::rewrite::call_options::apply(&mut client).map_err(rewrite_error)?;
    let renamed = renamed_parameters(&prepared.doc, plan);
    rewrite::restore_wire_names(&mut client, &renamed, rewrite::Scope::Builder).map_err(rewrite_error)?;
    // Before `open_enums`: an answer union's `Unknown` variant falls to the accessors' `_` arm.
    let paginated = crate::rewrite::paginate::apply(&mut client, &paginated_operations(plan)).map_err(rewrite_error)?;
    rewrite::export_runtime_error(&mut client);
    let keep = crate::rewrite::type_uses::Keep {
        serialize: outputs.serialize || outputs.mock || outputs.dispatch,
        deserialize: outputs.deserialize || outputs.dispatch,
    };
    crate::rewrite::type_uses::trim(&mut client, keep).map_err(rewrite_error)?;
    crate::rewrite::open_enums::open(&mut client).map_err(rewrite_error)?;
    crate::rewrite::wire_numbers::apply(&mut client).map_err(rewrite_error)?;
    let dispatch =
        if outputs.dispatch { Some(crate::emit::dispatch::generate(&client).map_err(rewrite_error)?) } else { None };
    let mut client = crate_root(client);
    // The mock's rewrites count what they change: only on a mock that was generated.
    if outputs.mock {
        crate::rewrite::urlencoded::fix_mock(&mut mock, &encoded).map_err(rewrite_error)?;
        rewrite::restore_wire_names(&mut mock, &renamed, rewrite::Scope::MockWhen).map_err(rewrite_error)?;
        rewrite::fix_mock_bodies(&mut mock);
        rewrite::fix_mock_queries(&mut mock);
        crate::rewrite::docs::sanitize(&mut mock);
    }
    crate::rewrite::docs::sanitize(&mut client);
    let generated = Generated {
        not_paginated: paginated.not_walked,
        client: prettyplease::unparse(&client),
        mock: if outputs.mock { prettyplease::unparse(&mock) } else { LEFT_OUT.into() },
        dispatch: dispatch.as_ref().map_or_else(|| LEFT_OUT.into(), prettyplease::unparse),
    };
    if wire.is_some()
        && (generated.client.contains(rewrite_wire_values::MARK) || generated.mock.contains(rewrite_wire_values::MARK))
    {
        return Err(Error::new(
            file,
            "",
            ErrorKind::Rewrite(
                "an enum value named by `x-enum-varnames` is left as a marker in the generated code".into(),
            ),
        ));
    }
    Ok(generated)
}

/// What progenitor's own README has a build script do, on the input the rules made for it:
/// generate, parse, format; none of the rewrites. The floor under any generator that formats
/// progenitor's output (`cargo xtask bench --only codegen` compares the whole generator with it).
pub fn progenitor_alone(generable: &Generable<'_>) -> Result<String, Error> {
    let prepared = generable.prepared();
    let file = prepared.file.as_path();
    let (source, _) = progenitor_document(prepared);
    let spec = progenitor_spec(source, &prepared.plan, &success_bodies(&prepared.plan), file)?;
    let tokens = run_progenitor(file, || Generator::new(&settings()).generate_tokens(&spec))?;
    Ok(prettyplease::unparse(&parse(file, tokens)?))
}

/// progenitor's input as a JSON document, and the `x-enum-varnames` values it carries as
/// markers (`rewrite::wire_values`). One copy of the document at most, and only when
/// progenitor must see it changed.
fn progenitor_document(prepared: &Prepared) -> (Cow<'_, Value>, Option<rewrite_wire_values::WireValues>) {
    let plan = &prepared.plan;
    let mut source = Cow::Borrowed(&prepared.doc);
    if !plan.unconstrained_secrets.is_empty() {
        strip(source.to_mut(), &plan.unconstrained_secrets, crate::rules::SECRET_CONSTRAINTS);
    }
    if !plan.unsent_defaults.is_empty() {
        strip(source.to_mut(), &plan.unsent_defaults, &["default"]);
    }
    if !plan.unchecked_strings.is_empty() {
        strip(source.to_mut(), &plan.unchecked_strings, crate::rules::STRING_CONSTRAINTS);
    }
    let wire = rewrite_wire_values::mentions(&source).then(|| rewrite_wire_values::substitute(source.to_mut()));
    (source, wire)
}

/// The OpenAPI value progenitor reads: the document without what the plan leaves out,
/// streams offered beside JSON as the stream, forms as uploads.
fn progenitor_spec(
    source: Cow<'_, Value>,
    plan: &Plan,
    bodies: &BTreeMap<String, SuccessBody>,
    file: &Path,
) -> Result<openapiv3::OpenAPI, Error> {
    let parsed: Result<openapiv3::OpenAPI, _> = match source {
        // An owned copy is read by value: its strings move instead of being copied.
        Cow::Owned(doc) => serde_path_to_error::deserialize(doc),
        Cow::Borrowed(doc) => serde_path_to_error::deserialize(doc),
    };
    let mut spec = parsed.map_err(|e| {
        let pointer = path_to_pointer(&e.path().to_string());
        Error::new(file, pointer, ErrorKind::Invalid(format!("not an OpenAPI 3.0 document: {}", e.inner())))
    })?;
    drop_left_out_operations(&mut spec, plan);
    if let Some(components) = spec.components.as_mut() {
        let left_out: std::collections::BTreeSet<&str> = plan.left_out_schemas().map(|(name, _)| name).collect();
        components.schemas.retain(|name, _| !left_out.contains(name.as_str()));
    }
    bytes_for_successes(&mut spec, bodies);
    octet_stream_for_forms(&mut spec, plan);
    urlencoded::progenitor_input(&mut spec, plan);
    Ok(spec)
}

/// Operations the plan leaves out (`unsupported-request-body`) are not given to progenitor.
fn drop_left_out_operations(spec: &mut openapiv3::OpenAPI, plan: &Plan) {
    for (path, item) in spec.paths.paths.iter_mut() {
        let openapiv3::ReferenceOr::Item(item) = item else { continue };
        for (method, slot) in operation_slots(item) {
            if plan.left_out(&operation_pointer(path, method)).is_some() {
                *slot = None;
            }
        }
    }
}

/// An operation the plan sends as a form (`multipart-form`) reaches progenitor as an
/// octet-stream upload (which it accepts); `forms::apply` then makes the builder send the form.
fn octet_stream_for_forms(spec: &mut openapiv3::OpenAPI, plan: &Plan) {
    for (path, item) in spec.paths.paths.iter_mut() {
        let openapiv3::ReferenceOr::Item(item) = item else { continue };
        for (method, slot) in operation_slots(item) {
            let Some(op) = slot.as_mut() else { continue };
            if plan.form(&operation_pointer(path, method)).is_none() {
                continue;
            }
            let bytes = bytes_media();
            op.request_body = Some(openapiv3::ReferenceOr::Item(openapiv3::RequestBody {
                content: [("application/octet-stream".to_string(), bytes)].into_iter().collect(),
                required: true,
                ..Default::default()
            }));
        }
    }
}

/// Each operation's success body (by method name), where it is not progenitor's own.
pub(super) fn success_bodies(plan: &Plan) -> BTreeMap<String, SuccessBody> {
    plan.operations()
        .filter(|(_, op)| op.success != SuccessBody::Progenitor && !op.rust_name.is_empty())
        .map(|(_, op)| (op.rust_name.clone(), op.success.clone()))
        .collect()
}

/// Successes progenitor must read as bytes, one type for all of an operation's successes:
/// - a response that offers a stream beside a JSON document reaches progenitor as the stream
///   alone (the generated `send` decodes the document when that is asked for);
/// - an operation answering JSON at some success statuses and nothing at others reaches it as
///   bytes at every success status (`send` decodes the document, or answers `None` for an
///   empty body).
fn bytes_for_successes(spec: &mut openapiv3::OpenAPI, bodies: &BTreeMap<String, SuccessBody>) {
    use crate::doc::media::is_progenitor_json;
    for item in spec.paths.paths.values_mut() {
        let openapiv3::ReferenceOr::Item(item) = item else { continue };
        for op in operation_slots(item).into_iter().filter_map(|(_, slot)| slot.as_mut()) {
            let name = op.operation_id.as_deref().map(crate::names::method_name);
            let body = name.and_then(|n| bodies.get(&n));
            let successes = op.responses.responses.iter_mut().filter(|(status, _)| {
                matches!(status, openapiv3::StatusCode::Code(200..=299) | openapiv3::StatusCode::Range(2))
            });
            match body {
                Some(SuccessBody::Events { json: Some(_), .. }) => {
                    let default = op.responses.default.iter_mut();
                    for response in successes.map(|(_, response)| response).chain(default) {
                        if let openapiv3::ReferenceOr::Item(response) = response {
                            response.content.retain(|media, _| !is_progenitor_json(media));
                        }
                    }
                }
                Some(SuccessBody::JsonOrEmpty { .. }) => {
                    for (_, response) in successes {
                        // A shared (`$ref`) response is replaced here only: others may read it typed.
                        let content = [("application/octet-stream".to_string(), bytes_media())].into_iter().collect();
                        *response = openapiv3::ReferenceOr::Item(openapiv3::Response { content, ..Default::default() });
                    }
                }
                _ => {}
            }
        }
    }
}

/// A media type of raw bytes, as progenitor reads and sends them (`ByteStream`, `Body`).
fn bytes_media() -> openapiv3::MediaType {
    openapiv3::MediaType {
        schema: Some(openapiv3::ReferenceOr::Item(openapiv3::Schema {
            schema_data: Default::default(),
            schema_kind: openapiv3::SchemaKind::Type(openapiv3::Type::String(openapiv3::StringType {
                format: openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary),
                ..Default::default()
            })),
        })),
        ..Default::default()
    }
}

/// The spec the httpmock helpers are generated from: without the statuses the plan says the
/// mock leaves out (`non-standard-status`: progenitor names mock methods after reason phrases).
fn without_mock_omitted_statuses(spec: &openapiv3::OpenAPI, plan: &Plan) -> openapiv3::OpenAPI {
    let mut spec = spec.clone();
    for (path, item) in spec.paths.paths.iter_mut() {
        let openapiv3::ReferenceOr::Item(item) = item else { continue };
        for (method, slot) in operation_slots(item) {
            let Some(op) = slot.as_mut() else { continue };
            let Some(planned) = plan.operation(&operation_pointer(path, method)) else { continue };
            op.responses.responses.retain(
                |status, _| !matches!(status, openapiv3::StatusCode::Code(code) if planned.mock_omits.contains(code)),
            );
        }
    }
    spec
}

/// Each method's slot in a path item, with the method's name.
fn operation_slots(item: &mut openapiv3::PathItem) -> [(&'static str, &mut Option<openapiv3::Operation>); 8] {
    let openapiv3::PathItem { get, put, post, delete, options, head, patch, trace, .. } = item;
    [
        ("get", get),
        ("put", put),
        ("post", post),
        ("delete", delete),
        ("options", options),
        ("head", head),
        ("patch", patch),
        ("trace", trace),
    ]
}

/// The JSON pointer of an operation, as the plan keys it.
fn operation_pointer(path: &str, method: &str) -> String {
    join(&join("/paths", path), method)
}

/// Parameters the `unique-parameter-names` rule renamed: (operationId, name in the
/// document and in progenitor's output, name on the wire).
fn renamed_parameters(doc: &Value, plan: &Plan) -> Vec<rewrite::Renamed> {
    let mut out = Vec::new();
    for operation in Spec::new(doc).operations() {
        let Some(id) = operation.id() else { continue };
        if plan.left_out(&operation.pointer).is_some() {
            continue;
        }
        for param in operation.parameters() {
            if let (Some(marker), Some(wire)) = (param.name(), plan.wire_name(&param.pointer)) {
                out.push(rewrite::Renamed {
                    operation: id.to_string(),
                    marker: marker.to_string(),
                    wire: wire.to_string(),
                });
            }
        }
    }
    out
}

/// Everything a client crate's root needs, so that its `lib.rs` is one `include!`: the
/// generated code in a module of its own (progenitor's style, so its lints are off), its
/// public items re-exported, the runtime's types callers name, and the `mock` and `dispatch`
/// modules.
///
/// All of it is `cfg(not(doctest))`: doc comments carry spec text, and rustdoc must never
/// collect a doctest from it (the crate's own docs, in its `lib.rs`, are still tested).
fn crate_root(generated: syn::File) -> syn::File {
    // The wrapper is parsed empty and the generated items moved in: quoting them into it would
    // print and re-parse the whole client (seconds for Vercel's).
    let mut root: syn::File = syn::parse_quote! {
        #[cfg(not(doctest))]
        // typify writes `defaults::*` helpers a spec may not use (Cartesia: `default_i64`).
        #[allow(clippy::all, clippy::pedantic, clippy::unwrap_used, dead_code, unused_imports, unused_mut)]
        mod generated {}
        #[cfg(not(doctest))]
        pub use generated::*;
        #[cfg(not(doctest))]
        pub use ::api_runtime::{ConfigError, SecretString};

        /// Typed [httpmock](https://docs.rs/httpmock) helpers for this API (feature `mock`).
        #[cfg(all(feature = "mock", not(doctest)))]
        #[allow(clippy::all, clippy::unwrap_used)]
        pub mod mock {
            include!(concat!(env!("OUT_DIR"), "/mock.rs"));
        }

        /// Any operation by its method name, with JSON arguments (feature `dispatch`): what
        /// the demo and the every-operation tests call.
        #[cfg(all(feature = "dispatch", not(doctest)))]
        #[allow(clippy::all, clippy::unwrap_used)]
        pub mod dispatch {
            include!(concat!(env!("OUT_DIR"), "/dispatch.rs"));
        }
    };
    if let Some(syn::Item::Mod(module)) = root.items.first_mut() {
        module.content = Some((Default::default(), generated.items));
    }
    root
}

/// progenitor reports most problems as errors but some as panics (`todo!`, `unwrap`): turn
/// both into an [`Error`], keeping the panic message and dropping the backtrace.
fn run_progenitor(
    file: &Path,
    f: impl FnOnce() -> Result<TokenStream, progenitor::Error>,
) -> Result<TokenStream, Error> {
    match panics::catch(f) {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(Error::new(file, "", ErrorKind::Progenitor(one_line(&e.to_string())))),
        Err(message) => {
            Err(Error::new(file, "", ErrorKind::Progenitor(format!("progenitor panicked: {}", one_line(&message)))))
        }
    }
}

/// progenitor's message as one line of bounded length: some carry a pretty-printed dump of
/// the document part they choke on, and every problem is one line.
fn one_line(message: &str) -> String {
    const MAX: usize = 300;
    let line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

fn parse(file: &Path, tokens: TokenStream) -> Result<syn::File, Error> {
    syn::parse2::<syn::File>(tokens)
        .map_err(|e| Error::new(file, "", ErrorKind::Progenitor(format!("generated code does not parse: {e}"))))
}

/// serde_path_to_error's `paths.~1x.post` style to a JSON pointer.
fn path_to_pointer(path: &str) -> String {
    if path == "." {
        return String::new();
    }
    path.split('.').map(|seg| format!("/{}", crate::error::escape_token(seg))).collect()
}
