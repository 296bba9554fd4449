//! Example values synthesised from a spec, so a mock server can answer any operation the
//! way the spec says it answers, and a test can call any operation the way the spec says it
//! is called: the schema's own `example` where it has one and it conforms, else a minimal
//! value that does ([`valid`]).

use serde_json::{Map, Value, json};

use api_codegen::doc::{Operation, Spec};
use api_codegen::plan::{FormShape, Plan};

use crate::conformance;

/// The operation of `doc` that serves `method` and a concrete `path` (a template segment
/// matches any one segment; of several matching templates the one with the most literal
/// segments wins, as servers route), with its first success response: (operationId, response).
pub fn answer(doc: &Value, method: &str, path: &str, accept: Option<&str>) -> Option<(String, Response)> {
    let op = Spec::new(doc)
        .operations()
        .into_iter()
        .filter(|op| op.method.eq_ignore_ascii_case(method) && path_matches(op.path, path))
        .max_by_key(|op| usize::MAX - op.path.split('/').filter(|s| s.starts_with('{')).count())?
        .node;
    let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
    let success = responses_accepting(doc, op, accept).into_iter().find(|r| (200..300).contains(&r.status))?;
    Some((id, success))
}

fn path_matches(template: &str, path: &str) -> bool {
    let (mut t, mut p) = (template.split('/'), path.split('/'));
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(ts), Some(ps)) if ts == ps || (ts.starts_with('{') && ts.ends_with('}') && !ps.is_empty()) => {}
            _ => return false,
        }
    }
}

/// An example value for `schema`.
pub fn example(doc: &Value, schema: &Value, depth: usize) -> Value {
    if depth > 16 {
        return Value::Null;
    }
    if schema.get("$ref").is_some() {
        return Spec::new(doc).resolve(schema).map_or(Value::Null, |target| example(doc, target, depth + 1));
    }
    if let Some(sentinel) = secret_sentinel(doc, schema) {
        return sentinel;
    }
    if let Some(value) = schema.get("example").or_else(|| schema.pointer("/enum/0")).or_else(|| schema.get("default")) {
        return value.clone();
    }
    if let Some(first) = ["allOf", "oneOf", "anyOf"].iter().find_map(|k| schema.pointer(&format!("/{k}/0"))) {
        return example(doc, first, depth + 1);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => string(schema),
        Some("number") => number(schema, 1.5),
        Some("integer") => number(schema, 1.0),
        Some("boolean") => json!(true),
        Some("array") => match schema.get("items") {
            Some(items) if items.as_object().is_some_and(|o| !o.is_empty()) => json!([example(doc, items, depth + 1)]),
            _ => json!([]),
        },
        _ => {
            let mut object = Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, prop) in props {
                    object.insert(name.clone(), example(doc, prop, depth + 1));
                }
            }
            Value::Object(object)
        }
    }
}

/// What synthesised values put in `x-secret` fields, so a test can tell a leaked secret.
pub const SECRET_SENTINEL: &str = "demo-secret-value";

/// The sentinel for an `x-secret` field it fits (a secret with its own pattern or length gets
/// a value of those instead).
fn secret_sentinel(doc: &Value, schema: &Value) -> Option<Value> {
    let sentinel = json!(SECRET_SENTINEL);
    (schema.get("x-secret") == Some(&Value::Bool(true)) && conformance::conforms(doc, schema, &sentinel))
        .then_some(sentinel)
}

/// A string of the schema's format (or `string`) and length if that fits its pattern, else
/// one generated from the pattern.
fn string(schema: &Value) -> Value {
    let bound = |key: &str| schema.get(key).and_then(Value::as_u64).and_then(|n| usize::try_from(n).ok());
    let (min, max) = (bound("minLength"), bound("maxLength"));
    let plain = plain_string(schema, min, max);
    let pattern = schema.get("pattern").and_then(Value::as_str);
    let fits = |p: &str| regress::Regex::new(p).map_or(true, |re| re.find(&plain).is_some());
    match pattern {
        Some(p) if !fits(p) => matching(p, min, max).map_or(Value::String(plain), Value::String),
        _ => Value::String(plain),
    }
}

