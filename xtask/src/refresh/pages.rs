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

/// Several documents merged into one, and what the merge decided that no page said.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub doc: Value,
    pub notes: Vec<String>,
}

/// Top-level keys every page must agree on: they change what every operation means.
const MUST_AGREE: [&str; 2] = ["openapi", "security"];

/// Merges documents (one per page) into one. Paths, operations, tags and components are
/// united, and the same name with different content is an error, never a silent overwrite.
///
/// Pages written separately disagree in ways that do not change an operation; each is
/// resolved by a fixed rule and reported in [`Merged::notes`]:
/// - the same security scheme under different names becomes one, named as most pages name
///   it (ties: the alphabetically first name), and every requirement follows the rename;
/// - other top-level keys (`info`, `servers`, ...) take the value most pages have (ties: the
///   earliest page); an empty list counts as saying nothing. `openapi` and `security` must
///   agree.
pub fn merge(docs: &[(String, Value)]) -> Result<Merged, String> {
    let Some((first_url, _)) = docs.first() else { return Err("no documents to merge".into()) };
    let mut docs = docs.to_vec();
    let mut notes = unify_security_schemes(&mut docs);
    let mut merged = Map::new();
    // Entries that pages define alike but for their documentation.
    let mut documented: Vec<String> = Vec::new();
    for (url, doc) in &docs {
        let doc = doc.as_object().ok_or_else(|| format!("{url}: not a mapping"))?;
        for (key, value) in doc {
            match key.as_str() {
                "paths" => documented.extend(merge_nested(&mut merged, key, value, |path, method| {
                    format!("{url} and {first_url} both define `{method}` of path {path}, differently")
                })?),
                "components" => documented.extend(merge_nested(&mut merged, key, value, |kind, name| {
                    format!("{url} and {first_url} define components.{kind}.{name} differently")
                })?),
                "tags" => merge_tags(&mut merged, value, url)?,
                _ => {}
            }
        }
    }
    if !documented.is_empty() {
        notes.push(format!(
            "defined alike on several pages but for their descriptions or examples (merged, the first page's text \
             kept where both have one): {}",
            documented.join(", ")
        ));
    }
    // Keys in the order pages first have them (the first page's order, mostly).
    let mut keys: Vec<&String> = Vec::new();
    for (_, doc) in &docs {
        for key in doc.as_object().into_iter().flat_map(Map::keys) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    let mut ordered = Map::new();
    for key in keys {
        let value = match merged.remove(key.as_str()) {
            Some(value) => value,
            None => {
                let (value, note) = top_level(&docs, key, first_url)?;
                notes.extend(note);
                value
            }
        };
        ordered.insert(key.clone(), value);
    }
    Ok(Merged { doc: Value::Object(ordered), notes })
}

/// The value of a top-level key across pages, and a note when pages disagreed.
fn top_level(docs: &[(String, Value)], key: &str, first_url: &str) -> Result<(Value, Option<String>), String> {
    let said: Vec<(&str, &Value)> = docs
        .iter()
        .filter_map(|(url, doc)| Some((url.as_str(), doc.get(key)?)))
        .filter(|(_, v)| !v.as_array().is_some_and(Vec::is_empty))
        .collect();
    let Some((_, first)) = said.first() else {
        // Only empty lists: keep one.
        let empty = docs.iter().find_map(|(_, d)| d.get(key)).cloned().unwrap_or(Value::Null);
        return Ok((empty, None));
    };
    if said.iter().all(|(_, v)| v == first) {
        return Ok(((*first).clone(), None));
    }
    if MUST_AGREE.contains(&key) {
        let other = said.iter().find(|(_, v)| v != first).map_or(first_url, |(u, _)| u);
        return Err(format!("{other} and {} disagree on `{key}`", said[0].0));
    }
    // Most pages' value; `max_by_key` keeps the last maximum, so scan in reverse for the earliest.
    let count = |value: &Value| said.iter().filter(|(_, v)| *v == value).count();
    let (_, chosen) = said.iter().rev().max_by_key(|(_, v)| count(v)).copied().unwrap_or(said[0]);
    let others: Vec<String> = said
        .iter()
        .filter(|(_, v)| *v != chosen)
        .map(|(url, v)| format!("{} ({})", page_name(url), compact(v)))
        .collect();
    let note = format!(
        "pages disagree on `{key}`: kept {} (as {} of {} pages have it), not {}",
        compact(chosen),
        count(chosen),
        said.len(),
        others.join(", ")
    );
    Ok((chosen.clone(), Some(note)))
}

/// Gives every security scheme defined identically under several names one name, in every
/// page; returns a note per scheme renamed.
fn unify_security_schemes(docs: &mut [(String, Value)]) -> Vec<String> {
    // Each distinct scheme content, with the names it has and how many pages use each name.
    let mut groups: Vec<(Value, Vec<(String, usize)>)> = Vec::new();
    for (_, doc) in docs.iter() {
        let schemes = doc.pointer("/components/securitySchemes").and_then(Value::as_object);
        for (name, content) in schemes.into_iter().flatten() {
            let index = match groups.iter().position(|(c, _)| c == content) {
                Some(index) => index,
                None => {
                    groups.push((content.clone(), Vec::new()));
                    groups.len() - 1
                }
            };
            let names = &mut groups[index].1;
            match names.iter_mut().find(|(n, _)| n == name) {
                Some((_, pages)) => *pages += 1,
                None => names.push((name.clone(), 1)),
            }
        }
    }
    let mut notes = Vec::new();
    for (_, mut names) in groups.into_iter().filter(|(_, names)| names.len() > 1) {
        names.sort_by(|(a, x), (b, y)| y.cmp(x).then_with(|| a.cmp(b)));
        let canonical = names[0].0.clone();
        let renamed: Vec<&str> = names[1..].iter().map(|(n, _)| n.as_str()).collect();
        for (_, doc) in docs.iter_mut() {
            for old in &renamed {
                rename_scheme(doc, old, &canonical);
            }
        }
        notes.push(format!(
            "security scheme{} `{}` defined identically to `{canonical}`: merged as `{canonical}` (the name most pages use)",
            if renamed.len() == 1 { "" } else { "s" },
            renamed.join("`, `")
        ));
    }
    notes
}

/// Renames a security scheme in its definition and in every requirement naming it.
fn rename_scheme(doc: &mut Value, old: &str, new: &str) {
    if let Some(schemes) = doc.pointer_mut("/components/securitySchemes").and_then(Value::as_object_mut)
        && let Some(content) = schemes.remove(old)
    {
        schemes.insert(new.to_string(), content);
    }
    let mut requirements: Vec<&mut Value> = Vec::new();
    let Some(object) = doc.as_object_mut() else { return };
    for (key, value) in object.iter_mut() {
        match key.as_str() {
            "security" => requirements.push(value),
            "paths" => {
                for item in value.as_object_mut().into_iter().flat_map(|m| m.values_mut()) {
                    for op in item.as_object_mut().into_iter().flat_map(|m| m.values_mut()) {
                        if let Some(security) = op.get_mut("security") {
                            requirements.push(security);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for requirement in requirements.into_iter().filter_map(Value::as_array_mut).flatten() {
        if let Some(requirement) = requirement.as_object_mut()
            && let Some(scopes) = requirement.remove(old)
        {
            requirement.insert(new.to_string(), scopes);
        }
    }
}

/// The last path segment of a page's URL, for notes.
fn page_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or(url)
}

fn compact(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(120) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
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
/// present on both sides must be identical but for documentation ([`DOCUMENTATION`]);
/// returns the entries (`key.outer.inner`) that differed only there.
fn merge_nested(
    merged: &mut Map<String, Value>,
    key: &str,
    incoming: &Value,
    conflict: impl Fn(&str, &str) -> String,
) -> Result<Vec<String>, String> {
    let mut documented = Vec::new();
    let target = section(merged, key)?;
    for (outer, entries) in incoming.as_object().into_iter().flatten() {
        let existing = section(target, outer)?;
        for (inner, value) in entries.as_object().into_iter().flatten() {
            match existing.get_mut(inner) {
                None => {
                    existing.insert(inner.clone(), value.clone());
                }
                Some(v) if v == value => {}
                Some(v) => {
                    *v = merge_documented(v, value).ok_or_else(|| conflict(outer, inner))?;
                    documented.push(format!("{key}.{outer}.{inner}"));
                }
            }
        }
    }
    Ok(documented)
}

/// Keys that describe rather than define: pages may differ in them.
const DOCUMENTATION: [&str; 5] = ["description", "summary", "example", "examples", "externalDocs"];

/// `a` and `b` united when they differ only in [`DOCUMENTATION`] keys (`a`'s text kept where
/// both have one); `None` when they differ in anything else.
fn merge_documented(a: &Value, b: &Value) -> Option<Value> {
    match (a, b) {
        _ if a == b => Some(a.clone()),
        (Value::Object(x), Value::Object(y)) => {
            let mut out = x.clone();
            for (key, theirs) in y {
                let documentation = DOCUMENTATION.contains(&key.as_str());
                match out.get(key) {
                    None if documentation => {
                        out.insert(key.clone(), theirs.clone());
                    }
                    None => return None,
                    Some(_) if documentation => {}
                    Some(ours) => {
                        let merged = merge_documented(ours, theirs)?;
                        out.insert(key.clone(), merged);
                    }
                }
            }
            // A defining key only `a` has is a difference too.
            x.keys().all(|k| y.contains_key(k) || DOCUMENTATION.contains(&k.as_str())).then_some(Value::Object(out))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).map(|(a, b)| merge_documented(a, b)).collect::<Option<Vec<_>>>().map(Value::Array)
        }
        _ => None,
    }
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
        let merged = merge(&[("a".into(), a.clone()), ("b".into(), b)]).unwrap().doc;
        assert_eq!(merged["paths"].as_object().unwrap().len(), 2);
        assert_eq!(merged["components"]["schemas"].as_object().unwrap().len(), 2);

        let c = json!({"openapi": "3.1.0", "components": {"schemas": {"S": {"type": "number"}}}});
        let err = merge(&[("a".into(), a.clone()), ("c".into(), c)]).unwrap_err();
        assert!(err.contains("components.schemas.S"), "{err}");
        let d = json!({"openapi": "3.0.3"});
        assert!(merge(&[("a".into(), a), ("d".into(), d)]).unwrap_err().contains("`openapi`"));
    }

    #[test]
    fn one_scheme_under_two_names_becomes_one_and_top_level_differences_take_the_majority() {
        let page = |version: &str, servers: Value, scheme: &str, path: &str| {
            json!({"openapi": "3.1.0", "info": {"title": "T", "version": version}, "servers": servers,
                "paths": {path: {"post": {"operationId": path, "security": [{scheme: []}]}}},
                "components": {"securitySchemes": {scheme: {"type": "http", "scheme": "bearer"}}}})
        };
        let server = json!([{"url": "https://api.example"}]);
        let docs = [
            ("p/a.md".to_string(), page("0.1.0", json!([]), "HTTPBearer", "/a")),
            ("p/b.md".to_string(), page("1.0.0", server.clone(), "BearerAuth", "/b")),
            ("p/c.md".to_string(), page("1.0.0", server.clone(), "HTTPBearer", "/c")),
        ];
        let merged = merge(&docs).unwrap();
        let doc = &merged.doc;
        assert_eq!(
            doc["components"]["securitySchemes"].as_object().unwrap().keys().collect::<Vec<_>>(),
            ["HTTPBearer"]
        );
        for path in ["/a", "/b", "/c"] {
            assert_eq!(doc["paths"][path]["post"]["security"], json!([{"HTTPBearer": []}]), "{path}");
        }
        assert_eq!(doc["info"]["version"], "1.0.0");
        assert_eq!(doc["servers"], server, "an empty list says nothing");
        assert_eq!(doc.as_object().unwrap().keys().next().unwrap(), "openapi", "the pages' key order");
        let notes = merged.notes.join("\n");
        assert!(notes.contains("`BearerAuth` defined identically to `HTTPBearer`"), "{notes}");
        assert!(notes.contains("pages disagree on `info`") && notes.contains("a.md"), "{notes}");

        // Ties: the alphabetically first name; the earliest page's value.
        let tie = merge(&docs[..2]).unwrap();
        assert!(tie.doc["components"]["securitySchemes"].get("BearerAuth").is_some());
        assert_eq!(tie.doc["info"]["version"], "0.1.0");
        // Different schemes under different names stay apart; one name for two schemes is refused.
        let mut other = docs[1].clone();
        other.1["components"]["securitySchemes"]["BearerAuth"] = json!({"type": "apiKey", "in": "header", "name": "K"});
        let apart = merge(&[docs[0].clone(), other.clone()]).unwrap();
        assert_eq!(apart.doc["components"]["securitySchemes"].as_object().unwrap().len(), 2);
        other.1["components"]["securitySchemes"] =
            json!({"HTTPBearer": {"type": "apiKey", "in": "header", "name": "K"}});
        assert!(merge(&[docs[0].clone(), other]).unwrap_err().contains("securitySchemes.HTTPBearer"));
        // Definitions alike but for descriptions merge, keeping every description.
        let described = |d: Option<&str>| {
            let mut s = json!({"type": "object", "properties": {"x": {"type": "string"}}});
            if let Some(d) = d {
                s["properties"]["x"]["description"] = json!(d);
            }
            json!({"openapi": "3.1.0", "components": {"schemas": {"S": s}}})
        };
        let merged = merge(&[("a".into(), described(None)), ("b".into(), described(Some("B")))]).unwrap();
        assert_eq!(merged.doc["components"]["schemas"]["S"]["properties"]["x"]["description"], "B");
        assert!(merged.notes.join("").contains("components.schemas.S"), "{:?}", merged.notes);
        let mut retyped = described(Some("A"));
        retyped["components"]["schemas"]["S"]["properties"]["x"]["type"] = json!("integer");
        assert!(merge(&[("a".into(), described(None)), ("b".into(), retyped)]).is_err());
        let mut extra = described(None);
        extra["components"]["schemas"]["S"]["required"] = json!(["x"]);
        assert!(merge(&[("a".into(), extra.clone()), ("b".into(), described(None))]).is_err());
        assert!(merge(&[("a".into(), described(None)), ("b".into(), extra)]).is_err());
        // Top-level security must agree.
        let mut secured = docs[2].clone();
        secured.1["security"] = json!([{"HTTPBearer": []}]);
        assert!(merge(&[docs[0].clone(), secured]).is_ok(), "a page without top-level security says nothing");
    }
}
