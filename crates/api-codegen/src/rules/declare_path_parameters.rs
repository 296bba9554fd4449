//! `declare-path-parameters`: a `{name}` in a path template that no parameter declares (at
//! the path item or the operation) becomes a required string path parameter of the
//! operation. progenitor cannot build the URL otherwise; a string is what the template can
//! hold. A template that does not parse is left to validation, which reports it.

use serde_json::{Value, json};

use super::Places;
use crate::doc::Spec;
use crate::error::join;

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    let mut additions: Vec<(String, String)> = Vec::new();
    for op in Spec::new(doc).operations() {
        let Ok(names) = crate::doc::path_template::template_names(op.path) else { continue };
        let declared: Vec<&str> =
            op.parameters().iter().filter(|p| p.location() == Some("path")).filter_map(|p| p.name()).collect();
        additions
            .extend(names.into_iter().filter(|n| !declared.contains(&n.as_str())).map(|n| (op.pointer.clone(), n)));
    }
    for (op_ptr, name) in additions {
        let Some(Value::Object(op)) = doc.pointer_mut(&op_ptr) else { continue };
        let list = op.entry("parameters").or_insert_with(|| Value::Array(Vec::new()));
        let Value::Array(list) = list else { continue };
        list.push(json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}));
        places.record(
            join(&op_ptr, "parameters"),
            format!("declared path parameter `{name}` (used in the path, declared nowhere) as a required string"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declares_what_the_template_uses_and_nothing_else() {
        let mut doc = json!({"paths": {"/v3/teams/{teamId}/members/{member}": {
            "parameters": [{"name": "member", "in": "path", "required": true, "schema": {"type": "integer"}}],
            "get": {"operationId": "a", "parameters": [{"name": "teamId", "in": "query"}]},
            "put": {"operationId": "b", "parameters": "not a list"}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        let item = "/paths/~1v3~1teams~1{teamId}~1members~1{member}";
        assert_eq!(places.changes().len(), 1, "{places:?}");
        assert_eq!(places.changes()[0].pointer, format!("{item}/get/parameters"));
        assert_eq!(
            doc.pointer(&format!("{item}/get/parameters/1")),
            Some(&json!({"name": "teamId", "in": "path", "required": true, "schema": {"type": "string"}}))
        );
        assert_eq!(doc.pointer(&format!("{item}/put/parameters")), Some(&json!("not a list")));
    }
}
