//! Each generated type gets what its use needs, not everything typify writes.
//!
//! typify derives both serde traits on every type and writes a builder (`types::builder::X`,
//! with `X::builder()`) for every struct. A client serialises only what a request carries and
//! deserialises only what an answer carries; a builder helps only to write a request. On
//! Vercel's whole API about 600 of 830 builders and 900 `Serialize` impls are for answers
//! alone, about a third of the client's compile time and memory (BENCHMARKS.md).
//!
//! - **Request types**: those named in the fields and arguments of the client's own items
//!   (operation builders, typed forms), and every type they contain.
//! - **Response types**: those named in the return types of the client's functions (`send`,
//!   `send_stream`, …), and every type they contain.
//! - A type neither names (a component no operation uses) counts as both.
//!
//! [`trim`] then removes the builders of all but request types, `Serialize` from all but
//! request types and `Deserialize` (derived or typify's own impl) from all but response
//! types, unless [`Keep`] asks for a trait on every type. The rewrite is checked: each builder
//! removed loses its `X::builder()`, and no path to a removed builder is left.

use std::collections::{BTreeMap, BTreeSet};

use syn::punctuated::Punctuated;
use syn::visit::Visit;

use crate::rewrite::{module, module_mut};

/// Serde traits every type keeps, whatever its use (features `serialize`, `deserialize`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keep {
    pub serialize: bool,
    pub deserialize: bool,
}

/// What [`trim`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Trimmed {
    pub builders: usize,
    pub serialize: usize,
    pub deserialize: usize,
}

/// The two uses of the types of `mod types`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Uses {
    pub request: BTreeSet<String>,
    pub response: BTreeSet<String>,
}

