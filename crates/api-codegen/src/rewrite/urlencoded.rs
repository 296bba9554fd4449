//! Form-urlencoded bodies and query parameters of an object type sent as the spec says
//! (`api_runtime::urlencoded`), by structural rewrites of an operation's builder, each
//! counted:
//!
//! - a body the `form-urlencoded-body` rule planned: where progenitor wrote
//!   `.form_urlencoded(&body)?` (serde_urlencoded, flat values only), the builder sets the
//!   `Content-Type` and sends `urlencoded::encode_body(&body, FIELDS)`, the fields' styles
//!   from the plan; exactly one such call per operation;
//! - a query parameter the `deep-object-query` rule planned: progenitor's
//!   `progenitor_client::QueryParam::new("name", &value)` becomes
//!   `urlencoded::DeepObject::new("name", &value)`; one the `form-object-query` rule planned
//!   becomes `urlencoded::QueryObject::new("name", &value, Style::Form, explode)`; exactly one
//!   per parameter;
//! - a query parameter whose type is a struct, which emission gave progenitor as a map of it
//!   (`HashMap<String, T>`): the builder's field and its setter's bound take `T` again, and
//!   the setter's conversion error names `T`; exactly once each.
//!
//! It runs before `wire_names`, so a parameter's name is still its name in the document.

use quote::quote;
use syn::visit_mut::VisitMut;

use crate::names::{Case, progenitor_sanitize};
use crate::plan::{FieldEncoding, FieldStyle, FormObjectQuery, Plan};

/// What one operation's builder sends differently.
#[derive(Debug, Clone, Default)]
pub struct Encoded {
    /// The operation's method name (its `OperationInfo` id).
    pub operation: String,
    /// Its form body's field encodings, when the body is encoded here.
    pub body: Option<Vec<FieldEncoding>>,
    /// Its deepObject query parameters (names in the document).
    pub deep_object_query: Vec<String>,
    /// Its form-style query parameters of a struct type.
    pub form_object_query: Vec<FormObjectQuery>,
    /// Its query parameters of a struct type (names in the document), given to progenitor as
    /// maps.
    pub struct_query: Vec<String>,
}

impl Encoded {
    /// The query parameters sent through the runtime (name, its runtime value), in plan order.
    fn query(&self) -> Vec<(&str, QueryAs)> {
        let deep = self.deep_object_query.iter().map(|name| (name.as_str(), QueryAs::DeepObject));
        let form = self.form_object_query.iter().map(|p| (p.name.as_str(), QueryAs::Form { explode: p.explode }));
        deep.chain(form).collect()
    }
}

/// How a query parameter the runtime sends is written.
#[derive(Debug, Clone, Copy)]
enum QueryAs {
    DeepObject,
    Form { explode: bool },
}

impl QueryAs {
    /// The runtime's `Style` and `explode` of it, as arguments.
    fn style_args(self) -> (proc_macro2::TokenStream, bool) {
        match self {
            QueryAs::DeepObject => (quote!(::api_runtime::urlencoded::Style::DeepObject), true),
            QueryAs::Form { explode } => (quote!(::api_runtime::urlencoded::Style::Form), explode),
        }
    }
}

/// The operations the plan encodes here.
pub fn planned(plan: &Plan) -> Vec<Encoded> {
    plan.operations()
        .filter(|(pointer, op)| plan.left_out(pointer).is_none() && !op.rust_name.is_empty())
        .filter_map(|(pointer, op)| {
            let body = plan.urlencoded(pointer).map(|shape| shape.fields.clone());
            let encoded = Encoded {
                operation: op.rust_name.clone(),
                body,
                deep_object_query: op.deep_object_query.clone(),
                form_object_query: op.form_object_query.clone(),
                struct_query: op.struct_query.clone(),
            };
            let sends = encoded.body.is_some() || !encoded.query().is_empty() || !encoded.struct_query.is_empty();
            sends.then_some(encoded)
        })
        .collect()
}

