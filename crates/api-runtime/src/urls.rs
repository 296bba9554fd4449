//! URLs in messages (credentials masked) and the two questions the transport asks of a URL:
//! same origin, loopback host.

use reqwest::Url;
use url::{Host, Position};

use crate::redact::REDACTED as MASK;

/// A URL as written by the user, for a message: userinfo and query masked, fragment dropped.
///
/// Works on strings that do not parse too (`https://user:pa@ss@host`, `user:pass@[bad`): then
/// everything before the last `@` after the scheme is masked, since where the userinfo ends
/// cannot be known for sure.
pub(crate) fn mask(url: &str) -> String {
    match Url::parse(url) {
        // `user:pass@host` parses too, as scheme `user` and an opaque path: only a URL with a
        // host has a known userinfo.
        Ok(parsed) if parsed.has_host() => mask_parsed(&parsed),
        _ => mask_unparsed(url),
    }
}

/// [`mask`] for a parsed URL.
pub(crate) fn mask_parsed(url: &Url) -> String {
    let mut out = String::with_capacity(url.as_str().len());
    out.push_str(&url[..Position::BeforeUsername]);
    if !url.username().is_empty() || url.password().is_some() {
        out.push_str(MASK);
        out.push('@');
    }
    out.push_str(&url[Position::BeforeHost..Position::AfterPath]);
    if url.query().is_some() {
        out.push('?');
        out.push_str(MASK);
    }
    out
}

fn mask_unparsed(url: &str) -> String {
    // Keep `scheme://` when it is plainly there; anything else may be userinfo.
    let start = url
        .find("://")
        .filter(|&i| i > 0 && url[..i].chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)))
        .map_or(0, |i| i + 3);
    let mut out = match url[start..].rfind('@') {
        Some(at) => format!("{}{MASK}{}", &url[..start], &url[start + at..]),
        None => url.to_string(),
    };
    if let Some(q) = out.find(['?', '#']) {
        out.truncate(q);
        out.push('?');
        out.push_str(MASK);
    }
    out
}

/// Replaces the value of every query pair `secret(name, value)` picks (both decoded) with
/// `[REDACTED]`, leaving the rest of the query as it was written.
pub(crate) fn redact_query(url: &mut Url, secret: impl Fn(&str, &str) -> bool) {
    let Some(query) = url.query() else { return };
    let mut changed = false;
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| {
            let picked =
                url::form_urlencoded::parse(pair.as_bytes()).next().is_some_and(|(name, value)| secret(&name, &value));
            if !picked {
                return pair.to_string();
            }
            changed = true;
            let name = pair.split_once('=').map_or(pair, |(name, _)| name);
            format!("{name}={MASK}")
        })
        .collect();
    if changed {
        url.set_query(Some(&pairs.join("&")));
    }
}

/// Scheme, host and port (the known default when absent) are equal.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme() && a.host() == b.host() && a.port_or_known_default() == b.port_or_known_default()
}

/// `127.0.0.0/8`, `::1` or `localhost`: traffic that never leaves the machine.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_and_queries_are_masked_parsed_or_not() {
        for (input, expected) in [
            ("https://u:p@host:8/x@y", "https://[REDACTED]@host:8/x@y"),
            ("http://host/a", "http://host/a"),
            ("http://host/a?key=s3cret#frag", "http://host/a?[REDACTED]"),
            ("https://user:pa@ss@host/", "https://[REDACTED]@host/"),
            ("https://user:pass@[bad", "https://[REDACTED]@[bad"),
            ("https://user:p/a@ss@[bad", "https://[REDACTED]@[bad"),
            ("user:pass@host", "[REDACTED]@host"),
            ("https:/user:pass@host", "https://[REDACTED]@host/"),
            ("sk-key:x@host:99999", "[REDACTED]@host:99999"),
            ("not a url", "not a url"),
            ("bad url?token=s3cret", "bad url?[REDACTED]"),
        ] {
            assert_eq!(mask(input), expected, "{input}");
        }
    }

    #[test]
    fn picked_query_values_are_redacted_and_the_rest_kept_as_written() {
        let redact = |input: &str| {
            let mut url = Url::parse(input).unwrap();
            redact_query(&mut url, |name, value| name == "api key" || value == "s3cret");
            url.to_string()
        };
        assert_eq!(
            redact("https://h/p?a=%41&api+key=k%26y&b=1&api%20key&c=s%33cret#f"),
            "https://h/p?a=%41&api+key=[REDACTED]&b=1&api%20key=[REDACTED]&c=[REDACTED]#f"
        );
        assert_eq!(redact("https://h/p?a=1&b"), "https://h/p?a=1&b");
        assert_eq!(redact("https://h/p"), "https://h/p");
    }

    #[test]
    fn origins_and_loopback() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(same_origin(&u("https://a.b/x"), &u("https://a.b:443/y?z")));
        assert!(!same_origin(&u("https://a.b/x"), &u("http://a.b/x")));
        assert!(!same_origin(&u("http://127.0.0.1:1/"), &u("http://127.0.0.1:2/")));
        assert!(!same_origin(&u("http://127.0.0.1:1/"), &u("http://localhost:1/")));
        for yes in ["http://127.0.0.1:8/", "http://127.9.9.9/", "http://[::1]:1/", "http://LOCALHOST/", "http://127.1/"]
        {
            assert!(is_loopback(&u(yes)), "{yes}");
        }
        for no in ["http://128.0.0.1/", "http://localhost.example.com/", "http://[::2]/", "http://10.0.0.1/"] {
            assert!(!is_loopback(&u(no)), "{no}");
        }
    }
}