/// Removes what no use of a type needs (see the module documentation).
pub fn trim(file: &mut syn::File, keep: Keep) -> Result<Trimmed, String> {
    let uses = uses(file)?;
    let types = module_mut(&mut file.items, "types").ok_or_else(no_types)?;
    let mut trimmed = Trimmed::default();
    let removed = remove_builders(types, &uses.request)?;
    trimmed.builders = removed.len();
    for item in types.iter_mut() {
        let (attrs, name) = match item {
            syn::Item::Struct(s) => (&mut s.attrs, s.ident.to_string()),
            syn::Item::Enum(e) => (&mut e.attrs, e.ident.to_string()),
            _ => continue,
        };
        if !keep.serialize && !uses.request.contains(&name) {
            trimmed.serialize += remove_derive(attrs, "Serialize");
        }
        if !keep.deserialize && !uses.response.contains(&name) {
            trimmed.deserialize += remove_derive(attrs, "Deserialize");
        }
    }
    // typify's own `impl Deserialize` (checked strings and numbers), and any `impl Serialize`.
    types.retain(|item| {
        let Some((trait_name, name)) = serde_impl(item) else { return true };
        let (kept, count) = match trait_name.as_str() {
            "Serialize" => (keep.serialize || uses.request.contains(&name), &mut trimmed.serialize),
            _ => (keep.deserialize || uses.response.contains(&name), &mut trimmed.deserialize),
        };
        *count += usize::from(!kept);
        kept
    });
    for item in types.iter_mut() {
        strip_orphaned_serde_attributes(item);
    }
    let left = paths_to_builders(file, &removed);
    if !left.is_empty() {
        return Err(format!(
            "typify's builders {} were removed but are still named",
            left.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(trimmed)
}

/// Which types a request and which an answer carries (see the module documentation).
pub fn uses(file: &syn::File) -> Result<Uses, String> {
    let types = module(&file.items, "types").ok_or_else(no_types)?;
    let contains = contained_types(types);
    let names: BTreeSet<String> = contains.keys().cloned().collect();
    let mut roots = Roots { names: &names, request: BTreeSet::new(), response: BTreeSet::new() };
    for item in &file.items {
        if !matches!(item, syn::Item::Mod(m) if m.ident == "types") {
            roots.visit_item(item);
        }
    }
    let request = closure(&contains, roots.request);
    let response = closure(&contains, roots.response);
    let unused: BTreeSet<String> =
        names.iter().filter(|n| !request.contains(*n) && !response.contains(*n)).cloned().collect();
    let unused = closure(&contains, unused);
    Ok(Uses { request: &request | &unused, response: &response | &unused })
}

fn no_types() -> String {
    "progenitor's output has no `types` module".to_string()
}

/// Each type of `mod types` and the types of the module it names in its definition (fields,
/// variants, aliased type): what serialising or building it also needs.
fn contained_types(types: &[syn::Item]) -> BTreeMap<String, BTreeSet<String>> {
    let names: BTreeSet<String> = types.iter().filter_map(defined_name).collect();
    types
        .iter()
        .filter_map(|item| {
            let name = defined_name(item)?;
            let mut found = Named { names: &names, qualified: false, found: BTreeSet::new() };
            match item {
                syn::Item::Struct(s) => found.visit_fields(&s.fields),
                syn::Item::Enum(e) => e.variants.iter().for_each(|v| found.visit_fields(&v.fields)),
                syn::Item::Type(t) => found.visit_type(&t.ty),
                _ => {}
            }
            Some((name, found.found))
        })
        .collect()
}

fn defined_name(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(s) => Some(s.ident.to_string()),
        syn::Item::Enum(e) => Some(e.ident.to_string()),
        syn::Item::Type(t) => Some(t.ident.to_string()),
        _ => None,
    }
}

/// `roots` and every type they contain, transitively.
fn closure(contains: &BTreeMap<String, BTreeSet<String>>, roots: BTreeSet<String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = roots.into_iter().collect();
    while let Some(name) = stack.pop() {
        if let Some(inner) = contains.get(&name)
            && seen.insert(name)
        {
            stack.extend(inner.iter().filter(|n| !seen.contains(*n)).cloned());
        }
    }
    seen
}

/// Collects the types of `mod types` a type names. Inside the module they are named bare;
/// outside it (`qualified`) through a path with a `types` segment (`types::X`,
/// `types::builder::X`). A path from the root (`::std::…`) names none.
struct Named<'a> {
    names: &'a BTreeSet<String>,
    qualified: bool,
    found: BTreeSet<String>,
}

impl Visit<'_> for Named<'_> {
    fn visit_type_path(&mut self, ty: &syn::TypePath) {
        let path = &ty.path;
        let scoped = if self.qualified {
            path.segments.iter().any(|s| s.ident == "types")
        } else {
            path.leading_colon.is_none()
        };
        if ty.qself.is_none()
            && scoped
            && let Some(last) = path.segments.last()
        {
            let name = last.ident.to_string();
            if self.names.contains(&name) {
                self.found.insert(name);
            }
        }
        syn::visit::visit_type_path(self, ty);
    }
}

/// The types the client's items outside `mod types` take (fields, arguments) and give
/// (return types).
struct Roots<'a> {
    names: &'a BTreeSet<String>,
    request: BTreeSet<String>,
    response: BTreeSet<String>,
}

impl Roots<'_> {
    fn named(&self, visit: impl FnOnce(&mut Named<'_>)) -> BTreeSet<String> {
        let mut named = Named { names: self.names, qualified: true, found: BTreeSet::new() };
        visit(&mut named);
        named.found
    }
}

impl Visit<'_> for Roots<'_> {
    fn visit_field(&mut self, field: &syn::Field) {
        let found = self.named(|n| n.visit_type(&field.ty));
        self.request.extend(found);
    }
    fn visit_signature(&mut self, sig: &syn::Signature) {
        let inputs = self.named(|n| sig.inputs.iter().for_each(|arg| n.visit_fn_arg(arg)));
        let output = self.named(|n| n.visit_return_type(&sig.output));
        self.request.extend(inputs);
        self.response.extend(output);
    }
}