/// Rewrites each planned operation's builder (see the module documentation).
pub fn apply(file: &mut syn::File, planned: &[Encoded]) -> Result<(), String> {
    if planned.is_empty() {
        return Ok(());
    }
    let builder = crate::rewrite::builder_module(file)?;
    let senders = crate::rewrite::impls_by_operation(builder);
    for encoded in planned {
        let block = senders
            .get(&encoded.operation)
            .and_then(|index| match builder.get_mut(*index) {
                Some(syn::Item::Impl(block)) => Some(block),
                _ => None,
            })
            .ok_or_else(|| format!("no builder sends the operation `{}`", encoded.operation))?;
        let query = encoded.query();
        let mut rewrite = Rewrite { encoded, query: &query, bodies: 0, params: vec![0; query.len()] };
        rewrite.visit_item_impl_mut(block);
        let expected_bodies = usize::from(encoded.body.is_some());
        if rewrite.bodies != expected_bodies {
            return Err(format!(
                "operation `{}`: expected {expected_bodies} `.form_urlencoded(&body)?` in its builder, found {}",
                encoded.operation, rewrite.bodies
            ));
        }
        for ((name, _), count) in query.iter().zip(&rewrite.params) {
            if *count != 1 {
                return Err(format!(
                    "operation `{}`: query parameter `{name}` found {count} times as a `QueryParam`, expected once",
                    encoded.operation
                ));
            }
        }
        if encoded.struct_query.is_empty() {
            continue;
        }
        let builder_type = match &*block.self_ty {
            syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.clone()),
            _ => None,
        };
        let builder_type =
            builder_type.ok_or_else(|| format!("operation `{}`: a builder of no name", encoded.operation))?;
        for name in &encoded.struct_query {
            let in_operation = |what: String| format!("operation `{}`: {what}", encoded.operation);
            let setter = find_fn(&mut block.items, name)
                .ok_or_else(|| in_operation(format!("no setter of the struct query parameter `{name}`")))?;
            let value = struct_type_of(&mut setter.sig)
                .map_err(|found| in_operation(format!("setter `{name}`: {found} maps of its struct, expected one")))?;
            let message = format!("conversion to `{}` for {} failed", type_name(&value), rust_name(name));
            let mut error = Message { text: message, found: 0 };
            error.visit_block_mut(&mut setter.block);
            if error.found != 1 {
                return Err(in_operation(format!("setter `{name}`: {} conversion errors, expected one", error.found)));
            }
        }
        let fields = builder
            .iter_mut()
            .find_map(|item| match item {
                syn::Item::Struct(s) if s.ident == builder_type => Some(&mut s.fields),
                _ => None,
            })
            .ok_or_else(|| format!("operation `{}`: no builder struct `{builder_type}`", encoded.operation))?;
        for name in &encoded.struct_query {
            let field = fields
                .iter_mut()
                .find(|f| f.ident.as_ref().is_some_and(|i| *i == rust_name(name)))
                .ok_or_else(|| format!("builder `{builder_type}`: no field of the struct query parameter `{name}`"))?;
            let mut unwrap = Unwrap::default();
            unwrap.visit_type_mut(&mut field.ty);
            if unwrap.0.len() != 1 {
                return Err(format!(
                    "builder `{builder_type}`: field `{name}` holds {} maps of its struct, expected one",
                    unwrap.0.len()
                ));
            }
        }
    }
    Ok(())
}

/// The Rust name progenitor gives a parameter (its setter, its builder field).
fn rust_name(name: &str) -> String {
    progenitor_sanitize(name, Case::Snake)
}

/// The function named after the parameter `name` among an impl's items.
fn find_fn<'a>(items: &'a mut [syn::ImplItem], name: &str) -> Option<&'a mut syn::ImplItemFn> {
    let rust = rust_name(name);
    items.iter_mut().find_map(|item| match item {
        syn::ImplItem::Fn(f) if f.sig.ident == rust => Some(f),
        _ => None,
    })
}

/// In a function's signature, progenitor's map of a struct (`HashMap<String, T>`) becomes
/// `T`: that `T`, or how many maps were found when not exactly one.
fn struct_type_of(sig: &mut syn::Signature) -> Result<syn::Type, usize> {
    let mut unwrap = Unwrap::default();
    unwrap.visit_signature_mut(sig);
    match <[syn::Type; 1]>::try_from(unwrap.0) {
        Ok([value]) => Ok(value),
        Err(found) => Err(found.len()),
    }
}

/// `HashMap<K, V>` → `V`, outermost maps only; the `V`s it put back.
#[derive(Default)]
struct Unwrap(Vec<syn::Type>);

