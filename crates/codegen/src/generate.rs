//! Runs progenitor on a prepared spec and adds the glue that connects the generated client
//! to the shared runtime: the API description, the `ClientHooks` impl and the constructors.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;
use schemars::schema::{InstanceType, SchemaObject, SingleOrVec};

use crate::Prepared;
use crate::error::{Error, ErrorKind};
use crate::model::{ApiModel, SchemeKind};

/// Generated Rust source, formatted.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The client: types, builders, `Client`, hooks and API description.
    pub client: String,
    /// progenitor's typed httpmock helpers, written against `crate::`.
    pub mock: String,
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

pub fn generate(prepared: &Prepared) -> Result<Generated, Error> {
    let file = prepared.file.as_path();
    let spec: openapiv3::OpenAPI = serde_path_to_error::deserialize(&prepared.doc).map_err(|e| {
        let pointer = path_to_pointer(&e.path().to_string());
        Error::new(file, pointer, ErrorKind::Invalid(format!("not an OpenAPI 3.0 document: {}", e.inner())))
    })?;

    let client = run_progenitor(file, || Generator::new(&settings()).generate_tokens(&spec))?;
    let mock = run_progenitor(file, || Generator::new(&settings()).httpmock(&spec, "crate"))?;
    check_operation_names(file, &client, &prepared.model)?;
    let glue = glue(&prepared.model);

    Ok(Generated { client: format(file, quote! { #client #glue })?, mock: format(file, mock)? })
}

/// progenitor reports most problems as errors but some as panics (`todo!`, `unwrap`): turn
/// both into an [`Error`], keeping the panic message and dropping the backtrace.
fn run_progenitor(
    file: &Path,
    f: impl FnOnce() -> Result<TokenStream, progenitor::Error>,
) -> Result<TokenStream, Error> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    match outcome {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(Error::new(file, "", ErrorKind::Progenitor(e.to_string()))),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(Error::new(file, "", ErrorKind::Progenitor(format!("progenitor panicked: {message}"))))
        }
    }
}

fn format(file: &Path, tokens: TokenStream) -> Result<String, Error> {
    let ast = syn::parse2::<syn::File>(tokens)
        .map_err(|e| Error::new(file, "", ErrorKind::Progenitor(format!("generated code does not parse: {e}"))))?;
    Ok(prettyplease::unparse(&ast))
}

/// serde_path_to_error's `paths.~1x.post` style to a JSON pointer.
fn path_to_pointer(path: &str) -> String {
    if path == "." {
        return String::new();
    }
    path.split('.').map(|seg| format!("/{}", crate::error::escape_token(seg))).collect()
}

fn glue(model: &ApiModel) -> TokenStream {
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
        let check = if op.returns_secrets {
            let builder = quote::format_ident!("{}", heck::ToPascalCase::to_pascal_case(rust_name.as_str()));
            quote!(Some(parses_as_success(&builder::#builder::send)))
        } else {
            quote!(None)
        };
        quote! {
            ::api_runtime::OperationDescription {
                id: #id,
                rust_name: #rust_name,
                method: #method,
                path: #path,
                security: &[#(#security),*],
                constant_headers: &[#(#headers),*],
                success_body_check: #check,
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

        /// A check that a body parses as the success type of the operation whose `send` is
        /// given (inferred from its signature, so no type name is guessed).
        #[allow(dead_code)]
        const fn parses_as_success<B, F, Fut, T, E>(_send: &F) -> fn(&[u8]) -> bool
        where
            F: FnOnce(B) -> Fut,
            Fut: ::std::future::Future<Output = ::std::result::Result<ResponseValue<T>, Error<E>>>,
            T: ::serde::de::DeserializeOwned,
        {
            |body| ::serde_json::from_slice::<T>(body).is_ok()
        }

        impl ClientHooks<::api_runtime::Context> for Client {
            async fn pre<E>(
                &self,
                request: &mut ::reqwest::Request,
                info: &OperationInfo,
            ) -> ::std::result::Result<(), Error<E>> {
                self.inner
                    .prepare(request, info.operation_id)
                    .map_err(|e| Error::InvalidRequest(e.to_string()))
            }

            async fn exec(
                &self,
                request: ::reqwest::Request,
                info: &OperationInfo,
            ) -> ::reqwest::Result<::reqwest::Response> {
                let response = self.client.execute(request).await?;
                self.inner.screen_response(info.operation_id, response).await
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

/// The runtime finds an operation by the name progenitor's hooks report; make sure every
/// generated operation is one the [`ApiModel`] describes.
fn check_operation_names(file: &Path, client: &TokenStream, model: &ApiModel) -> Result<(), Error> {
    let code = client.to_string();
    for part in code.split("operation_id :").skip(1) {
        let name = part.trim_start().trim_start_matches('"').split('"').next().unwrap_or_default();
        if !model.operations.iter().any(|op| op.rust_name == name) {
            return Err(Error::new(
                file,
                "",
                ErrorKind::Progenitor(format!("generated operation `{name}` is missing from the API description")),
            ));
        }
    }
    Ok(())
}
