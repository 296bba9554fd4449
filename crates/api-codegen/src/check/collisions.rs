//! Spec names that become the same Rust name after case conversion (`first-name` and
//! `first_name`, `Thing` and `thing`): one error naming both places, before progenitor or
//! typify can panic on them or hand rustc a duplicate definition. Keywords are no problem:
//! both generators append `_` (`type` → `type_`) and keep the wire name in a serde rename.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::doc::extensions::ENUM_VARNAMES as VARNAMES;
use crate::doc::schemas::each_schema;
use crate::doc::{Operation, Spec};
use crate::error::join;
use crate::names::types::{TypeNameClash, type_names};
use crate::names::{self as naming, Case};

/// `Client` methods an operation must not shadow: progenitor's constructors, the
/// `ClientInfo` and `ClientHooks` methods its generated code calls, and our constructors.
const CLIENT_METHODS: &[&str] = &[
    "new",
    "new_with_client",
    "api_version",
    "baseurl",
    "client",
    "inner",
    "pre",
    "exec",
    "post",
    "builder",
    "from_env",
];

/// Names the `builder` module imports or uses unqualified: an operation's builder struct
/// of the same name would shadow them.
const BUILDER_SCOPE: &[&str] = &[
    "Error",
    "ByteStream",
    "ClientInfo",
    "ClientHooks",
    "OperationInfo",
    "RequestBuilderExt",
    "ResponseValue",
    "Result",
    "Option",
    "String",
    "Vec",
    "Box",
    "Default",
    "From",
    "Into",
    "TryFrom",
    "TryInto",
    "Send",
    "Sync",
];

pub fn check(doc: &Value, invalid: &mut impl FnMut(&str, String)) {
    for Operation { pointer: op_ptr, node: op, .. } in Spec::new(doc).operations() {
        let Some(id) = op.get("operationId").and_then(Value::as_str) else { continue };
        let (method, builder) = (naming::method_name(id), naming::progenitor_sanitize(id, Case::Pascal));
        if CLIENT_METHODS.contains(&method.as_str()) {
            invalid(
                &join(&op_ptr, "operationId"),
                format!(
                    "operationId `{id}` becomes `Client::{method}`, which the client already has; rename it in the overlay"
                ),
            );
        } else if BUILDER_SCOPE.contains(&builder.as_str()) {
            invalid(
                &join(&op_ptr, "operationId"),
                format!(
                    "operationId `{id}` becomes `builder::{builder}`, which would shadow the `{builder}` the generated code uses; rename it in the overlay"
                ),
            );
        }
    }
    if let Some(Value::Object(components)) = doc.pointer("/components/schemas") {
        let names = components.keys().map(|name| (name.as_str(), join("/components/schemas", name)));
        clashes(names, naming::type_name, "schemas", "type", invalid);
    }
    each_schema(doc, &mut |schema, ptr| {
        if let Some(Value::Object(properties)) = schema.get("properties") {
            let base = join(ptr, "properties");
            let names = properties.keys().map(|name| (name.as_str(), join(&base, name)));
            clashes(names, naming::field_name, "properties", "field", invalid);
        }
        enum_variants(schema, ptr, invalid);
    });
    for op in Spec::new(doc).operations() {
        parameters(&op, invalid);
    }
    derived_type_names(doc, invalid);
}

/// Inline schemas get names too: progenitor suggests `<Operation>Body`, `<Operation>Response`
/// and `<Operation><Parameter>`, and typify prefers a schema's `title`. typify gives a name
/// already taken to the type that took it, so an inline schema sharing a name with another
/// inline schema (two inline responses of one operation) silently gets the wrong type; one
/// sharing a component's name gets the component's type or, if typify meets it before the
/// component, a second definition of the name: an error naming both.
fn derived_type_names(doc: &Value, invalid: &mut impl FnMut(&str, String)) {
    for clash in type_names(doc).clashes {
        let TypeNameClash { ptr, name, first, .. } = clash;
        invalid(
            &ptr,
            format!(
                "this inline schema and the one at {first} both become the Rust type `{name}`, so one would \
                 silently get the other's type; move it to `components/schemas` or give it a `title` in the overlay"
            ),
        );
    }
}

