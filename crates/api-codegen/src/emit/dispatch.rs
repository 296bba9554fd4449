//! The dispatcher a client crate compiles with its `dispatch` feature: any operation by its
//! method name with JSON arguments (setter name → value), on top of
//! `api_runtime::dispatch`. It is read from the generated code itself (each `Client` method,
//! its builder's setters and their target types, what `send` answers), so it always matches
//! the client it is compiled with, whichever operations that client has.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

/// One operation builder: its setters (name, target type), whether `send` answers a stream
/// (bytes or items), and whether it has a `send_stream` beside a JSON `send`.
#[derive(Default)]
struct Builder {
    setters: Vec<(syn::Ident, Setter)>,
    streams: bool,
    send_stream: bool,
    /// A paginated list: `pages()` walks it.
    pages: bool,
    /// The struct derives `Clone` (progenitor's builders do, but for a streamed body).
    clone: bool,
}

/// What the dispatcher calls the streaming variant of `method` (`send_stream`): no Rust
/// name can collide with it.
pub const STREAM_SUFFIX: &str = ":stream";

/// What the dispatcher calls walking every page of `method` (`pages()`).
pub const PAGES_SUFFIX: &str = ":pages";

enum Setter {
    /// Takes a value of this type, deserialised from the JSON argument.
    Typed(Box<syn::Type>),
    /// Takes `reqwest::Body` (a non-JSON request body): the argument is a JSON string of the
    /// body's text.
    Raw,
    /// Takes a multipart form (`forms::X`): the argument is an object of the spec's
    /// properties (see `api_runtime::dispatch::form`).
    Form(Box<syn::Type>),
}

