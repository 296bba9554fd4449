//! Properties that look like credentials by their name (`token`, `bearerToken`, `api_key`,
//! `client_secret`, `password`): `cargo xtask vendor add` marks them `x-secret: true` in the
//! new vendor's overlay, so the client holds them as `SecretString`s from the start. A name is
//! only a hint: the overlay says so beside each mark, and a maintainer removes a wrong one or
//! adds one this missed.

use serde_json::Value;

/// JSON pointers (into the document as served) of every string property whose name, lower
/// case without `_` and `-`, is a credential's, in document order.
pub fn recognise(doc: &Value) -> Vec<String> {
    let mut found = Vec::new();
    walk(doc, String::new(), &mut found);
    found
}

fn walk(value: &Value, pointer: String, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let at = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                // Examples are data that merely look like schemas.
                if key == "example" || key == "examples" {
                    continue;
                }
                if key == "properties"
                    && let Value::Object(properties) = child
                {
                    for (name, schema) in properties {
                        if is_credential(name) && is_string(schema) {
                            found.push(format!("{at}/{}", name.replace('~', "~0").replace('/', "~1")));
                        }
                    }
                }
                walk(child, at, found);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                walk(child, format!("{pointer}/{i}"), found);
            }
        }
        _ => {}
    }
}

/// `token`, `access_token`, `bearerToken`, `api-key`, `clientSecret`, `password`; not
/// `tokenId`, `tokens` or `keyName`, which name or count credentials without holding one.
fn is_credential(name: &str) -> bool {
    let name: String = name.chars().filter(|c| *c != '_' && *c != '-').collect::<String>().to_lowercase();
    name.ends_with("token")
        || name.ends_with("secret")
        || ["apikey", "password", "privatekey", "secretkey", "accesskey"].contains(&name.as_str())
}

/// `type: string`, or 3.1's `type: [string, "null"]`.
fn is_string(schema: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
        _ => false,
    }
}

/// The overlay target (JSONPath, RFC 9535) for a JSON pointer: `/paths/~1v1~1keys/post` →
/// `$.paths['/v1/keys'].post`.
pub fn json_path(pointer: &str) -> String {
    let mut out = String::from("$");
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        let plain = segment.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && segment.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if plain {
            out.push('.');
            out.push_str(&segment);
        } else {
            out.push_str(&format!("['{}']", segment.replace('\\', "\\\\").replace('\'', "\\'")));
        }
    }
    out
}

/// The overlay actions marking each pointer `x-secret: true`, as YAML list items.
pub fn overlay_actions(pointers: &[String]) -> String {
    let mut out = String::new();
    for pointer in pointers {
        // A JSON string is a YAML double-quoted scalar.
        let target = serde_json::to_string(&json_path(pointer)).unwrap_or_default();
        out.push_str(&format!(
            "  - target: {target}\n    description: A credential, by its name (marked by `cargo xtask vendor add`; \
             remove this if it is not one).\n    update:\n      x-secret: true\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn credentials_are_recognised_by_name_and_type() {
        let doc = json!({
            "paths": {"/v1/keys": {"post": {"responses": {"200": {"content": {"application/json": {"schema": {
                "properties": {"bearerToken": {"type": "string"}, "tokenId": {"type": "string"}}
            }}}}}}}},
            "components": {"schemas": {"Key": {"properties": {
                "api_key": {"type": ["string", "null"]},
                "client-secret": {"type": "string"},
                "tokens": {"type": "array"},
                "token": {"type": "integer"},
                "name": {"type": "string"},
            }, "example": {"properties": {"password": {"type": "string"}}}}}},
        });
        assert_eq!(
            recognise(&doc),
            [
                "/paths/~1v1~1keys/post/responses/200/content/application~1json/schema/properties/bearerToken",
                "/components/schemas/Key/properties/api_key",
                "/components/schemas/Key/properties/client-secret",
            ]
        );
    }

    /// The target selects exactly the property, through the overlay code the build uses.
    #[test]
    fn the_json_path_selects_the_pointer() {
        let doc =
            json!({"paths": {"/v1/it's": {"post": {"x": {"a-b": {"properties": {"token": {"type": "string"}}}}}}}});
        for pointer in recognise(&doc) {
            let path = json_path(&pointer);
            let parsed = serde_json_path::JsonPath::parse(&path).unwrap();
            let nodes = parsed.query(&doc).all();
            assert_eq!(nodes, [doc.pointer(&pointer).unwrap()], "{path}");
        }
        assert_eq!(json_path("/paths/~1v1~1keys/post"), "$.paths['/v1/keys'].post");
    }
}
