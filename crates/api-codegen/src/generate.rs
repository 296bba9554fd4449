//! Runs progenitor on a prepared spec and adds the runtime bindings that connect the generated
//! client to the shared runtime: the API description, the `ClientHooks` impl and the
//! constructors.

use std::borrow::Cow;
use std::path::Path;

use serde_json::Value;

use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;
use schemars::schema::{InstanceType, SchemaObject, SingleOrVec};

use crate::error::{Error, ErrorKind};
use crate::model::{ApiModel, SchemeKind};
use crate::spec::{Operation, Spec};
use crate::{Prepared, rewrite, rewrite_wire_values};

/// Generated Rust source, formatted.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The client: types, builders, `Client`, hooks and API description.
    pub client: String,
    /// progenitor's typed httpmock helpers, written against `crate::`.
    pub mock: String,
    /// Any operation by name with JSON arguments (feature `dispatch`), against `crate::`.
    pub dispatch: String,
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

/// String constraints of an `x-secret` schema that stay in the document (the surface, drift
/// and the synthesised examples see them) but not in progenitor's input: typify converts only
/// a plain marked string to `SecretString`, which carries any value; the server still checks
/// them.
pub const SECRET_CONSTRAINTS: &[&str] = &["pattern", "minLength", "maxLength", "format"];

/// Whether a secret string carries one of [`SECRET_CONSTRAINTS`].
fn has_secret_constraints(doc: &Value) -> bool {
    let mut found = false;
    crate::schemas::each_schema(doc, &mut |schema, _| {
        found |= schema.get("x-secret").is_some() && SECRET_CONSTRAINTS.iter().any(|k| schema.get(*k).is_some());
    });
    found
}

