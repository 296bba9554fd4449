//! Typed multipart bodies. progenitor is given each operation the `multipart-form` rule shaped
//! as an octet-stream upload; this module then turns that into a form upload (structural
//! rewrites of its builder, each counted):
//!
//! - the builder's `body: Result<reqwest::Body, String>` field holds a
//!   `reqwest::multipart::Form` instead;
//! - its `body` setter takes the operation's typed form, `forms::<Operation>`, and encodes it
//!   (`api_runtime::multipart::encode`);
//! - `send` calls `.multipart(body)` where progenitor wrote `.header(CONTENT_TYPE,
//!   "application/octet-stream").body(body)`: reqwest writes the boundary into the
//!   `Content-Type` and, when every part's length is known, the `Content-Length`.
//!
//! and adds `mod forms`: per operation a struct with the fields (the rule's component, typed by
//! typify) and one `FilePart` field per file property: a required file is an argument of
//! `new`, so a form without it does not compile; an optional one is an `Option`, an array of
//! files a `Vec`, each with a setter.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;

use crate::names as naming;
use crate::plan::{FileShape, Plan};

/// One multipart operation.
#[derive(Debug, Clone)]
pub struct Form {
    /// The operation's method name (its `OperationInfo` id).
    pub operation: String,
    /// The Rust type of its fields (`types::<this>`).
    pub fields: String,
    pub files: Vec<FileShape>,
    /// Fields sent as `field[property]` parts.
    pub deep_objects: Vec<String>,
}

/// The multipart operations the plan sends as forms.
pub fn forms(plan: &Plan) -> Vec<Form> {
    plan.operations()
        .filter_map(|(pointer, op)| {
            let shape = plan.form(pointer)?;
            Some(Form {
                operation: op.rust_name.clone(),
                fields: naming::type_name(&shape.fields),
                files: shape.files.clone(),
                deep_objects: shape.deep_objects.clone(),
            })
        })
        .collect()
}

/// Rewrites each form operation's builder and adds `mod forms` (see the module documentation).
pub fn apply(file: &mut syn::File, forms: &[Form]) -> Result<(), String> {
    if forms.is_empty() {
        return Ok(());
    }
    let builder = crate::rewrite::builder_module(file)?;
    let mut structs = Vec::new();
    let senders = crate::rewrite::impls_by_operation(builder);
    for form in forms {
        let name = senders
            .get(&form.operation)
            .and_then(|index| builder_name(&builder[*index]))
            .ok_or_else(|| format!("no builder sends the multipart operation `{}`", form.operation))?;
        rewrite_builder(builder, &name).map_err(|e| format!("multipart operation `{}`: {e}", form.operation))?;
        structs.push(form_struct(&name, form));
    }
    builder.insert(
        0,
        syn::parse_quote!(
            use super::forms;
        ),
    );
    file.items.push(syn::parse_quote! {
        /// Typed `multipart/form-data` bodies, one per operation that sends one: the spec's
        /// non-file properties as `fields`, each file property as a [`FilePart`].
        pub mod forms {
            use super::types;
            pub use ::api_runtime::FilePart;
            use ::api_runtime::multipart::{FileSlot, Files, MultipartForm};

            #(#structs)*
        }
    });
    Ok(())
}

/// The builder struct an `impl` block is for.
fn builder_name(item: &syn::Item) -> Option<syn::Ident> {
    let syn::Item::Impl(block) = item else { return None };
    let syn::Type::Path(ty) = &*block.self_ty else { return None };
    ty.path.segments.last().map(|s| s.ident.clone())
}

