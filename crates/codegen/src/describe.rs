//! Reads the [`ApiModel`] out of a normalised document, and takes constant headers out of
//! the operations' parameter lists (the runtime sends them, so callers need not spell them).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, ErrorKind, join};
use crate::model::{ApiModel, Operation, Scheme, SchemeKind};
use crate::schemas;

/// Operation extension recording the constant headers taken out of its parameters.
pub const CONSTANT_HEADERS: &str = "x-constant-headers";

pub fn describe(doc: &mut Value, file: &Path) -> Result<ApiModel, Error> {
    let invalid = |ptr: &str, msg: String| Error::new(file, ptr, ErrorKind::Invalid(msg));
    let text = |v: &Value, ptr: &str| -> Result<String, Error> {
        v.pointer(ptr)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| invalid(ptr, "missing or not a string".into()))
    };

    let constants = take_constant_headers(doc, file)?;
    let global_security = doc.get("security").cloned();

    let mut operations = Vec::new();
    let mut used_schemes = BTreeSet::new();
    for (ptr, path, method, op) in schemas::operations(doc) {
        // Left out of the client (see the rule): the runtime needs no entry for it.
        if crate::rules::unsupported_request_body::is_unsupported(op) {
            continue;
        }
        let id = text(op, "/operationId").map_err(|_| invalid(&ptr, "operation has no `operationId`".into()))?;
        let security_ptr = join(&ptr, "security");
        let requirements = op.get("security").or(global_security.as_ref());
        let security = match requirements {
            None => Vec::new(),
            Some(Value::Array(alternatives)) => {
                let mut out = Vec::new();
                for alternative in alternatives {
                    let Some(names) = alternative.as_object() else {
                        return Err(invalid(&security_ptr, "a security requirement must be a mapping".into()));
                    };
                    if names.is_empty() {
                        // `{}` makes authentication optional: no credential needed.
                        out.clear();
                        break;
                    }
                    let names: Vec<String> = names.keys().cloned().collect();
                    used_schemes.extend(names.iter().cloned());
                    out.push(names);
                }
                out
            }
            Some(_) => return Err(invalid(&security_ptr, "`security` must be a list".into())),
        };
        let constant_headers = constants
            .iter()
            .filter(|(op_ptr, _, _)| *op_ptr == ptr)
            .map(|(_, name, value)| (name.clone(), value.clone()))
            .collect();
        // progenitor's method name, also `OperationInfo::operation_id` (rewrite.rs checks they agree).
        let rust_name = crate::naming::method_name(&id);
        let returns_secrets = success_schemas(op).any(|schema| holds_secret(doc, schema, &mut BTreeSet::new()));
        let sends_secrets = request_schemas(doc, op).any(|schema| holds_secret(doc, schema, &mut BTreeSet::new()));
        operations.push(Operation {
            id,
            rust_name,
            method: method.to_uppercase(),
            path,
            security,
            constant_headers,
            returns_secrets,
            sends_secrets,
        });
    }

    let mut schemes = Vec::new();
    for name in used_schemes {
        let ptr = join("/components/securitySchemes", &name);
        let scheme = doc
            .pointer(&ptr)
            .ok_or_else(|| invalid(&ptr, format!("security scheme `{name}` is used but not defined")))?;
        let kind = match scheme.get("type").and_then(Value::as_str) {
            Some("http") => match scheme.get("scheme").and_then(Value::as_str).map(str::to_ascii_lowercase) {
                Some(s) if s == "bearer" => SchemeKind::Bearer,
                other => return Err(invalid(&ptr, format!("unsupported http auth scheme {other:?}"))),
            },
            Some("oauth2" | "openIdConnect") => SchemeKind::Bearer,
            Some("apiKey") => {
                let key_name =
                    text(scheme, "/name").map_err(|_| invalid(&ptr, "apiKey scheme without `name`".into()))?;
                match scheme.get("in").and_then(Value::as_str) {
                    Some("header") => SchemeKind::Header(key_name),
                    // A key in the URL ends up in logs, proxies and error messages.
                    Some("query") => {
                        return Err(invalid(
                            &ptr,
                            "API keys in the query string are not supported: URLs are logged".into(),
                        ));
                    }
                    other => return Err(invalid(&ptr, format!("unsupported apiKey location {other:?}"))),
                }
            }
            other => return Err(invalid(&ptr, format!("unsupported security scheme type {other:?}"))),
        };
        schemes.push(Scheme { name, kind });
    }

    let client_ptr = "/info/x-client";
    let needs_key = operations.iter().any(|op| !op.security.is_empty());
    let api_key_env = match doc.pointer(&join(client_ptr, "api-key-env")) {
        Some(Value::String(s)) => s.clone(),
        _ if needs_key => {
            return Err(invalid(
                client_ptr,
                "operations need a credential: add `x-client.api-key-env` in the overlay".into(),
            ));
        }
        _ => String::new(),
    };
    let base_url_env =
        doc.pointer(&join(client_ptr, "base-url-env")).and_then(Value::as_str).unwrap_or_default().to_string();

    Ok(ApiModel {
        title: text(doc, "/info/title")?,
        version: text(doc, "/info/version")?,
        default_base_url: doc.pointer("/servers/0/url").and_then(Value::as_str).map(str::to_string),
        api_key_env,
        base_url_env,
        schemes,
        operations,
        secret_fields: secret_fields(doc),
    })
}