/// Takes [`SECRET_CONSTRAINTS`] off every secret string.
fn strip_secret_constraints(doc: &mut Value) {
    let _ = crate::schemas::visit_all(doc, |schema, _| {
        if schema.get("x-secret").is_some() {
            for key in SECRET_CONSTRAINTS {
                schema.shift_remove(*key);
            }
        }
        Ok::<(), ()>(())
    });
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

pub fn generate(prepared: &Prepared) -> Result<Generated, Error> {
    generate_outputs(prepared, Outputs::ALL)
}

/// [`generate`], with only the chosen optional outputs (the others are a comment).
pub fn generate_outputs(prepared: &Prepared, outputs: Outputs) -> Result<Generated, Error> {
    let file = prepared.file.as_path();
    crate::validate::response_bodies(&prepared.doc, file)?;
    // One copy of the document at most, and only when progenitor must see it changed.
    let mut source = Cow::Borrowed(&prepared.doc);
    if has_secret_constraints(&source) {
        strip_secret_constraints(source.to_mut());
    }
    // Enums with `x-enum-varnames` reach typify with markers for values (rewrite_wire_values).
    let wire = rewrite_wire_values::mentions(&source).then(|| rewrite_wire_values::substitute(source.to_mut()));
    let wire = wire.as_ref();
    let parsed: Result<openapiv3::OpenAPI, _> = match source {
        // An owned copy is read by value: its strings move instead of being copied.
        Cow::Owned(doc) => serde_path_to_error::deserialize(doc),
        Cow::Borrowed(doc) => serde_path_to_error::deserialize(doc),
    };
    let mut spec = parsed.map_err(|e| {
        let pointer = path_to_pointer(&e.path().to_string());
        Error::new(file, pointer, ErrorKind::Invalid(format!("not an OpenAPI 3.0 document: {}", e.inner())))
    })?;

    drop_unsupported_operations(&mut spec);
    let bodies = success_bodies(&prepared.doc);
    bytes_for_streams(&mut spec, &bodies);
    let forms = crate::forms::forms(&prepared.doc);
    octet_stream_for_forms(&mut spec);
    let client = run_progenitor(file, || Generator::new(&settings()).generate_tokens(&spec))?;
    let mock = if outputs.mock {
        let mock_spec = without_mock_omitted_statuses(&spec);
        run_progenitor(file, || Generator::new(&settings()).httpmock(&mock_spec, "crate"))?
    } else {
        TokenStream::new()
    };
    let bindings = runtime_bindings(&prepared.model);

    let progenitor_error = |e: String| Error::new(file, "", ErrorKind::Progenitor(e));
    let mut client = parse(file, quote! { #client #bindings })?;
    let mut mock = parse(file, mock)?;
    if let Some(wire) = wire {
        rewrite_wire_values::restore_client(&mut client, wire).map_err(progenitor_error)?;
        if outputs.mock {
            rewrite_wire_values::restore(&mut mock, wire).map_err(progenitor_error)?;
        }
    }
    crate::forms::apply(&mut client, &forms).map_err(progenitor_error)?;
    let expected: Vec<&str> = prepared.model.operations.iter().map(|op| op.rust_name.as_str()).collect();
    rewrite::wrap_send(&mut client, &expected, &bodies).map_err(progenitor_error)?;
    let renamed = renamed_parameters(&prepared.doc);
    rewrite::restore_wire_names(&mut client, &renamed, rewrite::Scope::Builder).map_err(progenitor_error)?;
    rewrite::export_runtime_error(&mut client);
    let keep = crate::type_uses::Keep {
        serialize: outputs.serialize || outputs.mock || outputs.dispatch,
        deserialize: outputs.deserialize || outputs.dispatch,
    };
    crate::type_uses::trim(&mut client, keep).map_err(progenitor_error)?;
    let dispatch =
        if outputs.dispatch { Some(crate::dispatch::generate(&client).map_err(progenitor_error)?) } else { None };
    let mut client = crate_root(client);
    // The mock's rewrites count what they change: only on a mock that was generated.
    if outputs.mock {
        rewrite::restore_wire_names(&mut mock, &renamed, rewrite::Scope::MockWhen).map_err(progenitor_error)?;
        rewrite::fix_mock_bodies(&mut mock);
        rewrite::fix_mock_queries(&mut mock);
        crate::docs::sanitize(&mut mock);
    }
    crate::docs::sanitize(&mut client);
    let generated = Generated {
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
            ErrorKind::Progenitor(
                "an enum value named by `x-enum-varnames` is left as a marker in the generated code".into(),
            ),
        ));
    }
    Ok(generated)
}

/// Operations the `unsupported-request-body` rule marked are not given to progenitor.
fn drop_unsupported_operations(spec: &mut openapiv3::OpenAPI) {
    use crate::rules::unsupported_request_body::UNSUPPORTED;
    for item in spec.paths.paths.values_mut() {
        let openapiv3::ReferenceOr::Item(item) = item else { continue };
        for slot in operation_slots(item) {
            if slot.as_ref().is_some_and(|op| op.extensions.contains_key(UNSUPPORTED)) {
                *slot = None;
            }
        }
    }
}

/// An operation the `multipart-form` rule gave a form reaches progenitor as an octet-stream
/// upload (which it accepts); `forms::apply` then makes the builder send the form.
fn octet_stream_for_forms(spec: &mut openapiv3::OpenAPI) {
    use crate::rules::multipart_form::MULTIPART;
    for item in spec.paths.paths.values_mut() {
        let openapiv3::ReferenceOr::Item(item) = item else { continue };
        for op in operation_slots(item).into_iter().flatten() {
            if !op.extensions.contains_key(MULTIPART) {
                continue;
            }
            let bytes = openapiv3::MediaType {
                schema: Some(openapiv3::ReferenceOr::Item(openapiv3::Schema {
                    schema_data: Default::default(),
                    schema_kind: openapiv3::SchemaKind::Type(openapiv3::Type::String(openapiv3::StringType {
                        format: openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary),
                        ..Default::default()
                    })),
                })),
                ..Default::default()
            };
            op.request_body = Some(openapiv3::ReferenceOr::Item(openapiv3::RequestBody {
                content: [("application/octet-stream".to_string(), bytes)].into_iter().collect(),
                required: true,
                ..Default::default()
            }));
        }
    }
}

