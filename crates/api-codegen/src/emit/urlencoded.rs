//! progenitor's input for what `rewrite::urlencoded` sends itself, as the plan says:
//!
//! - a form body the `form-urlencoded-body` rule planned reaches progenitor without its
//!   `encoding` (progenitor panics on one; the rewrite encodes the fields as it said);
//! - a query parameter the `deep-object-query` rule planned reaches it as a `form` parameter
//!   of the same schema (progenitor refuses `deepObject`; the rewrite sends it as one);
//! - a query parameter whose type is a struct (`deep-object-query`, `form-object-query`)
//!   reaches it as a map of that schema (`additionalProperties`), which progenitor takes (it
//!   panics at a struct's builder); the rewrite gives the builder's setter the struct back.
//!   An inline schema without a title gets the name progenitor gives a parameter's type
//!   (`<OperationId><Name>`), which it would otherwise name `…Value`.

use openapiv3::{
    AdditionalProperties, ObjectType, OpenAPI, Parameter, ParameterSchemaOrContent, QueryStyle, ReferenceOr, Schema,
    SchemaKind, Type,
};

use crate::names::{Case, progenitor_sanitize};
use crate::plan::Plan;

/// What one operation planned for its query parameters, by name in the document.
#[derive(Default, Clone)]
struct Planned<'a> {
    deep: Vec<&'a str>,
    structs: Vec<&'a str>,
    /// The operation's id: an inline struct schema's name.
    operation_id: String,
}

impl Planned<'_> {
    fn is_empty(&self) -> bool {
        self.deep.is_empty() && self.structs.is_empty()
    }
}