/// The dispatcher's source (a module body written against `crate::`) for the generated
/// client `file` (progenitor's items: `impl Client`, `mod builder`). Errors name what the
/// generated code lacks.
pub fn generate(file: &syn::File) -> Result<syn::File, String> {
    let methods = client_methods(&file.items);
    let builders = builders(&file.items)?;
    let mut operations = Vec::new();
    let mut arms = Vec::new();
    let mut prepare_arms = Vec::new();
    for (method, builder) in &methods {
        let b = builders
            .get(builder)
            .ok_or_else(|| format!("`Client::{method}` returns an unknown builder `{builder}`"))?;
        let name = method.to_string();
        let answer = if b.streams {
            quote!(d::stream_answer(request.send().await).await)
        } else {
            quote!(d::answer(request.send().await))
        };
        let setters = b.setters.iter().map(|(setter, kind)| {
            let key = setter.to_string();
            match kind {
                Setter::Typed(ty) => quote!(#key => request.#setter(d::argument::<#ty>(name, value)?)),
                Setter::Raw => quote!(#key => request.#setter(d::raw_body(name, value)?)),
                Setter::Form(ty) => quote!(#key => request.#setter(d::form::<#ty>(name, value)?)),
            }
        });
        let body = if b.setters.is_empty() {
            quote! {
                let request = client.#method();
                if let Some(name) = args.keys().next() {
                    return Err(CallError::UnknownArgument(#name, name.clone()));
                }
            }
        } else {
            quote! {
                let mut request = client.#method();
                for (name, value) in args {
                    request = match name.as_str() {
                        #(#setters,)*
                        _ => return Err(CallError::UnknownArgument(#name, name.clone())),
                    };
                }
            }
        };
        // The builder with its arguments set, once; each way of sending it below starts here.
        let built = quote::format_ident!("{method}_builder");
        operations.push(quote! {
            pub(super) fn #built<'a>(
                client: &'a crate::Client,
                args: &'a Map<String, Value>,
            ) -> Result<crate::builder::#builder<'a>, CallError> {
                #body
                Ok(request)
            }
        });
        let mut sent = |suffix: &str, key: String, answer: TokenStream| {
            let function = quote::format_ident!("{method}{suffix}");
            operations.push(quote! {
                pub(super) fn #function<'a>(client: &'a crate::Client, args: &'a Map<String, Value>) -> CallFuture<'a> {
                    Box::pin(async move {
                        let request = #built(client, args)?;
                        #answer
                    })
                }
            });
            arms.push(quote!(#key => operations::#function(self, args)));
        };
        sent("", name.clone(), answer);
        if b.send_stream {
            sent(
                "_streaming",
                format!("{name}{STREAM_SUFFIX}"),
                quote!(d::stream_answer(request.send_stream().await).await),
            );
        }
        if b.pages {
            sent("_pages", format!("{name}{PAGES_SUFFIX}"), quote!(d::walk(request.pages()).await));
        }
        if b.clone && !b.streams {
            let prepared = quote::format_ident!("{method}_prepared");
            operations.push(quote! {
                pub(super) fn #prepared<'a>(
                    client: &'a crate::Client,
                    args: &'a Map<String, Value>,
                ) -> Result<Box<dyn d::Prepared<'a> + 'a>, CallError> {
                    Ok(Box::new(d::Typed::new(#built(client, args)?, crate::builder::#builder::send)))
                }
            });
            prepare_arms.push(quote!(#name => operations::#prepared(self, args)));
        }
    }
    let count = methods.len();
    let uses_forms = builders.values().flat_map(|b| &b.setters).any(|(_, kind)| matches!(kind, Setter::Form(_)));
    let forms = uses_forms.then(|| {
        quote!(
            use crate::forms;
        )
    });
    let doc = format!("Every operation of this client ({count}), callable by its method name with JSON arguments.");
    let tokens: TokenStream = quote! {
        use ::api_runtime::dispatch::{self as d, CallError, CallFuture};
        use ::serde_json::{Map, Value};

        #[doc = #doc]
        pub static VENDOR: d::Dispatcher = d::Dispatcher { api: &crate::API, connect, connect_once, from_env };

        /// A client with this key, talking to `base_url`.
        pub fn connect(base_url: &str, key: &str) -> d::Connected {
            Ok(Box::new(crate::Client::builder().api_key(key).base_url(base_url).build()?))
        }

        /// Like [`connect`], but every call sends one request: no retry.
        pub fn connect_once(base_url: &str, key: &str) -> d::Connected {
            Ok(Box::new(crate::Client::builder().api_key(key).base_url(base_url).retries(0).build()?))
        }

        /// A client configured from the environment.
        pub fn from_env() -> d::Connected {
            Ok(Box::new(crate::Client::from_env()?))
        }

        impl d::Caller for crate::Client {
            fn call<'a>(&'a self, method: &'a str, args: &'a Map<String, Value>) -> CallFuture<'a> {
                match method {
                    #(#arms,)*
                    _ => Box::pin(async move { Err(CallError::UnknownOperation(method.to_string())) }),
                }
            }

            fn prepare<'a>(
                &'a self,
                method: &'a str,
                args: &'a Map<String, Value>,
            ) -> Result<Box<dyn d::Prepared<'a> + 'a>, CallError> {
                match method {
                    #(#prepare_arms,)*
                    _ => Err(CallError::NotPreparable(method.to_string())),
                }
            }
        }

        /// One function per operation, each boxing its own future: no single stack frame
        /// holds them all (a debug build gives every match arm's future its own slot).
        // `type_` (a keyword's method name) makes `type__builder`: names, not style.
        #[allow(non_snake_case)]
        mod operations {
            use super::*;
            use crate::types;
            #forms

            #(#operations)*
        }
    };
    syn::parse2(tokens).map_err(|e| format!("the dispatcher does not parse: {e}"))
}

/// `impl Client` methods returning `builder::X<'_>`: (method, X), in order.
fn client_methods(items: &[syn::Item]) -> Vec<(syn::Ident, syn::Ident)> {
    let mut methods = Vec::new();
    for item in items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || !is_named(&imp.self_ty, "Client") {
            continue;
        }
        for member in &imp.items {
            let syn::ImplItem::Fn(f) = member else { continue };
            if !matches!(f.vis, syn::Visibility::Public(_)) {
                continue;
            }
            let syn::ReturnType::Type(_, ty) = &f.sig.output else { continue };
            let syn::Type::Path(path) = &**ty else { continue };
            let segments: Vec<&syn::PathSegment> = path.path.segments.iter().collect();
            if let [module, builder] = segments.as_slice()
                && module.ident == "builder"
            {
                methods.push((f.sig.ident.clone(), builder.ident.clone()));
            }
        }
    }
    methods
}

/// The builders of the top-level `builder` module (not `types::builder`, whose names may
/// repeat an operation's), by struct name.
fn builders(items: &[syn::Item]) -> Result<BTreeMap<syn::Ident, Builder>, String> {
    let module = items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, items)| items),
            _ => None,
        })
        .ok_or("the generated client has no `builder` module")?;
    let mut builders: BTreeMap<syn::Ident, Builder> = BTreeMap::new();
    for item in module {
        if let syn::Item::Struct(s) = item {
            builders.entry(s.ident.clone()).or_default().clone = derives_clone(&s.attrs);
        }
    }
    for item in module {
        let syn::Item::Impl(imp) = item else { continue };
        let syn::Type::Path(self_ty) = &*imp.self_ty else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.clone()) else { continue };
        let entry = builders.entry(name).or_default();
        for member in &imp.items {
            let syn::ImplItem::Fn(f) = member else { continue };
            if !matches!(f.vis, syn::Visibility::Public(_)) {
                continue;
            }
            if f.sig.ident == "send" {
                entry.streams = matches!(&f.sig.output, syn::ReturnType::Type(_, ty)
                    if ["ByteStream", "EventStream", "ByteDownload"].iter().any(|n| names(ty, n)));
            } else if f.sig.ident == "send_stream" {
                entry.send_stream = true;
            } else if f.sig.ident == "pages" {
                entry.pages = true;
            } else if let Some(ty) = setter_target(f) {
                let kind = if is_raw_body(&ty) {
                    Setter::Raw
                } else if is_form(&ty) {
                    Setter::Form(Box::new(ty))
                } else {
                    Setter::Typed(Box::new(ty))
                };
                entry.setters.push((f.sig.ident.clone(), kind));
            }
        }
    }
    Ok(builders)
}

/// Whether `#[derive(..)]` among `attrs` names `Clone`.
fn derives_clone(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().filter(|a| a.path().is_ident("derive")).any(|a| {
        a.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
            .is_ok_and(|paths| paths.iter().any(|p| p.is_ident("Clone")))
    })
}

/// `reqwest::Body`, progenitor's type for an octet-stream or text request body: it does not
/// deserialise, so the dispatcher builds it from a JSON string.
fn is_raw_body(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p)
        if p.path.segments.last().is_some_and(|s| s.ident == "Body")
            && p.path.segments.iter().any(|s| s.ident == "reqwest"))
}

