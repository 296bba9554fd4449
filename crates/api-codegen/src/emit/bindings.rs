//! What binds a generated client to the runtime: `static API` (the `ApiDescription`: auth
//! schemes, constant headers, environment variables, secret fields), the `ClientHooks` impl
//! and `Client::builder()` / `from_env()`. Every value is quoted as a literal: spec text
//! never becomes code.

use proc_macro2::TokenStream;
use quote::quote;

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
        }
    }
}
