//! `unique-type-titles`: typify names an inline schema after its `title`, and gives a name
//! that is already taken to the type that took it, so an inline schema titled like another,
//! different type (`title: Model` on a property beside a `Model` component; pydantic-made
//! specs title every property) would silently get that type; or, when typify meets it before
//! the component, both are defined under one name and rustc refuses the client (Perplexity's
//! `Currency`). Such a title becomes a name
//! made from where the schema sits (`EmbeddingsRequestModel` for the `model` property of
//! `EmbeddingsRequest`), unique among the document's type names.

use serde_json::Value;

use super::Places;
use crate::error::join;
use crate::names as naming;
use crate::names::places as typify;
use crate::names::types::{self as collisions, TypeNameClash};

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    rename(doc, places, true);
}

/// `unique-type-names`: after the rules that move and add schemas (sharing, forms), every
/// inline schema that would still get another type's name, titled or not, gets a name from
/// its place (Stripe's parameters titled alike whose schemas later differ).
pub(super) fn apply_remaining(doc: &mut Value, places: &mut Places) {
    rename(doc, places, false);
}

fn rename(doc: &mut Value, places: &mut Places, titled_only: bool) {
    let names = collisions::type_names_of(doc, !titled_only);
    let mut taken = names.taken;
    let mut renames = Vec::new();
    // Identical schemas under one clashing name get one new name, so copies stay copies (a
    // `default` response copied to `4XX` and `5XX` keeps one body).
    let mut given: std::collections::HashMap<(String, String), String> = std::collections::HashMap::new();
    for TypeNameClash { ptr, name, first, .. } in names.clashes.into_iter().filter(|c| c.titled || !titled_only) {
        // An alternative's type also holds what its union merges into it.
        let content = doc.pointer(&ptr).map(Value::to_string).unwrap_or_default() + &typify::merged_into(doc, &ptr);
        if let Some(unique) = given.get(&(name.clone(), content.clone())) {
            renames.push((ptr, name, unique.clone(), first));
            continue;
        }
        let base = contextual_name(doc, &ptr);
        let mut unique = base.clone();
        let mut n = 2;
        while taken.contains(&unique) {
            unique = naming::type_name(&format!("{base}{n}"));
            n += 1;
        }
        taken.insert(unique.clone());
        given.insert((name.clone(), content), unique.clone());
        renames.push((ptr, name, unique, first));
    }
    for (ptr, name, unique, first) in renames {
        let Some(Value::Object(schema)) = doc.pointer_mut(&ptr) else { continue };
        // A titled one keeps its title renamed, as before: only a nameless one is wrapped.
        if nullable_union(schema) && !schema.contains_key("title") {
            // progenitor puts a nullable union's title on the `Option` around it, so the union
            // moves into a nullable `allOf` of one, whose member the title names (Stripe's
            // `financial_connections.account.ownership`, named like a component).
            let mut inner = std::mem::take(schema);
            inner.remove("nullable");
            inner.insert("title".into(), Value::String(unique.clone()));
            let description = inner.get("description").cloned();
            schema.insert("nullable".into(), Value::Bool(true));
            if let Some(description) = description {
                schema.insert("description".into(), description);
            }
            schema.insert("allOf".into(), Value::Array(vec![Value::Object(inner)]));
            places.record(
                join(&ptr, "allOf"),
                format!("named `{unique}` inside a nullable `allOf`: `{name}` is the type of {first}"),
            );
            continue;
        }
        let old = schema.insert("title".into(), Value::String(unique.clone()));
        let what = match old.as_ref().and_then(Value::as_str) {
            Some(old) => format!("title `{old}` became `{unique}`: `{name}` is the type of {first}"),
            None => format!("named `{unique}`: `{name}` is the type of {first}"),
        };
        places.record(join(&ptr, "title"), what);
    }
}

/// A nullable `oneOf`/`anyOf`: a title on it names the `Option`, not the union.
fn nullable_union(schema: &serde_json::Map<String, Value>) -> bool {
    schema.get("nullable").and_then(Value::as_bool) == Some(true)
        && (schema.contains_key("oneOf") || schema.contains_key("anyOf"))
}

