//! Parameters the `unique-parameter-names` rule renamed get their wire names back where
//! progenitor wrote the Rust name as the wire name (client builders and mock matchers),
//! counted.

use syn::visit_mut::VisitMut;

/// A parameter renamed in the document (`marker`, which progenitor also used as its wire
/// name) whose name on the wire is `wire`.
#[derive(Debug, Clone)]
pub struct Renamed {
    pub operation: String,
    pub marker: String,
    pub wire: String,
}

/// Where progenitor writes an operation's parameter wire names.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// The operation's builder (`builder::<Op>`): `QueryParam::new("name", …)` and
    /// `header_map.append("name", …)`, once each.
    Builder,
    /// The mock's `operations::<Op>When`: `query_param("name", …)` and, for an optional
    /// parameter, `query_param_missing("name")` (`header`, `header_missing` alike).
    MockWhen,
}

/// Puts each renamed parameter's wire name back: a string literal equal to its marker that
/// is the first argument of a call in the operation's `Scope` impl. Fails unless each is
/// found as often as progenitor writes it (once in a builder, once or twice in a mock).
pub fn restore_wire_names(file: &mut syn::File, renamed: &[Renamed], scope: Scope) -> Result<(), String> {
    struct Restore<'a> {
        renamed: Vec<(&'a Renamed, String, usize)>,
        current: Option<String>,
    }
    impl Restore<'_> {
        fn first_arg(&mut self, arg: Option<&mut syn::Expr>) {
            let Some(current) = &self.current else { return };
            let Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. })) = arg else { return };
            let value = text.value();
            if let Some((r, _, count)) = self.renamed.iter_mut().find(|(r, ty, _)| ty == current && r.marker == value) {
                *text = syn::LitStr::new(&r.wire, text.span());
                *count += 1;
            }
        }
    }
    impl VisitMut for Restore<'_> {
        fn visit_item_impl_mut(&mut self, block: &mut syn::ItemImpl) {
            let name = match &*block.self_ty {
                syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            };
            let outer =
                std::mem::replace(&mut self.current, name.filter(|n| self.renamed.iter().any(|(_, ty, _)| ty == n)));
            // Only the impls of a renamed parameter's builder hold its calls.
            if self.current.is_some() {
                syn::visit_mut::visit_item_impl_mut(self, block);
            }
            self.current = outer;
        }
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            syn::visit_mut::visit_expr_call_mut(self, call);
            self.first_arg(call.args.first_mut());
        }
        fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
            syn::visit_mut::visit_expr_method_call_mut(self, call);
            self.first_arg(call.args.first_mut());
        }
    }
    use crate::names::{Case, progenitor_sanitize};
    let scoped = |r: &Renamed| match scope {
        Scope::Builder => progenitor_sanitize(&r.operation, Case::Pascal),
        Scope::MockWhen => progenitor_sanitize(&format!("{}-when", r.operation), Case::Pascal),
    };
    let mut restore = Restore { renamed: renamed.iter().map(|r| (r, scoped(r), 0)).collect(), current: None };
    restore.visit_file_mut(file);
    let allowed = match scope {
        Scope::Builder => 1..=1,
        Scope::MockWhen => 1..=2,
    };
    for (r, ty, count) in &restore.renamed {
        if !allowed.contains(count) {
            return Err(format!(
                "parameter `{}` of `{}` (renamed `{}`) appears {count} times as a wire name in `{ty}`, expected {allowed:?}",
                r.wire, r.operation, r.marker
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::rewrite::test_support::render;

    #[test]
    fn renamed_parameters_get_their_wire_names_back_in_their_operation_only() {
        let renamed =
            [Renamed { operation: "listEnv".into(), marker: "exclude_ids_2".into(), wire: "exclude-ids".into() }];
        let mut file: syn::File = syn::parse_quote! {
            impl<'a> ListEnv<'a> {
                pub async fn send(self) {
                    let q = (&QueryParam::new("exclude_ids", &a), &QueryParam::new("exclude_ids_2", &b));
                    let s = "exclude_ids_2";
                }
            }
            impl<'a> Other<'a> {
                pub async fn send(self) { let q = &QueryParam::new("exclude_ids_2", &b); }
            }
        };
        restore_wire_names(&mut file, &renamed, Scope::Builder).unwrap();
        let code = render(&file);
        assert!(code.contains("QueryParam :: new (\"exclude-ids\" , & b)"), "{code}");
        assert!(code.contains("let s = \"exclude_ids_2\""), "{code}");
        assert!(
            code.contains(
                "impl < 'a > Other < 'a > { pub async fn send (self) { let q = & QueryParam :: new (\"exclude_ids_2\""
            ),
            "{code}"
        );

        let mut mock: syn::File = syn::parse_quote! {
            impl ListEnvWhen {
                pub fn exclude_ids_2(self, value: Option<&str>) -> Self {
                    if let Some(value) = value { Self(self.0.query_param("exclude_ids_2", value)) }
                    else { Self(self.0.query_param_missing("exclude_ids_2")) }
                }
            }
        };
        restore_wire_names(&mut mock, &renamed, Scope::MockWhen).unwrap();
        assert_eq!(render(&mock).matches("\"exclude-ids\"").count(), 2);
    }

    #[test]
    fn a_renamed_parameter_not_found_as_often_as_expected_fails() {
        let renamed = [Renamed { operation: "listEnv".into(), marker: "x_2".into(), wire: "X".into() }];
        let mut file: syn::File = syn::parse_quote! { impl ListEnv { fn send(self) { f("x"); } } };
        let err = restore_wire_names(&mut file, &renamed, Scope::Builder).unwrap_err();
        assert!(err.contains("appears 0 times as a wire name in `ListEnv`"), "{err}");
        let mut file: syn::File = syn::parse_quote! { impl ListEnv { fn send(self) { f("x_2"); g("x_2"); } } };
        assert!(restore_wire_names(&mut file, &renamed, Scope::Builder).is_err());
    }
}
