//! The API surface of a normalised spec, in a form built for review and comparison: every
//! operation, parameter and schema property on one line of its own, so that a new required
//! field or a removed operation is one obvious line in a diff.
//!
//! Snapshots (`tests/snapshots/`) and the refresh drift report both read this.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::Value;

use api_codegen::Prepared;
use api_codegen::doc::join;
use api_codegen::doc::{Operation, Spec};
use api_codegen::plan::Plan;

/// What a client of the API can see of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Surface {
    pub title: String,
    pub version: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub servers: Vec<String>,
    pub security_schemes: BTreeMap<String, Scheme>,
    pub operations: BTreeMap<String, OperationSurface>,
    /// Component schemas the operations use, flattened.
    pub schemas: BTreeMap<String, Fields>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationSurface {
    pub method: String,
    pub path: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
    /// Alternatives; within one, schemes joined with ` + `. Empty: no authentication.
    pub security: Vec<String>,
    /// `"<in> <name>"` → its field.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, Field>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_body: Option<Body>,
    /// Status → body (`None`: no content).
    pub responses: BTreeMap<String, Option<Body>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Body {
    pub content_type: String,
    pub required: bool,
    pub schema: Fields,
}

/// A schema flattened to one [`Field`] per property path: `.` is the schema itself,
/// `name`, `token.id`, `scopes[]`, `scopes[].type`, `grants.<oneOf 1>.tts`.
pub type Fields = BTreeMap<String, Field>;

/// The path of a schema itself in its [`Fields`].
pub const ROOT: &str = ".";

/// One property (or parameter) as a client sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Field {
    /// `string`, `number`, `object`, `array`, `any`, or a component schema's name.
    pub ty: String,
    pub format: Option<String>,
    pub required: bool,
    pub nullable: bool,
    pub secret: bool,
    pub enum_values: Vec<String>,
    /// Validation keywords a client can feel (`maximum`, `pattern`, `default`, …), each with
    /// its value as JSON text, in [`CONSTRAINTS`] order.
    pub constraints: BTreeMap<&'static str, String>,
    pub read_only: bool,
    pub write_only: bool,
    pub deprecated: bool,
}

/// The keywords kept in [`Field::constraints`] (3.0 spellings: the surface reads normalised
/// documents, where `exclusiveMaximum` is a boolean beside `maximum`).
pub const CONSTRAINTS: [&str; 12] = [
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "default",
];

/// A security scheme, as what it puts on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// `type: http` with its `scheme` (`bearer`, `basic`).
    Http { scheme: String },
    /// `type: apiKey`: the key in a header, query parameter or cookie.
    ApiKey { location: String, name: String },
    /// Any other type (`oauth2`, `openIdConnect`, …), by name.
    Other(String),
}

impl Scheme {
    /// What a client sends for it, in words: ``the key in header `X-API-Key` ``.
    pub fn wire(&self) -> String {
        match self {
            Scheme::Http { scheme } if scheme.eq_ignore_ascii_case("bearer") => "`Authorization: Bearer <key>`".into(),
            Scheme::Http { scheme } => format!("`Authorization: {scheme} …`"),
            Scheme::ApiKey { location, name } => format!("the key in {location} `{name}`"),
            Scheme::Other(kind) => format!("{kind} credentials"),
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scheme::Http { scheme } => write!(f, "http {scheme}"),
            Scheme::ApiKey { location, name } => write!(f, "apiKey in {location} `{name}`"),
            Scheme::Other(kind) => f.write_str(kind),
        }
    }
}

impl Serialize for Scheme {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.ty)?;
        if let Some(format) = &self.format {
            write!(f, "({format})")?;
        }
        if self.nullable {
            f.write_str("?")?;
        }
        if !self.enum_values.is_empty() {
            write!(f, " enum [{}]", self.enum_values.join(", "))?;
        }
        if self.required {
            f.write_str(", required")?;
        }
        if self.secret {
            f.write_str(", secret")?;
        }
        for keyword in CONSTRAINTS {
            if let Some(value) = self.constraints.get(keyword) {
                write!(f, ", {keyword} {value}")?;
            }
        }
        for (set, flag) in
            [(self.read_only, "read-only"), (self.write_only, "write-only"), (self.deprecated, "deprecated")]
        {
            if set {
                write!(f, ", {flag}")?;
            }
        }
        Ok(())
    }
}