fn rewrite_builder(items: &mut [syn::Item], name: &syn::Ident) -> Result<(), String> {
    let form_ty = quote!(forms::#name);
    let form_text = format!("forms::{name}");
    let (mut fields, mut setters, mut sends) = (0, 0, 0);
    for item in items.iter_mut() {
        match item {
            syn::Item::Struct(s) if s.ident == *name => {
                for field in s.fields.iter_mut() {
                    if is_result_of_body(&field.ty) {
                        field.ty = syn::parse_quote!(Result<::reqwest::multipart::Form, String>);
                        fields += 1;
                    }
                }
            }
            syn::Item::Impl(block) if block.trait_.is_none() && is_named(&block.self_ty, name) => {
                for member in block.items.iter_mut() {
                    let syn::ImplItem::Fn(f) = member else { continue };
                    if takes_body(f) {
                        let setter = &f.sig.ident;
                        let doc = format!("The multipart body: a [`{form_text}`].");
                        let failed = format!("conversion to `{form_text}` for {setter} failed");
                        *f = syn::parse_quote! {
                            #[doc = #doc]
                            pub fn #setter<V>(mut self, value: V) -> Self
                            where
                                V: std::convert::TryInto<#form_ty>,
                            {
                                self.#setter = value
                                    .try_into()
                                    .map_err(|_| #failed.to_string())
                                    .and_then(::api_runtime::multipart::encode);
                                self
                            }
                        };
                        setters += 1;
                    } else {
                        let mut multipart = Multipart(0);
                        multipart.visit_block_mut(&mut f.block);
                        sends += multipart.0;
                    }
                }
            }
            _ => {}
        }
    }
    match (fields, setters, sends) {
        (1, 1, 1) => Ok(()),
        _ => Err(format!(
            "expected one `reqwest::Body` field, one setter and one octet-stream `.body(…)` in `{name}`, \
             found {fields}, {setters} and {sends}"
        )),
    }
}

/// `.header(…CONTENT_TYPE, …).body(x)` → `.multipart(x)`, counted.
struct Multipart(usize);

impl VisitMut for Multipart {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        let syn::Expr::MethodCall(call) = expr else { return };
        if call.method != "body" || call.args.len() != 1 {
            return;
        }
        let syn::Expr::MethodCall(header) = &*call.receiver else { return };
        let content_type = header.method == "header"
            && matches!(header.args.first(), Some(syn::Expr::Path(p))
                if p.path.segments.last().is_some_and(|s| s.ident == "CONTENT_TYPE"));
        if !content_type {
            return;
        }
        let (receiver, body) = (&header.receiver, &call.args[0]);
        *expr = syn::parse_quote!(#receiver.multipart(#body));
        self.0 += 1;
    }
}

/// `Result<reqwest::Body, String>`.
fn is_result_of_body(ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else { return false };
    let Some(last) = p.path.segments.last().filter(|s| s.ident == "Result") else { return false };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return false };
    matches!(args.args.first(), Some(syn::GenericArgument::Type(t)) if is_reqwest_body(t))
}

fn is_reqwest_body(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p)
        if p.path.segments.last().is_some_and(|s| s.ident == "Body")
            && p.path.segments.iter().any(|s| s.ident == "reqwest"))
}

/// A setter `where B: TryInto<reqwest::Body>`.
fn takes_body(f: &syn::ImplItemFn) -> bool {
    let Some(clause) = &f.sig.generics.where_clause else { return false };
    clause.predicates.iter().any(|p| {
        let syn::WherePredicate::Type(p) = p else { return false };
        p.bounds.iter().any(|b| {
            let syn::TypeParamBound::Trait(t) = b else { return false };
            let Some(last) = t.path.segments.last().filter(|s| s.ident == "TryInto") else { return false };
            matches!(&last.arguments, syn::PathArguments::AngleBracketed(a)
                if matches!(a.args.first(), Some(syn::GenericArgument::Type(t)) if is_reqwest_body(t)))
        })
    })
}

fn is_named(ty: &syn::Type, name: &syn::Ident) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == *name))
}

