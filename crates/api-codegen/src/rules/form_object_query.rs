//! `form-object-query`: a query parameter of `form` style (OpenAPI's default) whose schema is
//! an object of properties is a struct in typify, and progenitor panics at an optional
//! struct parameter (`unreachable`, it has no setter for a struct's builder). OpenAPI's style
//! table says how it goes out: exploded (the default) each property is a pair of its own
//! (`gte=1&lt=2`), not exploded it is one `name=gte,1,lt,2`; unset properties write nothing.
//!
//! The rule records each such parameter in the operation's plan (a `form` object and a struct
//! parameter): emission gives progenitor a map of the struct instead, and `rewrite::urlencoded`
//! gives the builder's setter the struct back and puts the runtime's `QueryObject` where
//! progenitor wrote its `QueryParam` (counted). The document keeps the parameter as written.
//!
//! Left out ([`super::leave_out`]), not the document: an operation where such a parameter has
//! a property that is not a scalar (form style writes no nested object or array), or where an
//! exploded one's property would go out under the name of another query parameter of the
//! operation (the server could not tell them apart).

use serde_json::Value;

use super::Places;
use super::deep_object_query::is_struct;
use crate::doc::Spec;
use crate::plan::{FormObjectQuery, Plan};

pub(super) fn apply(doc: &mut Value, plan: &mut Plan, places: &mut Places) {
    for operation in Spec::new(doc).operations() {
        if plan.left_out(&operation.pointer).is_some() {
            continue;
        }
        let spec = operation.spec();
        let parameters = operation.parameters();
        let query: Vec<&str> =
            parameters.iter().filter(|p| p.location() == Some("query")).filter_map(|p| p.name()).collect();
        let mut planned = Vec::new();
        let mut unrepresentable = Vec::new();
        // Exploded properties go out under their own names: each taken once.
        let mut taken: Vec<(String, String)> = query.iter().map(|name| (name.to_string(), name.to_string())).collect();
        for param in &parameters {
            let style = param.node.get("style").and_then(Value::as_str).unwrap_or("form");
            let (Some("query"), "form", Some(name)) = (param.location(), style, param.name()) else { continue };
            let Some(schema) = param.schema(&spec).filter(|schema| is_struct(&spec, schema)) else { continue };
            let explode = param.node.get("explode").and_then(Value::as_bool).unwrap_or(true);
            let properties = properties(&spec, schema);
            if let Some((property, _)) = properties.iter().find(|(_, schema)| !scalar(&spec, schema, 0)) {
                unrepresentable.push(format!(
                    "query parameter `{name}` (style form) has the property `{property}`, which is not a scalar: \
                     form style writes no nested object or array"
                ));
                continue;
            }
            if explode {
                let clash = properties.iter().find_map(|(property, _)| {
                    let owner = taken.iter().find(|(key, owner)| key == property && owner != name);
                    owner.map(|(_, owner)| (property.clone(), owner.clone()))
                });
                if let Some((property, owner)) = clash {
                    unrepresentable.push(format!(
                        "query parameter `{name}` (style form, exploded) sends its property `{property}` as \
                         `{property}=…`, as is the query parameter `{owner}`"
                    ));
                    continue;
                }
                taken.extend(properties.iter().map(|(property, _)| (property.clone(), name.to_string())));
            }
            planned.push((param.pointer.clone(), FormObjectQuery { name: name.to_string(), explode }));
        }
        if let Some(why) = unrepresentable.into_iter().next() {
            super::leave_out(plan, places, operation.pointer.clone(), why);
        } else if !planned.is_empty() {
            for (pointer, FormObjectQuery { name, explode }) in &planned {
                let wire = if *explode {
                    "each property as `key=value`".to_string()
                } else {
                    format!("`{name}=key,value,…`")
                };
                places.record(pointer, format!("query parameter `{name}` (a struct, style form) sent as {wire}"));
            }
            let operation = plan.operation_mut(&operation.pointer);
            operation.struct_query.extend(planned.iter().map(|(_, p)| p.name.clone()));
            operation.form_object_query.extend(planned.into_iter().map(|(_, p)| p));
        }
    }
}