impl VisitMut for Unwrap {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if let Some(value) = map_value(ty) {
            *ty = value.clone();
            self.0.push(value);
            return;
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}

/// The value type of a `HashMap<K, V>`.
fn map_value(ty: &syn::Type) -> Option<syn::Type> {
    let syn::Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "HashMap" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.iter().collect::<Vec<_>>()[..] {
        [syn::GenericArgument::Type(_), syn::GenericArgument::Type(value)] => Some(value.clone()),
        _ => None,
    }
}

/// A type's name as progenitor's messages spell it: its last path segment.
fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map_or_else(String::new, |s| s.ident.to_string()),
        _ => String::new(),
    }
}

/// progenitor's setter reports a failed conversion as `.map_err(|_| "…".to_string())`: its
/// text becomes `text`.
struct Message {
    text: String,
    found: usize,
}

impl VisitMut for Message {
    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        syn::visit_mut::visit_expr_method_call_mut(self, call);
        if call.method != "map_err" || call.args.len() != 1 {
            return;
        }
        let Some(syn::Expr::Closure(closure)) = call.args.first_mut() else { return };
        let syn::Expr::MethodCall(to_string) = &mut *closure.body else { return };
        if to_string.method != "to_string" || !to_string.args.is_empty() {
            return;
        }
        if let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }) = &mut *to_string.receiver {
            *text = syn::LitStr::new(&self.text, text.span());
            self.found += 1;
        }
    }
}

/// The typed mock matches a query parameter the runtime sends as the client sends it: in the
/// operation's `<Operation>When`, progenitor's `self.0.query_param("name", value.to_string())`
/// becomes `query_object_pairs("name", self.0, &value, Style::…, explode)` (one pair each),
/// exactly once per parameter; a struct parameter's matcher takes the struct instead of
/// progenitor's map of it, exactly once. The name comes first, so `wire_names` still finds it.
pub fn fix_mock(file: &mut syn::File, planned: &[Encoded]) -> Result<(), String> {
    let planned: Vec<&Encoded> =
        planned.iter().filter(|e| !e.query().is_empty() || !e.struct_query.is_empty()).collect();
    if planned.is_empty() {
        return Ok(());
    }
    let items = match crate::rewrite::module_mut(&mut file.items, "operations") {
        Some(items) => items,
        None => &mut file.items,
    };
    for encoded in planned {
        let when = progenitor_sanitize(&format!("{}-when", encoded.operation), Case::Pascal);
        let query = encoded.query();
        let mut fix = MockQuery { query: &query, found: vec![0; query.len()] };
        let mut typed = vec![0; encoded.struct_query.len()];
        for item in items.iter_mut() {
            if let syn::Item::Impl(block) = item
                && matches!(&*block.self_ty, syn::Type::Path(p) if p.path.is_ident(&when))
            {
                fix.visit_item_impl_mut(block);
                for (name, count) in encoded.struct_query.iter().zip(typed.iter_mut()) {
                    if let Some(matcher) = find_fn(&mut block.items, name) {
                        *count += struct_type_of(&mut matcher.sig).map_or_else(|found| found, |_| 1);
                    }
                }
            }
        }
        for ((name, _), count) in query.iter().zip(&fix.found) {
            if *count != 1 {
                return Err(format!("mock `{when}`: query parameter `{name}` matched {count} times, expected once"));
            }
        }
        for (name, count) in encoded.struct_query.iter().zip(&typed) {
            if *count != 1 {
                return Err(format!(
                    "mock `{when}`: the matcher of struct query parameter `{name}` takes {count} maps of it, expected one"
                ));
            }
        }
    }
    items.push(syn::parse_quote! {
        /// Matches a query parameter the runtime writes in its style (a deep object, a
        /// struct's properties) as the client sends it: one pair per value inside it.
        fn query_object_pairs<T: ::serde::Serialize + ?Sized>(
            name: &str,
            when: ::httpmock::When,
            value: &T,
            style: ::api_runtime::urlencoded::Style,
            explode: bool,
        ) -> ::httpmock::When {
            let pairs = ::api_runtime::urlencoded::QueryObject::new(name, value, style, explode).pairs();
            pairs
                .expect("a query parameter value serialises")
                .into_iter()
                .fold(when, |when, (key, value)| when.query_param(key, value))
        }
    });
    Ok(())
}

/// `self.0.query_param("name", value.to_string())` →
/// `query_object_pairs("name", self.0, &value, Style::…, explode)`.
struct MockQuery<'a> {
    query: &'a [(&'a str, QueryAs)],
    found: Vec<usize>,
}

