//! Open enums and unions: a value an answer carries that the spec does not list decodes, as
//! the vendors' own SDKs read it, instead of failing the whole call.
//!
//! On every type of `mod types` that an answer can carry (it derives `Deserialize`):
//! - a string enum of two values or more gets a last variant `Unknown(String)`, marked
//!   `#[serde(untagged)]`: a listed value decodes to its variant as before, any other string
//!   to `Unknown` holding it, and writes back unchanged (`Display` too); `Copy` goes, since a
//!   `String` is not;
//! - an untagged union (`oneOf`/`anyOf` without a discriminator) gets a last variant
//!   `Unknown(api_runtime::UnknownValue)`: what matches no listed alternative is kept as JSON,
//!   shown by `Debug` as its shape only;
//! - a tagged union (a discriminator) gets `#[serde(other)] Unknown`: an unlisted tag decodes
//!   (an event stream goes on past an event type it does not know).
//!
//! What must stay closed does: a one-value enum is a constant (a tag inside an untagged
//! alternative, which is how serde tells the alternatives apart), and an enum an untagged
//! union's alternative holds directly (a field of a struct alternative, a newtype alternative,
//! or a field of the struct a newtype alternative names) tells the alternatives apart too.
//! Enums only requests carry stay closed. The rewrite counts what it changes.

use std::collections::BTreeSet;

use syn::parse_quote;
use syn::punctuated::Punctuated;

use crate::rewrite::module_mut;

/// What [`open`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Opened {
    pub enums: usize,
    pub untagged: usize,
    pub tagged: usize,
}

/// Opens every enum and union of `mod types` an answer can carry (see the module docs).
pub fn open(file: &mut syn::File) -> Result<Opened, String> {
    let types =
        module_mut(&mut file.items, "types").ok_or_else(|| "progenitor's output has no `types` module".to_string())?;
    let closed = discriminating(types);
    let mut opened = Opened::default();
    // Opened enums → their unknown variant, for their `Display` (if typify wrote one).
    let mut displayed = std::collections::BTreeMap::new();
    for item in types.iter_mut() {
        let syn::Item::Enum(e) = item else { continue };
        if !derives(&e.attrs, "Deserialize") {
            continue;
        }
        let name = e.ident.to_string();
        let serde = serde_args(&e.attrs);
        let all_unit = e.variants.iter().all(|v| matches!(v.fields, syn::Fields::Unit));
        let Some(unknown) = free_name(e) else { continue };
        if serde.iter().any(|a| a == "untagged") {
            e.variants.push(parse_quote! {
                /// What matches no alternative the spec lists, kept as sent (`Debug` shows its shape).
                #unknown(::api_runtime::UnknownValue)
            });
            remove_derive(&mut e.attrs, "Copy");
            displayed.insert(name, unknown);
            opened.untagged += 1;
        } else if serde.iter().any(|a| a.starts_with("tag")) {
            e.variants.push(parse_quote! {
                /// A kind the spec does not list.
                #[serde(other)]
                #unknown
            });
            opened.tagged += 1;
        } else if all_unit && e.variants.len() >= 2 && !closed.contains(&name) {
            e.variants.push(parse_quote! {
                /// A value the spec does not list, as sent.
                #[serde(untagged)]
                #unknown(::std::string::String)
            });
            remove_derive(&mut e.attrs, "Copy");
            displayed.insert(name, unknown);
            opened.enums += 1;
        }
    }
    // `Display` writes an unlisted value as it came (an unknown union alternative: a string
    // as it came, anything else as its shape).
    for item in types.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        let Some((path, _)) = &imp.trait_ else { continue };
        if path.segments.last().is_none_or(|s| s.ident != "Display") {
            continue;
        }
        let syn::Type::Path(self_ty) = &*imp.self_ty else { continue };
        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else { continue };
        let Some(unknown) = displayed.get(&name).cloned() else { continue };
        let matched = display_match(imp).ok_or_else(|| format!("the `Display` of `{name}` has no `match`"))?;
        // `match *self` binds by value unless told `ref`; `match self` binds by reference (and
        // the 2024 edition refuses a `ref` there).
        let by_value = matches!(&*matched.expr, syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)));
        let arm: syn::Arm = if by_value {
            parse_quote! { Self::#unknown(ref value) => ::std::fmt::Display::fmt(value, f), }
        } else {
            parse_quote! { Self::#unknown(value) => ::std::fmt::Display::fmt(value, f), }
        };
        matched.arms.push(arm);
    }
    Ok(opened)
}

/// The name for the unknown variant: `Unknown`, or `Unlisted` when the spec lists a value
/// named so.
fn free_name(e: &syn::ItemEnum) -> Option<syn::Ident> {
    ["Unknown", "Unlisted", "UnlistedValue"]
        .into_iter()
        .find(|name| !e.variants.iter().any(|v| v.ident == name))
        .map(|name| syn::Ident::new(name, proc_macro2::Span::call_site()))
}

/// The `match` in a `Display` impl's `fmt`.
fn display_match(imp: &mut syn::ItemImpl) -> Option<&mut syn::ExprMatch> {
    let syn::ImplItem::Fn(fmt) =
        imp.items.iter_mut().find(|i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "fmt"))?
    else {
        return None;
    };
    fmt.block.stmts.iter_mut().find_map(|stmt| match stmt {
        syn::Stmt::Expr(syn::Expr::Match(m), _) => Some(m),
        _ => None,
    })
}

