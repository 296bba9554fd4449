//! Whole numbers go out without a fraction: every `f64` the client sends is written through
//! `api_runtime::wire` (`limit=5`, `"since": 1540095775941`, where serde writes `5.0`), as the
//! vendors' SDKs write them.
//!
//! - Fields of type `f64` or `Option<f64>` of the types in `mod types` (struct fields and the
//!   fields of enum variants) get `#[serde(serialize_with = …)]`; reading is unchanged.
//! - Query parameters of such a type: progenitor's `QueryParam::new("limit", &limit)` in a
//!   builder whose field `limit` is an `f64` (or an optional one) sends
//!   `&api_runtime::wire::Number(&limit)`. Path and header values are written with `Display`,
//!   which already writes `5`.

use std::collections::{BTreeMap, BTreeSet};

use syn::parse_quote;
use syn::visit_mut::VisitMut;

use crate::rewrite::open_enums::derives;
use crate::rewrite::{builder_module, module_mut};

/// What [`apply`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Numbers {
    pub fields: usize,
    pub query_parameters: usize,
}

pub fn apply(file: &mut syn::File) -> Result<Numbers, String> {
    let mut numbers = Numbers::default();
    let types = module_mut(&mut file.items, "types").ok_or("progenitor's output has no `types` module")?;
    for item in types.iter_mut() {
        // Only what is sent: a type that derives `Serialize` (a `#[serde]` attribute needs a
        // serde derive anyway).
        let fields: Vec<&mut syn::Field> = match item {
            syn::Item::Struct(s) if derives(&s.attrs, "Serialize") => s.fields.iter_mut().collect(),
            syn::Item::Enum(e) if derives(&e.attrs, "Serialize") => {
                e.variants.iter_mut().flat_map(|v| v.fields.iter_mut()).collect()
            }
            _ => continue,
        };
        for field in fields {
            let with = match number_kind(&field.ty) {
                Some(Kind::Plain) => "::api_runtime::wire::number",
                Some(Kind::Optional) => "::api_runtime::wire::optional_number",
                None => continue,
            };
            field.attrs.push(parse_quote! { #[serde(serialize_with = #with)] });
            numbers.fields += 1;
        }
    }

    // Builders' number fields, by builder: `limit: Result<Option<f64>, String>`.
    let builders = builder_module(file)?;
    let mut by_builder: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in builders.iter() {
        let syn::Item::Struct(s) = item else { continue };
        for field in &s.fields {
            let (Some(name), Some(inner)) = (&field.ident, result_ok(&field.ty)) else { continue };
            if number_kind(inner).is_some() {
                by_builder.entry(s.ident.to_string()).or_default().insert(name.to_string());
            }
        }
    }
    for item in builders.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        let syn::Type::Path(self_ty) = &*imp.self_ty else { continue };
        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else { continue };
        let Some(fields) = by_builder.get(&name) else { continue };
        let mut wrap = WrapQuery { fields, wrapped: 0 };
        wrap.visit_item_impl_mut(imp);
        numbers.query_parameters += wrap.wrapped;
    }
    Ok(numbers)
}

enum Kind {
    Plain,
    Optional,
}

/// `f64`, or `Option<f64>` by any path.
fn number_kind(ty: &syn::Type) -> Option<Kind> {
    let syn::Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident == "f64" && path.path.segments.len() == 1 {
        return Some(Kind::Plain);
    }
    if last.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.first()? {
        syn::GenericArgument::Type(inner) => matches!(number_kind(inner), Some(Kind::Plain)).then_some(Kind::Optional),
        _ => None,
    }
}

/// `T` of `Result<T, _>`.
fn result_ok(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else { return None };
    let last = path.path.segments.last().filter(|s| s.ident == "Result")?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.first()? {
        syn::GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}

/// Wraps the value of `QueryParam::new(name, &field)` for the builder's number fields.
struct WrapQuery<'a> {
    fields: &'a BTreeSet<String>,
    wrapped: usize,
}

impl VisitMut for WrapQuery<'_> {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        syn::visit_mut::visit_expr_call_mut(self, call);
        let syn::Expr::Path(function) = &*call.func else { return };
        let names_query_param = {
            let segments: Vec<String> = function.path.segments.iter().map(|s| s.ident.to_string()).collect();
            segments.ends_with(&["QueryParam".to_string(), "new".to_string()])
        };
        if !names_query_param || call.args.len() != 2 {
            return;
        }
        let Some(syn::Expr::Reference(value)) = call.args.iter_mut().nth(1) else { return };
        let syn::Expr::Path(local) = &*value.expr else { return };
        let Some(ident) = local.path.get_ident() else { return };
        if !self.fields.contains(&ident.to_string()) {
            return;
        }
        let ident = ident.clone();
        *value.expr = parse_quote! { ::api_runtime::wire::Number(&#ident) };
        self.wrapped += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_fields_and_query_parameters_are_written_whole() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Serialize)]
                pub struct Body {
                    pub since: f64,
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub limit: ::std::option::Option<f64>,
                    pub count: i64,
                    pub ratios: ::std::vec::Vec<f64>,
                }
            }
            pub mod builder {
                pub struct GetThings<'a> {
                    client: &'a super::Client,
                    limit: Result<Option<f64>, String>,
                    slug: Result<Option<String>, String>,
                }
                impl<'a> GetThings<'a> {
                    pub async fn send(self) {
                        let Self { client, limit, slug } = self;
                        let request = client
                            .get()
                            .query(&progenitor_client::QueryParam::new("limit", &limit))
                            .query(&progenitor_client::QueryParam::new("slug", &slug));
                    }
                }
            }
        };
        let numbers = apply(&mut file).unwrap();
        assert_eq!(numbers, Numbers { fields: 2, query_parameters: 1 });
        let code = prettyplease::unparse(&file);
        assert!(
            code.contains("#[serde(serialize_with = \"::api_runtime::wire::number\")]\n        pub since: f64"),
            "{code}"
        );
        assert!(code.contains("serialize_with = \"::api_runtime::wire::optional_number\""), "{code}");
        assert!(code.contains("\"limit\",\n                        &::api_runtime::wire::Number(&limit),"), "{code}");
        assert!(code.contains("QueryParam::new(\"slug\", &slug)"), "{code}");
    }
}