/// Each operation's success body (by method name), where it is not progenitor's own.
fn success_bodies(doc: &Value) -> std::collections::BTreeMap<String, crate::media::SuccessBody> {
    use crate::media::SuccessBody;
    let mut out = std::collections::BTreeMap::new();
    for Operation { node: op, .. } in Spec::new(doc).operations() {
        let Some(id) = op.get("operationId").and_then(Value::as_str) else { continue };
        match crate::media::success_body(doc, op) {
            SuccessBody::Progenitor => {}
            body => {
                out.insert(crate::naming::method_name(id), body);
            }
        }
    }
    out
}

/// A response that offers a stream beside a JSON document reaches progenitor as the stream
/// alone, so it reads bytes (the generated `send` decodes the document when that is asked for).
fn bytes_for_streams(
    spec: &mut openapiv3::OpenAPI,
    bodies: &std::collections::BTreeMap<String, crate::media::SuccessBody>,
) {
    use crate::media::{SuccessBody, is_progenitor_json};
    for item in spec.paths.paths.values_mut() {
        let openapiv3::ReferenceOr::Item(item) = item else { continue };
        for op in operation_slots(item).into_iter().flatten() {
            let name = op.operation_id.as_deref().map(crate::naming::method_name);
            if !matches!(name.and_then(|n| bodies.get(&n)), Some(SuccessBody::Events { json: Some(_), .. })) {
                continue;
            }
            for (status, response) in op.responses.responses.iter_mut() {
                let success = matches!(status, openapiv3::StatusCode::Code(200..=299))
                    || matches!(status, openapiv3::StatusCode::Range(2));
                if let (true, openapiv3::ReferenceOr::Item(response)) = (success, response) {
                    response.content.retain(|media, _| !is_progenitor_json(media));
                }
            }
            if let Some(openapiv3::ReferenceOr::Item(response)) = op.responses.default.as_mut() {
                response.content.retain(|media, _| !is_progenitor_json(media));
            }
        }
    }
}

/// The spec the httpmock helpers are generated from: without the statuses the
/// `non-standard-status` rule listed (progenitor names mock methods after reason phrases).
fn without_mock_omitted_statuses(spec: &openapiv3::OpenAPI) -> openapiv3::OpenAPI {
    use crate::rules::non_standard_status::MOCK_OMITS;
    let mut spec = spec.clone();
    for item in spec.paths.paths.values_mut() {
        let openapiv3::ReferenceOr::Item(item) = item else { continue };
        for op in operation_slots(item).into_iter().flatten() {
            let Some(serde_json::Value::Array(omitted)) = op.extensions.get(MOCK_OMITS) else { continue };
            let omitted: Vec<u16> = omitted.iter().filter_map(|c| c.as_u64()?.try_into().ok()).collect();
            op.responses
                .responses
                .retain(|status, _| !matches!(status, openapiv3::StatusCode::Code(code) if omitted.contains(code)));
        }
    }
    spec
}

fn operation_slots(item: &mut openapiv3::PathItem) -> [&mut Option<openapiv3::Operation>; 8] {
    let openapiv3::PathItem { get, put, post, delete, options, head, patch, trace, .. } = item;
    [get, put, post, delete, options, head, patch, trace]
}

