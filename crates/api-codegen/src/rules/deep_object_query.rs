//! `deep-object-query`: progenitor refuses the whole document at a query parameter with
//! `style: deepObject` ("unsupported style of query parameter DeepObject"), and would write
//! an object parameter as its bare properties (`gte=1`) if it took one. The client sends it as
//! OpenAPI defines deepObject, `name[key]=value` (`created[gte]=1&created[lt]=2`), nested
//! objects and arrays in brackets (`name[a][0]=…`), a scalar alternative of the schema as
//! `name=value` (`created=5`).
//!
//! The rule records each such parameter (its name in the document, which
//! `unique-parameter-names` may have made unique) in the operation's plan; emission gives it
//! to progenitor as a `form` parameter of the same schema, and `rewrite::urlencoded` puts
//! the runtime's `DeepObject` where progenitor wrote its `QueryParam` (counted). The document
//! keeps the parameter as written.
//!
//! A parameter that is an object of properties is a struct, which progenitor cannot take as a
//! query parameter (it panics at a struct's builder); the rule also lists it as a struct
//! parameter: emission gives progenitor a map of that struct instead, and the rewrite gives
//! the builder's setter the struct back (see [`is_struct`]). A map, an array or an `anyOf` of
//! an object and a scalar (an enum) progenitor takes as it is.
//!
//! Left out ([`super::leave_out`]), not the document: an operation with `explode: false` on
//! one (OpenAPI defines deepObject only exploded).

use serde_json::Value;

use super::Places;
use crate::doc::Spec;
use crate::plan::Plan;

pub(super) fn apply(doc: &mut Value, plan: &mut Plan, places: &mut Places) {
    for operation in Spec::new(doc).operations() {
        if plan.left_out(&operation.pointer).is_some() {
            continue;
        }
        let mut names = Vec::new();
        let mut unrepresentable = Vec::new();
        for param in operation.parameters() {
            let deep = param.node.get("style").and_then(Value::as_str) == Some("deepObject");
            let (true, Some("query"), Some(name)) = (deep, param.location(), param.name()) else { continue };
            if param.node.get("explode") == Some(&Value::Bool(false)) {
                unrepresentable.push(format!(
                    "query parameter `{name}` has style deepObject with explode: false, which OpenAPI leaves undefined"
                ));
                continue;
            }
            let spec = operation.spec();
            let typed = param.schema(&spec).is_some_and(|schema| is_struct(&spec, schema));
            names.push((param.pointer, name.to_string(), typed));
        }
        if let Some(why) = unrepresentable.into_iter().next() {
            super::leave_out(plan, places, operation.pointer.clone(), why);
        } else if !names.is_empty() {
            for (pointer, name, _) in &names {
                places.record(pointer, format!("query parameter `{name}` sent as a deep object (`{name}[key]=value`)"));
            }
            let planned = plan.operation_mut(&operation.pointer);
            planned.struct_query.extend(names.iter().filter(|(_, _, typed)| *typed).map(|(_, name, _)| name.clone()));
            planned.deep_object_query = names.into_iter().map(|(_, name, _)| name).collect();
        }
    }
}

/// Whether typify makes this schema a struct: an object of properties, or an `allOf` one of
/// whose members is (typify merges them). Another `type` is not (an enum beside an `allOf`).
pub(super) fn is_struct(spec: &Spec<'_>, schema: &Value) -> bool {
    fn walk(spec: &Spec<'_>, schema: &Value, depth: usize) -> bool {
        let schema = spec.resolved(schema);
        if depth > MAX_DEPTH || schema.get("type").is_some_and(|t| t != "object") {
            return false;
        }
        let properties = schema.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty());
        let members = schema.get("allOf").and_then(Value::as_array).into_iter().flatten();
        properties || members.into_iter().any(|member| walk(spec, member, depth + 1))
    }
    walk(spec, schema, 0)
}