/// Removes the builders (in `types::builder`) and `X::builder()` functions of the types that
/// are not in `keep`; returns the names of the removed builders. Fails when the two do not
/// match, which would mean typify's builders changed shape.
fn remove_builders(types: &mut Vec<syn::Item>, keep: &BTreeSet<String>) -> Result<BTreeSet<String>, String> {
    let mut removed = BTreeSet::new();
    if let Some(builders) = module_mut(types, "builder") {
        builders.retain(|item| {
            let subject = match item {
                syn::Item::Struct(s) => Some(s.ident.to_string()),
                syn::Item::Impl(i) => self_type(i),
                _ => None,
            };
            match subject {
                Some(name) if !keep.contains(&name) => {
                    if matches!(item, syn::Item::Struct(_)) {
                        removed.insert(name);
                    }
                    false
                }
                _ => true,
            }
        });
    }
    let mut entry_points = BTreeSet::new();
    types.retain_mut(|item| {
        let syn::Item::Impl(block) = item else { return true };
        let Some(name) = self_type(block).filter(|n| block.trait_.is_none() && removed.contains(n)) else {
            return true;
        };
        let before = block.items.len();
        block.items.retain(|i| !matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "builder"));
        if block.items.len() < before {
            entry_points.insert(name);
        }
        !block.items.is_empty()
    });
    if entry_points != removed {
        let odd: Vec<&String> = removed.symmetric_difference(&entry_points).collect();
        return Err(format!("typify's builders and `builder()` functions do not pair up: {odd:?}"));
    }
    Ok(removed)
}

