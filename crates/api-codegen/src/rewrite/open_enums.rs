//! Open enums, unions and objects: a value an answer carries that the spec does not list
//! decodes, as the vendors' own SDKs read it, instead of failing the whole call.
//!
//! On every type of `mod types` that an answer can carry (it derives `Deserialize`):
//! - a string enum of two values or more gets a last variant `Unknown(String)`, marked
//!   `#[serde(untagged)]`: a listed value decodes to its variant as before, any other string
//!   to `Unknown` holding it, and writes back unchanged (`Display` too); `Copy` goes, since a
//!   `String` is not. Enums only requests carry get it too, so that a caller may send a value
//!   the server takes before the document lists it (a new model name);
//! - a number enum of two values or more (typify's checked newtype) takes any number of its
//!   type: the value is kept as sent, and `TryFrom` still tells a listed one;
//! - a union (`oneOf`/`anyOf`, tagged by a discriminator or not) gets a last variant
//!   `#[serde(untagged)] Unknown(api_runtime::UnknownValue)`: what matches no listed
//!   alternative, or names a kind the spec does not list, is kept as JSON, shown by `Debug` as
//!   its shape only (an event stream goes on past an event type it does not know);
//! - no struct or union refuses a field the spec does not list (`deny_unknown_fields` goes).
//!
//! What must stay closed does: a one-value enum is a constant (a tag inside an untagged
//! alternative, which is how serde tells the alternatives apart), and an enum an untagged
//! union's alternative holds directly (a field of a struct alternative, a newtype alternative,
//! or a field of the struct a newtype alternative names) tells the alternatives apart too.
//! The rewrite counts what it changes.
//!
//! Without `deny_unknown_fields`, an untagged union's first alternative whose required fields
//! an answer has wins, even when a later one describes it better; [`order_alternatives`]
//! therefore tries the alternatives requiring most first (serde's order is the declaration's).

use std::collections::BTreeSet;

use syn::parse_quote;
use syn::punctuated::Punctuated;

use crate::rewrite::module_mut;

/// What [`open`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Opened {
    pub enums: usize,
    pub numbers: usize,
    pub untagged: usize,
    pub tagged: usize,
    /// Structs and unions that no longer refuse unlisted fields.
    pub fields: usize,
}

