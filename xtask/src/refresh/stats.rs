//! A Stainless-generated SDK's `.stats.yml`: which OpenAPI document the SDK was generated from.
//!
//! `openapi_spec_hash` is Stainless's own 32-hex-digit fingerprint; it is neither the md5 nor
//! the sha256 of the bytes served at `openapi_spec_url`, so it cannot verify them. It is kept
//! and recorded beside the spec (`fetched.sha256`), so a change upstream shows in review.

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Stats {
    pub openapi_spec_url: String,
    pub openapi_spec_hash: String,
    #[serde(default)]
    pub configured_endpoints: Option<u64>,
}

/// Reads the file and checks what it names is an https URL.
pub fn parse(text: &str) -> Result<Stats, String> {
    let stats: Stats = serde_saphyr::from_str(text)
        .map_err(|e| format!("not a usable `.stats.yml`: {}", first_line(&e.to_string())))?;
    let url = reqwest::Url::parse(&stats.openapi_spec_url)
        .map_err(|e| format!("`openapi_spec_url` is not a URL ({e}): {}", stats.openapi_spec_url))?;
    if url.scheme() != "https" {
        return Err(format!("`openapi_spec_url` is not an https URL: {}", stats.openapi_spec_url));
    }
    let hash = &stats.openapi_spec_hash;
    if hash.is_empty() || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("`openapi_spec_hash` is not a hex digest: {hash:?}"));
    }
    Ok(stats)
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
        let missing = parse("openapi_spec_url: https://x/a.yml\n").unwrap_err();
        assert!(missing.contains("openapi_spec_hash"), "{missing}");
        assert!(parse(&REAL.replace("https://", "http://")).unwrap_err().contains("not an https URL"));
        assert!(parse(&REAL.replace("b6a9596c", "zz")).unwrap_err().contains("not a hex digest"));
    }
}
