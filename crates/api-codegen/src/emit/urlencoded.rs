//! progenitor's input for what `rewrite::urlencoded` sends itself, as the plan says:
//!
//! - a form body the `form-urlencoded-body` rule planned reaches progenitor without its
//!   `encoding` (progenitor panics on one; the rewrite encodes the fields as it said);
//! - a query parameter the `deep-object-query` rule planned reaches it as a `form` parameter
//!   of the same schema (progenitor refuses `deepObject`; the rewrite sends it as one).

use openapiv3::{OpenAPI, Parameter, QueryStyle, ReferenceOr};

use crate::plan::Plan;

pub(super) fn progenitor_input(spec: &mut OpenAPI, plan: &Plan) {
    let mut shared_bodies = Vec::new();
    let mut shared_parameters = Vec::new();
    for (path, item) in spec.paths.paths.iter_mut() {
        let ReferenceOr::Item(item) = item else { continue };
        let mut deep: Vec<String> = Vec::new();
        for (method, slot) in super::operation_slots(item) {
            let Some(op) = slot.as_mut() else { continue };
            let Some(planned) = plan.operation(&super::operation_pointer(path, method)) else { continue };
            if plan.urlencoded(&super::operation_pointer(path, method)).is_some() {
                match &mut op.request_body {
                    Some(ReferenceOr::Item(body)) => body.content.values_mut().for_each(|m| m.encoding.clear()),
                    Some(ReferenceOr::Reference { reference }) => shared_bodies.push(reference.clone()),
                    None => {}
                }
            }
            for entry in &mut op.parameters {
                deep_object_as_form(entry, &planned.deep_object_query, &mut shared_parameters);
            }
            deep.extend(planned.deep_object_query.iter().cloned());
        }
        // A path item's parameters are each operation's: the names any of them planned.
        for entry in &mut item.parameters {
            deep_object_as_form(entry, &deep, &mut shared_parameters);
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
        if shared_parameters.contains(&format!("#/components/parameters/{name}"))
            && let ReferenceOr::Item(parameter) = parameter
        {
            form_style(parameter, None);
        }
    }
}

/// Makes a planned deepObject query parameter a `form` one (a shared one is collected, to
/// change in `components`).
fn deep_object_as_form(entry: &mut ReferenceOr<Parameter>, planned: &[String], shared: &mut Vec<String>) {
    match entry {
        ReferenceOr::Item(parameter) => form_style(parameter, Some(planned)),
        // Only a planned operation's references are collected; the name is checked there.
        ReferenceOr::Reference { reference } if !planned.is_empty() => shared.push(reference.clone()),
        ReferenceOr::Reference { .. } => {}
    }
}

/// A deepObject query parameter (named in `planned`, when given) becomes `form`.
fn form_style(parameter: &mut Parameter, planned: Option<&[String]>) {
    if let Parameter::Query { parameter_data, style, .. } = parameter
        && *style == QueryStyle::DeepObject
        && planned.is_none_or(|names| names.contains(&parameter_data.name))
    {
        *style = QueryStyle::Form;
    }
}
