//! A paginated operation's builder gets `pages()` (a `Stream` of whole answers) and, when
//! every shape of the answer holds items of one type, `stream()` (a `Stream` of items), both
//! over `api_runtime::paginate`. The plan names the fields by their JSON names
//! ([`crate::plan::Pagination`]); this finds them in the generated types (a field's
//! `#[serde(rename)]` or its name, through `Option`, `Box`, newtypes and union variants) and
//! writes the accessors as code. An operation whose fields cannot be found is not paginated
//! and is reported, never a failed generation.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit::Visit;

use super::{OperationIds, builder_module, module};
use crate::plan::{NextCursor, Pagination};

/// What the rewrite did: the operations that page, and why the others planned do not.
#[derive(Debug, Default)]
pub struct Paginated {
    pub walked: Vec<String>,
    pub not_walked: Vec<(String, String)>,
}

/// How deep accessors follow types (a recursive schema has no end).
const DEPTH: usize = 24;

/// Adds `pages()`/`stream()` to the builder of each operation of `planned` (method name →
/// its pagination).
pub fn apply(file: &mut syn::File, planned: &BTreeMap<String, Pagination>) -> Result<Paginated, String> {
    let mut paginated = Paginated::default();
    if planned.is_empty() {
        return Ok(paginated);
    }
    let types: BTreeMap<String, syn::Item> = module(&file.items, "types")
        .into_iter()
        .flatten()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some((s.ident.to_string(), item.clone())),
            syn::Item::Enum(e) => Some((e.ident.to_string(), item.clone())),
            _ => None,
        })
        .collect();
    let builder = builder_module(file)?;
    let structs: BTreeMap<String, syn::ItemStruct> = builder
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some((s.ident.to_string(), s.clone())),
            _ => None,
        })
        .collect();
    for item in builder.iter_mut() {
        let syn::Item::Impl(block) = item else { continue };
        let Some(operation) = operation_of(block) else { continue };
        let Some(paging) = planned.get(&operation) else { continue };
        let resolver = Resolver { types: &types };
        match methods(block, &structs, &resolver, &operation, paging) {
            Ok(added) => {
                block.items.extend(added);
                paginated.walked.push(operation);
            }
            Err(why) => paginated.not_walked.push((operation, why)),
        }
    }
    for operation in planned.keys() {
        let seen = paginated.walked.contains(operation) || paginated.not_walked.iter().any(|(o, _)| o == operation);
        if !seen {
            paginated.not_walked.push((operation.clone(), "its builder has no `send`".into()));
        }
    }
    Ok(paginated)
}

/// The operation a builder's `impl` sends (its `send_raw`'s `OperationInfo` literal).
fn operation_of(block: &syn::ItemImpl) -> Option<String> {
    let raw = block.items.iter().find_map(|i| match i {
        syn::ImplItem::Fn(f) if f.sig.ident == "send_raw" => Some(f),
        _ => None,
    })?;
    let mut ids = OperationIds(Vec::new());
    ids.visit_block(&raw.block);
    <[String; 1]>::try_from(ids.0).ok().map(|[id]| id)
}