/// A string of the schema's format and length.
fn plain_string(schema: &Value, min: Option<usize>, max: Option<usize>) -> String {
    let text = match schema.get("format").and_then(Value::as_str) {
        Some("date-time") => "2024-01-01T00:00:00Z",
        Some("date") => "2024-01-01",
        Some("time") => "00:00:00",
        Some("uuid") => "00000000-0000-4000-8000-000000000000",
        Some("email") => "user@example.com",
        Some("uri" | "url") => "https://example.com/",
        Some("hostname") => "example.com",
        Some("ipv4") => "127.0.0.1",
        Some("ipv6") => "::1",
        _ => "string",
    };
    let mut text = text.to_string();
    if let Some(min) = min {
        while text.chars().count() < min {
            text.push('x');
        }
    }
    if let Some(max) = max {
        text = text.chars().take(max).collect();
    }
    text
}

/// A string matching the ECMAScript `pattern` and the length bounds, the same for every run:
/// generated from the regex (ASCII first, Unicode if the class needs it) and checked with
/// regress, as the generated types check it. `None` when none is found (lookarounds, inner
/// anchors, a syntax the generator does not read).
fn matching(pattern: &str, min: Option<usize>, max: Option<usize>) -> Option<String> {
    use rand::{RngExt, SeedableRng};
    // Schema patterns match anywhere unless anchored; the generator takes no anchors, and a
    // string matching the rest matches the anchored pattern too.
    let inner = pattern.strip_prefix('^').unwrap_or(pattern);
    let inner = inner.strip_suffix('$').filter(|rest| !rest.ends_with('\\')).unwrap_or(inner);
    let check = regress::Regex::new(pattern).ok()?;
    let fits = |text: &String| {
        let chars = text.chars().count();
        check.find(text).is_some() && min.is_none_or(|min| chars >= min) && max.is_none_or(|max| chars <= max)
    };
    let mut rng = rand_xorshift::XorShiftRng::seed_from_u64(0x5EED);
    // Lookarounds are beyond the generator: candidates come from the pattern without them,
    // and the check with the whole pattern keeps those that satisfy them too.
    let relaxed = without_lookarounds(inner);
    [(inner, false), (inner, true), (relaxed.as_str(), false), (relaxed.as_str(), true)].into_iter().find_map(
        |(source, unicode)| {
            let hir = regex_syntax::ParserBuilder::new().unicode(unicode).utf8(unicode).build().parse(source).ok()?;
            let generator = rand_regex::Regex::with_hir(hir, min.unwrap_or(0).clamp(16, 64) as u32).ok()?;
            (0..256).filter_map(|_| String::from_utf8(rng.sample::<Vec<u8>, _>(&generator)).ok()).find(fits)
        },
    )
}

/// `pattern` with its lookaround groups (`(?=…)`, `(?!…)`, `(?<=…)`, `(?<!…)`) left out:
/// only a source of candidates, each then checked against the whole pattern by regress. No
/// regex crate both parses ECMAScript lookarounds and gives back the rest as a pattern
/// regex-syntax reads, so this scans for them: escapes and character classes are skipped,
/// parentheses counted.
fn without_lookarounds(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len());
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..chars.len().min(i + 4)].iter().collect();
        if ["(?=", "(?!", "(?<=", "(?<!"].iter().any(|open| rest.starts_with(open)) {
            i = after_group(&chars, i);
            continue;
        }
        out.push(chars[i]);
        if chars[i] == '\\' && i + 1 < chars.len() {
            out.push(chars[i + 1]);
            i += 1;
        }
        i += 1;
    }
    out
}

/// The index just after the group opening at `start` (the end of the pattern if it never
/// closes).
fn after_group(chars: &[char], start: usize) -> usize {
    let (mut depth, mut in_class, mut i) = (0usize, false, start);
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    chars.len()
}