impl Serialize for Field {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The surface of a prepared document.
pub fn surface(prepared: &Prepared) -> Surface {
    surface_of(&prepared.doc, &prepared.plan)
}

/// The surface of a normalised (3.0) document and its plan (which names the wire names and
/// constant headers the rules took out of the document; `Plan::default()` for a document no
/// rule has seen).
pub fn surface_of(doc: &Value, plan: &Plan) -> Surface {
    let text = |ptr: &str| doc.pointer(ptr).and_then(Value::as_str).unwrap_or_default().to_string();
    let mut used = Vec::new();
    let mut operations = BTreeMap::new();
    for op in Spec::new(doc).operations() {
        let id = op.id().unwrap_or(&op.pointer).to_string();
        operations.insert(id, operation(&op, plan, &mut used));
    }

    // Component schemas reachable from the operations, transitively.
    let mut schemas = BTreeMap::new();
    while let Some(name) = used.pop() {
        if schemas.contains_key(&name) {
            continue;
        }
        let schema = doc.pointer(&join("/components/schemas", &name)).cloned().unwrap_or(Value::Null);
        schemas.insert(name, flatten(&schema, &mut used));
    }

    let security_schemes = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, scheme)| (name.clone(), describe_scheme(scheme)))
        .collect();

    Surface {
        title: text("/info/title"),
        version: text("/info/version"),
        servers: doc
            .get("servers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|s| s.get("url").and_then(Value::as_str).map(str::to_string))
            .collect(),
        security_schemes,
        operations,
        schemas,
    }
}

fn operation(operation: &Operation<'_>, plan: &Plan, used: &mut Vec<String>) -> OperationSurface {
    let spec = operation.spec();
    let (doc, op) = (spec.doc(), operation.node);
    let mut parameters = BTreeMap::new();
    for param in operation.parameters() {
        let (Some(name), Some(location)) =
            // The name on the wire, also where `unique-parameter-names` renamed it.
            (plan.wire_name(&param.pointer).or(param.name()), param.location())
        else {
            continue;
        };
        let schema = param.node.get("schema").unwrap_or(&Value::Null);
        let mut field = field(schema, used);
        field.required = param.required();
        field.deprecated |= param.node.get("deprecated") == Some(&Value::Bool(true));
        parameters.insert(format!("{location} {name}"), field);
    }

    // Required one-value headers the runtime sends (see the rule): still part of the API.
    let constants = plan.operation(&operation.pointer).map(|p| p.constant_headers.as_slice()).unwrap_or_default();
    for (name, value) in constants {
        let field = Field { ty: "string".into(), required: true, enum_values: vec![value.clone()], ..Field::default() };
        parameters.insert(format!("header {name}"), field);
    }

    let request_body = op.get("requestBody").map(|b| spec.resolved(b)).and_then(|b| {
        let mut body = body(b, used)?;
        body.required = b.get("required") == Some(&Value::Bool(true));
        Some(body)
    });
    let responses = op
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(status, response)| (status.clone(), body(spec.resolved(response), used)))
        .collect();

    let security = op
        .get("security")
        .or_else(|| doc.get("security"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .filter(|alternative| !alternative.is_empty())
        .map(|alternative| alternative.keys().cloned().collect::<Vec<_>>().join(" + "))
        .collect();

    OperationSurface {
        method: operation.method.to_uppercase(),
        path: operation.path.to_string(),
        tags: op
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        deprecated: op.get("deprecated") == Some(&Value::Bool(true)),
        security,
        parameters,
        request_body,
        responses,
    }
}

/// The first media type of a request body or response, flattened.
fn body(holder: &Value, used: &mut Vec<String>) -> Option<Body> {
    let (content_type, media) = holder.get("content")?.as_object()?.iter().next()?;
    let schema = media.get("schema").unwrap_or(&Value::Null);
    Some(Body { content_type: content_type.clone(), required: true, schema: flatten(schema, used) })
}

/// One schema as [`Fields`]; `$ref`s are named, and their names pushed onto `used`.
pub fn flatten(schema: &Value, used: &mut Vec<String>) -> Fields {
    let mut fields = BTreeMap::new();
    flatten_into(schema, ROOT, false, &mut fields, used);
    fields
}

fn flatten_into(schema: &Value, path: &str, required: bool, out: &mut Fields, used: &mut Vec<String>) {
    let mut this = field(schema, used);
    this.required = required;
    out.insert(path.to_string(), this.clone());
    if schema.get("$ref").is_some() {
        return;
    }
    let child = |name: &str| if path == ROOT { name.to_string() } else { format!("{path}.{name}") };

    // allOf members all apply: their properties are this schema's.
    let members: Vec<&Value> =
        std::iter::once(schema).chain(schema.get("allOf").and_then(Value::as_array).into_iter().flatten()).collect();
    for member in members {
        let required: Vec<&str> =
            member.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        if let Some(props) = member.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                flatten_into(prop, &child(name), required.contains(&name.as_str()), out, used);
            }
        }
        if member.get("$ref").is_some() && !std::ptr::eq(member, schema) {
            let mut inherited = field(member, used);
            inherited.ty = format!("all of {}", inherited.ty);
            out.insert(child("<allOf>"), inherited);
        }
    }
    for key in ["oneOf", "anyOf"] {
        for (i, alternative) in schema.get(key).and_then(Value::as_array).into_iter().flatten().enumerate() {
            flatten_into(alternative, &child(&format!("<{key} {}>", i + 1)), false, out, used);
        }
    }
    if let Some(items) = schema.get("items") {
        let path = if path == ROOT { "" } else { path };
        flatten_into(items, &format!("{path}[]"), false, out, used);
    }
    if let Some(extra) = schema.get("additionalProperties").filter(|v| v.is_object()) {
        flatten_into(extra, &child("<additional>"), false, out, used);
    }
}

