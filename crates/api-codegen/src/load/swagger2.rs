//! Swagger 2.0 (OpenAPI 2.0) → OpenAPI 3.0.3, the mapping swagger2openapi uses
//! (`Mermade/oas-kit`, `packages/swagger2openapi/index.js`).
//!
//! - `host` + `basePath` + `schemes` → `servers` (one per scheme, as written);
//! - `definitions` → `components/schemas`, `parameters` → `components/parameters` (body
//!   parameters → `components/requestBodies`, form parameters inlined where used), `responses`
//!   → `components/responses`, `securityDefinitions` → `components/securitySchemes` (`basic` →
//!   http basic, `apiKey` as it is, oauth2 `flow` → `flows`: `implicit`, `password`,
//!   `application` → `clientCredentials`, `accessCode` → `authorizationCode`);
//! - a body parameter → the operation's `requestBody`, one media type per `consumes` (the
//!   operation's, else the document's, else `application/json`); `formData` parameters → one
//!   `requestBody` of an object schema whose properties they are (`multipart/form-data` when
//!   `consumes` says so or one is a `type: file`, which becomes a binary string;
//!   `application/x-www-form-urlencoded` otherwise);
//! - other parameters and response headers: their type keywords move into `schema`,
//!   `collectionFormat` becomes `style`/`explode`;
//! - a response's `schema` → `content`, one media type per `produces` (default
//!   `application/json`), its `examples` → each media type's `example`;
//! - in schemas: `x-nullable` → `nullable`, a `discriminator` name → `{propertyName}`, `type:
//!   file` → a binary string, an `items` list → `items: {anyOf}`;
//! - every `$ref` where it is a reference (a schema and its subschemas, a parameter, a
//!   response; never inside an example, a `default`, an `enum` or an `x-` extension, as
//!   [`crate::doc::ref_sites`] reads them) retargeted: `#/definitions/X` →
//!   `#/components/schemas/X`, `#/parameters/X` → `#/components/parameters/X` (or
//!   `requestBodies`), `#/responses/X` → `#/components/responses/X`;
//! - `info`, `tags`, `externalDocs`, `security` and `x-` extensions kept.
//!
//! The document is untrusted: nothing here panics on it. What has no 3.0 spelling, each choice
//! made for the document, and each malformed construct dropped is a [`Loss`], located in the
//! Swagger document as read; the first one, at `/swagger`, says the conversion happened.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Map, Value, json};

use super::normalize::{Loss, TARGET_VERSION};
use crate::doc::METHODS;
use crate::error::{Error, ErrorKind, join};

/// A body's or a response's media type when the document names none.
const DEFAULT_MEDIA_TYPE: &str = "application/json";
const URLENCODED: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data";

/// The keywords of a non-body parameter, a header or an items object that OpenAPI 3.0 keeps in
/// its `schema`.
const TYPE_KEYWORDS: &[&str] = &[
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
];

/// The fields of a Swagger 2.0 document (and the `components` a bundled one gained).
const DOCUMENT_FIELDS: &[&str] = &[
    "swagger",
    "info",
    "host",
    "basePath",
    "schemes",
    "consumes",
    "produces",
    "paths",
    "definitions",
    "parameters",
    "responses",
    "securityDefinitions",
    "security",
    "tags",
    "externalDocs",
    "components",
];

/// Converts the Swagger 2.0 document `doc` in place into OpenAPI 3.0.3 and returns what the
/// conversion reports. Only a `swagger` version other than 2.0 is an error.
pub fn to_openapi_30(doc: &mut Value, file: &Path) -> Result<Vec<Loss>, Error> {
    let version = doc.get("swagger").cloned().unwrap_or(Value::Null);
    let is_2_0 = match &version {
        Value::String(v) => v == "2.0",
        // `swagger: 2.0` unquoted in YAML.
        Value::Number(n) => n.as_f64() == Some(2.0),
        _ => false,
    };
    if !is_2_0 {
        let shown = version.as_str().map_or_else(|| version.to_string(), str::to_string);
        return Err(Error::new(
            file,
            "/swagger",
            ErrorKind::Invalid(format!("`swagger: {shown}`: only Swagger 2.0 is converted to OpenAPI 3")),
        ));
    }
    let source = std::mem::take(doc);
    let mut converter = Converter::new(&source);
    *doc = Value::Object(converter.document());
    Ok(converter.losses)
}

/// A parameter as an operation uses it.
enum Use<'a> {
    /// Stays a parameter (converted, or a reference to a parameter component).
    Parameter(Value),
    /// The body: the parameter, where it is, and its component's name when referenced.
    Body(&'a Map<String, Value>, String, Option<String>),
    /// A form field: the parameter and where it is.
    Form(&'a Map<String, Value>, String),
}

struct Converter<'a> {
    source: &'a Value,
    losses: Vec<Loss>,
    /// The document's `consumes` (or the default).
    consumes: Vec<String>,
    /// The document's `produces` (or the default).
    produces: Vec<String>,
    /// Names of `parameters` that are body parameters: `components/requestBodies`.
    bodies: BTreeSet<String>,
}

impl<'a> Converter<'a> {
    fn new(source: &'a Value) -> Self {
        let mut converter = Converter {
            source,
            losses: Vec::new(),
            consumes: Vec::new(),
            produces: Vec::new(),
            bodies: BTreeSet::new(),
        };
        converter
            .lost("/swagger", format!("Swagger 2.0 converted to OpenAPI {TARGET_VERSION} as swagger2openapi does"));
        let default = vec![DEFAULT_MEDIA_TYPE.to_string()];
        converter.consumes =
            converter.media_types(source.get("consumes"), "/consumes").unwrap_or_else(|| default.clone());
        converter.produces = converter.media_types(source.get("produces"), "/produces").unwrap_or(default);
        converter
    }

    fn lost(&mut self, pointer: impl Into<String>, what: impl Into<String>) {
        self.losses.push(Loss { pointer: pointer.into(), what: what.into() });
    }

