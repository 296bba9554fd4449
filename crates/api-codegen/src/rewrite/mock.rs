//! progenitor's httpmock helpers made to compile for every document: bodies passed by value
//! are borrowed, query parameters are matched as serde writes them.

use syn::visit_mut::VisitMut;

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
/// item by item (a whole number without a fraction, as `api_runtime::wire` sends it), through
/// a `query_pairs` helper added to the file. Returns how many calls it rewrote.
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
                        // A whole `f64` goes out without a fraction (`api_runtime::wire`).
                        ::serde_json::Value::Number(n) => match n.as_f64() {
                            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => {
                                (f as i64).to_string()
                            }
                            _ => n.to_string(),
                        },
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

#[cfg(test)]
mod tests {

    use super::*;
    use crate::rewrite::test_support::render;

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
