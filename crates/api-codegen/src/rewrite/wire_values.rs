//! Enum variants named by `x-enum-varnames` (set by the spec, an overlay or the
//! `unique-enum-variant-names` rule) with the exact wire values kept.
//!
//! typify names a string enum's variants after its values and has no way to be told other
//! names. So generation hands progenitor a copy of the document in which each such value is a
//! marker that typify's sanitising turns into the wanted name (`\u{E000}DomainDotCreated\u{E000}`
//! plus an index in private-use characters, which typify drops as separators), and afterwards
//! every string literal that is a marker (serde's `rename`, `Display`, `FromStr`) becomes the
//! wire value again: a syn visitor, counted; a marker left anywhere fails generation.

use std::collections::BTreeMap;

use serde_json::Value;
use syn::punctuated::Punctuated;
use syn::visit_mut::VisitMut;

use crate::doc::extensions::ENUM_VARNAMES as VARNAMES;
use crate::doc::schemas;

/// Opens every marker; no spec text contains it (a private-use character).
pub const MARK: char = '\u{E000}';
/// Private-use stand-ins for the digits of a marker's index (sanitised away like `MARK`).
const DIGIT_0: u32 = 0xE001;

/// Marker → wire value.
#[derive(Debug, Default)]
pub struct WireValues {
    by_marker: BTreeMap<String, String>,
}

/// Whether any schema of `doc` has `x-enum-varnames` (then [`substitute`] has work to do).
pub fn mentions(node: &Value) -> bool {
    match node {
        Value::Object(map) => map.contains_key(VARNAMES) || map.values().any(mentions),
        Value::Array(items) => items.iter().any(mentions),
        _ => false,
    }
}

/// Replaces the string values of every enum with `x-enum-varnames` by markers (and a
/// `default` that is one of them), dropping the extension; returns what to restore.
pub fn substitute(doc: &mut Value) -> WireValues {
    let mut wire = WireValues::default();
    let mut index: BTreeMap<(String, String), String> = BTreeMap::new();
    let _ = schemas::visit_all(doc, |schema, _| {
        let Some(Value::Array(names)) = schema.remove(VARNAMES) else { return Ok::<(), ()>(()) };
        let Some(Value::Array(values)) = schema.get_mut("enum") else { return Ok(()) };
        let mut renamed: BTreeMap<String, String> = BTreeMap::new();
        for (value, name) in values.iter_mut().zip(&names) {
            let (Value::String(text), Some(name)) = (&*value, name.as_str()) else { continue };
            let next = index.len();
            let marker = index.entry((name.to_string(), text.clone())).or_insert_with(|| marker(name, next)).clone();
            wire.by_marker.insert(marker.clone(), text.clone());
            renamed.insert(text.clone(), marker.clone());
            *value = Value::String(marker);
        }
        if let Some(Value::String(default)) = schema.get("default")
            && let Some(marker) = renamed.get(default)
        {
            schema.insert("default".into(), Value::String(marker.clone()));
        }
        Ok(())
    });
    wire
}

fn marker(name: &str, index: usize) -> String {
    let digits: String =
        index.to_string().chars().filter_map(|d| d.to_digit(10).and_then(|d| char::from_u32(DIGIT_0 + d))).collect();
    format!("{MARK}{name}{MARK}{digits}")
}

/// Puts the wire values back in place of the markers; returns how many literals each wire
/// value got back, by marker.
pub fn restore(file: &mut syn::File, wire: &WireValues) -> Result<BTreeMap<String, usize>, String> {
    let mut restore = Restore { wire, counts: BTreeMap::new(), error: None };
    restore.visit_file_mut(file);
    match restore.error {
        Some(error) => Err(error),
        None => Ok(restore.counts),
    }
}

/// Restores the client's markers and checks them: typify writes each value three times per
/// enum (serde's `rename`, `Display`, `FromStr`).
pub fn restore_client(file: &mut syn::File, wire: &WireValues) -> Result<usize, String> {
    let counts = restore(file, wire)?;
    if let Some((marker, n)) = counts.iter().find(|(_, n)| *n % 3 != 0) {
        let value = wire.by_marker.get(marker).map_or("?", String::as_str);
        return Err(format!(
            "the enum value `{value}` appears {n} times in the generated code, not in a `rename`, `Display` and \
             `FromStr` per enum"
        ));
    }
    Ok(counts.values().sum())
}