/// A number within the schema's bounds (`usual` if it is), whole for integers.
fn number(schema: &Value, usual: f64) -> Value {
    let integer = schema.get("type").and_then(Value::as_str) == Some("integer");
    let mut n = usual;
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
        n = n.max(if schema.get("exclusiveMinimum") == Some(&Value::Bool(true)) { min + 1.0 } else { min });
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
        n = n.min(if schema.get("exclusiveMaximum") == Some(&Value::Bool(true)) { max - 1.0 } else { max });
    }
    if integer {
        let whole = n.ceil();
        // Integers go out as integers, so typify's integer types take them.
        return if whole >= 0.0 { json!(whole as u64) } else { json!(whole as i64) };
    }
    json!(n)
}

/// A value of `schema` with only what it requires: required properties, the fewest items.
pub fn minimal(doc: &Value, schema: &Value, depth: usize) -> Value {
    let Some(schema) = Spec::new(doc).resolve(schema).ok() else { return Value::Null };
    if depth > 16 {
        return Value::Null;
    }
    if let Some(sentinel) = secret_sentinel(doc, schema) {
        return sentinel;
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        if let Some(first) = values.iter().find(|v| !v.is_null()) {
            return first.clone();
        }
        // An enum of `null` alone (Dropshot's "answers null": `{type: string, enum: [null]}`).
        if !values.is_empty() {
            return Value::Null;
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        // One object spread over the members, one requiring what another defines (Spotify's
        // paging objects require `items`, which only the member beside them defines).
        if let Some(combined) = one_object(doc, schema, parts) {
            return minimal(doc, &combined, depth + 1);
        }
        let mut merged = Map::new();
        for part in parts {
            match minimal(doc, part, depth + 1) {
                Value::Object(map) => merged.extend(map),
                other if parts.len() == 1 => return other,
                _ => {}
            }
        }
        // The schema's own keywords beside the `allOf` may require what a member defines
        // (Spotify's `AlbumObject`): a member's value stands, not the own side's placeholder.
        let own = minimal(doc, &without_composition(schema), depth + 1);
        if let Value::Object(map) = own {
            for (name, value) in map {
                merged.entry(name).or_insert(value);
            }
        }
        return Value::Object(merged);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alternatives) = schema.get(key).and_then(Value::as_array) {
            // Alternatives may only name which of the schema's own properties are required
            // (`oneOf: [{required: [uid]}, {required: [email]}]`): each is read with them.
            let candidates = alternatives.iter().map(|alt| match with_own_properties(doc, schema, key, alt) {
                Some(combined) => minimal(doc, &combined, depth + 1),
                None => minimal(doc, alt, depth + 1),
            });
            let mut first = None;
            for candidate in candidates {
                if conformance::conforms(doc, schema, &candidate) {
                    return candidate;
                }
                first.get_or_insert(candidate);
            }
            return first.unwrap_or(Value::Null);
        }
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => string(schema),
        Some("number") => number(schema, 1.5),
        Some("integer") => number(schema, 1.0),
        Some("boolean") => json!(true),
        Some("array") => {
            let count = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0).min(4);
            let item = schema.get("items").map_or(Value::Null, |items| minimal(doc, items, depth + 1));
            Value::Array((0..count).map(|_| item.clone()).collect())
        }
        _ => {
            let mut object = Map::new();
            let properties = schema.get("properties");
            for name in schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
            {
                let value =
                    properties.and_then(|p| p.get(name)).map_or(json!("string"), |p| minimal(doc, p, depth + 1));
                object.insert(name.to_string(), value);
            }
            Value::Object(object)
        }
    }
}

