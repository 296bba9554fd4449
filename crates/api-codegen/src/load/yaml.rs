//! YAML (and therefore JSON) reading and writing, with input limits.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, ErrorKind};

/// Reads a YAML or JSON file into a JSON value.
pub fn read(path: &Path) -> Result<Value, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::new(path, "", ErrorKind::Io(e)))?;
    parse(path, &text)
}

/// Parses YAML (or JSON, which is YAML) text. `origin` only names the source in errors.
///
/// serde-saphyr's default budget bounds alias expansion, nesting depth and document size,
/// so a hostile document (an alias bomb, say) is an error rather than an exhausted machine.
/// JSON documents (the 4 MB Vercel spec) take serde_json's much faster path.
pub fn parse(origin: &Path, text: &str) -> Result<Value, Error> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|e| Error::new(origin, "", ErrorKind::Yaml(format!("JSON: {e}"))));
    }
    // YAML 1.2 core booleans only: `enum: [yes, no]` and `y` are strings, as in the
    // established YAML 1.2 readers (js-yaml behind Redocly, Spectral, Prism).
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options::<Value>(text, options)
        .map_err(|e| Error::new(origin, "", ErrorKind::Yaml(e.to_string())))
}

/// Renders a document as block-style YAML; strings that would read as another type
/// (`'2024-06-10'`, `'200'`, `'y'`) are quoted, so any YAML 1.1 or 1.2 reader agrees.
pub fn to_string(origin: &Path, value: &Value) -> Result<String, Error> {
    serde_saphyr::to_string(value).map_err(|e| Error::new(origin, "", ErrorKind::Yaml(e.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_round_trips_strings_that_look_like_other_types() {
        let doc = json!({"info": {"version": "2024-06-10"}, "responses": {"200": {"description": ""}}, "y": "no"});
        let text = to_string(Path::new("x"), &doc).unwrap();
        assert_eq!(parse(Path::new("x"), &text).unwrap(), doc);
        assert!(text.contains("\"2024-06-10\""), "{text}");
    }

    #[test]
    fn yaml_1_1_booleans_and_integer_keys_are_strings() {
        let doc =
            parse(Path::new("x"), "enum: [yes, no, y, on, true]\nresponses:\n  200: {description: ok}\n").unwrap();
        assert_eq!(doc, json!({"enum": ["yes", "no", "y", "on", true], "responses": {"200": {"description": "ok"}}}));
    }

    #[test]
    fn json_and_yaml_errors_say_where() {
        let err = parse(Path::new("doc.json"), "{\"a\": [1,}").unwrap_err();
        assert!(err.to_string().contains("doc.json") && err.to_string().contains("line 1"), "{err}");
        let err = parse(Path::new("doc.yaml"), "a: [1,\nb: 2").unwrap_err();
        assert!(err.to_string().contains("line"), "{err}");
    }
}
