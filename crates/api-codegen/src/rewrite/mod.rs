//! Structural rewrites of progenitor's output, each checked: a rewrite that does not find
//! exactly what it expects fails generation instead of silently producing another client.
//!
//! - every builder's `send` becomes `send_raw`, wrapped by a `send` that goes through the
//!   runtime (found by its `OperationInfo { operation_id: "…" }` literal), and the number of
//!   wrapped operations must be the spec's;
//! - progenitor's own `api-version` header (`HeaderName::from_static("api-version")` with
//!   `Client::api_version()`) is removed; a header the spec declares with that name stays;
//! - the crate's `Error` is the runtime's;
//! - a parameter the `unique-parameter-names` rule renamed gets its wire name back where
//!   progenitor wrote the new name as the wire name (client and mock, counted).

pub mod docs;
pub(crate) mod forms;
pub(crate) mod type_uses;
pub(crate) mod wire_values;

use std::collections::BTreeMap;

use syn::visit::Visit;

use crate::doc::media::{Framing, SuccessBody};
use syn::visit_mut::VisitMut;

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

/// Wraps every builder's `send` (see the module documentation). `expected` are the method
/// names of the spec's operations; the wrapped ones must be exactly those, each once.
pub fn wrap_send(
    file: &mut syn::File,
    expected: &[&str],
    bodies: &BTreeMap<String, SuccessBody>,
) -> Result<(), String> {
    let unions = untagged_unions(file);
    let builder = builder_module(file)?;
    // progenitor names the `&Client` field `client`, or `_client` if a parameter is `client`.
    let client_fields: Vec<(syn::Ident, syn::Ident)> = builder
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => s
                .fields
                .iter()
                .find(|f| is_client_ref(&f.ty))
                .and_then(|f| f.ident.clone())
                .map(|f| (s.ident.clone(), f)),
            _ => None,
        })
        .collect();
    let mut wrapped = Vec::new();
    for item in builder.iter_mut() {
        let syn::Item::Impl(block) = item else { continue };
        let syn::Type::Path(self_ty) = &*block.self_ty else { continue };
        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.clone()) else { continue };
        let Some(index) = block.items.iter().position(|i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "send"))
        else {
            continue;
        };
        let syn::ImplItem::Fn(raw) = &mut block.items[index] else { continue };
        let client = client_fields
            .iter()
            .find(|(s, _)| *s == name)
            .map(|(_, f)| f)
            .ok_or_else(|| format!("builder `{name}` has no `&Client` field"))?;
        let (operation, sends) = wrap_one(raw, client, bodies, &unions)?;
        wrapped.push(operation);
        for (offset, send) in sends.into_iter().enumerate() {
            block.items.insert(index + 1 + offset, send);
        }
    }
    let mut got: Vec<&str> = wrapped.iter().map(String::as_str).collect();
    let mut want = expected.to_vec();
    got.sort_unstable();
    want.sort_unstable();
    if got != want {
        return Err(format!(
            "progenitor generated {} operations ({}), the spec has {} ({})",
            got.len(),
            got.join(", "),
            want.len(),
            want.join(", ")
        ));
    }
    Ok(())
}

