//! progenitor's httpmock helpers match an array query parameter with
//! `query_param(name, value.to_string())`, which does not compile (`Vec` has no `Display`)
//! and would not match what the client sends anyway: progenitor's `QueryParam` writes one
//! `name=item` pair per item. Each such call becomes one `query_param` per item. Checked: no
//! helper taking a `Vec` may print it whole anywhere else.

use syn::visit::Visit;
use syn::visit_mut::VisitMut;

/// Rewrites every array query parameter matcher; returns how many.
pub fn repeat_array_params(file: &mut syn::File) -> Result<usize, String> {
    let mut fix = Fix { count: 0, error: None };
    fix.visit_file_mut(file);
    match fix.error {
        Some(error) => Err(error),
        None => Ok(fix.count),
    }
}

struct Fix {
    count: usize,
    error: Option<String>,
}

impl VisitMut for Fix {
    fn visit_impl_item_fn_mut(&mut self, function: &mut syn::ImplItemFn) {
        if !takes_vec(&function.sig) {
            return;
        }
        let mut calls = Repeat(0);
        calls.visit_block_mut(&mut function.block);
        self.count += calls.0;
        // Anything else that prints the whole array (a header matcher) would not compile.
        let mut left = Leftover(0);
        left.visit_block(&function.block);
        if left.0 > 0 {
            self.error.get_or_insert_with(|| {
                format!(
                    "mock helper `{}` takes an array and matches it with `value.to_string()` outside a query parameter",
                    function.sig.ident
                )
            });
        }
    }
}

struct Leftover(usize);

impl Visit<'_> for Leftover {
    fn visit_expr(&mut self, expr: &syn::Expr) {
        self.0 += usize::from(is_value_to_string(expr));
        syn::visit::visit_expr(self, expr);
    }
}

/// Whether a helper's value is a `Vec` (`T: Into<Option<&'a Vec<_>>>`).
fn takes_vec(sig: &syn::Signature) -> bool {
    struct FindVec(bool);
    impl Visit<'_> for FindVec {
        fn visit_type_path(&mut self, path: &syn::TypePath) {
            self.0 |= path.path.segments.last().is_some_and(|s| s.ident == "Vec");
            syn::visit::visit_type_path(self, path);
        }
    }
    let mut find = FindVec(false);
    if let Some(clause) = &sig.generics.where_clause {
        find.visit_where_clause(clause);
    }
    find.visit_generics(&sig.generics);
    find.0
}

struct Repeat(usize);

impl VisitMut for Repeat {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        let syn::Expr::MethodCall(call) = expr else { return };
        if call.method != "query_param" || call.args.len() != 2 || !is_value_to_string(&call.args[1]) {
            return;
        }
        let (receiver, name) = (&call.receiver, &call.args[0]);
        *expr = syn::parse_quote! {
            value.iter().fold(#receiver, |when, item| when.query_param(#name, item.to_string()))
        };
        self.0 += 1;
    }
}

/// `value.to_string()`.
fn is_value_to_string(expr: &syn::Expr) -> bool {
    matches!(expr, syn::Expr::MethodCall(call)
        if call.method == "to_string"
            && call.args.is_empty()
            && matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident("value")))
}

#[cfg(test)]
mod tests {
    use quote::ToTokens;

    use super::*;

    #[test]
    fn array_matchers_repeat_the_parameter_and_scalars_stay() {
        let mut file: syn::File = syn::parse_quote! {
            impl When {
                pub fn expand<'a, T>(self, value: T) -> Self
                where
                    T: Into<Option<&'a ::std::vec::Vec<types::Expand>>>,
                {
                    if let Some(value) = value.into() {
                        Self(self.0.query_param("expand[]", value.to_string()))
                    } else {
                        Self(self.0.query_param_missing("expand[]"))
                    }
                }
                pub fn limit<T>(self, value: T) -> Self
                where
                    T: Into<Option<i64>>,
                {
                    if let Some(value) = value.into() {
                        Self(self.0.query_param("limit", value.to_string()))
                    } else {
                        Self(self.0.query_param_missing("limit"))
                    }
                }
            }
        };
        assert_eq!(repeat_array_params(&mut file), Ok(1));
        let text = file.to_token_stream().to_string();
        assert!(
            text.contains(
                r#"value . iter () . fold (self . 0 , | when , item | when . query_param ("expand[]" , item . to_string ()))"#
            ),
            "{text}"
        );
        assert!(text.contains(r#"self . 0 . query_param ("limit" , value . to_string ())"#), "{text}");

        let mut odd: syn::File = syn::parse_quote! {
            impl When {
                pub fn ids<'a, T>(self, value: T) -> Self where T: Into<Option<&'a Vec<i64>>> {
                    if let Some(value) = value.into() { Self(self.0.header("ids", value.to_string())) } else { self }
                }
            }
        };
        assert!(repeat_array_params(&mut odd).unwrap_err().contains("`ids` takes an array and matches it"));
    }
}
