//! The Rust names progenitor and typify give to spec items: what the rules, the checks and the
//! rewrites expect a name to become, computed the way those generators compute it.

pub mod places;
pub mod types;

use heck::{ToPascalCase, ToSnakeCase};

/// The `Client` method (and hook operation id) for an `operationId`.
pub fn method_name(operation_id: &str) -> String {
    progenitor_sanitize(operation_id, Case::Snake)
}

/// The `builder::` struct for an `operationId`, or a `types::` name for a schema.
pub fn type_name(name: &str) -> String {
    typify_sanitize(name, Case::Pascal)
}

/// A struct field or builder method for a JSON property or parameter name.
pub fn field_name(property: &str) -> String {
    typify_sanitize(property, Case::Snake)
}

/// A unit variant of a string enum for `value` (typify's first choice).
pub fn variant_name(value: &str) -> String {
    typify_sanitize(value, Case::Pascal)
}

/// typify's second choice when the first collide: `_` and other elided characters as `X`.
pub fn variant_name_fallback(value: &str) -> String {
    typify_sanitize(&value.replace(|c: char| c == '_' || !unicode_ident::is_xid_continue(c), "X"), Case::Pascal)
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Pascal,
    Snake,
}

/// progenitor's `sanitize` (progenitor-impl `util.rs`): method, parameter and builder names.
pub fn progenitor_sanitize(input: &str, case: Case) -> String {
    let out = cased(input, case);
    let out = match out.chars().next() {
        None => cased("x", case),
        Some(c) if unicode_ident::is_xid_start(c) => out,
        Some(_) => format!("_{out}"),
    };
    if accept_as_ident(&out) { out } else { format!("{out}_") }
}

/// typify's `sanitize` (typify-impl `util.rs`): type, field and variant names.
pub fn typify_sanitize(input: &str, case: Case) -> String {
    let out = cased(input, case);
    let out = match out.chars().next() {
        None => cased("x", case),
        Some(c) if unicode_ident::is_xid_start(c) => out,
        Some(_) => format!("{}{out}", cased("x", case)),
    };
    if accept_as_ident(&out) { out } else { format!("{out}_") }
}

fn cased(input: &str, case: Case) -> String {
    let to_case = match case {
        Case::Pascal => <str as ToPascalCase>::to_pascal_case,
        Case::Snake => <str as ToSnakeCase>::to_snake_case,
    };
    match input {
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => to_case(&input.replace('\'', "").replace(|c: char| !unicode_ident::is_xid_continue(c), "-")),
    }
}

/// typify's `accept_as_ident`: the keywords (and `_`) that get a trailing underscore.
fn accept_as_ident(ident: &str) -> bool {
    !matches!(
        ident,
        "_" | "abstract"
            | "as"
            | "async"
            | "await"
            | "become"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "do"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "final"
            | "fn"
            | "for"
            | "gen"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "macro"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "override"
            | "priv"
            | "pub"
            | "ref"
            | "return"
            | "Self"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "try"
            | "type"
            | "typeof"
            | "unsafe"
            | "unsized"
            | "use"
            | "virtual"
            | "where"
            | "while"
            | "yield"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_progenitor_and_typify() {
        assert_eq!(method_name("auth_access-token"), "auth_access_token");
        assert_eq!(type_name("createAuthToken"), "CreateAuthToken");
        assert_eq!(field_name("expiresAt"), "expires_at");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(method_name("type"), "type_");
        assert_eq!(method_name("2fa"), "_2fa");
        assert_eq!(field_name("2fa"), "x2fa");
        assert_eq!(type_name("self"), "Self_");
        assert_eq!(field_name("first-name"), field_name("first_name"));
        assert_eq!(variant_name_fallback("a_b"), "AXb");
    }
}