/// How deep [`is_struct`] follows `allOf` members (a cycle of them ends here).
const MAX_DEPTH: usize = 16;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn deep_object_query_parameters_are_planned_structs_typed_and_unexploded_ones_leave_their_operation_out() {
        let created = json!({"name": "created", "in": "query", "style": "deepObject", "explode": true,
            "schema": {"anyOf": [{"type": "object", "properties": {"gte": {"type": "integer"}}}, {"type": "integer"}]}});
        let mut doc = json!({
            "paths": {
                "/charges": {
                    "parameters": [{"$ref": "#/components/parameters/Expand"}],
                    "get": {"operationId": "list", "parameters": [created, {"name": "limit", "in": "query", "schema": {"type": "integer"}}]}},
                "/flat": {"get": {"operationId": "flat", "parameters": [{"name": "q", "in": "query", "style": "form", "schema": {"type": "object"}}]}},
                "/undefined": {"get": {"operationId": "undefined", "parameters": [
                    {"name": "f", "in": "query", "style": "deepObject", "explode": false, "schema": {"type": "object"}}]}},
                "/people": {"get": {"operationId": "people", "parameters": [{"name": "relationship", "in": "query",
                    "style": "deepObject", "schema": {"$ref": "#/components/schemas/Relationship"}}]}},
                "/map": {"get": {"operationId": "map", "parameters": [{"name": "metadata", "in": "query",
                    "style": "deepObject", "schema": {"type": "object", "additionalProperties": {"type": "string"}}}]}},
                "/merged": {"get": {"operationId": "merged", "parameters": [
                    {"name": "scope", "in": "query", "style": "deepObject", "required": true,
                        "schema": {"allOf": [{"$ref": "#/components/schemas/Relationship"}], "nullable": true}},
                    {"name": "status", "in": "query", "style": "deepObject",
                        "schema": {"type": "string", "allOf": [{"$ref": "#/components/schemas/Status"}]}}]}}},
            "components": {"parameters": {"Expand": {"name": "expand", "in": "query", "style": "deepObject",
                "schema": {"type": "array", "items": {"type": "string"}}}},
                "schemas": {"Relationship": {"type": "object", "properties": {"director": {"type": "boolean"}}},
                    "Status": {"type": "string", "enum": ["open"]}}}});
        let before = doc.clone();
        let (mut plan, mut places) = (Plan::default(), Places::default());
        apply(&mut doc, &mut plan, &mut places);
        assert_eq!(doc, before, "the document stays as written");
        let list = plan.operation("/paths/~1charges/get").unwrap();
        assert_eq!(list.deep_object_query, ["expand", "created"]);
        assert!(list.struct_query.is_empty(), "an anyOf and an array are not structs");
        assert!(plan.operation("/paths/~1flat/get").is_none());
        let why = plan.left_out("/paths/~1undefined/get").unwrap();
        assert_eq!(why, "query parameter `f` has style deepObject with explode: false, which OpenAPI leaves undefined");
        let changes: Vec<&str> = places.changes().iter().map(|c| c.pointer.as_str()).collect();
        let people = plan.operation("/paths/~1people/get").unwrap();
        assert_eq!(
            (&people.deep_object_query, &people.struct_query),
            (&vec!["relationship".to_string()], &vec!["relationship".to_string()])
        );
        let map = plan.operation("/paths/~1map/get").unwrap();
        assert_eq!(
            (map.deep_object_query.as_slice(), map.struct_query.as_slice()),
            (&["metadata".to_string()][..], &[][..])
        );
        let merged = plan.operation("/paths/~1merged/get").unwrap();
        assert_eq!(merged.deep_object_query, ["scope", "status"]);
        assert_eq!(merged.struct_query, ["scope"], "an allOf of a struct is one, a string beside an allOf is not");
        assert!(plan.operation("/paths/~1people/get").unwrap().form_object_query.is_empty());
        assert_eq!(
            changes,
            [
                "/paths/~1charges/parameters/0",
                "/paths/~1charges/get/parameters/0",
                "/paths/~1undefined/get",
                "/paths/~1people/get/parameters/0",
                "/paths/~1map/get/parameters/0",
                "/paths/~1merged/get/parameters/0",
                "/paths/~1merged/get/parameters/1"
            ]
        );
        assert_eq!(places.changes()[1].what, "query parameter `created` sent as a deep object (`created[key]=value`)");
    }
}