/// Parameters the `unique-parameter-names` rule renamed: (operationId, name in the
/// document and in progenitor's output, name on the wire).
fn renamed_parameters(doc: &serde_json::Value) -> Vec<rewrite::Renamed> {
    use crate::rules::unique_parameter_names::WIRE_NAME;
    use serde_json::Value;
    let mut out = Vec::new();
    for operation in Spec::new(doc).operations() {
        let Some(id) = operation.id() else { continue };
        if crate::rules::unsupported_request_body::is_unsupported(operation.node) {
            continue;
        }
        for param in operation.parameters().iter().map(|p| p.node) {
            if let (Some(marker), Some(wire)) =
                (param.get("name").and_then(Value::as_str), param.get(WIRE_NAME).and_then(Value::as_str))
            {
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
    match crate::panics::catch(f) {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(Error::new(file, "", ErrorKind::Progenitor(e.to_string()))),
        Err(message) => Err(Error::new(file, "", ErrorKind::Progenitor(format!("progenitor panicked: {message}")))),
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

/// What binds the client to the runtime: `static API` (the `ApiDescription`: auth schemes,
/// constant headers, environment variables, secret fields), the `ClientHooks` impl and
/// `Client::builder()` / `from_env()`.
fn runtime_bindings(model: &ApiModel) -> TokenStream {
    let ApiModel { title, version, api_key_env, base_url_env, secret_fields, .. } = model;
    let default_base_url = match &model.default_base_url {
        Some(url) => quote!(Some(#url)),
        None => quote!(None),
    };
    let schemes = model.schemes.iter().map(|s| {
        let name = &s.name;
        let kind = match &s.kind {
            SchemeKind::Bearer => quote!(::api_runtime::SchemeKind::Bearer),
            SchemeKind::Header(h) => quote!(::api_runtime::SchemeKind::Header(#h)),
        };
        quote!(::api_runtime::SecurityScheme { name: #name, kind: #kind })
    });
    let operations = model.operations.iter().map(|op| {
        let (id, rust_name, method, path) = (&op.id, &op.rust_name, &op.method, &op.path);
        let security = op.security.iter().map(|alternative| {
            let indexes = alternative.iter().filter_map(|name| model.schemes.iter().position(|s| &s.name == name));
            quote!(&[#(#indexes),*])
        });
        let headers = op.constant_headers.iter().map(|(n, v)| quote!((#n, #v)));
        let (returns_secrets, sends_secrets) = (op.returns_secrets, op.sends_secrets);
        quote! {
            ::api_runtime::OperationDescription {
                id: #id,
                rust_name: #rust_name,
                method: #method,
                path: #path,
                security: &[#(#security),*],
                constant_headers: &[#(#headers),*],
                returns_secrets: #returns_secrets,
                sends_secrets: #sends_secrets,
            }
        }
    });
    let from_env_doc = format!(
        "A client configured from the environment: the API key from `{api_key_env}`{}.",
        if base_url_env.is_empty() { String::new() } else { format!(", the base URL from `{base_url_env}` if set") }
    );

    quote! {
        /// What the spec says about authentication, constant headers and configuration;
        /// the runtime's hooks act on it.
        pub static API: ::api_runtime::ApiDescription = ::api_runtime::ApiDescription {
            title: #title,
            version: #version,
            default_base_url: #default_base_url,
            api_key_env: #api_key_env,
            base_url_env: #base_url_env,
            schemes: &[#(#schemes),*],
            operations: &[#(#operations),*],
            secret_fields: &[#(#secret_fields),*],
        };

        impl ClientHooks<::api_runtime::Context> for Client {
            async fn pre<E>(
                &self,
                request: &mut ::reqwest::Request,
                info: &OperationInfo,
            ) -> ::std::result::Result<(), progenitor_client::Error<E>> {
                self.inner
                    .prepare(request, info.operation_id)
                    .map_err(|e| progenitor_client::Error::InvalidRequest(e.to_string()))
            }

            async fn exec(
                &self,
                request: ::reqwest::Request,
                _info: &OperationInfo,
            ) -> ::reqwest::Result<::reqwest::Response> {
                self.inner.execute(&self.client, request).await
            }
        }

        impl ::api_runtime::GeneratedClient for Client {
            const API: &'static ::api_runtime::ApiDescription = &API;

            fn from_parts(base_url: &str, http: ::reqwest::Client, context: ::api_runtime::Context) -> Self {
                Self::new_with_client(base_url, http, context)
            }
        }

        impl Client {
            /// Configures a client: API key, base URL, timeouts, user agent.
            pub fn builder() -> ::api_runtime::ClientBuilder<Self> {
                ::api_runtime::ClientBuilder::new()
            }

            #[doc = #from_env_doc]
            pub fn from_env() -> ::std::result::Result<Self, ::api_runtime::ConfigError> {
                Self::builder().from_env()?.build()
            }
        }
    }
}