/// `forms::<name>`: the struct, `new`, setters and its `MultipartForm` impl.
fn form_struct(name: &syn::Ident, form: &Form) -> TokenStream {
    let fields_ty = format_ident!("{}", form.fields);
    let mut taken: Vec<String> = vec!["fields".into(), "new".into()];
    let files: Vec<(syn::Ident, &FileShape)> = form
        .files
        .iter()
        .map(|file| {
            let base = naming::field_name(&file.name);
            let unique = (1..)
                .map(|n| if n == 1 { base.clone() } else { format!("{base}_{n}") })
                .find(|candidate| !taken.contains(candidate))
                .unwrap_or(base);
            taken.push(unique.clone());
            (format_ident!("{unique}"), file)
        })
        .collect();
    let doc = format!("The `multipart/form-data` body of `{}`: its fields, then its file parts.", form.operation);
    let mut members = Vec::new();
    let mut args = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    let mut pushes = Vec::new();
    let mut takes = Vec::new();
    let mut slots = Vec::new();
    for (ident, file) in &files {
        let wire = &file.name;
        let (required, multiple, content_type) = (file.required, file.multiple, &file.content_type);
        slots.push(
            quote!(FileSlot { name: #wire, required: #required, multiple: #multiple, content_type: #content_type }),
        );
        if multiple {
            let doc = format!("File parts `{wire}`, any number (`{content_type}` unless a part says otherwise).");
            members.push(quote!(#[doc = #doc] pub #ident: Vec<FilePart>));
            inits.push(quote!(#ident: Vec::new()));
            let setter_doc = format!("Adds a file part `{wire}`.");
            setters.push(quote! {
                #[doc = #setter_doc]
                pub fn #ident(mut self, part: FilePart) -> Self {
                    self.#ident.push(part);
                    self
                }
            });
            pushes.push(quote!(files.extend(#wire, self.#ident);));
            takes.push(quote!(#ident: files.take_all(#wire)));
        } else if required {
            let doc = format!("The file part `{wire}` (required; `{content_type}` unless it says otherwise).");
            members.push(quote!(#[doc = #doc] pub #ident: FilePart));
            args.push(quote!(#ident: FilePart));
            inits.push(quote!(#ident));
            pushes.push(quote!(files.push(#wire, self.#ident);));
            takes.push(quote!(#ident: files.take_one(#wire)?));
        } else {
            let doc = format!("The file part `{wire}` (optional; `{content_type}` unless it says otherwise).");
            members.push(quote!(#[doc = #doc] pub #ident: Option<FilePart>));
            inits.push(quote!(#ident: None));
            let setter_doc = format!("Sets the file part `{wire}`.");
            setters.push(quote! {
                #[doc = #setter_doc]
                pub fn #ident(mut self, part: FilePart) -> Self {
                    self.#ident = Some(part);
                    self
                }
            });
            pushes.push(quote!(files.push_optional(#wire, self.#ident);));
            takes.push(quote!(#ident: files.take_optional(#wire)));
        }
    }
    let fields_doc = format!("The form's other properties: [`types::{}`].", form.fields);
    let deep = &form.deep_objects;
    let deep_objects = (!deep.is_empty()).then(|| quote!(const DEEP_OBJECTS: &'static [&'static str] = &[#(#deep),*];));
    quote! {
        #[doc = #doc]
        #[derive(Debug)]
        pub struct #name {
            #[doc = #fields_doc]
            pub fields: types::#fields_ty,
            #(#members,)*
        }

        impl #name {
            /// A form with its fields and its required file parts.
            pub fn new(fields: types::#fields_ty #(, #args)*) -> Self {
                Self { fields #(, #inits)* }
            }

            #(#setters)*
        }

        impl MultipartForm for #name {
            type Fields = types::#fields_ty;
            const FILES: &'static [FileSlot] = &[#(#slots),*];
            #deep_objects

            fn into_parts(self) -> (Self::Fields, Files) {
                #[allow(unused_mut)]
                let mut files = Files::default();
                #(#pushes)*
                (self.fields, files)
            }

            fn from_parts(fields: Self::Fields, mut files: Files) -> Result<Self, String> {
                Ok(Self { fields #(, #takes)* })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder() -> syn::File {
        syn::parse_quote! {
            pub mod builder {
                use super::{types, OperationInfo};
                pub struct Upload<'a> { client: &'a super::Client, body: Result<reqwest::Body, String> }
                impl<'a> Upload<'a> {
                    pub fn body<B>(mut self, value: B) -> Self where B: std::convert::TryInto<reqwest::Body> { self }
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<()>> {
                        let request = client.client.post(url)
                            .header(::reqwest::header::ACCEPT, ::reqwest::header::HeaderValue::from_static("application/json"))
                            .header(::reqwest::header::CONTENT_TYPE, ::reqwest::header::HeaderValue::from_static("application/octet-stream"))
                            .body(body)
                            .build()?;
                        let info = OperationInfo { operation_id: "upload" };
                        todo!()
                    }
                }
            }
        }
    }

    fn form(files: Vec<FileShape>) -> Form {
        Form { operation: "upload".into(), fields: "UploadFields".into(), files, deep_objects: vec!["format".into()] }
    }

    fn part(name: &str, required: bool, multiple: bool) -> FileShape {
        FileShape { name: name.into(), required, multiple, content_type: "audio/wav".into() }
    }

    #[test]
    fn the_builder_sends_the_typed_form() {
        let files = vec![part("clip", true, false), part("new", false, false), part("extra[]", false, true)];
        let mut file = builder();
        apply(&mut file, &[form(files)]).unwrap();
        let code = prettyplease::unparse(&file).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(code.contains("body: Result<::reqwest::multipart::Form, String>"), "{code}");
        assert!(code.contains("V: std::convert::TryInto<forms::Upload>"), "{code}");
        assert!(code.contains(".and_then(::api_runtime::multipart::encode)"), "{code}");
        assert!(code.contains("\"application/json\"), ) .multipart(body) .build()?"), "{code}");
        assert!(!code.contains("octet-stream"), "{code}");
        assert!(code.contains("pub fn new(fields: types::UploadFields, clip: FilePart) -> Self"), "{code}");
        assert!(code.contains("pub new_2: Option<FilePart>") && code.contains("pub extra: Vec<FilePart>"), "{code}");
        assert!(code.contains("FileSlot { name: \"extra[]\", required: false, multiple: true"), "{code}");
        assert!(code.contains("clip: files.take_one(\"clip\")?"), "{code}");
        assert!(code.contains("const DEEP_OBJECTS: &'static [&'static str] = &[\"format\"];"), "{code}");
    }

    #[test]
    fn a_builder_not_shaped_as_expected_fails() {
        let file = builder();
        let text = quote!(#file).to_string().replace("CONTENT_TYPE", "CONTENT_LANGUAGE");
        let mut file: syn::File = syn::parse_str(&text).unwrap();
        let err = apply(&mut file, &[form(vec![])]).unwrap_err();
        assert!(err.contains("found 1, 1 and 0"), "{err}");
        let err = apply(&mut builder(), &[Form { operation: "other".into(), ..form(vec![]) }]).unwrap_err();
        assert!(err.contains("no builder sends the multipart operation `other`"), "{err}");
    }
}