/// Renames one `send` to `send_raw` and returns its operation and the methods that wrap it:
/// `send`, and `send_stream` for a response that offers a stream beside a JSON document.
fn wrap_one(
    raw: &mut syn::ImplItemFn,
    client: &syn::Ident,
    bodies: &BTreeMap<String, SuccessBody>,
    unions: &Unions,
) -> Result<(String, Vec<syn::ImplItem>), String> {
    let mut ids = OperationIds(Vec::new());
    ids.visit_block(&raw.block);
    let operation = match <[String; 1]>::try_from(ids.0) {
        Ok([id]) => id,
        Err(ids) => return Err(format!("a `send` with {} `OperationInfo` literals instead of one", ids.len())),
    };
    let syn::ReturnType::Type(_, output) = &raw.sig.output else {
        return Err(format!("`send` of `{operation}` returns nothing"));
    };
    let mut output = (**output).clone();
    retarget_error(&mut output)
        .ok_or_else(|| format!("`send` of `{operation}` does not return `Result<_, Error<_>>`"))?;
    let docs: Vec<syn::Attribute> = raw.attrs.iter().filter(|a| a.path().is_ident("doc")).cloned().collect();

    let removed = drop_api_version_header(&mut raw.block);
    if removed != 1 {
        return Err(format!(
            "`send` of `{operation}` sets progenitor's `api-version` header {removed} times, not once"
        ));
    }
    raw.sig.ident = quote::format_ident!("send_raw");
    raw.vis = syn::parse_quote!(pub(crate));
    raw.attrs.retain(|a| !a.path().is_ident("doc"));
    raw.attrs.push(syn::parse_quote!(#[doc = "progenitor's `send`, with progenitor's error type."]));

    let body = bodies.get(&operation).unwrap_or(&SuccessBody::Progenitor);
    let answers = |inner: syn::Type| {
        answering(&output, inner).ok_or_else(|| format!("`send` of `{operation}` does not answer a `ResponseValue`"))
    };
    let type_of = |component: &Option<String>| -> syn::Type {
        match component {
            Some(name) => {
                let name = quote::format_ident!("{}", crate::names::type_name(name));
                syn::parse_quote!(types::#name)
            }
            None => syn::parse_quote!(::serde_json::Value),
        }
    };
    let runtime: [syn::Attribute; 2] = [
        syn::parse_quote!(#[doc = r" Retried, timed and traced by the runtime; errors are `api_runtime::Error`,"]),
        syn::parse_quote!(#[doc = r" which keeps the status, headers and body of anything the spec did not promise."]),
    ];
    let mut sends = Vec::new();
    match body {
        SuccessBody::Progenitor => sends.push(syn::parse_quote! {
            #(#docs)*
            ///
            #(#runtime)*
            pub async fn send(self) -> #output {
                // The `&Client` outlives `self`, which `send_raw` consumes.
                let client = self.#client;
                client.inner.call(#operation, self.send_raw()).await
            }
        }),
        SuccessBody::Download { accept } => {
            let output = answers(syn::parse_quote!(::api_runtime::ByteDownload))?;
            sends.push(syn::parse_quote! {
                #(#docs)*
                ///
                #(#runtime)*
                /// The body arrives as a [`::api_runtime::ByteDownload`]: write it to a file in
                /// constant memory, or collect it when small.
                pub async fn send(self) -> #output {
                    let client = self.#client;
                    client.inner.call_download(#operation, #accept, self.send_raw()).await
                }
            });
        }
        SuccessBody::Events { framing, media_type, item, json, errors, tagged } => {
            let framing = match framing {
                Framing::ServerSentEvents => quote::quote!(ServerSentEvents),
                Framing::JsonLines => quote::quote!(JsonLines),
            };
            let property = match &errors.property {
                Some(p) => quote::quote!(Some(#p)),
                None => quote::quote!(None),
            };
            let values = &errors.values;
            let format = quote::quote! {
                &::api_runtime::StreamFormat {
                    framing: ::api_runtime::Framing::#framing,
                    media_type: #media_type,
                    error_property: #property,
                    error_values: &[#(#values),*],
                }
            };
            let decode = decoder(item.as_deref(), tagged.as_ref(), unions);
            let item = type_of(item);
            let stream_output = answers(syn::parse_quote!(::api_runtime::EventStream<#item>))?;
            let stream_name =
                if json.is_some() { quote::format_ident!("send_stream") } else { quote::format_ident!("send") };
            if json.is_some() {
                let document = type_of(json);
                let json_output = answers(document.clone())?;
                sends.push(syn::parse_quote! {
                    #(#docs)*
                    ///
                    #(#runtime)*
                    /// The JSON document; [`Self::send_stream`] asks for the stream instead.
                    pub async fn send(self) -> #json_output {
                        let client = self.#client;
                        client.inner.call_json::<#document, _>(#operation, self.send_raw()).await
                    }
                });
            }
            sends.push(syn::parse_quote! {
                #(#docs)*
                ///
                #(#runtime)*
                /// The items arrive as a typed [`::api_runtime::EventStream`] (never retried once
                /// it started); dropping it closes the connection.
                pub async fn #stream_name(self) -> #stream_output {
                    let client = self.#client;
                    let decode: ::api_runtime::Decode<#item> = #decode;
                    client.inner.call_events(#operation, #format, decode, self.send_raw()).await
                }
            });
        }
    }
    Ok((operation, sends))
}

/// typify's untagged enums (`#[serde(untagged)]`) of newtype variants: enum → (inner type,
/// variant), both by their last path segment.
type Unions = BTreeMap<String, Vec<(String, syn::Ident)>>;

fn untagged_unions(file: &syn::File) -> Unions {
    let types = file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    });
    let mut unions = Unions::new();
    for item in types.into_iter().flatten() {
        let syn::Item::Enum(e) = item else { continue };
        let untagged = e.attrs.iter().any(|a| {
            a.path().is_ident("serde")
                && a.parse_nested_meta(|meta| {
                    if meta.path.is_ident("untagged") { Ok(()) } else { Err(meta.error("not untagged")) }
                })
                .is_ok()
        });
        if !untagged {
            continue;
        }
        let variants: Vec<(String, syn::Ident)> = e
            .variants
            .iter()
            .filter_map(|v| match &v.fields {
                syn::Fields::Unnamed(f) if f.unnamed.len() == 1 => match &f.unnamed[0].ty {
                    syn::Type::Path(p) => p.path.segments.last().map(|s| (s.ident.to_string(), v.ident.clone())),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        // Only enums whose every variant wraps one type: each is then decoded on its own.
        if variants.len() == e.variants.len() && !variants.is_empty() {
            unions.insert(e.ident.to_string(), variants);
        }
    }
    unions
}

/// How a stream's items are read. serde decodes an untagged enum by buffering each item (a
/// copy of every string) and trying each variant on the copy; here typify's untagged enums of
/// single-type variants are decoded straight from the item's text instead: when the spec gives
/// a discriminator, only the variant its value names (read without building anything; an
/// unknown value tries them all), else each variant in order, the first that decodes winning
/// (serde's rule, without the copy).
fn decoder(item: Option<&str>, tagged: Option<&crate::doc::media::Tagged>, unions: &Unions) -> syn::Expr {
    let fallback: syn::Expr = syn::parse_quote!(|data| ::serde_json::from_str(data));
    let Some(name) = item.map(crate::names::type_name) else { return fallback };
    let Some(variants) = unions.get(&name) else { return fallback };
    let ty = quote::format_ident!("{name}");
    let tries =
        variants.iter().map(|(_, variant)| quote::quote!(::serde_json::from_str(data).map(types::#ty::#variant)));
    let no_match = format!("data did not match any variant of untagged enum {name}");
    let each: proc_macro2::TokenStream = quote::quote! {
        ::std::result::Result::Err(<::serde_json::Error as ::serde::de::Error>::custom(#no_match))
            #(.or_else(|_: ::serde_json::Error| #tries))*
    };
    let arms: Vec<proc_macro2::TokenStream> = tagged
        .into_iter()
        .flat_map(|tagged| &tagged.variants)
        .filter_map(|(value, component)| {
            let inner = crate::names::type_name(component);
            let (_, variant) = variants.iter().find(|(ty, _)| *ty == inner)?;
            Some(quote::quote!(Some(#value) => ::serde_json::from_str(data).map(types::#ty::#variant)))
        })
        .collect();
    match tagged {
        Some(tagged) if !arms.is_empty() => {
            let property = &tagged.property;
            syn::parse_quote! {
                |data| match ::api_runtime::discriminator(data, #property).as_deref() {
                    #(#arms,)*
                    _ => #each,
                }
            }
        }
        _ => syn::parse_quote!(|data| #each),
    }
}

/// `output` (`Result<ResponseValue<_>, E>`) answering `inner` instead.
fn answering(output: &syn::Type, inner: syn::Type) -> Option<syn::Type> {
    let mut output = output.clone();
    let syn::Type::Path(result) = &mut output else { return None };
    let last = result.path.segments.last_mut().filter(|s| s.ident == "Result")?;
    let syn::PathArguments::AngleBracketed(args) = &mut last.arguments else { return None };
    let Some(syn::GenericArgument::Type(syn::Type::Path(value))) = args.args.first_mut() else { return None };
    let segment = value.path.segments.last_mut().filter(|s| s.ident == "ResponseValue")?;
    let syn::PathArguments::AngleBracketed(value_args) = &mut segment.arguments else { return None };
    let slot = value_args.args.first_mut()?;
    *slot = syn::GenericArgument::Type(inner);
    Some(output)
}

/// A parameter renamed in the document (`marker`, which progenitor also used as its wire
/// name) whose name on the wire is `wire`.
#[derive(Debug, Clone)]
pub struct Renamed {
    pub operation: String,
    pub marker: String,
    pub wire: String,
}

/// Where progenitor writes an operation's parameter wire names.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// The operation's builder (`builder::<Op>`): `QueryParam::new("name", …)` and
    /// `header_map.append("name", …)`, once each.
    Builder,
    /// The mock's `operations::<Op>When`: `query_param("name", …)` and, for an optional
    /// parameter, `query_param_missing("name")` (`header`, `header_missing` alike).
    MockWhen,
}

/// Puts each renamed parameter's wire name back: a string literal equal to its marker that
/// is the first argument of a call in the operation's `Scope` impl. Fails unless each is
/// found as often as progenitor writes it (once in a builder, once or twice in a mock).
pub fn restore_wire_names(file: &mut syn::File, renamed: &[Renamed], scope: Scope) -> Result<(), String> {
    struct Restore<'a> {
        renamed: Vec<(&'a Renamed, String, usize)>,
        current: Option<String>,
    }
    impl Restore<'_> {
        fn first_arg(&mut self, arg: Option<&mut syn::Expr>) {
            let Some(current) = &self.current else { return };
            let Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. })) = arg else { return };
            let value = text.value();
            if let Some((r, _, count)) = self.renamed.iter_mut().find(|(r, ty, _)| ty == current && r.marker == value) {
                *text = syn::LitStr::new(&r.wire, text.span());
                *count += 1;
            }
        }
    }
    impl VisitMut for Restore<'_> {
        fn visit_item_impl_mut(&mut self, block: &mut syn::ItemImpl) {
            let name = match &*block.self_ty {
                syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            };
            let outer =
                std::mem::replace(&mut self.current, name.filter(|n| self.renamed.iter().any(|(_, ty, _)| ty == n)));
            // Only the impls of a renamed parameter's builder hold its calls.
            if self.current.is_some() {
                syn::visit_mut::visit_item_impl_mut(self, block);
            }
            self.current = outer;
        }
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            syn::visit_mut::visit_expr_call_mut(self, call);
            self.first_arg(call.args.first_mut());
        }
        fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
            syn::visit_mut::visit_expr_method_call_mut(self, call);
            self.first_arg(call.args.first_mut());
        }
    }
    use crate::names::{Case, progenitor_sanitize};
    let scoped = |r: &Renamed| match scope {
        Scope::Builder => progenitor_sanitize(&r.operation, Case::Pascal),
        Scope::MockWhen => progenitor_sanitize(&format!("{}-when", r.operation), Case::Pascal),
    };
    let mut restore = Restore { renamed: renamed.iter().map(|r| (r, scoped(r), 0)).collect(), current: None };
    restore.visit_file_mut(file);
    let allowed = match scope {
        Scope::Builder => 1..=1,
        Scope::MockWhen => 1..=2,
    };
    for (r, ty, count) in &restore.renamed {
        if !allowed.contains(count) {
            return Err(format!(
                "parameter `{}` of `{}` (renamed `{}`) appears {count} times as a wire name in `{ty}`, expected {allowed:?}",
                r.wire, r.operation, r.marker
            ));
        }
    }
    Ok(())
}

/// `&'a super::Client`.
fn is_client_ref(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Reference(r) if matches!(&*r.elem, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Client")))
}

/// Removes progenitor's `header_map.append(HeaderName::from_static("api-version"),
/// HeaderValue::from_static(Client::api_version()))`, returning how many it removed. The
/// spec's own `api-version` parameter is appended by its string name and stays.
fn drop_api_version_header(block: &mut syn::Block) -> usize {
    struct Drop(usize);
    impl VisitMut for Drop {
        fn visit_block_mut(&mut self, block: &mut syn::Block) {
            let before = block.stmts.len();
            block.stmts.retain(|stmt| !is_progenitor_api_version(stmt));
            self.0 += before - block.stmts.len();
            syn::visit_mut::visit_block_mut(self, block);
        }
    }
    let mut drop = Drop(0);
    drop.visit_block_mut(block);
    drop.0
}

fn is_progenitor_api_version(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = stmt else { return false };
    let [name, value] = match call.args.iter().collect::<Vec<_>>()[..] {
        [name, value] => [name, value],
        _ => return false,
    };
    call.method == "append"
        && static_call(name, "HeaderName").is_some_and(|arg| {
            matches!(arg, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) if s.value() == "api-version")
        })
        && static_call(value, "HeaderValue").is_some_and(|arg| {
            matches!(arg, syn::Expr::Call(c) if c.args.is_empty()
                && matches!(&*c.func, syn::Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "api_version")))
        })
}

/// The one argument of `…::<ty>::from_static(arg)`.
fn static_call<'a>(expr: &'a syn::Expr, ty: &str) -> Option<&'a syn::Expr> {
    let syn::Expr::Call(call) = expr else { return None };
    let syn::Expr::Path(path) = &*call.func else { return None };
    let segments: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
    match (segments.as_slice(), call.args.len()) {
        ([.., t, f], 1) if t == ty && f == "from_static" => call.args.first(),
        _ => None,
    }
}

/// `Result<T, Error<E>>` → `Result<T, ::api_runtime::Error<E>>`.
fn retarget_error(output: &mut syn::Type) -> Option<()> {
    let syn::Type::Path(result) = output else { return None };
    let last = result.path.segments.last_mut().filter(|s| s.ident == "Result")?;
    let syn::PathArguments::AngleBracketed(args) = &mut last.arguments else { return None };
    let Some(syn::GenericArgument::Type(syn::Type::Path(error))) = args.args.iter_mut().nth(1) else { return None };
    let segment = error.path.segments.last().filter(|s| s.ident == "Error")?;
    let arguments = segment.arguments.clone();
    *error = syn::parse_quote!(::api_runtime::Error #arguments);
    Some(())
}

/// progenitor's httpmock helpers pass a body to `json_body_obj`, which takes a reference, as
/// the parameter is declared; typify declares simple enums and primitives (`i64`, `bool`) by
/// value, and that call does not compile. Such a parameter is passed as `&value`.
pub fn fix_mock_bodies(file: &mut syn::File) {
    struct Fix;
    impl VisitMut for Fix {
        fn visit_impl_item_fn_mut(&mut self, function: &mut syn::ImplItemFn) {
            let by_value: Vec<syn::Ident> = function
                .sig
                .inputs
                .iter()
                .filter_map(|input| match input {
                    syn::FnArg::Typed(t) if !matches!(&*t.ty, syn::Type::Reference(_)) => match &*t.pat {
                        syn::Pat::Ident(p) => Some(p.ident.clone()),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            if by_value.is_empty() {
                return;
            }
            struct Borrow<'a>(&'a [syn::Ident]);
            impl VisitMut for Borrow<'_> {
                fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
                    syn::visit_mut::visit_expr_method_call_mut(self, call);
                    if call.method != "json_body_obj" {
                        return;
                    }
                    if let Some(arg) = call.args.first_mut()
                        && let syn::Expr::Path(path) = arg
                        && path.path.get_ident().is_some_and(|i| self.0.contains(i))
                    {
                        *arg = syn::parse_quote!(&#path);
                    }
                }
            }
            Borrow(&by_value).visit_block_mut(&mut function.block);
        }
    }
    Fix.visit_file_mut(file);
}

/// progenitor's httpmock helpers match a query parameter with `query_param(name,
/// value.to_string())`, which does not compile for a type without `Display` (an array, an
/// untagged `oneOf` such as Vercel's `string | string[]`). The client serialises the value
/// (serde, one `name=item` pair per array item); the mock now matches what serde makes of it,
/// item by item, through a `query_pairs` helper added to the file. Returns how many calls it
/// rewrote.
pub fn fix_mock_queries(file: &mut syn::File) -> usize {
    struct Fix(usize);
    impl VisitMut for Fix {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            syn::visit_mut::visit_expr_mut(self, expr);
            let syn::Expr::MethodCall(call) = expr else { return };
            let receiver_is_inner = matches!(&*call.receiver, syn::Expr::Field(f)
                if matches!(&f.member, syn::Member::Unnamed(i) if i.index == 0)
                && matches!(&*f.base, syn::Expr::Path(p) if p.path.is_ident("self")));
            let [name, value] = match call.args.iter().collect::<Vec<_>>()[..] {
                [name, value] => [name.clone(), value.clone()],
                _ => return,
            };
            let to_string_of_value = matches!(&value, syn::Expr::MethodCall(m)
                if m.method == "to_string" && m.args.is_empty()
                && matches!(&*m.receiver, syn::Expr::Path(p) if p.path.is_ident("value")));
            if call.method != "query_param" || !receiver_is_inner || !to_string_of_value {
                return;
            }
            let inner = &call.receiver;
            *expr = syn::parse_quote!(query_pairs(#inner, #name, &value));
            self.0 += 1;
        }
    }
    let mut fix = Fix(0);
    fix.visit_file_mut(file);
    if fix.0 > 0 {
        // Beside the calls: progenitor puts the `When` impls in `mod operations`.
        let items = match file.items.iter_mut().find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "operations" => m.content.as_mut().map(|(_, items)| items),
            _ => None,
        }) {
            Some(items) => items,
            None => &mut file.items,
        };
        items.push(syn::parse_quote! {
            /// Matches a query parameter as the client sends it: serde's value, one pair per
            /// array item, strings unquoted.
            fn query_pairs<T: ::serde::Serialize + ?Sized>(
                when: ::httpmock::When,
                name: &str,
                value: &T,
            ) -> ::httpmock::When {
                fn text(value: &::serde_json::Value) -> String {
                    match value {
                        ::serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    }
                }
                match ::serde_json::to_value(value).expect("a query parameter value serialises") {
                    ::serde_json::Value::Array(items) => {
                        items.iter().fold(when, |when, item| when.query_param(name, text(item)))
                    }
                    other => when.query_param(name, text(&other)),
                }
            }
        });
    }
    fix.0
}

/// The crate's `Error` is the runtime's, which `send` returns; progenitor's stays what its
/// generated internals use (`builder` imports it directly).
pub fn export_runtime_error(file: &mut syn::File) {
    for item in file.items.iter_mut() {
        match item {
            syn::Item::Use(u) if matches!(u.vis, syn::Visibility::Public(_)) => {
                remove_from_group(&mut u.tree, "Error");
            }
            syn::Item::Mod(m) if m.ident == "builder" => {
                if let Some((_, items)) = m.content.as_mut() {
                    for item in items.iter_mut() {
                        if let syn::Item::Use(u) = item {
                            remove_from_group(&mut u.tree, "Error");
                        }
                    }
                    items.insert(
                        0,
                        syn::parse_quote!(
                            use progenitor_client::Error;
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    file.items.insert(
        0,
        syn::parse_quote! {
            /// What a call returns when it fails: see [`api_runtime::Error`].
            pub use ::api_runtime::Error;
        },
    );
}

/// Drops `name` from `path::{a, name, b}`.
fn remove_from_group(tree: &mut syn::UseTree, name: &str) {
    match tree {
        syn::UseTree::Path(path) => remove_from_group(&mut path.tree, name),
        syn::UseTree::Group(group) => {
            group.items = group
                .items
                .iter()
                .filter(|t| !matches!(t, syn::UseTree::Name(n) if n.ident == name))
                .cloned()
                .collect();
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn operation_ids(file: &syn::File) -> Vec<String> {
        let mut ids = OperationIds(Vec::new());
        ids.visit_file(file);
        ids.0
    }

    fn render(file: &syn::File) -> String {
        quote!(#file).to_string()
    }

    /// progenitor's shape of a builder module, for one operation with the spec's own
    /// `api-version` header parameter.
    fn fixture(ops: &[&str]) -> syn::File {
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

    #[test]
    fn send_is_wrapped_and_only_progenitors_api_version_header_goes() {
        let mut file = fixture(&["get_x"]);
        wrap_send(&mut file, &["get_x"], &Default::default()).unwrap();
        let code = render(&file);
        assert!(code.contains("pub (crate) async fn send_raw"), "{code}");
        assert!(code.contains("client . inner . call (\"get_x\" , self . send_raw ()) . await"), "{code}");
        assert!(code.contains("Result < ResponseValue < () > , :: api_runtime :: Error < types :: Problem > >"));
        assert!(!code.contains("HeaderName :: from_static (\"api-version\")"), "{code}");
        assert!(code.contains("header_map . append (\"api-version\" , api_version"), "{code}");
        assert_eq!(operation_ids(&file), ["get_x"]);
    }

    #[test]
    fn a_count_mismatch_fails() {
        let mut file = fixture(&["a", "bb"]);
        let err = wrap_send(&mut file, &["a", "bb", "ccc"], &Default::default()).unwrap_err();
        assert!(err.contains("generated 2 operations (a, bb), the spec has 3"), "{err}");
        let mut file = fixture(&["a"]);
        assert!(wrap_send(&mut file, &["b"], &Default::default()).is_err());
    }

    #[test]
    fn a_send_without_progenitors_header_fails() {
        let code = render(&fixture(&["a"]))
            .replace("HeaderName :: from_static (\"api-version\")", "HeaderName :: from_static (\"x\")");
        let mut file: syn::File = syn::parse_str(&code).unwrap();
        let err = wrap_send(&mut file, &["a"], &Default::default()).unwrap_err();
        assert!(err.contains("`api-version` header 0 times"), "{err}");
    }

    #[test]
    fn a_discriminated_untagged_item_is_decoded_by_its_variant() {
        let file: syn::File = syn::parse_quote! {
            pub mod types {
                #[serde(untagged)]
                pub enum Event { ChunkEvent(Chunk), DoneEvent(Done) }
                #[serde(untagged)]
                pub enum Mixed { A(Chunk), B { x: u8 } }
                pub enum Plain { A(Chunk) }
            }
        };
        let unions = untagged_unions(&file);
        assert_eq!(unions.keys().collect::<Vec<_>>(), ["Event"]);
        let tagged = crate::doc::media::Tagged {
            property: "type".into(),
            variants: vec![("chunk".into(), "Chunk".into()), ("done".into(), "Done".into()), ("x".into(), "X".into())],
        };
        let decode = decoder(Some("Event"), Some(&tagged), &unions);
        let code = quote!(#decode).to_string();
        assert!(code.contains("discriminator (data , \"type\") . as_deref ()"), "{code}");
        assert!(
            code.contains("Some (\"chunk\") => :: serde_json :: from_str (data) . map (types :: Event :: ChunkEvent)")
        );
        assert!(
            code.contains("Some (\"done\") => :: serde_json :: from_str (data) . map (types :: Event :: DoneEvent)")
        );
        assert!(!code.contains("\"x\""), "{code}");
        // An unknown value, or no discriminator: each variant in order, straight from the text.
        let each = "Err (< :: serde_json :: Error as :: serde :: de :: Error > :: custom (\"data did not match any variant of untagged enum Event\")) . or_else (| _ : :: serde_json :: Error | :: serde_json :: from_str (data) . map (types :: Event :: ChunkEvent)) . or_else (| _ : :: serde_json :: Error | :: serde_json :: from_str (data) . map (types :: Event :: DoneEvent))";
        assert!(code.contains(&format!("_ => :: std :: result :: Result :: {each}")), "{code}");
        let untagged = decoder(Some("Event"), None, &unions);
        assert_eq!(quote!(#untagged).to_string(), format!("| data | :: std :: result :: Result :: {each}"));
        let plain = decoder(Some("Plain"), Some(&tagged), &unions);
        assert_eq!(quote!(#plain).to_string(), "| data | :: serde_json :: from_str (data)");
    }

    #[test]
    fn mock_bodies_passed_by_value_are_borrowed() {
        let mut file: syn::File = syn::parse_quote! {
            impl Then {
                pub fn ok(self, value: types::Kind) -> Self { Self(self.0.status(200u16).json_body_obj(value)) }
                pub fn created(self, value: &types::Thing) -> Self { Self(self.0.json_body_obj(value)) }
            }
        };
        fix_mock_bodies(&mut file);
        let code = render(&file);
        assert!(code.contains("json_body_obj (& value)) } pub fn created"), "{code}");
        assert!(code.contains("self . 0 . json_body_obj (value)"), "{code}");
    }

    #[test]
    fn operation_ids_are_read_from_literals() {
        let file: syn::File = syn::parse_quote! {
            fn f() { let info = OperationInfo { operation_id: "type_", other: 1 }; let s = "operation_id : \"fake\""; }
        };
        assert_eq!(operation_ids(&file), ["type_"]);
    }

    #[test]
    fn the_crate_error_is_the_runtimes() {
        let mut file = fixture(&["a"]);
        export_runtime_error(&mut file);
        let code = render(&file);
        assert!(code.starts_with("# [doc = r\" What a call returns"), "{code}");
        assert!(code.contains("] pub use :: api_runtime :: Error ; pub use progenitor_client"), "{code}");
        assert!(code.contains("pub use progenitor_client :: { ByteStream , ResponseValue }"), "{code}");
        assert!(
            code.contains(
                "pub mod builder { use progenitor_client :: Error ; use super :: { encode_path , OperationInfo } ;"
            ),
            "{code}"
        );
    }

    #[test]
    fn renamed_parameters_get_their_wire_names_back_in_their_operation_only() {
        let renamed =
            [Renamed { operation: "listEnv".into(), marker: "exclude_ids_2".into(), wire: "exclude-ids".into() }];
        let mut file: syn::File = syn::parse_quote! {
            impl<'a> ListEnv<'a> {
                pub async fn send(self) {
                    let q = (&QueryParam::new("exclude_ids", &a), &QueryParam::new("exclude_ids_2", &b));
                    let s = "exclude_ids_2";
                }
            }
            impl<'a> Other<'a> {
                pub async fn send(self) { let q = &QueryParam::new("exclude_ids_2", &b); }
            }
        };
        restore_wire_names(&mut file, &renamed, Scope::Builder).unwrap();
        let code = render(&file);
        assert!(code.contains("QueryParam :: new (\"exclude-ids\" , & b)"), "{code}");
        assert!(code.contains("let s = \"exclude_ids_2\""), "{code}");
        assert!(
            code.contains(
                "impl < 'a > Other < 'a > { pub async fn send (self) { let q = & QueryParam :: new (\"exclude_ids_2\""
            ),
            "{code}"
        );

        let mut mock: syn::File = syn::parse_quote! {
            impl ListEnvWhen {
                pub fn exclude_ids_2(self, value: Option<&str>) -> Self {
                    if let Some(value) = value { Self(self.0.query_param("exclude_ids_2", value)) }
                    else { Self(self.0.query_param_missing("exclude_ids_2")) }
                }
            }
        };
        restore_wire_names(&mut mock, &renamed, Scope::MockWhen).unwrap();
        assert_eq!(render(&mock).matches("\"exclude-ids\"").count(), 2);
    }

    #[test]
    fn a_renamed_parameter_not_found_as_often_as_expected_fails() {
        let renamed = [Renamed { operation: "listEnv".into(), marker: "x_2".into(), wire: "X".into() }];
        let mut file: syn::File = syn::parse_quote! { impl ListEnv { fn send(self) { f("x"); } } };
        let err = restore_wire_names(&mut file, &renamed, Scope::Builder).unwrap_err();
        assert!(err.contains("appears 0 times as a wire name in `ListEnv`"), "{err}");
        let mut file: syn::File = syn::parse_quote! { impl ListEnv { fn send(self) { f("x_2"); g("x_2"); } } };
        assert!(restore_wire_names(&mut file, &renamed, Scope::Builder).is_err());
    }

    #[test]
    fn mock_queries_match_what_serde_makes_of_the_value() {
        let mut file: syn::File = syn::parse_quote! {
            impl ListWhen {
                pub fn expand<'a, T>(self, value: T) -> Self where T: Into<Option<&'a ::std::vec::Vec<types::E>>> {
                    if let Some(value) = value.into() { Self(self.0.query_param("expand[]", value.to_string())) }
                    else { Self(self.0.query_param_missing("expand[]")) }
                }
                pub fn name(self, value: &str) -> Self { Self(other.0.query_param("name", value.to_string())) }
            }
        };
        assert_eq!(fix_mock_queries(&mut file), 1);
        let code = render(&file);
        assert!(code.contains("Self (query_pairs (self . 0 , \"expand[]\" , & value))"), "{code}");
        assert!(code.contains("Self (other . 0 . query_param (\"name\" , value . to_string ()))"), "{code}");
        assert!(code.contains("fn query_pairs < T : :: serde :: Serialize + ? Sized >"), "{code}");
        let mut untouched: syn::File = syn::parse_quote! { fn f() {} };
        assert_eq!(fix_mock_queries(&mut untouched), 0);
        assert_eq!(untouched.items.len(), 1);
    }
}