/// The one-line description of a schema itself (not its properties).
fn field(schema: &Value, used: &mut Vec<String>) -> Field {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or(reference).to_string();
        used.push(name.clone());
        // 3.0 ignores siblings of `$ref`, but they are written (and read by tools) anyway.
        return Field { ty: name, deprecated: flag(schema, "deprecated"), ..Field::default() };
    }
    let ty = match schema.get("type").and_then(Value::as_str) {
        Some(t) => t.to_string(),
        None if schema.get("properties").is_some() => "object".into(),
        None if schema.get("oneOf").is_some() => "one of".into(),
        None if schema.get("anyOf").is_some() => "any of".into(),
        None if schema.get("allOf").is_some() => "all of".into(),
        None => "any".into(),
    };
    Field {
        ty,
        format: schema.get("format").and_then(Value::as_str).map(str::to_string),
        required: false,
        nullable: schema.get("nullable") == Some(&Value::Bool(true)),
        secret: schema.get("x-secret") == Some(&Value::Bool(true)),
        enum_values: schema
            .get("enum")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
            .collect(),
        constraints: CONSTRAINTS
            .into_iter()
            .filter_map(|keyword| match schema.get(keyword)? {
                Value::Bool(false) if keyword != "default" => None,
                value => Some((keyword, value.to_string())),
            })
            .collect(),
        read_only: flag(schema, "readOnly"),
        write_only: flag(schema, "writeOnly"),
        deprecated: flag(schema, "deprecated"),
    }
}

fn flag(schema: &Value, keyword: &str) -> bool {
    schema.get(keyword) == Some(&Value::Bool(true))
}

fn describe_scheme(scheme: &Value) -> Scheme {
    let get = |k: &str| scheme.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    match get("type").as_str() {
        "http" => Scheme::Http { scheme: get("scheme") },
        "apiKey" => Scheme::ApiKey { location: get("in"), name: get("name") },
        other => Scheme::Other(other.to_string()),
    }
}