/// The last segment of an impl's self type: `X` for `X`, `super::X` and `X<'a>`.
fn self_type(block: &syn::ItemImpl) -> Option<String> {
    match &*block.self_ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// Removes `trait_name` (a `serde::` path) from the item's `#[derive(…)]`; 1 if it was there.
fn remove_derive(attrs: &mut Vec<syn::Attribute>, trait_name: &str) -> usize {
    let mut removed = 0;
    for attr in attrs.iter_mut() {
        let Some(paths) = derived(attr) else { continue };
        let kept: Vec<syn::Path> = paths.iter().filter(|p| !is_serde(p, trait_name)).cloned().collect();
        if kept.len() < paths.len() {
            removed += 1;
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
    }
    attrs.retain(|attr| derived(attr).is_none_or(|paths| !paths.is_empty()));
    removed
}

/// The paths of a `#[derive(…)]` attribute.
fn derived(attr: &syn::Attribute) -> Option<Punctuated<syn::Path, syn::Token![,]>> {
    if !attr.path().is_ident("derive") {
        return None;
    }
    attr.parse_args_with(Punctuated::parse_terminated).ok()
}

/// `serde::<trait_name>`, however it is written (`::serde::Serialize`, `serde::Serialize`).
fn is_serde(path: &syn::Path, trait_name: &str) -> bool {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    matches!(segments.as_slice(), [krate, name] if krate == "serde" && name == trait_name)
}

/// `impl … serde::Serialize for X` or `impl<'de> serde::Deserialize<'de> for X`: the trait's
/// name and `X`.
fn serde_impl(item: &syn::Item) -> Option<(String, String)> {
    let syn::Item::Impl(block) = item else { return None };
    let (path, _) = block.trait_.as_ref()?;
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    match segments.as_slice() {
        [krate, name] if krate == "serde" && (name == "Serialize" || name == "Deserialize") => {
            Some((name.clone(), self_type(block)?))
        }
        _ => None,
    }
}

/// A struct or enum left without a serde derive must not keep `#[serde(…)]` attributes: they
/// belong to the derives, and rustc rejects them alone.
fn strip_orphaned_serde_attributes(item: &mut syn::Item) {
    let derives_serde = |attrs: &[syn::Attribute]| {
        attrs.iter().filter_map(derived).flatten().any(|p| is_serde(&p, "Serialize") || is_serde(&p, "Deserialize"))
    };
    let not_serde = |attr: &syn::Attribute| !attr.path().is_ident("serde");
    match item {
        syn::Item::Struct(s) if !derives_serde(&s.attrs) => {
            s.attrs.retain(not_serde);
            s.fields.iter_mut().for_each(|f| f.attrs.retain(not_serde));
        }
        syn::Item::Enum(e) if !derives_serde(&e.attrs) => {
            e.attrs.retain(not_serde);
            for variant in &mut e.variants {
                variant.attrs.retain(not_serde);
                variant.fields.iter_mut().for_each(|f| f.attrs.retain(not_serde));
            }
        }
        _ => {}
    }
}

/// The removed builders a path still names: `types::builder::X` anywhere, `builder::X` inside
/// `mod types`.
fn paths_to_builders(file: &syn::File, removed: &BTreeSet<String>) -> BTreeSet<String> {
    struct Find<'a> {
        removed: &'a BTreeSet<String>,
        in_types: bool,
        found: BTreeSet<String>,
    }
    impl Visit<'_> for Find<'_> {
        fn visit_item_mod(&mut self, m: &syn::ItemMod) {
            let outer = self.in_types;
            self.in_types |= m.ident == "types";
            syn::visit::visit_item_mod(self, m);
            self.in_types = outer;
        }
        fn visit_path(&mut self, path: &syn::Path) {
            let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            for (i, pair) in segments.windows(2).enumerate() {
                let qualified = i > 0 && segments[i - 1] == "types";
                if pair[0] == "builder" && (qualified || (self.in_types && i == 0)) && self.removed.contains(&pair[1]) {
                    self.found.insert(pair[1].clone());
                }
            }
            syn::visit::visit_path(self, path);
        }
    }
    let mut find = Find { removed, in_types: false, found: BTreeSet::new() };
    find.visit_file(file);
    find.found
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// typify's and progenitor's shapes: a request body holding an enum, an answer holding a
    /// struct of its own, an error body, and a component no operation uses.
    fn client() -> syn::File {
        syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Body { pub kind: Kind, pub tags: ::std::vec::Vec<::std::string::String> }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
                pub enum Kind { #[serde(rename = "a")] A }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Answer { #[serde(rename = "inner")] pub inner: ::std::option::Option<Inner>, pub kind: Kind }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Inner { pub n: i64 }
                #[derive(::serde::Serialize, Clone, Debug)]
                #[serde(transparent)]
                pub struct Problem(::std::string::String);
                impl<'de> ::serde::Deserialize<'de> for Problem {
                    fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> { todo!() }
                }
                #[derive(::serde::Serialize, Clone, Debug)]
                #[serde(transparent)]
                pub struct Label(::std::string::String);
                impl<'de> ::serde::Deserialize<'de> for Label {
                    fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> { todo!() }
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Unused { pub label: Label }
                impl Body { pub fn builder() -> builder::Body { Default::default() } }
                impl Answer { pub fn builder() -> builder::Answer { Default::default() } }
                impl Inner { pub fn builder() -> builder::Inner { Default::default() } }
                impl Unused { pub fn builder() -> builder::Unused { Default::default() } }
                pub mod builder {
                    pub struct Body { kind: Result<super::Kind, String> }
                    impl Default for Body { fn default() -> Self { todo!() } }
                    impl Body { pub fn kind<T>(mut self, value: T) -> Self { self } }
                    impl ::std::convert::TryFrom<Body> for super::Body { type Error = String; fn try_from(value: Body) -> Result<Self, String> { todo!() } }
                    impl ::std::convert::From<super::Body> for Body { fn from(value: super::Body) -> Self { todo!() } }
                    pub struct Answer { inner: Result<Option<super::Inner>, String> }
                    impl ::std::convert::TryFrom<Answer> for super::Answer { type Error = String; fn try_from(value: Answer) -> Result<Self, String> { todo!() } }
                    pub struct Inner { n: Result<i64, String> }
                    pub struct Unused { label: Result<super::Label, String> }
                }
            }
            pub mod builder {
                pub struct CreateThing<'a> { client: &'a super::Client, body: Result<types::builder::Body, String> }
                impl<'a> CreateThing<'a> {
                    pub fn body_map(mut self, f: impl FnOnce(types::builder::Body) -> types::builder::Body) -> Self { self }
                    pub async fn send(self) -> Result<ResponseValue<types::Answer>, Error<types::Problem>> { todo!() }
                }
            }
        }
    }

    fn names(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn uses_follow_fields_and_return_types_through_the_types_they_contain() {
        let uses = uses(&client()).unwrap();
        // `Unused` (and the `Label` it holds) is named by no operation: both uses.
        assert_eq!(uses.request, names(&["Body", "Kind", "Label", "Unused"]));
        assert_eq!(uses.response, names(&["Answer", "Inner", "Kind", "Label", "Problem", "Unused"]));
    }

    #[test]
    fn answers_lose_their_builders_and_serialize_and_requests_their_deserialize() {
        let mut file = client();
        let trimmed = trim(&mut file, Keep::default()).unwrap();
        assert_eq!(trimmed, Trimmed { builders: 2, serialize: 3, deserialize: 1 });
        let code = quote!(#file).to_string();
        let squeeze = |s: &str| s.split_whitespace().collect::<String>();
        let code = squeeze(&code);
        for kept in [
            "#[derive(::serde::Serialize,Clone,Debug)]pubstructBody",
            "#[derive(::serde::Deserialize,::serde::Serialize,Clone,Copy,Debug)]pubenumKind",
            "#[derive(::serde::Deserialize,Clone,Debug)]pubstructAnswer{#[serde(rename=\"inner\")]",
            "#[derive(::serde::Deserialize,Clone,Debug)]pubstructInner",
            "#[derive(Clone,Debug)]pubstructProblem(::std::string::String);impl<'de>::serde::Deserialize<'de>forProblem",
            "#[derive(::serde::Serialize,Clone,Debug)]#[serde(transparent)]pubstructLabel",
            "implBody{pubfnbuilder()",
            "pubstructBody{kind:",
            "pubstructUnused{label:",
        ] {
            assert!(code.contains(&squeeze(kept)), "{kept} missing from {code}");
        }
        for gone in ["implAnswer{", "implInner{", "pubstructAnswer{inner", "pubstructInner{n", "forsuper::Answer"] {
            assert!(!code.contains(gone), "{gone} left in {code}");
        }
        // The error body keeps no `#[serde]` attribute without a serde derive.
        assert!(!code.contains("#[serde(transparent)]pubstructProblem"), "{code}");
    }

    #[test]
    fn features_keep_both_traits_on_every_type() {
        let mut file = client();
        let trimmed = trim(&mut file, Keep { serialize: true, deserialize: true }).unwrap();
        assert_eq!(trimmed, Trimmed { builders: 2, serialize: 0, deserialize: 0 });
        let code = quote!(#file).to_string();
        assert_eq!(code.matches(":: serde :: Serialize").count(), 7, "{code}");
    }

    #[test]
    fn a_hand_written_impl_counts_as_the_trait_it_implements() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, Clone, Debug)]
                pub struct Answer(::std::string::String);
                impl ::serde::Serialize for Answer {
                    fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { todo!() }
                }
            }
            pub async fn send() -> Result<ResponseValue<types::Answer>, Error<()>> { todo!() }
        };
        let trimmed = trim(&mut file, Keep::default()).unwrap();
        assert_eq!(trimmed, Trimmed { builders: 0, serialize: 1, deserialize: 0 });
        assert!(!quote!(#file).to_string().contains("Serializer"));
    }

    #[test]
    fn a_removed_builder_still_named_is_an_error() {
        let mut file = client();
        let extra: syn::Item = syn::parse_quote! {
            pub fn answer_builder() -> types::builder::Answer { todo!() }
        };
        file.items.push(extra);
        // A return type makes `Answer` an answer only: its builder goes, the path stays.
        let err = trim(&mut file, Keep::default()).unwrap_err();
        assert!(err.contains("`Answer`"), "{err}");
    }
}
