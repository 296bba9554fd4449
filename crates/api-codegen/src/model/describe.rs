//! Reads the [`ApiModel`] out of a normalised document (without changing it).

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::doc::Spec;
use crate::doc::schemas;
use crate::error::{Error, ErrorKind, join};
use crate::model::{ApiModel, Operation, Scheme, SchemeKind};
use crate::plan::Plan;

pub fn describe(doc: &Value, plan: &Plan, file: &Path) -> Result<ApiModel, Error> {
    let invalid = |ptr: &str, msg: String| Error::new(file, ptr, ErrorKind::Invalid(msg));
    let text = |v: &Value, ptr: &str| -> Result<String, Error> {
        v.pointer(ptr)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| invalid(ptr, "missing or not a string".into()))
    };

    let spec = Spec::new(doc);
    let global_security = doc.get("security");

    let mut operations = Vec::new();
    let mut used_schemes = BTreeSet::new();
    for operation in spec.operations() {
        let (ptr, op) = (&operation.pointer, operation.node);
        // Left out of the client (see the rule): the runtime needs no entry for it.
        if plan.left_out(ptr).is_some() {
            continue;
        }
        let id = text(op, "/operationId").map_err(|_| invalid(ptr, "operation has no `operationId`".into()))?;
        let security_ptr = join(ptr, "security");
        let requirements = op.get("security").or(global_security);
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
        let constant_headers = plan.operation(ptr).map(|p| p.constant_headers.clone()).unwrap_or_default();
        // progenitor's method name, also `OperationInfo::operation_id` (rewrite.rs checks they agree).
        let rust_name = crate::names::method_name(&id);
        let holds = |schema: &Value| holds_secret(&spec, schema, &mut BTreeSet::new());
        let returns_secrets = operation.success_schemas().into_iter().any(holds);
        let sends_secrets = operation.request_schemas().any(holds);
        operations.push(Operation {
            id,
            rust_name,
            method: operation.method.to_uppercase(),
            path: operation.path.to_string(),
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
                Some(other) => return Err(invalid(&ptr, format!("unsupported http auth scheme `{other}`"))),
                None => return Err(invalid(&ptr, "an http security scheme without `scheme`".into())),
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
                    Some(other) => return Err(invalid(&ptr, format!("unsupported apiKey location `{other}`"))),
                    None => return Err(invalid(&ptr, "an apiKey scheme without `in`".into())),
                }
            }
            Some(other) => return Err(invalid(&ptr, format!("unsupported security scheme type `{other}`"))),
            None => return Err(invalid(&ptr, "a security scheme without `type`".into())),
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

fn secret_fields(doc: &Value) -> Vec<String> {
    let mut names = BTreeSet::new();
    schemas::for_each(doc, |schema, _| {
        for (name, prop) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            if prop.get("x-secret") == Some(&Value::Bool(true)) {
                names.insert(name.clone());
            }
        }
    });
    names.into_iter().collect()
}

/// Whether `schema` (following `$ref`s) has an `x-secret` schema anywhere inside.
fn holds_secret<'a>(spec: &Spec<'a>, schema: &'a Value, seen: &mut BTreeSet<&'a str>) -> bool {
    if let Some(reference) = schema.get("$ref") {
        if !reference.as_str().is_some_and(|r| seen.insert(r)) {
            return false;
        }
        return spec.target(reference).is_ok_and(|target| holds_secret(spec, target, seen));
    }
    if schema.get("x-secret") == Some(&Value::Bool(true)) {
        return true;
    }
    schemas::children(schema, "")
        .iter()
        .filter_map(|ptr| schema.pointer(ptr))
        .any(|child| holds_secret(spec, child, seen))
}
