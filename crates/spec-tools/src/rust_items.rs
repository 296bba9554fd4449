//! The generated Rust items a drift change touches, so a refresh report can say which names
//! downstream code may have to follow.

use api_codegen::names::{field_name, method_name, type_name};

use crate::drift::{Change, Subject};
use crate::surface::{Fields, ROOT, Surface};

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
