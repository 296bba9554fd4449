//! Structural rewrites of progenitor's output (syn visitors), each checked: a rewrite that
//! does not find exactly what it expects fails generation (`ErrorKind::Rewrite`) instead of
//! silently producing another client. One module a concern, in the order emission runs them:
//!
//! - [`wire_values`]: enum values named by `x-enum-varnames` reach typify as markers and
//!   become the wire values again (counted, no marker may remain);
//! - [`methods`]: an OPTIONS or TRACE request is built with `request(Method, url)`, which
//!   reqwest's client has for every method (counted);
//! - [`forms`]: a multipart operation's builder sends its typed form;
//! - [`urlencoded`]: a form-urlencoded body and deepObject query parameters are sent as
//!   the spec's `encoding` and `style` say;
//! - [`send`]: every builder's `send` becomes `send_raw`, wrapped by a `send` that goes
//!   through the runtime (found by its `OperationInfo { operation_id: "…" }` literal; the
//!   wrapped operations must be the spec's), and progenitor's own `api-version` header goes;
//! - [`call_options`]: every builder takes options for its one call (`with_options`) and
//!   `send` hands them to the runtime (counted: every wrapped builder);
//! - [`wire_names`]: a parameter the `unique-parameter-names` rule renamed gets its wire name
//!   back (client and mock, counted);
//! - [`paginate`]: a paginated list's builder gets `pages()` and `stream()` (the plan's
//!   JSON fields found in the generated types; an operation whose fields are not found is
//!   reported, not paginated);
//! - [`runtime_error`]: the crate's `Error` is the runtime's;
//! - [`type_uses`]: each type gets what its use needs (builders, serde directions);
//! - [`open_enums`]: enums and unions an answer carries decode values the spec does not list;
//! - [`wire_numbers`]: every `f64` the client sends goes out whole when it is (`5`, not `5.0`);
//! - [`mock`]: progenitor's httpmock helpers made to compile (bodies borrowed, queries
//!   matched as serde writes them);
//! - [`docs`]: every doc comment made inert.

pub(crate) mod call_options;
pub mod docs;
pub(crate) mod forms;
pub(crate) mod methods;
pub(crate) mod mock;
pub(crate) mod open_enums;
pub(crate) mod paginate;
pub(crate) mod runtime_error;
pub(crate) mod send;
pub(crate) mod type_uses;
pub(crate) mod urlencoded;
pub(crate) mod wire_names;
pub(crate) mod wire_numbers;
pub(crate) mod wire_values;

pub(crate) use mock::{fix_mock_bodies, fix_mock_queries};
pub(crate) use runtime_error::export_runtime_error;
pub(crate) use send::wrap_send;
pub(crate) use wire_names::{Renamed, Scope, restore_wire_names};

use syn::visit::Visit;

/// The items of progenitor's `builder` module.
pub(crate) fn builder_module(file: &mut syn::File) -> Result<&mut Vec<syn::Item>, String> {
    module_mut(&mut file.items, "builder").ok_or_else(|| "progenitor's output has no `builder` module".to_string())
}

/// The items of the inline module `name` among `items`.
pub(crate) fn module<'a>(items: &'a [syn::Item], name: &str) -> Option<&'a Vec<syn::Item>> {
    items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    })
}

/// [`module`], to change.
pub(crate) fn module_mut<'a>(items: &'a mut [syn::Item], name: &str) -> Option<&'a mut Vec<syn::Item>> {
    items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// Collects the `operation_id` literal of every `OperationInfo { … }` it visits, in order.
pub(crate) struct OperationIds(pub(crate) Vec<String>);

impl Visit<'_> for OperationIds {
    fn visit_expr_struct(&mut self, node: &syn::ExprStruct) {
        if node.path.segments.last().is_some_and(|s| s.ident == "OperationInfo") {
            for field in &node.fields {
                if let (syn::Member::Named(name), syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(id), .. })) =
                    (&field.member, &field.expr)
                    && name == "operation_id"
                {
                    self.0.push(id.value());
                }
            }
        }
        syn::visit::visit_expr_struct(self, node);
    }
}

/// The index among `items` of the `impl` block sending each operation (the `OperationInfo`
/// literal in its `send`): one walk of each block, where looking each operation up by
/// walking blocks until one matches would walk them all again per operation.
pub(crate) fn impls_by_operation(items: &[syn::Item]) -> std::collections::HashMap<String, usize> {
    let mut found = std::collections::HashMap::new();
    for (index, item) in items.iter().enumerate() {
        let syn::Item::Impl(block) = item else { continue };
        let mut ids = OperationIds(Vec::new());
        ids.visit_item_impl(block);
        for id in ids.0 {
            found.entry(id).or_insert(index);
        }
    }
    found
}

#[cfg(test)]
pub(crate) mod test_support {
    use quote::quote;

    use super::*;

    pub(crate) fn operation_ids(file: &syn::File) -> Vec<String> {
        let mut ids = OperationIds(Vec::new());
        ids.visit_file(file);
        ids.0
    }

    pub(crate) fn render(file: &syn::File) -> String {
        quote!(#file).to_string()
    }

    /// progenitor's shape of a builder module, for one operation with the spec's own
    /// `api-version` header parameter.
    pub(crate) fn fixture(ops: &[&str]) -> syn::File {
        let impls = ops.iter().map(|op| {
            let ty = quote::format_ident!("B{}", op.len());
            quote! {
                pub struct #ty<'a> { client: &'a super::Client }
                impl<'a> #ty<'a> {
                    ///Sends a `GET` request to `/x`
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<types::Problem>> {
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
                        header_map.append(
                            ::reqwest::header::HeaderName::from_static("api-version"),
                            ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                        );
                        header_map.append("api-version", api_version.to_string().try_into()?);
                        let info = OperationInfo { operation_id: #op };
                        client.pre(&mut request, &info).await?;
                        todo!()
                    }
                }
            }
        });
        syn::parse_quote! {
            pub use progenitor_client::{ByteStream, Error, ResponseValue};
            pub mod builder {
                use super::{encode_path, Error, OperationInfo};
                #(#impls)*
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::operation_ids;

    #[test]
    fn operation_ids_are_read_from_literals() {
        let file: syn::File = syn::parse_quote! {
            fn f() { let info = OperationInfo { operation_id: "type_", other: 1 }; let s = "operation_id : \"fake\""; }
        };
        assert_eq!(operation_ids(&file), ["type_"]);
    }
}