/// `schema` without `key`, with the alternative's `required` and `properties` added, when
/// the schema has properties of its own and the alternative is an inline object constraint.
fn with_own_properties(doc: &Value, schema: &Value, key: &str, alternative: &Value) -> Option<Value> {
    let own = schema.as_object()?;
    if !own.contains_key("properties") && !own.contains_key("required") {
        return None;
    }
    let alt = Spec::new(doc).resolve(alternative).ok()?.as_object()?;
    if alt.keys().any(|k| !matches!(k.as_str(), "required" | "properties" | "description" | "title" | "type")) {
        return None;
    }
    let mut combined = own.clone();
    combined.remove(key);
    let required = combined.entry("required").or_insert_with(|| json!([]));
    if let (Some(list), Some(more)) = (required.as_array_mut(), alt.get("required").and_then(Value::as_array)) {
        list.extend(more.iter().cloned());
    }
    if let Some(more) = alt.get("properties").and_then(Value::as_object) {
        let properties = combined.entry("properties").or_insert_with(|| json!({}));
        if let Some(map) = properties.as_object_mut() {
            map.extend(more.clone());
        }
    }
    Some(Value::Object(combined))
}

/// The members of an `allOf` and the schema's own keywords as one object schema (their
/// properties and required lists together), when every member is a plain object schema.
fn one_object(doc: &Value, schema: &Value, parts: &[Value]) -> Option<Value> {
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    let own = without_composition(schema);
    let resolved: Vec<&Value> = parts.iter().map(|p| Spec::new(doc).resolve(p).ok()).collect::<Option<_>>()?;
    for part in resolved.into_iter().chain(std::iter::once(&own)) {
        let map = part.as_object()?;
        if ["allOf", "anyOf", "oneOf", "enum"].iter().any(|k| map.contains_key(*k))
            || map.get("type").is_some_and(|t| t != "object")
        {
            return None;
        }
        if let Some(Value::Object(more)) = map.get("properties") {
            for (name, property) in more {
                properties.entry(name.clone()).or_insert_with(|| property.clone());
            }
        }
        for name in map.get("required").and_then(Value::as_array).into_iter().flatten() {
            if !required.contains(name) {
                required.push(name.clone());
            }
        }
    }
    (!properties.is_empty()).then(|| json!({"type": "object", "properties": properties, "required": required}))
}

fn without_composition(schema: &Value) -> Value {
    let mut own = schema.clone();
    if let Some(map) = own.as_object_mut() {
        map.remove("allOf");
    }
    own
}

/// A value that conforms to `schema`: the spec's own example (or one built from its
/// properties' examples) if it does, else the minimal value (which may still not conform,
/// for a schema no value satisfies; [`conformance::problems`] says why).
pub fn valid(doc: &Value, schema: &Value) -> Value {
    let full = example(doc, schema, 0);
    if conformance::conforms(doc, schema, &full) {
        return full;
    }
    minimal(doc, schema, 0)
}

/// One declared response of an operation, with a body synthesised from its schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    /// The first media type declared, if any.
    pub content_type: Option<String>,
    /// A valid example of the JSON schema, for a JSON media type with a schema; for a
    /// streaming one (SSE, JSON lines), of one item.
    pub body: Option<Value>,
}

/// Every response of `op` with a numeric status (not `default` or `4XX`), in spec order.
pub fn responses(doc: &Value, op: &Value) -> Vec<Response> {
    responses_accepting(doc, op, None)
}

/// [`responses`], each in the media type `accept` names where it declares it (content
/// negotiation: a response offering JSON and a stream), else its first.
pub fn responses_accepting(doc: &Value, op: &Value, accept: Option<&str>) -> Vec<Response> {
    let essence = |m: &str| m.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let wanted: Vec<String> = accept.into_iter().flat_map(|a| a.split(',')).map(essence).collect();
    let mut out = Vec::new();
    for (status, response) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
        let Ok(status) = status.parse::<u16>() else { continue };
        let response = Spec::new(doc).resolved(response);
        let content = response.get("content").and_then(Value::as_object);
        let chosen = content.and_then(|c| c.iter().find(|(media, _)| wanted.contains(&essence(media))));
        let first = chosen.or_else(|| content.and_then(|c| c.iter().next()));
        let content_type = first.map(|(media, _)| media.clone());
        // A stream's body is one valid item, which the answering side frames.
        let body = first
            .filter(|(media, _)| is_json(media) || api_codegen::doc::media::framing(media).is_some())
            .and_then(|(_, media)| media.get("schema"))
            .map(|schema| valid(doc, schema));
        out.push(Response { status, content_type, body });
    }
    out
}

