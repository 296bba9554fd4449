//! Methods reqwest's client has no shorthand for. progenitor starts every request with
//! `client.client.<method>(url)`, and `reqwest::Client` has `get`, `post`, `put`, `patch`,
//! `delete` and `head` only: an OPTIONS or TRACE operation (Box's `options_files_content`) made
//! a client that did not compile. Such a call becomes
//! `client.client.request(::reqwest::Method::OPTIONS, url)`, counted against the operations
//! of those methods.

use syn::parse_quote;
use syn::visit_mut::VisitMut;

use crate::rewrite::builder_module;

/// HTTP methods (lower case, as documents and progenitor spell them) without a shorthand.
const WITHOUT_SHORTHAND: [(&str, &str); 2] = [("options", "OPTIONS"), ("trace", "TRACE")];

/// Rewrites the calls in the builders; `expected` is how many operations use such a method.
pub fn apply(file: &mut syn::File, expected: usize) -> Result<(), String> {
    if expected == 0 {
        return Ok(());
    }
    let mut calls = Calls(0);
    for item in builder_module(file)?.iter_mut() {
        calls.visit_item_mut(item);
    }
    if calls.0 != expected {
        return Err(format!("{expected} OPTIONS or TRACE operations, but {} requests of those methods found", calls.0));
    }
    Ok(())
}

/// How many operations of `methods` use a method without a shorthand.
pub fn count<'a>(methods: impl IntoIterator<Item = &'a str>) -> usize {
    methods.into_iter().filter(|m| WITHOUT_SHORTHAND.iter().any(|(lower, _)| m.eq_ignore_ascii_case(lower))).count()
}

struct Calls(usize);

impl VisitMut for Calls {
    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        syn::visit_mut::visit_expr_method_call_mut(self, call);
        // `<…>.client.options(url)`: the request's start, on the reqwest client field.
        let on_client = matches!(&*call.receiver, syn::Expr::Field(f) if matches!(&f.member, syn::Member::Named(n) if n == "client"));
        let Some((_, upper)) = WITHOUT_SHORTHAND.iter().find(|(lower, _)| call.method == lower) else { return };
        if !on_client || call.args.len() != 1 {
            return;
        }
        let method = syn::Ident::new(upper, call.method.span());
        let url = call.args[0].clone();
        call.method = syn::Ident::new("request", call.method.span());
        call.args = parse_quote!(::reqwest::Method::#method, #url);
        self.0 += 1;
    }
}

#[cfg(test)]
mod tests {
    use quote::ToTokens;

    use super::*;

    #[test]
    fn an_options_request_is_built_with_its_method() {
        let mut file: syn::File = parse_quote! {
            pub mod builder {
                impl<'a> Preflight<'a> {
                    pub async fn send(self) {
                        let mut request = client.client.options(url).header("a", "b").build()?;
                        let other = client.client.get(url).build()?;
                        let not_a_request = options.options(url);
                    }
                }
            }
        };
        apply(&mut file, 1).unwrap();
        let text = file.to_token_stream().to_string();
        assert!(text.contains("client . client . request (:: reqwest :: Method :: OPTIONS , url)"), "{text}");
        assert!(text.contains("client . client . get (url)") && text.contains("options . options (url)"), "{text}");
        assert!(apply(&mut file, 1).is_err(), "nothing left to rewrite: the count differs");
        assert_eq!(count(["get", "options", "TRACE"]), 2);
    }
}