/// Opens every enum and union of `mod types` an answer can carry (see the module docs).
pub fn open(file: &mut syn::File) -> Result<Opened, String> {
    // By use, not by derive: with the `dispatch` or `deserialize` feature every type derives
    // `Deserialize`, and a feature must not change which variants an enum has.
    let answers = crate::rewrite::type_uses::uses(file)?.response;
    let types =
        module_mut(&mut file.items, "types").ok_or_else(|| "progenitor's output has no `types` module".to_string())?;
    let closed = discriminating(types, &answers);
    let mut opened = Opened::default();
    // Opened enums → their unknown variant, for their `Display` (if typify wrote one).
    let mut displayed = std::collections::BTreeMap::new();
    for item in types.iter_mut() {
        if let syn::Item::Struct(s) = item {
            if answers.contains(&s.ident.to_string()) && derives(&s.attrs, "Deserialize") {
                opened.fields += remove_serde_word(&mut s.attrs, "deny_unknown_fields");
            }
            continue;
        }
        let syn::Item::Enum(e) = item else { continue };
        let name = e.ident.to_string();
        let answer = answers.contains(&name) && derives(&e.attrs, "Deserialize");
        if answer {
            opened.fields += remove_serde_word(&mut e.attrs, "deny_unknown_fields");
        }
        let serde = serde_args(&e.attrs);
        let all_unit = e.variants.iter().all(|v| matches!(v.fields, syn::Fields::Unit));
        let written = derives(&e.attrs, "Serialize") || derives(&e.attrs, "Deserialize");
        let Some(unknown) = free_name(e) else { continue };
        // Answers open every enum; a request-only enum opens when it is a plain value list.
        let opens = answer || (written && all_unit);
        if !opens {
            continue;
        }
        if serde.iter().any(|a| a == "untagged") {
            e.variants.push(parse_quote! {
                /// What matches no alternative the spec lists, kept as sent (`Debug` shows its shape).
                #unknown(::api_runtime::UnknownValue)
            });
            remove_derive(&mut e.attrs, "Copy");
            displayed.insert(name, unknown);
            opened.untagged += 1;
        } else if serde.iter().any(|a| a.starts_with("tag")) {
            // Untagged within a tagged enum: tried when no listed kind takes the value.
            e.variants.push(parse_quote! {
                /// A kind the spec does not list, kept as sent (`Debug` shows its shape).
                #[serde(untagged)]
                #unknown(::api_runtime::UnknownValue)
            });
            remove_derive(&mut e.attrs, "Copy");
            displayed.insert(name, unknown);
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
    opened.numbers = open_numbers(types, &closed, &answers);
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

/// typify's number enums are newtypes whose `TryFrom` refuses an unlisted value, and whose
/// `Deserialize` goes through it: the `Deserialize` of each of two values or more that nothing
/// discriminates by takes any number of its type instead. Returns how many it opened.
fn open_numbers(types: &mut [syn::Item], closed: &BTreeSet<String>, answers: &BTreeSet<String>) -> usize {
    // Name → the number type, for each checked newtype listing two values or more.
    let mut listed = std::collections::BTreeMap::new();
    for item in types.iter() {
        let syn::Item::Impl(imp) = item else { continue };
        let Some((path, _)) = &imp.trait_ else { continue };
        let Some(last) = path.segments.last().filter(|s| s.ident == "TryFrom") else { continue };
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else { continue };
        let Some(syn::GenericArgument::Type(number)) = args.args.first() else { continue };
        let is_number = matches!(number, syn::Type::Path(p) if p.path.get_ident().is_some_and(|i| {
            matches!(i.to_string().as_str(), "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "f32" | "f64")
        }));
        let Some(name) = type_name(&imp.self_ty) else { continue };
        if is_number && listed_values(imp).is_some_and(|n| n >= 2) && answers.contains(&name) && !closed.contains(&name)
        {
            listed.insert(name, number.clone());
        }
    }
    let mut opened = 0;
    for item in types.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        let is_deserialize =
            imp.trait_.as_ref().is_some_and(|(p, _)| p.segments.last().is_some_and(|s| s.ident == "Deserialize"));
        let Some(number) = type_name(&imp.self_ty).filter(|_| is_deserialize).and_then(|n| listed.get(&n)) else {
            continue;
        };
        let Some(syn::ImplItem::Fn(deserialize)) =
            imp.items.iter_mut().find(|i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "deserialize"))
        else {
            continue;
        };
        deserialize.block = parse_quote! {{
            <#number as ::serde::Deserialize<'de>>::deserialize(deserializer).map(Self)
        }};
        opened += 1;
    }
    opened
}

/// How many values the `![…].contains(&value)` check of a `TryFrom` lists, if it has one.
fn listed_values(imp: &syn::ItemImpl) -> Option<usize> {
    use syn::visit::Visit;
    struct Find(Option<usize>);
    impl<'ast> Visit<'ast> for Find {
        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            if let (true, syn::Expr::Array(values)) = (call.method == "contains", &*call.receiver) {
                self.0 = Some(values.elems.len());
            }
            syn::visit::visit_expr_method_call(self, call);
        }
    }
    let mut find = Find(None);
    find.visit_item_impl(imp);
    find.0
}

/// Reorders every untagged union's alternatives so that those requiring more fields are
/// tried first (stable otherwise): with unlisted fields accepted, an answer must not be taken
/// by an alternative that only requires less of it. Returns how many unions it reordered.
pub fn order_alternatives(file: &mut syn::File) -> usize {
    let Some(types) = module_mut(&mut file.items, "types") else { return 0 };
    let required: std::collections::BTreeMap<String, usize> = types
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some((s.ident.to_string(), required_fields(&s.fields))),
            _ => None,
        })
        .collect();
    let mut reordered = 0;
    for item in types.iter_mut() {
        let syn::Item::Enum(e) = item else { continue };
        if !serde_args(&e.attrs).iter().any(|a| a == "untagged") {
            continue;
        }
        let requires = |variant: &syn::Variant| match &variant.fields {
            syn::Fields::Named(_) => required_fields(&variant.fields),
            syn::Fields::Unnamed(f) if f.unnamed.len() == 1 && !is_option(&f.unnamed[0].ty) => {
                type_name(&f.unnamed[0].ty).and_then(|name| required.get(&name).copied()).unwrap_or(0)
            }
            _ => 0,
        };
        let mut variants: Vec<syn::Variant> = std::mem::take(&mut e.variants).into_iter().collect();
        let before: Vec<syn::Ident> = variants.iter().map(|v| v.ident.clone()).collect();
        variants.sort_by_key(|v| std::cmp::Reverse(requires(v)));
        if variants.iter().map(|v| &v.ident).ne(before.iter()) {
            reordered += 1;
        }
        e.variants = variants.into_iter().collect();
    }
    reordered
}

