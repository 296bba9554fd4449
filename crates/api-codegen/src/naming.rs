//! The Rust names progenitor and typify give to spec items, so reports can say which
//! generated items a change touches.

use heck::{ToPascalCase, ToSnakeCase};

use crate::drift::{Change, Subject};
use crate::surface::{Fields, ROOT, Surface};

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

/// The generated items a change touches, looked up in the surface that has them (`after`
/// for additions, `before` otherwise).
pub fn rust_items(change: &Change, before: &Surface, after: &Surface) -> Vec<String> {
    let op_items = |op: &str| vec![format!("Client::{}", method_name(op)), format!("builder::{}", type_name(op))];
    let in_type = |ty: String, path: &str| -> Vec<String> {
        match path.split(['.', '[']).next().filter(|first| *first != ROOT && !first.is_empty()) {
            Some(first) => vec![format!("types::{ty}::{}", field_name(first))],
            None => vec![format!("types::{ty}")],
        }
    };
    // An inline body gets progenitor's `<Operation>Body` / `<Operation>Response`; a `$ref`
    // body is the component's type.
    let body_type = |fields: Option<&Fields>, fallback: String| {
        fields
            .and_then(|f| f.get(ROOT))
            .filter(|root| {
                !matches!(root.ty.as_str(), "object" | "array" | "any" | "string" | "number" | "integer" | "boolean")
            })
            .map(|root| type_name(&root.ty))
            .unwrap_or(fallback)
    };
    let surfaces = [after, before];
    match &change.subject {
        Subject::Operation { operation } => op_items(operation),
        Subject::Parameter { operation, parameter } => {
            let name = parameter.split_once(' ').map(|(_, n)| n).unwrap_or(parameter);
            vec![format!("builder::{}::{}", type_name(operation), field_name(name))]
        }
        Subject::RequestBody { operation, path } => {
            let fields =
                surfaces.iter().find_map(|s| s.operations.get(operation)?.request_body.as_ref().map(|b| &b.schema));
            in_type(body_type(fields, format!("{}Body", type_name(operation))), path)
        }
        Subject::Response { operation, status, path } => {
            let fields = surfaces
                .iter()
                .find_map(|s| s.operations.get(operation)?.responses.get(status)?.as_ref().map(|b| &b.schema));
            if fields.is_none() {
                return op_items(operation);
            }
            in_type(body_type(fields, format!("{}Response", type_name(operation))), path)
        }
        Subject::Schema { schema, path } => in_type(type_name(schema), path),
        Subject::SecurityScheme { .. } => vec!["Client (authentication)".into()],
        Subject::Document { field } if field == "servers" => vec!["Client::builder (default base URL)".into()],
        Subject::Document { .. } => Vec::new(),
    }
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
