//! A Stainless-generated SDK's `.stats.yml`: which OpenAPI document the SDK was generated from.
//!
//! `openapi_spec_hash` is Stainless's own 32-hex-digit fingerprint; it is neither the md5 nor
//! the sha256 of the bytes served at `openapi_spec_url`, so it cannot verify them. It is kept
//! and recorded beside the spec (`fetched.sha256`), so a change upstream shows in review.

use std::collections::BTreeMap;

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub openapi_spec_url: String,
    pub openapi_spec_hash: String,
    pub configured_endpoints: Option<u64>,
}

/// Reads the file and checks what it names is an https URL. A file whose format changed is
/// described by what it lacks, not by a parser's message.
pub fn parse(text: &str) -> Result<Stats, String> {
    let keys: BTreeMap<String, Value> = serde_saphyr::from_str(text)
        .map_err(|e| format!("not a `.stats.yml` (not a YAML mapping: {})", first_line(&e.to_string())))?;
    let text_of = |key: &str| keys.get(key).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
    let has = || keys.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
    let Some(openapi_spec_url) = text_of("openapi_spec_url") else {
        return Err(format!(
            "the `.stats.yml` no longer names the SDK's OpenAPI document: it has no `openapi_spec_url` (only {})",
            if keys.is_empty() { "nothing".to_string() } else { has() }
        ));
    };
    let url = reqwest::Url::parse(&openapi_spec_url)
        .map_err(|e| format!("`openapi_spec_url` is not a URL ({e}): {openapi_spec_url}"))?;
    if url.scheme() != "https" {
        return Err(format!("`openapi_spec_url` is not an https URL: {openapi_spec_url}"));
    }
    let hash = text_of("openapi_spec_hash").unwrap_or_default();
    if hash.is_empty() || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("`openapi_spec_hash` is not a hex digest: {hash:?}"));
    }
    Ok(Stats {
        openapi_spec_url,
        openapi_spec_hash: hash,
        configured_endpoints: keys.get("configured_endpoints").and_then(Value::as_u64),
    })
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: &str = "configured_endpoints: 50\nopenapi_spec_url: https://storage.googleapis.com/s/a.yml\nopenapi_spec_hash: b6a9596c9baef1becb0913b7f6cbfb15\nconfig_hash: 017159242693a52caee43996bf50d2fe\n";

    #[test]
    fn reads_the_url_and_hash_and_refuses_what_it_cannot_use() {
        let stats = parse(REAL).unwrap();
        assert_eq!(stats.openapi_spec_url, "https://storage.googleapis.com/s/a.yml");
        assert_eq!(stats.configured_endpoints, Some(50));
        let missing = parse("configured_endpoints: 50\nopenapi_spec_hash: ab\n").unwrap_err();
        assert!(missing.contains("openapi_spec_url"), "{missing}");
        // Since June 2026 the file holds only the endpoint count: what is missing, not a parse error.
        let moved = parse("configured_endpoints: 51\n").unwrap_err();
        assert_eq!(
            moved,
            "the `.stats.yml` no longer names the SDK's OpenAPI document: it has no `openapi_spec_url` (only \
             `configured_endpoints`)"
        );
        assert!(parse("- a\n").unwrap_err().starts_with("not a `.stats.yml`"));
        let missing = parse("openapi_spec_url: https://x/a.yml\n").unwrap_err();
        assert!(missing.contains("openapi_spec_hash"), "{missing}");
        assert!(parse(&REAL.replace("https://", "http://")).unwrap_err().contains("not an https URL"));
        assert!(parse(&REAL.replace("b6a9596c", "zz")).unwrap_err().contains("not a hex digest"));
    }
}
