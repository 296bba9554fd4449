//! `transport-headers`: header parameters the HTTP stack writes itself (`Content-Length`,
//! `Transfer-Encoding`, `Host`, `Connection`; RFC 9110 and 9112) are removed. A client cannot
//! send a value other than the true one without corrupting the request (reqwest replaces it
//! anyway), so a setter for them would promise what never reaches the wire.

use serde_json::Value;

use super::Places;
use crate::doc::Spec;
use crate::error::join;

/// Header names (compared without case) only the transport sets.
const TRANSPORT: &[&str] = &["content-length", "transfer-encoding", "host", "connection"];

fn is_transport_header(doc: &Value, param: &Value) -> bool {
    let Some(param) = Spec::new(doc).resolve(param).ok() else { return false };
    param.get("in").and_then(Value::as_str) == Some("header")
        && param
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| TRANSPORT.contains(&n.to_ascii_lowercase().as_str()))
}

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    // Parameter lists of path items and of operations.
    let mut lists: Vec<String> = Vec::new();
    for (path, _) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        lists.push(join(&join("/paths", path), "parameters"));
    }
    lists.extend(Spec::new(doc).operations().into_iter().map(|op| join(&op.pointer, "parameters")));

    for list in lists {
        let Some(Value::Array(params)) = doc.pointer(&list) else { continue };
        let doomed: Vec<(usize, String)> = params
            .iter()
            .enumerate()
            .filter(|(_, p)| is_transport_header(doc, p))
            .map(|(i, p)| {
                let name = Spec::new(doc).resolve(p).ok().and_then(|p| p.get("name")).and_then(Value::as_str);
                (i, name.unwrap_or_default().to_string())
            })
            .collect();
        let Some(Value::Array(params)) = doc.pointer_mut(&list) else { continue };
        for (i, name) in doomed.into_iter().rev() {
            params.remove(i);
            places.record(
                join(&list, &i.to_string()),
                format!("removed header parameter `{name}`: the HTTP stack sets it from the request itself"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn transport_headers_go_other_headers_stay() {
        let mut doc = json!({
            "components": {"parameters": {"Len": {"name": "content-length", "in": "header", "schema": {"type": "integer"}}}},
            "paths": {"/a": {"put": {"parameters": [
                {"name": "Content-Length", "in": "header", "required": true, "schema": {"type": "number"}},
                {"name": "x-artifact-tag", "in": "header", "schema": {"type": "string"}},
                {"$ref": "#/components/parameters/Len"},
                {"name": "host", "in": "query", "schema": {"type": "string"}}]}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        assert_eq!(places.changes().len(), 2, "{:?}", places.changes());
        let names: Vec<&str> = doc["paths"]["/a"]["put"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["x-artifact-tag", "host"]);
    }
}