/// Removes every required header parameter whose schema allows one value, returning
/// (operation pointer, header name, value) for each operation it applied to.
fn take_constant_headers(doc: &mut Value, file: &Path) -> Result<Vec<(String, String, String)>, Error> {
    let mut found = Vec::new();
    let mut removals: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let ops: Vec<(String, String)> =
        schemas::operations(doc).into_iter().map(|(ptr, path, _, _)| (ptr, path)).collect();
    for (op_ptr, path) in ops {
        let item_ptr = join("/paths", &path);
        for list_ptr in [join(&item_ptr, "parameters"), join(&op_ptr, "parameters")] {
            let Some(Value::Array(params)) = doc.pointer(&list_ptr) else { continue };
            let mut constant_indexes = Vec::new();
            for (index, param) in params.iter().enumerate() {
                let param = resolve(doc, param, file, &join(&list_ptr, &index.to_string()))?;
                if param.get("in").and_then(Value::as_str) != Some("header")
                    || param.get("required") != Some(&Value::Bool(true))
                {
                    continue;
                }
                let Some(schema) = param.get("schema") else { continue };
                let schema = resolve(doc, schema, file, &list_ptr)?;
                if let (Some(name), Some(Value::Array(values))) =
                    (param.get("name").and_then(Value::as_str), schema.get("enum"))
                    && let [Value::String(value)] = values.as_slice()
                {
                    found.push((op_ptr.clone(), name.to_string(), value.clone()));
                    constant_indexes.push(index);
                }
            }
            if list_ptr.starts_with(&op_ptr) {
                removals.insert(list_ptr, constant_indexes);
            } else {
                // Shared by every operation of the path: removed once all have seen it.
                removals.entry(list_ptr).or_insert(constant_indexes);
            }
        }
    }
    for (list_ptr, indexes) in removals {
        if let Some(Value::Array(params)) = doc.pointer_mut(&list_ptr) {
            for index in indexes.into_iter().rev() {
                params.remove(index);
            }
        }
    }
    // Keep them visible in the document (progenitor ignores extensions) for the surface.
    for (op_ptr, name, value) in &found {
        if let Some(Value::Object(op)) = doc.pointer_mut(op_ptr) {
            let constants = op.entry(CONSTANT_HEADERS).or_insert_with(|| Value::Object(Default::default()));
            if let Value::Object(constants) = constants {
                constants.insert(name.clone(), Value::String(value.clone()));
            }
        }
    }
    Ok(found)
}

/// Follows a local `$ref` (one level at a time, until a non-reference).
fn resolve<'a>(doc: &'a Value, node: &'a Value, file: &Path, at: &str) -> Result<&'a Value, Error> {
    let mut node = node;
    for _ in 0..32 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                node = reference.strip_prefix('#').and_then(|ptr| doc.pointer(ptr)).ok_or_else(|| {
                    Error::new(file, at, ErrorKind::Invalid(format!("`$ref: {reference}` does not resolve")))
                })?;
            }
            None => return Ok(node),
        }
    }
    Err(Error::new(file, at, ErrorKind::Invalid("`$ref` chain too long or circular".into())))
}

fn secret_fields(doc: &Value) -> Vec<String> {
    let mut names = BTreeSet::new();
    for root in schemas::roots(doc) {
        collect_secret_names(doc, &root, &mut names);
    }
    names.into_iter().collect()
}

fn collect_secret_names(doc: &Value, ptr: &str, names: &mut BTreeSet<String>) {
    let Some(schema) = doc.pointer(ptr) else { return };
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, prop) in props {
            if prop.get("x-secret") == Some(&Value::Bool(true)) {
                names.insert(name.clone());
            }
        }
    }
    for child in schemas::children(schema, ptr) {
        collect_secret_names(doc, &child, names);
    }
}

/// The schemas of an operation's 2xx and default responses.
fn success_schemas(op: &Value) -> impl Iterator<Item = &Value> {
    op.get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(status, _)| status.starts_with('2') || *status == "default")
        .filter_map(|(_, response)| response.get("content").and_then(Value::as_object))
        .flatten()
        .filter_map(|(_, media)| media.get("schema"))
}

/// The schemas of an operation's request body (following a `$ref`'d body).
fn request_schemas<'a>(doc: &'a Value, op: &'a Value) -> impl Iterator<Item = &'a Value> {
    let body = op.get("requestBody").map(|b| match b.get("$ref").and_then(Value::as_str) {
        Some(r) => r.strip_prefix('#').and_then(|p| doc.pointer(p)).unwrap_or(b),
        None => b,
    });
    body.and_then(|b| b.get("content"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(_, m)| m.get("schema"))
}

/// Whether `schema` (following `$ref`s) has an `x-secret` schema anywhere inside.
fn holds_secret<'a>(doc: &'a Value, schema: &'a Value, seen: &mut BTreeSet<&'a str>) -> bool {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        if !seen.insert(reference) {
            return false;
        }
        return match reference.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            Some(target) => holds_secret(doc, target, seen),
            None => false,
        };
    }
    if schema.get("x-secret") == Some(&Value::Bool(true)) {
        return true;
    }
    schemas::children(schema, "")
        .iter()
        .filter_map(|ptr| schema.pointer(ptr))
        .any(|child| holds_secret(doc, child, seen))
}