/// Reports each group of `names` that `rust` maps to one identifier, at the later one.
fn clashes<'a>(
    names: impl Iterator<Item = (&'a str, String)>,
    rust: impl Fn(&str) -> String,
    what: &str,
    becomes: &str,
    invalid: &mut impl FnMut(&str, String),
) {
    let mut seen: BTreeMap<String, (&str, String)> = BTreeMap::new();
    for (name, ptr) in names {
        let ident = rust(name);
        match seen.get(&ident) {
            Some((first, first_ptr)) => invalid(
                &ptr,
                format!(
                    "{what} `{first}` ({first_ptr}) and `{name}` ({ptr}) both become the Rust {becomes} `{ident}`; \
                     remove or rename one in the overlay"
                ),
            ),
            None => {
                seen.insert(ident, (name, ptr));
            }
        }
    }
}

/// typify names string enum variants by case conversion, then retries with `_` spelled `X`;
/// it panics if they still collide.
fn enum_variants(schema: &Value, ptr: &str, invalid: &mut impl FnMut(&str, String)) {
    let Some(Value::Array(values)) = schema.get("enum") else { return };
    if let Some(names) = schema.get(VARNAMES) {
        given_variant_names(values, names, &join(ptr, VARNAMES), invalid);
        return;
    }
    let Some(values) = values.iter().map(Value::as_str).collect::<Option<Vec<&str>>>() else { return };
    let unique = |names: &[String]| names.iter().collect::<std::collections::BTreeSet<_>>().len() == names.len();
    if unique(&values.iter().map(|v| naming::variant_name(v)).collect::<Vec<_>>())
        || unique(&values.iter().map(|v| naming::variant_name_fallback(v)).collect::<Vec<_>>())
    {
        return;
    }
    let at = join(ptr, "enum");
    let names = values.iter().enumerate().map(|(i, v)| (*v, join(&at, &i.to_string())));
    clashes(names, naming::variant_name_fallback, "enum values", "variant", invalid);
}

/// `x-enum-varnames` (from the spec, an overlay or a rule): one name per value, unique as
/// typify sanitises them.
fn given_variant_names(values: &[Value], names: &Value, at: &str, invalid: &mut impl FnMut(&str, String)) {
    let names = match names.as_array().map(|n| n.iter().map(Value::as_str).collect::<Option<Vec<&str>>>()) {
        Some(Some(names)) if names.len() == values.len() => names,
        _ => {
            return invalid(at, format!("`{VARNAMES}` must list one string per `enum` value ({})", values.len()));
        }
    };
    let named = values.iter().zip(names).enumerate().filter(|(_, (value, _))| value.is_string());
    let names = named.map(|(index, (_, name))| (name, join(at, &index.to_string())));
    clashes(names, naming::variant_name, "variant names", "variant", invalid);
}