/// A stream of one `item` as `media_type` frames it (an SSE event, a JSON line), if that is a
/// streaming media type: what a server answering from the spec sends.
pub fn framed(media_type: &str, item: &Value) -> Option<String> {
    match api_codegen::doc::media::framing(media_type)? {
        api_codegen::doc::media::Framing::ServerSentEvents => Some(format!("data: {item}\n\n")),
        api_codegen::doc::media::Framing::JsonLines => Some(format!("{item}\n")),
    }
}

/// The text sent as an octet-stream or plain-text request body.
pub const RAW_BODY: &str = "demo bytes";

/// `application/x-www-form-urlencoded` (parameters ignored).
pub fn is_form(media_type: &str) -> bool {
    media_type.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

/// `application/json`, `application/problem+json`, … (parameters ignored), not streams.
pub fn is_json(media_type: &str) -> bool {
    api_codegen::doc::media::is_json(media_type)
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
    Header,
    Cookie,
}

/// One parameter of a call: its spec name, where it goes, a valid value and its schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Argument {
    /// The name in the prepared document (the builder method's, after a renaming rule).
    pub name: String,
    /// The name on the wire (the upstream name, where a renaming rule gave it another in Rust).
    pub wire_name: String,
    pub location: Location,
    pub required: bool,
    pub value: Value,
    pub schema: Value,
}

/// What a call of an operation sends: every parameter (the path item's and the
/// operation's, the operation's winning) and the request body, each valid for its schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Arguments {
    pub parameters: Vec<Argument>,
    /// The request body's media type (the first declared), if the operation takes one.
    pub body_type: Option<String>,
    /// The body: a valid value of its schema for JSON and form bodies (a multipart body's
    /// file properties each [`RAW_BODY`], one file for an array), else the text [`RAW_BODY`] as
    /// a JSON string.
    pub body: Option<Value>,
    /// The body's schema.
    pub body_schema: Option<Value>,
}

/// Arguments for an operation of a prepared document, whose plan says what each parameter is
/// called on the wire and which bodies are forms.
pub fn arguments(operation: &Operation<'_>, plan: &Plan) -> Arguments {
    let doc = operation.spec().doc();
    let mut parameters: Vec<Argument> = Vec::new();
    for parameter in operation.parameters() {
        let planned_wire_name = plan.wire_name(&parameter.pointer);
        let parameter = parameter.node;
        let (Some(name), Some(location)) = (parameter.get("name").and_then(Value::as_str), location(parameter)) else {
            continue;
        };
        let schema = parameter.get("schema").cloned().unwrap_or(json!({"type": "string"}));
        let value = parameter.get("example").cloned().filter(|e| conformance::conforms(doc, &schema, e));
        let value = value.unwrap_or_else(|| valid(doc, &schema));
        let required = parameter.get("required") == Some(&Value::Bool(true)) || location == Location::Path;
        let wire_name = planned_wire_name.unwrap_or(name).to_string();
        let argument = Argument { name: name.to_string(), wire_name, location, required, value, schema };
        match parameters.iter_mut().find(|p| p.name == argument.name && p.location == argument.location) {
            Some(earlier) => *earlier = argument,
            None => parameters.push(argument),
        }
    }
    let body = operation.request_body();
    let first = body.and_then(|b| b.get("content")).and_then(Value::as_object).and_then(|c| c.iter().next());
    let body_type = first.map(|(media, _)| media.clone());
    let body_schema = first.and_then(|(_, media)| media.get("schema")).cloned();
    let body = body_type.as_deref().map(|media| match &body_schema {
        Some(schema) if is_json(media) || is_form(media) => valid(doc, schema),
        Some(schema) if api_codegen::doc::media::is_multipart(media) => {
            form(doc, plan.form(&operation.pointer), schema)
        }
        // An octet-stream or text body: its text, as a JSON string.
        _ => Value::String(RAW_BODY.into()),
    });
    Arguments { parameters, body_type, body, body_schema }
}