/// Types an untagged union tells its alternatives apart by: the types of its struct
/// alternatives' fields and of its newtype alternatives, and the field types of the structs
/// those name (each through `Option`).
fn discriminating(types: &[syn::Item]) -> BTreeSet<String> {
    let mut direct = BTreeSet::new();
    for item in types {
        let syn::Item::Enum(e) = item else { continue };
        if !serde_args(&e.attrs).iter().any(|a| a == "untagged") {
            continue;
        }
        for variant in &e.variants {
            for field in &variant.fields {
                direct.extend(type_name(&field.ty));
            }
        }
    }
    let mut closed = direct.clone();
    for item in types {
        let syn::Item::Struct(s) = item else { continue };
        if direct.contains(&s.ident.to_string()) {
            closed.extend(s.fields.iter().filter_map(|f| type_name(&f.ty)));
        }
    }
    closed
}

/// The last segment of a type's path, through `Option<…>` and `Box<…>`.
fn type_name(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident == "Option" || last.ident == "Box" {
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
        return args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(inner) => type_name(inner),
            _ => None,
        });
    }
    Some(last.ident.to_string())
}

/// The words of every `#[serde(…)]` attribute (`untagged`, `tag = "type"` as `tag`).
fn serde_args(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if let Some(ident) = meta.path.get_ident() {
                out.push(ident.to_string());
            }
            if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    out
}

/// Whether a `#[derive(…)]` names `name` (by its last path segment).
pub(crate) fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().filter(|a| a.path().is_ident("derive")).any(|attr| {
        attr.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
            .is_ok_and(|paths| paths.iter().any(|p| p.segments.last().is_some_and(|s| s.ident == name)))
    })
}

/// Removes `name` from every `#[derive(…)]`.
fn remove_derive(attrs: &mut [syn::Attribute], name: &str) {
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let Ok(paths) = attr.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated) else {
            continue;
        };
        let kept: Punctuated<syn::Path, syn::Token![,]> =
            paths.into_iter().filter(|p| p.segments.last().is_none_or(|s| s.ident != name)).collect();
        *attr = parse_quote! { #[derive(#kept)] };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opened(code: &str) -> (Opened, String) {
        let mut file: syn::File = syn::parse_str(&format!("pub mod types {{ {code} }}")).unwrap();
        let opened = open(&mut file).unwrap();
        (opened, prettyplease::unparse(&file))
    }

    #[test]
    fn string_enums_and_unions_an_answer_carries_are_opened() {
        let (opened, code) = opened(
            r#"
            #[derive(::serde::Deserialize, Clone, Copy, Debug)]
            pub enum Origin { #[serde(rename = "totp")] Totp, #[serde(rename = "webauthn")] Webauthn }
            impl ::std::fmt::Display for Origin {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match *self { Self::Totp => f.write_str("totp"), Self::Webauthn => f.write_str("webauthn") }
                }
            }
            #[derive(::serde::Serialize, Clone, Copy, Debug)]
            pub enum RequestOnly { A, B }
            #[derive(::serde::Deserialize, Clone, Debug)]
            #[serde(tag = "type")]
            pub enum Event { #[serde(rename = "chunk")] Chunk { data: String } }
            #[derive(::serde::Deserialize, Clone, Debug)]
            #[serde(untagged)]
            pub enum Scope { Variant0 { #[serde(rename = "type")] type_: UserType, kind: Kind }, Variant1(Team) }
            pub struct Team { pub role: Role }
            #[derive(::serde::Deserialize, Clone, Copy, Debug)]
            pub enum UserType { #[serde(rename = "user")] User }
            #[derive(::serde::Deserialize, Clone, Copy, Debug)]
            pub enum Kind { A, B }
            #[derive(::serde::Deserialize, Clone, Copy, Debug)]
            pub enum Role { Owner, Member }
            "#,
        );
        assert_eq!(opened, Opened { enums: 1, untagged: 1, tagged: 1 }, "{code}");
        assert!(code.contains("#[serde(untagged)]\n        Unknown(::std::string::String),"), "{code}");
        assert!(code.contains("Self::Unknown(ref value) => ::std::fmt::Display::fmt(value, f),"), "{code}");
        assert!(code.contains("#[derive(::serde::Deserialize, Clone, Debug)]\n    pub enum Origin"), "{code}");
        assert!(code.contains("#[serde(other)]\n        Unknown,"), "{code}");
        assert!(code.contains("Unknown(::api_runtime::UnknownValue)"), "{code}");
        // What tells the alternatives apart, and request-only enums, stay closed.
        for closed in ["UserType", "Kind", "Role", "RequestOnly"] {
            let start = code.find(&format!("pub enum {closed}")).unwrap();
            let body = &code[start..start + code[start..].find('}').unwrap()];
            assert!(!body.contains("Unknown"), "{closed}: {body}");
        }
    }

    #[test]
    fn a_listed_value_named_unknown_keeps_its_variant() {
        let (_, code) =
            opened(r#"#[derive(::serde::Deserialize)] pub enum State { #[serde(rename = "unknown")] Unknown, Ready }"#);
        assert!(code.contains("Unlisted(::std::string::String)"), "{code}");
    }
}
