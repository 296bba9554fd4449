//! Path parameters must not change which resource a request addresses.
//!
//! progenitor percent-encodes `/` and `%` in a path parameter but not `.`, so a value `..`
//! makes the URL parser drop a segment (`/v3/user/tokens/..` becomes `/v3/user/`) and a
//! DELETE would address another resource; a `\` is a separator for the URL parser too. The
//! request URL's path is therefore compared with the operation's template (prepared once per
//! client): the base URL's path, then exactly the template's segments, literals equal and
//! every parameter segment non-empty and free of dot segments, also percent-encoded ones
//! (`%2e%2e`, and `%252e` for servers that decode twice).

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

/// An operation's path template as the URL parser writes it: runs of literal text (slashes
/// included, so one comparison covers `/v3/user/tokens/`) and parameter segments.
#[derive(Debug)]
pub(crate) struct PathTemplate {
    pieces: Vec<Piece>,
    /// The parameter to blame for a changed path: the only one, if there is only one.
    only_param: Option<&'static str>,
}

#[derive(Debug)]
enum Piece {
    Literal(String),
    /// One whole segment holding parameters: `{name}`, or `{name}.json` (prefix and suffix
    /// kept).
    Param {
        name: &'static str,
        prefix: &'static str,
        suffix: &'static str,
    },
}

/// Why a request path does not match its template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mismatch {
    Empty(&'static str),
    DotSegment(&'static str),
    /// Segments were added, removed or changed (a `\` in a value, or a dot segment the
    /// parser already resolved); the parameter is named when the template has only one.
    Shape(Option<&'static str>),
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mismatch::Empty(name) => write!(f, "path parameter `{name}` is empty"),
            Mismatch::DotSegment(name) => {
                write!(f, "path parameter `{name}` is or holds a dot segment (`.` or `..`, maybe percent-encoded)")
            }
            Mismatch::Shape(Some(name)) => {
                write!(f, "path parameter `{name}` changed the request path (a `..`, `.` or `\\` in its value)")
            }
            Mismatch::Shape(None) => {
                f.write_str("a path parameter changed the request path (a `..`, `.` or `\\` in a value)")
            }
        }
    }
}

impl PathTemplate {
    pub(crate) fn new(template: &'static str) -> Self {
        // Only the path: documents give two operations of one URL distinct keys with a query
        // (OpenAI's `/responses?beta=true`) or a fragment (Mistral's `…/{id}#stream`), which the
        // URL parser moves out of the path (a fragment is never sent).
        let template = template.split(['?', '#']).next().unwrap_or(template);
        // Literals as the URL parser writes them: parse the template with placeholder values.
        let placeholder = template.split('/').map(|s| if s.contains('{') { "p" } else { s }).collect::<Vec<_>>();
        let normalised = reqwest::Url::parse(&format!("http://h{}", placeholder.join("/"))).ok();
        let normalised: Vec<&str> = normalised.as_ref().map_or(Vec::new(), |u| split(u.path()).collect());
        let raw: Vec<&'static str> = split(template).collect();

        let (mut pieces, mut literal, mut params) = (Vec::new(), String::new(), Vec::new());
        for (i, &segment) in raw.iter().enumerate() {
            literal.push('/');
            match (segment.find('{'), segment.rfind('}')) {
                (Some(open), Some(close)) if open < close => {
                    let name = segment[open + 1..].split('}').next().unwrap_or_default();
                    params.push(name);
                    pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                    pieces.push(Piece::Param { name, prefix: &segment[..open], suffix: &segment[close + 1..] });
                }
                _ if normalised.len() == raw.len() => literal.push_str(normalised[i]),
                _ => literal.push_str(segment),
            }
        }
        pieces.push(Piece::Literal(literal));
        pieces.retain(|p| !matches!(p, Piece::Literal(l) if l.is_empty()));
        let only_param = match params[..] {
            [one] => Some(one),
            _ => None,
        };
        PathTemplate { pieces, only_param }
    }