/// A multipart body: a valid value of its schema, every file property [`RAW_BODY`].
fn form(doc: &Value, shape: Option<&FormShape>, schema: &Value) -> Value {
    let mut value = valid(doc, schema);
    if let Value::Object(object) = &mut value {
        for file in shape.map(|shape| shape.files.as_slice()).unwrap_or_default() {
            let text = Value::String(RAW_BODY.into());
            object.insert(file.name.clone(), if file.multiple { Value::Array(vec![text]) } else { text });
        }
    }
    value
}

fn location(parameter: &Value) -> Option<Location> {
    Some(match parameter.get("in").and_then(Value::as_str)? {
        "path" => Location::Path,
        "query" => Location::Query,
        "header" => Location::Header,
        "cookie" => Location::Cookie,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_from_examples_and_shapes() {
        let doc = json!({"paths": {"/t/{id}": {"get": {"operationId": "get_t", "responses": {"200": {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/T"}}}}}}}},
            "components": {"schemas": {"T": {"type": "object", "properties": {
                "id": {"type": "string", "example": "t1"}, "n": {"type": "integer"},
                "s": {"type": "string", "x-secret": true}, "k": {"type": "string", "enum": ["a", "b"]}}}}}});
        let (id, response) = answer(&doc, "GET", "/t/xyz", None).unwrap();
        assert_eq!((id.as_str(), response.status), ("get_t", 200));
        assert_eq!(response.body.unwrap(), json!({"id": "t1", "n": 1, "s": "demo-secret-value", "k": "a"}));
        assert!(answer(&doc, "GET", "/t", None).is_none());
        assert!(answer(&doc, "POST", "/t/x", None).is_none());
    }

    /// A spec example that breaks its own schema is replaced by a minimal valid value;
    /// formats and bounds are honoured.
    #[test]
    fn valid_values_conform_even_when_the_spec_example_does_not() {
        let doc = json!({"components": {"schemas": {"T": {"type": "object", "required": ["at", "n"],
            "example": {"at": 5},
            "properties": {"at": {"type": "string", "format": "date-time"},
                           "n": {"type": "integer", "minimum": 3},
                           "name": {"type": "string", "minLength": 8},
                           "kind": {"oneOf": [{"type": "integer", "maximum": 0, "minimum": 0}, {"type": "string"}]}}}}}});
        let schema = json!({"$ref": "#/components/schemas/T"});
        let value = valid(&doc, &schema);
        assert_eq!(value, json!({"at": "2024-01-01T00:00:00Z", "n": 3}));
        assert!(conformance::conforms(&doc, &schema, &value));
        let full = example(&doc, &json!({"properties": {"name": {"type": "string", "minLength": 8}}}), 0);
        assert_eq!(full, json!({"name": "stringxx"}));
    }

    /// `/t/me` is served by `/t/me`, not by `/t/{id}` declared before it.
    #[test]
    fn strings_match_their_patterns_and_lengths() {
        for (pattern, min, max) in [
            ("^ecfg_", None, None),
            (r"^[\\w-]+$", None, Some(64)),
            (r"^\+[1-9]\d{1,14}$", None, None),
            ("^[a-z]+$", Some(10), None),
        ] {
            let mut schema = json!({"type": "string", "pattern": pattern});
            if let Some(min) = min {
                schema["minLength"] = json!(min);
            }
            if let Some(max) = max {
                schema["maxLength"] = json!(max);
            }
            let value = valid(&json!({}), &schema);
            assert!(conformance::conforms(&json!({}), &schema, &value), "{pattern}: {value}");
        }
        // A lookahead narrows the candidates of the rest (Vercel's E.164 phone numbers).
        let phone = json!({"type": "string", "minLength": 1, "pattern": r"^(?=(?:\D*\d){7,15}$)\+[1-9]\d{0,2}\.?\d+$"});
        assert!(conformance::conforms(&json!({}), &phone, &string(&phone)), "{}", string(&phone));
        // Escapes, classes and nested groups inside a lookaround; an escaped `(` opens none.
        assert_eq!(without_lookarounds(r"a(?=[)]\))b(?<!c(d))e\(?=f"), r"abe\(?=f");
        // A pattern nothing here can satisfy leaves the plain string.
        assert_eq!(string(&json!({"type": "string", "pattern": "^(?=x)y"})), json!("string"));
    }

    #[test]
    fn the_most_literal_template_answers() {
        let ok = |id: &str| json!({"operationId": id, "responses": {"200": {"description": "ok"}}});
        let doc = json!({"paths": {"/t/{id}": {"get": ok("by_id")}, "/t/me": {"get": ok("me")}}});
        assert_eq!(answer(&doc, "GET", "/t/me", None).unwrap().0, "me");
        assert_eq!(answer(&doc, "GET", "/t/you", None).unwrap().0, "by_id");
    }

    /// `oneOf` alternatives that only say which of the schema's properties are required.
    #[test]
    fn an_object_spread_over_all_of_members_gets_what_one_requires_and_another_defines() {
        // Spotify's paging objects: the base requires `items`, the member beside it defines it.
        let doc = json!({"components": {"schemas": {"Paging": {"type": "object", "required": ["items", "total"],
            "properties": {"total": {"type": "integer"}}}}}});
        let schema = json!({"allOf": [{"$ref": "#/components/schemas/Paging"},
            {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "string"}}}}]});
        let value = minimal(&doc, &schema, 0);
        assert_eq!(value, json!({"items": [], "total": 1}));
        assert!(conformance::conforms(&doc, &schema, &value));
    }

    #[test]
    fn alternatives_naming_required_properties_get_them() {
        let doc = json!({});
        let schema = json!({"type": "object", "required": ["role"], "additionalProperties": false,
            "oneOf": [{"required": ["uid"]}, {"required": ["email"]}],
            "properties": {"uid": {"type": "integer"}, "email": {"type": "string"}, "role": {"enum": ["ADMIN"]}}});
        let value = valid(&doc, &schema);
        assert_eq!(value, json!({"role": "ADMIN", "uid": 1}));
        assert!(conformance::conforms(&doc, &schema, &value));
    }

    #[test]
    fn arguments_merge_path_item_parameters_and_synthesise_the_body() {
        let doc = json!({"paths": {"/t/{id}": {
            "parameters": [{"name": "id", "in": "path", "schema": {"type": "integer", "minimum": 7}}],
            "post": {"operationId": "p",
                "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}, "example": "hello"}],
                "requestBody": {"content": {"application/json": {"schema": {"type": "object",
                    "required": ["a"], "properties": {"a": {"type": "boolean"}}}}}},
                "responses": {"201": {"content": {"application/json": {"schema": {"type": "string"}}}},
                              "404": {"description": "gone"}, "default": {"description": "other"}}}}}});
        let op = &doc["paths"]["/t/{id}"]["post"];
        let args = arguments(&Spec::new(&doc).operation("p").unwrap(), &Plan::default());
        let found: Vec<(&str, Location, &Value)> =
            args.parameters.iter().map(|p| (p.name.as_str(), p.location, &p.value)).collect();
        assert_eq!(found, [("id", Location::Path, &json!(7)), ("q", Location::Query, &json!("hello"))]);
        assert_eq!(args.body, Some(json!({"a": true})));
        assert_eq!(args.body_type.as_deref(), Some("application/json"));
        let statuses: Vec<(u16, Option<Value>)> = responses(&doc, op).into_iter().map(|r| (r.status, r.body)).collect();
        assert_eq!(statuses, [(201, Some(json!("string"))), (404, None)]);
    }

    #[test]
    fn an_enum_of_null_alone_is_answered_null() {
        let doc = json!({});
        assert_eq!(minimal(&doc, &json!({"title": "Null", "type": "string", "enum": [null]}), 0), Value::Null);
        assert_eq!(minimal(&doc, &json!({"type": "string", "enum": [null, "a"]}), 0), json!("a"));
    }
}