/// Whether a string literal among `tokens` (not nested) contains [`MARK`].
fn holds_marker(tokens: &proc_macro2::TokenStream) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Literal(literal) => match syn::Lit::new(literal) {
            syn::Lit::Str(text) => text.value().contains(MARK),
            _ => false,
        },
        _ => false,
    })
}

struct Restore<'a> {
    wire: &'a WireValues,
    counts: BTreeMap<String, usize>,
    error: Option<String>,
}

impl Restore<'_> {
    fn replaced(&mut self, lit: &syn::LitStr) -> Option<syn::LitStr> {
        let marker = lit.value();
        let wire = self.wire.by_marker.get(&marker)?;
        *self.counts.entry(marker).or_default() += 1;
        Some(syn::LitStr::new(wire, lit.span()))
    }
}

impl VisitMut for Restore<'_> {
    fn visit_lit_str_mut(&mut self, lit: &mut syn::LitStr) {
        if let Some(wire) = self.replaced(lit) {
            *lit = wire;
        }
    }

    /// `#[serde(rename = "…")]`: attribute arguments are tokens to syn; parsed, rewritten and
    /// printed back only when they hold a marker.
    fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
        if let syn::Meta::List(list) = &mut attr.meta
            && list.path.is_ident("serde")
        {
            // Most `serde` attributes hold no marker: parse only those with a string literal
            // carrying the marker character (a private-use one no spec text reaches typify with).
            if !holds_marker(&list.tokens) {
                return;
            }
            let parser = Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated;
            let mut args = match syn::parse::Parser::parse2(parser, list.tokens.clone()) {
                Ok(args) => args,
                Err(e) => {
                    self.error.get_or_insert_with(|| format!("a `serde` attribute does not parse: {e}"));
                    return;
                }
            };
            let mut changed = false;
            for arg in args.iter_mut() {
                if let syn::Meta::NameValue(syn::MetaNameValue {
                    value: syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(lit), .. }),
                    ..
                }) = arg
                    && let Some(wire) = self.replaced(lit)
                {
                    *lit = wire;
                    changed = true;
                }
            }
            if changed {
                list.tokens = quote::quote!(#args);
            }
            return;
        }
        syn::visit_mut::visit_attribute_mut(self, attr);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn markers_sanitise_to_the_given_names() {
        for (name, index) in [("DomainDotCreated", 0), ("Self2", 17), ("Self_", 3)] {
            assert_eq!(crate::names::variant_name(&marker(name, index)), name);
        }
    }

    #[test]
    fn substitutes_values_and_default_and_restores_every_literal() {
        let mut doc = json!({"components": {"schemas": {"E": {"type": "string",
            "enum": ["a.b", "a-b"], "default": "a-b", "x-enum-varnames": ["ADotB", "ADashB"]}}}});
        let wire = substitute(&mut doc);
        let schema = &doc["components"]["schemas"]["E"];
        assert_eq!(schema.get(VARNAMES), None);
        let (dot, dash) = (schema["enum"][0].as_str().unwrap(), schema["enum"][1].as_str().unwrap());
        assert_eq!(schema["default"], json!(dash));

        let mut file: syn::File = syn::parse_quote! {
            pub enum E {
                #[serde(rename = #dot)]
                ADotB,
                #[serde(rename = #dash, alias = "other")]
                ADashB,
            }
            fn fmt(e: E) -> &'static str { match e { E::ADotB => #dot, E::ADashB => #dash } }
            fn parse(s: &str) -> Option<E> { match s { #dot => Some(E::ADotB), #dash => Some(E::ADashB), _ => None } }
        };
        assert_eq!(restore_client(&mut file, &wire), Ok(6));
        let text = quote::quote!(#file).to_string();
        assert!(!text.contains(MARK), "{text}");
        assert!(text.contains(r#"rename = "a.b""#) && text.contains(r#"rename = "a-b" , alias = "other""#), "{text}");
        assert!(text.contains(r#""a-b" => Some (E :: ADashB)"#), "{text}");

        // A value written other than three times per enum is an error, not a guess.
        let mut file: syn::File = syn::parse_quote! { const X: &str = #dot; };
        assert!(restore_client(&mut file, &wire).unwrap_err().contains("`a.b` appears 1 times"));
    }
}
