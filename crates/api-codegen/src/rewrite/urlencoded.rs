//! Form-urlencoded bodies and deepObject query parameters sent as the spec says
//! (`api_runtime::urlencoded`), by structural rewrites of an operation's builder, each
//! counted:
//!
//! - a body the `form-urlencoded-body` rule planned: where progenitor wrote
//!   `.form_urlencoded(&body)?` (serde_urlencoded, flat values only), the builder sets the
//!   `Content-Type` and sends `urlencoded::encode_body(&body, FIELDS)`, the fields' styles
//!   from the plan; exactly one such call per operation;
//! - a query parameter the `deep-object-query` rule planned: progenitor's
//!   `progenitor_client::QueryParam::new("name", &value)` becomes
//!   `urlencoded::DeepObject::new("name", &value)`; exactly one per parameter.
//!
//! It runs before `wire_names`, so a parameter's name is still its name in the document.

use quote::quote;
use syn::visit_mut::VisitMut;

use crate::plan::{FieldEncoding, FieldStyle, Plan};

/// What one operation's builder sends differently.
#[derive(Debug, Clone, Default)]
pub struct Encoded {
    /// The operation's method name (its `OperationInfo` id).
    pub operation: String,
    /// Its form body's field encodings, when the body is encoded here.
    pub body: Option<Vec<FieldEncoding>>,
    /// Its deepObject query parameters (names in the document).
    pub deep_object_query: Vec<String>,
}

/// The operations the plan encodes here.
pub fn planned(plan: &Plan) -> Vec<Encoded> {
    plan.operations()
        .filter(|(pointer, op)| plan.left_out(pointer).is_none() && !op.rust_name.is_empty())
        .filter_map(|(pointer, op)| {
            let body = plan.urlencoded(pointer).map(|shape| shape.fields.clone());
            let encoded =
                Encoded { operation: op.rust_name.clone(), body, deep_object_query: op.deep_object_query.clone() };
            (encoded.body.is_some() || !encoded.deep_object_query.is_empty()).then_some(encoded)
        })
        .collect()
}

/// Rewrites each planned operation's builder (see the module documentation).
pub fn apply(file: &mut syn::File, planned: &[Encoded]) -> Result<(), String> {
    if planned.is_empty() {
        return Ok(());
    }
    let builder = crate::rewrite::builder_module(file)?;
    for encoded in planned {
        let block = builder
            .iter_mut()
            .find_map(|item| match item {
                syn::Item::Impl(block) if sends(block, &encoded.operation) => Some(block),
                _ => None,
            })
            .ok_or_else(|| format!("no builder sends the operation `{}`", encoded.operation))?;
        let mut rewrite = Rewrite { encoded, bodies: 0, params: vec![0; encoded.deep_object_query.len()] };
        rewrite.visit_item_impl_mut(block);
        let expected_bodies = usize::from(encoded.body.is_some());
        if rewrite.bodies != expected_bodies {
            return Err(format!(
                "operation `{}`: expected {expected_bodies} `.form_urlencoded(&body)?` in its builder, found {}",
                encoded.operation, rewrite.bodies
            ));
        }
        for (name, count) in encoded.deep_object_query.iter().zip(&rewrite.params) {
            if *count != 1 {
                return Err(format!(
                    "operation `{}`: deepObject query parameter `{name}` found {count} times as a `QueryParam`, expected once",
                    encoded.operation
                ));
            }
        }
    }
    Ok(())
}

