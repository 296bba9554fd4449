//! An operation's responses as progenitor sees them: which statuses are successes and which
//! errors (`default` is both), and what kind of body each declares.

use serde_json::Value;

use crate::doc::Spec;

/// The two outcomes progenitor types separately; `default` belongs to both.
#[derive(Clone, Copy)]
pub enum Outcome {
    Success,
    Error,
}

impl Outcome {
    pub fn contains(self, status: &str) -> bool {
        let code = status.parse::<u16>().ok();
        let class = status.len() == 3 && status[1..].eq_ignore_ascii_case("xx");
        status == "default"
            || match self {
                Outcome::Success => {
                    code.is_some_and(|c| c == 101 || (200..300).contains(&c)) || (class && status.starts_with('2'))
                }
                Outcome::Error => {
                    code.is_some_and(|c| (400..600).contains(&c))
                        || (class && (status.starts_with('4') || status.starts_with('5')))
                }
            }
    }

    pub fn suffix(self) -> &'static str {
        match self {
            Outcome::Success => "Success",
            Outcome::Error => "Error",
        }
    }
}

/// What progenitor makes of one response's content.
#[derive(Debug, Clone)]
pub enum BodyKind {
    /// The schema of its (first) JSON media type.
    Json(String, Value),
    /// Content, but none of it JSON: raw bytes.
    Raw,
    None,
}

/// Same type for progenitor: the media type's parameters do not matter, the schema does.
impl PartialEq for BodyKind {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (BodyKind::Json(_, a), BodyKind::Json(_, b)) => a == b,
            (BodyKind::Raw, BodyKind::Raw) | (BodyKind::None, BodyKind::None) => true,
            _ => false,
        }
    }
}

impl BodyKind {
    pub fn label(&self) -> &'static str {
        match self {
            BodyKind::Json(..) => "a JSON body",
            BodyKind::Raw => "a non-JSON body",
            BodyKind::None => "no body",
        }
    }
}

/// progenitor's choice: the first media type that is `application/json` (with parameters).
pub fn body_kind(response: &Value) -> BodyKind {
    let Some(content) = response.get("content").and_then(Value::as_object).filter(|c| !c.is_empty()) else {
        return BodyKind::None;
    };
    content
        .iter()
        .find(|(media, _)| *media == "application/json" || media.starts_with("application/json;"))
        .and_then(|(media, m)| m.get("schema").map(|s| BodyKind::Json(media.clone(), s.clone())))
        .unwrap_or(BodyKind::Raw)
}

/// (status, resolved response) of an operation's responses in `outcome`.
pub fn responses<'a>(doc: &'a Value, op: &'a Value, outcome: Outcome) -> Vec<(String, &'a Value)> {
    op.get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(status, _)| outcome.contains(status))
        .filter_map(|(status, r)| Spec::new(doc).resolve(r).ok().map(|r| (status.clone(), r)))
        .collect()
}