/// A struct's properties (name, schema), its `allOf` members' included, first one of a name.
fn properties<'a>(spec: &Spec<'a>, schema: &'a Value) -> Vec<(String, &'a Value)> {
    fn walk<'a>(spec: &Spec<'a>, schema: &'a Value, depth: usize, out: &mut Vec<(String, &'a Value)>) {
        let schema = spec.resolved(schema);
        if depth > MAX_DEPTH {
            return;
        }
        for (name, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            if !out.iter().any(|(known, _)| known == name) {
                out.push((name.clone(), property));
            }
        }
        for member in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            walk(spec, member, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(spec, schema, 0, &mut out);
    out
}

/// Whether every value of the schema is a string, number, integer or boolean (or null): an
/// enum, a scalar type, or alternatives / `allOf` members that all are. A schema saying
/// nothing of its type may be an object, so it is not.
fn scalar(spec: &Spec<'_>, schema: &Value, depth: usize) -> bool {
    let schema = spec.resolved(schema);
    if depth > MAX_DEPTH {
        return false;
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string" | "integer" | "number" | "boolean") => return true,
        Some(_) => return false,
        None => {}
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values.iter().all(|v| !v.is_array() && !v.is_object());
    }
    let members: Vec<&Value> = ["anyOf", "oneOf", "allOf"]
        .iter()
        .filter_map(|key| schema.get(*key).and_then(Value::as_array))
        .flatten()
        .collect();
    !members.is_empty() && members.iter().all(|member| scalar(spec, member, depth + 1))
}

/// How deep `allOf` members and alternatives are followed (a cycle of them ends here).
const MAX_DEPTH: usize = 16;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn op(parameters: Value) -> Value {
        json!({"get": {"operationId": "op", "parameters": parameters}})
    }

    #[test]
    fn form_struct_parameters_are_planned_and_what_form_cannot_write_leaves_its_operation_out() {
        let range = json!({"type": "object", "properties": {"gt": {"type": "integer"}, "lt": {"type": "integer"}}});
        let mut doc = json!({
            "paths": {
                "/logs": op(json!([{"name": "effective_at", "in": "query", "schema": range},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}}])),
                "/connectors": op(json!([{"name": "query_filters", "in": "query", "style": "form", "explode": false,
                    "schema": {"$ref": "#/components/schemas/Filters", "default": {"active": true}}}])),
                "/deep": op(json!([{"name": "deep", "in": "query", "schema": {"type": "object",
                    "properties": {"inner": {"type": "object", "properties": {"a": {"type": "string"}}}}}}])),
                "/listed": op(json!([{"name": "f", "in": "query", "schema": {"type": "object",
                    "properties": {"ids": {"type": "array", "items": {"type": "string"}}}}}])),
                "/clash": op(json!([{"name": "page", "in": "query", "schema": {"type": "object",
                    "properties": {"limit": {"type": "integer"}}}}, {"name": "limit", "in": "query", "schema": {"type": "integer"}}])),
                "/twice": op(json!([{"name": "a", "in": "query", "schema": range}, {"name": "b", "in": "query", "schema": range}])),
                "/untouched": op(json!([
                    {"name": "map", "in": "query", "schema": {"type": "object", "additionalProperties": {"type": "string"}}},
                    {"name": "either", "in": "query", "schema": {"anyOf": [range, {"type": "integer"}]}},
                    {"name": "in_path", "in": "path", "required": true, "schema": range},
                    {"name": "deep", "in": "query", "style": "deepObject", "schema": range}]))},
            "components": {"schemas": {"Filters": {"type": "object", "properties": {
                "active": {"type": "boolean", "nullable": true},
                "kind": {"allOf": [{"$ref": "#/components/schemas/Kind"}], "description": "d"},
                "either": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}},
                "Kind": {"enum": ["a", "b"]}}}});
        let before = doc.clone();
        let (mut plan, mut places) = (Plan::default(), Places::default());
        apply(&mut doc, &mut plan, &mut places);
        assert_eq!(doc, before, "the document stays as written");
        let logs = plan.operation("/paths/~1logs/get").unwrap();
        assert_eq!(logs.form_object_query, [FormObjectQuery { name: "effective_at".into(), explode: true }]);
        assert_eq!(logs.struct_query, ["effective_at"]);
        assert!(logs.deep_object_query.is_empty());
        let connectors = plan.operation("/paths/~1connectors/get").unwrap();
        assert_eq!(connectors.form_object_query, [FormObjectQuery { name: "query_filters".into(), explode: false }]);
        let why = |path: &str| plan.left_out(&format!("/paths/~1{path}/get")).map(str::to_string);
        let not_scalar = |name: &str, property: &str| {
            format!(
                "query parameter `{name}` (style form) has the property `{property}`, which is not a scalar: \
                 form style writes no nested object or array"
            )
        };
        assert_eq!(why("deep"), Some(not_scalar("deep", "inner")));
        assert_eq!(why("listed"), Some(not_scalar("f", "ids")));
        assert_eq!(
            why("clash").as_deref(),
            Some(
                "query parameter `page` (style form, exploded) sends its property `limit` as `limit=…`, as is the query parameter `limit`"
            )
        );
        assert_eq!(
            why("twice").as_deref(),
            Some(
                "query parameter `b` (style form, exploded) sends its property `gt` as `gt=…`, as is the query parameter `a`"
            )
        );
        assert!(plan.operation("/paths/~1untouched/get").is_none());
        assert_eq!(places.changes()[0].pointer, "/paths/~1logs/get/parameters/0");
        assert_eq!(
            places.changes()[0].what,
            "query parameter `effective_at` (a struct, style form) sent as each property as `key=value`"
        );
        assert_eq!(
            places.changes()[1].what,
            "query parameter `query_filters` (a struct, style form) sent as `query_filters=key,value,…`"
        );
        assert_eq!(places.changes().len(), 6);
    }
}