pub(super) fn progenitor_input(spec: &mut OpenAPI, plan: &Plan) {
    let mut shared_bodies = Vec::new();
    // A shared parameter's reference, with what the first operation naming it planned.
    let mut shared_parameters: Vec<(String, Planned<'_>)> = Vec::new();
    for (path, item) in spec.paths.paths.iter_mut() {
        let ReferenceOr::Item(item) = item else { continue };
        // A path item's parameters are each operation's: the names any of them planned.
        let mut path_level = Planned::default();
        for (method, slot) in super::operation_slots(item) {
            let Some(op) = slot.as_mut() else { continue };
            let Some(operation) = plan.operation(&super::operation_pointer(path, method)) else { continue };
            if plan.urlencoded(&super::operation_pointer(path, method)).is_some() {
                match &mut op.request_body {
                    Some(ReferenceOr::Item(body)) => body.content.values_mut().for_each(|m| m.encoding.clear()),
                    Some(ReferenceOr::Reference { reference }) => shared_bodies.push(reference.clone()),
                    None => {}
                }
            }
            let planned = Planned {
                deep: operation.deep_object_query.iter().map(String::as_str).collect(),
                structs: operation.struct_query.iter().map(String::as_str).collect(),
                operation_id: op.operation_id.clone().unwrap_or_default(),
            };
            if planned.is_empty() {
                continue;
            }
            for entry in &mut op.parameters {
                as_progenitor_takes(entry, &planned, &mut shared_parameters);
            }
            if path_level.operation_id.is_empty() {
                path_level.operation_id = planned.operation_id.clone();
            }
            path_level.deep.extend(&planned.deep);
            path_level.structs.extend(&planned.structs);
        }
        if !path_level.is_empty() {
            for entry in &mut item.parameters {
                as_progenitor_takes(entry, &path_level, &mut shared_parameters);
            }
        }
    }
    let Some(components) = spec.components.as_mut() else { return };
    for (name, body) in components.request_bodies.iter_mut() {
        if let ReferenceOr::Item(body) = body
            && shared_bodies.contains(&format!("#/components/requestBodies/{name}"))
        {
            body.content.values_mut().for_each(|m| m.encoding.clear());
        }
    }
    for (name, parameter) in components.parameters.iter_mut() {
        let reference = format!("#/components/parameters/{name}");
        if let ReferenceOr::Item(parameter) = parameter
            && let Some((_, planned)) = shared_parameters.iter().find(|(r, _)| *r == reference)
        {
            adjust(parameter, planned);
        }
    }
}

/// Adjusts a planned operation's parameter (a shared one is collected, to adjust in
/// `components`).
fn as_progenitor_takes<'a>(
    entry: &mut ReferenceOr<Parameter>,
    planned: &Planned<'a>,
    shared: &mut Vec<(String, Planned<'a>)>,
) {
    match entry {
        ReferenceOr::Item(parameter) => adjust(parameter, planned),
        // The name is checked where the parameter is defined.
        ReferenceOr::Reference { reference } => match shared.iter_mut().find(|(known, _)| known == reference) {
            Some((_, known)) => {
                known.deep.extend(&planned.deep);
                known.structs.extend(&planned.structs);
            }
            None => shared.push((reference.clone(), planned.clone())),
        },
    }
}

/// A planned deepObject query parameter becomes `form`; a planned struct one a map of its
/// schema.
fn adjust(parameter: &mut Parameter, planned: &Planned<'_>) {
    let Parameter::Query { parameter_data, style, .. } = parameter else { return };
    let name = parameter_data.name.as_str();
    if *style == QueryStyle::DeepObject && planned.deep.contains(&name) {
        *style = QueryStyle::Form;
    }
    if !planned.structs.contains(&name) {
        return;
    }
    let ParameterSchemaOrContent::Schema(schema) = &mut parameter_data.format else { return };
    let title = progenitor_sanitize(&format!("{}-{}", planned.operation_id, name), Case::Pascal);
    *schema = map_of(schema.clone(), title);
}

/// `{type: object, additionalProperties: <schema>}`, an inline schema named `title` unless it
/// has a title of its own.
fn map_of(mut schema: ReferenceOr<Schema>, title: String) -> ReferenceOr<Schema> {
    if let ReferenceOr::Item(inline) = &mut schema
        && inline.schema_data.title.is_none()
    {
        inline.schema_data.title = Some(title);
    }
    ReferenceOr::Item(Schema {
        schema_data: Default::default(),
        schema_kind: SchemaKind::Type(Type::Object(ObjectType {
            additional_properties: Some(AdditionalProperties::Schema(Box::new(schema))),
            ..Default::default()
        })),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plan::FormObjectQuery;

    #[test]
    fn struct_parameters_reach_progenitor_as_maps_and_deep_objects_as_form() {
        let range = json!({"type": "object", "properties": {"gt": {"type": "integer"}}});
        let doc = json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {
                "/logs": {"get": {"operationId": "list_logs", "responses": {}, "parameters": [
                    {"name": "effective_at", "in": "query", "schema": range},
                    {"name": "recurring", "in": "query", "style": "deepObject", "schema": {"title": "recurring_params",
                        "type": "object", "properties": {"interval": {"type": "string"}}}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {"$ref": "#/components/parameters/Scope"}]}},
                "/other": {"get": {"operationId": "other", "responses": {}, "parameters": [
                    {"name": "effective_at", "in": "query", "schema": range}]}}},
            "components": {"parameters": {"Scope": {"name": "scope", "in": "query", "style": "deepObject",
                "required": true, "schema": {"$ref": "#/components/schemas/Scope"}}},
                "schemas": {"Scope": {"type": "object", "properties": {"type": {"type": "string"}}}}}});
        let mut spec: OpenAPI = serde_json::from_value(doc).unwrap();
        let mut plan = Plan::default();
        let logs = plan.operation_mut("/paths/~1logs/get");
        logs.deep_object_query = vec!["recurring".into(), "scope".into()];
        logs.form_object_query = vec![FormObjectQuery { name: "effective_at".into(), explode: true }];
        logs.struct_query = vec!["recurring".into(), "scope".into(), "effective_at".into()];
        progenitor_input(&mut spec, &plan);
        let value = serde_json::to_value(&spec).unwrap();
        let params = &value["paths"]["/logs"]["get"]["parameters"];
        let map = |schema: serde_json::Value| json!({"type": "object", "additionalProperties": schema});
        let mut titled = range.clone();
        titled["title"] = json!("ListLogsEffectiveAt");
        assert_eq!(params[0]["schema"], map(titled));
        assert_eq!(params[1]["style"], "form");
        assert_eq!(params[1]["schema"]["additionalProperties"]["title"], "recurring_params", "its own title stays");
        assert_eq!(params[2]["schema"], json!({"type": "integer"}));
        let scope = &value["components"]["parameters"]["Scope"];
        assert_eq!(scope["style"], "form");
        assert_eq!(scope["schema"], map(json!({"$ref": "#/components/schemas/Scope"})));
        assert_eq!(value["paths"]["/other"]["get"]["parameters"][0]["schema"], range, "not planned: as written");
    }
}