/// `forms::X`, a multipart form (`forms.rs`).
fn is_form(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.len() == 2 && p.path.segments[0].ident == "forms")
}

fn is_named(ty: &syn::Type, name: &str) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name))
}

/// Whether `ty` mentions a path segment `name` anywhere (in a generic argument, too).
fn names(ty: &syn::Type, name: &str) -> bool {
    struct Finder<'n>(&'n str, bool);
    impl syn::visit::Visit<'_> for Finder<'_> {
        fn visit_path_segment(&mut self, segment: &syn::PathSegment) {
            self.1 |= segment.ident == self.0;
            syn::visit::visit_path_segment(self, segment);
        }
    }
    let mut finder = Finder(name, false);
    syn::visit::Visit::visit_type(&mut finder, ty);
    finder.1
}

/// `T` of a setter's `where V: std::convert::TryInto<T>`.
fn setter_target(f: &syn::ImplItemFn) -> Option<syn::Type> {
    let clause = f.sig.generics.where_clause.as_ref()?;
    for predicate in &clause.predicates {
        let syn::WherePredicate::Type(p) = predicate else { continue };
        for bound in &p.bounds {
            let syn::TypeParamBound::Trait(t) = bound else { continue };
            let Some(last) = t.path.segments.last() else { continue };
            if last.ident != "TryInto" {
                continue;
            }
            if let syn::PathArguments::AngleBracketed(args) = &last.arguments
                && let Some(syn::GenericArgument::Type(ty)) = args.args.first()
            {
                return Some(ty.clone());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_arm_per_client_method_with_its_setters() {
        let client: syn::File = syn::parse_quote! {
            impl Client {
                pub fn get_thing(&self) -> builder::GetThing<'_> { builder::GetThing::new(self) }
                pub fn baseurl(&self) -> &String { &self.baseurl }
            }
            pub mod types {
                pub mod builder {
                    pub struct GetThing;
                    impl GetThing { pub fn other<V>(self, v: V) -> Self where V: TryInto<u8> { self } }
                }
            }
            pub mod builder {
                pub struct GetThing<'a>;
                impl<'a> GetThing<'a> {
                    pub fn id<V>(mut self, value: V) -> Self where V: std::convert::TryInto<::std::string::String> { self }
                    pub fn body_map<F>(self, f: F) -> Self where F: FnOnce(u8) -> u8 { self }
                    pub fn upload<B>(self, b: B) -> Self where B: std::convert::TryInto<reqwest::Body> { self }
                    pub fn form<V>(self, v: V) -> Self where V: std::convert::TryInto<forms::GetThing> { self }
                    pub async fn send(self) -> Result<ResponseValue<ByteStream>, Error<()>> { todo!() }
                }
            }
        };
        // Whitespace aside: prettyplease wraps lines by their nesting.
        let dispatch: String =
            prettyplease::unparse(&generate(&client).unwrap()).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(dispatch.contains("\"get_thing\" => operations::get_thing(self, args)"), "{dispatch}");
        assert!(
            dispatch.contains("\"id\" => request.id(d::argument::<::std::string::String>(name, value)?)"),
            "{dispatch}"
        );
        assert!(!dispatch.contains("other") && !dispatch.contains("body_map") && !dispatch.contains("baseurl"));
        assert!(dispatch.contains("\"upload\" => request.upload(d::raw_body(name, value)?)"), "{dispatch}");
        assert!(dispatch.contains("d::stream_answer(request.send().await).await"), "{dispatch}");
        assert!(dispatch.contains("\"form\" => request.form(d::form::<forms::GetThing>(name, value)?)"), "{dispatch}");
        assert!(dispatch.contains("use crate::types; use crate::forms;"), "{dispatch}");
        assert!(dispatch.contains("Every operation of this client (1)"));
        assert!(!dispatch.contains("get_thing_prepared"), "a stream, and a builder that is not Clone: {dispatch}");
    }

    #[test]
    fn a_cloneable_builder_answering_json_can_be_prepared() {
        let client: syn::File = syn::parse_quote! {
            impl Client {
                pub fn post_thing(&self) -> builder::PostThing<'_> { builder::PostThing::new(self) }
            }
            pub mod builder {
                #[derive(Debug, Clone)]
                pub struct PostThing<'a>;
                impl<'a> PostThing<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<()>> { todo!() }
                }
            }
        };
        let dispatch: String =
            prettyplease::unparse(&generate(&client).unwrap()).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(dispatch.contains("\"post_thing\" => operations::post_thing_prepared(self, args)"), "{dispatch}");
        assert!(
            dispatch.contains("d::Typed::new( post_thing_builder(client, args)?, crate::builder::PostThing::send, )"),
            "{dispatch}"
        );
    }

    #[test]
    fn a_method_without_its_builder_is_an_error() {
        let client: syn::File = syn::parse_quote! {
            impl Client { pub fn lost(&self) -> builder::Lost<'_> { todo!() } }
            pub mod builder {}
        };
        assert!(generate(&client).err().unwrap().contains("`Client::lost` returns an unknown builder `Lost`"));
    }
}