/// The typed mock matches a planned deepObject parameter as the client sends it: in the
/// operation's `<Operation>When`, progenitor's `self.0.query_param("name", value.to_string())`
/// becomes `deep_object_pairs("name", self.0, &value)` (one `name[key]=value` pair each),
/// exactly once per parameter. The name comes first, so `wire_names` still finds it.
pub fn fix_mock(file: &mut syn::File, planned: &[Encoded]) -> Result<(), String> {
    use crate::names::{Case, progenitor_sanitize};
    let planned: Vec<&Encoded> = planned.iter().filter(|e| !e.deep_object_query.is_empty()).collect();
    if planned.is_empty() {
        return Ok(());
    }
    let items = match crate::rewrite::module_mut(&mut file.items, "operations") {
        Some(items) => items,
        None => &mut file.items,
    };
    for encoded in planned {
        let when = progenitor_sanitize(&format!("{}-when", encoded.operation), Case::Pascal);
        let mut fix = MockQuery { names: &encoded.deep_object_query, found: vec![0; encoded.deep_object_query.len()] };
        for item in items.iter_mut() {
            if let syn::Item::Impl(block) = item
                && matches!(&*block.self_ty, syn::Type::Path(p) if p.path.is_ident(&when))
            {
                fix.visit_item_impl_mut(block);
            }
        }
        for (name, count) in encoded.deep_object_query.iter().zip(&fix.found) {
            if *count != 1 {
                return Err(format!(
                    "mock `{when}`: deepObject query parameter `{name}` matched {count} times, expected once"
                ));
            }
        }
    }
    items.push(syn::parse_quote! {
        /// Matches a deepObject query parameter as the client sends it: one `name[key]=value`
        /// pair per value inside it.
        fn deep_object_pairs<T: ::serde::Serialize + ?Sized>(
            name: &str,
            when: ::httpmock::When,
            value: &T,
        ) -> ::httpmock::When {
            let pairs = ::api_runtime::urlencoded::DeepObject::new(name, value).pairs();
            pairs
                .expect("a query parameter value serialises")
                .into_iter()
                .fold(when, |when, (key, value)| when.query_param(key, value))
        }
    });
    Ok(())
}

/// `self.0.query_param("name", value.to_string())` → `deep_object_pairs("name", self.0, &value)`.
struct MockQuery<'a> {
    names: &'a [String],
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
        let Some(index) = self.names.iter().position(|n| *n == name.value()) else { return };
        let to_string_of_value = matches!(&call.args[1], syn::Expr::MethodCall(m)
            if m.method == "to_string" && m.args.is_empty()
            && matches!(&*m.receiver, syn::Expr::Path(p) if p.path.is_ident("value")));
        if !to_string_of_value {
            return;
        }
        let (receiver, name) = (&call.receiver, name.clone());
        *expr = syn::parse_quote!(deep_object_pairs(#name, #receiver, &value));
        self.found[index] += 1;
    }
}

/// Whether an impl block's functions carry `OperationInfo { operation_id: operation }`.
fn sends(block: &syn::ItemImpl, operation: &str) -> bool {
    let mut ids = crate::rewrite::OperationIds(Vec::new());
    syn::visit::Visit::visit_item_impl(&mut ids, block);
    ids.0.iter().any(|id| id == operation)
}

struct Rewrite<'a> {
    encoded: &'a Encoded,
    bodies: usize,
    /// How often each deepObject parameter was found.
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
        let Some(index) = self.encoded.deep_object_query.iter().position(|p| *p == name.value()) else { return };
        *call.func = syn::parse_quote!(::api_runtime::urlencoded::DeepObject::new);
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
        assert!(code.contains("Self (deep_object_pairs (\"created\" , self . 0 , & value))"), "{code}");
        assert!(code.contains("self . 0 . query_param (\"limit\""), "{code}");
        assert!(code.contains("fn deep_object_pairs <"), "{code}");
        let err = fix_mock(&mut file, &[planned(false, &["created"])]).unwrap_err();
        assert!(err.contains("`created` matched 0 times"), "{err}");
    }

    #[test]
    fn what_is_not_found_as_expected_fails() {
        let err = apply(&mut builder(), &[planned(false, &["created", "starting_after"])]).unwrap_err();
        assert!(err.contains("`starting_after` found 0 times"), "{err}");
        let mut file = builder();
        apply(&mut file, &[planned(true, &[])]).unwrap();
        let err = apply(&mut file, &[planned(true, &[])]).unwrap_err();
        assert!(err.contains("expected 1 `.form_urlencoded(&body)?` in its builder, found 0"), "{err}");
        let err = apply(&mut builder(), &[Encoded { operation: "gone".into(), ..planned(true, &[]) }]).unwrap_err();
        assert_eq!(err, "no builder sends the operation `gone`");
    }
}
