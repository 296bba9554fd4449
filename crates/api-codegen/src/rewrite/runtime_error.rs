//! The crate's `Error` is the runtime's, which every `send` returns.

/// The crate's `Error` is the runtime's, which `send` returns; progenitor's stays what its
/// generated internals use (`builder` imports it directly).
pub fn export_runtime_error(file: &mut syn::File) {
    for item in file.items.iter_mut() {
        match item {
            syn::Item::Use(u) if matches!(u.vis, syn::Visibility::Public(_)) => {
                remove_from_group(&mut u.tree, "Error");
            }
            syn::Item::Mod(m) if m.ident == "builder" => {
                if let Some((_, items)) = m.content.as_mut() {
                    for item in items.iter_mut() {
                        if let syn::Item::Use(u) = item {
                            remove_from_group(&mut u.tree, "Error");
                        }
                    }
                    items.insert(
                        0,
                        syn::parse_quote!(
                            use progenitor_client::Error;
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    file.items.insert(
        0,
        syn::parse_quote! {
            /// What a call returns when it fails: see [`api_runtime::Error`].
            pub use ::api_runtime::Error;
        },
    );
}

/// Drops `name` from `path::{a, name, b}`.
fn remove_from_group(tree: &mut syn::UseTree, name: &str) {
    match tree {
        syn::UseTree::Path(path) => remove_from_group(&mut path.tree, name),
        syn::UseTree::Group(group) => {
            group.items = group
                .items
                .iter()
                .filter(|t| !matches!(t, syn::UseTree::Name(n) if n.ident == name))
                .cloned()
                .collect();
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::rewrite::test_support::{fixture, render};

    #[test]
    fn the_crate_error_is_the_runtimes() {
        let mut file = fixture(&["a"]);
        export_runtime_error(&mut file);
        let code = render(&file);
        assert!(code.starts_with("# [doc = r\" What a call returns"), "{code}");
        assert!(code.contains("] pub use :: api_runtime :: Error ; pub use progenitor_client"), "{code}");
        assert!(code.contains("pub use progenitor_client :: { ByteStream , ResponseValue }"), "{code}");
        assert!(
            code.contains(
                "pub mod builder { use progenitor_client :: Error ; use super :: { encode_path , OperationInfo } ;"
            ),
            "{code}"
        );
    }
}