/// An operation's parameters (the path item's, overridden by the operation's own) become
/// builder methods and fields beside `body`.
fn parameters(operation: &Operation<'_>, invalid: &mut impl FnMut(&str, String)) {
    let (op_ptr, op) = (operation.pointer.as_str(), operation.node);
    let mut params: Vec<(String, String)> = operation
        .parameters()
        .into_iter()
        .filter(|p| p.location().is_some())
        .filter_map(|p| Some((p.name()?.to_string(), p.pointer)))
        .collect();
    let mut names: Vec<(&str, String)> = Vec::new();
    if op.get("requestBody").is_some() {
        names.push(("body", join(op_ptr, "requestBody")));
    }
    params.sort_by(|a, b| a.1.cmp(&b.1));
    names.extend(params.iter().map(|(name, ptr)| (name.as_str(), ptr.clone())));
    clashes(
        names.into_iter(),
        |n| naming::progenitor_sanitize(n, Case::Snake),
        "parameters",
        "builder method",
        invalid,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(doc: Value) -> Vec<String> {
        let mut found = Vec::new();
        check(&doc, &mut |at: &str, msg: String| found.push(format!("{at}: {msg}")));
        found.sort();
        found
    }

    #[test]
    fn schema_property_and_enum_collisions_name_both_places() {
        let found = problems(json!({"components": {"schemas": {
            "Thing": {"type": "object", "properties": {
                "foo-bar": {"type": "string"}, "foo_bar": {"type": "string"},
                "kind": {"type": "string", "enum": ["a-b", "a_b", "A B"]}}},
            "thing": {"type": "string", "enum": ["self", "Self", "x-y", "x_y"]}}}}));
        assert_eq!(found.len(), 5, "{found:#?}");
        assert!(found.iter().any(|p| p.starts_with("/components/schemas/thing: schemas `Thing` (/components/schemas/Thing) and `thing` (/components/schemas/thing) both become the Rust type `Thing`")), "{found:#?}");
        assert!(
            found.iter().any(
                |p| p.contains("properties `foo-bar` (/components/schemas/Thing/properties/foo-bar) and `foo_bar`")
            ),
            "{found:#?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.contains("enum values `a-b` (/components/schemas/Thing/properties/kind/enum/0) and `a_b`")),
            "{found:#?}"
        );
        assert!(found.iter().any(|p| p.contains("enum values `self`")), "{found:#?}");
    }

    #[test]
    fn parameter_collisions_include_the_body_and_path_level_parameters() {
        let found = problems(json!({"paths": {"/a": {
            "parameters": [{"name": "first-name", "in": "query"}],
            "post": {"operationId": "a", "requestBody": {}, "parameters": [
                {"name": "first_name", "in": "header"}, {"name": "body", "in": "query"},
                {"name": "first-name", "in": "query"}]}}}}));
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(
            found[0]
                .contains("parameters `body` (/paths/~1a/post/requestBody) and `body` (/paths/~1a/post/parameters/1)"),
            "{found:#?}"
        );
        assert!(
            found[1].contains("`first-name` (/paths/~1a/post/parameters/0) and `first_name`")
                || found[1].contains(
                    "`first_name` (/paths/~1a/post/parameters/0) and `first-name` (/paths/~1a/post/parameters/2)"
                ),
            "{found:#?}"
        );
    }

    #[test]
    fn operations_that_would_shadow_client_methods_or_builder_names_are_refused() {
        let found = problems(json!({"paths": {"/a": {
            "get": {"operationId": "new"}, "post": {"operationId": "Post"}, "put": {"operationId": "result"},
            "patch": {"operationId": "type"}}}}));
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found[0].contains("/paths/~1a/get/operationId: operationId `new` becomes `Client::new`"), "{found:#?}");
        assert!(found[1].contains("operationId `Post` becomes `Client::post`"), "{found:#?}");
        assert!(found[2].contains("operationId `result` becomes `builder::Result`"), "{found:#?}");
    }

    #[test]
    fn inline_schemas_named_like_other_types_name_both_places() {
        let object = |p: &str| json!({"type": "object", "properties": {p: {"type": "string"}}});
        let json = |schema: Value| json!({"content": {"application/json": {"schema": schema}}});
        let found = problems(json!({"paths": {"/a": {"get": {"operationId": "get_a",
            "parameters": [{"name": "q", "in": "query", "schema": {"type": "string", "enum": ["x"], "title": "Thing"}}],
            "requestBody": json(object("b")),
            "responses": {"200": json(object("a")), "400": json(object("err")), "404": json(object("a"))}}}},
            "components": {"schemas": {"Thing": object("other"), "GetABody": object("other")}}}));
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found[0].starts_with("/paths/~1a/get/parameters/0/schema: this inline schema and the one at /components/schemas/Thing both become the Rust type `Thing`"), "{found:#?}");
        assert!(found[1].starts_with("/paths/~1a/get/requestBody/content/application~1json/schema: this inline schema and the one at /components/schemas/GetABody"), "{found:#?}");
        assert!(found[2].starts_with("/paths/~1a/get/responses/400/content/application~1json/schema: this inline schema and the one at /paths/~1a/get/responses/200/content/application~1json/schema both become the Rust type `GetAResponse`"), "{found:#?}");
    }

    #[test]
    fn enum_values_with_variant_names_are_checked_by_those_names() {
        // What `unique-enum-variant-names` writes for `a-b` / `a_b` passes; names that are one
        // Rust name, or a list that does not match the values, do not.
        let found = problems(json!({"components": {"schemas": {
            "Repaired": {"type": "string", "enum": ["a-b", "a_b"], "x-enum-varnames": ["ADashB", "AUnderscoreB"]},
            "Clash": {"type": "string", "enum": ["a", "b"], "x-enum-varnames": ["Same", "same"]},
            "Short": {"type": "string", "enum": ["a", "b"], "x-enum-varnames": ["A"]}}}}));
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(
            found[0].starts_with("/components/schemas/Clash/x-enum-varnames/1: variant names `Same`"),
            "{found:#?}"
        );
        assert!(
            found[1].starts_with("/components/schemas/Short/x-enum-varnames: `x-enum-varnames` must list"),
            "{found:#?}"
        );
    }

    #[test]
    fn keywords_and_distinct_names_are_fine() {
        let found = problems(json!({"components": {"schemas": {
            "crate": {"type": "object", "properties": {"type": {}, "self": {}, "async": {}}},
            // `AB` twice at first, so typify's second try: `AXb` and `AB`.
            "Kind": {"type": "string", "enum": ["a-b", "aB"]}}}}));
        assert_eq!(found, Vec::<String>::new());
    }
}