impl VisitMut for MockQuery<'_> {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        let syn::Expr::MethodCall(call) = expr else { return };
        if call.method != "query_param" || call.args.len() != 2 {
            return;
        }
        let Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(name), .. })) = call.args.first() else { return };
        let Some(index) = self.query.iter().position(|(n, _)| *n == name.value()) else { return };
        let to_string_of_value = matches!(&call.args[1], syn::Expr::MethodCall(m)
            if m.method == "to_string" && m.args.is_empty()
            && matches!(&*m.receiver, syn::Expr::Path(p) if p.path.is_ident("value")));
        if !to_string_of_value {
            return;
        }
        let (receiver, name) = (&call.receiver, name.clone());
        let (style, explode) = self.query[index].1.style_args();
        *expr = syn::parse_quote!(query_object_pairs(#name, #receiver, &value, #style, #explode));
        self.found[index] += 1;
    }
}

struct Rewrite<'a> {
    encoded: &'a Encoded,
    /// The query parameters the runtime sends ([`Encoded::query`]).
    query: &'a [(&'a str, QueryAs)],
    bodies: usize,
    /// How often each of `query` was found.
    params: Vec<usize>,
}

impl VisitMut for Rewrite<'_> {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        if let Some(fields) = &self.encoded.body
            && let Some((receiver, body)) = form_urlencoded_call(expr)
        {
            let fields = fields.iter().map(field);
            *expr = syn::parse_quote! {
                #receiver
                    .header(
                        ::reqwest::header::CONTENT_TYPE,
                        ::reqwest::header::HeaderValue::from_static("application/x-www-form-urlencoded"),
                    )
                    .body(
                        ::api_runtime::urlencoded::encode_body(#body, &[#(#fields),*])
                            .map_err(|e| progenitor_client::Error::InvalidRequest(e.to_string()))?,
                    )
            };
            self.bodies += 1;
        }
    }

    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        syn::visit_mut::visit_expr_call_mut(self, call);
        let syn::Expr::Path(func) = &*call.func else { return };
        let segments: Vec<String> = func.path.segments.iter().map(|s| s.ident.to_string()).collect();
        if !segments.ends_with(&["QueryParam".to_string(), "new".to_string()]) {
            return;
        }
        let Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(name), .. })) = call.args.first() else { return };
        let Some(index) = self.query.iter().position(|(p, _)| *p == name.value()) else { return };
        match self.query[index].1 {
            QueryAs::DeepObject => *call.func = syn::parse_quote!(::api_runtime::urlencoded::DeepObject::new),
            form @ QueryAs::Form { .. } => {
                let (style, explode) = form.style_args();
                *call.func = syn::parse_quote!(::api_runtime::urlencoded::QueryObject::new);
                call.args.push(syn::parse_quote!(#style));
                call.args.push(syn::parse_quote!(#explode));
            }
        }
        self.params[index] += 1;
    }
}

/// `receiver.form_urlencoded(body)?`: the receiver and the body argument.
fn form_urlencoded_call(expr: &syn::Expr) -> Option<(syn::Expr, syn::Expr)> {
    let syn::Expr::Try(attempt) = expr else { return None };
    let syn::Expr::MethodCall(call) = &*attempt.expr else { return None };
    if call.method != "form_urlencoded" || call.args.len() != 1 {
        return None;
    }
    Some(((*call.receiver).clone(), call.args[0].clone()))
}

/// `urlencoded::Field { … }` for one field's encoding.
fn field(encoding: &FieldEncoding) -> proc_macro2::TokenStream {
    let name = &encoding.name;
    let explode = encoding.explode;
    let style = match encoding.style {
        FieldStyle::Form => quote!(Form),
        FieldStyle::SpaceDelimited => quote!(SpaceDelimited),
        FieldStyle::PipeDelimited => quote!(PipeDelimited),
        FieldStyle::DeepObject => quote!(DeepObject),
    };
    quote!(::api_runtime::urlencoded::Field {
        name: #name,
        style: ::api_runtime::urlencoded::Style::#style,
        explode: #explode,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rewrite::test_support::render;

    fn builder() -> syn::File {
        syn::parse_quote! {
            pub mod builder {
                pub struct CreateCharge<'a> { client: &'a super::Client, body: Result<types::builder::CreateChargeBody, String> }
                impl<'a> CreateCharge<'a> {
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<()>> {
                        let request = client.client.post(url)
                            .header(::reqwest::header::ACCEPT, ::reqwest::header::HeaderValue::from_static("application/json"))
                            .form_urlencoded(&body)?
                            .query(&progenitor_client::QueryParam::new("created", &created))
                            .query(&progenitor_client::QueryParam::new("limit", &limit))
                            .build()?;
                        let info = OperationInfo { operation_id: "create_charge" };
                        todo!()
                    }
                }
                pub struct Other<'a> { client: &'a super::Client }
                impl<'a> Other<'a> {
                    pub async fn send(self) {
                        let request = client.client.post(url).form_urlencoded(&body)?
                            .query(&progenitor_client::QueryParam::new("created", &created)).build()?;
                        let info = OperationInfo { operation_id: "other" };
                    }
                }
            }
        }
    }

    fn planned(body: bool, params: &[&str]) -> Encoded {
        Encoded {
            operation: "create_charge".into(),
            body: body
                .then(|| vec![FieldEncoding { name: "metadata".into(), style: FieldStyle::DeepObject, explode: true }]),
            deep_object_query: params.iter().map(|p| p.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn the_builder_encodes_its_body_and_deep_object_parameters() {
        let mut file = builder();
        apply(&mut file, &[planned(true, &["created"])]).unwrap();
        let code = render(&file);
        let (planned_op, other) = code.split_once("pub struct Other").unwrap();
        assert!(!planned_op.contains("form_urlencoded"), "{planned_op}");
        assert!(
            planned_op.contains(
                ". body (:: api_runtime :: urlencoded :: encode_body (& body , & [:: api_runtime :: urlencoded :: Field { \
                 name : \"metadata\" , style : :: api_runtime :: urlencoded :: Style :: DeepObject , explode : true , }])"
            ),
            "{planned_op}"
        );
        assert!(planned_op.contains("\"application/x-www-form-urlencoded\""), "{planned_op}");
        assert!(
            planned_op
                .contains("query (& :: api_runtime :: urlencoded :: DeepObject :: new (\"created\" , & created))"),
            "{planned_op}"
        );
        assert!(planned_op.contains("QueryParam :: new (\"limit\""), "{planned_op}");
        assert!(other.contains("form_urlencoded (& body) ?") && other.contains("QueryParam :: new (\"created\""));
    }

    #[test]
    fn the_mock_matches_deep_object_parameters_as_sent() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod operations {
                impl CreateChargeWhen {
                    pub fn created<'a, T>(self, value: T) -> Self where T: Into<Option<&'a types::Created>> {
                        if let Some(value) = value.into() {
                            Self(self.0.query_param("created", value.to_string()))
                        } else {
                            Self(self.0.query_param_missing("created"))
                        }
                    }
                    pub fn limit(self, value: i64) -> Self { Self(self.0.query_param("limit", value.to_string())) }
                }
            }
        };
        fix_mock(&mut file, &[planned(false, &["created"])]).unwrap();
        let code = render(&file);
        assert!(
            code.contains(
                "Self (query_object_pairs (\"created\" , self . 0 , & value , :: api_runtime :: urlencoded :: Style :: DeepObject , true))"
            ),
            "{code}"
        );
        assert!(code.contains("self . 0 . query_param (\"limit\""), "{code}");
        assert!(code.contains("fn query_object_pairs <"), "{code}");
        let err = fix_mock(&mut file, &[planned(false, &["created"])]).unwrap_err();
        assert!(err.contains("`created` matched 0 times"), "{err}");
    }

    #[test]
    fn what_is_not_found_as_expected_fails() {
        let err = apply(&mut builder(), &[planned(false, &["created", "starting_after"])]).unwrap_err();
        assert!(err.contains("query parameter `starting_after` found 0 times"), "{err}");
        let mut file = builder();
        apply(&mut file, &[planned(true, &[])]).unwrap();
        let err = apply(&mut file, &[planned(true, &[])]).unwrap_err();
        assert!(err.contains("expected 1 `.form_urlencoded(&body)?` in its builder, found 0"), "{err}");
        let err = apply(&mut builder(), &[Encoded { operation: "gone".into(), ..planned(true, &[]) }]).unwrap_err();
        assert_eq!(err, "no builder sends the operation `gone`");
    }
}