    /// Checks `path` (a request URL's path) against `base_path` + this template.
    pub(crate) fn check(&self, base_path: &str, path: &str) -> Result<(), Mismatch> {
        let shape = Mismatch::Shape(self.only_param);
        let mut rest = path.strip_prefix(base_path).ok_or(shape)?;
        for piece in &self.pieces {
            match piece {
                Piece::Literal(literal) => rest = rest.strip_prefix(literal.as_str()).ok_or(shape)?,
                Piece::Param { name, prefix, suffix } => {
                    let (segment, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
                    let value = segment.strip_prefix(prefix).and_then(|s| s.strip_suffix(suffix)).ok_or(shape)?;
                    if value.is_empty() {
                        return Err(Mismatch::Empty(name));
                    }
                    if holds_dot_segment(segment) {
                        return Err(Mismatch::DotSegment(name));
                    }
                    rest = tail;
                }
            }
        }
        if rest.is_empty() { Ok(()) } else { Err(shape) }
    }
}

/// The segments of an absolute path (`/a/b` → `a`, `b`; `/` → one empty segment).
fn split(path: &str) -> std::str::Split<'_, char> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

/// Whether a segment is `.` or `..`, or holds one between `/` or `\`, as sent or after up to
/// three rounds of percent-decoding.
fn holds_dot_segment(segment: &str) -> bool {
    if !segment.bytes().any(|b| b == b'.' || b == b'%') {
        return false;
    }
    let mut text = Cow::Borrowed(segment);
    for _ in 0..4 {
        if text.split(['/', '\\']).any(|part| part == "." || part == "..") {
            return true;
        }
        if !text.contains('%') {
            return false;
        }
        let decoded = percent_decode_str(&text).decode_utf8_lossy().into_owned();
        if decoded == text {
            return false;
        }
        text = Cow::Owned(decoded);
    }
    // Still encoded after that many rounds: nobody sends that by accident.
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_cannot_change_the_path() {
        let t = PathTemplate::new("/v3/user/tokens/{tokenId}");
        assert_eq!(t.check("", "/v3/user/tokens/abc"), Ok(()));
        assert_eq!(t.check("", "/v3/user/tokens/my.token"), Ok(()));
        assert_eq!(t.check("", "/v3/user/tokens/a%2Fb"), Ok(()));
        assert_eq!(t.check("/api", "/api/v3/user/tokens/abc"), Ok(()));
        assert_eq!(t.check("", "/v3/user/"), Err(Mismatch::Shape(Some("tokenId"))));
        assert_eq!(t.check("", "/v3/user/tokens/"), Err(Mismatch::Empty("tokenId")));
        assert_eq!(t.check("", "/v3/user/tokens/a/b"), Err(Mismatch::Shape(Some("tokenId"))));
        assert_eq!(t.check("/api", "/v3/user/tokens/abc"), Err(Mismatch::Shape(Some("tokenId"))));
        for dots in ["..", ".", "%2e%2E", "%252e%252e", "a%2F..%2Fb", "a%5C..", "%25252e"] {
            let path = format!("/v3/user/tokens/{dots}");
            assert_eq!(t.check("", &path), Err(Mismatch::DotSegment("tokenId")), "{dots}");
        }
    }

    #[test]
    fn a_query_or_fragment_in_the_template_is_not_path() {
        let stream = PathTemplate::new("/v1/conversations/{conversation_id}#stream");
        assert_eq!(stream.check("", "/v1/conversations/abc"), Ok(()));
        assert_eq!(stream.check("", "/v1/conversations/.."), Err(Mismatch::DotSegment("conversation_id")));
        assert_eq!(PathTemplate::new("/responses?beta=true").check("/v1", "/v1/responses"), Ok(()));
    }

    #[test]
    fn literals_and_mixed_segments() {
        let t = PathTemplate::new("/files/{name}.json/a b");
        assert_eq!(t.check("", "/files/x.json/a%20b"), Ok(()));
        assert_eq!(t.check("", "/files/.json/a%20b"), Err(Mismatch::Empty("name")));
        assert_eq!(t.check("", "/files/x.yaml/a%20b"), Err(Mismatch::Shape(Some("name"))));
        let root = PathTemplate::new("/");
        assert_eq!(root.check("", "/"), Ok(()));
        assert_eq!(root.check("", "/x"), Err(Mismatch::Shape(None)));
    }
}
