//! `default-response-is-error`: `default` describes every status an operation does not list.
//! Beside declared successes (a 2xx, `2XX` or 101) it can only be the error answer, but
//! progenitor counts `default` among the successes too and asserts that all successes share
//! one type (box: about 200 operations; the official petstore example). It becomes `4XX` and
//! `5XX` (each unless declared), so its body is the typed error body; a 1xx or 3xx answer is
//! an unexpected status, its status and headers kept. An operation with no declared success
//! keeps its `default`, which is then its success as well as its error.

use serde_json::Value;

use super::Places;
use crate::doc::Spec;
use crate::error::join;

/// A status naming a success: 101, a 2xx code or the `2XX` range.
fn is_success(status: &str) -> bool {
    match status.parse::<u16>() {
        Ok(code) => code == 101 || (200..300).contains(&code),
        Err(_) => status.eq_ignore_ascii_case("2XX"),
    }
}

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    let operations: Vec<String> = Spec::new(doc)
        .operations()
        .into_iter()
        .filter(|op| {
            let statuses: Vec<&String> =
                op.node.get("responses").and_then(Value::as_object).into_iter().flatten().map(|(s, _)| s).collect();
            statuses.iter().any(|s| *s == "default") && statuses.iter().any(|s| is_success(s))
        })
        .map(|op| op.pointer)
        .collect();
    for op_ptr in operations {
        let responses_ptr = join(&op_ptr, "responses");
        let Some(Value::Object(responses)) = doc.pointer_mut(&responses_ptr) else { continue };
        let Some(default) = responses.shift_remove("default") else { continue };
        let mut added = Vec::new();
        for range in ["4XX", "5XX"] {
            if !responses.keys().any(|s| s.eq_ignore_ascii_case(range)) {
                responses.insert(range.to_string(), default.clone());
                added.push(format!("`{range}`"));
            }
        }
        let what = if added.is_empty() {
            "`default` beside declared successes and both error ranges: removed".to_string()
        } else {
            format!("`default` beside declared successes is the error answer: typed as {}", added.join(" and "))
        };
        places.record(join(&responses_ptr, "default"), what);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn default_beside_a_success_becomes_the_error_ranges() {
        let error = json!({"description": "e", "content": {"application/json": {"schema": {"type": "object"}}}});
        let mut doc = json!({"paths": {
            "/a": {"delete": {"operationId": "a", "responses": {"204": {"description": "gone"}, "default": error}}},
            "/b": {"get": {"operationId": "b", "responses": {"default": error}}},
            "/c": {"get": {"operationId": "c", "responses": {"2XX": {"description": "ok"}, "4XX": {"description": "x"}, "default": error}}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        let a = &doc["paths"]["/a"]["delete"]["responses"];
        assert_eq!(
            a.as_object().map(|r| r.keys().cloned().collect::<Vec<_>>()),
            Some(vec!["204".into(), "4XX".into(), "5XX".into()])
        );
        assert_eq!(a["4XX"], error);
        assert!(doc["paths"]["/b"]["get"]["responses"].get("default").is_some(), "no declared success: kept");
        assert_eq!(
            doc["paths"]["/c"]["get"]["responses"]["4XX"],
            json!({"description": "x"}),
            "a declared range stays"
        );
        let what: Vec<&str> = places.changes().iter().map(|c| c.what.as_str()).collect();
        assert_eq!(
            what,
            [
                "`default` beside declared successes is the error answer: typed as `4XX` and `5XX`",
                "`default` beside declared successes is the error answer: typed as `5XX`"
            ]
        );
    }
}
