//! Every operation's builder takes options for its one call (`with_options`: timeout,
//! retries, extra headers; `api_runtime::CallOptions`), kept in a field of its own and handed
//! to the runtime by `send` (and `send_stream`). Counted: every builder `wrap_send` wrapped
//! gets them, or generation fails.

use quote::format_ident;
use syn::parse_quote;
use syn::visit_mut::VisitMut;

use super::builder_module;

/// Adds the options to every builder with a `send_raw`; returns how many.
pub fn apply(file: &mut syn::File) -> Result<usize, String> {
    let builder = builder_module(file)?;
    // Builders whose `impl` has a `send_raw` (the operations), and the field each uses.
    let mut fields: Vec<(syn::Ident, syn::Ident)> = Vec::new();
    for item in builder.iter() {
        let syn::Item::Impl(block) = item else { continue };
        let has_send_raw = block.items.iter().any(|i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "send_raw"));
        let syn::Type::Path(self_ty) = &*block.self_ty else { continue };
        if let (true, Some(name)) = (has_send_raw, self_ty.path.segments.last()) {
            fields.push((name.ident.clone(), format_ident!("call_options")));
        }
    }
    for item in builder.iter_mut() {
        let syn::Item::Struct(shape) = item else { continue };
        let Some((_, field)) = fields.iter_mut().find(|(name, _)| *name == shape.ident) else { continue };
        let syn::Fields::Named(named) = &mut shape.fields else {
            return Err(format!("builder `{}` has no named fields", shape.ident));
        };
        // A parameter could be called `call_options`: the field takes a free name.
        while named.named.iter().any(|f| f.ident.as_ref() == Some(field)) {
            *field = format_ident!("{}_", field);
        }
        let holder: syn::FieldsNamed = parse_quote!({ #field: ::api_runtime::CallOptions });
        named.named.extend(holder.named);
    }
    let mut done = 0;
    for item in builder.iter_mut() {
        let syn::Item::Impl(block) = item else { continue };
        let syn::Type::Path(self_ty) = &*block.self_ty else { continue };
        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.clone()) else { continue };
        let Some((_, field)) = fields.iter().find(|(n, _)| *n == name) else { continue };
        let mut sends = 0;
        let mut initialised = false;
        let mut destructured = false;
        for member in &mut block.items {
            let syn::ImplItem::Fn(f) = member else { continue };
            if f.sig.ident == "new" {
                let mut init = InitField { field, done: false };
                init.visit_block_mut(&mut f.block);
                initialised = init.done;
            } else if f.sig.ident == "send_raw" {
                let mut rest = RestPattern(false);
                rest.visit_block_mut(&mut f.block);
                destructured = rest.0;
            } else {
                let mut pass = PassOptions(0);
                pass.visit_block_mut(&mut f.block);
                if pass.0 == 0 {
                    continue;
                }
                sends += 1;
                if let Some(syn::FnArg::Receiver(receiver)) = f.sig.inputs.first_mut() {
                    receiver.mutability = Some(Default::default());
                }
                f.block.stmts.insert(0, parse_quote!(let options = ::std::mem::take(&mut self.#field);));
            }
        }
        if sends == 0 || !initialised || !destructured {
            return Err(format!(
                "builder `{name}`: options not threaded (sends {sends}, new {initialised}, send_raw {destructured})"
            ));
        }
        let taken = block.items.iter().any(|i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "with_options"));
        if !taken {
            block.items.push(parse_quote! {
                /// Options for this call only: its timeout, retries and extra headers
                /// (`api_runtime::CallOptions`). The client's own settings are unchanged.
                pub fn with_options(mut self, options: ::api_runtime::CallOptions) -> Self {
                    self.#field = options;
                    self
                }
            });
        }
        done += 1;
    }
    if done != fields.len() {
        return Err(format!("{} of {} builders got their call options", done, fields.len()));
    }
    Ok(done)
}

/// `Self { … }` in `new` gets the field, empty.
struct InitField<'f> {
    field: &'f syn::Ident,
    done: bool,
}

impl VisitMut for InitField<'_> {
    fn visit_expr_struct_mut(&mut self, node: &mut syn::ExprStruct) {
        if node.path.is_ident("Self") && node.rest.is_none() {
            let field = self.field;
            node.fields.push(parse_quote!(#field: ::std::default::Default::default()));
            self.done = true;
        }
        syn::visit_mut::visit_expr_struct_mut(self, node);
    }
}

/// `let Self { … } = self;` in `send_raw` gets `..`: it does not send the options.
struct RestPattern(bool);

impl VisitMut for RestPattern {
    fn visit_pat_struct_mut(&mut self, node: &mut syn::PatStruct) {
        if node.path.is_ident("Self") && node.rest.is_none() {
            node.rest = Some(syn::PatRest { attrs: Vec::new(), dot2_token: Default::default() });
            self.0 = true;
        }
        syn::visit_mut::visit_pat_struct_mut(self, node);
    }
}

/// `<client>.inner.call…(operation, …)` gets `options` after the operation.
struct PassOptions(usize);

impl VisitMut for PassOptions {
    fn visit_expr_method_call_mut(&mut self, node: &mut syn::ExprMethodCall) {
        let on_inner = matches!(&*node.receiver, syn::Expr::Field(f)
            if matches!(&f.member, syn::Member::Named(m) if m == "inner"));
        if on_inner && node.method.to_string().starts_with("call") && !node.args.is_empty() {
            let mut args: Vec<syn::Expr> = node.args.iter().cloned().collect();
            args.insert(1, parse_quote!(options));
            node.args = args.into_iter().collect();
            self.0 += 1;
        }
        syn::visit_mut::visit_expr_method_call_mut(self, node);
    }
}
