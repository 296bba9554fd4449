//! Every builder's `send` becomes `send_raw`, wrapped by a runtime `send` (a typed JSON answer,
//! an `EventStream` of items, a `ByteDownload`; a stream offered beside JSON gets
//! `send_stream` too); progenitor's own `api-version` header is dropped. Counted: the wrapped
//! operations must be exactly the spec's.

use std::collections::BTreeMap;

use syn::visit::Visit;
use syn::visit_mut::VisitMut;

use super::{OperationIds, builder_module};
use crate::doc::media::{Framing, SuccessBody};

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
        SuccessBody::JsonOrEmpty { json } => {
            let document = type_of(&Some(json.clone()));
            let output = answers(syn::parse_quote!(::std::option::Option<#document>))?;
            sends.push(syn::parse_quote! {
                #(#docs)*
                ///
                #(#runtime)*
                /// Some successes answer without a body: those are `None`.
                pub async fn send(self) -> #output {
                    let client = self.#client;
                    client.inner.call_json_or_empty::<#document, _>(#operation, self.send_raw()).await
                }
            });
        }
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
    // Last, the union's own decoding: what no listed variant takes is its `Unknown` (an
    // unlisted event type; see `open_enums`), or serde's error for a closed union.
    let each: proc_macro2::TokenStream = quote::quote! {
        ::std::result::Result::Err(<::serde_json::Error as ::serde::de::Error>::custom(#no_match))
            #(.or_else(|_: ::serde_json::Error| #tries))*
            .or_else(|_: ::serde_json::Error| ::serde_json::from_str::<types::#ty>(data))
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

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;
    use crate::rewrite::test_support::{fixture, operation_ids, render};

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
        // An unknown value, or no discriminator: each variant in order, straight from the text,
        // then the union itself (its `Unknown`, when it is open).
        let each = "Err (< :: serde_json :: Error as :: serde :: de :: Error > :: custom (\"data did not match any variant of untagged enum Event\")) . or_else (| _ : :: serde_json :: Error | :: serde_json :: from_str (data) . map (types :: Event :: ChunkEvent)) . or_else (| _ : :: serde_json :: Error | :: serde_json :: from_str (data) . map (types :: Event :: DoneEvent)) . or_else (| _ : :: serde_json :: Error | :: serde_json :: from_str :: < types :: Event > (data))";
        assert!(code.contains(&format!("_ => :: std :: result :: Result :: {each}")), "{code}");
        let untagged = decoder(Some("Event"), None, &unions);
        assert_eq!(quote!(#untagged).to_string(), format!("| data | :: std :: result :: Result :: {each}"));
        let plain = decoder(Some("Plain"), Some(&tagged), &unions);
        assert_eq!(quote!(#plain).to_string(), "| data | :: serde_json :: from_str (data)");
    }
}
