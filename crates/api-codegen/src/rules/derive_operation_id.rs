//! `derive-operation-id`: an operation without `operationId` gets one from its method and
//! path (`GET /v9/projects/{idOrName}/custom-environments` →
//! `getV9ProjectsIdOrNameCustomEnvironments`), made unique in the document with a number.
//! progenitor names methods and types after operationIds and cannot do without one; an
//! overlay that sets a nicer name pre-empts the rule.

use std::collections::BTreeSet;

use heck::ToLowerCamelCase;
use serde_json::Value;

use super::Places;
use crate::doc::Spec;
use crate::error::join;

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    let operations = Spec::new(doc).operations();
    let mut taken: BTreeSet<String> = operations.iter().filter_map(|op| op.id()).map(key).collect();
    let missing: Vec<(String, String, &str)> = operations
        .iter()
        .filter(|op| op.id().is_none_or(str::is_empty))
        .map(|op| (op.pointer.clone(), op.path.to_string(), op.method))
        .collect();
    for (ptr, path, method) in missing {
        let base = derive(method, &path);
        let id = (1..)
            .map(|n| if n == 1 { base.clone() } else { format!("{base}{n}") })
            .find(|id| !taken.contains(&key(id)))
            .unwrap_or(base);
        taken.insert(key(&id));
        if let Some(Value::Object(op)) = doc.pointer_mut(&ptr) {
            op.insert("operationId".into(), Value::String(id.clone()));
            places.record(join(&ptr, "operationId"), format!("derived operationId `{id}`"));
        }
    }
}

/// lowerCamel of the method and every path segment, braces dropped.
fn derive(method: &str, path: &str) -> String {
    let words: Vec<&str> =
        std::iter::once(method).chain(path.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())).collect();
    words.join(" ").to_lower_camel_case()
}

/// What makes two operationIds the same method name (validate.rs checks the same).
fn key(id: &str) -> String {
    id.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn derives_unique_lower_camel_ids_and_keeps_given_ones() {
        let mut doc = json!({"paths": {
            "/v9/projects/{idOrName}/custom-environments": {"get": {}, "post": {"operationId": "create"}},
            "/v9/projects/{id_or_name}/custom_environments": {"get": {}},
            "/a": {"get": {"operationId": "getV9ProjectsIdOrNameCustomEnvironments2"}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        let ids: Vec<_> = places.changes().iter().map(|c| (c.pointer.as_str(), c.what.as_str())).collect();
        assert_eq!(
            ids,
            [
                (
                    "/paths/~1v9~1projects~1{idOrName}~1custom-environments/get/operationId",
                    "derived operationId `getV9ProjectsIdOrNameCustomEnvironments`"
                ),
                (
                    "/paths/~1v9~1projects~1{id_or_name}~1custom_environments/get/operationId",
                    "derived operationId `getV9ProjectsIdOrNameCustomEnvironments3`"
                ),
            ]
        );
        assert_eq!(
            doc.pointer("/paths/~1v9~1projects~1{idOrName}~1custom-environments/post/operationId"),
            Some(&json!("create"))
        );
    }
}
