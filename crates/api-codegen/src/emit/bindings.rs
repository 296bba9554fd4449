//! What binds a generated client to the runtime: `static API` (the `ApiDescription`: auth
//! schemes, constant headers, environment variables, secret fields), the `ClientHooks` impl
//! and `Client::builder()` / `from_env()`. Every value is quoted as a literal: spec text
//! never becomes code.

use std::path::Path;

use proc_macro2::TokenStream;
use quote::quote;

use crate::doc::extensions::WEBHOOK_SIGNATURE;
use crate::error::{Error, ErrorKind, join};

use crate::model::webhook::{Algorithm, Encoding, WebhookSignature};
use crate::model::{ApiModel, SchemeKind};

/// What binds the client to the runtime: `static API` (the `ApiDescription`: auth schemes,
/// constant headers, environment variables, secret fields), the `ClientHooks` impl and
/// `Client::builder()` / `from_env()`.
pub(super) fn runtime_bindings(model: &ApiModel) -> TokenStream {
    let ApiModel { title, version, api_key_env, username_env, password_env, base_url_env, secret_fields, .. } = model;
    let default_base_url = match &model.default_base_url {
        Some(url) => quote!(Some(#url)),
        None => quote!(None),
    };
    let schemes = model.schemes.iter().map(|s| {
        let name = &s.name;
        let kind = match &s.kind {
            SchemeKind::Bearer => quote!(::api_runtime::SchemeKind::Bearer),
            SchemeKind::Header(h) => quote!(::api_runtime::SchemeKind::Header(#h)),
            SchemeKind::Basic => quote!(::api_runtime::SchemeKind::Basic),
            SchemeKind::Http(scheme) => quote!(::api_runtime::SchemeKind::Http(#scheme)),
            SchemeKind::Query(q) => quote!(::api_runtime::SchemeKind::Query(#q)),
            SchemeKind::Cookie(c) => quote!(::api_runtime::SchemeKind::Cookie(#c)),
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
    let uses_key = model.schemes.iter().any(|s| s.kind != SchemeKind::Basic);
    let credentials = match (uses_key || username_env.is_empty(), username_env.is_empty()) {
        (true, true) => format!("the API key from `{api_key_env}`"),
        (true, false) => {
            format!(
                "the API key from `{api_key_env}` or the user and password from `{username_env}` and `{password_env}`"
            )
        }
        (false, _) => format!("the user and password from `{username_env}` and `{password_env}`"),
    };
    let webhooks = model.webhook.as_ref().map(webhooks_module);
    // `request`, unless an operation is already called that.
    let raw = if model.operations.iter().any(|op| op.rust_name == "request") {
        quote::format_ident!("raw_request")
    } else {
        quote::format_ident!("request")
    };
    let from_env_doc = format!(
        "A client configured from the environment: {credentials}{}.",
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
            username_env: #username_env,
            password_env: #password_env,
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
            const USER_AGENT: &'static str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

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

            /// A request the document does not describe: `method` to `path` under the base URL
            /// (no other origin), with this client's credential, retries, timeouts, response
            /// cap, tracing and redaction. Type the answer with `send::<T>()`, or read its
            /// bytes (`send_bytes`, `send_download`).
            pub fn #raw(&self, method: ::reqwest::Method, path: &str) -> ::api_runtime::RawRequest<'_> {
                ::api_runtime::RawRequest::new(&self.inner, &self.client, method, path)
            }
        }

        #webhooks
    }
}

/// Fails, located, when the webhook event names a schema that generated no type (one left
/// out of the client), instead of emitting code that does not compile.
pub(super) fn check_webhook_event(client: &syn::File, model: &ApiModel, file: &Path) -> Result<(), Error> {
    let Some(name) = model.webhook.as_ref().and_then(|w| w.event.as_deref()) else { return Ok(()) };
    let types = crate::rewrite::module(&client.items, "types");
    let defined = types.into_iter().flatten().any(|item| match item {
        syn::Item::Struct(s) => s.ident == name,
        syn::Item::Enum(e) => e.ident == name,
        syn::Item::Type(t) => t.ident == name,
        _ => false,
    });
    if defined {
        return Ok(());
    }
    let pointer = join(&join("", WEBHOOK_SIGNATURE), "event");
    let problem = format!("the event schema generated no type `{name}` (it was left out of the client)");
    Err(Error::new(file, pointer, ErrorKind::Invalid(problem)))
}

/// `pub mod webhooks` for a document declaring `x-webhook-signature`: its scheme as data and
/// `verify`, which answers the declared event's type, or JSON.
fn webhooks_module(signature: &WebhookSignature) -> TokenStream {
    let WebhookSignature { header, prefix, .. } = signature;
    let algorithm = match signature.algorithm {
        Algorithm::HmacSha1 => quote!(HmacSha1),
        Algorithm::HmacSha256 => quote!(HmacSha256),
        Algorithm::HmacSha512 => quote!(HmacSha512),
    };
    let encoding = match signature.encoding {
        Encoding::Hex => quote!(Hex),
        Encoding::Base64 => quote!(Base64),
    };
    let event = match &signature.event {
        // A name typify gave a component (`names::type_name`): an identifier, not spec text.
        Some(name) => {
            let ident = quote::format_ident!("{}", name);
            quote!(super::types::#ident)
        }
        None => quote!(::serde_json::Value),
    };
    quote! {
        /// Verifying the webhook deliveries this API signs.
        pub mod webhooks {
            /// How the API signs a delivery (the document's `x-webhook-signature`).
            pub static SIGNATURE: ::api_runtime::webhooks::WebhookSignature = ::api_runtime::webhooks::WebhookSignature {
                header: #header,
                algorithm: ::api_runtime::webhooks::Algorithm::#algorithm,
                encoding: ::api_runtime::webhooks::Encoding::#encoding,
                prefix: #prefix,
            };

            /// Checks the delivery's signature against the raw `body` with the webhook's
            /// `secret` (constant-time), then reads the event. Pass the body exactly as
            /// received, before any parsing.
            pub fn verify(
                headers: &::reqwest::header::HeaderMap,
                body: &[u8],
                secret: &::api_runtime::SecretString,
            ) -> ::std::result::Result<#event, ::api_runtime::webhooks::WebhookError> {
                ::api_runtime::webhooks::verify_event(&SIGNATURE, headers, body, secret)
            }
        }
    }
}
