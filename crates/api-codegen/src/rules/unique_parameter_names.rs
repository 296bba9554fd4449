//! `unique-parameter-names`: parameters of one operation whose names become the same Rust
//! name (`exclude_ids` and `exclude-ids` are both the builder method `exclude_ids`) get
//! unique ones, while the request keeps the spec's names exactly.
//!
//! progenitor takes a parameter's Rust name and its wire name from one string. The rule
//! renames all but one of the colliding parameters in the document to a unique name
//! (`exclude_ids_2`, also their Rust name) and records the original in the plan;
//! generation then puts the original back wherever progenitor wrote the new name as the
//! wire name (`rewrite::restore_wire_names`, counted). The surface shows the wire name.
//! Path parameters are never renamed (the path template names them): the one kept is a
//! path parameter if any, else one whose name already is its Rust name, else the first.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Places;
use crate::doc::{Operation, Spec};
use crate::error::join;
use crate::names::{Case, progenitor_sanitize};
use crate::plan::Plan;

/// One parameter in effect for an operation: where it is written, and what it is.
struct Param {
    /// Pointer of the parameter (or of the `$ref` standing for it).
    at: String,
    name: String,
    location: String,
}

/// The parameters in effect for an operation (the path item's, unless overridden).
fn effective(op: &Operation<'_>) -> Vec<Param> {
    op.parameters()
        .into_iter()
        .filter_map(|p| Some(Param { name: p.name()?.into(), location: p.location()?.into(), at: p.pointer }))
        .collect()
}

pub(super) fn apply(doc: &mut Value, plan: &mut Plan, places: &mut Places) {
    // (parameter pointer, new name, old name, kept name)
    let mut renames: Vec<(String, String, String, String)> = Vec::new();
    for op in Spec::new(doc).operations() {
        let params = effective(&op);
        let rust = |p: &Param| progenitor_sanitize(&p.name, Case::Snake);
        let mut taken: BTreeSet<String> = params.iter().map(rust).collect();
        let mut seen: Vec<String> = Vec::new();
        for group in params.iter().map(rust) {
            if seen.contains(&group) {
                continue;
            }
            seen.push(group.clone());
            let mut members: Vec<&Param> = params.iter().filter(|p| rust(p) == group).collect();
            if members.len() < 2 {
                continue;
            }
            let keep = members
                .iter()
                .position(|p| p.location == "path")
                .or_else(|| members.iter().position(|p| p.name == group))
                .unwrap_or(0);
            let kept = members.remove(keep);
            for member in members {
                if member.location == "path" || renames.iter().any(|(at, ..)| *at == member.at) {
                    continue;
                }
                let new = (2..)
                    .map(|n| format!("{group}_{n}"))
                    .find(|candidate| !taken.contains(candidate))
                    .unwrap_or_else(|| format!("{group}_"));
                taken.insert(new.clone());
                renames.push((member.at.clone(), new, member.name.clone(), kept.name.clone()));
            }
        }
    }
    for (at, new, old, kept) in renames {
        // A shared parameter (`$ref`) is copied in place before it is renamed.
        let resolved = doc.pointer(&at).and_then(|p| Spec::new(doc).resolve(p).ok()).cloned();
        let Some(Value::Object(mut param)) = resolved else { continue };
        param.insert("name".into(), Value::String(new.clone()));
        if let Some(slot) = doc.pointer_mut(&at) {
            *slot = Value::Object(param);
            plan.rename_parameter(&at, &old);
            places.record(
                join(&at, "name"),
                format!(
                    "parameter `{old}` is `{new}` in Rust (`{kept}` has the Rust name `{}`); sent as `{old}`",
                    progenitor_sanitize(&kept, Case::Snake)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn colliding_names_get_unique_rust_names_and_keep_their_wire_names() {
        let q = |name: &str| json!({"name": name, "in": "query", "schema": {"type": "string"}});
        let mut doc = json!({"paths": {"/v1/env": {
            "parameters": [q("exclude-projectId")],
            "get": {"operationId": "a", "parameters": [q("exclude-ids"), q("exclude_ids"), q("exclude_ids_2"), q("exclude_projectId"), {"$ref": "#/components/parameters/Ids"}]}}},
            "components": {"parameters": {"Ids": {"name": "ExcludeIds", "in": "header", "schema": {"type": "string"}}}}});
        let (mut places, mut plan) = (Places::default(), Plan::default());
        apply(&mut doc, &mut plan, &mut places);
        let changes: Vec<_> = places.changes().iter().map(|c| (c.pointer.as_str(), c.what.as_str())).collect();
        assert_eq!(
            changes,
            [
                (
                    "/paths/~1v1~1env/get/parameters/3/name",
                    "parameter `exclude_projectId` is `exclude_project_id_2` in Rust (`exclude-projectId` has the Rust name `exclude_project_id`); sent as `exclude_projectId`"
                ),
                (
                    "/paths/~1v1~1env/get/parameters/0/name",
                    "parameter `exclude-ids` is `exclude_ids_3` in Rust (`exclude_ids` has the Rust name `exclude_ids`); sent as `exclude-ids`"
                ),
                (
                    "/paths/~1v1~1env/get/parameters/4/name",
                    "parameter `ExcludeIds` is `exclude_ids_4` in Rust (`exclude_ids` has the Rust name `exclude_ids`); sent as `ExcludeIds`"
                ),
            ]
        );
        let get = &doc["paths"]["/v1/env"]["get"]["parameters"];
        assert_eq!(get[0]["name"], "exclude_ids_3");
        assert_eq!(plan.wire_name("/paths/~1v1~1env/get/parameters/0"), Some("exclude-ids"));
        assert_eq!(plan.wire_name("/paths/~1v1~1env/get/parameters/1"), None);
        assert_eq!(get[4]["in"], "header");
        assert_eq!(doc["components"]["parameters"]["Ids"]["name"], "ExcludeIds");
    }
}