/// A type name from a schema's place: its component or operation, then the properties
/// leading to it (`Item` for array items, `Value` for map values, `Variant<n>` for a
/// member of `oneOf`/`anyOf`/`allOf`).
fn contextual_name(doc: &Value, ptr: &str) -> String {
    let tokens: Vec<String> = ptr.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~")).collect();
    let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let mut words: Vec<String> = Vec::new();
    let rest: &[&str] = match tokens.as_slice() {
        ["components", "schemas", name, rest @ ..] => {
            words.push((*name).to_string());
            rest
        }
        ["paths", path, method, rest @ ..] => {
            let op = doc.pointer(&join(&join("/paths", path), method));
            let id = op.and_then(|op| op.get("operationId")).and_then(Value::as_str);
            words.push(id.map_or_else(|| format!("{method}-{path}"), str::to_string));
            match rest {
                ["requestBody", "content", _, "schema", rest @ ..] => {
                    words.push("Body".into());
                    rest
                }
                ["responses", status, "content", _, "schema", rest @ ..] => {
                    words.push(format!("Response{status}"));
                    rest
                }
                ["parameters", index, "schema", rest @ ..] => {
                    let list = op.and_then(|op| op.get("parameters")).and_then(Value::as_array);
                    let param = list.and_then(|l| l.get(index.parse::<usize>().unwrap_or(usize::MAX)));
                    let name = param.and_then(|p| p.get("name")).and_then(Value::as_str);
                    words.push(name.unwrap_or("Parameter").to_string());
                    rest
                }
                rest => rest,
            }
        }
        rest => rest,
    };
    let mut tokens = rest.iter();
    while let Some(token) = tokens.next() {
        match *token {
            "properties" | "patternProperties" => words.extend(tokens.next().map(|p| (*p).to_string())),
            "items" => words.push("Item".into()),
            "additionalProperties" => words.push("Value".into()),
            "oneOf" | "anyOf" | "allOf" => words.push(format!("Variant{}", tokens.next().unwrap_or(&""))),
            _ => {}
        }
    }
    naming::type_name(&words.join("-"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn titles_naming_another_type_become_names_from_their_place() {
        let mut doc = json!({
            "paths": {"/e": {"post": {"operationId": "embed",
                "requestBody": {"content": {"application/json": {"schema":
                    {"type": "object", "title": "Model", "properties": {"q": {"type": "string"}}}}}}}}},
            "components": {"schemas": {
                "Model": {"type": "object", "properties": {"id": {"type": "string"}}, "title": "Model"},
                "EmbeddingsRequest": {"type": "object", "properties": {
                    "model": {"type": "string", "title": "Model", "enum": ["a", "b"]},
                    "same": {"type": "object", "properties": {"id": {"type": "string"}}, "title": "Model"}}},
                "ToolCall": {"type": "object", "properties": {
                    "type": {"type": "string", "title": "Type", "enum": ["function"]}}},
                "ToolSpec": {"type": "object", "properties": {
                    "type": {"type": "string", "title": "Type", "enum": ["tool"]},
                    "list": {"type": "array", "items": {"type": "string", "title": "Type", "enum": ["x"]}}}},
                // Already the name the first clash would get.
                "EmbeddingsRequestModel": {"type": "string"}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        let title = |ptr: &str| doc.pointer(&format!("{ptr}/title")).and_then(Value::as_str).unwrap_or_default();
        assert_eq!(title("/components/schemas/EmbeddingsRequest/properties/model"), "EmbeddingsRequestModel2");
        // Even a copy of the component it is titled after: typify may define the name twice.
        assert_eq!(title("/components/schemas/EmbeddingsRequest/properties/same"), "EmbeddingsRequestSame");
        assert_eq!(title("/paths/~1e/post/requestBody/content/application~1json/schema"), "EmbedBody");
        let types = [
            ("ToolCallType", title("/components/schemas/ToolCall/properties/type")),
            ("ToolSpecType", title("/components/schemas/ToolSpec/properties/type")),
            ("ToolSpecListItem", title("/components/schemas/ToolSpec/properties/list/items")),
        ];
        // The first typify meets keeps `Type`, the others get names from their place.
        assert_eq!(types.iter().filter(|(_, t)| *t == "Type").count(), 1, "{types:?}");
        assert!(types.iter().all(|(renamed, t)| t == renamed || *t == "Type"), "{types:?}");

        let changes: Vec<String> = places.changes().iter().map(|c| format!("{}: {}", c.pointer, c.what)).collect();
        assert_eq!(changes.len(), 5, "{changes:#?}");
        assert!(
            changes.contains(
                &"/components/schemas/EmbeddingsRequest/properties/model/title: title `Model` became \
                  `EmbeddingsRequestModel2`: `Model` is the type of /components/schemas/Model"
                    .to_string()
            ),
            "{changes:#?}"
        );
        // Nothing is left for the collision check to refuse.
        assert!(collisions::type_names(&doc).clashes.is_empty());
    }

    /// Stripe's `financial_connections.account.ownership` (a nullable `anyOf` typify names
    /// `FinancialConnectionsAccountOwnership`) beside the component of that name; and a nested
    /// object named like a component.
    #[test]
    fn nested_schemas_named_like_a_component_are_renamed_nullable_unions_inside_an_all_of() {
        let mut doc = json!({"components": {"schemas": {
            "account": {"type": "object", "properties": {
                "ownership": {"nullable": true, "description": "owners", "anyOf": [
                    {"type": "string"}, {"$ref": "#/components/schemas/account_ownership"}]},
                "plan": {"type": "object", "properties": {"n": {"type": "integer"}}}}},
            "account_ownership": {"type": "object", "properties": {"a": {"type": "string"}}},
            "account_plan": {"type": "object", "properties": {"b": {"type": "string"}}}}}});
        let mut places = Places::default();
        apply_remaining(&mut doc, &mut places);
        let ownership = &doc["components"]["schemas"]["account"]["properties"]["ownership"];
        assert_eq!(ownership["nullable"], json!(true));
        assert_eq!(ownership["description"], json!("owners"));
        assert_eq!(ownership["allOf"][0]["title"], json!("AccountOwnership2"));
        assert!(ownership["allOf"][0].get("nullable").is_none());
        assert_eq!(ownership["allOf"][0]["anyOf"][0], json!({"type": "string"}));
        assert_eq!(doc["components"]["schemas"]["account"]["properties"]["plan"]["title"], json!("AccountPlan2"));
        assert!(collisions::type_names(&doc).clashes.is_empty());
    }

    /// Slack's error schemas: one title for different schemas in several operations, each
    /// copied to `4XX` and `5XX` by `default-response-is-error`. The copies get one new title,
    /// so each operation keeps one error body.
    #[test]
    fn identical_copies_under_a_clashing_title_get_one_name() {
        let error = |code: &str| {
            json!({"description": "", "content": {"application/json": {"schema": {"type": "object", "title": "error schema",
                "properties": {"error": {"type": "string", "enum": [code]}}}}}})
        };
        let mut doc = json!({"paths": {
            "/a": {"get": {"operationId": "a", "responses": {"4XX": error("a"), "5XX": error("a")}}},
            "/b": {"get": {"operationId": "b", "responses": {"4XX": error("b"), "5XX": error("b")}}}}});
        apply(&mut doc, &mut Places::default());
        let title = |path: &str, status: &str| {
            doc["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]["title"].clone()
        };
        assert_eq!(title("/a", "4XX"), title("/a", "5XX"));
        assert_eq!(title("/b", "4XX"), title("/b", "5XX"));
        assert_ne!(title("/a", "4XX"), title("/b", "4XX"));
    }

    /// Discord's: `NONE` was taken, and two identical `{title: NONE, const: 0}` alternatives,
    /// one beside `type: integer, format: int32`, got one new name, so two types had it.
    #[test]
    fn identical_alternatives_a_union_changes_get_names_of_their_own() {
        let none = json!({"title": "NONE", "enum": [0]});
        let mut doc = json!({"components": {"schemas": {
            "None": {"type": "string"},
            "Kinds": {"type": "integer", "format": "int32", "oneOf": [none, {"title": "ONE", "enum": [1]}]},
            "Levels": {"oneOf": [none, {"title": "TWO", "enum": [2]}]}}}});
        apply(&mut doc, &mut Places::default());
        let title = |name: &str| doc["components"]["schemas"][name]["oneOf"][0]["title"].clone();
        assert_ne!(title("Kinds"), json!("NONE"));
        assert_ne!(title("Kinds"), title("Levels"));
    }
}