    /// A `consumes`/`produces` list: `None` when absent, empty or not a list (reported).
    fn media_types(&mut self, value: Option<&Value>, ptr: &str) -> Option<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        match value? {
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    match item.as_str() {
                        Some(media) if !out.iter().any(|m| m == media) => out.push(media.to_string()),
                        Some(_) => {}
                        None => self.lost(join(ptr, &index.to_string()), "a media type that is not a string: dropped"),
                    }
                }
            }
            Value::String(media) => out.push(media.clone()),
            _ => self.lost(ptr, "not a list of media types: ignored"),
        }
        (!out.is_empty()).then_some(out)
    }

    fn document(&mut self) -> Map<String, Value> {
        let source = self.source;
        let mut out = Map::new();
        out.insert("openapi".into(), json!(TARGET_VERSION));
        match source.get("info") {
            Some(info @ Value::Object(_)) => {
                out.insert("info".into(), info.clone());
            }
            _ => {
                self.lost("/info", "no `info` mapping: an empty title and version");
                out.insert("info".into(), json!({"title": "", "version": ""}));
            }
        }
        if let Some(docs) = source.get("externalDocs") {
            out.insert("externalDocs".into(), docs.clone());
        }
        if let Some(servers) = self.servers() {
            out.insert("servers".into(), servers);
        }
        for key in ["tags", "security"] {
            if let Some(value) = source.get(key) {
                out.insert(key.into(), value.clone());
            }
        }
        // Components first: operations refer to them (a body parameter's request body).
        let components = self.components();
        let paths = self.paths();
        out.insert("paths".into(), Value::Object(paths));
        if !components.is_empty() {
            out.insert("components".into(), Value::Object(components));
        }
        let Some(root) = source.as_object() else { return out };
        for (key, value) in root {
            match key.as_str() {
                k if DOCUMENT_FIELDS.contains(&k) => {}
                k if k.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => self.lost(join("", key), format!("`{key}` is not a field of a Swagger 2.0 document: dropped")),
            }
        }
        out
    }

    /// `host`, `basePath` and `schemes` as `servers`.
    fn servers(&mut self) -> Option<Value> {
        let source = self.source;
        let base_path = match source.get("basePath") {
            None => "",
            Some(Value::String(path)) => path.as_str(),
            Some(_) => {
                self.lost("/basePath", "not a string: ignored");
                ""
            }
        };
        let host = match source.get("host") {
            None => None,
            Some(Value::String(host)) => Some(host.as_str()),
            Some(_) => {
                self.lost("/host", "not a string: ignored");
                None
            }
        };
        let mut schemes: Vec<&str> = Vec::new();
        match source.get("schemes") {
            Some(Value::Array(listed)) => {
                for (index, scheme) in listed.iter().enumerate() {
                    match scheme.as_str() {
                        Some(scheme) => schemes.push(scheme),
                        None => self.lost(join("/schemes", &index.to_string()), "not a string: ignored"),
                    }
                }
            }
            Some(_) => self.lost("/schemes", "not a list: ignored"),
            None => {}
        }
        let urls: Vec<String> = match host {
            Some(host) => {
                let base = base_path.trim_end_matches('/');
                if schemes.is_empty() {
                    // swagger2openapi writes a scheme-relative `//host`; a client needs a scheme.
                    self.lost(
                        "/host",
                        "no `schemes`: https assumed (Swagger 2.0 means the scheme the document was served with)",
                    );
                    schemes.push("https");
                }
                schemes.iter().map(|scheme| format!("{scheme}://{host}{base}")).collect()
            }
            None if !base_path.is_empty() => vec![base_path.to_string()],
            None => return None,
        };
        let servers = urls
            .into_iter()
            .map(|url| {
                let mut server = Map::new();
                let variables = template_variables(&url);
                server.insert("url".into(), Value::String(url));
                if !variables.is_empty() {
                    self.lost("/host", "a templated host or base path: each variable's default is `unknown`");
                    let variables = variables.into_iter().map(|name| (name, json!({"default": "unknown"}))).collect();
                    server.insert("variables".into(), Value::Object(variables));
                }
                Value::Object(server)
            })
            .collect();
        Some(Value::Array(servers))
    }

    fn components(&mut self) -> Map<String, Value> {
        let source = self.source;
        let mut schemas = Map::new();
        if let Some(definitions) = self.mapping(source.get("definitions"), "/definitions") {
            for (name, schema) in definitions {
                let mut schema = schema.clone();
                self.fix_schema(&mut schema, &join("/definitions", name), false);
                schemas.insert(name.clone(), schema);
            }
        }
        let mut parameters = Map::new();
        let mut bodies = Map::new();
        if let Some(shared) = self.mapping(source.get("parameters"), "/parameters") {
            for (name, parameter) in shared {
                let ptr = join("/parameters", name);
                let Some(parameter) = parameter.as_object() else {
                    self.lost(ptr, "a parameter that is not a mapping: dropped");
                    continue;
                };
                match parameter.get("in").and_then(Value::as_str) {
                    Some("body") => {
                        let consumes = self.consumes.clone();
                        let body = self.request_body(parameter, &ptr, &consumes);
                        self.bodies.insert(name.clone());
                        bodies.insert(name.clone(), Value::Object(body));
                    }
                    // Inlined into each operation's form body.
                    Some("formData") => {}
                    _ => {
                        let converted = self.parameter(parameter, &ptr);
                        parameters.insert(name.clone(), Value::Object(converted));
                    }
                }
            }
        }
        let mut responses = Map::new();
        if let Some(shared) = self.mapping(source.get("responses"), "/responses") {
            let produces = self.produces.clone();
            for (name, response) in shared {
                let converted = self.response(response, &join("/responses", name), &produces);
                responses.insert(name.clone(), converted);
            }
        }
        let mut schemes = Map::new();
        if let Some(definitions) = self.mapping(source.get("securityDefinitions"), "/securityDefinitions") {
            for (name, scheme) in definitions {
                if let Some(scheme) = self.security_scheme(scheme, &join("/securityDefinitions", name)) {
                    schemes.insert(name.clone(), scheme);
                }
            }
        }
        let mut components = Map::new();
        for (section, entries) in [
            ("schemas", schemas),
            ("parameters", parameters),
            ("requestBodies", bodies),
            ("responses", responses),
            ("securitySchemes", schemes),
        ] {
            if !entries.is_empty() {
                components.insert(section.into(), Value::Object(entries));
            }
        }
        // What the bundler hoisted out of other files is already OpenAPI 3 components.
        if let Some(bundled) = self.mapping(source.get("components"), "/components") {
            for (section, entries) in bundled {
                let section_ptr = join("/components", section);
                let Some(entries) = entries.as_object() else {
                    self.lost(section_ptr, "not a mapping: dropped");
                    continue;
                };
                let Value::Object(target) = components.entry(section.clone()).or_insert_with(|| json!({})) else {
                    continue;
                };
                for (name, entry) in entries {
                    let ptr = join(&section_ptr, name);
                    if target.contains_key(name) {
                        self.lost(ptr, "a bundled component named as a Swagger one: the Swagger one kept");
                        continue;
                    }
                    let mut entry = entry.clone();
                    if section == "schemas" {
                        self.fix_schema(&mut entry, &ptr, false);
                    }
                    target.insert(name.clone(), entry);
                }
            }
        }
        components
    }

    /// `value` as a mapping; anything else reported and ignored.
    fn mapping(&mut self, value: Option<&'a Value>, ptr: &str) -> Option<&'a Map<String, Value>> {
        match value? {
            Value::Object(map) => Some(map),
            _ => {
                self.lost(ptr, "not a mapping: ignored");
                None
            }
        }
    }

    fn security_scheme(&mut self, scheme: &Value, ptr: &str) -> Option<Value> {
        let Some(scheme) = scheme.as_object() else {
            self.lost(ptr, "a security scheme that is not a mapping: dropped");
            return None;
        };
        let mut out = Map::new();
        let kind = scheme.get("type").and_then(Value::as_str);
        match kind {
            Some("basic") => {
                out.insert("type".into(), json!("http"));
                out.insert("scheme".into(), json!("basic"));
            }
            Some("oauth2") => {
                out.insert("type".into(), json!("oauth2"));
                let flow = scheme.get("flow").and_then(Value::as_str).unwrap_or("");
                let (name, urls): (&str, &[&str]) = match flow {
                    "implicit" => ("implicit", &["authorizationUrl"]),
                    "password" => ("password", &["tokenUrl"]),
                    "application" => ("clientCredentials", &["tokenUrl"]),
                    "accessCode" => ("authorizationCode", &["authorizationUrl", "tokenUrl"]),
                    _ => {
                        self.lost(join(ptr, "flow"), "not an oauth2 flow of Swagger 2.0: no flows");
                        ("", &[])
                    }
                };
                let mut flows = Map::new();
                if !name.is_empty() {
                    let mut described = Map::new();
                    for url in urls {
                        match scheme.get(*url) {
                            Some(Value::String(u)) => {
                                described.insert((*url).into(), json!(u));
                            }
                            _ => {
                                self.lost(
                                    join(ptr, url),
                                    format!("the `{flow}` flow has no `{url}` (OpenAPI 3.0 requires one): empty"),
                                );
                                described.insert((*url).into(), json!(""));
                            }
                        }
                    }
                    let scopes = match scheme.get("scopes") {
                        Some(scopes @ Value::Object(_)) => scopes.clone(),
                        _ => json!({}),
                    };
                    described.insert("scopes".into(), scopes);
                    flows.insert(name.into(), Value::Object(described));
                }
                out.insert("flows".into(), Value::Object(flows));
            }
            _ => {
                out.insert("type".into(), scheme.get("type").cloned().unwrap_or(Value::Null));
            }
        }
        for (key, value) in scheme {
            match key.as_str() {
                "type" | "flow" | "authorizationUrl" | "tokenUrl" | "scopes" => {}
                "name" | "in" if kind == Some("apiKey") => {
                    out.insert(key.clone(), value.clone());
                }
                k if k == "description" || k.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => self.lost(join(ptr, key), format!("`{key}` is not a field of this security scheme: dropped")),
            }
        }
        Some(Value::Object(out))
    }

    fn paths(&mut self) -> Map<String, Value> {
        let mut out = Map::new();
        let Some(paths) = self.mapping(self.source.get("paths"), "/paths") else {
            if self.source.get("paths").is_none() {
                self.lost("/paths", "no `paths`: none");
            }
            return out;
        };
        for (path, item) in paths {
            let ptr = join("/paths", path);
            if path.starts_with("x-") {
                out.insert(path.clone(), item.clone());
                continue;
            }
            let Some(item) = item.as_object() else {
                self.lost(ptr, "a path item that is not a mapping: dropped");
                continue;
            };
            out.insert(path.clone(), Value::Object(self.path_item(item, &ptr)));
        }
        out
    }

    fn path_item(&mut self, item: &'a Map<String, Value>, ptr: &str) -> Map<String, Value> {
        let mut out = Map::new();
        // Body and form parameters of the path go into each operation that does not override them.
        let mut shared: Vec<(&'a Value, String)> = Vec::new();
        let mut parameters = Vec::new();
        if let Some(list) = item.get("parameters") {
            let list_ptr = join(ptr, "parameters");
            match list.as_array() {
                Some(list) => {
                    for (index, parameter) in list.iter().enumerate() {
                        let at = join(&list_ptr, &index.to_string());
                        match self.resolve(parameter).and_then(|(p, _)| p.get("in")).and_then(Value::as_str) {
                            Some("body" | "formData") => shared.push((parameter, at)),
                            _ => {
                                if let Some(Use::Parameter(converted)) = self.use_of(parameter, &at) {
                                    parameters.push(converted);
                                }
                            }
                        }
                    }
                }
                None => self.lost(list_ptr, "not a list: ignored"),
            }
        }
        for (key, value) in item {
            match key.as_str() {
                "parameters" => {
                    if !parameters.is_empty() {
                        out.insert(key.clone(), Value::Array(std::mem::take(&mut parameters)));
                    }
                }
                method if METHODS.contains(&method) => {
                    if let Some(operation) = self.operation(value, &join(ptr, method), &shared) {
                        out.insert(key.clone(), Value::Object(operation));
                    }
                }
                k if k == "$ref" || k.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => self.lost(join(ptr, key), format!("`{key}` is not a field of a Swagger 2.0 path item: dropped")),
            }
        }
        out
    }

    /// The parameter object `parameter` is, following one `#/parameters/` reference, with the
    /// component's name when it was one.
    fn resolve(&self, parameter: &'a Value) -> Option<(&'a Map<String, Value>, Option<String>)> {
        match parameter.get("$ref") {
            Some(Value::String(reference)) => {
                let name = reference.strip_prefix("#/parameters/")?;
                let target = self.source.get("parameters")?.get(unescape(name))?.as_object()?;
                Some((target, Some(unescape(name))))
            }
            Some(_) => None,
            None => Some((parameter.as_object()?, None)),
        }
    }

    /// What `parameter` (at `ptr`) is to an operation; `None` when it is dropped (reported).
    fn use_of(&mut self, parameter: &'a Value, ptr: &str) -> Option<Use<'a>> {
        let Some(map) = parameter.as_object() else {
            self.lost(ptr, "a parameter that is not a mapping: dropped");
            return None;
        };
        if let Some(reference) = map.get("$ref") {
            let resolved = self.resolve(parameter);
            return match resolved {
                Some((target, Some(name))) => match target.get("in").and_then(Value::as_str) {
                    Some("body") => Some(Use::Body(target, join("/parameters", &name), Some(name))),
                    Some("formData") => Some(Use::Form(target, join("/parameters", &name))),
                    _ => Some(Use::Parameter(json!({"$ref": self.reference(reference, ptr)}))),
                },
                _ => {
                    if reference.as_str().is_some_and(|r| r.starts_with("#/parameters/")) {
                        self.lost(join(ptr, "$ref"), "a reference to no Swagger parameter: kept, retargeted");
                    }
                    Some(Use::Parameter(json!({"$ref": self.reference(reference, ptr)})))
                }
            };
        }
        match map.get("in").and_then(Value::as_str) {
            Some("body") => Some(Use::Body(map, ptr.to_string(), None)),
            Some("formData") => Some(Use::Form(map, ptr.to_string())),
            _ => Some(Use::Parameter(Value::Object(self.parameter(map, ptr)))),
        }
    }

    fn operation(
        &mut self,
        operation: &'a Value,
        ptr: &str,
        shared: &[(&'a Value, String)],
    ) -> Option<Map<String, Value>> {
        let Some(operation) = operation.as_object() else {
            self.lost(ptr, "an operation that is not a mapping: dropped");
            return None;
        };
        let default = || vec![DEFAULT_MEDIA_TYPE.to_string()];
        let consumes = match operation.get("consumes") {
            Some(value) => self.media_types(Some(value), &join(ptr, "consumes")).unwrap_or_else(default),
            None => self.consumes.clone(),
        };
        let produces = match operation.get("produces") {
            Some(value) => self.media_types(Some(value), &join(ptr, "produces")).unwrap_or_else(default),
            None => self.produces.clone(),
        };

        let own: Vec<(&'a Value, String)> = match operation.get("parameters") {
            None => Vec::new(),
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(index, p)| (p, join(&join(ptr, "parameters"), &index.to_string())))
                .collect(),
            Some(_) => {
                self.lost(join(ptr, "parameters"), "not a list: ignored");
                Vec::new()
            }
        };
        let key = |p: &'a Value| -> Option<(&'a Value, &'a Value)> {
            let (p, _) = self.resolve(p)?;
            Some((p.get("name")?, p.get("in")?))
        };
        let own_keys: Vec<_> = own.iter().filter_map(|(p, _)| key(p)).collect();
        let inherited: Vec<(&'a Value, String)> =
            shared.iter().filter(|(p, _)| key(p).is_none_or(|k| !own_keys.contains(&k))).cloned().collect();

        let mut parameters = Vec::new();
        let mut body: Option<(&'a Map<String, Value>, String, Option<String>)> = None;
        let mut form: Vec<(&'a Map<String, Value>, String)> = Vec::new();
        for (parameter, at) in inherited.iter().chain(own.iter()) {
            match self.use_of(parameter, at) {
                None => {}
                Some(Use::Parameter(converted)) => parameters.push(converted),
                Some(Use::Body(parameter, at, name)) => {
                    if body.is_some() {
                        self.lost(at, "a second body parameter: dropped");
                    } else {
                        body = Some((parameter, at, name));
                    }
                }
                Some(Use::Form(parameter, at)) => form.push((parameter, at)),
            }
        }
        let request_body = match body {
            Some((parameter, at, name)) => {
                if let Some((_, first)) = form.first() {
                    self.lost(first.clone(), "formData parameters beside a body parameter: dropped, the body kept");
                }
                match name {
                    Some(name) if consumes == self.consumes => Some(json!({
                        "$ref": format!("#/components/requestBodies/{}", crate::error::escape_token(&name))
                    })),
                    _ => Some(Value::Object(self.request_body(parameter, &at, &consumes))),
                }
            }
            None if !form.is_empty() => Some(Value::Object(self.form_body(&form, &consumes, ptr))),
            None => None,
        };

        let mut out = Map::new();
        for (key, value) in operation {
            match key.as_str() {
                "tags" | "summary" | "description" | "externalDocs" | "operationId" | "deprecated" | "security" => {
                    out.insert(key.clone(), value.clone());
                }
                "consumes" | "produces" | "responses" => {}
                "parameters" => {
                    if !parameters.is_empty() {
                        out.insert(key.clone(), Value::Array(std::mem::take(&mut parameters)));
                    }
                }
                "schemes" => {
                    if Some(value) != self.source.get("schemes") {
                        self.lost(join(ptr, key), "an operation's own `schemes`: the document's servers are used");
                    }
                }
                k if k.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => self.lost(join(ptr, key), format!("`{key}` is not a field of a Swagger 2.0 operation: dropped")),
            }
        }
        if !parameters.is_empty() {
            // Only inherited from the path: `parameters` was not among the operation's keys.
            out.insert("parameters".into(), Value::Array(parameters));
        }
        if let Some(body) = request_body {
            out.insert("requestBody".into(), body);
        }
        let responses_ptr = join(ptr, "responses");
        let mut responses = Map::new();
        match operation.get("responses") {
            Some(Value::Object(listed)) => {
                for (status, response) in listed {
                    if status.starts_with("x-") {
                        responses.insert(status.clone(), response.clone());
                        continue;
                    }
                    let converted = self.response(response, &join(&responses_ptr, status), &produces);
                    responses.insert(status.clone(), converted);
                }
            }
            Some(_) => self.lost(responses_ptr.clone(), "not a mapping: ignored"),
            None => {}
        }
        if responses.is_empty() {
            self.lost(responses_ptr, "no responses: a default response without a body");
            responses.insert("default".into(), json!({"description": "Default response"}));
        }
        out.insert("responses".into(), Value::Object(responses));
        Some(out)
    }

    /// A non-body, non-form parameter in OpenAPI 3.0: its type keywords in `schema`,
    /// `collectionFormat` as `style`/`explode`.
    fn parameter(&mut self, parameter: &Map<String, Value>, ptr: &str) -> Map<String, Value> {
        let location = parameter.get("in").and_then(Value::as_str).unwrap_or("");
        let mut out = Map::new();
        let mut own_schema = None;
        for (key, value) in parameter {
            match key.as_str() {
                "name" | "in" | "description" | "required" | "deprecated" => {
                    out.insert(key.clone(), value.clone());
                }
                "allowEmptyValue" if location == "query" => {
                    out.insert(key.clone(), value.clone());
                }
                "allowEmptyValue" => self.lost(join(ptr, key), "`allowEmptyValue` outside a query: dropped"),
                "x-example" => {
                    out.insert("example".into(), value.clone());
                }
                "schema" => own_schema = Some(value),
                k if k.starts_with("x-") => {
                    if k != "x-nullable" {
                        out.insert(key.clone(), value.clone());
                    }
                }
                k if k == "collectionFormat" || TYPE_KEYWORDS.contains(&k) => {}
                _ => self.lost(join(ptr, key), format!("`{key}` is not a field of a Swagger 2.0 parameter: dropped")),
            }
        }
        if !matches!(location, "query" | "header" | "path") {
            self.lost(join(ptr, "in"), "not a location of a Swagger 2.0 parameter: kept as written");
        }
        let mut schema = self.simple_schema(parameter, ptr);
        match own_schema {
            Some(own) if !schema.contains_key("type") => {
                let mut own = own.clone();
                self.fix_schema(&mut own, &join(ptr, "schema"), false);
                out.insert("schema".into(), own);
            }
            own => {
                if own.is_some() {
                    self.lost(join(ptr, "schema"), "`schema` beside `type` on a non-body parameter: `type` kept");
                }
                if !schema.contains_key("type") {
                    self.lost(ptr, "a parameter without `type`: a string");
                    schema.insert("type".into(), json!("string"));
                }
                if schema.get("type").and_then(Value::as_str) == Some("file") {
                    self.lost(join(ptr, "type"), "`type: file` outside formData: a string");
                    schema.insert("type".into(), json!("string"));
                }
                self.style(parameter, location, &schema, ptr, &mut out);
                out.insert("schema".into(), Value::Object(schema));
            }
        }
        if location == "path" && out.get("required") != Some(&Value::Bool(true)) {
            self.lost(ptr, "a path parameter not `required: true`: required");
            out.insert("required".into(), Value::Bool(true));
        }
        out
    }

    /// `collectionFormat` as `style` and `explode` (csv: form unexploded in a query, simple
    /// elsewhere; multi: exploded; ssv and pipes: space and pipe delimited, queries only).
    fn style(
        &mut self,
        holder: &Map<String, Value>,
        location: &str,
        schema: &Map<String, Value>,
        ptr: &str,
        out: &mut Map<String, Value>,
    ) {
        let is_array = schema.get("type").and_then(Value::as_str) == Some("array");
        let at = join(ptr, "collectionFormat");
        let format = match holder.get("collectionFormat") {
            None if is_array => "csv",
            None => return,
            Some(Value::String(format)) => format.as_str(),
            Some(_) => {
                self.lost(at, "not a string: ignored");
                return;
            }
        };
        if !is_array {
            self.lost(at, "`collectionFormat` on a value that is not an array: dropped");
            return;
        }
        let mut set = |style: Option<&str>, explode: Option<bool>| {
            if let Some(style) = style {
                out.insert("style".into(), json!(style));
            }
            if let Some(explode) = explode {
                out.insert("explode".into(), json!(explode));
            }
        };
        match (format, location) {
            ("csv", "query" | "cookie") => set(Some("form"), Some(false)),
            ("csv", _) => set(Some("simple"), None),
            ("multi", "query") => set(None, Some(true)),
            ("ssv", "query") => set(Some("spaceDelimited"), None),
            ("pipes", "query") => set(Some("pipeDelimited"), None),
            ("multi" | "ssv" | "pipes", _) => self.lost(
                at,
                format!("`collectionFormat: {format}` has no OpenAPI 3.0 spelling in a {location}: comma-separated"),
            ),
            ("tsv", _) => self.lost(at, "`collectionFormat: tsv` has no OpenAPI 3.0 spelling: the default style"),
            _ => self.lost(at, format!("`collectionFormat: {format}` is not one of Swagger 2.0's: the default style")),
        }
    }

    /// The type keywords of a parameter, header or items object as a schema.
    fn simple_schema(&mut self, holder: &Map<String, Value>, ptr: &str) -> Map<String, Value> {
        let mut schema = Map::new();
        for key in TYPE_KEYWORDS {
            let Some(value) = holder.get(*key) else { continue };
            if *key == "items" {
                let at = join(ptr, "items");
                let mut items = value.clone();
                if let Value::Object(map) = &mut items
                    && map.shift_remove("collectionFormat").is_some()
                {
                    self.lost(
                        join(&at, "collectionFormat"),
                        "a nested `collectionFormat` has no OpenAPI 3.0 spelling: dropped",
                    );
                }
                self.fix_schema(&mut items, &at, false);
                schema.insert("items".into(), items);
            } else {
                schema.insert((*key).into(), value.clone());
            }
        }
        if holder.get("x-nullable") == Some(&Value::Bool(true)) {
            schema.insert("nullable".into(), Value::Bool(true));
        }
        schema
    }

    /// A body parameter as a request body: its schema under each media type of `consumes`.
    fn request_body(&mut self, parameter: &Map<String, Value>, ptr: &str, consumes: &[String]) -> Map<String, Value> {
        let mut out = Map::new();
        let mut schema = match parameter.get("schema") {
            Some(schema) => schema.clone(),
            None => {
                self.lost(ptr, "a body parameter without `schema`: any value");
                json!({})
            }
        };
        self.fix_schema(&mut schema, &join(ptr, "schema"), false);
        for (key, value) in parameter {
            match key.as_str() {
                "description" => {
                    out.insert(key.clone(), value.clone());
                }
                "name" | "in" | "schema" | "required" => {}
                k if k.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => self.lost(join(ptr, key), format!("`{key}` is not a field of a body parameter: dropped")),
            }
        }
        let content: Map<String, Value> =
            consumes.iter().map(|media| (media.clone(), json!({"schema": schema.clone()}))).collect();
        out.insert("content".into(), Value::Object(content));
        if parameter.get("required") == Some(&Value::Bool(true)) {
            out.insert("required".into(), Value::Bool(true));
        }
        out
    }

    /// Form parameters as one request body of an object whose properties they are.
    fn form_body(
        &mut self,
        parameters: &[(&Map<String, Value>, String)],
        consumes: &[String],
        ptr: &str,
    ) -> Map<String, Value> {
        let has_file = parameters.iter().any(|(p, _)| p.get("type").and_then(Value::as_str) == Some("file"));
        let says_multipart = consumes.iter().any(|m| m == MULTIPART);
        let multipart = says_multipart || has_file;
        if has_file && !says_multipart {
            self.lost(
                join(ptr, "consumes"),
                "a `type: file` form parameter: multipart/form-data, which `consumes` does not list",
            );
        } else if !multipart && !consumes.iter().any(|m| m == URLENCODED) {
            self.lost(
                join(ptr, "consumes"),
                "form parameters while `consumes` lists no form media type: application/x-www-form-urlencoded",
            );
        }
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut encoding = Map::new();
        for (parameter, at) in parameters {
            let Some(name) = parameter.get("name").and_then(Value::as_str) else {
                self.lost(at.clone(), "a form parameter without a `name`: dropped");
                continue;
            };
            if properties.contains_key(name) {
                self.lost(at.clone(), format!("a second form parameter `{name}`: dropped"));
                continue;
            }
            let mut property = self.simple_schema(parameter, at);
            for (key, value) in parameter.iter() {
                match key.as_str() {
                    "description" => {
                        property.insert(key.clone(), value.clone());
                    }
                    "x-example" => {
                        property.insert("example".into(), value.clone());
                    }
                    "name" | "in" | "required" | "collectionFormat" | "x-nullable" => {}
                    "allowEmptyValue" => {
                        self.lost(join(at, key), "`allowEmptyValue` has no spelling in a form body: dropped")
                    }
                    k if k.starts_with("x-") => {
                        property.insert(key.clone(), value.clone());
                    }
                    k if TYPE_KEYWORDS.contains(&k) => {}
                    _ => self.lost(join(at, key), format!("`{key}` is not a field of a form parameter: dropped")),
                }
            }
            match property.get("type").and_then(Value::as_str) {
                Some("file") => {
                    property.insert("type".into(), json!("string"));
                    property.insert("format".into(), json!("binary"));
                }
                Some(_) => {}
                None => {
                    self.lost(at.clone(), "a form parameter without `type`: a string");
                    property.insert("type".into(), json!("string"));
                }
            }
            let mut style = Map::new();
            self.style(parameter, "query", &property, at, &mut style);
            // `multi` is a form body's own way: one field (or part) per item.
            let exploded = style.len() == 1 && style.get("explode") == Some(&Value::Bool(true));
            if !style.is_empty() && !exploded {
                if multipart {
                    self.lost(
                        join(at, "collectionFormat"),
                        "a delimited array in a multipart body has no OpenAPI 3.0 spelling: one part per item",
                    );
                } else {
                    encoding.insert(name.to_string(), Value::Object(style));
                }
            }
            if parameter.get("required") == Some(&Value::Bool(true)) {
                required.push(json!(name));
            }
            properties.insert(name.to_string(), Value::Object(property));
        }
        let mut schema = Map::new();
        schema.insert("type".into(), json!("object"));
        schema.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            schema.insert("required".into(), Value::Array(required.clone()));
        }
        let mut media = Map::new();
        media.insert("schema".into(), Value::Object(schema));
        if !encoding.is_empty() {
            media.insert("encoding".into(), Value::Object(encoding));
        }
        let media_type = if multipart { MULTIPART } else { URLENCODED };
        let mut content = Map::new();
        content.insert(media_type.into(), Value::Object(media));
        let mut out = Map::new();
        out.insert("content".into(), Value::Object(content));
        if !required.is_empty() {
            out.insert("required".into(), Value::Bool(true));
        }
        out
    }

    fn response(&mut self, response: &Value, ptr: &str, produces: &[String]) -> Value {
        let Some(response) = response.as_object() else {
            self.lost(ptr, "a response that is not a mapping: no body");
            return json!({"description": ""});
        };
        if let Some(reference) = response.get("$ref") {
            return json!({"$ref": self.reference(reference, ptr)});
        }
        let mut out = Map::new();
        match response.get("description") {
            Some(Value::String(text)) => {
                out.insert("description".into(), json!(text));
            }
            _ => {
                self.lost(ptr, "a response without a `description`: an empty one");
                out.insert("description".into(), json!(""));
            }
        }
        let examples = match response.get("examples") {
            None => None,
            Some(Value::Object(examples)) => Some(examples),
            Some(_) => {
                self.lost(join(ptr, "examples"), "not a mapping of media types: dropped");
                None
            }
        };
        for (key, value) in response {
            match key.as_str() {
                "description" | "schema" | "examples" => {}
                "headers" => match value.as_object() {
                    Some(headers) => {
                        let headers_ptr = join(ptr, key);
                        let converted: Map<String, Value> = headers
                            .iter()
                            .filter_map(|(name, header)| {
                                Some((name.clone(), self.header(header, &join(&headers_ptr, name))?))
                            })
                            .collect();
                        out.insert(key.clone(), Value::Object(converted));
                    }
                    None => self.lost(join(ptr, key), "not a mapping: dropped"),
                },
                k if k.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => self.lost(join(ptr, key), format!("`{key}` is not a field of a Swagger 2.0 response: dropped")),
            }
        }
        if let Some(schema) = response.get("schema") {
            let mut schema = schema.clone();
            self.fix_schema(&mut schema, &join(ptr, "schema"), true);
            let mut content = Map::new();
            for media in produces {
                let mut entry = Map::new();
                entry.insert("schema".into(), schema.clone());
                if let Some(example) = examples.and_then(|e| e.get(media)) {
                    entry.insert("example".into(), example.clone());
                }
                content.insert(media.clone(), Value::Object(entry));
            }
            out.insert("content".into(), Value::Object(content));
            for media in examples.into_iter().flat_map(Map::keys).filter(|m| !produces.contains(m)) {
                self.lost(
                    join(&join(ptr, "examples"), media),
                    "an example of a media type the operation does not produce: dropped",
                );
            }
        } else if examples.is_some_and(|e| !e.is_empty()) {
            self.lost(join(ptr, "examples"), "examples of a response without `schema`: dropped (no body is described)");
        }
        Value::Object(out)
    }

    fn header(&mut self, header: &Value, ptr: &str) -> Option<Value> {
        let Some(header) = header.as_object() else {
            self.lost(ptr, "a header that is not a mapping: dropped");
            return None;
        };
        let mut out = Map::new();
        for (key, value) in header {
            match key.as_str() {
                "description" => {
                    out.insert(key.clone(), value.clone());
                }
                "x-example" => {
                    out.insert("example".into(), value.clone());
                }
                k if k.starts_with("x-") && k != "x-nullable" => {
                    out.insert(key.clone(), value.clone());
                }
                k if k == "collectionFormat" || k == "x-nullable" || TYPE_KEYWORDS.contains(&k) => {}
                _ => self.lost(join(ptr, key), format!("`{key}` is not a field of a Swagger 2.0 header: dropped")),
            }
        }
        let mut schema = self.simple_schema(header, ptr);
        if !schema.contains_key("type") {
            self.lost(ptr, "a header without `type`: a string");
            schema.insert("type".into(), json!("string"));
        }
        // A header's arrays are comma-separated (`simple`, 3.0's default for headers).
        match header.get("collectionFormat").and_then(Value::as_str) {
            None | Some("csv") => {}
            Some(format) => self.lost(
                join(ptr, "collectionFormat"),
                format!("`collectionFormat: {format}` has no OpenAPI 3.0 spelling in a header: comma-separated"),
            ),
        }
        out.insert("schema".into(), Value::Object(schema));
        Some(Value::Object(out))
    }

    /// A Swagger schema as an OpenAPI 3.0 one, children first: `x-nullable` → `nullable`, a
    /// `discriminator` name → `{propertyName}`, `type: file` → a binary string (expected at a
    /// response's root only), `type: null` → `nullable`, an `items` list → `items: {anyOf}` (on a schema not said to be
    /// an array, `anyOf` itself), a property's `required: true` → the object's `required`.
    fn fix_schema(&mut self, schema: &mut Value, ptr: &str, file_expected: bool) {
        let Value::Object(map) = schema else { return };
        if let Some(Value::Object(properties)) = map.get_mut("properties") {
            let base = join(ptr, "properties");
            let mut required_here = Vec::new();
            for (name, property) in properties.iter_mut() {
                let at = join(&base, name);
                if let Value::Object(property) = property
                    && let Some(Value::Bool(required)) = property.get("required").cloned()
                {
                    property.shift_remove("required");
                    self.lost(join(&at, "required"), "`required` as a boolean: the object's `required` list");
                    if required {
                        required_here.push(json!(name));
                    }
                }
                self.fix_schema(property, &at, false);
            }
            if !required_here.is_empty() {
                match map.entry("required").or_insert_with(|| json!([])) {
                    Value::Array(list) => {
                        for name in required_here {
                            if !list.contains(&name) {
                                list.push(name);
                            }
                        }
                    }
                    _ => self.lost(join(ptr, "required"), "not a list: the properties' `required` dropped"),
                }
            }
        }
        for key in ["additionalProperties", "not"] {
            if let Some(sub) = map.get_mut(key) {
                self.fix_schema(sub, &join(ptr, key), false);
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(subs)) = map.get_mut(key) {
                let base = join(ptr, key);
                for (index, sub) in subs.iter_mut().enumerate() {
                    self.fix_schema(sub, &join(&base, &index.to_string()), false);
                }
            }
        }
        let array = map.get("type").and_then(Value::as_str) == Some("array");
        let combined = ["allOf", "anyOf", "oneOf"].iter().any(|k| map.contains_key(*k));
        match map.get_mut("items") {
            Some(items @ Value::Object(_)) => self.fix_schema(items, &join(ptr, "items"), false),
            Some(Value::Array(tuple)) => {
                let base = join(ptr, "items");
                for (index, sub) in tuple.iter_mut().enumerate() {
                    self.fix_schema(sub, &join(&base, &index.to_string()), false);
                }
                if !array && !combined && !tuple.is_empty() {
                    // Not said to be an array: `items` constrains nothing else, and Slack's
                    // generator lists what the value may be this way (`latest: {items:
                    // [{$ref: message}, {type: null}]}`), answered as one object, not a list.
                    let alternatives = std::mem::take(tuple);
                    map.shift_remove("items");
                    map.insert("anyOf".into(), Value::Array(alternatives));
                    self.lost(
                        base,
                        "an `items` list on a schema not said to be an array: any of its schemas, the value itself",
                    );
                } else {
                    let items = match tuple.len() {
                        0 => json!({}),
                        1 => tuple.remove(0),
                        _ => json!({"anyOf": std::mem::take(tuple)}),
                    };
                    map.insert("items".into(), items);
                    self.lost(base, "an `items` list (a tuple): `items` of any of its schemas");
                }
            }
            _ => {}
        }

        if let Some(reference) = map.get("$ref") {
            let retargeted = self.reference(reference, ptr);
            map.insert("$ref".into(), retargeted);
        }
        if let Some(nullable) = map.shift_remove("x-nullable") {
            match nullable {
                Value::Bool(true) => {
                    if let Some(reference) = map.shift_remove("$ref") {
                        // 3.0 ignores what stands beside a `$ref`.
                        map.insert("allOf".into(), json!([{"$ref": reference}]));
                    }
                    map.insert("nullable".into(), Value::Bool(true));
                }
                Value::Bool(false) => {}
                _ => self.lost(join(ptr, "x-nullable"), "not a boolean: dropped"),
            }
        }
        if let Some(Value::String(property)) = map.get("discriminator") {
            let property = property.clone();
            map.insert("discriminator".into(), json!({"propertyName": property}));
        }
        if let Some(Value::Array(types)) = map.get("type").cloned() {
            // Not Swagger 2.0 but JSON Schema's, as swagger2openapi patches it.
            let nullable = types.iter().any(|t| t == "null");
            let mut others: Vec<Value> = types.into_iter().filter(|t| t != "null").collect();
            map.shift_remove("type");
            if nullable {
                map.insert("nullable".into(), Value::Bool(true));
            }
            match others.len() {
                1 => {
                    map.insert("type".into(), others.remove(0));
                }
                0 => self.lost(join(ptr, "type"), "a list of types naming only `null`: any value (always null)"),
                _ if map.contains_key("anyOf") => self.lost(
                    join(ptr, "type"),
                    format!("several types {} beside `anyOf`: the types dropped", Value::Array(others)),
                ),
                _ => {
                    let listed = Value::Array(others.clone()).to_string();
                    let alternatives = others.into_iter().map(|t| json!({"type": t})).collect();
                    map.insert("anyOf".into(), Value::Array(alternatives));
                    self.lost(
                        join(ptr, "type"),
                        format!("several types {listed}: `anyOf` of one schema each, the other keywords beside it"),
                    );
                }
            }
        }
        match map.get("type").and_then(Value::as_str) {
            Some("file") => {
                map.insert("type".into(), json!("string"));
                map.insert("format".into(), json!("binary"));
                if !file_expected {
                    self.lost(join(ptr, "type"), "`type: file` outside a response or form: a binary string");
                }
            }
            Some("null") => {
                map.shift_remove("type");
                map.insert("nullable".into(), Value::Bool(true));
                self.lost(join(ptr, "type"), "`type: null` (not Swagger 2.0): any value (always null)");
            }
            _ => {}
        }
    }

    /// The `$ref` of the object at `ptr` naming its 3.0 place. References are retargeted where
    /// they are references (a schema, a parameter, a response), never inside data.
    fn reference(&mut self, reference: &Value, ptr: &str) -> Value {
        let Some(text) = reference.as_str() else { return reference.clone() };
        match self.retarget(text) {
            Some(target) => Value::String(target),
            None => {
                if text.starts_with('#') && !text.starts_with("#/components/") {
                    self.lost(
                        join(ptr, "$ref"),
                        "a reference into the Swagger 2.0 structure, which the conversion moves: kept as written",
                    );
                }
                reference.clone()
            }
        }
    }

    fn retarget(&self, reference: &str) -> Option<String> {
        if let Some(rest) = reference.strip_prefix("#/definitions/") {
            return Some(format!("#/components/schemas/{rest}"));
        }
        if let Some(rest) = reference.strip_prefix("#/parameters/") {
            let section = if self.bodies.contains(&unescape(rest)) { "requestBodies" } else { "parameters" };
            return Some(format!("#/components/{section}/{rest}"));
        }
        reference.strip_prefix("#/responses/").map(|rest| format!("#/components/responses/{rest}"))
    }
}

/// One JSON pointer token, unescaped (RFC 6901).
fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// The `{name}`s of a templated server URL, in order, once each.
fn template_variables(url: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut rest = url;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        if !name.is_empty() && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
        rest = &after[end + 1..];
    }
    names
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn convert(mut doc: Value) -> (Value, Vec<Loss>) {
        let losses = to_openapi_30(&mut doc, Path::new("swagger.json")).unwrap();
        (doc, losses)
    }

    fn reported<'l>(losses: &'l [Loss], pointer: &str) -> Vec<&'l str> {
        losses.iter().filter(|l| l.pointer == pointer).map(|l| l.what.as_str()).collect()
    }

    /// A small Swagger document with each construct the conversion maps.
    fn petstore() -> Value {
        json!({
            "swagger": "2.0",
            "info": {"title": "Pets", "version": "1.0"},
            "host": "pets.example.com",
            "basePath": "/v1/",
            "schemes": ["https", "http"],
            "consumes": ["application/json"],
            "produces": ["application/json"],
            "tags": [{"name": "pets"}],
            "externalDocs": {"url": "https://example.com/docs"},
            "security": [{"key": []}],
            "x-logo": {"url": "https://example.com/logo.png"},
            "paths": {
                "/pets": {
                    "parameters": [
                        {"$ref": "#/parameters/Limit"},
                        {"name": "X-Trace", "in": "header", "type": "string"}
                    ],
                    "get": {
                        "operationId": "listPets",
                        "tags": ["pets"],
                        "x-internal": false,
                        "parameters": [
                            {"name": "ids", "in": "query", "type": "array", "items": {"type": "integer", "format": "int64"}},
                            {"name": "tags", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "multi"},
                            {"name": "words", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "ssv"},
                            {"name": "ors", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "pipes"},
                            {"name": "tabs", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "tsv"},
                            {"name": "sort", "in": "query", "type": "string", "enum": ["asc", "desc"], "default": "asc", "x-example": "asc"},
                            {"name": "size", "in": "query", "type": "integer", "minimum": 1, "maximum": 100}
                        ],
                        "responses": {
                            "200": {
                                "description": "the pets",
                                "schema": {"type": "array", "items": {"$ref": "#/definitions/Pet"}},
                                "headers": {"X-Rate-Limit": {"type": "integer", "description": "calls left"}},
                                "examples": {
                                    "application/json": [{"id": 1, "owner": {"$ref": "#/definitions/Owner"}}],
                                    "text/plain": "one pet"
                                }
                            },
                            "default": {"$ref": "#/responses/Error"}
                        }
                    },
                    "post": {
                        "operationId": "addPet",
                        "consumes": ["application/json", "application/xml"],
                        "parameters": [{"name": "pet", "in": "body", "required": true, "description": "the pet",
                            "schema": {"$ref": "#/definitions/Pet"}}],
                        "responses": {"201": {"description": "added"}}
                    },
                    "put": {
                        "operationId": "replacePet",
                        "parameters": [{"$ref": "#/parameters/PetBody"}],
                        "responses": {"204": {"description": "replaced"}}
                    }
                },
                "/pets/{id}/photo": {
                    "post": {
                        "operationId": "uploadPhoto",
                        "consumes": ["application/x-www-form-urlencoded"],
                        "parameters": [
                            {"name": "id", "in": "path", "type": "string"},
                            {"name": "photo", "in": "formData", "type": "file", "required": true},
                            {"name": "caption", "in": "formData", "type": "string", "description": "words"}
                        ],
                        "responses": {"200": {"description": "the photo", "schema": {"type": "file"}}}
                    }
                },
                "/pets/{id}/notes": {
                    "parameters": [{"name": "id", "in": "path", "required": true, "type": "integer"}],
                    "post": {
                        "operationId": "addNote",
                        "consumes": ["application/x-www-form-urlencoded"],
                        "parameters": [
                            {"name": "text", "in": "formData", "type": "string", "required": true},
                            {"name": "labels", "in": "formData", "type": "array", "items": {"type": "string"}},
                            {"name": "file", "in": "query", "type": "file"}
                        ],
                        "responses": {"204": {"description": "noted"}}
                    }
                }
            },
            "definitions": {
                "Pet": {
                    "type": "object",
                    "required": ["id"],
                    "discriminator": "kind",
                    "properties": {
                        "id": {"type": "integer", "format": "int64"},
                        "kind": {"type": "string"},
                        "owner": {"$ref": "#/definitions/Owner", "x-nullable": true},
                        "nick": {"type": "string", "x-nullable": true},
                        "either": {"items": [{"$ref": "#/definitions/Owner"}, {"type": "null"}]},
                        "tuple": {"type": "array", "items": [{"$ref": "#/definitions/Owner"}, {"type": "string"}]},
                        "maybe": {"type": ["null", "string"]},
                        "several": {"type": ["integer", "string", "null"]},
                        "x-links": {"$ref": "#/definitions/Owner"}
                    },
                    "example": {"id": 1, "owner": {"$ref": "#/definitions/Owner"}},
                    "x-meta": {"$ref": "#/definitions/Owner"}
                },
                "Owner": {"type": "object", "properties": {"name": {"type": "string"}, "$ref": {"type": "string"}},
                    "enum": [{"$ref": "#/definitions/Pet"}]}
            },
            "parameters": {
                "Limit": {"name": "limit", "in": "query", "type": "integer", "format": "int32"},
                "PetBody": {"name": "pet", "in": "body", "schema": {"$ref": "#/definitions/Pet"}}
            },
            "responses": {
                "Error": {"description": "an error", "schema": {"$ref": "#/definitions/Owner"}}
            },
            "securityDefinitions": {
                "key": {"type": "apiKey", "name": "X-Key", "in": "header"},
                "basic": {"type": "basic", "description": "user and password"},
                "implicit": {"type": "oauth2", "flow": "implicit", "authorizationUrl": "https://a.example.com/auth", "scopes": {"read": "read"}},
                "password": {"type": "oauth2", "flow": "password", "tokenUrl": "https://a.example.com/token", "scopes": {}},
                "application": {"type": "oauth2", "flow": "application", "tokenUrl": "https://a.example.com/token", "scopes": {}},
                "code": {"type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a.example.com/auth", "scopes": {"write": "write"}}
            }
        })
    }

    #[test]
    fn the_document_level_fields_map_to_servers_components_and_what_is_kept() {
        let (doc, losses) = convert(petstore());
        assert_eq!(doc["openapi"], "3.0.3");
        assert!(doc.get("swagger").is_none() && doc.get("definitions").is_none() && doc.get("host").is_none());
        assert_eq!(
            doc["servers"],
            json!([{"url": "https://pets.example.com/v1"}, {"url": "http://pets.example.com/v1"}])
        );
        assert_eq!(doc["info"], json!({"title": "Pets", "version": "1.0"}));
        assert_eq!(doc["tags"], json!([{"name": "pets"}]));
        assert_eq!(doc["externalDocs"]["url"], "https://example.com/docs");
        assert_eq!(doc["security"], json!([{"key": []}]));
        assert_eq!(doc["x-logo"]["url"], "https://example.com/logo.png");
        let components = &doc["components"];
        assert_eq!(
            components["parameters"]["Limit"],
            json!({"name": "limit", "in": "query",
            "schema": {"type": "integer", "format": "int32"}})
        );
        assert_eq!(
            components["requestBodies"]["PetBody"],
            json!({
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}})
        );
        assert_eq!(
            components["responses"]["Error"],
            json!({"description": "an error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Owner"}}}})
        );
        assert_eq!(
            losses[0],
            Loss {
                pointer: "/swagger".into(),
                what: "Swagger 2.0 converted to OpenAPI 3.0.3 as swagger2openapi does".into()
            }
        );
    }

    #[test]
    fn security_definitions_become_security_schemes_with_3_0_flows() {
        let (doc, losses) = convert(petstore());
        let schemes = &doc["components"]["securitySchemes"];
        assert_eq!(schemes["key"], json!({"type": "apiKey", "name": "X-Key", "in": "header"}));
        assert_eq!(schemes["basic"], json!({"type": "http", "scheme": "basic", "description": "user and password"}));
        assert_eq!(
            schemes["implicit"],
            json!({"type": "oauth2", "flows": {"implicit": {
            "authorizationUrl": "https://a.example.com/auth", "scopes": {"read": "read"}}}})
        );
        assert_eq!(schemes["password"]["flows"]["password"]["tokenUrl"], "https://a.example.com/token");
        assert_eq!(schemes["application"]["flows"]["clientCredentials"]["tokenUrl"], "https://a.example.com/token");
        assert_eq!(
            schemes["code"],
            json!({"type": "oauth2", "flows": {"authorizationCode": {
            "authorizationUrl": "https://a.example.com/auth", "tokenUrl": "", "scopes": {"write": "write"}}}})
        );
        assert_eq!(reported(&losses, "/securityDefinitions/code/tokenUrl").len(), 1, "{losses:#?}");
    }

    #[test]
    fn definitions_become_schemas_with_nullable_discriminators_and_tuples_converted() {
        let (doc, losses) = convert(petstore());
        let pet = &doc["components"]["schemas"]["Pet"];
        assert_eq!(pet["discriminator"], json!({"propertyName": "kind"}));
        let properties = &pet["properties"];
        assert_eq!(properties["owner"], json!({"allOf": [{"$ref": "#/components/schemas/Owner"}], "nullable": true}));
        assert_eq!(properties["nick"], json!({"type": "string", "nullable": true}));
        // Slack's way of listing what a value may be: not an array, so any of the schemas.
        assert_eq!(
            properties["either"],
            json!({"anyOf": [{"$ref": "#/components/schemas/Owner"}, {"nullable": true}]})
        );
        assert_eq!(
            properties["tuple"],
            json!({"type": "array", "items": {"anyOf": [{"$ref": "#/components/schemas/Owner"}, {"type": "string"}]}})
        );
        // A property may be called `x-links` or `$ref`: those are schemas, their references followed.
        assert_eq!(properties["x-links"]["$ref"], "#/components/schemas/Owner");
        assert_eq!(doc["components"]["schemas"]["Owner"]["properties"]["$ref"], json!({"type": "string"}));
        assert_eq!(
            reported(&losses, "/definitions/Pet/properties/either/items"),
            ["an `items` list on a schema not said to be an array: any of its schemas, the value itself"]
        );
        assert_eq!(
            reported(&losses, "/definitions/Pet/properties/tuple/items"),
            ["an `items` list (a tuple): `items` of any of its schemas"]
        );
        assert_eq!(reported(&losses, "/definitions/Pet/properties/either/items/1/type").len(), 1);
        // JSON Schema's type lists, which Swagger 2.0 does not have, as swagger2openapi patches them.
        assert_eq!(properties["maybe"], json!({"nullable": true, "type": "string"}));
        assert_eq!(
            properties["several"],
            json!({"nullable": true, "anyOf": [{"type": "integer"}, {"type": "string"}]})
        );
        assert!(reported(&losses, "/definitions/Pet/properties/maybe/type").is_empty());
        assert_eq!(reported(&losses, "/definitions/Pet/properties/several/type").len(), 1);
    }

    #[test]
    fn references_in_examples_extensions_and_enums_are_data_and_stay() {
        let (doc, _) = convert(petstore());
        let pet = &doc["components"]["schemas"]["Pet"];
        assert_eq!(pet["example"]["owner"]["$ref"], "#/definitions/Owner");
        assert_eq!(pet["x-meta"]["$ref"], "#/definitions/Owner");
        assert_eq!(doc["components"]["schemas"]["Owner"]["enum"][0]["$ref"], "#/definitions/Pet");
        let example = &doc["paths"]["/pets"]["get"]["responses"]["200"]["content"]["application/json"]["example"];
        assert_eq!(example[0]["owner"]["$ref"], "#/definitions/Owner");
    }

    #[test]
    fn parameters_move_their_type_into_a_schema_and_collection_formats_into_styles() {
        let (doc, losses) = convert(petstore());
        let item = &doc["paths"]["/pets"];
        assert_eq!(
            item["parameters"],
            json!([{"$ref": "#/components/parameters/Limit"},
                {"name": "X-Trace", "in": "header", "schema": {"type": "string"}}])
        );
        let p = &item["get"]["parameters"];
        assert_eq!(
            p[0],
            json!({"name": "ids", "in": "query", "style": "form", "explode": false,
            "schema": {"type": "array", "items": {"type": "integer", "format": "int64"}}})
        );
        assert_eq!(p[1]["explode"], true);
        assert!(p[1].get("style").is_none());
        assert_eq!(p[2]["style"], "spaceDelimited");
        assert_eq!(p[3]["style"], "pipeDelimited");
        assert!(p[4].get("style").is_none() && p[4].get("collectionFormat").is_none());
        assert_eq!(
            reported(&losses, "/paths/~1pets/get/parameters/4/collectionFormat"),
            ["`collectionFormat: tsv` has no OpenAPI 3.0 spelling: the default style"]
        );
        assert_eq!(
            p[5],
            json!({"name": "sort", "in": "query", "example": "asc",
            "schema": {"type": "string", "default": "asc", "enum": ["asc", "desc"]}})
        );
        assert_eq!(p[6]["schema"], json!({"type": "integer", "maximum": 100, "minimum": 1}));
        assert_eq!(item["get"]["x-internal"], false);
    }

    #[test]
    fn a_body_parameter_becomes_a_request_body_per_consumed_media_type() {
        let (doc, _) = convert(petstore());
        let post = &doc["paths"]["/pets"]["post"];
        assert!(post.get("parameters").is_none());
        let pet = json!({"schema": {"$ref": "#/components/schemas/Pet"}});
        assert_eq!(
            post["requestBody"],
            json!({"description": "the pet", "required": true,
            "content": {"application/json": pet, "application/xml": pet}})
        );
        // A shared body parameter is a shared request body.
        assert_eq!(doc["paths"]["/pets"]["put"]["requestBody"], json!({"$ref": "#/components/requestBodies/PetBody"}));
    }

    #[test]
    fn form_parameters_become_an_object_body_multipart_with_a_file() {
        let (doc, losses) = convert(petstore());
        let upload = &doc["paths"]["/pets/{id}/photo"]["post"];
        assert_eq!(
            upload["parameters"],
            json!([{"name": "id", "in": "path", "schema": {"type": "string"}, "required": true}])
        );
        assert_eq!(
            upload["requestBody"],
            json!({"required": true, "content": {"multipart/form-data": {"schema": {
            "type": "object",
            "properties": {
                "photo": {"type": "string", "format": "binary"},
                "caption": {"type": "string", "description": "words"}},
            "required": ["photo"]}}}})
        );
        assert_eq!(
            upload["responses"]["200"]["content"]["application/json"]["schema"],
            json!({"type": "string", "format": "binary"})
        );
        assert_eq!(reported(&losses, "/paths/~1pets~1{id}~1photo/post/consumes").len(), 1, "{losses:#?}");
        assert_eq!(reported(&losses, "/paths/~1pets~1{id}~1photo/post/parameters/0").len(), 1, "{losses:#?}");

        let notes = &doc["paths"]["/pets/{id}/notes"];
        assert_eq!(notes["parameters"][0]["schema"], json!({"type": "integer"}));
        let post = &notes["post"];
        assert_eq!(
            post["requestBody"]["content"]["application/x-www-form-urlencoded"],
            json!({
            "schema": {"type": "object", "properties": {
                "text": {"type": "string"},
                "labels": {"type": "array", "items": {"type": "string"}}}, "required": ["text"]},
            "encoding": {"labels": {"style": "form", "explode": false}}})
        );
        assert_eq!(post["parameters"], json!([{"name": "file", "in": "query", "schema": {"type": "string"}}]));
        assert_eq!(
            reported(&losses, "/paths/~1pets~1{id}~1notes/post/parameters/2/type"),
            ["`type: file` outside formData: a string"]
        );
    }

    #[test]
    fn responses_carry_content_per_produced_media_type_and_headers_with_schemas() {
        let (doc, losses) = convert(petstore());
        let responses = &doc["paths"]["/pets"]["get"]["responses"];
        assert_eq!(responses["default"], json!({"$ref": "#/components/responses/Error"}));
        let ok = &responses["200"];
        assert_eq!(
            ok["headers"],
            json!({"X-Rate-Limit": {"description": "calls left", "schema": {"type": "integer"}}})
        );
        assert_eq!(
            ok["content"]["application/json"]["schema"],
            json!({"type": "array", "items": {"$ref": "#/components/schemas/Pet"}})
        );
        assert_eq!(ok["content"].as_object().unwrap().len(), 1);
        assert_eq!(reported(&losses, "/paths/~1pets/get/responses/200/examples/text~1plain").len(), 1);
        assert_eq!(doc["paths"]["/pets"]["post"]["responses"]["201"], json!({"description": "added"}));
    }

    #[test]
    fn the_converted_document_is_one_the_generator_reads() {
        let (mut doc, _) = convert(petstore());
        let before = doc.clone();
        // The 3.0 path of the normaliser leaves it as it is; every reference resolves.
        super::super::normalize::to_openapi_30(&mut doc, Path::new("s")).unwrap();
        assert_eq!(doc, before);
        crate::doc::ref_sites::each(&doc, "", &mut |reference, at| {
            let reference = reference.as_str().unwrap();
            let target = reference.strip_prefix('#').unwrap();
            assert!(doc.pointer(target).is_some(), "{at}: {reference} does not resolve");
        });
        let parsed: Result<openapiv3::OpenAPI, _> = serde_json::from_value(doc);
        assert!(parsed.is_ok(), "{parsed:?}");
    }

    #[test]
    fn malformed_constructs_are_reported_never_a_panic() {
        let (doc, losses) = convert(json!({"swagger": "2.0", "schemes": "https", "host": 7, "consumes": [1],
            "paths": {"/a": {"get": [], "post": {"parameters": [3, {"$ref": "#/parameters/Missing"},
                {"name": "b", "in": "body"}, {"name": "c", "in": "body", "schema": {}}],
                "responses": {"200": "ok", "201": {"schema": {"type": "file", "items": 3}}}},
                "parameters": {"x": 1}, "trace": 1},
                "/b": 4},
            "definitions": {"S": {"properties": {"a": {"required": true, "type": "string"}}, "x-nullable": 1,
                "items": []}},
            "securityDefinitions": {"o": {"type": "oauth2", "flow": "sideways"}, "n": 1},
            "parameters": [], "responses": {"R": []}, "unknown": 1}));
        assert_eq!(doc["openapi"], "3.0.3");
        assert_eq!(doc["components"]["schemas"]["S"]["required"], json!(["a"]));
        assert_eq!(doc["paths"]["/a"]["post"]["requestBody"]["content"]["application/json"]["schema"], json!({}));
        assert_eq!(doc["paths"]["/a"]["post"]["parameters"], json!([{"$ref": "#/components/parameters/Missing"}]));
        for place in [
            "/info",
            "/host",
            "/schemes",
            "/consumes/0",
            "/paths/~1a/get",
            "/paths/~1a/post/parameters/0",
            "/paths/~1a/post/parameters/1/$ref",
            "/paths/~1a/post/parameters/2",
            "/paths/~1a/post/parameters/3",
            "/paths/~1a/post/responses/200",
            "/paths/~1a/post/responses/201",
            "/paths/~1a/parameters",
            "/paths/~1a/trace",
            "/paths/~1b",
            "/definitions/S/properties/a/required",
            "/definitions/S/x-nullable",
            "/definitions/S/items",
            "/securityDefinitions/o/flow",
            "/securityDefinitions/n",
            "/parameters",
            "/responses/R",
            "/unknown",
        ] {
            assert!(!reported(&losses, place).is_empty(), "{place} not reported in {losses:#?}");
        }
        let err = to_openapi_30(&mut json!({"swagger": "1.2"}), Path::new("s.json")).unwrap_err();
        assert_eq!(err.pointer, "/swagger");
        assert!(err.to_string().contains("only Swagger 2.0 is converted"), "{err}");
    }

    #[test]
    fn without_schemes_https_is_assumed_and_reported() {
        let (doc, losses) = convert(json!({"swagger": 2.0, "info": {"title": "t", "version": "1"},
            "host": "{region}.example.com", "basePath": "/", "paths": {}}));
        assert_eq!(
            doc["servers"],
            json!([{"url": "https://{region}.example.com", "variables": {"region": {"default": "unknown"}}}])
        );
        assert_eq!(reported(&losses, "/host").len(), 2, "{losses:#?}");
        let (doc, _) = convert(json!({"swagger": "2.0", "info": {}, "basePath": "/api", "paths": {}}));
        assert_eq!(doc["servers"], json!([{"url": "/api"}]));
    }
}