/// `pages()` and, where the items have one type, `stream()`.
fn methods(
    block: &syn::ItemImpl,
    structs: &BTreeMap<String, syn::ItemStruct>,
    resolver: &Resolver<'_>,
    operation: &str,
    paging: &Pagination,
) -> Result<Vec<syn::ImplItem>, String> {
    let send = block
        .items
        .iter()
        .find_map(|i| match i {
            syn::ImplItem::Fn(f) if f.sig.ident == "send" => Some(f),
            _ => None,
        })
        .ok_or("its builder has no `send`")?;
    let (page, error) = answer_types(&send.sig.output).ok_or("its `send` does not answer one JSON document")?;
    let syn::Type::Path(self_ty) = &*block.self_ty else { return Err("its builder is not a named type".into()) };
    let name = self_ty.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
    let shape = structs.get(&name).ok_or("its builder struct is not generated")?;
    if !derives_clone(&shape.attrs) {
        return Err("its builder cannot be copied for the next page (it holds a body that is read once)".into());
    }
    let lifetime =
        block.generics.lifetimes().next().map(|l| l.lifetime.clone()).ok_or("its builder borrows no client")?;
    let raw = block
        .items
        .iter()
        .find_map(|i| match i {
            syn::ImplItem::Fn(f) if f.sig.ident == "send_raw" => Some(f),
            _ => None,
        })
        .ok_or("its builder has no `send_raw`")?;
    let setter = query_variable(&raw.block, &paging.cursor)
        .ok_or_else(|| format!("its request sends no query parameter `{}`", paging.cursor))?;
    let advance = advance(shape, &setter, resolver.types)?;

    let cursor = match &paging.next {
        NextCursor::Field(path) => resolver.access(&page, path, quote!(page), &Leaf::Cursor, 0),
        NextCursor::LastItem(path) => resolver.access(&page, &paging.items, quote!(page), &Leaf::LastItem(path), 0),
    }
    .ok_or_else(|| format!("no typed cursor at `{}`", describe_next(&paging.next)))?;
    let count = resolver
        .access(&page, &paging.items, quote!(page), &Leaf::Count, 0)
        .ok_or_else(|| format!("no typed items array at `{}`", paging.items.join(".")))?;
    let has_more = match &paging.has_more {
        Some(path) => {
            let flag = resolver
                .access(&page, path, quote!(page), &Leaf::Flag, 0)
                .ok_or_else(|| format!("no typed boolean at `{}`", path.join(".")))?;
            quote!(|page| #flag)
        }
        None => quote!(|_| ::std::option::Option::None),
    };
    let mut item_types = Vec::new();
    let items = resolver.owned_items(&page, &paging.items, quote!(page), &mut item_types, 0);

    let doc_pages = format!(
        " Every page of the list, each an ordinary call (retries, redaction, a span per page): the \
         next asks `{}` = {}. The walk ends at a missing cursor or an empty page{}; a cursor that \
         repeats is an error. Every other argument set on this builder (a page size) is kept.",
        paging.cursor,
        describe_next(&paging.next),
        paging.has_more.as_ref().map(|p| format!(" or `{}: false`", p.join("."))).unwrap_or_default()
    );
    let answer = quote!(::std::result::Result<ResponseValue<#page>, ::api_runtime::Error<#error>>);
    let mut added: Vec<syn::ImplItem> = vec![syn::parse_quote! {
        #[doc = #doc_pages]
        pub fn pages(self) -> ::api_runtime::paginate::Pages<Self, #page, #error, impl ::std::future::Future<Output = #answer> + #lifetime> {
            ::api_runtime::paginate::Pages::new(
                #operation,
                self,
                |builder| builder.send(),
                ::api_runtime::paginate::Paging {
                    cursor: |page| #cursor,
                    has_more: #has_more,
                    count: |page| (#count).unwrap_or(0),
                    advance: #advance,
                },
            )
        }
    }];
    // One item type across the answer's shapes: `stream()`; otherwise only whole pages.
    let first = item_types.first().map(|t| quote!(#t).to_string());
    let one_type = first.is_some() && item_types.iter().all(|t| Some(quote!(#t).to_string()) == first);
    if let (Some(items), true, Some(item)) = (items, one_type, item_types.first()) {
        let doc_stream = format!(
            " Every item of every page (`{}`), fetched page by page as the stream is read; see \
             [`Self::pages`].",
            paging.items.join(".")
        );
        added.push(syn::parse_quote! {
            #[doc = #doc_stream]
            pub fn stream(self) -> ::api_runtime::paginate::Items<Self, #page, #error, #item, impl ::std::future::Future<Output = #answer> + #lifetime> {
                self.pages().items(|page| (#items).unwrap_or_default())
            }
        });
    }
    Ok(added)
}

fn describe_next(next: &NextCursor) -> String {
    match next {
        NextCursor::Field(path) => format!("the answer's `{}`", path.join(".")),
        NextCursor::LastItem(path) => format!("the last item's `{}`", path.join(".")),
    }
}

/// `P` and `E` of `Result<ResponseValue<P>, ::api_runtime::Error<E>>`.
fn answer_types(output: &syn::ReturnType) -> Option<(syn::Type, syn::Type)> {
    let syn::ReturnType::Type(_, ty) = output else { return None };
    let [ok, err] = type_args(ty, "Result")?.try_into().ok()?;
    let [page] = type_args(&ok, "ResponseValue")?.try_into().ok()?;
    let [error] = type_args(&err, "Error")?.try_into().ok()?;
    Some((page, error))
}

/// The type arguments of `ty` when its last segment is `name`.
fn type_args(ty: &syn::Type, name: &str) -> Option<Vec<syn::Type>> {
    let syn::Type::Path(path) = ty else { return None };
    let last = path.path.segments.last().filter(|s| s.ident == name)?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return Some(Vec::new()) };
    Some(
        args.args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
            .collect(),
    )
}

fn derives_clone(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().filter(|a| a.path().is_ident("derive")).any(|a| {
        let mut found = false;
        let _ = a.parse_nested_meta(|meta| {
            found |= meta.path.is_ident("Clone");
            Ok(())
        });
        found
    })
}

/// The variable progenitor sends as query parameter `wire`: `QueryParam::new("wire", &x)`.
fn query_variable(block: &syn::Block, wire: &str) -> Option<syn::Ident> {
    struct Find<'w>(&'w str, Option<syn::Ident>);
    impl<'ast> Visit<'ast> for Find<'_> {
        fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
            if let syn::Expr::Path(func) = &*call.func
                && func.path.segments.iter().rev().nth(1).is_some_and(|s| s.ident == "QueryParam")
                && let [syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(name), .. }), value] =
                    call.args.iter().collect::<Vec<_>>().as_slice()
                && name.value() == self.0
                && let syn::Expr::Reference(value) = value
                && let syn::Expr::Path(variable) = &*value.expr
                && let Some(ident) = variable.path.get_ident()
            {
                self.1 = Some(ident.clone());
            }
            syn::visit::visit_expr_call(self, call);
        }
    }
    let mut find = Find(wire, None);
    find.visit_block(block);
    find.1
}

/// `advance`: the builder with the cursor set through its own setter, converted to the
/// parameter's type (a `Result<Option<T>, String>` field).
fn advance(
    shape: &syn::ItemStruct,
    setter: &syn::Ident,
    types: &BTreeMap<String, syn::Item>,
) -> Result<TokenStream, String> {
    let field = shape
        .fields
        .iter()
        .find(|f| f.ident.as_ref() == Some(setter))
        .ok_or_else(|| format!("its builder has no field `{setter}`"))?;
    let inner = type_args(&field.ty, "Result")
        .and_then(|args| args.into_iter().next())
        .and_then(|ok| type_args(&ok, "Option"))
        .and_then(|args| args.into_iter().next())
        .ok_or_else(|| format!("its builder field `{setter}` is not an optional parameter"))?;
    let kind = last_ident(&inner).unwrap_or_default();
    // A constrained string (`maxLength`: Stripe's `starting_after`) is typify's newtype of a
    // `String`, which its setter takes a `String` for (`TryFrom<String>`, checked on send).
    let text_newtype = matches!(types.get(&kind), Some(syn::Item::Struct(s))
        if matches!(&s.fields, syn::Fields::Unnamed(f)
            if f.unnamed.len() == 1 && last_ident(&f.unnamed[0].ty).as_deref() == Some("String")));
    Ok(match kind.as_str() {
        _ if text_newtype => {
            quote!(|builder, cursor| ::std::result::Result::Ok(builder.#setter(cursor.into_text())))
        }
        "String" => quote!(|builder, cursor| ::std::result::Result::Ok(builder.#setter(cursor.into_text()))),
        "f64" | "f32" => quote! {
            |builder, cursor| cursor
                .as_f64()
                .map(|n| builder.#setter(n as #inner))
                .ok_or("the next-page cursor is not a number")
        },
        "i64" | "i32" | "i16" | "i8" | "u64" | "u32" | "u16" | "u8" | "isize" | "usize" => quote! {
            |builder, cursor| cursor
                .as_i64()
                .map(|n| builder.#setter(n))
                .ok_or("the next-page cursor is not a whole number")
        },
        _ => return Err(format!("its cursor parameter `{setter}` is a `{}`, not a string or number", quote!(#inner))),
    })
}

fn last_ident(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// What an accessor reads at the end of its path, from a `&T`, as an `Option<_>` expression.
enum Leaf<'p> {
    /// A next-page cursor (`Option<Cursor>`).
    Cursor,
    /// A boolean (`Option<bool>`).
    Flag,
    /// An array's length (`Option<usize>`).
    Count,
    /// The cursor at this path of an array's last item.
    LastItem(&'p [String]),
}

/// Finds JSON fields in the generated types.
struct Resolver<'t> {
    types: &'t BTreeMap<String, syn::Item>,
}

const SCALARS: &[&str] = &["String", "f64", "f32", "i64", "i32", "i16", "i8", "u64", "u32", "u16", "u8"];

impl Resolver<'_> {
    /// An expression reading `path` from `expr` (a `&ty`) as `Option<_>` of `leaf`, or `None`
    /// when the types have no such field.
    fn access(
        &self,
        ty: &syn::Type,
        path: &[String],
        expr: TokenStream,
        leaf: &Leaf<'_>,
        depth: usize,
    ) -> Option<TokenStream> {
        if depth > DEPTH {
            return None;
        }
        let name = last_ident(ty)?;
        match name.as_str() {
            "Option" => {
                let [inner] = type_args(ty, "Option")?.try_into().ok()?;
                let read = self.access(&inner, path, quote!(v), leaf, depth + 1)?;
                return Some(quote!((#expr).as_ref().and_then(|v| #read)));
            }
            "Box" => {
                let [inner] = type_args(ty, "Box")?.try_into().ok()?;
                return self.access(&inner, path, quote!(&**(#expr)), leaf, depth + 1);
            }
            _ => {}
        }
        if path.is_empty() {
            match (leaf, name.as_str()) {
                (Leaf::Cursor, scalar) if SCALARS.contains(&scalar) => {
                    return Some(quote!(::api_runtime::paginate::ToCursor::to_cursor(#expr)));
                }
                (Leaf::Flag, "bool") => return Some(quote!(::std::option::Option::Some(*(#expr)))),
                (Leaf::Count, "Vec") => return Some(quote!(::std::option::Option::Some((#expr).len()))),
                (Leaf::LastItem(field), "Vec") => {
                    let [item] = type_args(ty, "Vec")?.try_into().ok()?;
                    let read = self.access(&item, field, quote!(v), &Leaf::Cursor, depth + 1)?;
                    return Some(quote!((#expr).last().and_then(|v| #read)));
                }
                _ => {}
            }
        }
        self.through_type(&name, path, expr, true, depth, |ty, path, expr| self.access(ty, path, expr, leaf, depth + 1))
    }

    /// An expression taking the items at `path` out of `expr` (an owned `ty`) as
    /// `Option<Vec<I>>`; each `I` found is pushed to `items`.
    fn owned_items(
        &self,
        ty: &syn::Type,
        path: &[String],
        expr: TokenStream,
        items: &mut Vec<syn::Type>,
        depth: usize,
    ) -> Option<TokenStream> {
        if depth > DEPTH {
            return None;
        }
        let name = last_ident(ty)?;
        match name.as_str() {
            "Option" => {
                let [inner] = type_args(ty, "Option")?.try_into().ok()?;
                let read = self.owned_items(&inner, path, quote!(v), items, depth + 1)?;
                return Some(quote!((#expr).and_then(|v| #read)));
            }
            "Box" => {
                let [inner] = type_args(ty, "Box")?.try_into().ok()?;
                return self.owned_items(&inner, path, quote!((*(#expr))), items, depth + 1);
            }
            "Vec" if path.is_empty() => {
                let [item] = type_args(ty, "Vec")?.try_into().ok()?;
                items.push(qualified(&item, self.types));
                return Some(quote!(::std::option::Option::Some(#expr)));
            }
            _ => {}
        }
        let found = std::cell::RefCell::new(Vec::new());
        let read = self.through_type(&name, path, expr, false, depth, |ty, path, expr| {
            self.owned_items(ty, path, expr, &mut found.borrow_mut(), depth + 1)
        });
        items.extend(found.into_inner());
        read
    }

    /// Steps into the generated type `name`: a struct's field (by JSON name), a newtype's
    /// value, a union's variants (each read with `next`; the others answer `None`). `expr` is
    /// a `&` of it when `borrowed`, else the value.
    fn through_type(
        &self,
        name: &str,
        path: &[String],
        expr: TokenStream,
        borrowed: bool,
        depth: usize,
        next: impl Fn(&syn::Type, &[String], TokenStream) -> Option<TokenStream>,
    ) -> Option<TokenStream> {
        if depth > DEPTH {
            return None;
        }
        let by = if borrowed { quote!(&) } else { TokenStream::new() };
        match self.types.get(name)? {
            syn::Item::Struct(s) => match &s.fields {
                syn::Fields::Named(fields) => {
                    let (first, rest) = path.split_first()?;
                    let field = fields.named.iter().find(|f| json_name(f).as_deref() == Some(first))?;
                    let ident = field.ident.as_ref()?;
                    next(&field.ty, rest, quote!(#by (#expr).#ident))
                }
                syn::Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                    next(&fields.unnamed[0].ty, path, quote!(#by (#expr).0))
                }
                _ => None,
            },
            syn::Item::Enum(e) => {
                let enum_ident = &e.ident;
                let mut arms = Vec::new();
                for variant in &e.variants {
                    let v = &variant.ident;
                    let arm = match &variant.fields {
                        syn::Fields::Named(fields) => {
                            let Some((first, rest)) = path.split_first() else { continue };
                            let Some(field) = fields.named.iter().find(|f| json_name(f).as_deref() == Some(first))
                            else {
                                continue;
                            };
                            let ident = field.ident.as_ref()?;
                            next(&field.ty, rest, quote!(v))
                                .map(|read| quote!(types::#enum_ident::#v { #ident: v, .. } => #read,))
                        }
                        syn::Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                            next(&fields.unnamed[0].ty, path, quote!(v))
                                .map(|read| quote!(types::#enum_ident::#v(v) => #read,))
                        }
                        _ => None,
                    };
                    arms.extend(arm);
                }
                if arms.is_empty() {
                    return None;
                }
                Some(quote! {
                    match #expr {
                        #(#arms)*
                        #[allow(unreachable_patterns)]
                        _ => ::std::option::Option::None,
                    }
                })
            }
            _ => None,
        }
    }
}

/// A field's name in JSON: its `#[serde(rename = "…")]`, else its identifier.
fn json_name(field: &syn::Field) -> Option<String> {
    let mut renamed = None;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                renamed = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    renamed.or_else(|| field.ident.as_ref().map(|i| i.to_string().trim_start_matches("r#").to_string()))
}

/// An item type as the builder module names it: a generated type gets its `types::` path
/// (typify's fields name their neighbours bare).
fn qualified(ty: &syn::Type, types: &BTreeMap<String, syn::Item>) -> syn::Type {
    match ty {
        syn::Type::Path(path) if path.qself.is_none() && path.path.segments.len() == 1 => {
            let ident = &path.path.segments[0].ident;
            if types.contains_key(&ident.to_string()) {
                let ident = format_ident!("{}", ident);
                return syn::parse_quote!(types::#ident);
            }
            ty.clone()
        }
        _ => ty.clone(),
    }
}
