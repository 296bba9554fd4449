//! Docs pages that embed an OpenAPI document in a fenced ```` ```yaml ```` block, and merging
//! several such documents into one.

use serde_json::{Map, Value};

/// The body of the first fenced block whose info string starts with `yaml` and that looks
/// like an OpenAPI document (CommonMark fences: three or more backticks or tildes).
pub fn extract_openapi(page: &str) -> Result<&str, String> {
    let mut lines = page.split_inclusive('\n');
    let mut offset = 0;
    while let Some(line) = lines.next() {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_start();
        let fence_char = match trimmed.chars().next() {
            Some(c @ ('`' | '~')) => c,
            _ => continue,
        };
        let fence_len = trimmed.chars().take_while(|c| *c == fence_char).count();
        let info = trimmed[fence_len..].trim();
        if fence_len < 3 || !info.starts_with("yaml") {
            continue;
        }
        let body_start = start + line.len();
        let mut body_end = None;
        let mut scan = body_start;
        for inner in lines.by_ref() {
            let t = inner.trim();
            if t.len() >= fence_len && t.chars().all(|c| c == fence_char) {
                body_end = Some(scan);
                offset = scan + inner.len();
                break;
            }
            scan += inner.len();
        }
        let Some(end) = body_end else {
            return Err("a ```yaml fence is never closed (truncated page?)".into());
        };
        let body = &page[body_start..end];
        if body.lines().any(|l| l.starts_with("openapi:")) {
            return Ok(body);
        }
    }
    Err("no ```yaml fence holding an OpenAPI document in the page".into())
}

/// Merges documents (one per page) into one. Top-level `openapi`, `info`, `servers` and
/// `security` must agree; paths, operations, tags and components are united, and the same
/// name with different content is an error, never a silent overwrite.
pub fn merge(docs: &[(String, Value)]) -> Result<Value, String> {
    let Some((first_url, first)) = docs.first() else { return Err("no documents to merge".into()) };
    let mut merged = first.as_object().cloned().ok_or_else(|| format!("{first_url}: not a mapping"))?;
    for (url, doc) in &docs[1..] {
        let doc = doc.as_object().ok_or_else(|| format!("{url}: not a mapping"))?;
        for (key, value) in doc {
            match key.as_str() {
                "paths" => merge_nested(&mut merged, key, value, |path, method| {
                    format!("{url} and {first_url} both define `{method}` of path {path}, differently")
                })?,
                "components" => merge_nested(&mut merged, key, value, |kind, name| {
                    format!("{url} and {first_url} define components.{kind}.{name} differently")
                })?,
                "tags" => merge_tags(&mut merged, value, url)?,
                _ => match merged.get(key) {
                    None => {
                        merged.insert(key.clone(), value.clone());
                    }
                    Some(existing) if existing == value => {}
                    Some(_) => return Err(format!("{url} and {first_url} disagree on `{key}`")),
                },
            }
        }
    }
    Ok(Value::Object(merged))
}

/// `map[key]` as a mapping, created if absent; anything else there is an error, not something
/// to overwrite.
fn section<'a>(map: &'a mut Map<String, Value>, key: &str) -> Result<&'a mut Map<String, Value>, String> {
    match map.entry(key.to_string()).or_insert_with(|| Value::Object(Map::new())) {
        Value::Object(m) => Ok(m),
        _ => Err(format!("`{key}` is not a mapping")),
    }
}

/// Unites two levels of mappings (`paths./x.post`, `components.schemas.S`): an entry
/// present on both sides must be identical.
fn merge_nested(
    merged: &mut Map<String, Value>,
    key: &str,
    incoming: &Value,
    conflict: impl Fn(&str, &str) -> String,
) -> Result<(), String> {
    let target = section(merged, key)?;
    for (outer, entries) in incoming.as_object().into_iter().flatten() {
        let existing = section(target, outer)?;
        for (inner, value) in entries.as_object().into_iter().flatten() {
            match existing.get(inner) {
                None => {
                    existing.insert(inner.clone(), value.clone());
                }
                Some(v) if v == value => {}
                Some(_) => return Err(conflict(outer, inner)),
            }
        }
    }
    Ok(())
}

fn merge_tags(merged: &mut Map<String, Value>, tags: &Value, url: &str) -> Result<(), String> {
    let entry = merged.entry("tags".to_string()).or_insert_with(|| Value::Array(Vec::new()));
    let Value::Array(existing) = entry else { return Err(format!("{url}: `tags` is not a list")) };
    for tag in tags.as_array().into_iter().flatten() {
        let name = tag.get("name");
        match existing.iter().find(|t| t.get("name") == name) {
            None => existing.push(tag.clone()),
            Some(t) if t == tag => {}
            Some(_) => return Err(format!("{url}: tag {name:?} differs between pages")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_the_openapi_fence() {
        let page = "# T\n\n```json\n{}\n```\n\n````yaml post /x\nopenapi: 3.1.0\ninfo: {}\n````\nafter\n";
        assert_eq!(extract_openapi(page).unwrap(), "openapi: 3.1.0\ninfo: {}\n");
        assert!(extract_openapi("# nothing here\n").unwrap_err().contains("no ```yaml fence"));
        assert!(extract_openapi("````yaml\nopenapi: 3.1.0\n").unwrap_err().contains("never closed"));
    }

    #[test]
    fn merges_and_refuses_conflicts() {
        let a = json!({"openapi": "3.1.0", "paths": {"/a": {"post": {"operationId": "a"}}},
            "components": {"schemas": {"S": {"type": "string"}}}});
        let b = json!({"openapi": "3.1.0", "paths": {"/b": {"post": {"operationId": "b"}}},
            "components": {"schemas": {"S": {"type": "string"}, "T": {"type": "integer"}}}});
        let merged = merge(&[("a".into(), a.clone()), ("b".into(), b)]).unwrap();
        assert_eq!(merged["paths"].as_object().unwrap().len(), 2);
        assert_eq!(merged["components"]["schemas"].as_object().unwrap().len(), 2);

        let c = json!({"openapi": "3.1.0", "components": {"schemas": {"S": {"type": "number"}}}});
        let err = merge(&[("a".into(), a.clone()), ("c".into(), c)]).unwrap_err();
        assert!(err.contains("components.schemas.S"), "{err}");
        let d = json!({"openapi": "3.0.3"});
        assert!(merge(&[("a".into(), a), ("d".into(), d)]).unwrap_err().contains("`openapi`"));
    }
}