/// Fields an answer must have: neither `Option` nor `#[serde(default)]`.
fn required_fields(fields: &syn::Fields) -> usize {
    fields.iter().filter(|f| !is_option(&f.ty) && !serde_args(&f.attrs).iter().any(|a| a == "default")).count()
}

fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// Removes the word `word` (such as `deny_unknown_fields`) from every `#[serde(…)]`, and an
/// attribute it leaves empty; returns how many it removed.
fn remove_serde_word(attrs: &mut Vec<syn::Attribute>, word: &str) -> usize {
    let mut removed = 0;
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("serde")) {
        let Ok(metas) = attr.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated) else {
            continue;
        };
        let before = metas.len();
        let kept: Punctuated<syn::Meta, syn::Token![,]> =
            metas.into_iter().filter(|m| !m.path().is_ident(word)).collect();
        if kept.len() != before {
            removed += before - kept.len();
            *attr = parse_quote! { #[serde(#kept)] };
        }
    }
    attrs.retain(|a| !a.path().is_ident("serde") || !matches!(&a.meta, syn::Meta::List(l) if l.tokens.is_empty()));
    removed
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

/// Types an untagged union an answer carries tells its alternatives apart by: the types of its
/// struct alternatives' fields and of its newtype alternatives, and the field types of the
/// structs those name (each through `Option`).
fn discriminating(types: &[syn::Item], answers: &BTreeSet<String>) -> BTreeSet<String> {
    let mut direct = BTreeSet::new();
    for item in types {
        let syn::Item::Enum(e) = item else { continue };
        // A union only requests carry is never decoded: what it holds need not stay closed.
        if !serde_args(&e.attrs).iter().any(|a| a == "untagged") || !answers.contains(&e.ident.to_string()) {
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
        assert_eq!(opened, Opened { enums: 2, untagged: 1, tagged: 1, ..Opened::default() }, "{code}");
        assert!(code.contains("#[serde(untagged)]\n        Unknown(::std::string::String),"), "{code}");
        assert!(code.contains("Self::Unknown(ref value) => ::std::fmt::Display::fmt(value, f),"), "{code}");
        assert!(code.contains("#[derive(::serde::Deserialize, Clone, Debug)]\n    pub enum Origin"), "{code}");
        let event = &code[code.find("pub enum Event").unwrap()..];
        assert!(event.contains("#[serde(untagged)]\n        Unknown(::api_runtime::UnknownValue),"), "{code}");
        assert!(code.contains("Unknown(::api_runtime::UnknownValue)"), "{code}");
        // A request may send a value the spec does not list yet.
        let request = &code[code.find("pub enum RequestOnly").unwrap()..];
        assert!(request[..request.find('}').unwrap()].contains("Unknown(::std::string::String)"), "{code}");
        // What tells the alternatives apart stays closed.
        for closed in ["UserType", "Kind", "Role"] {
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

    /// A number enum an answer carries takes any number; one that tells alternatives apart,
    /// or a constant, stays checked.
    #[test]
    fn number_enums_an_answer_carries_take_any_number() {
        let newtype = |name: &str, values: &str| {
            format!(
                r#"
                #[derive(Clone, Debug)] pub struct {name}(i64);
                impl ::std::convert::TryFrom<i64> for {name} {{
                    type Error = self::error::ConversionError;
                    fn try_from(value: i64) -> ::std::result::Result<Self, self::error::ConversionError> {{
                        if ![{values}].contains(&value) {{ Err("invalid value".into()) }} else {{ Ok(Self(value)) }}
                    }}
                }}
                impl<'de> ::serde::Deserialize<'de> for {name} {{
                    fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
                    where D: ::serde::Deserializer<'de> {{
                        Self::try_from(<i64>::deserialize(deserializer)?)
                            .map_err(|e| <D::Error as ::serde::de::Error>::custom(e.to_string()))
                    }}
                }}"#
            )
        };
        let code = [
            newtype("Redirect", "301_i64, 302_i64"),
            newtype("Status", "403_i64"),
            newtype("Kind", "1_i64, 2_i64"),
            "#[derive(::serde::Deserialize)] #[serde(untagged)] pub enum Either { A { kind: Kind }, B(String) }".into(),
        ]
        .join("\n");
        let (opened, code) = opened(&code);
        assert_eq!(opened.numbers, 1, "{code}");
        let redirect = &code[code.find("for Redirect {\n        fn deserialize").unwrap()..];
        assert!(redirect.contains("<i64 as ::serde::Deserialize<'de>>::deserialize(deserializer).map(Self)"), "{code}");
        for closed in ["for Status {\n        fn deserialize", "for Kind {\n        fn deserialize"] {
            let body = &code[code.find(closed).unwrap()..];
            assert!(body[..300].contains("Self::try_from"), "{closed}: {code}");
        }
    }

    /// Nothing an answer carries refuses a field the spec does not list; requests keep theirs.
    #[test]
    fn answers_take_unlisted_fields() {
        let (opened, code) = opened(
            r#"
            #[derive(::serde::Deserialize, Debug)] #[serde(deny_unknown_fields)] pub struct Answer { a: i64 }
            #[derive(::serde::Deserialize)] #[serde(untagged, deny_unknown_fields)] pub enum U { A { a: i64 }, B(String) }
            #[derive(::serde::Serialize)] #[serde(deny_unknown_fields, rename_all = "camelCase")] pub struct Request { a: i64 }
            "#,
        );
        assert_eq!(opened.fields, 2, "{code}");
        assert!(code.contains("#[derive(::serde::Deserialize, Debug)]\n    pub struct Answer"), "{code}");
        assert!(code.contains("#[serde(untagged)]\n    pub enum U"), "{code}");
        assert!(code.contains("#[serde(deny_unknown_fields, rename_all = \"camelCase\")]"), "{code}");
    }

    /// The alternative requiring most is tried first; alternatives requiring as much keep
    /// their order.
    #[test]
    fn alternatives_requiring_more_come_first() {
        let mut file: syn::File = syn::parse_str(
            r#"pub mod types {
                pub struct Full { pub a: i64, pub b: i64, pub c: Option<i64>, #[serde(default)] pub d: Vec<i64> }
                #[serde(untagged)]
                pub enum U { Loose { a: Option<i64> }, Text(String), Number(f64), Whole(Full), Pair { a: i64, b: i64, c: i64 } }
                pub enum Tagged { Loose { a: Option<i64> }, Pair { a: i64, b: i64 } }
            }"#,
        )
        .unwrap();
        assert_eq!(order_alternatives(&mut file), 1);
        let code = prettyplease::unparse(&file);
        let order = ["Pair {", "Whole(", "Loose {", "Text(", "Number("];
        let u = &code[code.find("pub enum U").unwrap()..code.find("pub enum Tagged").unwrap()];
        let positions: Vec<usize> = order.iter().map(|v| u.find(v).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{u}");
        let tagged = &code[code.find("pub enum Tagged").unwrap()..];
        assert!(tagged.find("Loose").unwrap() < tagged.find("Pair").unwrap(), "{tagged}");
    }
}
